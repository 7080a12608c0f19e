#!/usr/bin/env bash
# Debian packages the tests need (idempotent): xfsprogs makes the XFS loop device of the portable store's reflink tests.
set -euo pipefail
missing=()
command -v mkfs.xfs >/dev/null 2>&1 || missing+=(xfsprogs)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
