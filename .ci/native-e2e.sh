#!/usr/bin/env bash
# Builds the native AOT wclayer (build/native-aot.sh installs clang and zlib1g-dev) and runs the CLI's end-to-end
# tests against it, writing their TRX results beside the main run's so .ci/run counts them.
set -euo pipefail
cd "$(dirname "$0")/.."
exe=$(build/native-aot.sh artifacts/native/ci)
echo "native wclayer: $exe ($("$exe" --version))"
WCLAYER_EXE="$exe" dotnet test WcLayer.slnx --filter "Category=EndToEnd" \
  --logger "trx;LogFileName=native-e2e.trx" --results-directory TestResults
