#!/usr/bin/env bash
# The main job. Today: fetch the real models, check they load, and train a small GPT on the
# bundled project-written radiology text, printing the loss as it falls. It grows into the
# end-to-end pipeline (prompt, fine-tune, retrieve, evaluate) as those parts land.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
radlm_require_system
radlm_build_and_fetch smollm2 minilm
exec "$RADLM_BIN" pipeline "$@"
