# SPDX-License-Identifier: GPL-2.0-or-later
# Programs the Wine tests run as guest-exec children (never shipped).

TEST_CHILD_EXE := $(B)/tests/qga-test-child.exe

ALL_TARGETS += $(TEST_CHILD_EXE)

$(TEST_CHILD_EXE): tests/wine/programs/qga-test-child.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $< $(WIN_LDFLAGS) -lshell32

# An .exe freeze hook (tests/wine/test_freeze_hooks.py).
TEST_HOOK_EXE := $(B)/tests/qga-test-hook.exe

ALL_TARGETS += $(TEST_HOOK_EXE)

$(TEST_HOOK_EXE): tests/wine/programs/qga-test-hook.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $< $(WIN_LDFLAGS) -lshell32
