# Vigil: the two commands of the quick start, and a few more.
#   make run     install missing packages, build (Release, Ninja), launch Vigil
#   make test    the same build, then the whole suite through ctest
#   make bench   benchmarks (figures printed, never a pass/fail on time)
#   make deps    install every package the build and the tests need
#   make package build a .deb with CPack
#   make format  clang-format the sources

BUILD_DIR   := build/release
ASAN_DIR    := build/asan
empty       :=
space       := $(empty) $(empty)
BIN         := $(BUILD_DIR)/bin
CTEST_JOBS  ?= 2
# CI=true turns warnings into errors.
WERROR      := $(if $(filter true 1 yes,$(CI)),ON,OFF)
VIGIL_ARGS  ?=




.PHONY: all run test test-asan bench deps deps-build deps-test build configure package format clean

all: build

deps-build:
	@packaging/install-deps.sh packaging/deps-build.txt

deps-test:
	@packaging/install-deps.sh packaging/deps-build.txt packaging/deps-test.txt

deps: deps-test

configure:
	@cmake --preset release -DVIGIL_WERROR=$(WERROR) >/dev/null

build: deps-build configure
	@cmake --build --preset release

run: build
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ -z "$$QT_QPA_PLATFORM" ]; then \
	    echo "make run: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set)."; \
	    echo "  Run the engine without a window:  $(BIN)/vigil --headless"; \
	    echo "  Or the GUI on a virtual display:  xvfb-run make run"; \
	    exit 1; \
	fi
	$(BIN)/vigil $(VIGIL_ARGS)

test: deps-test configure
	@cmake --build --preset release
	@ctest --preset release -j $(CTEST_JOBS)
	@$(MAKE) --no-print-directory test-asan

# The engine library and its lifecycle test under AddressSanitizer and
# UndefinedBehaviorSanitizer (leaks included), with the parsers of untrusted
# input (log lines, pipelines, LogQL, JSON escapes) and the threaded log
# paths (tailer, live tail hub, chunk prefetch, log rules).
ASAN_TESTS := tst_engine tst_http_service tst_tailer tst_tailer_engine tst_pipeline_stages \
	tst_pipeline_parts tst_pipeline_presets tst_live_tail_hub tst_log_chunk_encoding \
	tst_logql_engine tst_log_rules tst_utf8
test-asan: deps-test
	@cmake --preset asan -DVIGIL_WERROR=$(WERROR) >/dev/null
	@cmake --build --preset asan --target $(ASAN_TESTS)
	@ctest --preset asan -R '^($(subst $(space),|,$(strip $(ASAN_TESTS))))$$'

bench: deps-test build
	@cmake --build --preset release --target vigil_benchmarks
	@tests/bench/run_all.sh $(BUILD_DIR)

package: build
	@cd $(BUILD_DIR) && cpack -G DEB

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf build
