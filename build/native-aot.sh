#!/usr/bin/env bash
# Builds wclayer as a native executable (native AOT): no .NET runtime needed to run it, faster to start, smaller in
# memory. Usage: build/native-aot.sh [output folder]   (default: artifacts/native/<rid>; prints the binary's path)
# Needs clang and zlib1g-dev, which it installs from Debian's packages when they are missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
dpkg-query -W -f='${Status}' zlib1g-dev 2>/dev/null | grep -q "install ok installed" || missing+=(zlib1g-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} (native AOT links with them)" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "unsupported machine $(uname -m)" >&2; exit 1 ;;
esac
rid="${RID:-linux-$arch}"
out="${1:-artifacts/native/$rid}"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet publish src/WcLayer.Cli/WcLayer.Cli.csproj -c Release -r "$rid" -p:PublishAot=true -o "$out" >&2

# The assembly is WcLayer.Cli (the library grants it its internals by that name); users type wclayer.
mv -f "$out/WcLayer.Cli" "$out/wclayer"
rm -f "$out/WcLayer.Cli.dbg" "$out"/*.pdb "$out"/*.xml
echo "$(cd "$out" && pwd)/wclayer"
