#!/usr/bin/env bash
# Training throughput, RadLM vs PyTorch, same workloads and thread count, in one run.
#   benchmarks/run_training_bench.sh [THREADS] [PYTHON]
# PYTHON is a Python with torch, transformers, peft and gguf (tools/reference/requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
python=${2:-python3}
swift build -c release --product radlm >&2
bin="$(swift build -c release --show-bin-path)/radlm"
gguf=$("$bin" fetch smollm2)
radlm_json=$("$bin" bench train --threads "$threads" --json)
torch_json=$("$python" benchmarks/training_bench.py "$threads" "$gguf")
"$python" - "$radlm_json" "$torch_json" <<'PY'
import json, sys
radlm = {r["workload"]: r for r in json.loads(sys.argv[1])["results"]}
torch = {r["workload"]: r for r in json.loads(sys.argv[2])["results"]}
print(f"| workload | threads | RadLM tokens/s | PyTorch tokens/s | RadLM/PyTorch | RadLM MFU |")
print(f"|---|---|---|---|---|---|")
for name, r in radlm.items():
    t = torch.get(name)
    ratio = r["tokens_per_second"] / t["tokens_per_second"] if t else float("nan")
    print(f"| {name} | {r['threads']} | {r['tokens_per_second']:.0f} | {t['tokens_per_second'] if t else float('nan'):.0f} | {ratio:.2f}x | {r['mfu']*100:.1f}% |")
PY
