# Noaber: `make run` serves the API with a local database and demo data; `make test` runs
# every test against a throwaway PostgreSQL. See README.md.

BUILD    ?= build
SANITIZE ?= 0
CC       ?= cc

PKGS     := libulfius jansson libjwt liborcania libyder libsodium libpq libmicrohttpd
WARNINGS := -Wall -Wextra -Werror -pedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wmissing-declarations -Wformat=2 -Wcast-qual -Wsign-compare -Wno-format-nonliteral
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE $(WARNINGS)
ifeq ($(SANITIZE),1)
CFLAGS   += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

# cmd/noaber.c is the entry point; everything else is also linked into the test programs.
SRC      := $(wildcard cmd/*.c src/*.c src/support/*.c src/db/*.c api/*.c)
OBJ      := $(SRC:%.c=$(BUILD)/obj/%.o)
LIB_OBJ  := $(filter-out $(BUILD)/obj/cmd/%.o,$(OBJ))

# Test programs: each test file is its own object, like the server's, so changing one test file
# recompiles that file only (and -MMD dependencies recompile what includes a changed header).
UNIT_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/unit/*.c))
ITEST_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/lib/*.c tests/integration/*.c))
DBTEST_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/db/*.c))
PLANTEST_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/plans/*.c))
TEST_OBJ := $(UNIT_OBJ) $(ITEST_OBJ) $(DBTEST_OBJ) $(PLANTEST_OBJ)
# The integration tests talk HTTP and SQL to the server like a client; they link no server code.
ITEST_PKGS := check libcurl jansson libjwt libpq libsodium

# Every Node.js tool runs on the project's pinned Node.js and npm (scripts/node.sh), never on
# whatever node the machine has: Debian 12's is 18, the contract tools need 20.19+.
# It trusts the machine's CA certificates, as Debian's own Node.js does (a registry behind a
# proxy with its own CA), and its npm reads the machine's /etc/npmrc (scripts/node.sh).
NODE_DIR := $(CURDIR)/.tools/node
export PATH := $(NODE_DIR)/bin:$(PATH)
ifneq ($(wildcard /etc/ssl/certs/ca-certificates.crt),)
export NODE_EXTRA_CA_CERTS ?= /etc/ssl/certs/ca-certificates.crt
endif

SHARE    := $(BUILD)/share
MIGRATIONS := $(wildcard sql/migrations/*.sql)
SQL_FUNCTIONS := $(wildcard sql/functions/*.sql)
SHARE_FILES := $(SHARE)/openapi.json $(SHARE)/docs.html $(SHARE)/redoc.standalone.js $(SHARE)/texts.json \
               $(MIGRATIONS:sql/migrations/%=$(SHARE)/migrations/%) \
               $(SQL_FUNCTIONS:sql/functions/%=$(SHARE)/functions/%)

.PHONY: all build run test test-client test-contract test-faults test-unit test-integration test-asan test-fresh lint bench bench-http deps deps-test deps-bench deps-lint clean

all: build

build: $(BUILD)/noaber $(SHARE_FILES)

deps:
	@scripts/deps.sh run

deps-test:
	@scripts/deps.sh test

deps-bench:
	@scripts/deps.sh bench

deps-lint:
	@scripts/deps.sh lint

$(NODE_DIR)/.pinned: scripts/node.sh
	@scripts/node.sh
	@touch $@

# --ignore-scripts: no package's install script runs (two would: telemetry and a banner).
node_modules/.package-lock.json: package.json package-lock.json $(NODE_DIR)/.pinned
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS) $$(pkg-config --cflags $(PKGS)) -MMD -MP -c $< -o $@

$(BUILD)/noaber: $(OBJ)
	@echo "LD $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $$(pkg-config --libs $(PKGS)) -lpthread -lm

# The contract: the root openapi/openapi.yaml and the files it refers to (openapi/paths/,
# openapi/components/), bundled by Redocly into the one document served at /v1/openapi.json.
CONTRACT := $(wildcard openapi/*.yaml openapi/*/*.yaml)

$(SHARE)/openapi.json: $(CONTRACT) redocly.yaml tools/openapi-to-json.mjs tools/lib/contract.mjs \
                       node_modules/.package-lock.json
	@mkdir -p $(SHARE)
	node tools/openapi-to-json.mjs openapi/openapi.yaml $@

$(SHARE)/docs.html: openapi/docs.html
	@mkdir -p $(SHARE)
	cp $< $@

# The user-facing texts in Dutch and English (api/language.h).
$(SHARE)/texts.json: i18n/texts.json
	@mkdir -p $(SHARE)
	cp $< $@

$(SHARE)/redoc.standalone.js: node_modules/.package-lock.json
	@mkdir -p $(SHARE)
	cp node_modules/redoc/bundles/redoc.standalone.js $@

$(SHARE)/migrations/%.sql: sql/migrations/%.sql
	@mkdir -p $(SHARE)/migrations
	cp $< $@

