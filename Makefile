# dynamo: copy, truncate, restore and query DynamoDB tables.
#
#   make            build build/dynamo
#   make check      unit + end-to-end tests (starts its own moto and dynalite)
#   make asan       the same suite under AddressSanitizer + UBSan
#   make demo       a cross-account copy against a local moto server
#   make install PREFIX=/usr/local

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

# pkg-config is asked only when something is built, so 'make clean' works
# on a machine without the libraries.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

LIB_SRC  := $(sort $(shell find src -name '*.c' ! -name main.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/main.o
BIN      := $(BUILD)/dynamo
LIB      := $(BUILD)/libdynamo.a

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps test-deps check unit e2e asan tsan valgrind fuzz bench demo \
        install uninstall clean lint-docs lint-workflows FORCE

all: deps $(BIN)

deps:
	@sh scripts/deps.sh build

test-deps:
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
		$(shell pkg-config --cflags --libs cmocka) $(LDLIBS_ALL)

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do \
		echo "== $$t"; DYNAMO_TEST_VECTORS=tests/vectors $$t; done

e2e: $(BIN)
	DYNAMO_BIN=$(abspath $(BIN)) $(PYTHON) tests/e2e/run.py $(E2E_ARGS)

check: test-deps all
	@$(MAKE) --no-print-directory unit e2e lint-docs lint-workflows

lint-docs: $(BIN)
	@sh tests/lint-docs.sh $(BIN)

lint-workflows:
	@sh tests/lint-workflows.sh

asan: test-deps
	@$(MAKE) --no-print-directory BUILD=build/asan OPT='-O1 -g -fno-omit-frame-pointer' \
		SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' \
		ASAN_OPTIONS=detect_leaks=1 unit e2e

tsan: test-deps
	@$(MAKE) --no-print-directory BUILD=build/tsan OPT='-O1 -g' SAN='-fsanitize=thread' \
		E2E_ARGS='-k copy' unit e2e

# memcheck over the suites that run dynamo through the harness (a failing
# valgrind exits 99, which the tests see as a wrong exit code).
VALGRIND_TESTS ?= -k Tables -k Describe -k CopyTable -k CopyItems -k QuerySummary \
	-k QueryShards -k test_truncate. -k BadServer -k ExportImport -k NoSecrets
valgrind: test-deps all
	DYNAMO_BIN=$(abspath $(BIN)) \
	DYNAMO_WRAP='valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite' \
		$(PYTHON) tests/e2e/run.py --backend moto $(VALGRIND_TESTS)

fuzz:
	@$(MAKE) --no-print-directory -C tests/fuzz run FUZZ_TIME=$(or $(FUZZ_TIME),30)

bench: all
	@ENDPOINT='$(ENDPOINT)' TARGET_ENDPOINT='$(TARGET_ENDPOINT)' sh bench/run.sh $(BENCH_ARGS)

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

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/dynamo $(DESTDIR)$(PREFIX)/share/man/man1/dynamo.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/dynamo \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_dynamo

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)
