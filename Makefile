# Thin wrapper over CMake presets. `make demo` and `make test` work on a fresh machine:
# they install dependencies (tools/install-deps.sh), configure, build, then run.
.PHONY: deps configure build test demo bench fuzz clean

JOBS ?= $(shell nproc)
BUILD_DIR := build

deps:
	@bash tools/install-deps.sh

configure: deps
	@test -f $(BUILD_DIR)/build.ninja || cmake --preset dev

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

# The word count on an embedded broker with its HTTP query server: generates input, waits
# for the counts, prints HTTP queries and their answers, and exits.
demo: build
	@dir=$$(mktemp -d /tmp/rill-demo-XXXXXX) && \
	  $(BUILD_DIR)/bin/wordcount --demo-lines 2000 --state-dir $$dir --http 127.0.0.1:0; \
	  rc=$$?; rm -rf $$dir; exit $$rc

bench: build
	@bash bench/run_perf.sh

fuzz:
	@cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang -DRILL_FUZZ=ON -DRILL_WERROR=OFF \
	  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"
	@cmake --build build-fuzz --target rill_request_fuzzer -j $(JOBS)
	@mkdir -p build-fuzz/corpus
	@build-fuzz/bin/rill_request_fuzzer -max_total_time=$${FUZZ_SECONDS:-60} build-fuzz/corpus tests/fuzz/corpus

clean:
	@rm -rf $(BUILD_DIR)
