# The two commands of the README, and the steps behind them.
#   make run    install missing build dependencies, build, audit this machine
#   make test   the same set-up, then every test (plain, under ASan+UBSan, and
#               the fuzz targets built with clang: a build that fails fails)
#   make install  the binary, man page, completions, systemd units and contrib files under PREFIX
#   make soak   latdoc serve through a day of audits and scrapes, compressed
#   make bench  latdoc side by side with its peers (docs/BENCHMARKS.md)

# ninja's output only when it fails: the errors, not the progress
NINJA = ninja --quiet -C

BUILD      ?= build
BUILD_SAN  ?= build-san
BUILD_FUZZ ?= build-fuzz

.PHONY: all build run test test-live deps test-deps bench-deps san fuzz bench bench-serve soak install clean

all: build

deps:
	@sh scripts/deps.sh

test-deps:
	@sh scripts/deps.sh --test

bench-deps:
	@sh scripts/deps.sh --bench

$(BUILD)/build.ninja:
	meson setup $(BUILD) >/dev/null

build: deps $(BUILD)/build.ninja
	@$(NINJA) $(BUILD) >$(BUILD)/ninja.log 2>&1 || { cat $(BUILD)/ninja.log; exit 1; }
	@echo "built $(BUILD)/latdoc"

# check exits 1 when it has findings: that is its answer, not a failure
run: build
	@./$(BUILD)/latdoc check; rc=$$?; [ $$rc -le 1 ] || exit $$rc

# The test build: sanitizers, and the fault points and test hooks that
# tests/t_80_tune.sh drives (-Dtest_hooks; never in a build for use)
$(BUILD_SAN)/build.ninja:
	meson setup $(BUILD_SAN) -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug -Dtest_hooks=true >/dev/null

# a build-san set up before the option existed gets it once
$(BUILD_SAN)/.test_hooks: | $(BUILD_SAN)/build.ninja
	@meson setup --reconfigure $(BUILD_SAN) -Dtest_hooks=true >/dev/null && touch $@

san: $(BUILD_SAN)/.test_hooks
	@$(NINJA) $(BUILD_SAN) >$(BUILD_SAN)/ninja.log 2>&1 || { cat $(BUILD_SAN)/ninja.log; exit 1; }

$(BUILD_FUZZ)/build.ninja:
	CC=clang meson setup $(BUILD_FUZZ) -Dfuzz=true -Dtests=disabled \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null

fuzz: $(BUILD_FUZZ)/build.ninja
	@$(NINJA) $(BUILD_FUZZ) >$(BUILD_FUZZ)/ninja.log 2>&1 || { cat $(BUILD_FUZZ)/ninja.log; exit 1; }

test: test-deps $(BUILD)/build.ninja
	@$(NINJA) $(BUILD) >$(BUILD)/ninja.log 2>&1 || { cat $(BUILD)/ninja.log; exit 1; }
	@$(MAKE) --no-print-directory san
	@$(MAKE) --no-print-directory fuzz
	@sh tests/run.sh

# tune --apply and revert on THIS machine, as root: what it changes is put
# back and checked. Opt-in, never part of make test (docs/TUNE.md).
test-live: san
	@sh tests/live.sh

# PREFIX=/usr/local by default: the binary, the man page, the bash and zsh
# completions, the systemd units (lib/systemd/system) and the alert rules and
# Ansible playbook (share/latdoc) under it (DESTDIR for a staged install)
PREFIX ?= /usr/local
install: build
	meson configure $(BUILD) -Dprefix=$(PREFIX) >/dev/null
	meson install -C $(BUILD) --no-rebuild $(if $(DESTDIR),--destdir $(DESTDIR))

# side by side with the peers; results in docs/BENCHMARKS.md
bench: build bench-deps
	@sh bench/check.sh
	@sh bench/serve.sh

# latdoc serve against prometheus-node-exporter only
bench-serve: build bench-deps
	@sh bench/serve.sh

# a day of latdoc serve compressed into a few minutes: memory bounded and flat
soak: build test-deps
	@sh tests/soak.sh

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)
