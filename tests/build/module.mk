# SPDX-License-Identifier: GPL-2.0-or-later
# Checks of the built artifacts that need no Wine: MSI tables, PE imports and hardening flags.

.PHONY: check-package
## check-package: MSI table checks, PE imports limited to system DLLs, PE hardening flags
check-package: all
	$(Q)QGA_BUILD_DIR=$(B) $(PYTEST) -q tests/build

CHECK_TARGETS += check-package
