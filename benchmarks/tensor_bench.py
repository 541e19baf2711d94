#!/usr/bin/env python3
"""Python peers of `radlm bench matmul` and `radlm bench ops`, and the comparison table.

`measure` times numpy and PyTorch on the same shapes, with the same timing discipline as
RadLM's BenchTimer (warm calibration calls size each repetition to at least --min-time seconds,
--warmups untimed repetitions, median of --repetitions timed ones), and prints JSON in the
same schema plus a "library" field.  `compare` reads the JSON files of one run of
run_tensor_bench.sh and prints the ratio tables.

Usage (normally through benchmarks/run_tensor_bench.sh):
  tensor_bench.py measure --suite matmul --threads 1 2 > py_matmul.json
  tensor_bench.py compare --radlm auto=r1.json,r2.json --radlm Haswell=h1.json,h2.json \
      --python auto=p1.json,p2.json --radlm-ops o1.json,o2.json --python-ops q1.json,q2.json
"""

import argparse
import json
import os
import statistics
import sys
import time

# Must match GEMMCase.standard and OpCase in Sources/radlm/BenchCommand.swift.
GEMM_CASES = [
    (512, 512, 512, "forward"),
    (512, 512, 512, "backward"),
    (1024, 1024, 1024, "forward"),
    (2048, 2048, 2048, "forward"),
    (512, 768, 3072, "forward"),
    (1, 576, 1536, "forward"),
]
OPS = ["softmax", "layer_norm", "gelu", "gelu_tanh"]
OP_SHAPES = [(4096, 768), (512, 3072)]
PEAK_GFLOPS_PER_CORE = 117.0  # /work/shared/DESIGN.md, fp32 FMA peak per core of this machine


