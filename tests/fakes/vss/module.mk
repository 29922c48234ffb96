# SPDX-License-Identifier: GPL-2.0-or-later
# The fake VSS coordinator (test-only, never shipped): vssapi.dll, the requester-side half, and
# fake-vss-service.exe, the "VSS service" that loads our real provider; plus its own test program.

FAKE_VSS_OUT      := $(B)/tests/fakes/vss
FAKE_VSSAPI_SRCS  := tests/fakes/vss/fake-vssapi.c tests/fakes/vss/fake-vssapi-objects.c
FAKE_VSS_SVC_SRCS := tests/fakes/vss/fake-vss-service.c tests/fakes/vss/fake-vss-scenario.c \
                     tests/fakes/vss/fake-vss-snapshot.c tests/fakes/vss/fake-vss-trace.c
FAKE_VSS_TEST_SRCS := tests/fakes/vss/test-fake-vss.c
FAKE_VSS_OBJS     := $(patsubst %.c,$(B)/win/%.o,$(FAKE_VSSAPI_SRCS) $(FAKE_VSS_SVC_SRCS) $(FAKE_VSS_TEST_SRCS))
FAKE_VSS_LIBS     := -lole32 -loleaut32 -luuid

# GetSystemTimePreciseAsFileTime (Windows 8) for the trace's timestamps; test-only code.
$(FAKE_VSS_OBJS): WIN_CFLAGS += -U_WIN32_WINNT -D_WIN32_WINNT=0x0602
$(patsubst %.c,$(B)/win/%.o,$(FAKE_VSS_TEST_SRCS)): WIN_CFLAGS += -Itests/common

FAKE_VSS_BINS := $(FAKE_VSS_OUT)/vssapi.dll $(FAKE_VSS_OUT)/fake-vss-service.exe $(FAKE_VSS_OUT)/test-fake-vss.exe
ALL_TARGETS += $(FAKE_VSS_BINS)

# DllMain and the module handle: win/common/com-server.c (built with the DLL's usual flags).
$(FAKE_VSS_OUT)/vssapi.dll: $(patsubst %.c,$(B)/win/%.o,$(FAKE_VSSAPI_SRCS)) $(B)/win/win/common/com-server.o \
                            $(B)/win/win/common/trace.o tests/fakes/vss/fake-vssapi.def
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $(filter %.o,$^) tests/fakes/vss/fake-vssapi.def $(WIN_DLL_LDFLAGS) $(FAKE_VSS_LIBS)

$(FAKE_VSS_OUT)/fake-vss-service.exe: $(patsubst %.c,$(B)/win/%.o,$(FAKE_VSS_SVC_SRCS)) $(B)/win/win/common/guids.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $^ $(WIN_LDFLAGS) $(FAKE_VSS_LIBS)

$(FAKE_VSS_OUT)/test-fake-vss.exe: $(patsubst %.c,$(B)/win/%.o,$(FAKE_VSS_TEST_SRCS)) $(B)/win/win/common/guids.o \
                                   $(B)/win/tests/common/test-files.o
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $^ $(WIN_LDFLAGS) $(FAKE_VSS_LIBS)
