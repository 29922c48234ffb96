# SPDX-License-Identifier: GPL-2.0-or-later
"""The COM+ catalog and IVssAdmin test doubles (tests/fakes/admin, qga-fake-admin.dll) in a Wine session.

Wine has no COM+ catalog and no VSS coordinator (wine-notes.md §5). The doubles are registered
under the real CLSIDs, keep their state in the prefix's registry, append every call to a JSON-lines
trace and fail the calls they are told to (tests/fakes/admin/fake.h). This module installs them,
points a process at the trace and at faults (by environment, or by registry for processes that do
not inherit the test's environment, such as msiexec's custom actions), and reads calls and state.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import HarnessError
from .wine import WineSession

log = logging.getLogger(__name__)

FAKES_KEY = r"HKLM\Software\QgaWinTests\Fakes"
STORE_KEYS = (FAKES_KEY + r"\ComPlus", FAKES_KEY + r"\Vss")


@dataclass(frozen=True)
class FakeCall:
    """One line of the trace: which double, which call, its arguments and its HRESULT."""

    pid: int
    object: str
    call: str
    args: Mapping[str, Any]
    hr: int

    @property
    def succeeded(self) -> bool:
        return self.hr < 0x80000000


@dataclass(frozen=True)
class FakeState:
    """What the doubles hold: COM+ applications (with components and roles) and VSS providers."""

    applications: list[dict[str, Any]] = field(default_factory=list)
    providers: list[dict[str, Any]] = field(default_factory=list)

    def applications_named(self, name: str) -> list[dict[str, Any]]:
        return [app for app in self.applications if str(app.get("Name", "")).lower() == name.lower()]


class AdminFakes:
    """qga-fake-admin.dll registered in a session; trace in the session's scratch directory."""

    def __init__(self, session: WineSession, dll: str | os.PathLike[str]) -> None:
        self.session = session
        self.dll = Path(dll)
        self.trace_path = session.scratch / f"fake-admin-{session.next_serial()}.jsonl"
        self._state_path = session.scratch / f"fake-admin-state-{session.next_serial()}.json"
        self.installed = False

    def install(self) -> None:
        """regsvr32 the doubles under CLSID_COMAdminCatalog and CLSID_VSSCoordinator."""
        if not self.dll.is_file():
            raise HarnessError(f"{self.dll} does not exist (run `make check-wine` or build it)")
        self.session.run(["regsvr32", "/s", self.session.windows_path(self.dll)]).check()
        self.installed = True

    def uninstall(self) -> None:
        """Unregister the doubles (the catalog and coordinator classes disappear)."""
        self.session.run(["regsvr32", "/u", "/s", self.session.windows_path(self.dll)]).check()
        self.installed = False

    def env(self, fail: str | None = None) -> dict[str, str]:
        """Environment for a process using the doubles: trace to trace_path, fail the given calls.

        fail: "Call[#n][=0xHRESULT],..." (fake.h), e.g. "InstallComponent=0x80110401".
        """
        result = {"QGA_FAKE_TRACE": self.session.windows_path(self.trace_path)}
        if fail:
            result["QGA_FAKE_FAIL"] = fail
        return result

    def configure(self, fail: str | None = None) -> None:
        """The same settings in the registry, for processes that do not inherit our environment."""
        self.session.run(["reg", "add", FAKES_KEY, "/v", "Trace", "/t", "REG_SZ", "/d",
                          self.session.windows_path(self.trace_path), "/f"]).check()
        if fail:
            self.session.run(["reg", "add", FAKES_KEY, "/v", "Fail", "/t", "REG_SZ", "/d", fail,
                              "/f"]).check()
        else:
            self.session.run(["reg", "delete", FAKES_KEY, "/v", "Fail", "/f"])

    def reset(self) -> None:
        """Forget every application and provider (the store only; services are left alone)."""
        for key in STORE_KEYS:
            self.session.run(["reg", "delete", key, "/f"])

    def clear_trace(self) -> None:
        self.trace_path.unlink(missing_ok=True)

    def calls(self) -> list[FakeCall]:
        """Every traced call so far, in order."""
        try:
            text = self.trace_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        result = []
        for line in text.splitlines():
            if not line.strip():
                continue
            raw = json.loads(line)
            result.append(FakeCall(pid=int(raw["pid"]), object=str(raw["object"]), call=str(raw["call"]),
                                   args=dict(raw["args"] or {}), hr=int(str(raw["hr"]), 16)))
        return result

    def call_names(self) -> list[str]:
        return [call.call for call in self.calls()]

    def state(self) -> FakeState:
        """The doubles' store, read through qga-fake-admin.dll,FakeDumpState."""
        self._state_path.unlink(missing_ok=True)
        self.session.run(["rundll32", f"{self.session.windows_path(self.dll)},FakeDumpState",
                          self.session.windows_path(self._state_path)]).check()
        raw = json.loads(self._state_path.read_text(encoding="utf-8"))
        return FakeState(applications=list(raw["applications"]), providers=list(raw["providers"]))