$(SHARE)/functions/%.sql: sql/functions/%.sql
	@mkdir -p $(SHARE)/functions
	cp $< $@

# Unit, database and plan tests: the server's code (LIB_OBJ) with Check. The more specific
# pattern rules below win over $(BUILD)/obj/%.o for the test directories.
$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS) $$(pkg-config --cflags $(PKGS) check) -MMD -MP -c $< -o $@

$(BUILD)/obj/tests/integration/%.o: tests/integration/%.c
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS) -Itests/lib $$(pkg-config --cflags $(ITEST_PKGS)) -MMD -MP -c $< -o $@

$(BUILD)/obj/tests/lib/%.o: tests/lib/%.c
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS) -Itests/lib $$(pkg-config --cflags $(ITEST_PKGS)) -MMD -MP -c $< -o $@

$(BUILD)/tests/unit: $(UNIT_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "LD $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $$(pkg-config --libs $(PKGS) check) -lpthread -lm

$(BUILD)/tests/db: $(DBTEST_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "LD $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $$(pkg-config --libs $(PKGS) check) -lpthread -lm

# Plan tests: the real statement tables and db layer, EXPLAIN of every hot statement per role.
$(BUILD)/tests/plans: $(PLANTEST_OBJ) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "LD $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $$(pkg-config --libs $(PKGS) check) -lpthread -lm

$(BUILD)/tests/integration: $(ITEST_OBJ)
	@mkdir -p $(dir $@)
	@echo "LD $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $$(pkg-config --libs $(ITEST_PKGS)) -lpthread -lm

run: deps build
	@scripts/run.sh $(BUILD)

# SUITE=name runs only the Check suite of that name (CK_RUN_SUITE), in the unit and the
# integration binary, and skips the database and plan tests (tests/run-integration.sh).
test: deps-test build $(BUILD)/tests/unit $(BUILD)/tests/db $(BUILD)/tests/plans $(BUILD)/tests/integration
	@$(MAKE) --no-print-directory test-contract test-client BUILD=$(BUILD)
	@echo "== unit tests"
	@$(if $(SUITE),CK_RUN_SUITE='$(SUITE)' )$(BUILD)/tests/unit
	@echo "== integration tests ($(BUILD))"
	@$(if $(SUITE),CK_RUN_SUITE='$(SUITE)' )tests/run-integration.sh $(BUILD)

# The contract's examples: every request body and 2xx response body has one, and every example
# is valid against its schema (the validator the exchange checks use).
test-contract: $(SHARE)/openapi.json
	@echo "== contract examples"
	@node tools/check-examples.mjs $(SHARE)/openapi.json

# The typed client: TypeScript types generated from the contract with openapi-typescript, and the
# four apps' journeys in tests/client/ (openapi-fetch) compiled against them with tsc --strict.
test-client: $(SHARE)/openapi.json node_modules/.package-lock.json
	@echo "== typed client"
	@scripts/test-client.sh $(SHARE)/openapi.json

# The fault tests of issue 11 (tests/integration/test_faults.c), not part of `make test`: they
# take a few minutes. PostgreSQL restarts (on a cluster of their own), statement timeouts, slow
# clients, connection limits, SIGTERM and a small pool, all on loopback; the runner checks their
# exchanges against the contract as for `make test`.
test-faults: deps-test build $(BUILD)/tests/integration $(BUILD)/tests/db $(BUILD)/tests/plans
	@echo "== fault tests ($(BUILD))"
	@NOABER_TEST_FAULTS=1 CK_RUN_SUITE=faults tests/run-integration.sh $(BUILD)

# The same suite, built with AddressSanitizer and UndefinedBehaviorSanitizer; leaks fail it.
test-asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan SANITIZE=1

# The README's set-up on a fresh Debian 12 root filesystem (debootstrap), as root and as a user.
test-fresh:
	@tests/fresh/run.sh

# Matching suggestions against 10,000 volunteer profiles (results in bench/RESULTS.md).
bench: deps-test build
	@bench/matching.sh $(BUILD)

# HTTP load (wrk) against Noaber and bare peers on the same PostgreSQL; BENCH_SCALE=small|10k|1m
# (results in bench/RESULTS.md).
bench-http: deps-bench build $(BUILD)/bench/bare-peer node_modules/.package-lock.json
	@bench/http-bench.sh $(BUILD)

# The bench's bare Ulfius + libpq peer (bench/peers/bare.c): the same libraries as the server.
$(BUILD)/bench/bare-peer: bench/peers/bare.c
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS) $$(pkg-config --cflags libulfius libpq jansson libmicrohttpd) $(LDFLAGS) -o $@ $< \
	  $$(pkg-config --libs libulfius libpq jansson libmicrohttpd) -lpthread

# The contract (Redocly, Spectral) and the C code (cppcheck, clang-format).
lint: deps-lint node_modules/.package-lock.json
	@tools/lint.sh
	@tools/lint-c.sh

clean:
	rm -rf build build-asan

-include $(OBJ:.o=.d) $(TEST_OBJ:.o=.d)
