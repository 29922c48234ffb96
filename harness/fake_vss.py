# SPDX-License-Identifier: GPL-2.0-or-later
"""The fake VSS coordinator in a Wine prefix: install it, choose a scenario, read its trace.

The fake (tests/fakes/vss) is a mingw vssapi.dll, loaded instead of Wine's stub through a
DllOverrides entry (shared/reference/wine-notes.md section 4), that forwards every
IVssBackupComponents call to fake-vss-service.exe; the service plays the VSS service: simulated
writers, our real provider loaded through COM in its own process, the 10-second hold window.
Both binaries go into the prefix's system32, so any Wine program of the prefix (the agent, a
service, the VM guest) finds them without WINEDLLOVERRIDES.

The scenario file (path in QGA_FAKE_VSS_SCENARIO) is read at every CreateVssBackupComponents,
so a test changes it between freezes without restarting anything. Directives are documented in
tests/fakes/vss/fake-vss-scenario.c. The trace (QGA_FAKE_VSS_TRACE) is JSON lines, one per call:
seq, t (Unix seconds), mono_us, pid, session, actor, call, hr, dur_us, args. Actors: requester
(IVssBackupComponents calls, written when the call returns: dur_us is the coordinator's own time
for it, what a benchmark subtracts), provider (our provider's methods, as the coordinator called
them), writer (simulated writer events), coordinator (async completions, the hold window,
misuse, faults, release).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Final, Iterable

from .admin_fakes import AdminFakes
from .errors import DeadlineError, HarnessError
from .wine import WineSession

PROVIDER_CLSID: Final = "{63C1E77D-D80D-4D7F-8217-DD37576644A4}"   # win/common/guids.h
SCENARIO_ENV: Final = "QGA_FAKE_VSS_SCENARIO"
TRACE_ENV: Final = "QGA_FAKE_VSS_TRACE"
FAKE_FILES: Final = ("vssapi.dll", "fake-vss-service.exe")
DEFAULTS_KEY: Final = r"HKLM\Software\qga-win\FakeVss"     # tests/fakes/vss/fake-vss.h
POLL_S: Final = 0.01


@dataclass(frozen=True)
class TraceEvent:
    """One line of the fake's trace."""

    seq: int
    t: float
    mono_us: int
    session: int
    actor: str
    call: str
    hr: int | None
    dur_us: int | None
    args: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def parse(cls, line: str) -> TraceEvent:
        d = json.loads(line)
        hr = d.get("hr")
        return cls(seq=int(d["seq"]), t=float(d["t"]), mono_us=int(d["mono_us"]), session=int(d["session"]),
                   actor=str(d["actor"]), call=str(d["call"]), hr=int(hr, 16) if hr is not None else None,
                   dur_us=d.get("dur_us"), args=dict(d.get("args", {})))

    @property
    def key(self) -> str:
        """actor:call, the unit call-order assertions compare."""
        return f"{self.actor}:{self.call}"


