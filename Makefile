# The two commands of the README, and the steps behind them.
#   make run    install missing build dependencies, build, audit this machine
#   make test   the same set-up, then every test (plain, under ASan+UBSan, and
#               the fuzz targets built with clang: a build that fails fails)
#   make install  the binary, man page and completions under PREFIX

BUILD      ?= build
BUILD_SAN  ?= build-san
BUILD_FUZZ ?= build-fuzz

.PHONY: all build run test deps test-deps san fuzz bench install clean

all: build

deps:
	@sh scripts/deps.sh

test-deps:
	@sh scripts/deps.sh --test

$(BUILD)/build.ninja:
	meson setup $(BUILD) >/dev/null

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD) >/dev/null
	@echo "built $(BUILD)/latdoc"

# check exits 1 when it has findings: that is its answer, not a failure
run: build
	@./$(BUILD)/latdoc check; rc=$$?; [ $$rc -le 1 ] || exit $$rc

$(BUILD_SAN)/build.ninja:
	meson setup $(BUILD_SAN) -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debug >/dev/null

san: $(BUILD_SAN)/build.ninja
	@ninja -C $(BUILD_SAN) >/dev/null

$(BUILD_FUZZ)/build.ninja:
	CC=clang meson setup $(BUILD_FUZZ) -Dfuzz=true -Dtests=disabled \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null

fuzz: $(BUILD_FUZZ)/build.ninja
	@ninja -C $(BUILD_FUZZ) >/dev/null

test: test-deps $(BUILD)/build.ninja
	@ninja -C $(BUILD) >/dev/null
	@$(MAKE) --no-print-directory san
	@$(MAKE) --no-print-directory fuzz
	@sh tests/run.sh

# PREFIX=/usr/local by default: the binary, the man page and the bash and zsh
# completions under it (DESTDIR for a staged install)
PREFIX ?= /usr/local
install: build
	meson configure $(BUILD) -Dprefix=$(PREFIX) >/dev/null
	meson install -C $(BUILD) --no-rebuild $(if $(DESTDIR),--destdir $(DESTDIR))

bench: build
	@sh bench/check.sh

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)
