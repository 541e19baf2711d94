#!/usr/bin/env bash
# Tensor-engine benchmark: RadLM (Debian's OpenBLAS) against numpy (its wheel's own OpenBLAS) and
# PyTorch on the same shapes at 1 and 2 threads, in one run, printing ratio tables.
#
#   benchmarks/run_tensor_bench.sh            # build radlm (release) and run everything
#
# Environment: PYTHON (default /work/venv-ref/py/bin/python; needs numpy, torch, threadpoolctl),
# SCRATCH (SwiftPM scratch path, default .build-bench), RADLM (an already built radlm binary:
# skips the build), ROUNDS (default 3), REPETITIONS (per case, default 7), REALTIME (1: run every
# measured process under SCHED_FIFO with chrt when allowed, the default; 0: plain), KEEP (a
# directory to keep the JSON files in).
#
# Kernels: RadLM's default switches Debian OpenBLAS from the AVX-512 kernel it detects to its
# Haswell kernel (BLAS.kernelChoice); it is also run with OPENBLAS_CORETYPE set to the detected
# kernel, which keeps OpenBLAS's own choice. numpy runs with its own choice (the baseline) and with
# OPENBLAS_CORETYPE=Haswell. The variable is read when the library loads, so it is set per process.
#
# Noise: other processes share this 2-core machine, so each measured process runs under the
# real-time scheduler (chrt -f, as root; the kernel's RT throttling still leaves 5% to others),
# rounds alternate the libraries, and each row keeps the best median over the rounds.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-/work/venv-ref/py/bin/python}
SCRATCH=${SCRATCH:-.build-bench}
ROUNDS=${ROUNDS:-3}
REPETITIONS=${REPETITIONS:-7}
REALTIME=${REALTIME:-1}
BENCH_PY=benchmarks/tensor_bench.py

if [[ -z "${RADLM:-}" ]]; then
  swift build -c release --scratch-path "$SCRATCH" --product radlm >&2
  RADLM="$SCRATCH/release/radlm"
fi
OUT=${KEEP:-$(mktemp -d)}
mkdir -p "$OUT"

PRIORITY=()
if [[ "$REALTIME" == 1 ]] && chrt -f 10 true 2>/dev/null; then PRIORITY=(chrt -f 10); fi
scheduling=${PRIORITY[*]:-"normal scheduling"}
# run [VAR=value] command...: one measured process, OPENBLAS_CORETYPE unset unless given.
run() { env -u OPENBLAS_CORETYPE "$@"; }

detected=""
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  common=(--repetitions "$REPETITIONS" --threads 1 --threads 2)
  run "${PRIORITY[@]}" "$RADLM" bench matmul --json "${common[@]}" >"$OUT/radlm_default_$round.json"
  if [[ -z "$detected" ]]; then
    detected=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["blas_core_detected"])' \
      "$OUT/radlm_default_$round.json")
  fi
  run OPENBLAS_CORETYPE="$detected" "${PRIORITY[@]}" "$RADLM" bench matmul --json "${common[@]}" \
    >"$OUT/radlm_detected_$round.json"
  run "${PRIORITY[@]}" "$PYTHON" "$BENCH_PY" measure --suite matmul --repetitions "$REPETITIONS" \
    >"$OUT/py_auto_$round.json"
  run OPENBLAS_CORETYPE=Haswell "${PRIORITY[@]}" "$PYTHON" "$BENCH_PY" measure --suite matmul \
    --libraries numpy --repetitions "$REPETITIONS" >"$OUT/py_haswell_$round.json"
  run "${PRIORITY[@]}" "$RADLM" bench ops --json "${common[@]}" >"$OUT/radlm_ops_$round.json"
  run "${PRIORITY[@]}" "$PYTHON" "$BENCH_PY" measure --suite ops --repetitions "$REPETITIONS" \
    >"$OUT/py_ops_$round.json"
done

files() { seq 1 "$ROUNDS" | sed "s|.*|$OUT/$1_&.json|" | paste -sd, -; }
echo "radlm at $(git rev-parse --short HEAD 2>/dev/null || echo '?') (+ working tree), $(nproc) cores," \
  "$(date -u +%FT%TZ), $ROUNDS rounds x $REPETITIONS repetitions, $scheduling"
"$PYTHON" "$BENCH_PY" compare \
  --radlm default="$(files radlm_default)" --radlm "$detected"="$(files radlm_detected)" \
  --python auto="$(files py_auto)" --python Haswell="$(files py_haswell)" \
  --radlm-ops "$(files radlm_ops)" --python-ops "$(files py_ops)"
echo "JSON files: $OUT" >&2
