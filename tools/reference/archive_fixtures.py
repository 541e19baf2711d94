"""Writes archives with Python's own zlib/gzip/tarfile/zipfile for the RadArchive tests.

The members are project-written bytes (text and a seeded pseudo-random block); the manifest
records each member's name, size and SHA-256 as the standard library sees them.
Run: python tools/reference/archive_fixtures.py  (standard library only)
"""
import gzip, hashlib, io, json, os, random, tarfile, zipfile, zlib

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "RadArchiveTests", "Fixtures")
os.makedirs(OUT, exist_ok=True)
rng = random.Random(7)
members = {
    "reports/a.txt": b"FINDINGS: The lungs are clear.\nIMPRESSION: Normal chest.\n" * 40,
    "reports/" + "deep/" * 30 + "long-name-beyond-one-hundred-characters.xml": b"<report id=\"1\"/>\n",
    "random.bin": bytes(rng.getrandbits(8) for _ in range(70_000)),
    "empty.txt": b"",
}
manifest = {name: {"size": len(data), "crc32": zlib.crc32(data), "head": list(data[:16])} for name, data in members.items()}

def tar_bytes(fmt):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        info = tarfile.TarInfo("reports")
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()

for label, fmt in (("gnu", tarfile.GNU_FORMAT), ("pax", tarfile.PAX_FORMAT)):
    with open(os.path.join(OUT, f"members_{label}.tgz"), "wb") as f:
        f.write(gzip.compress(tar_bytes(fmt), mtime=0))
with open(os.path.join(OUT, "members_gnu.tar"), "wb") as f:
    f.write(tar_bytes(tarfile.GNU_FORMAT))

for label, kwargs in (("stored", dict(compression=zipfile.ZIP_STORED)), ("deflated", dict(compression=zipfile.ZIP_DEFLATED))):
    with zipfile.ZipFile(os.path.join(OUT, f"members_{label}.zip"), "w", **kwargs) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compress_type=kwargs["compression"])
with zipfile.ZipFile(os.path.join(OUT, "members_zip64.zip"), "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as z:
    for name, data in members.items():
        with z.open(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), "w", force_zip64=True) as w:
            w.write(data)

# Streams: zlib, raw deflate, and a gzip file of two members.
text = members["reports/a.txt"]
with open(os.path.join(OUT, "stream.zlib"), "wb") as f:
    f.write(zlib.compress(text, 9))
raw = zlib.compressobj(6, zlib.DEFLATED, -15)
with open(os.path.join(OUT, "stream.deflate"), "wb") as f:
    f.write(raw.compress(text) + raw.flush())
with open(os.path.join(OUT, "two_members.gz"), "wb") as f:
    f.write(gzip.compress(text[:100], mtime=0) + gzip.compress(text[100:], mtime=0))

manifest["streams"] = {"plain_size": len(text), "head": list(text[:16]),
                       "crc32": zlib.crc32(text), "adler32": zlib.adler32(text)}
with open(os.path.join(OUT, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1, sort_keys=True)
print("wrote", OUT)
