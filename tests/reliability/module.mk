# SPDX-License-Identifier: GPL-2.0-or-later
# Reliability tiers (docs/reliability.md): the malformed-input sweep and the soak under Wine, and
# the native tool that gives the sweep the command table's argument specs.

DUMP_COMMANDS := $(B)/host/dump-commands

.SECONDEXPANSION:
$(DUMP_COMMANDS): $(B)/host/tests/reliability/dump-commands.o $$(AGENT_HOST_OBJS) \
		$(B)/host/tests/unit/stub-commands.o $(B)/host/tests/unit/fake-platform.o
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS) -lm

$(B)/host/tests/reliability/dump-commands.o: $(B)/gen/version.h

# The Wine tier's sweep reads the table through this tool (tests/wine/module.mk builds TEST_ARTIFACTS).
TEST_ARTIFACTS += $(DUMP_COMMANDS)

SWEEP_MESSAGES ?= 100000
SOAK_REQUESTS  ?= 100000

.PHONY: sweep soak
## sweep: the malformed-input sweep under Wine at full size (SWEEP_MESSAGES, default 100000)
sweep: all test-artifacts
	$(Q)QGA_BUILD_DIR=$(abspath $(B)) QGA_SWEEP_MESSAGES=$(SWEEP_MESSAGES) \
		$(PYTEST) -q tests/wine/test_sweep.py $(PYTEST_ARGS)

## soak: SOAK_REQUESTS (default 100000) mixed requests under Wine, memory and handles sampled
soak: all test-artifacts
	$(Q)QGA_BUILD_DIR=$(abspath $(B)) QGA_SOAK_REQUESTS=$(SOAK_REQUESTS) \
		$(PYTEST) -q tests/wine/test_soak.py $(PYTEST_ARGS)

# Windows tools the hardening tests run inside the prefix (never shipped).
RELIABILITY_TOOLS := $(B)/tests/wine/acl-dump.exe $(B)/tests/wine/split-cmdline.exe
TEST_ARTIFACTS += $(RELIABILITY_TOOLS)

$(B)/tests/wine/acl-dump.exe: $(B)/win/tests/reliability/acl-dump.o
	@$(if $(Q),echo "  LINK    $@")
	@mkdir -p $(@D)
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $^ $(WIN_LDFLAGS) -ladvapi32

$(B)/tests/wine/split-cmdline.exe: $(B)/win/tests/reliability/split-cmdline.o
	@$(if $(Q),echo "  LINK    $@")
	@mkdir -p $(@D)
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $^ $(WIN_LDFLAGS) -lshell32
