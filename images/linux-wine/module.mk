# SPDX-License-Identifier: GPL-2.0-or-later
# The Linux+Wine test guest of the VM tier (images/linux-wine/build.py; cached, seconds to rebuild).

LINUX_WINE_OUT     := $(B)/images/linux-wine
# Installed in C:\qga of the guest's Wine prefix.
LINUX_WINE_PAYLOAD := $(B)/qemu-ga.exe

.PHONY: linux-wine-image
## linux-wine-image: the Linux+Wine VM guest: Debian kernel + initramfs (apt-get download), Wine prefix
linux-wine-image: $(LINUX_WINE_PAYLOAD)
	$(Q)$(PYTHON) images/linux-wine/build.py --out $(LINUX_WINE_OUT) $(addprefix --payload ,$(LINUX_WINE_PAYLOAD))
