# SPDX-License-Identifier: GPL-2.0-or-later
# qga-vss.dll: the VSS provider (win/provider), the requester (win/requester) and win/common,
# exports from qga-vss.def; plus qga-vss.tlb next to it (checked in under tlb/, see tlb/module.mk).

VSS_DLL_SRCS := $(sort $(wildcard win/provider/*.c win/requester/*.c win/common/*.c))
VSS_DLL_OBJS := $(patsubst %.c,$(B)/win/%.o,$(VSS_DLL_SRCS))
VSS_DLL_DEF  := win/provider/qga-vss.def
VSS_DLL_LIBS := -lvssapi -lole32 -loleaut32 -luuid -ladvapi32

ALL_TARGETS += $(B)/qga-vss.dll $(B)/qga-vss.tlb

$(VSS_DLL_OBJS): $(B)/gen/version.h

$(B)/qga-vss.dll: $(VSS_DLL_OBJS) $(VSS_DLL_DEF)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(WIN_CC) $(WIN_CFLAGS) -o $@ $(VSS_DLL_OBJS) $(VSS_DLL_DEF) $(WIN_DLL_LDFLAGS) $(VSS_DLL_LIBS)
	$(Q)$(SPLIT_DEBUG)

$(B)/qga-vss.tlb: tlb/qga-vss.tlb
	@mkdir -p $(@D)
	$(Q)cp $< $@
