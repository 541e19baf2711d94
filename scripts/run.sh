#!/usr/bin/env bash
# The main job: findings -> impression on the Indiana University chest X-ray reports (fetched, read
# in place, never committed): baselines, zero-shot, few-shot, retrieval few-shot and LoRA-tuned
# SmolLM2 on the test split, scored (ROUGE-L, BLEU, BERTScore, CheXpert-label F1, hallucination-flag
# rate, tokens/s), one table printed; results.json, predictions/, adapter/ and report.html written.
# Pass --quick for the first 100 test reports and short training, --out DIR for the output folder.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
radlm_require_system
radlm_build_and_fetch smollm2 minilm iu-reports
exec "$RADLM_BIN" pipeline "$@"
