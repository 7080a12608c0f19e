#!/usr/bin/env bash
# The wclayer store commands on the portable store, beside what GNU tools do with the same data on the same disk:
#   import  (wclayer import of the 1 GiB `many` tar)            vs  tar -xf of the same tar into a directory
#   export  (wclayer export of that layer)                      vs  tar -cf - -C dir . | cat > out.tar
#   mount   (wclayer create + wclayer mount on top of it)       vs  cp -a of the extracted directory
# Median wall time, median CPU time (user + system) and peak RSS (GNU time '%e %M %U %S') of N runs each,
# alternating the tools. On a shared virtual disk the wall time of a 1 GiB write swings with the writeback of the
# previous step; the CPU time does not, so both are reported.
# Usage: bench/store.sh   (env: BENCH_DIR=scratch dir on the disk to measure, N=runs, PRESET=many, KEEP=1 keeps data)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/wclayer-store-bench}
N=${N:-3}
PRESET=${PRESET:-many}
GEN="$ROOT/bench/WcLayer.Benchmarks/bin/Release/net10.0/WcLayer.Benchmarks.dll"
CLI="$ROOT/src/WcLayer.Cli/bin/Release/net10.0/WcLayer.Cli.dll"

if [[ ! -x /usr/bin/time ]]; then
    echo "installing GNU time (Debian package 'time')" >&2
    apt-get install -y -qq time >/dev/null
fi

echo "== building Release (before any measurement: the machine has few cores)"
dotnet build "$ROOT/bench/WcLayer.Benchmarks/WcLayer.Benchmarks.csproj" -c Release -nologo -v q 2>&1 | grep -E ' error |rror\(s\)' || true
dotnet build "$ROOT/src/WcLayer.Cli/WcLayer.Cli.csproj" -c Release -nologo -v q 2>&1 | grep -E ' error |rror\(s\)' || true
[[ -f "$GEN" && -f "$CLI" ]] || { echo "build failed" >&2; exit 1; }
wclayer() { dotnet "$CLI" "$@"; }

mkdir -p "$BENCH_DIR"
B=$(cd "$BENCH_DIR" && pwd)
echo "== scratch directory: $B ($(df -h --output=source,fstype,avail "$B" | tail -1))"
cleanup() {
    if [[ "${KEEP:-0}" != 1 ]]; then
        # the layers go through wclayer so its lock files go too; whatever is left is removed plainly
        for l in scratch layer empty; do
            [[ -d "$B/$l" ]] && { wclayer unmount "$B/$l" >/dev/null 2>&1 || true; wclayer remove "$B/$l" >/dev/null 2>&1 || true; }
        done
        rm -rf "${B:?}"/{layer.tar,empty.tar,out.tar,ref.tar,dir,copy,time,log} "$B"/.*.wclayer.lock
        rmdir "$B" 2>/dev/null || true
    fi
}
trap cleanup EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
maximum() { sort -g | tail -1; }
# measure NAME COMMAND...: runs the command under GNU time, appends "seconds KiB cpu-seconds" to $B/NAME.runs
measure() {
    local name=$1; shift
    sync
    /usr/bin/time -f '%e %M %U %S' -o "$B/time" "$@" > "$B/log" 2>&1 || { echo "failed: $*" >&2; cat "$B/log" >&2; exit 1; }
    awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$B/time" >> "$B/$name.runs"
    echo "   $name: $(tail -1 "$B/$name.runs") (s, KiB, CPU s)"
}
rm -f "$B"/*.runs

echo "== generating the '$PRESET' layer tar"
dotnet "$GEN" generate "$PRESET" "$B/layer.tar"
# The preset has tombstones, which only a layer with a parent may hold: an empty layer is the parent.
tar -cf "$B/empty.tar" -T /dev/null
wclayer import -i "$B/empty.tar" "$B/empty"
echo "   $(stat -c %s "$B/layer.tar") bytes, $(tar -tf "$B/layer.tar" 2>/dev/null | wc -l) tar entries"

for ((i = 1; i <= N; i++)); do
    echo "== run $i"
    rm -rf "$B/dir" && mkdir "$B/dir"
    # GNU tar warns about every MSWINDOWS.* PAX keyword; the layer's files have no permission bits (mode 0).
    measure tar-x bash -c "tar -xf '$B/layer.tar' -C '$B/dir' 2>/dev/null; true"
    chmod -R u+rwX "$B/dir"
    [[ -d "$B/layer" ]] && wclayer remove "$B/layer"
    measure import dotnet "$CLI" import -l "$B/empty" -i "$B/layer.tar" "$B/layer"

    rm -f "$B/ref.tar" "$B/out.tar"
    measure tar-c bash -c "tar -cf - -C '$B/dir' . | cat > '$B/ref.tar'"
    measure export dotnet "$CLI" export -o "$B/out.tar" "$B/layer"

    rm -rf "$B/copy"
    measure cp-a cp -a "$B/dir" "$B/copy"
    if [[ -d "$B/scratch" ]]; then wclayer unmount "$B/scratch"; wclayer remove "$B/scratch"; fi
    measure mount bash -c "dotnet '$CLI' create -l '$B/layer' -l '$B/empty' '$B/scratch' && dotnet '$CLI' mount -l '$B/layer' -l '$B/empty' '$B/scratch'"
done
mounted=$(wclayer mount -l "$B/layer" -l "$B/empty" "$B/scratch")
echo "== sizes: tar $(stat -c %s "$B/layer.tar"), export $(stat -c %s "$B/out.tar") bytes; layer $(du -sb "$B/layer" | cut -f1) B in $(find "$B/layer" | wc -l) paths; extracted $(du -sb "$B/dir" | cut -f1) B; mount $(du -sb "$mounted" | cut -f1) B in $(find "$mounted" | wc -l) paths"

row() { # label runs-file
    local label=$1 runs=$B/$2.runs s m c all
    s=$(cut -d' ' -f1 "$runs" | median)
    m=$(cut -d' ' -f2 "$runs" | maximum)
    c=$(cut -d' ' -f3 "$runs" | median)
    all=$(cut -d' ' -f1 "$runs" | paste -sd' ')
    awk -v l="$label" -v s="$s" -v m="$m" -v c="$c" -v all="$all" 'BEGIN { printf "| %-56s | %6.2f (%-18s) | %6.2f | %7.1f |\n", l, s, all, c, m / 1024 }'
}
echo
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), N=$N runs, wall time incl. process start"
echo "| operation                                                | wall s, median (runs)       | CPU s  | peak RSS MiB |"
echo "| -------------------------------------------------------- | --------------------------- | ------ | ------------ |"
row "wclayer import -l empty -i many.tar layer" import
row "tar -xf many.tar -C dir" tar-x
row "wclayer export -o out.tar layer" export
row "tar -cf - -C dir . | cat > out.tar" tar-c
row "wclayer create + wclayer mount (scratch on the layer)" mount
row "cp -a dir copy" cp-a
rm -f "$B"/*.runs
