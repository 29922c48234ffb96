# SPDX-License-Identifier: GPL-2.0-or-later
# libFuzzer targets over the portable core (clang, ASan + UBSan + LeakSanitizer).  A target is a
# file tests/fuzz/fuzz-<name>.c with a seed corpus in tests/fuzz/corpus/<name>/; adding both is
# all it takes (the list below is found by wildcard).  A crash found (build/fuzz/artifacts/<name>/)
# is committed to tests/fuzz/regressions/<name>/, replayed by every run here and by fuzz-regress,
# and gets a unit test in tests/unit (docs/reliability.md).

FUZZ_TARGETS       := $(sort $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c)))
FUZZ_SECONDS       ?= 600
FUZZ_SMOKE_SECONDS ?= 15
FUZZ_SAN           := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS        := $(CSTD) $(WARN) $(REPRO) -O1 -g $(INCLUDES) -Itests/unit -D_DEFAULT_SOURCE \
                      -DQGA_FUZZING $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_BINS          := $(patsubst %,$(B)/fuzz/fuzz-%,$(FUZZ_TARGETS))
# Deferred: win/agent/module.mk (the core's source lists) is included after this file.
FUZZ_LIB_OBJS       = $(patsubst %.c,$(B)/fuzz/%.o,$(AGENT_CORE_SRCS) $(AGENT_PORTABLE_CMDS) \
                      tests/unit/fake-platform.c tests/unit/stub-commands.c)

$(B)/fuzz/%.o: %.c $(B)/gen/version.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

.SECONDEXPANSION:
$(FUZZ_BINS): $(B)/fuzz/fuzz-%: $(B)/fuzz/tests/fuzz/fuzz-%.o $$(FUZZ_LIB_OBJS)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CLANG) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -lm

# $(1): seconds per target.  New inputs go to build/, never into the committed seed corpus.
FUZZ_RUN = set -e; for t in $(FUZZ_TARGETS); do \
	mkdir -p $(B)/fuzz/corpus/$$t $(B)/fuzz/artifacts/$$t; \
	echo "== fuzz-$$t ($(1) s)"; \
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(B)/fuzz/fuzz-$$t -max_total_time=$(1) -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=$(B)/fuzz/artifacts/$$t/ $(FUZZ_ARGS) $(B)/fuzz/corpus/$$t tests/fuzz/corpus/$$t \
		$$(test -d tests/fuzz/regressions/$$t && echo tests/fuzz/regressions/$$t) \
		2>$(B)/fuzz/fuzz-$$t.log || { tail -n 60 $(B)/fuzz/fuzz-$$t.log; exit 1; }; \
	grep -E '^stat::number_of_executed_units|^stat::new_units_added' $(B)/fuzz/fuzz-$$t.log | tr '\n' ' '; echo; \
	done

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-regress
## fuzz-build: build the libFuzzer targets (tests/fuzz)
fuzz-build: $(FUZZ_BINS)
## fuzz: run every libFuzzer target for FUZZ_SECONDS (default 600) each; crashes in build/fuzz/artifacts
fuzz: $(FUZZ_BINS)
	$(Q)$(call FUZZ_RUN,$(FUZZ_SECONDS))
## fuzz-smoke: run every libFuzzer target for FUZZ_SMOKE_SECONDS (default 15) each
fuzz-smoke: $(FUZZ_BINS)
	$(Q)$(call FUZZ_RUN,$(FUZZ_SMOKE_SECONDS))

## fuzz-regress: run every target once over its seeds and committed crash inputs (no fuzzing)
fuzz-regress: $(FUZZ_BINS)
	$(Q)set -e; for t in $(FUZZ_TARGETS); do \
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(B)/fuzz/fuzz-$$t -runs=0 tests/fuzz/corpus/$$t \
		$$(test -d tests/fuzz/regressions/$$t && echo tests/fuzz/regressions/$$t) \
		>$(B)/fuzz/regress-$$t.log 2>&1 || { tail -n 60 $(B)/fuzz/regress-$$t.log; exit 1; }; \
	echo "fuzz-$$t: $$(find tests/fuzz/corpus/$$t $$(test -d tests/fuzz/regressions/$$t && \
		echo tests/fuzz/regressions/$$t) -type f | wc -l) inputs replayed"; \
	done

CHECK_TARGETS += fuzz-smoke
