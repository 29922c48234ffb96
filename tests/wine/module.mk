# SPDX-License-Identifier: GPL-2.0-or-later
# pytest tier that runs the real binaries under Wine (one prefix per run, harness/wine.py).

.PHONY: check-wine
## check-wine: pytest under Wine against the real qemu-ga.exe (and qga-vss.dll)
check-wine: all
	$(Q)QGA_BUILD_DIR=$(abspath $(B)) $(PYTEST) -q tests/wine $(PYTEST_ARGS)

CHECK_TARGETS += check-wine
