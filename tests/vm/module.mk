# SPDX-License-Identifier: GPL-2.0-or-later
# The VM tier: pytest against a QEMU guest through harness/vm.py (Linux+Wine, or Windows with
# QGA_TEST_IMAGE=/path/to/windows.qcow2 made by images/windows/make-image).

.PHONY: check-vm check-vm-smoke
## check-vm: VM end to end: freeze, QMP snapshot while frozen, thaw, reconnect, power-off
check-vm: all linux-wine-image
	$(Q)$(PYTEST) -q tests/vm $(PYTEST_ARGS)

## check-vm-smoke: one boot of the Linux+Wine guest with qemu-ga.exe, and the harness vs Linux qemu-ga
check-vm-smoke: all linux-wine-image
	$(Q)$(PYTEST) -q tests/vm/test_reference_agent.py tests/vm/test_smoke.py $(PYTEST_ARGS)

CHECK_TARGETS += check-vm-smoke
