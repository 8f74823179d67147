# The README's two promises: `make run` sets everything up and starts kesu on a demo
# database; `make test` runs every test. Both install what is missing first.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
KESU_DB ?= kesu-demo.db
DEMO_PRESET ?= manufacturing

.PHONY: all deps build build-asan run demo test test-fast test-asan format format-check bench fuzz clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/Makefile: CMakeLists.txt
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps $(BUILD)/Makefile
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DKS_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)/kesu $(KESU_DB) $(DEMO_PRESET)

run: demo
	@scripts/run.sh $(BUILD)/kesu $(KESU_DB)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-fast: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE pg

test-asan: build-asan
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

# Every libFuzzer target for FUZZ_SECONDS each (default 60), then every saved failure once.
FUZZ_SECONDS ?= 60
fuzz: deps
	@fuzz/run.sh $(FUZZ_SECONDS)
	@fuzz/run.sh replay

bench: build
	@bench/run.sh $(BUILD)

clean:
	@rm -rf $(BUILD) $(ASAN_BUILD)
