# SPDX-License-Identifier: GPL-2.0-or-later
# Tests of the harness library itself (QMP client against a real QEMU and a scripted fake),
# plus the type and style checks (mypy one directory at a time: each has its own conftest.py)
# that style.md section 9 asks of harness/ and every Python test.

PY_LINT_PATHS = $(patsubst %/,%,$(sort $(dir $(wildcard $(addsuffix /*.py,harness tests/harness tests/vm tests/ci \
                  images/linux-wine)))))
FLAKE8        := flake8 --max-line-length=110
MYPY          := mypy --strict --cache-dir=$(B)/mypy

.PHONY: check-harness lint-python
## check-harness: harness/ tests (QMP vs QEMU -machine none and a fake), .gitlab-ci.yml structure, lint
check-harness: lint-python
	$(Q)$(PYTEST) -q tests/harness tests/ci $(PYTEST_ARGS)

## lint-python: mypy --strict and flake8 over the harness and the Python tests
lint-python:
	$(Q)$(FLAKE8) $(PY_LINT_PATHS)
	@mkdir -p $(B)
	$(Q)for d in $(PY_LINT_PATHS); do \
	    $(MYPY) $$d >$(B)/mypy.log 2>&1 || { cat $(B)/mypy.log; exit 1; }; done

CHECK_TARGETS += check-harness
