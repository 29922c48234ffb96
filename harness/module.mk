# SPDX-License-Identifier: GPL-2.0-or-later
# harness: the Python library the tests import (style.md §9): type check, lint, unit tests, demo.

FLAKE8     := flake8 --max-line-length=110
MYPY       := mypy --strict --cache-dir=$(B)/mypy-cache
# Each test directory is checked on its own: several hold a conftest.py.
PY_TEST_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard tests/*/*.py))))

.PHONY: check-py check-harness demo
## check-py: mypy --strict and flake8 over harness/ and the Python tests
check-py:
	$(Q)$(MYPY) harness
	$(Q)set -e; for d in $(PY_TEST_DIRS); do $(MYPY) $$d; done
	$(Q)$(FLAKE8) harness $(PY_TEST_DIRS)

## check-harness: unit tests of the harness itself (framing, client vs a fake agent; no Wine)
check-harness:
	$(Q)$(PYTEST) -q tests/harness_unit $(PYTEST_ARGS)

## demo: build, start qemu-ga.exe under Wine on a pty COM port, print a scripted exchange
demo: all
	$(Q)$(PYTHON) -m harness.demo --build-dir $(B)

CHECK_TARGETS += check-py check-harness
