# SPDX-License-Identifier: GPL-2.0-or-later
# Cross-built COM test programs (Wine's ok() style, TAP output), run by pytest under Wine.

WINE_COM_TESTS := $(B)/tests/test-provider.exe $(B)/tests/test-fakes.exe

$(B)/win/tests/wine/com/test-provider.o $(B)/win/tests/wine/com/test-fakes.o: WIN_CFLAGS += -Itests/common

$(B)/tests/test-provider.exe: $(B)/win/tests/wine/com/test-provider.o $(B)/win/win/common/guids.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $^ $(WIN_LDFLAGS:-municode=) -lole32 -loleaut32 -luuid

$(B)/tests/test-fakes.exe: $(B)/win/tests/wine/com/test-fakes.o $(B)/win/win/common/guids.o \
                          $(B)/win/win/common/comadmin-guids.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $^ $(WIN_LDFLAGS) -lole32 -loleaut32 -luuid

TEST_ARTIFACTS += $(WINE_COM_TESTS)
