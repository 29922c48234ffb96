# SPDX-License-Identifier: GPL-2.0-or-later
"""The COM+ catalog and IVssAdmin test doubles reject misuse as the real ones do.

tests/wine/com/test-fakes.c drives them through COM: plain strings where BSTRs belong, unknown
or read-only properties, values out of range, unsaved parents, duplicate roles and role members,
accounts that do not exist, services and components for missing applications, a class installed
twice, providers registered twice or before their class is in COM+. If a double accepted these,
the registration tests (test_vss_register.py) would prove nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness import tap
from harness.admin_fakes import AdminFakes
from harness.wine import WineSession


def test_doubles_enforce_the_contract(wine: WineSession, admin_fakes: AdminFakes, build_dir: Path) -> None:
    exe = build_dir / "tests" / "test-fakes.exe"
    if not exe.is_file():
        pytest.fail(f"{exe} is missing: `make check-wine` builds it", pytrace=False)
    directory = wine.scratch / "fakes-contract"
    directory.mkdir(exist_ok=True)
    for name in ("qga-vss.dll", "qga-vss.tlb"):
        shutil.copy(build_dir / name, directory / name)
    admin_fakes.reset()
    admin_fakes.clear_trace()

    dll = wine.windows_path(directory / "qga-vss.dll")
    result = tap.run(wine, exe, [dll], env=admin_fakes.env(), timeout=120)
    assert result.ok, result.summary()
    # The refusals are in the trace with the reason the double gave.
    notes = [call.args["note"] for call in admin_fakes.calls() if "note" in call.args]
    assert any("is already installed in application" in note for note in notes), notes
    assert any("no account named" in note for note in notes), notes
    state = admin_fakes.state()
    assert state.applications == [] and state.providers == []
