# Two commands on a fresh Debian 12 machine:
#   make run    install what is missing, build, run the exporter with ./config.yaml
#   make test   install what is missing, build, run every test
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
CONFIG ?= config.yaml
ARGS ?=
PREFIX ?= /usr/local
DESTDIR ?=
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

EXPORTER := $(BUILD_DIR)/bin/vernemq-pubcomp-exporter

.PHONY: all deps configure build run test bench demo format check-format clean install

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(EXPORTER) --config.file=$(CONFIG) $(ARGS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

bench: build
	scripts/run-benchmarks.sh $(BUILD_DIR)

demo: build
	scripts/demo.sh $(BUILD_DIR)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

check-format:
	@git ls-files '*.cc' '*.h' | xargs clang-format --dry-run -Werror

clean:
	rm -rf $(BUILD_DIR)
