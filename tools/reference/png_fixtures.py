#!/usr/bin/env python3
"""Writes Tests/RadVizTests/Fixtures/png.json, the reference values RadInference's PNG
encoder is checked against, from Python's zlib and Pillow (pinned in requirements.txt):

* crc32 / adler32 (zlib.crc32, zlib.adler32) of byte patterns (i*31+7) mod 256 of several
  lengths, including Adler-32's 5552-byte reduction boundary;
* the exact bytes of a 5x3 RGB PNG built here independently (filter 0 rows, zlib header 78 01,
  stored deflate blocks of at most 65535 bytes, Adler-32, chunk CRCs), which zlib.decompress
  and Pillow both decode to the intended pixels;
* for a 200x120 image (72120 bytes of rows: two stored blocks) the file's length and CRC-32.

Run: /work/venv-ref/py/bin/python tools/reference/png_fixtures.py
"""
import io
import json
import struct
import zlib
from pathlib import Path

import PIL
from PIL import Image

FIXTURES = Path(__file__).resolve().parent.parent.parent / "Tests" / "RadVizTests" / "Fixtures"


def pattern(n):
    return bytes((i * 31 + 7) % 256 for i in range(n))


def pixels(width, height):
    return [((x * 50 + y) % 256, (y * 80 + x * 3) % 256, ((x + y) * 20) % 256) for y in range(height) for x in range(width)]


def stored_zlib(data):
    out = bytearray(b"\x78\x01")
    start = 0
    while True:
        block = data[start:start + 65535]
        start += len(block)
        final = start == len(data)
        out += bytes([1 if final else 0]) + struct.pack("<HH", len(block), len(block) ^ 0xFFFF) + block
        if final:
            break
    return bytes(out + struct.pack(">I", zlib.adler32(data)))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width, height):
    rgb = pixels(width, height)
    raw = b"".join(b"\x00" + bytes(v for p in rgb[y * width:(y + 1) * width] for v in p) for y in range(height))
    assert zlib.decompress(stored_zlib(raw)) == raw
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", stored_zlib(raw)) + chunk(b"IEND", b""))
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.size == (width, height) and image.mode == "RGB"
    assert [image.getpixel((x, y)) for y in range(height) for x in range(width)] == rgb
    return data


def main():
    lengths = [0, 1, 5, 1000, 5552, 5553, 70000]
    small = png(5, 3)
    large = png(200, 120)
    out = {
        "pillow": PIL.__version__,
        "checksums": [{"length": n, "crc32": zlib.crc32(pattern(n)), "adler32": zlib.adler32(pattern(n))} for n in lengths],
        "small": {"width": 5, "height": 3, "png_hex": small.hex()},
        "large": {"width": 200, "height": 120, "length": len(large), "crc32": zlib.crc32(large)},
    }
    (FIXTURES / "png.json").write_text(json.dumps(out, indent=1))
    print("wrote", FIXTURES / "png.json")


if __name__ == "__main__":
    main()
