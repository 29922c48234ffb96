# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: qga-win side by side with Debian's Linux qemu-ga (issue 10, bench/README.md).

BENCH_OUT        := $(B)/bench
# Native helpers are measured, not tested: optimised, no sanitizers.
BENCH_HOST_FLAGS := $(CSTD) $(WARN) $(REPRO) -O2 -g -D_DEFAULT_SOURCE $(INCLUDES)
BENCH_WIN_BINS   := $(BENCH_OUT)/echo-win.exe $(BENCH_OUT)/true-win.exe
BENCH_HOST_BINS  := $(BENCH_OUT)/echo-posix
BENCH_ARGS       ?=

# Test tooling, never shipped: built by make test-artifacts (tests/wine/module.mk) and make bench.
TEST_ARTIFACTS += $(BENCH_WIN_BINS) $(BENCH_HOST_BINS)

$(BENCH_OUT)/echo-win.exe: $(B)/win/bench/echo-win.o
$(BENCH_OUT)/true-win.exe: $(B)/win/bench/true-win.o
$(BENCH_WIN_BINS):
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $^ $(WIN_LDFLAGS)

$(BENCH_OUT)/echo-posix: bench/echo-posix.c bench/echo-lines.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOST_CC) $(BENCH_HOST_FLAGS) -o $@ $<

# The portable core built natively, optimised and without sanitizers, for profiling.
# (AGENT_* come from win/agent/module.mk, included later: expanded when the rule runs.)
BENCH_CORE_DRIVER := $(BENCH_OUT)/core-driver
BENCH_CORE_OBJS    = $(patsubst %.c,$(B)/bench-host/%.o,$(AGENT_CORE_SRCS) $(AGENT_PORTABLE_CMDS) \
                       tests/unit/stub-commands.c bench/core-driver.c)

$(B)/bench-host/%.o: %.c $(B)/gen/version.h
	@mkdir -p $(@D)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOST_CC) $(BENCH_HOST_FLAGS) -MMD -MP -c $< -o $@

.SECONDEXPANSION:
$(BENCH_CORE_DRIVER): $$(BENCH_CORE_OBJS)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(HOST_CC) -o $@ $^ -lm

.PHONY: bench bench-quick bench-profile check-bench-py
## bench: qemu-ga.exe under Wine vs Debian's qemu-ga, with Wine and native floors (< 10 min)
bench: all test-artifacts
	$(Q)$(PYTHON) -m bench --build-dir $(B) $(BENCH_ARGS)

## bench-quick: every benchmark metric once, small counts (< 1 min; part of make check)
bench-quick: all test-artifacts
	$(Q)$(PYTHON) -m bench --build-dir $(B) --quick --require-all $(BENCH_ARGS)

## bench-profile: the portable core natively under callgrind (parser, dispatch, writer, base64)
bench-profile: $(BENCH_CORE_DRIVER)
	$(Q)for w in ping info mix; do $(BENCH_CORE_DRIVER) $$w 200000; done; $(BENCH_CORE_DRIVER) read 4
	$(Q)for w in mix read; do n=$$([ $$w = read ] && echo 1 || echo 20000); \
	    valgrind --tool=callgrind --callgrind-out-file=$(BENCH_OUT)/callgrind.$$w $(BENCH_CORE_DRIVER) $$w $$n \
	        >/dev/null 2>&1 && callgrind_annotate $(BENCH_OUT)/callgrind.$$w | head -40; done

## check-bench-py: mypy --strict and flake8 over bench/ (run by check-py)
check-bench-py:
	$(Q)$(MYPY) bench
	$(Q)$(FLAKE8) bench

check-py: check-bench-py

CHECK_TARGETS += bench-quick
