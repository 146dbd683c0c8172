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
# Extra cmake -D options; .ci/run passes -DVMQ_WERROR=ON.
CMAKE_ARGS ?=

EXPORTER := $(BUILD_DIR)/bin/vernemq-pubcomp-exporter

.PHONY: all deps configure build run test bench bench-scale demo fuzz rules format check-format clean install

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(EXPORTER) --config.file=$(CONFIG) $(ARGS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 300 -j $(JOBS) $(CTEST_ARGS)

# `make bench` ends with a short scale run (100 nodes, ~2 min); bench-scale is the full one
# (10, 100 and 1000 nodes, then 1000 with half of them hanging: ~10 min). SCALE_ARGS adds
# bench/scale.sh options, e.g. SCALE_ARGS="--nodes 300".
SCALE_ARGS ?=
bench: build
	@scripts/install-deps.sh --bench
	scripts/run-benchmarks.sh $(BUILD_DIR)

bench-scale: build
	bench/scale.sh $(SCALE_ARGS) $(BUILD_DIR)

demo: build
	scripts/demo.sh $(BUILD_DIR)

# Runs each libFuzzer target for FUZZ_SECONDS (clang build in build-fuzz/, see fuzz/run.sh);
# crash inputs land in fuzz/<target>/crashes/ and are replayed by ctest from then on.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= textformat textformat_paths config web_config history_image
fuzz: deps
	@status=0; for target in $(FUZZ_TARGETS); do \
	  fuzz/run.sh $$target $(FUZZ_SECONDS) || status=1; done; exit $$status

# Regenerates the Prometheus rules from config.yaml (a test fails while they differ).
rules: build
	$(EXPORTER) --alerts.print-rules --config.file=config.yaml > alerts/vernemq-pubcomp.rules.yml
	scripts/gen-prometheusrule.sh > docs/deploy/kubernetes/prometheusrule.yaml

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

check-format:
	@git ls-files '*.cc' '*.h' | xargs clang-format --dry-run -Werror

clean:
	rm -rf $(BUILD_DIR)

# PREFIX=/usr follows Debian's layout (unit in /lib/systemd/system). The config in /etc is
# installed only when there is none, so a reinstall keeps local edits.
install: unitdir = $(DESTDIR)$(if $(filter /usr,$(PREFIX)),,$(PREFIX))/lib/systemd/system
install: docdir = $(DESTDIR)$(PREFIX)/share/doc/vernemq-pubcomp-exporter
install: build
	install -Dm755 $(EXPORTER) $(DESTDIR)$(PREFIX)/bin/vernemq-pubcomp-exporter
	test -e $(DESTDIR)/etc/vernemq-pubcomp-exporter/config.yaml || \
	  install -Dm644 config.yaml $(DESTDIR)/etc/vernemq-pubcomp-exporter/config.yaml
	install -d $(unitdir)
	sed 's|/usr/local/|$(PREFIX)/|g' docs/deploy/vernemq-pubcomp-exporter.service \
	  > $(unitdir)/vernemq-pubcomp-exporter.service
	install -d $(DESTDIR)$(PREFIX)/share/vernemq-pubcomp-exporter/alerts
	$(if $(wildcard alerts/*.yml),install -m644 $(wildcard alerts/*.yml) \
	  $(DESTDIR)$(PREFIX)/share/vernemq-pubcomp-exporter/alerts/)
	install -d $(docdir)/examples
	install -m644 docs/deploy/README.md $(docdir)/deploy.md
	install -m644 $(wildcard README.md docs/*.md) $(docdir)/
	$(if $(wildcard examples/*.yaml),install -m644 $(wildcard examples/*.yaml) $(docdir)/examples/)
	$(if $(wildcard docs/runbooks/*.md),install -Dm644 -t $(docdir)/runbooks $(wildcard docs/runbooks/*.md))
