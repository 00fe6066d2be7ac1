#!/usr/bin/env python3
"""Writes the pull/push benchmark image as an OCI image layout (image-spec v1.1 image-layout.md):
four gzip layers, ~300 MB unpacked:
  1. a `debootstrap --variant=minbase` Debian rootfs (the tar given as argv[1])
  2. one 100 MB file of random bytes (incompressible)
  3. 3000 small files (1-8 KiB each, random)
  4. ~24 MB of text-like, compressible data in 8 files
Usage: make-image.py ROOTFS_TAR OUT_LAYOUT_DIR
"""
import gzip, hashlib, io, json, os, random, shutil, sys, tarfile, time

rootfs_tar, out = sys.argv[1], sys.argv[2]
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs, exist_ok=True)
rng = random.Random(20261123)
mtime = int(time.time())


def put_blob(data_path):
    h = hashlib.sha256()
    with open(data_path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    shutil.move(data_path, os.path.join(blobs, digest))
    return "sha256:" + digest, os.path.getsize(os.path.join(blobs, digest))


def put_bytes(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest, len(data)


def gzip_layer(write_tar):
    """Streams a tar through sha256 (the diff ID) and gzip into a blob."""
    tmp = os.path.join(out, "layer.tmp")
    diff = hashlib.sha256()

    class Tee(io.RawIOBase):
        def __init__(self, z):
            self.z = z
        def writable(self):
            return True
        def write(self, b):
            diff.update(b)
            self.z.write(b)
            return len(b)

    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as z:
        with tarfile.open(fileobj=Tee(z), mode="w|", format=tarfile.PAX_FORMAT) as t:
            write_tar(t)
    digest, size = put_blob(tmp)
    return digest, size, "sha256:" + diff.hexdigest()


def add_file(t, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), mtime, 0o644
    t.addfile(info, io.BytesIO(data))


def add_dir(t, name):
    info = tarfile.TarInfo(name)
    info.type, info.mtime, info.mode = tarfile.DIRTYPE, mtime, 0o755
    t.addfile(info)


def base(t):
    with tarfile.open(rootfs_tar, "r|") as src:
        for m in src:
            t.addfile(m, src.extractfile(m) if m.isfile() else None)


def big(t):
    add_dir(t, "opt")
    add_dir(t, "opt/big")
    add_file(t, "opt/big/random.bin", rng.randbytes(100 * 1024 * 1024))


def small(t):
    add_dir(t, "opt")
    add_dir(t, "opt/small")
    for d in range(30):
        add_dir(t, f"opt/small/d{d:02}")
        for i in range(100):
            add_file(t, f"opt/small/d{d:02}/f{i:03}", rng.randbytes(rng.randint(1024, 8192)))


def text(t):
    words = [("w%x" % rng.getrandbits(20)).encode() for _ in range(5000)]
    add_dir(t, "opt")
    add_dir(t, "opt/text")
    for i in range(8):
        buf = bytearray()
        while len(buf) < 3 * 1024 * 1024:
            buf += b" ".join(rng.choice(words) for _ in range(12)) + b"\n"
        add_file(t, f"opt/text/t{i:02}.txt", bytes(buf))


layers = [gzip_layer(f) for f in (base, big, small, text)]
config = {
    "created": "2026-11-23T00:00:00Z",
    "architecture": "amd64",
    "os": "linux",
    "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["bash"]},
    "rootfs": {"type": "layers", "diff_ids": [l[2] for l in layers]},
    "history": [{"created": "2026-11-23T00:00:00Z", "created_by": n} for n in ("debootstrap minbase", "100 MB random", "3000 small files", "24 MB text")],
}
cfg_digest, cfg_size = put_bytes(json.dumps(config, separators=(",", ":")).encode())
manifest = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg_digest, "size": cfg_size},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": s} for d, s, _ in layers],
}
m_digest, m_size = put_bytes(json.dumps(manifest, separators=(",", ":")).encode())
with open(os.path.join(out, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": m_digest, "size": m_size,
               "annotations": {"org.opencontainers.image.ref.name": "bench"}}]}, f)
print("layers (compressed):", " ".join(f"{s / 1e6:.0f}MB" for _, s, _ in layers))
