# SPDX-License-Identifier: GPL-2.0-or-later
# pytest tier that runs the real binaries under Wine (one prefix per run, harness/wine.py).

# Test programs and doubles (TEST_ARTIFACTS, appended by any module.mk, whatever its include order).
.PHONY: check-wine test-artifacts
.SECONDEXPANSION:
## test-artifacts: build the test programs and doubles the Wine tier runs (check-wine builds them)
test-artifacts: $$(TEST_ARTIFACTS)

## check-wine: pytest under Wine against the real qemu-ga.exe (and qga-vss.dll)
check-wine: all test-artifacts
	$(Q)QGA_BUILD_DIR=$(abspath $(B)) $(PYTEST) -q tests/wine $(PYTEST_ARGS)

CHECK_TARGETS += check-wine
