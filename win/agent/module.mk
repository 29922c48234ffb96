# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-ga.exe: portable core + Windows layer + commands.

AGENT_CORE_SRCS     := $(sort $(wildcard win/agent/core/*.c))
# Command files that are portable (no <windows.h>): built natively for unit tests and fuzzers too.
AGENT_PORTABLE_CMDS := win/agent/commands/protocol.c win/agent/commands/table.c
AGENT_WIN_SRCS      := $(sort $(wildcard win/agent/platform/*.c win/agent/commands/*.c))
AGENT_OBJS          := $(patsubst %.c,$(B)/win/%.o,$(AGENT_CORE_SRCS) $(AGENT_WIN_SRCS)) \
                       $(B)/win/win/agent/platform/messages.res.o
AGENT_LIBS          := -lws2_32 -liphlpapi -lnetapi32 -lwtsapi32 -lsetupapi -lcfgmgr32 -lpdh \
                       -ladvapi32 -lole32 -loleaut32 -luuid -luserenv -lpowrprof -lshlwapi -lversion

# Host (native) objects of the portable part, used by tests/unit and the fuzzers.
AGENT_HOST_OBJS     := $(patsubst %.c,$(B)/host/%.o,$(AGENT_CORE_SRCS) $(AGENT_PORTABLE_CMDS))

ALL_TARGETS += $(B)/qemu-ga.exe

$(B)/gen/version.h: VERSION
	@mkdir -p $(@D)
	$(Q)printf '#define QGA_VERSION "%s"\n' "$(VERSION)" > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

$(AGENT_OBJS) $(AGENT_HOST_OBJS): $(B)/gen/version.h

$(B)/win/win/agent/platform/messages.rc: win/agent/platform/messages.mc
	@mkdir -p $(@D)
	$(Q)$(WIN_WINDMC) -U -h $(@D) -r $(@D) $<

$(B)/win/win/agent/platform/messages.res.o: $(B)/win/win/agent/platform/messages.rc
	$(Q)$(WIN_WINDRES) -I$(<D) $< -o $@

$(B)/qemu-ga.exe: $(AGENT_OBJS)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $^ $(WIN_LDFLAGS) $(AGENT_LIBS)
	$(Q)$(SPLIT_DEBUG)
