#!/usr/bin/env bash
# Installs the Debian packages the tests run as real clients (idempotent: nothing is fetched when all are present).
#   skopeo          copies our OCI layouts to docker archives and back, and inspects them (image tests)
#   umoci           reads and checks every OCI layout we write (image tests)
#   oci-image-tool  validates the layouts against the OCI image spec's schemas (image tests)
#   xfsprogs        makes the XFS loop device of the portable store's reflink tests (mkfs.xfs)
#   btrfs-progs     makes the btrfs loop device of the same tests (mkfs.btrfs)
set -euo pipefail

packages=(skopeo umoci oci-image-tool xfsprogs btrfs-progs)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
