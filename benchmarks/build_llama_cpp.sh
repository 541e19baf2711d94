#!/usr/bin/env bash
# Builds llama.cpp (the copy vendored in the llama-cpp-python 0.3.36 sdist from PyPI) as the
# benchmark peer for benchmarks/models_bench.py: Release, CPU only, -march=native, outside the
# repository. Nothing of llama.cpp is committed. Idempotent: an existing build is reused.
#
#   benchmarks/build_llama_cpp.sh            # → $RADLM_HOME/llama.cpp/build/bin/{llama-bench,llama-quantize}
#   benchmarks/build_llama_cpp.sh --server   # … and llama-server (benchmarks/server_load.py's peer)
#
# Needs: /work/venv-ref/py (pip; cmake, scikit-build-core and sentencepiece from PyPI are installed
# if missing), a C/C++ compiler.
set -euo pipefail
VERSION=0.3.36
PY=${RADLM_PY:-/work/venv-ref/py/bin/python}
HOME_DIR=${RADLM_HOME:-$HOME/.cache/radlm}
DIR=$HOME_DIR/llama.cpp
SDIST=$DIR/llama_cpp_python-$VERSION.tar.gz
SRC=$DIR/llama_cpp_python-$VERSION/vendor/llama.cpp
BUILD=$DIR/build
JOBS=${JOBS:-2}
SERVER=OFF
TARGETS=(llama-bench llama-quantize)
if [ "${1:-}" = "--server" ]; then
  SERVER=ON
  TARGETS+=(llama-server)
fi
mkdir -p "$DIR"
# cmake builds llama.cpp; scikit-build-core lets pip read the sdist's metadata; sentencepiece is
# imported by convert_hf_to_gguf.py (it falls back to tokenizer.json only when that import works).
for pin in cmake==4.4.5 scikit-build-core==1.1.2 sentencepiece==0.2.3; do
  "$PY" -m pip show "${pin%%==*}" >/dev/null 2>&1 || "$PY" -m pip install "$pin"
done
CMAKE=$(dirname "$PY")/cmake
if [ ! -f "$SDIST" ]; then
  # --no-build-isolation: pip only reads the sdist's metadata, with the scikit-build-core above,
  # instead of compiling cmake from source for an isolated build environment.
  "$PY" -m pip download --no-deps --no-binary :all: --no-build-isolation -d "$DIR" "llama-cpp-python==$VERSION"
fi
[ -d "$SRC" ] || tar -xzf "$SDIST" -C "$DIR"
missing=0
for target in "${TARGETS[@]}"; do [ -x "$BUILD/bin/$target" ] || missing=1; done
if [ "$missing" = 1 ]; then
  "$CMAKE" -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DGGML_CUDA=OFF -DGGML_METAL=OFF \
    -DGGML_VULKAN=OFF -DGGML_OPENMP=ON -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_SERVER=$SERVER -DBUILD_SHARED_LIBS=OFF
  "$CMAKE" --build "$BUILD" --config Release -j "$JOBS" --target "${TARGETS[@]}"
fi
echo "llama.cpp $VERSION: $BUILD/bin/llama-bench, $BUILD/bin/llama-quantize$([ $SERVER = ON ] && echo ", $BUILD/bin/llama-server"); convert script: $SRC/convert_hf_to_gguf.py"
