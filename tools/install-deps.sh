#!/usr/bin/env bash
# Installs every Debian package Rill builds, tests and benchmarks with (DESIGN.md §2),
# plus kafkajs from npm for the conformance tests. Idempotent: when everything is present
# it does nothing and says so.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  librocksdb-dev librdkafka-dev libabsl-dev libprotobuf-dev protobuf-compiler
  libfmt-dev libspdlog-dev prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  libasio-dev libcpp-httplib-dev nlohmann-json3-dev libjemalloc-dev
  libzstd-dev liblz4-dev libsnappy-dev zlib1g-dev
  kcat python3-confluent-kafka python3-kafka python3-lz4 python3-zstandard python3-snappy
  nodejs npm
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  # nodejs/npm may come from outside Debian on some machines; accept any working node+npm.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    filtered=()
    for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
    missing=("${filtered[@]+"${filtered[@]}"}")
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      SUDO="sudo"
    else
      echo "install-deps: not root and no passwordless sudo; run as root:" >&2
      echo "  apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

# kafkajs for the conformance tests, pinned by tests/conformance/js/package-lock.json.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
js="$here/tests/conformance/js"
if [ -f "$js/package.json" ] && [ ! -d "$js/node_modules/kafkajs" ]; then
  echo "install-deps: installing kafkajs (npm ci)"
  (cd "$js" && { [ -f package-lock.json ] && npm ci --no-audit --no-fund --silent || npm install --no-audit --no-fund --silent; })
fi
