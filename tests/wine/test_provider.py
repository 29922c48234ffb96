# SPDX-License-Identifier: GPL-2.0-or-later
"""The VSS provider object through COM under Wine: tests/wine/com/test-provider.c, a cross-built
program in Wine's test style, drives every method, QueryInterface and reference counting,
the class factory and DllCanUnloadNow, after regsvr32 registered qga-vss.dll (COM+ and VSS
through the test doubles). Its TAP output is checked here line by line.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from harness import tap
from harness.admin_fakes import AdminFakes
from harness.wine import WineSession


@pytest.fixture(scope="module")
def registered_dll(wine: WineSession, admin_fakes: AdminFakes, build_dir: Path) -> Iterator[Path]:
    """qga-vss.dll (with its tlb) in a directory of its own, registered with regsvr32."""
    directory = wine.scratch / "provider-com"
    directory.mkdir(exist_ok=True)
    for name in ("qga-vss.dll", "qga-vss.tlb"):
        shutil.copy(build_dir / name, directory / name)
    dll = directory / "qga-vss.dll"
    wine.run(["regsvr32", "/s", wine.windows_path(dll)], env=admin_fakes.env()).check()
    yield dll
    wine.run(["regsvr32", "/u", "/s", wine.windows_path(dll)], env=admin_fakes.env()).check()


def test_provider_through_com(wine: WineSession, registered_dll: Path, build_dir: Path) -> None:
    exe = build_dir / "tests" / "test-provider.exe"
    if not exe.is_file():
        pytest.fail(f"{exe} is missing: `make check-wine` builds it", pytrace=False)
    result = tap.run(wine, exe, timeout=120)
    assert result.ok, result.summary()
    assert len(result.passed) > 50
    # The parts the program checks, named, so a silently skipped part fails here.
    names = {line.split(" ", 1)[1].split(":", 1)[0] for line in result.passed}
    assert {"test_create", "test_query_interface", "test_class_factory", "test_volumes", "test_snapshots",
            "test_commit_thaw", "test_commit_timeout", "test_notifications", "test_type_library"} <= names


def test_registered_class_points_at_the_dll(wine: WineSession, registered_dll: Path) -> None:
    result = wine.run(["reg", "query", r"HKCR\CLSID\{63C1E77D-D80D-4D7F-8217-DD37576644A4}\InprocServer32"])
    assert result.returncode == 0, result.err
    assert wine.windows_path(registered_dll) in result.out
    assert "Apartment" in result.out
