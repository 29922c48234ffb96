# SPDX-License-Identifier: GPL-2.0-or-later
# The only makefile that runs: includes toolchain/config.mk and every module.mk (style.md §10).
# Each module.mk appends to the lists below and defines its own rules; pattern rules live here.

include toolchain/config.mk

.DEFAULT_GOAL := all
ifeq ($(V),1)
Q :=
else
Q := @
endif

# Filled by module.mk files.
ALL_TARGETS   :=     # artifacts `make` builds
CHECK_TARGETS :=     # test steps `make check` runs, in order
HELP_LINES    :=

MODULES := $(sort $(wildcard */module.mk */*/module.mk */*/*/module.mk))
include $(MODULES)

.PHONY: all check help clean setup
## all: build every artifact into build/ (the default target)
all: $(ALL_TARGETS)

## check: build everything and run the unit, Wine and smoke tiers (< 10 minutes)
check: all
	$(Q)set -e; for t in $(CHECK_TARGETS); do echo "== $$t"; $(MAKE) --no-print-directory $$t; done

## setup: install the Debian packages the build and tests need (toolchain/setup)
setup:
	$(Q)./toolchain/setup

## clean: remove build/
clean:
	rm -rf $(B)

## help: list targets
help:
	@grep -h -E '^## ' Makefile $(MODULES) | sed 's/^## /  /'

# Pattern rules: cross build for Windows, host build (sanitizers) for the portable core.
$(B)/win/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -MMD -MP -c $< -o $@

$(B)/host/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  HOSTCC  $<")
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(B) -name '*.d' 2>/dev/null)
