# SPDX-License-Identifier: GPL-2.0-or-later
# Cross-built test program of the VSS requester ABI, run under Wine by tests/wine/vss/ (pytest).

REQUESTER_TEST_SRCS := tests/wine/vss/test-requester.c
REQUESTER_TEST_OBJS := $(patsubst %.c,$(B)/win/%.o,$(REQUESTER_TEST_SRCS))

$(REQUESTER_TEST_OBJS): WIN_CFLAGS += -Iwin/requester -Itests/common

ALL_TARGETS += $(B)/tests/wine/vss/test-requester.exe

$(B)/tests/wine/vss/test-requester.exe: $(REQUESTER_TEST_OBJS) $(B)/win/tests/common/test-files.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $^ $(WIN_LDFLAGS) -lole32
