#!/usr/bin/env python3
"""Writes Tests/RadImagingTests/Fixtures/dicom_pydicom.json: what pydicom 3.0.2 makes of every
file in pydicom's own test files (`radlm fetch pydicom`) and in pydicom-data 1.0.0 (`radlm fetch
pydicom-data`), the reference RadImaging's DICOM reader is checked against.

For each file:
* "decoded": pydicom decodes the pixel data without an extra plugin (native, deflated, or RLE
  Lossless with pydicom's own RLE decoder). Recorded after `apply_modality_lut`: shape, whether
  the array is integer, CRC-32 (zlib) of its values as little-endian int64 (integer arrays) or
  float64 (float arrays), min/max/mean and 16 values at evenly spaced flat indices.
* "unsupported": the pixel data is compressed with a codec pydicom needs a plugin for; the
  transfer syntax UID is recorded (RadLM must fail naming it).
* "error": pydicom reads pixel-bearing data but fails (truncated data, bad values); RadLM must
  fail with a typed error too.
* files without pixel data or that are not DICOM Part 10 are left out.

Windowed values ("windows"): for a few files, `apply_voi_lut(apply_modality_lut(arr))` with the
file's own window (or one chosen here) under each VOI LUT function, and the VOI LUT sequence of
vlut_04.dcm: shape, min/max/mean and up to 512 values at evenly spaced flat indices.

Run: /work/venv-ref/py/bin/python tools/reference/dicom_fixtures.py [CACHE]
CACHE defaults to $RADLM_HOME or ~/.cache/radlm; pydicom must be importable (pip install
pydicom==3.0.2, pinned in requirements.txt).
"""
import json
import os
import sys
import warnings
import zlib
from pathlib import Path

import numpy as np
import pydicom
from pydicom.pixels import apply_modality_lut, apply_voi_lut, pixel_array
from pydicom.uid import RLELossless

assert pydicom.__version__ == "3.0.2", pydicom.__version__
warnings.simplefilter("ignore")

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "Tests" / "RadImagingTests" / "Fixtures" / "dicom_pydicom.json"
CACHE = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("RADLM_HOME", Path.home() / ".cache" / "radlm"))
FOLDERS = {
    "pydicom": CACHE / "pydicom" / "pydicom" / "data" / "test_files",
    "pydicom-data": CACHE / "pydicom-data" / "data_store" / "data",
}


def checksum(arr):
    if np.issubdtype(arr.dtype, np.integer):
        data = arr.astype("<i8").tobytes()
    else:
        data = arr.astype("<f8").tobytes()
    return zlib.crc32(data)


def samples(arr, count):
    flat = arr.reshape(-1)
    if flat.size <= count:
        idx = np.arange(flat.size)
    else:
        idx = (np.arange(count) * flat.size) // count
    return [int(i) for i in idx], [float(v) for v in flat[idx]]


def stats(arr):
    return {
        "min": float(arr.min()),
        "max": float(arr.max()),
        "mean": float(arr.astype(np.float64).mean()),
    }


def shape4(arr, ds):
    """(frames, rows, columns, samples) of pydicom's array."""
    spp = int(ds.get("SamplesPerPixel", 1))
    a = arr.reshape(-1, int(ds.Rows), int(ds.Columns), spp)
    return list(a.shape)


def has_pixels(ds):
    return any(k in ds for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData"))


def describe(path):
    with open(path, "rb") as f:
        head = f.read(132)
    if len(head) < 132 or head[128:132] != b"DICM":
        return None
    try:
        ds = pydicom.dcmread(path)
    except Exception as e:  # noqa: BLE001 - any read failure is an expected error
        return {"status": "error", "error": f"{type(e).__name__}: {e}"[:200]}
    if not has_pixels(ds):
        return None
    ts = getattr(ds.file_meta, "TransferSyntaxUID", None)
    if ts is not None and ts.is_encapsulated and ts != RLELossless:
        return {"status": "unsupported", "transfer_syntax": str(ts)}
    try:
        arr = pixel_array(ds, decoding_plugin="pydicom") if ts == RLELossless else ds.pixel_array
        out = apply_modality_lut(arr, ds)
    except Exception as e:  # noqa: BLE001
        return {"status": "error", "error": f"{type(e).__name__}: {e}"[:200]}
    idx, vals = samples(out, 16)
    return {
        "status": "decoded",
        "transfer_syntax": str(ts),
        "shape": shape4(out, ds),
        "integer": bool(np.issubdtype(out.dtype, np.integer)),
        "crc32": checksum(out),
        **stats(out),
        "sample_indices": idx,
        "sample_values": vals,
    }


# (folder, file, window or None = the file's own, functions)
WINDOW_CASES = [
    ("pydicom", "CT_small.dcm", (40.0, 400.0)),
    ("pydicom", "MR_small.dcm", None),
    ("pydicom-data", "RG1_UNCI.dcm", None),
    ("pydicom-data", "mlut_18.dcm", (1024.0, 2048.0)),
    ("pydicom-data", "emri_small.dcm", (300.5, 601.0)),
    ("pydicom", "dicomdirtests/77654033/CR1/6154", (2000.0, 1.5)),
]


def windows():
    out = []
    for folder, name, window in WINDOW_CASES:
        for function in ("LINEAR", "LINEAR_EXACT", "SIGMOID"):
            ds = pydicom.dcmread(FOLDERS[folder] / name)
            if window is not None:
                ds.WindowCenter, ds.WindowWidth = window
            ds.VOILUTFunction = function
            arr = apply_voi_lut(apply_modality_lut(ds.pixel_array, ds), ds)
            idx, vals = samples(arr, 512)
            out.append({
                "key": f"{folder}/{name}", "function": function, "kind": "window",
                "center": float(ds.WindowCenter if ds["WindowCenter"].VM == 1 else ds.WindowCenter[0]),
                "width": float(ds.WindowWidth if ds["WindowWidth"].VM == 1 else ds.WindowWidth[0]),
                **stats(arr), "sample_indices": idx, "sample_values": vals,
            })
    ds = pydicom.dcmread(FOLDERS["pydicom-data"] / "vlut_04.dcm")
    arr = apply_voi_lut(apply_modality_lut(ds.pixel_array, ds), ds)
    idx, vals = samples(arr, 512)
    out.append({"key": "pydicom-data/vlut_04.dcm", "function": "", "kind": "voi_lut", "center": 0.0, "width": 0.0,
                **stats(arr), "sample_indices": idx, "sample_values": vals})
    return out


def main():
    files = {}
    for folder, base in FOLDERS.items():
        if not base.is_dir():
            sys.exit(f"{base} is missing: run `radlm fetch {folder}` first")
        for path in sorted(base.rglob("*")):
            if path.is_file():
                entry = describe(path)
                if entry is not None:
                    files[f"{folder}/{path.relative_to(base).as_posix()}"] = entry
    counts = {}
    for entry in files.values():
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    OUT.write_text(json.dumps({"pydicom": pydicom.__version__, "pydicom_data": "1.0.0", "files": files,
                               "windows": windows()}, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {counts}")


if __name__ == "__main__":
    main()
