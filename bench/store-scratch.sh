#!/usr/bin/env bash
# Store format 2 (issue 9): scratch layers that stack instead of copy, measured with the native AOT CLI.
#   create+mount : wclayer create -l child -l base s && wclayer mount s   (overlay mode: O(1) whatever the base)
#   export       : wclayer export -o out.tar s after 10 files changed       (walks only the overlay's upper dir)
#   import       : wclayer import of the base tar, this build vs the last build before store v2 vs tar -xf
#   other        : the peak RSS of every other command (ls, diff, unmount, remove) once
# on generated bases of 256 MiB / 12 500 files ("quarter") and 1 GiB / 50 000 files ("many"), each with a small
# child layer (500 files, 10 MiB) on top. Median wall and CPU (user + system) time of N runs and the peak RSS of all
# runs (GNU time), all in one run.
# Every import (and every tar -xf) writes into an ext4 made for it (mkfs.ext4 defaults, a loop image on the same
# disk): writing 50 000 inodes right after deleting as many measures the file system's ageing, not the tool (ext4
# without a journal, as this machine's root, skips inodes freed in the last 5-30 s, and the skipping was 40% of an
# import's time here when runs followed each other).
# Usage: bench/store-scratch.sh   (env: BENCH_DIR, N=5, SIZES="quarter many", MAIN=1 also builds and measures
#        REF, the last commit before store v2; REF=<commit> picks another; KEEP=1 keeps the data)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/wclayer-scratch-bench}
N=${N:-5}
SIZES=${SIZES:-"quarter many"}
MAIN=${MAIN:-1}
REF=${REF:-3a1db2b}   # main just before store v2 was merged (e6f5ce3^1): format 1, transport-format layer folders
GEN="$ROOT/bench/WcLayer.Benchmarks/bin/Release/net10.0/WcLayer.Benchmarks.dll"

[[ $(id -u) == 0 ]] || echo "warning: not root, so scratch layers use a copy mode, not overlayfs" >&2
[[ -x /usr/bin/time ]] || apt-get install -y -qq time >/dev/null

mkdir -p "$BENCH_DIR"
B=$(cd "$BENCH_DIR" && pwd)
aot() { # aot SOURCE-DIR OUT-DIR: native AOT publish of the CLI
    dotnet publish "$1/src/WcLayer.Cli/WcLayer.Cli.csproj" -c Release -r linux-x64 -p:PublishAot=true -nologo -v q -o "$2" 2>&1 | grep -E ' error |rror\(s\)' || true
    [[ -x "$2/WcLayer.Cli" ]] || { echo "native AOT build of $1 failed" >&2; exit 1; }
    ln -sf WcLayer.Cli "$2/wclayer"
}
echo "== building (before any measurement: the machine has few cores)"
dotnet build "$ROOT/bench/WcLayer.Benchmarks/WcLayer.Benchmarks.csproj" -c Release -nologo -v q 2>&1 | grep -E ' error |rror\(s\)' || true
[[ -x "$B/aot/wclayer" ]] || aot "$ROOT" "$B/aot"
W="$B/aot/wclayer"
if [[ $MAIN == 1 && ! -x "$B/ref-$REF/wclayer" ]]; then
    rm -rf "$B/ref-src" && mkdir -p "$B/ref-src"
    git -C "$ROOT" archive "$REF" | tar -x -C "$B/ref-src"
    aot "$B/ref-src" "$B/ref-$REF"
fi

