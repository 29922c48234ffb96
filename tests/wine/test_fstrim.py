# SPDX-License-Identifier: GPL-2.0-or-later
"""guest-fstrim of the real qemu-ga.exe under Wine.

Wine 8 reports Windows 7 unless the prefix says otherwise (retrim needs Windows 8), and has no
defrag.exe. A module of its own: it starts agents with different Wine version settings, and only
one agent may run at a time (the single-instance guard).
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from harness.errors import ExecuteError
from harness.wine import AgentProcess, WineSession

APP_DEFAULTS = r"HKCU\Software\Wine\AppDefaults\qemu-ga.exe"


def test_fstrim_refused_before_windows_8(start_agent: Any) -> None:
    process: AgentProcess = start_agent()
    with pytest.raises(ExecuteError) as info:
        process.client.execute("guest-fstrim")
    assert (info.value.error_class, info.value.desc) == ("GenericError", "fstrim is only supported for Win8+")


@pytest.fixture
def windows10(wine: WineSession) -> Iterator[None]:
    """Wine's per-program Windows version for qemu-ga.exe set to 10; removed afterwards."""
    wine.run(["reg", "add", APP_DEFAULTS, "/v", "Version", "/t", "REG_SZ", "/d", "win10", "/f"]).check()
    try:
        yield
    finally:
        wine.run(["reg", "delete", APP_DEFAULTS, "/v", "Version", "/f"]).check()


def test_fstrim_reports_each_fixed_volume(windows10: None, start_agent: Any) -> None:
    """As Windows 10: one result per fixed volume (C: and Z: under Wine), each with the reason defrag
    could not run (no defrag.exe in Wine); "minimum" is accepted and ignored."""
    process: AgentProcess = start_agent()
    reply = process.client.execute("guest-fstrim", {"minimum": 4096}, timeout=120.0)
    assert set(reply) == {"paths"}
    paths = {entry["path"]: entry for entry in reply["paths"]}
    assert {"C:\\", "Z:\\"} <= set(paths)
    for entry in paths.values():
        assert set(entry) == {"path", "error"}
        assert entry["error"].startswith("failed to run defrag: ") and "(error 2)" in entry["error"]
