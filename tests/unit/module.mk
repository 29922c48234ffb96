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
check-unit: $(UNIT_BIN)
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(UNIT_BIN)

CHECK_TARGETS += check-unit
