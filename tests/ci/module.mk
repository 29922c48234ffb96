# SPDX-License-Identifier: GPL-2.0-or-later
# Static checks of the CI configuration and the image recipes (nothing here boots a VM).

SHELLCHECK := $(shell command -v shellcheck 2>/dev/null)
IMAGE_SCRIPTS := images/linux-wine/init images/linux-wine/agent.sh images/windows/make-image

.PHONY: check-ci
## check-ci: .gitlab-ci.yml structure, autounattend.xml, image scripts (sh -n, shellcheck), build.py lint
check-ci: all
	$(Q)for f in $(IMAGE_SCRIPTS); do sh -n $$f || exit 1; done
	$(Q)$(if $(SHELLCHECK),$(SHELLCHECK) -s sh $(IMAGE_SCRIPTS),echo "check-ci: shellcheck not installed, skipped")
	$(Q)$(MYPY) images/linux-wine
	$(Q)$(FLAKE8) images/linux-wine
	$(Q)$(PYTEST) -q tests/ci $(PYTEST_ARGS)

CHECK_TARGETS += check-ci
