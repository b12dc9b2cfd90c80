# The Makefile only wraps CMake.  Every target first installs what is missing.
BUILD ?= build
TYPE  ?= Release
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=
CTEST_FLAGS ?= --output-on-failure

.PHONY: all build deps deps-test deps-bench test demo bench asan ubsan tsan fuzz clean

all: build

deps:
	@tools/install-deps.sh build
deps-test:
	@tools/install-deps.sh test
deps-bench:
	@tools/install-deps.sh bench

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(TYPE) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: deps-test $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest $(CTEST_FLAGS) -j $(JOBS)

demo: build
	tools/demo.sh $(BUILD)/bin

bench: deps-bench build
	bench/run.sh $(BUILD)/bin

# Sanitizer builds: each in its own folder, then the whole suite under it.
# SAN_LABELS=shm (say) limits the run to the suites with that ctest label.
asan ubsan tsan: deps-test
	cmake -S . -B build-$@ -DCMAKE_BUILD_TYPE=$(shell echo $@ | sed 's/^./\U&/') $(CMAKE_FLAGS)
	cmake --build build-$@ -j $(JOBS)
	cd build-$@ && ctest $(CTEST_FLAGS) -j $(JOBS) $(if $(SAN_LABELS),-L '$(SAN_LABELS)')

fuzz: deps-test
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DTC_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug
	cmake --build build-fuzz -j $(JOBS) --target fuzzers
	tools/run-fuzz.sh build-fuzz $(or $(FUZZ_SECONDS),300)

clean:
	rm -rf $(BUILD) build-asan build-ubsan build-tsan build-fuzz
