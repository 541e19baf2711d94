#!/usr/bin/env python3
"""Writes Tests/RadModelsTests/Fixtures/quantization.json: a random F32 matrix and gguf-py's
Q8_0 and Q4_1 quantisation of it (raw block bytes as hex, and their dequantised values), which
RadModels' quantiser and SIMD kernels are checked against; and activation rows quantised with
gguf-py's Q8_0 (bit-exact with llama.cpp's quantize_row_q8_0_ref), which the integer kernels'
activation quantiser must reproduce: its int8 values, and its scale before F16 rounding.

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
# Activations: random rows, an all-zero block, and a block of exact rounding ties (max 127 → d = 1).
acts = (rng.standard_normal((3, 128)) * 2.0).astype(np.float32)
acts[1, 32:64] = 0
acts[2, 64:96] = np.array([127] + [k + 0.5 for k in range(-15, 15)] + [-0.5], dtype=np.float32)
blocks = quantize(acts, GGMLQuantizationType.Q8_0).reshape(-1, 34)
scale_f32 = (np.abs(acts.reshape(-1, 32)).max(axis=1) / 127).astype(np.float32)
result["activations"] = {"shape": list(acts.shape), "x": acts.ravel().tolist(),
                         "q": blocks[:, 2:].view(np.int8).ravel().tolist(),
                         "scale_f16": blocks[:, :2].copy().view(np.float16).astype(np.float32).ravel().tolist(),
                         "scale_f32": scale_f32.tolist()}
OUT.write_text(json.dumps(result))
print("wrote", OUT)
