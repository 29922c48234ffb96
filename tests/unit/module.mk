# SPDX-License-Identifier: GPL-2.0-or-later
# Native unit tests of the portable core, built with ASan/UBSan (style.md §8).

UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJS := $(patsubst %.c,$(B)/host/%.o,$(UNIT_SRCS))
UNIT_BIN  := $(B)/host/run-unit-tests

$(UNIT_OBJS): $(B)/gen/version.h

# AGENT_HOST_OBJS comes from win/agent/module.mk, which is included after this file: expand it
# when the rule is used, not when it is read.
.SECONDEXPANSION:
$(UNIT_BIN): $(UNIT_OBJS) $$(AGENT_HOST_OBJS)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS) -lm

.PHONY: check-unit
## check-unit: native unit tests of the portable core under ASan/UBSan/LSan
UNIT_SAN_ENV := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Each canary (tests/unit/test-sanitizers.c) must make the same binary, with the same options, fail
# with its sanitizer's report: a clean run means something only while that holds.
UNIT_CANARIES := leak heap-overflow ubsan
check-unit: $(UNIT_BIN)
	$(Q)set -e; for c in $(UNIT_CANARIES); do \
		case $$c in leak) want='ERROR: LeakSanitizer: detected memory leaks';; \
			heap-overflow) want='ERROR: AddressSanitizer: heap-buffer-overflow';; \
			ubsan) want='runtime error: signed integer overflow';; esac; \
		if QGA_SANITIZER_CANARY=$$c $(UNIT_SAN_ENV) $(UNIT_BIN) sanitizer_canaries >$(B)/host/canary.log 2>&1 \
			|| ! grep -q "$$want" $(B)/host/canary.log; then \
			cat $(B)/host/canary.log; echo "check-unit: sanitizer canary '$$c' was not caught"; exit 1; fi; \
	done; echo "sanitizer canaries caught: $(UNIT_CANARIES)"
	$(Q)$(UNIT_SAN_ENV) $(UNIT_BIN)

CHECK_TARGETS += check-unit
