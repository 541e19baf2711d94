#!/usr/bin/env python3
"""DICOM decode throughput: pydicom 3.0.2 against `radlm bench dicom`, side by side on the same
files held in memory. Each side parses the file, decodes the pixel data (native, deflated or RLE
Lossless; pydicom's own RLE decoder) and applies the Modality LUT / rescale
(`pydicom.pixels.apply_modality_lut`); throughput is decoded pixel data in MB/s (samples x Bits
Allocated / 8), the median of repetitions of at least --min-time seconds. Both run on one thread.

Run (after `swift build -c release --product radlm` and `radlm fetch pydicom pydicom-data`):
  /work/venv-ref/py/bin/python benchmarks/dicom_bench.py [--radlm .build/release/radlm] [--json]
"""
import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pydicom
from pydicom.pixels import apply_modality_lut, pixel_array
from pydicom.uid import RLELossless

warnings.simplefilter("ignore")
CACHE = Path(os.environ.get("RADLM_HOME", Path.home() / ".cache" / "radlm"))
PYDICOM = CACHE / "pydicom" / "pydicom" / "data" / "test_files"
DATA = CACHE / "pydicom-data" / "data_store" / "data"
FILES = [
    PYDICOM / "CT_small.dcm",  # 128x128 int16 CT, rescale
    DATA / "MR2_UNCR.dcm",  # 1024x1024 uint16 MR, 12 bits stored
    DATA / "RG1_UNCR.dcm",  # 1955x1841 uint16 CR, MONOCHROME1
    DATA / "693_UNCR.dcm",  # 512x512 int16 CT, 14 bits stored, rescale
    DATA / "US1_UNCR.dcm",  # 480x640 RGB
    DATA / "emri_small_RLE.dcm",  # 10 frames 64x64, RLE Lossless
    DATA / "OBXXXX1A_rle.dcm",  # 600x800 palette, RLE Lossless
    DATA / "eCT_Supplemental.dcm",  # 2 frames 512x512 CT
    PYDICOM / "image_dfl.dcm",  # 512x512, deflated explicit VR
    PYDICOM / "rtdose.dcm",  # 15 frames 10x10 uint32
]


def decode(data):
    ds = pydicom.dcmread(io.BytesIO(data))
    ts = ds.file_meta.TransferSyntaxUID
    arr = pixel_array(ds, decoding_plugin="pydicom") if ts == RLELossless else ds.pixel_array
    return apply_modality_lut(arr, ds), int(ds.BitsAllocated)


def time_pydicom(data, repetitions, min_time):
    out, bits = decode(data)
    once = min(timed(lambda: decode(data)) for _ in range(3))
    iterations = max(1, int(min_time / max(once, 1e-9)) + 1)
    samples = []
    for _ in range(repetitions):
        start = time.perf_counter()
        for _ in range(iterations):
            decode(data)
        samples.append((time.perf_counter() - start) / iterations)
    return statistics.median(samples), out.size * bits / 8


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--radlm", default=".build/release/radlm")
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--min-time", type=float, default=0.2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    missing = [str(f) for f in FILES if not f.exists()]
    if missing:
        sys.exit(f"missing {missing}: run `radlm fetch pydicom pydicom-data` first")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    result = subprocess.run(
        [args.radlm, "bench", "dicom", "--json", "--repetitions", str(args.repetitions), "--min-time",
         str(args.min_time), *map(str, FILES)], check=True, capture_output=True, text=True)
    radlm = {row["file"]: row for row in json.loads(result.stdout)["files"]}
    rows = []
    for path in FILES:
        seconds, pixel_bytes = time_pydicom(path.read_bytes(), args.repetitions, args.min_time)
        ours = radlm[path.name]
        assert int(ours["pixel_bytes"]) == int(pixel_bytes), (path.name, ours["pixel_bytes"], pixel_bytes)
        rows.append({"file": path.name, "pixel_bytes": int(pixel_bytes), "pydicom_mb_s": pixel_bytes / seconds / 1e6,
                     "radlm_mb_s": ours["mb_per_s"], "ratio": ours["mb_per_s"] / (pixel_bytes / seconds / 1e6)})
    total_py = sum(r["pixel_bytes"] / (r["pydicom_mb_s"] * 1e6) for r in rows)
    total_rl = sum(r["pixel_bytes"] / (r["radlm_mb_s"] * 1e6) for r in rows)
    summary = {"pydicom": pydicom.__version__, "files": rows, "all_files_ratio": total_py / total_rl}
    if args.json:
        print(json.dumps(summary))
        return
    print(f"{'file':26} {'pixel MB':>9} {'pydicom MB/s':>13} {'radlm MB/s':>11} {'ratio':>6}")
    for r in rows:
        print(f"{r['file']:26} {r['pixel_bytes'] / 1e6:9.3f} {r['pydicom_mb_s']:13.1f} {r['radlm_mb_s']:11.1f} "
              f"{r['ratio']:6.2f}")
    print(f"all files (total time): radlm/pydicom = {summary['all_files_ratio']:.2f}x")


if __name__ == "__main__":
    main()
