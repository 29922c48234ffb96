# SPDX-License-Identifier: GPL-2.0-or-later
"""The cross-built VSS test programs under Wine, with the fake VSS coordinator installed:

- test-fake-vss.exe proves the fake enforces the VSS contract (call order, volumes, providers,
  the hold-writes window, a dying service) while acting as its own requester;
- test-requester.exe drives qga-vss.dll's requester ABI through every fault of the scenario
  list, the freeze-list cases, the hold window and the per-call options.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from harness import tap
from harness.admin_fakes import AdminFakes
from harness.fake_vss import FakeVss
from harness.wine import WineSession


@pytest.fixture(scope="module")
def fake_vss(wine: WineSession, repo: Path, build_dir: Path, admin_fakes: AdminFakes) -> Iterator[FakeVss]:
    dll = build_dir / "qga-vss.dll"
    if not dll.is_file() and not (repo / "win" / "provider" / "module.mk").is_file():
        pytest.skip("qga-vss.dll is not part of this tree yet (win/provider/module.mk builds it)")
    if not dll.is_file():
        pytest.fail(f"{dll} is missing: build it with `make`", pytrace=False)
    fake = FakeVss(wine, build_dir, name="vss-programs")
    fake.install(admin_fakes)
    yield fake


def test_fake_coordinator_enforces_the_contract(wine: WineSession, build_dir: Path,
                                                fake_vss: FakeVss) -> None:
    result = tap.run(wine, build_dir / "tests" / "fakes" / "vss" / "test-fake-vss.exe")
    assert result.ok, result.summary()


def test_requester_abi(wine: WineSession, build_dir: Path, fake_vss: FakeVss) -> None:
    dll = wine.windows_path(build_dir / "qga-vss.dll")
    result = tap.run(wine, build_dir / "tests" / "wine" / "vss" / "test-requester.exe", [dll])
    assert result.ok, result.summary()
