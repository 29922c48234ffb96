# SPDX-License-Identifier: GPL-2.0-or-later
# Windows helpers the Wine tests run inside their prefix (never shipped).

WINE_TOOLS := $(B)/tests/wine/fake-devices.exe $(B)/tests/wine/handle-count.exe $(B)/tests/wine/wine-drive.exe

ALL_TARGETS += $(WINE_TOOLS)

$(B)/tests/wine/fake-devices.exe: $(B)/win/tests/wine/tools/fake-devices.o
	@$(if $(Q),echo "  LINK    $@")
	@mkdir -p $(@D)
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $^ $(WIN_LDFLAGS) -lsetupapi

$(B)/tests/wine/handle-count.exe: $(B)/win/tests/wine/tools/handle-count.o
	@$(if $(Q),echo "  LINK    $@")
	@mkdir -p $(@D)
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $^ $(WIN_LDFLAGS) -lntdll

$(B)/tests/wine/wine-drive.exe: $(B)/win/tests/wine/tools/wine-drive.o
	@$(if $(Q),echo "  LINK    $@")
	@mkdir -p $(@D)
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $^ $(WIN_LDFLAGS)
