#!/usr/bin/env python3
"""Writes Tests/RadImagingTests/Fixtures/resize.json: PyTorch's resizing of small random images,
the reference for RadImaging's `Image.resized`.

torchvision's `resize(img, size, antialias=True)` on a float tensor calls
`torch.nn.functional.interpolate(img, size, mode, align_corners=False, antialias=True)`
(bilinear/bicubic); torchvision has no release for torch 2.15 on PyPI, so the fixture calls that
function directly. Cases: shrink and enlarge, grey and RGB, odd sizes, bilinear and bicubic with
and without antialiasing, and "area" (adaptive average pooling). Inputs are multiples of 1/256,
outputs are rounded to 7 decimals (float32 keeps about 7 digits). Also the centre crop of
torchvision (offsets round((size - crop) / 2), zero padding when the crop is larger) computed
with tensor slicing here.

Run: /work/venv-ref/py/bin/python tools/reference/resize_fixtures.py
"""
import json
from pathlib import Path

import torch
import torch.nn.functional as F

assert torch.__version__.startswith("2.15.0"), torch.__version__
OUT = Path(__file__).resolve().parent.parent.parent / "Tests" / "RadImagingTests" / "Fixtures" / "resize.json"


def main():
    gen = torch.Generator().manual_seed(16)
    cases = []
    images = []
    shapes = [(1, 17, 23), (3, 20, 15), (1, 9, 7)]
    targets = [(8, 11), (5, 4), (25, 19), (20, 9), (1, 1)]
    for channels, rows, columns in shapes:
        # Multiples of 1/256 print exactly and briefly.
        image = torch.randint(0, 257, (channels, rows, columns), generator=gen).to(torch.float32) / 256
        images.append({"channels": channels, "rows": rows, "columns": columns, "values": image.reshape(-1).tolist()})
        for out_rows, out_columns in targets:
            for mode, antialias in [("bilinear", True), ("bicubic", True), ("bilinear", False),
                                    ("bicubic", False), ("area", False)]:
                kwargs = {} if mode == "area" else {"align_corners": False, "antialias": antialias}
                out = F.interpolate(image[None], size=(out_rows, out_columns), mode=mode, **kwargs)[0]
                cases.append({
                    "image": len(images) - 1,
                    "method": mode, "antialias": antialias, "out_rows": out_rows, "out_columns": out_columns,
                    "output": [round(v, 7) for v in out.reshape(-1).tolist()],
                })
    crops = []
    for channels, rows, columns in shapes:
        image = torch.randint(0, 257, (channels, rows, columns), generator=gen).to(torch.float32) / 256
        for crop_rows, crop_columns in [(5, 6), (8, 7), (rows, columns), (rows + 3, columns + 2), (2, columns + 1)]:
            pad_left = (crop_columns - columns) // 2 if crop_columns > columns else 0
            pad_top = (crop_rows - rows) // 2 if crop_rows > rows else 0
            pad_right = (crop_columns - columns + 1) // 2 if crop_columns > columns else 0
            pad_bottom = (crop_rows - rows + 1) // 2 if crop_rows > rows else 0
            padded = F.pad(image, (pad_left, pad_right, pad_top, pad_bottom))
            h, w = padded.shape[1:]
            top = int(round((h - crop_rows) / 2.0))
            left = int(round((w - crop_columns) / 2.0))
            out = padded[:, top:top + crop_rows, left:left + crop_columns]
            crops.append({"channels": channels, "rows": rows, "columns": columns, "input": image.reshape(-1).tolist(),
                          "out_rows": crop_rows, "out_columns": crop_columns, "output": out.reshape(-1).tolist()})
    OUT.write_text(json.dumps({"torch": torch.__version__, "images": images, "resize": cases, "center_crop": crops}) + "\n")
    print(f"wrote {len(cases)} resize and {len(crops)} crop cases to {OUT}")


if __name__ == "__main__":
    main()
