#!/usr/bin/env bash
# tar -> backup streams -> tar throughput of WcLayer, beside GNU `tar -cf - | tar -tvf -` of the same data.
# Usage: bench/run.sh            (env: BENCH_DIR=scratch dir, N=runs per tool, DATASETS="many one", KEEP=1 keeps data)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/wclayer-bench}
N=${N:-3}
DATASETS=${DATASETS:-"many one"}
DLL="$ROOT/bench/WcLayer.Benchmarks/bin/Release/net10.0/WcLayer.Benchmarks.dll"

if [[ ! -x /usr/bin/time ]]; then
    echo "installing GNU time (Debian package 'time')" >&2
    apt-get install -y -qq time >/dev/null
fi

echo "== building Release"
dotnet build "$ROOT/bench/WcLayer.Benchmarks/WcLayer.Benchmarks.csproj" -c Release -nologo -v q 2>&1 | grep -E ' error |rror\(s\)' || true
[[ -f "$DLL" ]] || { echo "build failed" >&2; exit 1; }

mkdir -p "$BENCH_DIR"
echo "== scratch directory: $BENCH_DIR ($(df -h --output=source,fstype,avail "$BENCH_DIR" | tail -1))"
cleanup() {
    if [[ "${KEEP:-0}" != 1 ]]; then
        for ds in $DATASETS; do rm -rf "${BENCH_DIR:?}/$ds.tar" "${BENCH_DIR:?}/$ds.out.tar" "${BENCH_DIR:?}/$ds.dir"; done
        rmdir "$BENCH_DIR" 2>/dev/null || true
    fi
}
trap cleanup EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
maximum() { sort -g | tail -1; }

ROWS=()
for ds in $DATASETS; do
    tar_in="$BENCH_DIR/$ds.tar"
    tar_out="$BENCH_DIR/$ds.out.tar"
    dir="$BENCH_DIR/$ds.dir"
    echo "== dataset $ds"
    dotnet "$DLL" generate "$ds" "$tar_in"
    rm -rf "$dir" && mkdir -p "$dir"
    # GNU tar warns about every MSWINDOWS.* PAX keyword; the layer's files have no permission bits (mode 0).
    tar -xf "$tar_in" -C "$dir" 2>/dev/null
    chmod -R u+rwX "$dir"
    our_bytes=$(stat -c %s "$tar_in")
    our_entries=$(tar -tf "$tar_in" 2>/dev/null | wc -l)
    ref_bytes=$(tar -cf - -C "$dir" . | wc -c)
    ref_entries=$(tar -cf - -C "$dir" . | tar -tf - | wc -l)
    echo "   layer tar: $our_bytes bytes, $our_entries tar entries; GNU tar of the extracted directory: $ref_bytes bytes, $ref_entries entries"

    ref_t=(); ref_m=(); our_t=(); our_m=(); null_t=(); null_m=(); same=OK
    for ((i = 1; i <= N; i++)); do
        /usr/bin/time -f '%e %M' -o "$BENCH_DIR/time" bash -c "tar -cf - -C '$dir' . | tar -tvf - > /dev/null"
        read -r t m < "$BENCH_DIR/time"; ref_t+=("$t"); ref_m+=("$m")
        echo "   run $i reference: ${t} s, ${m} KiB"

        rm -f "$tar_out"
        /usr/bin/time -f '%e %M' -o "$BENCH_DIR/time" dotnet "$DLL" roundtrip "$tar_in" "$tar_out" > "$BENCH_DIR/log"
        read -r t m < "$BENCH_DIR/time"; our_t+=("$t"); our_m+=("$m")
        echo "   run $i wclayer:   ${t} s, ${m} KiB  ($(cat "$BENCH_DIR/log"))"
        if ! cmp -s "$tar_in" "$tar_out"; then same=DIFFERENT; fi

        # the same round trip with the output discarded: the CPU cost without the page-cache writeback of 1 GiB
        /usr/bin/time -f '%e %M' -o "$BENCH_DIR/time" dotnet "$DLL" roundtrip "$tar_in" - > "$BENCH_DIR/log"
        read -r t m < "$BENCH_DIR/time"; null_t+=("$t"); null_m+=("$m")
        echo "   run $i wclayer → /dev/null: ${t} s, ${m} KiB  ($(cat "$BENCH_DIR/log"))"
    done

    row() { # tool seconds[] kib[] bytes entries check
        local tool=$1 secs=$2 kib=$3 bytes=$4 entries=$5 check=$6
        local s m
        s=$(tr ' ' '\n' <<< "$secs" | median)
        m=$(tr ' ' '\n' <<< "$kib" | maximum)
        awk -v ds="$ds" -v tool="$tool" -v s="$s" -v b="$bytes" -v e="$entries" -v m="$m" -v c="$check" -v all="$secs" \
            'BEGIN { printf "| %-5s | %-40s | %6.2f (%-14s) | %7.1f | %8.0f | %6.1f | %s |\n", ds, tool, s, all, b / s / 1048576, e / s, m / 1024, c }'
    }
    ROWS+=("$(row 'GNU tar -cf - → tar -tvf - (directory)' "${ref_t[*]}" "${ref_m[*]}" "$ref_bytes" "$ref_entries" '')")
    ROWS+=("$(row 'WcLayer tar → backup streams → tar file' "${our_t[*]}" "${our_m[*]}" "$our_bytes" "$our_entries" "$same")")
    ROWS+=("$(row 'WcLayer tar → backup streams → /dev/null' "${null_t[*]}" "${null_m[*]}" "$our_bytes" "$our_entries" '')")
    if [[ "${KEEP:-0}" != 1 ]]; then rm -rf "$tar_in" "$tar_out" "$dir"; fi
done
rm -f "$BENCH_DIR/time" "$BENCH_DIR/log"

echo
echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, N=$N runs per tool (alternating), wall time incl. process start"
echo "| data  | tool                                     | median s (runs)       |   MiB/s | entries/s | peak RSS MiB | output = input |"
echo "| ----- | ---------------------------------------- | --------------------- | ------- | --------- | ------------ | -------------- |"
printf '%s\n' "${ROWS[@]}"
