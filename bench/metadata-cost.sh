#!/usr/bin/env bash
# Extra time and bytes of keeping Windows times/attributes (the user.wclayer.basicinfo xattr) for N files.
# Usage: bench/metadata-cost.sh [N] (default 50000); scratch under $BENCH_DIR (default /tmp/wclayer-metadata).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-50000}"
dir="${BENCH_DIR:-/tmp/wclayer-metadata}"
rm -rf "$dir" && mkdir -p "$dir"
dotnet build -c Release bench/WcLayer.Benchmarks -v q -nologo >/dev/null
dotnet bench/WcLayer.Benchmarks/bin/Release/net10.0/WcLayer.Benchmarks.dll metadata-cost "$dir" "$n"
sync
plain=$(du -s -B1 "$dir/plain0" | cut -f1)
windows=$(du -s -B1 "$dir/windows0" | cut -f1)
fs=$(df -T "$dir" | awk 'NR==2 {print $2}')
echo "disk usage on $fs: without metadata $plain bytes, with metadata $windows bytes, extra $((windows - plain)) bytes"
rm -rf "$dir"