def seconds_per_call(body, warmups, repetitions, min_time):
    """Median seconds per call of body(), batched so one repetition lasts >= min_time.
    Sized from the fastest of three calls after an untimed first one, as RadLM's BenchTimer."""
    body()
    once = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        body()
        once = min(once, time.perf_counter() - start)
    iterations = max(1, int(-(-min_time // max(once, 1e-9))))
    for _ in range(warmups):
        for _ in range(iterations):
            body()
    samples = []
    for _ in range(repetitions):
        start = time.perf_counter()
        for _ in range(iterations):
            body()
        samples.append((time.perf_counter() - start) / iterations)
    return statistics.median(samples)


def set_threads(count):
    import threadpoolctl
    import torch

    torch.set_num_threads(count)
    # numpy's wheel carries its own OpenBLAS (scipy-openblas); threadpoolctl reaches it.
    return threadpoolctl.threadpool_limits(limits=count, user_api="blas")


def measure_matmul(args):
    import numpy as np
    import torch

    results = []
    for threads in args.threads:
        with set_threads(threads):
            for m, k, n, kind in GEMM_CASES:
                rng = np.random.default_rng(0)
                a = rng.standard_normal((m, k), dtype=np.float32)
                b = rng.standard_normal((k, n), dtype=np.float32)
                g = rng.standard_normal((m, n), dtype=np.float32)
                ta, tb, tg = (torch.from_numpy(x.copy()) for x in (a, b, g))
                flops = 2.0 * m * n * k * (2 if kind == "backward" else 1)
                if kind == "forward":
                    bodies = {"numpy": lambda: a @ b, "torch": lambda: torch.matmul(ta, tb)}
                else:
                    # The two gradient GEMMs of C = A·B (what MmBackward runs): dA = dC·Bᵀ, dB = Aᵀ·dC.
                    bodies = {
                        "numpy": lambda: (g @ b.T, a.T @ g),
                        "torch": lambda: (torch.matmul(tg, tb.t()), torch.matmul(ta.t(), tg)),
                    }
                for library in args.libraries:
                    with torch.inference_mode():
                        seconds = seconds_per_call(bodies[library], args.warmups, args.repetitions, args.min_time)
                    results.append({
                        "library": library, "m": m, "k": k, "n": n, "pass": kind,
                        "threads": threads, "gflops": round(flops / seconds / 1e9, 2),
                    })
    return {"results": results, "numpy": np.__version__, "torch": torch.__version__,
            "numpy_blas": blas_info(), "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE")}


def measure_ops(args):
    import numpy as np
    import torch
    import torch.nn.functional as F

    results = []
    for threads in args.threads:
        with set_threads(threads):
            for op in OPS:
                for shape in OP_SHAPES:
                    rng = np.random.default_rng(0)
                    x = torch.from_numpy(rng.standard_normal(shape, dtype=np.float32))
                    w = torch.from_numpy(rng.standard_normal(shape[-1], dtype=np.float32))
                    b = torch.from_numpy(rng.standard_normal(shape[-1], dtype=np.float32))
                    body = {
                        "softmax": lambda: torch.softmax(x, dim=-1),
                        "layer_norm": lambda: F.layer_norm(x, (shape[-1],), w, b, 1e-5),
                        "gelu": lambda: F.gelu(x),
                        "gelu_tanh": lambda: F.gelu(x, approximate="tanh"),
                    }[op]
                    with torch.inference_mode():
                        seconds = seconds_per_call(body, args.warmups, args.repetitions, args.min_time)
                    elements = shape[0] * shape[1]
                    results.append({
                        "library": "torch", "op": op, "shape": list(shape), "threads": threads,
                        "ms": round(seconds * 1e3, 4), "gb_per_s": round(elements * 8 / seconds / 1e9, 2),
                        "elements_per_s": round(elements / seconds),
                    })
    return {"results": results, "torch": torch.__version__}


def blas_info():
    import threadpoolctl

    return [
        {key: info.get(key) for key in ("internal_api", "version", "architecture", "filepath")}
        for info in threadpoolctl.threadpool_info() if info.get("user_api") == "blas"
    ]


def load_best(spec, key_fields, better):
    """Reads the comma-separated JSON files in `spec`, keeping the best value per row key
    (rounds of one run are repeated to see past other processes on this shared machine)."""
    best = {}
    extra = {}
    for path in spec.split(","):
        with open(path) as handle:
            data = json.load(handle)
        extra.update({k: v for k, v in data.items() if k != "results"})
        for row in data["results"]:
            key = tuple(tuple(row[f]) if isinstance(row[f], list) else row[f] for f in key_fields)
            if key not in best or better(row, best[key]):
                best[key] = row
    return best, extra


GEMM_KEY = ("m", "k", "n", "pass", "threads")
OPS_KEY = ("op", "shape", "threads")


def faster_gemm(new, old):
    return new["gflops"] > old["gflops"]


def faster_op(new, old):
    return new["ms"] < old["ms"]


def labelled(specs):
    return dict(spec.split("=", 1) for spec in specs)


def compare(args):
    """Prints the GEMM table (RadLM per OpenBLAS setting vs numpy and PyTorch) and the ops table."""
    radlm, cores = {}, {}
    for setting, files in labelled(args.radlm).items():
        radlm[setting], extra = load_best(files, GEMM_KEY, faster_gemm)
        cores[setting] = extra.get("blas_core", "?")
    python = {}
    for setting, files in labelled(args.python).items():
        rows, _ = load_best(files, ("library",) + GEMM_KEY, faster_gemm)
        python[setting] = rows
    settings = list(radlm)
    ours_setting = settings[0]  # what RadLM does by default; the others are for comparison
    baseline = list(python)[0]  # numpy as installed: its own kernel choice
    print("GEMM, GFLOP/s, best median over the rounds (higher is better). RadLM columns: "
          + ", ".join(f"[{s}] runs Debian OpenBLAS kernel {cores[s]}" for s in settings)
          + f". numpy columns: OPENBLAS_CORETYPE {' / '.join(python)}. Ratios use RadLM[{ours_setting}]"
          + f" and numpy[{baseline}].")
    header = (["m", "k", "n", "pass", "thr"] + [f"RadLM[{s}]" for s in settings]
              + [f"numpy[{s}]" for s in python]
              + ["torch", "RadLM/numpy", "RadLM/torch", "MFU", "within 5%"])
    table = []
    wins = {s: 0 for s in settings}
    all_within = True
    for key in radlm[ours_setting]:
        values = {s: radlm[s][key]["gflops"] for s in settings if key in radlm[s]}
        wins[max(values, key=values.get)] += 1
        ours = values[ours_setting]
        numpy_values = {s: python[s].get(("numpy",) + key, {}).get("gflops") for s in python}
        torch_value = python[baseline].get(("torch",) + key, {}).get("gflops")
        np_value = numpy_values[baseline]
        within = np_value is not None and ours >= 0.95 * np_value
        all_within &= within
        threads = key[4]
        table.append([str(v) for v in key]
                     + [f"{values[s]:.1f}" if s in values else "-" for s in settings]
                     + [f"{numpy_values[s]:.1f}" if numpy_values[s] else "-" for s in python]
                     + [f"{torch_value:.1f}" if torch_value else "-",
                        f"{ours / np_value:.2f}" if np_value else "-",
                        f"{ours / torch_value:.2f}" if torch_value else "-",
                        f"{100 * ours / (PEAK_GFLOPS_PER_CORE * threads):.0f}%",
                        "yes" if within else "NO"])
    print_table(header, table)
    print("faster RadLM kernel per row: " + ", ".join(f"{cores[s]} in {wins[s]}" for s in settings))
    print(f"MFU = RadLM[{ours_setting}] / ({PEAK_GFLOPS_PER_CORE:.0f} GFLOP/s x threads)")
    print(f"RadLM within 5% of numpy[{baseline}] at every row: " + ("yes" if all_within else "NO"))
    if args.radlm_ops and args.python_ops:
        ours, _ = load_best(args.radlm_ops, OPS_KEY, faster_op)
        theirs, _ = load_best(args.python_ops, OPS_KEY, faster_op)
        print()
        print("Softmax, layer norm, GELU: forward, ms per call, best of rounds (lower is better)")
        table = []
        all_faster = True
        for key, mine in ours.items():
            peer = theirs.get(key)
            if peer is None:
                continue
            ratio = peer["ms"] / mine["ms"]
            all_faster &= ratio >= 1
            table.append([key[0], "x".join(map(str, key[1])), str(key[2]), f"{mine['ms']:.3f}",
                          f"{peer['ms']:.3f}", f"{mine['gb_per_s']:.1f}", f"{peer['gb_per_s']:.1f}",
                          f"{ratio:.2f}"])
        print_table(["op", "shape", "thr", "RadLM ms", "torch ms", "RadLM GB/s", "torch GB/s",
                     "torch ms / RadLM ms"], table)
        print("RadLM at least as fast as PyTorch at every row: " + ("yes" if all_faster else "NO"))


def print_table(header, rows):
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows)]
    for row in [header] + rows:
        print("  ".join(str(cell).rjust(width) for cell, width in zip(row, widths)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    measure = commands.add_parser("measure", help="time numpy and PyTorch, print JSON")
    measure.add_argument("--suite", choices=["matmul", "ops"], required=True)
    measure.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    measure.add_argument("--libraries", nargs="+", default=["numpy", "torch"], choices=["numpy", "torch"])
    measure.add_argument("--repetitions", type=int, default=7)
    measure.add_argument("--warmups", type=int, default=2)
    measure.add_argument("--min-time", type=float, default=0.1)
    table = commands.add_parser("compare", help="print ratio tables from JSON files")
    table.add_argument("--radlm", action="append", required=True,
                       help="SETTING=a.json,b.json: `radlm bench matmul --json` outputs (repeatable)")
    table.add_argument("--python", action="append", required=True,
                       help="SETTING=a.json,...: `measure --suite matmul` outputs; the first is the baseline")
    table.add_argument("--radlm-ops", help="a.json,...: `radlm bench ops --json` outputs")
    table.add_argument("--python-ops", help="a.json,...: `measure --suite ops` outputs")
    args = parser.parse_args()
    if args.command == "measure":
        output = measure_matmul(args) if args.suite == "matmul" else measure_ops(args)
        json.dump(output, sys.stdout)
        print()
    else:
        compare(args)


if __name__ == "__main__":
    main()
