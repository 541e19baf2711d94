#!/usr/bin/env python3
"""Writes Tests/RadModelsTests/Fixtures/quantization.json: a random F32 matrix and gguf-py's
Q8_0 and Q4_1 quantisation of it (raw block bytes as hex, and their dequantised values), which
RadModels' quantiser and SIMD kernels are checked against.

Run: /work/venv-ref/py/bin/python tools/reference/quant_fixtures.py
"""
import json
from pathlib import Path

import numpy as np
from gguf import GGMLQuantizationType
from gguf.quants import dequantize, quantize

OUT = Path(__file__).resolve().parent.parent.parent / "Tests" / "RadModelsTests" / "Fixtures" / "quantization.json"

rng = np.random.default_rng(7)
weights = (rng.standard_normal((8, 96)) * 0.5 + 0.05).astype(np.float32)
result = {"shape": list(weights.shape), "weights": weights.ravel().tolist()}
for name, kind in (("q8_0", GGMLQuantizationType.Q8_0), ("q4_1", GGMLQuantizationType.Q4_1)):
    blocks = quantize(weights, kind)
    result[name] = {"bytes_hex": blocks.tobytes().hex(),
                    "dequantized": dequantize(blocks, kind).astype(np.float32).ravel().tolist()}
OUT.write_text(json.dumps(result))
print("wrote", OUT)
