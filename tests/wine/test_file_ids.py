# SPDX-License-Identifier: GPL-2.0-or-later
"""guest-file-open's handle ids across agent restarts (the counter in the state directory).

A module of its own: it starts its own agents, and only one agent may run at a time (the
single-instance guard), so it must not share the run with a module's agent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness.errors import ExecuteError
from harness.wine import AgentProcess, WineSession


def test_counter_survives_agent_restart(wine: WineSession, start_agent: Any, tmp_path: Path) -> None:
    """Ids continue after a restart with the same state directory, so a stale id never names a new file."""
    state = tmp_path / "state"
    state.mkdir()
    target = wine.windows_path(tmp_path / "c.txt")

    first: AgentProcess = start_agent(["-t", wine.windows_path(state)])
    ids = [first.client.execute("guest-file-open", {"path": target, "mode": "w"}) for _ in range(3)]
    assert ids == sorted(set(ids)) and ids[0] >= 1000
    first.close()

    second: AgentProcess = start_agent(["-t", wine.windows_path(state)])
    later = second.client.execute("guest-file-open", {"path": target, "mode": "w"})
    assert later > max(ids)
    with pytest.raises(ExecuteError) as info:
        second.client.execute("guest-file-read", {"handle": ids[0]})
    assert info.value.desc == f"handle '{ids[0]}' has not been found"
    # qemu-ga's state file and key, so either agent continues the other's ids
    assert "fd_counter=" in (state / "qga.state").read_text()
