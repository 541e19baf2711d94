#!/usr/bin/env python3
"""Writes the PNG reader fixtures of RadImaging: small PNG files in
Tests/RadImagingTests/Fixtures/png/ and png_cases.json with each file's expected samples.

Two kinds of file, PngSuite style (one feature per file, odd sizes so that rows end mid-byte and
Adam7 passes are partly empty):
* written by Pillow (pinned in requirements.txt): 1-bit grey, 8-bit grey, 16-bit grey (I;16),
  grey+alpha, RGB, RGBA, palette of 1/2/4/8 bits, palette with tRNS transparency; Pillow chooses
  the scanline filters (the filter types found are recorded);
* written here with zlib and the PNG filter definitions, for what Pillow does not write: 2- and
  4-bit grey, 16-bit grey+alpha/RGB/RGBA, each of the five filter types forced, and Adam7
  interlacing. Each is read back with Pillow and must give the intended samples (16-bit colour
  Pillow reduces to 8 bits: the high bytes are compared).

Expected samples are RadImaging's convention: integers as stored (a 4-bit grey pixel 0..15),
palette images expanded to RGB (RGBA with tRNS), row-major with channels innermost.

Run: /work/venv-ref/py/bin/python tools/reference/png_reader_fixtures.py
"""
import json
import struct
import zlib
from pathlib import Path

import numpy as np
import PIL
from PIL import Image

assert PIL.__version__ == "13.0.0", PIL.__version__
FIXTURES = Path(__file__).resolve().parent.parent.parent / "Tests" / "RadImagingTests" / "Fixtures"
OUT = FIXTURES / "png"
RNG = np.random.default_rng(16)


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def filter_row(kind, row, prev, bpp):
    out = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if kind == 0:
            pred = 0
        elif kind == 1:
            pred = a
        elif kind == 2:
            pred = b
        elif kind == 3:
            pred = (a + b) // 2
        else:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out[i] = (x - pred) % 256
    return bytes([kind]) + bytes(out)


def pack_row(samples, depth):
    """One row of integer samples as PNG bytes (big endian, packed MSB first below 8 bits)."""
    if depth == 16:
        return b"".join(struct.pack(">H", int(v)) for v in samples)
    if depth == 8:
        return bytes(int(v) for v in samples)
    bits = "".join(format(int(v), f"0{depth}b") for v in samples)
    bits += "0" * (-len(bits) % 8)
    return bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(path, samples, depth, color_type, interlace=False, filters=(0, 1, 2, 3, 4), palette=None, trns=None):
    """samples: (height, width, channels) integer array of what the file stores."""
    h, w, ch = samples.shape
    bpp = max(1, ch * depth // 8)
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    raw = bytearray()
    line = 0
    for x0, y0, dx, dy in passes:
        sub = samples[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        prev = bytes(len(pack_row(sub[0].reshape(-1), depth)))
        for r in sub:
            row = pack_row(r.reshape(-1), depth)
            raw += filter_row(filters[line % len(filters)], row, prev, bpp)
            prev = row
            line += 1
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, int(interlace)))
    if palette is not None:
        png += chunk(b"PLTE", bytes(np.asarray(palette, dtype=np.uint8).reshape(-1)))
    if trns is not None:
        png += chunk(b"tRNS", bytes(trns))
    png += chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")
    path.write_bytes(png)


def filters_used(path):
    """The filter type bytes of a non-interlaced PNG's rows (to record what Pillow chose)."""
    data = path.read_bytes()
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", data[pos + 8:pos + 21])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    w, h, depth, ct = ihdr[:4]
    ch = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ct]
    stride = 1 + (w * ch * depth + 7) // 8
    raw = zlib.decompress(idat)
    return sorted({raw[i * stride] for i in range(h)})


