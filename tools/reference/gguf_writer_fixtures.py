#!/usr/bin/env python3
"""Writes the reference GGUF files RadTensor's GGUF writer must reproduce byte for byte, with
gguf-py (pinned in requirements.txt) into Tests/RadModelFilesTests/Fixtures/gguf_writer/:

* inputs.json: the metadata (key, GGUF type name, value; every scalar type, a string, arrays
  of strings/floats/ints and an array of arrays) and the tensors (name, numpy-order shape,
  stored type, F32 values) both writers are given;
* reference.gguf: gguf-py's GGUFWriter output for them, tensors converted with
  `gguf.quants.quantize` (F16, Q8_0, Q4_1) — blocks include an all-zero and a constant block,
  half-way values and an F16 subnormal and overflow;
* aligned64.gguf: the same with `general.alignment` 64 (set after the architecture).

Run: /work/venv-ref/py/bin/python tools/reference/gguf_writer_fixtures.py
"""
import importlib.metadata
import json
from pathlib import Path

import gguf
import numpy as np
from gguf import GGMLQuantizationType as Q
from gguf import GGUFValueType as T

OUT = Path(__file__).resolve().parent.parent.parent / "Tests" / "RadModelFilesTests" / "Fixtures" / "gguf_writer"

METADATA = [
    ("test.uint8", "uint8", 200), ("test.int8", "int8", -100), ("test.uint16", "uint16", 60000),
    ("test.int16", "int16", -30000), ("test.uint32", "uint32", 4000000000), ("test.int32", "int32", -2000000000),
    ("test.uint64", "uint64", 2**63 + 5), ("test.int64", "int64", -(2**62)), ("test.float32", "float32", 0.1),
    ("test.float64", "float64", 1.0 / 3.0), ("test.bool", "bool", True), ("test.string", "string", "pleural effusion ✓"),
    ("test.strings", "array[string]", ["a", "", "Ġheart"]), ("test.floats", "array[float32]", [1.5, -2.25, 1e-3]),
    ("test.ints", "array[int32]", [1, -2, 3]), ("test.nested", "array[array]", [[1, 2], [3]]),
]


def tensors():
    rng = np.random.default_rng(0)
    f16 = rng.normal(size=(2, 64)).astype(np.float32)
    f16[0, :4] = [1e-6, 65519.0, 65520.0, -1e-8]
    q8 = (rng.normal(size=(4, 64)) * 3).astype(np.float32)
    q8[1, :32] = 0
    q8[2, :32] = np.arange(32, dtype=np.float32) - 12.5  # half-way points after scaling
    q41 = rng.normal(size=(4, 64)).astype(np.float32)
    q41[0, :32] = 0.75  # constant block: d = 0
    q41[3, 32:] = 0
    return [
        ("w.f32", rng.normal(size=(3, 64)).astype(np.float32), Q.F32),
        ("w.f16", f16, Q.F16), ("w.q8_0", q8, Q.Q8_0), ("w.q4_1", q41, Q.Q4_1),
        ("bias", rng.normal(size=(5,)).astype(np.float32), Q.F32),
    ]


def write(path, alignment=None):
    writer = gguf.GGUFWriter(str(path), "llama")
    if alignment:
        writer.add_custom_alignment(alignment)
    for key, kind, value in METADATA:
        if kind.startswith("array"):
            sub = {"array[string]": T.STRING, "array[float32]": T.FLOAT32, "array[int32]": T.INT32,
                   "array[array]": T.ARRAY}[kind]
            writer.add_key_value(key, value, T.ARRAY, sub_type=sub)
        else:
            writer.add_key_value(key, value, getattr(T, kind.upper()))
    for name, values, kind in tensors():
        if kind == Q.F32:
            writer.add_tensor(name, values)
        elif kind == Q.F16:
            with np.errstate(over="ignore"):  # 65520 rounds to inf in F16, on purpose
                writer.add_tensor(name, values.astype(np.float16))
        else:
            writer.add_tensor(name, gguf.quants.quantize(values, kind), raw_dtype=kind)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    write(OUT / "reference.gguf")
    write(OUT / "aligned64.gguf", alignment=64)
    inputs = {
        "gguf": importlib.metadata.version("gguf"),
        # Integers as decimal strings: JSON readers may not keep 64-bit values exact.
        "metadata": [{"key": k, "type": t, "value": str(v) if t[0] in "ui" else v} for k, t, v in METADATA],
        "tensors": [{"name": n, "shape": list(v.shape), "type": k.name, "values": v.ravel().tolist()} for n, v, k in tensors()],
    }
    (OUT / "inputs.json").write_text(json.dumps(inputs))
    reader = gguf.GGUFReader(str(OUT / "reference.gguf"))
    print([(t.name, t.tensor_type.name, list(t.shape)) for t in reader.tensors])


if __name__ == "__main__":
    main()
