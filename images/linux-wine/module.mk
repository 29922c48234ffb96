# SPDX-License-Identifier: GPL-2.0-or-later
# The Linux+Wine test guest of the VM tier (images/linux-wine/build.py; cached, seconds to rebuild).

LINUX_WINE_OUT := $(B)/images/linux-wine

.PHONY: linux-wine-image
## linux-wine-image: the Linux+Wine VM guest: Debian kernel + initramfs (apt-get download), Wine prefix
# C:\qga gets qemu-ga.exe and, once it is built, qga-vss.dll (the agent loads it from its folder);
# the prefix gets the fake VSS coordinator (tests/fakes/vss) in place of Wine's stub.
linux-wine-image: all
	$(Q)$(PYTHON) images/linux-wine/build.py --out $(LINUX_WINE_OUT) --payload $(B)/qemu-ga.exe \
	    $$(test -f $(B)/qga-vss.dll && echo --payload $(B)/qga-vss.dll) --fake-vss $(B)/tests/fakes/vss
