#!/usr/bin/env bash
# Makes the NuGet packages: WcLayer (library), and the wclayer tool as .NET 10 platform-specific tool packages:
# WcLayer.Cli (what users install; it names the others), WcLayer.Cli.linux-x64 (native AOT) and WcLayer.Cli.any
# (framework-dependent, for every other platform). Symbols go in .snupkg files.
# Usage: build/pack.sh [output folder]   (default artifacts/packages). For a release, run it in a clone whose origin is
# the public repository and add SOURCELINK=1, so the symbols map to the sources of that commit.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-artifacts/packages}"
sourcelink=()
[ "${SOURCELINK:-0}" = 1 ] && sourcelink=(-p:EnableSourceLink=true)

# Native AOT links with clang and zlib: the same check and install as the native build.
missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
dpkg-query -W -f='${Status}' zlib1g-dev 2>/dev/null | grep -q "install ok installed" || missing+=(zlib1g-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet pack src/WcLayer/WcLayer.csproj -c Release -o "$out" "${sourcelink[@]}"
dotnet pack src/WcLayer.Cli/WcLayer.Cli.csproj -c Release -o "$out" "${sourcelink[@]}"
dotnet pack src/WcLayer.Cli/WcLayer.Cli.csproj -c Release -r linux-x64 -o "$out" "${sourcelink[@]}"
dotnet pack src/WcLayer.Cli/WcLayer.Cli.csproj -c Release -r any -o "$out" "${sourcelink[@]}"
ls -la "$out"
