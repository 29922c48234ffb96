# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: qga-win side by side with Debian's Linux qemu-ga (issue 10, bench/README.md).

BENCH_OUT        := $(B)/bench
# Native helpers are measured, not tested: optimised, no sanitizers.
BENCH_HOST_FLAGS := $(CSTD) $(WARN) $(REPRO) -O2 -g -D_DEFAULT_SOURCE
BENCH_WIN_BINS   := $(BENCH_OUT)/echo-win.exe $(BENCH_OUT)/true-win.exe
BENCH_HOST_BINS  := $(BENCH_OUT)/echo-posix
BENCH_ARGS       ?=

ALL_TARGETS += $(BENCH_WIN_BINS) $(BENCH_HOST_BINS)

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

.PHONY: bench bench-quick check-bench-py
## bench: qemu-ga.exe under Wine vs Debian's qemu-ga, with Wine and native floors (< 10 min)
bench: all
	$(Q)$(PYTHON) -m bench --build-dir $(B) $(BENCH_ARGS)

## bench-quick: every benchmark metric once, small counts (< 1 min; part of make check)
bench-quick: all
	$(Q)$(PYTHON) -m bench --build-dir $(B) --quick --require-all $(BENCH_ARGS)

## check-bench-py: mypy --strict and flake8 over bench/ (run by check-py)
check-bench-py:
	$(Q)$(MYPY) bench
	$(Q)$(FLAKE8) bench

check-py: check-bench-py

CHECK_TARGETS += bench-quick
