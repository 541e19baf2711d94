#!/usr/bin/env python3
"""Writes Tests/RadVizTests/Fixtures/raster_font.json: PNG files of text drawn in RadLM's
5x7 pixel font (Sources/RadInference/RasterFont.swift), which RasterImage.draw(text:...) must
reproduce byte for byte.

The glyph table is read from the Swift source (the 95 quoted rows of `table` and `fallback`);
the text is rendered here independently (6-pixel advance, each font pixel a scale x scale square,
upward text turned a quarter counter-clockwise with its glyph tops facing left, characters
outside printable ASCII as the fallback box), on a white canvas in ink #222222, encoded with the
stored-deflate PNG builder of png_fixtures.py and decoded with Pillow (pinned in
requirements.txt) to check the file holds the intended pixels.

Run: /work/venv-ref/py/bin/python tools/reference/raster_font_fixtures.py
"""
import io
import json
import re
from pathlib import Path

import PIL
from PIL import Image

from png_fixtures import chunk, stored_zlib

ROOT = Path(__file__).resolve().parent.parent.parent
SOURCE = ROOT / "Sources" / "RadInference" / "RasterFont.swift"
OUT = ROOT / "Tests" / "RadVizTests" / "Fixtures" / "raster_font.json"
INK = (0x22, 0x22, 0x22)
ROW = r"((?:[.#]{5} ){6}[.#]{5})"

# (text, x, y, scale, direction, width, height): ASCII with punctuation, a precomposed "é" and
# "✓" (fallback), scale 2, and upward text.
CASES = [
    ("Hi, é! {x}", 2, 2, 1, "rightward", 64, 11),
    ("Ab~✓", 1, 1, 2, "rightward", 50, 17),
    ("x<y 3", 2, 31, 1, "upward", 11, 33),
]


def glyph_table():
    text = SOURCE.read_text()
    body = text[text.index("public static let table"):]
    body = body[:body.index("\n  ]\n")]
    rows = re.findall(r'^\s*"' + ROW + r'",', body, re.M)
    fallback = re.search(r'static let fallback = "' + ROW + '"', text).group(1)
    assert len(rows) == 95, len(rows)
    bitmaps = [[[c == "#" for c in r] for r in g.split(" ")] for g in rows + [fallback]]
    return bitmaps


def render(bitmaps, text, x, y, scale, direction, width, height):
    pixels = [[(255, 255, 255)] * width for _ in range(height)]

    def put(px, py):
        for dy in range(scale):
            for dx in range(scale):
                if 0 <= px + dx < width and 0 <= py + dy < height:
                    pixels[py + dy][px + dx] = INK

    for i, ch in enumerate(text):
        bitmap = bitmaps[ord(ch) - 32] if 32 <= ord(ch) <= 126 else bitmaps[95]
        offset = i * 6 * scale
        for r, bits in enumerate(bitmap):
            for c, ink in enumerate(bits):
                if not ink:
                    continue
                if direction == "rightward":
                    put(x + offset + c * scale, y + r * scale)
                else:
                    put(x + r * scale, y - offset - (c + 1) * scale)
    return pixels


def png(pixels):
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in pixels)
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", bytes.fromhex(f"{width:08x}{height:08x}") + b"\x08\x02\x00\x00\x00")
            + chunk(b"IDAT", stored_zlib(raw)) + chunk(b"IEND", b""))
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.size == (width, height) and image.mode == "RGB"
    assert [image.getpixel((x, y)) for y in range(height) for x in range(width)] == [p for row in pixels for p in row]
    return data


def main():
    bitmaps = glyph_table()
    cases = []
    for text, x, y, scale, direction, width, height in CASES:
        pixels = render(bitmaps, text, x, y, scale, direction, width, height)
        ink = sum(p == INK for row in pixels for p in row)
        assert ink > 0
        cases.append({"text": text, "x": x, "y": y, "scale": scale, "direction": direction, "width": width,
                      "height": height, "ink_pixels": ink, "png_hex": png(pixels).hex()})
    OUT.write_text(json.dumps({"pillow": PIL.__version__, "glyphs": len(bitmaps) - 1, "cases": cases}, ensure_ascii=False, indent=1))
    print("wrote", OUT, [(c["text"], c["ink_pixels"]) for c in cases])


if __name__ == "__main__":
    main()
