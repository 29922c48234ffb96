# SPDX-License-Identifier: GPL-2.0-or-later
# Build-wide checks: reproducibility and PE imports.

.PHONY: repro-check
## repro-check: build twice in two fresh directories and compare the PE files byte for byte
repro-check:
	$(Q)./toolchain/repro-check

CHECK_TARGETS += repro-check

# LD_PRELOAD shim that pins widl's and wixl's clock and UUIDs (used by tlb/ and win/installer/).
$(REPRO_SHIM): toolchain/repro-shim.c
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) -shared -fPIC -O2 -Wall -Wextra -Werror -o $@ $<