class FakeVss:
    """The fake's files in a session's prefix, one scenario file and one trace file.

    install() once per session; env is what the agent (or any requester) needs in its
    environment. mark() then events(since=mark) reads what happened after a point.
    """

    def __init__(self, session: WineSession, build_dir: Path, name: str = "fake-vss") -> None:
        self.session = session
        self.build_dir = build_dir
        self.scenario_path = session.scratch / f"{name}.scenario"
        self.trace_path = session.scratch / f"{name}.trace.jsonl"
        self.scenario_path.write_text("")
        self.trace_path.write_text("")

    @property
    def env(self) -> dict[str, str]:
        return {SCENARIO_ENV: self.session.windows_path(self.scenario_path),
                TRACE_ENV: self.session.windows_path(self.trace_path)}

    def install(self, admin: AdminFakes | None = None) -> None:
        """Copy the fake into system32, prefer it to Wine's builtin, register our provider, and
        make this scenario and trace the defaults of processes that lack the variables (a
        service started by services.exe): the variables win where they are set."""
        system32 = self.session.prefix / "drive_c" / "windows" / "system32"
        for name in FAKE_FILES:
            source = self.build_dir / "tests" / "fakes" / "vss" / name
            if not source.is_file():
                raise HarnessError(f"{source} is missing: build it with `make`")
            shutil.copyfile(source, system32 / name)
        self._reg("add", r"HKCU\Software\Wine\DllOverrides", "/v", "vssapi", "/d", "native,builtin", "/f")
        self.register_provider(self.build_dir / "qga-vss.dll", admin)
        for name, value in (("Scenario", self.env[SCENARIO_ENV]), ("Trace", self.env[TRACE_ENV])):
            self._reg("add", DEFAULTS_KEY, "/v", name, "/d", value, "/f")

    def register_provider(self, dll: Path, admin: AdminFakes | None = None) -> None:
        """Register our provider as an installation does: `regsvr32 qga-vss.dll` (COM+ application,
        COM class, IVssAdmin::RegisterProvider), through the COM+ catalog and IVssAdmin test
        doubles when given; the coordinator then finds the provider's class where RegisterProvider
        put it.  Without them, only the COM class keys that class_register() writes."""
        if admin is not None:
            result = self.session.run(["regsvr32", "/s", self.session.windows_path(dll)], env=admin.env())
            if result.returncode != 0:
                raise HarnessError(f"regsvr32 {dll} failed ({result.returncode}): {result.err}")
            return
        key = rf"HKCR\CLSID\{PROVIDER_CLSID}\InprocServer32"
        self._reg("add", key, "/ve", "/d", self.session.windows_path(dll), "/f")
        self._reg("add", key, "/v", "ThreadingModel", "/d", "Apartment", "/f")

    def unregister_provider(self, dll: Path, admin: AdminFakes | None = None) -> None:
        if admin is not None:
            result = self.session.run(["regsvr32", "/u", "/s", self.session.windows_path(dll)],
                                      env=admin.env())
            if result.returncode != 0:
                raise HarnessError(f"regsvr32 /u {dll} failed ({result.returncode}): {result.err}")
            return
        self._reg("delete", rf"HKCR\CLSID\{PROVIDER_CLSID}", "/f")

    def _reg(self, *args: str) -> None:
        result = self.session.run(["reg", *args])
        if result.returncode != 0:
            raise HarnessError(f"reg {' '.join(args)} failed: {result.err}")

    def scenario(self, text: str = "") -> None:
        """Set the scenario the next CreateVssBackupComponents reads ("" = defaults)."""
        self.scenario_path.write_text(text)

    def mark(self) -> int:
        """A position in the trace; events(since=mark) returns what was written after it."""
        return self.trace_path.stat().st_size

    def events(self, since: int = 0) -> list[TraceEvent]:
        with open(self.trace_path, "rb") as f:
            f.seek(since)
            data = f.read()
        return [TraceEvent.parse(line) for line in data.decode("utf-8").splitlines() if line.strip()]

    def wait(self, done: Callable[[list[TraceEvent]], bool], *, since: int = 0, timeout: float = 30.0,
             what: str = "a trace event") -> list[TraceEvent]:
        """Wait until done(events since mark) holds; the service writes from another process."""
        deadline = time.monotonic() + timeout
        while True:
            events = self.events(since)
            if done(events):
                return events
            if time.monotonic() >= deadline:
                tail = "\n".join(f"  {e.key} {e.args}" for e in events[-20:])
                raise DeadlineError(f"timed out waiting for {what}; trace tail:\n{tail}")
            time.sleep(POLL_S)

    def wait_call(self, key: str, *, since: int = 0, timeout: float = 30.0) -> TraceEvent:
        """Wait for the first event actor:call after since."""
        events = self.wait(lambda es: any(e.key == key for e in es), since=since, timeout=timeout,
                           what=key)
        return next(e for e in events if e.key == key)


def keys(events: Iterable[TraceEvent],
         actors: Iterable[str] = ("requester", "provider", "writer")) -> list[str]:
    """actor:call of the events by the given actors, in trace order (duplicates kept)."""
    wanted = set(actors)
    return [e.key for e in events if e.actor in wanted]


def in_order(sequence: list[str], expected: list[str]) -> bool:
    """expected appears in sequence as a subsequence (other calls may come between)."""
    it = iter(sequence)
    return all(any(item == want for item in it) for want in expected)
