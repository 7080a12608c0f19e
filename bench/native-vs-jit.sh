#!/usr/bin/env bash
# The CLI as users get it, JIT (the .NET tool: `dotnet WcLayer.Cli.dll`, Release) against native AOT
# (build/native-aot.sh), in one run, alternating, beside GNU tar on the same data and disk:
#   startup  wclayer --version;  wclayer ls samples/sample-layer.tar (> /dev/null)
#   import   wclayer import of the generated layer tar           vs  tar -xf of the same tar
#   export   wclayer export -o of that layer                     vs  tar -cf of the extracted directory
# Median wall time and peak RSS (GNU time '%e %M') of N runs each.
# Usage: bench/native-vs-jit.sh   (env: BENCH_DIR, N=5 runs, STARTUP_N=20, PRESET=many|one|small, KEEP=1 keeps data)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/wclayer-native-bench}
N=${N:-5}
STARTUP_N=${STARTUP_N:-20}
PRESET=${PRESET:-many}
GEN="$ROOT/bench/WcLayer.Benchmarks/bin/Release/net10.0/WcLayer.Benchmarks.dll"
JIT_DLL="$ROOT/src/WcLayer.Cli/bin/Release/net10.0/WcLayer.Cli.dll"
SAMPLE="$ROOT/samples/sample-layer.tar"

if [[ ! -x /usr/bin/time ]]; then
    echo "installing GNU time (Debian package 'time')" >&2
    apt-get install -y -qq time >/dev/null
fi

echo "== building (before any measurement: the machine has few cores)"
dotnet build "$ROOT/bench/WcLayer.Benchmarks/WcLayer.Benchmarks.csproj" -c Release -nologo -v q 2>&1 | grep -E ' error |rror\(s\)' || true
dotnet build "$ROOT/src/WcLayer.Cli/WcLayer.Cli.csproj" -c Release -nologo -v q 2>&1 | grep -E ' error |rror\(s\)' || true
NATIVE=$("$ROOT/build/native-aot.sh" "$ROOT/artifacts/native/bench")
[[ -f "$GEN" && -f "$JIT_DLL" && -x "$NATIVE" ]] || { echo "build failed" >&2; exit 1; }
jit() { dotnet "$JIT_DLL" "$@"; }
native() { "$NATIVE" "$@"; }

mkdir -p "$BENCH_DIR"
B=$(cd "$BENCH_DIR" && pwd)
echo "== scratch directory: $B ($(df -h --output=source,fstype,avail "$B" | tail -1))"
echo "== native binary: $NATIVE ($(stat -c %s "$NATIVE") bytes)"
cleanup() {
    if [[ "${KEEP:-0}" != 1 ]]; then
        for l in layer-jit layer-native empty; do
            [[ -d "$B/$l" ]] && { native remove "$B/$l" >/dev/null 2>&1 || true; }
        done
        rm -rf "${B:?}"/{layer.tar,empty.tar,out-*.tar,ref.tar,dir,time,log,*.runs}
        rmdir "$B" 2>/dev/null || true
    fi
}
trap cleanup EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# measure NAME COMMAND...: runs the command under GNU time, appends "seconds KiB" to $B/NAME.runs
measure() {
    local name=$1; shift
    /usr/bin/time -f '%e %M' -o "$B/time" "$@" > "$B/log" 2>&1 || { echo "failed: $*" >&2; cat "$B/log" >&2; exit 1; }
    cat "$B/time" >> "$B/$name.runs"
}
rm -f "$B"/*.runs

echo "== startup: $STARTUP_N runs each, alternating"
for ((i = 1; i <= STARTUP_N; i++)); do
    measure version-jit dotnet "$JIT_DLL" --version
    measure version-native "$NATIVE" --version
    measure ls-jit dotnet "$JIT_DLL" ls "$SAMPLE"
    measure ls-native "$NATIVE" ls "$SAMPLE"
done

echo "== generating the '$PRESET' layer tar"
dotnet "$GEN" generate "$PRESET" "$B/layer.tar" > /dev/null
tar -cf "$B/empty.tar" -T /dev/null
native import -i "$B/empty.tar" "$B/empty"
echo "   $(stat -c %s "$B/layer.tar") bytes, $(tar -tf "$B/layer.tar" 2>/dev/null | wc -l) tar entries"

for ((i = 1; i <= N; i++)); do
    echo "== run $i of $N"
    rm -rf "$B/dir" && mkdir "$B/dir" && sync
    # GNU tar warns about every MSWINDOWS.* PAX keyword; the layer's files have no permission bits (mode 0).
    measure tar-x bash -c "tar -xf '$B/layer.tar' -C '$B/dir' 2>/dev/null; true"
    chmod -R u+rwX "$B/dir"
    for tool in jit native; do
        [[ -d "$B/layer-$tool" ]] && native remove "$B/layer-$tool"
        sync
        if [[ $tool == jit ]]; then
            measure import-jit dotnet "$JIT_DLL" import -l "$B/empty" -i "$B/layer.tar" "$B/layer-jit"
        else
            measure import-native "$NATIVE" import -l "$B/empty" -i "$B/layer.tar" "$B/layer-native"
        fi
    done
    rm -f "$B/ref.tar" "$B"/out-*.tar && sync
    measure tar-c tar -cf "$B/ref.tar" -C "$B/dir" .
    sync
    measure export-jit dotnet "$JIT_DLL" export -o "$B/out-jit.tar" "$B/layer-jit"
    sync
    measure export-native "$NATIVE" export -o "$B/out-native.tar" "$B/layer-native"
    cmp -s "$B/out-jit.tar" "$B/out-native.tar" || { echo "the two exports differ" >&2; exit 1; }
done

row() { # row LABEL NAME [REFERENCE]
    local s kib ratio=""
    s=$(awk '{print $1}' "$B/$2.runs" | median)
    kib=$(awk '{print $2}' "$B/$2.runs" | median)
    if [[ -n "${3:-}" ]]; then
        ratio=$(awk -v a="$s" -v b="$(awk '{print $1}' "$B/$3.runs" | median)" 'BEGIN { printf "%.2f×", a / b }')
    fi
    printf '| %s | %s | %s | %.1f | %s |\n' "$1" "$s" "$(awk '{printf "%s ", $1}' "$B/$2.runs" | sed 's/ $//')" "$(echo "$kib / 1024" | bc -l)" "$ratio"
}
echo
echo "| what | median s | runs (s) | peak RSS MiB | vs GNU tar |"
echo "| --- | ---: | --- | ---: | ---: |"
row "wclayer --version, JIT" version-jit
row "wclayer --version, native" version-native
row "wclayer ls sample, JIT" ls-jit
row "wclayer ls sample, native" ls-native
row "tar -xf" tar-x
row "wclayer import, JIT" import-jit tar-x
row "wclayer import, native" import-native tar-x
row "tar -cf" tar-c
row "wclayer export, JIT" export-jit tar-c
row "wclayer export, native" export-native tar-c
