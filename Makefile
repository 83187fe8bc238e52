# TradingSystem: the two commands of the README, and their parts.
#   make run    install what is missing, build, start the embedded PostgreSQL,
#               migrate, and serve on http://127.0.0.1:8080 (Ctrl-C stops it all)
#   make test   install, build, run every test; then again built with
#               AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench  run the benchmarks under bench/
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
SAN_BUILD ?= build-san
CTEST_FLAGS ?= --output-on-failure -j$(JOBS)

.PHONY: all deps deps-test web build build-san run test test-fast test-san bench fuzz clean format

all: build

deps:
	@bash scripts/deps.sh

deps-test:
	@bash scripts/deps.sh --test

# The dashboard (web/src -> web/dist, esbuild from npm), served by `serve` at /: the CMake
# target `web`, part of every build (`build` and `build-san` make it too).
web: deps $(BUILD)/Makefile
	@cmake --build $(BUILD) --target web

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

$(SAN_BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTS_SANITIZE=ON >/dev/null

build: deps $(BUILD)/Makefile
	@cmake --build $(BUILD) -j$(JOBS)

build-san: deps $(SAN_BUILD)/Makefile
	@cmake --build $(SAN_BUILD) -j$(JOBS)

run: build
	./$(BUILD)/tradingsystem serve --feed sim

test: test-fast test-san

test-fast: deps-test build
	cd $(BUILD) && ctest $(CTEST_FLAGS)

test-san: deps-test build-san
	cd $(SAN_BUILD) && \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	ctest $(CTEST_FLAGS)

# libFuzzer over every parser's fuzz target (fuzz/fuzz_*.c; clang), FUZZ_SECONDS each (default
# 60), from its seeds (fuzz/seeds/NAME, kept) into a corpus under $(FUZZ_BUILD)/corpus; a crash
# stops it and leaves the input in $(FUZZ_BUILD) (crash-*). `make test` replays the seeds only.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZERS = $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
fuzz: deps-test
	@command -v clang >/dev/null || { echo "make fuzz needs clang (apt-get install clang)"; exit 2; }
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTS_LIBFUZZER=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target $(FUZZERS)
	@for f in $(FUZZERS); do \
	    seeds=fuzz/seeds/$${f#fuzz_}; corpus=$(FUZZ_BUILD)/corpus/$${f#fuzz_}; mkdir -p $$corpus; \
	    echo "== $$f: $(FUZZ_SECONDS) s"; \
	    (cd $(FUZZ_BUILD) && ./$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        $(CURDIR)/$$corpus $(CURDIR)/$$seeds >$$f.log 2>&1); rc=$$?; \
	    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::new_units_added|==[0-9]+==ERROR|SUMMARY|fuzz_)' $(FUZZ_BUILD)/$$f.log; \
	    [ $$rc -eq 0 ] || { echo "$$f failed: $(FUZZ_BUILD)/$$f.log, the input in $(FUZZ_BUILD)/crash-*"; exit 1; }; \
	done

bench: build
	@bash scripts/deps.sh --bench
	bash bench/run.sh $(BUILD)

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' 'fuzz/*.c')

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
