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

.PHONY: all deps deps-test web build build-san run test test-fast test-san bench clean format

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

bench: build
	@bash scripts/deps.sh --bench
	bash bench/run.sh $(BUILD)

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' 'fuzz/*.c')

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