def expected_from_pillow(path, mode):
    im = Image.open(path)
    if mode in ("P", "PT"):
        im = im.convert("RGBA" if mode == "PT" else "RGB")
    arr = np.array(im)
    if arr.dtype == bool:
        arr = arr.astype(np.uint8)
    return arr.reshape(arr.shape[0], arr.shape[1], -1)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    cases = []
    h, w = 11, 13

    def add(name, expected, **extra):
        cases.append({"file": name, "rows": int(expected.shape[0]), "columns": int(expected.shape[1]),
                      "channels": int(expected.shape[2]), "values": [int(v) for v in expected.reshape(-1)], **extra})

    # --- Written by Pillow -------------------------------------------------------------------
    grey = RNG.integers(0, 256, (h, w), dtype=np.uint8)
    rgb = RNG.integers(0, 256, (h, w, 3), dtype=np.uint8)
    rgba = RNG.integers(0, 256, (h, w, 4), dtype=np.uint8)
    la = RNG.integers(0, 256, (h, w, 2), dtype=np.uint8)
    grey16 = RNG.integers(0, 65536, (h, w), dtype=np.uint16)
    bits1 = RNG.integers(0, 2, (h, w), dtype=np.uint8)
    pillow = [
        ("pillow_grey1.png", Image.fromarray(bits1.astype(bool)), {}, "1", bits1[..., None]),
        ("pillow_grey8.png", Image.fromarray(grey), {}, "L", grey[..., None]),
        ("pillow_grey16.png", Image.fromarray(grey16), {}, "I;16", grey16[..., None]),
        ("pillow_grey_alpha8.png", Image.fromarray(la), {}, "LA", la),
        ("pillow_rgb8.png", Image.fromarray(rgb), {}, "RGB", rgb),
        ("pillow_rgba8.png", Image.fromarray(rgba), {}, "RGBA", rgba),
    ]
    for bits in (1, 2, 4, 8):
        n = 1 << bits
        index = RNG.integers(0, n, (h, w), dtype=np.uint8)
        pal = RNG.integers(0, 256, (n, 3), dtype=np.uint8)
        im = Image.fromarray(index).convert("P")
        im.putpalette(pal.reshape(-1).tolist())
        pillow.append((f"pillow_palette{bits}.png", im, {"bits": bits}, "P", pal[index]))
    index = RNG.integers(0, 16, (h, w), dtype=np.uint8)
    pal = RNG.integers(0, 256, (16, 3), dtype=np.uint8)
    alpha = RNG.integers(0, 256, 16, dtype=np.uint8)
    im = Image.fromarray(index).convert("P")
    im.putpalette(pal.reshape(-1).tolist())
    im.info["transparency"] = bytes(alpha)
    pillow.append(("pillow_palette8_trns.png", im, {"transparency": bytes(alpha)}, "PT",
                   np.concatenate([pal[index], alpha[index][..., None]], axis=2)))
    for name, im, options, mode, intended in pillow:
        im.save(OUT / name, **options)
        got = expected_from_pillow(OUT / name, mode)
        assert np.array_equal(got, intended), name
        add(name, intended, writer="Pillow", filters=filters_used(OUT / name))

    # --- Written here, checked with Pillow ----------------------------------------------------
    def own(name, samples, depth, color_type, pillow_mode, **kw):
        write_png(OUT / name, samples, depth, color_type, **kw)
        im = Image.open(OUT / name)
        got = np.array(im.convert("RGBA") if color_type == 3 and kw.get("trns") else
                       im.convert("RGB") if color_type == 3 else im)
        if color_type == 3:
            expected = np.asarray(kw["palette"], dtype=np.uint8)[samples[..., 0]]
            if kw.get("trns") is not None:
                a = np.full(len(kw["palette"]), 255, dtype=np.uint8)
                a[:len(kw["trns"])] = kw["trns"]
                expected = np.concatenate([expected, a[samples[..., 0]][..., None]], axis=2)
        else:
            expected = samples
        got = got.reshape(expected.shape[0], expected.shape[1], -1)
        if pillow_mode == "scaled":  # Pillow scales 2/4-bit grey to 0..255
            assert np.array_equal(got, expected * (255 // ((1 << depth) - 1))), name
        elif pillow_mode == "high" and expected.shape[2] == 2:  # Pillow reads 16-bit LA as 8-bit RGBA
            high = (expected >> 8).astype(np.uint8)
            assert np.array_equal(got[..., 0], high[..., 0]) and np.array_equal(got[..., 3], high[..., 1]), name
        elif pillow_mode == "high":  # Pillow keeps the high byte of 16-bit colour
            assert np.array_equal(got, (expected >> 8).astype(np.uint8)[..., :got.shape[2]]), name
        else:
            assert np.array_equal(got, expected), name
        add(name, expected, writer="tools/reference", interlaced=bool(kw.get("interlace", False)))

    for depth in (2, 4):
        own(f"grey{depth}_filters.png", RNG.integers(0, 1 << depth, (h, w, 1)), depth, 0, "scaled")
    own("grey16_filters.png", RNG.integers(0, 65536, (h, w, 1)), 16, 0, "exact")
    own("rgb16_filters.png", RNG.integers(0, 65536, (h, w, 3)), 16, 2, "high")
    own("rgba16_filters.png", RNG.integers(0, 65536, (h, w, 4)), 16, 6, "high")
    own("grey_alpha16_filters.png", RNG.integers(0, 65536, (h, w, 2)), 16, 4, "high")
    for kind in range(5):
        own(f"rgb8_filter{kind}.png", RNG.integers(0, 256, (h, w, 3)), 8, 2, "exact", filters=(kind,))
    own("rgb8_adam7.png", RNG.integers(0, 256, (h, w, 3)), 8, 2, "exact", interlace=True)
    own("rgba8_adam7.png", RNG.integers(0, 256, (h, w, 4)), 8, 6, "exact", interlace=True)
    own("grey4_adam7.png", RNG.integers(0, 16, (h, w, 1)), 4, 0, "scaled", interlace=True)
    own("grey16_adam7.png", RNG.integers(0, 65536, (h, w, 1)), 16, 0, "exact", interlace=True)
    own("rgb16_adam7.png", RNG.integers(0, 65536, (h, w, 3)), 16, 2, "high", interlace=True)
    own("grey8_adam7_3x2.png", RNG.integers(0, 256, (2, 3, 1)), 8, 0, "exact", interlace=True)
    own("grey8_adam7_1x1.png", RNG.integers(0, 256, (1, 1, 1)), 8, 0, "exact", interlace=True)
    pal4 = RNG.integers(0, 256, (4, 3))
    own("palette2_trns_adam7.png", RNG.integers(0, 4, (h, w, 1)), 2, 3, "exact", interlace=True,
        palette=pal4, trns=[0, 128, 255])
    (FIXTURES / "png_cases.json").write_text(json.dumps({"pillow": PIL.__version__, "cases": cases}) + "\n")
    print(f"wrote {len(cases)} PNG cases to {OUT}")


if __name__ == "__main__":
    main()
