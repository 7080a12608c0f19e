#!/usr/bin/env bash
# Image benchmark: unpack of a generated 3-layer gzip image (1 GiB uncompressed) vs `tar -xzf` of the same layers
# into the same disk, and commit of a 10-file diff on that 1 GiB base. Medians of N runs, wall time and peak RSS.
# Usage: bench/image.sh   (BENCH_DIR=/tmp/wclayer-image N=3; KEEP=1 keeps the data; JIT=1 for the .NET tool)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${BENCH_DIR:-/tmp/wclayer-image}"
n="${N:-3}"
rm -rf "$dir" && mkdir -p "$dir"
# The CLI as users get it: the native AOT binary (build/native-aot.sh); JIT=1 measures the .NET tool instead.
if [ "${JIT:-0}" = 1 ]; then
  dotnet build -c Release src/WcLayer.Cli -v q -nologo >/dev/null
  cli=(dotnet "$PWD/src/WcLayer.Cli/bin/Release/net10.0/WcLayer.Cli.dll")
else
  bash build/native-aot.sh "$dir/native" >/dev/null
  cli=("$dir/native/wclayer")
fi

# Three layer tars (~341 MiB of file data each, ~4000 files of log-normal sizes, half random and half zero blocks,
# so gzip gets ~2:1 as on real layers), a 10-file diff, and an OCI layout of the three, gzip -6 as docker pushes.
python3 - "$dir" <<'PY'
import gzip, hashlib, io, json, os, random, sys, tarfile, shutil
d = sys.argv[1]
rng = random.Random(42)
def layer(name, files, total):
    sizes = [rng.lognormvariate(0, 1.5) for _ in range(files)]
    scale = total / sum(sizes)
    with tarfile.open(os.path.join(d, name + ".tar"), "w", format=tarfile.PAX_FORMAT) as t:
        def add_dir(p):
            ti = tarfile.TarInfo(p); ti.type = tarfile.DIRTYPE; ti.mtime = 1700000000; t.addfile(ti)
        add_dir("Files"); add_dir("Files/" + name)
        for i, s in enumerate(sizes):
            if i % 100 == 0: add_dir(f"Files/{name}/d{i // 100}")
            size = int(s * scale)
            half = size // 2
            data = os.urandom(half) + bytes(size - half)
            ti = tarfile.TarInfo(f"Files/{name}/d{i // 100}/f{i}.bin"); ti.size = size; ti.mtime = 1700000000
            t.addfile(ti, io.BytesIO(data))
for i in range(3): layer(f"layer{i}", 4000, (1 << 30) // 3)
layer("diff", 10, 1 << 20)
PY
for i in 0 1 2; do gzip -6 -k "$dir/layer$i.tar"; done
python3 - "$dir" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]; out = os.path.join(d, "image"); blobs = os.path.join(out, "blobs", "sha256"); os.makedirs(blobs)
def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""): h.update(chunk)
    return h.hexdigest()
def put(data):
    h = hashlib.sha256(data).hexdigest(); open(os.path.join(blobs, h), "wb").write(data); return h, len(data)
layers, diff_ids = [], []
for i in range(3):
    gz = os.path.join(d, f"layer{i}.tar.gz"); h = sha(gz)
    os.link(gz, os.path.join(blobs, h))
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + h, "size": os.path.getsize(gz)})
    diff_ids.append("sha256:" + sha(os.path.join(d, f"layer{i}.tar")))
config = json.dumps({"architecture": "amd64", "os": "windows", "os.version": "10.0.20348.2340",
                     "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": [{"created_by": f"layer {i}"} for i in range(3)]}).encode()
ch, cs = put(config)
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + ch, "size": cs}, "layers": layers}).encode()
mh, ms = put(manifest)
open(os.path.join(out, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + mh, "size": ms,
           "annotations": {"org.opencontainers.image.ref.name": "base"}}]}, open(os.path.join(out, "index.json"), "w"))
PY
echo "uncompressed $(cat "$dir"/layer?.tar | wc -c) bytes, gzip $(cat "$dir"/layer?.tar.gz | wc -c) bytes"

measure() { # label, command...: appends "seconds kib" to $dir/<label>.txt
  local label=$1; shift
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  /usr/bin/time -f '%e %M' -o "$dir/time.out" "$@" >/dev/null
  cat "$dir/time.out" >> "$dir/$label.txt"
}
median() { sort -n -k"$2" "$dir/$1.txt" | awk -v k="$2" '{v[NR]=$k} END {print v[int((NR+1)/2)]}'; }

for run in $(seq "$n"); do
  rm -rf "$dir/ref" && mkdir -p "$dir/ref"
  measure tar bash -c "for i in 0 1 2; do tar -xzf \"$dir/layer\$i.tar.gz\" -C \"$dir/ref\"; done"
  rm -rf "$dir/ref"
  rm -rf "$dir/store" "$dir/scratch"
  measure unpack "${cli[@]}" image unpack --ref base "$dir/image" "$dir/store"
  mapfile -t chain < <("${cli[@]}" image unpack --ref base "$dir/image" "$dir/store")
  "${cli[@]}" import -l "${chain[0]}" -l "${chain[1]}" -l "${chain[2]}" -i "$dir/diff.tar" "$dir/scratch"
  measure commit "${cli[@]}" image commit --ref base "$dir/image" "$dir/scratch" "$dir/image" -l "${chain[0]}" -l "${chain[1]}" -l "${chain[2]}" --tag "run$run"
done

t_tar=$(median tar 1); t_unpack=$(median unpack 1); t_commit=$(median commit 1)
echo "unpack 3 layers (1 GiB):   wclayer $t_unpack s (peak RSS $(median unpack 2) KiB)   tar -xzf $t_tar s   ratio $(echo "scale=2; $t_unpack / $t_tar" | bc)"
echo "commit 10-file diff:        wclayer $t_commit s (peak RSS $(median commit 2) KiB)"
"${cli[@]}" ls "$dir/image" --ref "run1" | tail -1
[ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
