# SPDX-License-Identifier: GPL-2.0-or-later
# qga-fake-admin.dll: test doubles of the COM+ catalog and of the VSS coordinator's IVssAdmin,
# registered in test Wine prefixes under the real CLSIDs (tests/fakes/admin/fake.h).  Test-only.

FAKE_ADMIN_SRCS := $(sort $(wildcard tests/fakes/admin/*.c)) win/common/comadmin-guids.c \
                   win/common/com-server.c win/common/trace.c
FAKE_ADMIN_OBJS := $(patsubst %.c,$(B)/win/%.o,$(FAKE_ADMIN_SRCS))
FAKE_ADMIN_DLL  := $(B)/tests/qga-fake-admin.dll

$(FAKE_ADMIN_DLL): $(FAKE_ADMIN_OBJS) tests/fakes/admin/qga-fake-admin.def
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $(FAKE_ADMIN_OBJS) tests/fakes/admin/qga-fake-admin.def \
	    $(WIN_DLL_LDFLAGS) -lole32 -loleaut32 -luuid -ladvapi32

TEST_ARTIFACTS += $(FAKE_ADMIN_DLL)
