#!/usr/bin/env python3
"""Writes the NumPy reader fixtures of RadImaging: small .npy files of several dtypes, byte
orders, Fortran order and format version 2, and two .npz archives (np.savez stored, and
np.savez_compressed deflated) shaped like a MedMNIST split, in
Tests/RadImagingTests/Fixtures/numpy/, with numpy.json giving each array's shape and values.

Run: /work/venv-ref/py/bin/python tools/reference/numpy_fixtures.py
"""
import json
from pathlib import Path

import numpy as np

assert np.__version__ == "2.4.6", np.__version__
OUT = Path(__file__).resolve().parent.parent.parent / "Tests" / "RadImagingTests" / "Fixtures" / "numpy"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(16)
    arrays = {
        "u1_stack.npy": rng.integers(0, 256, (3, 5, 4), dtype=np.uint8),
        "i2_little.npy": rng.integers(-30000, 30000, (4, 6)).astype("<i2"),
        "u2_big.npy": rng.integers(0, 65535, (7,)).astype(">u2"),
        "f4_big.npy": rng.standard_normal((2, 3, 3)).astype(">f4"),
        "f8_fortran.npy": np.asfortranarray(rng.standard_normal((3, 4, 2))),
        "i8_labels.npy": rng.integers(0, 2, (6, 1)).astype("<i8"),
        "f2_half.npy": rng.standard_normal((5,)).astype("<f2"),
        "rgb_image.npy": rng.integers(0, 256, (4, 3, 3), dtype=np.uint8),
        "scalar.npy": np.array(3.5),
    }
    cases = []
    for name, arr in arrays.items():
        np.save(OUT / name, arr)
        cases.append({"file": name, "shape": list(arr.shape), "dtype": arr.dtype.str,
                      "values": [float(v) for v in np.ascontiguousarray(arr).reshape(-1)]})
    # Format version 2 (4-byte header length), written explicitly.
    from numpy.lib import format as npformat
    v2 = rng.integers(0, 100, (2, 2)).astype("<i4")
    with open(OUT / "i4_version2.npy", "wb") as f:
        npformat.write_array(f, v2, version=(2, 0))
    cases.append({"file": "i4_version2.npy", "shape": [2, 2], "dtype": "<i4", "values": [float(v) for v in v2.reshape(-1)]})
    split = {"train_images": rng.integers(0, 256, (4, 6, 6), dtype=np.uint8),
             "train_labels": rng.integers(0, 2, (4, 1), dtype=np.uint8),
             "test_images": rng.integers(0, 256, (2, 6, 6), dtype=np.uint8),
             "test_labels": rng.integers(0, 2, (2, 1), dtype=np.uint8)}
    np.savez(OUT / "medmnist_like_stored.npz", **split)
    np.savez_compressed(OUT / "medmnist_like_deflated.npz", **split)
    archives = {name: {"shape": list(a.shape), "values": [float(v) for v in a.reshape(-1)]} for name, a in split.items()}
    (OUT.parent / "numpy.json").write_text(json.dumps({"numpy": np.__version__, "arrays": cases, "npz": archives}) + "\n")
    print(f"wrote {len(cases)} .npy files and 2 .npz archives to {OUT}")


if __name__ == "__main__":
    main()