FS="$B/fs"
unmount_all() {
    for d in "$FS"/layers/*/; do
        [[ -d "$d/mount" ]] && { umount "$d/mount" 2>/dev/null || true; }
    done
    mountpoint -q "$FS" && umount "$FS"
    rm -f "$B/fs.img"
}
fresh_fs() { # fresh_fs BYTES: an empty ext4 (mkfs defaults) of BYTES mounted at $FS
    unmount_all
    mkdir -p "$FS"
    truncate -s "$1" "$B/fs.img"
    mkfs.ext4 -q -F "$B/fs.img"
    mount -o loop "$B/fs.img" "$FS"
}
cleanup() {
    unmount_all || true
    if [[ "${KEEP:-0}" != 1 ]]; then
        rm -rf "${B:?}"/{fs,time,log,changed,out.tar,*.runs}
    fi
}
trap cleanup EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
maximum() { sort -g | tail -1; }
measure() { # measure NAME COMMAND...: appends "seconds KiB cpu-seconds" to $B/NAME.runs
    local name=$1; shift
    /usr/bin/time -f '%e %M %U %S' -o "$B/time" "$@" > "$B/log" 2>&1 || { echo "failed: $*" >&2; cat "$B/log" >&2; exit 1; }
    awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$B/time" >> "$B/$name.runs"
}
row() { # row LABEL NAME
    local runs=$B/$2.runs
    [[ -f $runs ]] || return 0
    printf '| %-58s | %8.3f | %-30s | %6.2f | %6.1f |\n' "$1" "$(cut -d' ' -f1 "$runs" | median)" "$(cut -d' ' -f1 "$runs" | paste -sd' ')" \
        "$(cut -d' ' -f3 "$runs" | median)" "$(echo "$(cut -d' ' -f2 "$runs" | maximum) / 1024" | bc -l)"
}
rm -f "$B"/*.runs

[[ -f "$B/small.tar" ]] || dotnet "$GEN" generate small "$B/small.tar"
tar -cf "$B/empty.tar" -T /dev/null
for size in $SIZES; do
    [[ -f "$B/$size.tar" ]] || dotnet "$GEN" generate "$size" "$B/$size.tar"
    bytes=$(( $(stat -c %s "$B/$size.tar") * 3 + (1 << 30) ))
    import_with() { # import_with NAME WCLAYER: one import of the base into a fresh file system
        fresh_fs $bytes && mkdir "$FS/layers" && "$2" import -i "$B/empty.tar" "$FS/layers/empty" && sync
        measure "$1" "$2" import -l "$FS/layers/empty" -i "$B/$size.tar" "$FS/layers/base"
    }
    for ((i = 1; i <= N; i++)); do
        fresh_fs $bytes && mkdir "$FS/dir" && sync
        measure "tar-$size" bash -c "tar -xf '$B/$size.tar' -C '$FS/dir' 2>/dev/null; true"
        # The two builds take turns going first: what one run leaves to the disk's writeback weighs on the next.
        if [[ $MAIN == 1 && $((i % 2)) == 1 ]]; then import_with "import-ref-$size" "$B/ref-$REF/wclayer"; fi
        import_with "import-$size" "$W"
        if [[ $MAIN == 1 && $((i % 2)) == 0 ]]; then import_with "import-ref-$size" "$B/ref-$REF/wclayer"; fi
    done
    # The rest runs on the file system of this build's import: it must be the last one made.
    if [[ $MAIN == 1 && $((N % 2)) == 0 ]]; then import_with "import-last-$size" "$W"; rm -f "$B/import-last-$size.runs"; fi
    # The last import's file system holds the base for the rest.
    L="$FS/layers"
    "$W" import -l "$L/base" -l "$L/empty" -i "$B/small.tar" "$L/child"
    for ((i = 1; i <= N; i++)); do
        measure "mount-$size" bash -c "'$W' create -l '$L/child' -l '$L/base' -l '$L/empty' '$L/s' && '$W' mount '$L/s'"
        grep -q overlay "$B/log" || { echo "not mounted in overlay mode: $(cat "$B/log")" >&2; exit 1; }
        # Change 10 files of the base (their data and Windows metadata come up with them), outside the measurement.
        { find "$L/s/mount" -type f || true; } | head -10 > "$B/changed" || true
        while read -r f; do echo changed >> "$f"; done < "$B/changed"
        measure "export-$size" "$W" export -o "$B/out.tar" "$L/s"
        entries=$(tar -tf "$B/out.tar" 2>/dev/null | wc -l)
        measure "diff-$size" "$W" diff "$L/s"
        measure "unmount-$size" "$W" unmount "$L/s"
        measure "remove-scratch-$size" "$W" remove "$L/s"
    done
    measure "ls-$size" "$W" ls "$L/base"
    measure "export-base-$size" "$W" export -o "$B/out.tar" -l "$L/empty" "$L/base"
    measure "remove-base-$size" bash -c "'$W' remove '$L/child' && '$W' remove '$L/base'"
    echo "== $size: base $(stat -c %s "$B/$size.tar") tar bytes; diff of 10 changed files: $entries tar entries"
done

echo
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), N=$N, native AOT CLI, wall time incl. process start"
echo "| operation                                                  | wall s, median | runs                           | CPU s, median | peak RSS MiB |"
echo "| ---------------------------------------------------------- | -------------: | ------------------------------ | ------------: | -----------: |"
for size in $SIZES; do
    row "$size: wclayer create + mount (overlay; 2 processes)" "mount-$size"
    row "$size: wclayer export of the scratch, 10 files changed" "export-$size"
    row "$size: wclayer import (this build, format 2)" "import-$size"
    row "$size: wclayer import ($REF, before store v2)" "import-ref-$size"
    row "$size: tar -xf of the same tar" "tar-$size"
    row "$size: wclayer diff of the scratch" "diff-$size"
    row "$size: wclayer unmount" "unmount-$size"
    row "$size: wclayer remove of the scratch" "remove-scratch-$size"
    row "$size: wclayer ls of the base" "ls-$size"
    row "$size: wclayer export of the base" "export-base-$size"
    row "$size: wclayer remove of child and base" "remove-base-$size"
done
