#!/usr/bin/env bash
# Packaging test: `cmake --install` a built tree into a temporary prefix, check the installed
# headers and package files, then configure, build and run tests/packaging/consumer (an
# out-of-tree project using find_package(rill)) against that prefix.
#
#   tests/packaging/run.sh <build-dir> <source-dir>
#
# The consumer links rill::streams and rill::broker. The build dir must be fully built
# (ctest runs after `cmake --build`). Temp dirs are removed on exit, also on failure.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <build-dir> <source-dir>" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
cache="$build_dir/CMakeCache.txt"
[[ -f $cache ]] || { echo "FAIL: $build_dir is not a configured CMake build dir" >&2; exit 1; }

# A value from the build's CMake cache ("" when unset).
cache_get() { sed -n "s/^$1:[A-Z]*=//p" "$cache" | head -n1; }

cmake_bin=$(cache_get CMAKE_COMMAND)
cmake_bin=${cmake_bin:-cmake}

work=$(mktemp -d "${TMPDIR:-/tmp}/rill-packaging.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
consumer_build="$work/consumer-build"

fail() { echo "FAIL: $*" >&2; exit 1; }

# Runs a command with its output in a log shown only if it fails.
run_logged() {
  local log="$work/$1.log"
  shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "$* (exit status above)"
  fi
}

echo "== cmake --install $build_dir --prefix $prefix"
run_logged install "$cmake_bin" --install "$build_dir" --prefix "$prefix"

echo "== checking the installed tree"
include_dir="$prefix/include/rill"
package_dir="$prefix/lib/cmake/rill"
for f in "$package_dir/rillConfig.cmake" "$package_dir/rillTargets.cmake" \
         "$include_dir/broker/embedded_cluster.h"; do
  [[ -f $f ]] || fail "not installed: ${f#"$prefix"/}"
done
ls "$prefix"/lib/librill_*.a >/dev/null 2>&1 || fail "no librill_*.a installed"

# Every project include in an installed header must resolve inside the install: catches a
# public header that includes an internal/ one, a missing area, a missing generated header.
missing=0
while IFS= read -r header; do
  while IFS= read -r inc; do
    if [[ ! -f $include_dir/$inc ]]; then
      echo "  ${header#"$include_dir"/} includes \"$inc\", not installed" >&2
      missing=1
    fi
  done < <(sed -n -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]+"((broker|state|streams)\/[^"]+|[^"/]+\.pb\.h)".*/\1/p' "$header")
done < <(find "$include_dir" -name '*.h')
[[ $missing -eq 0 ]] || fail "installed headers include files that are not installed"

# The package must not point back into the build or source tree.
if grep -rlF -e "$build_dir" -e "$source_dir" "$package_dir" >&2; then
  fail "installed CMake files above refer to $build_dir or $source_dir"
fi

echo "== configuring and building the consumer project"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # The temp dir differs every run; keep it out of ccache's hash so reruns hit the cache.
  export CCACHE_BASEDIR="$work" CCACHE_NOHASHDIR=1
fi
# Same compiler, build type and flags as the build (an ASan build needs ASan consumers).
run_logged configure "$cmake_bin" -S "$source_dir/tests/packaging/consumer" -B "$consumer_build" \
  "${generator[@]}" "${launcher[@]}" \
  -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON \
  -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  -DCMAKE_CXX_COMPILER="$(cache_get CMAKE_CXX_COMPILER)" \
  -DCMAKE_BUILD_TYPE="$(cache_get CMAKE_BUILD_TYPE)" \
  -DCMAKE_CXX_FLAGS="$(cache_get CMAKE_CXX_FLAGS)" \
  -DCMAKE_EXE_LINKER_FLAGS="$(cache_get CMAKE_EXE_LINKER_FLAGS)"

rill_dir=$(sed -n 's/^rill_DIR:[A-Z]*=//p' "$consumer_build/CMakeCache.txt")
[[ $rill_dir == "$package_dir" ]] || fail "find_package(rill) used '$rill_dir', not $package_dir"

run_logged build "$cmake_bin" --build "$consumer_build" --parallel 2

# Usage requirements: C++20 comes with the rill:: targets; Rill's own warning flags do not.
commands="$consumer_build/compile_commands.json"
grep -qE -- '-std=(c|gnu)\+\+(20|2a)' "$commands" || fail "consumer not compiled as C++20"
if grep -qE -- '-Werror|-Wextra' "$commands"; then
  fail "Rill's warning flags leaked into the consumer: $(grep -m1 '"command"' "$commands")"
fi

echo "== running the consumer"
output=$(timeout 60 "$consumer_build/rill_consumer") || fail "rill_consumer exited with $?"
echo "$output"
grep -qE '^bootstrap\.servers=127\.0\.0\.1:[0-9]+$' <<<"$output" ||
  fail "consumer printed no bootstrap.servers (rill::broker)"
grep -qx 'serde.long=42 bytes=8' <<<"$output" || fail "consumer printed no serde round trip (rill::streams)"
echo "PASS"
