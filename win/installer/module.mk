# SPDX-License-Identifier: GPL-2.0-or-later
# The MSI: wixl, made reproducible by toolchain/repro-shim.c (fixed clock, seeded UUIDs).
# Any version can be built for upgrade tests: make build/qga-win-0.0.1-x86_64.msi

MSI          := $(B)/qga-win-$(VERSION)-x86_64.msi
MSI_PAYLOAD  := $(B)/qemu-ga.exe $(B)/qga-vss.dll $(B)/qga-vss.tlb

ALL_TARGETS += $(MSI)

# wixl cannot mark an action as rollback: type 50 (exe from property) | Return=ignore (0x40) |
# in-script (0x400) | rollback (0x100) | no impersonation (0x800).
MSI_ROLLBACK_TYPE := 3442

# The cabinet records each file's mtime: the payload is staged with SOURCE_DATE_EPOCH times.
# ProductCode changes with the version (a major upgrade); the package code is derived from the
# version and the payload, so identical inputs give an identical file.
$(B)/qga-win-%-x86_64.msi: win/installer/qga-win.wxs $(MSI_PAYLOAD) $(REPRO_SHIM)
	@$(if $(Q),echo "  WIXL    $@")
	$(Q)rm -rf $(B)/msi-stage-$* && mkdir -p $(B)/msi-stage-$* && cp $(MSI_PAYLOAD) $(B)/msi-stage-$*/ && \
	touch -d @$(SOURCE_DATE_EPOCH) $(B)/msi-stage-$*/* && \
	product=$$($(PYTHON) -c 'import uuid,sys; print("{%s}" % str(uuid.uuid5(uuid.UUID("794ae6e7-9681-466d-a443-1729a9334f1d"), "product-" + sys.argv[1])).upper())' $*) && \
	seed=$$(cat $< $(MSI_PAYLOAD) | { cat; echo "$*"; } | sha256sum | cut -c1-32) && \
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) QGA_REPRO_UUID_SEED=$$seed LD_PRELOAD=$(abspath $(REPRO_SHIM)) \
	    wixl -a x64 -D Version=$* -D ProductCode=$$product -D BuildDir=$(B)/msi-stage-$* -o $@.tmp $< && \
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) LD_PRELOAD=$(abspath $(REPRO_SHIM)) \
	    msibuild $@.tmp -q "UPDATE CustomAction SET Type = $(MSI_ROLLBACK_TYPE) WHERE Action = 'vss_register_rollback'" && \
	mv $@.tmp $@ && rm -rf $(B)/msi-stage-$*

.PHONY: msi
## msi: build/qga-win-<version>-x86_64.msi (exe, dll, tlb, service, Event Log source, VSS registration)
msi: $(MSI)

# An older build of the same payload, for the upgrade and downgrade tests (tests/wine/test_msi.py).
MSI_OLD := $(B)/qga-win-0.0.1-x86_64.msi
TEST_ARTIFACTS += $(MSI_OLD)
