# SPDX-License-Identifier: GPL-2.0-or-later
"""`make demo`: start qemu-ga.exe under Wine on a pty COM port and show a scripted exchange.

The transcript prints what goes over the wire: ">>>" sent, "<<<" received, "xxx" received but
dropped by the client (a parse error caused by the 0xFF it sent, a stale reply). A 0xFF byte is
shown as \\xff. The script is a list of steps; a step that needs something the agent does not
offer (fsfreeze without VSS) prints why it is skipped instead of failing.

Run: python3 -m harness.demo [--build-dir build] [--keep-prefix]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Final

from .errors import ExecuteError, HarnessError
from .fake_vss import FakeVss, TraceEvent
from .qga import QGAClient, Traffic
from .wine import AgentProcess, WineSession, wine_available

LIST_HEAD: Final = 4        # list items shown before "... N more"
STRING_HEAD: Final = 120    # characters of a long string shown
FREEZE_TIMEOUT_S: Final = 60.0


def _abbreviate(value: Any) -> Any:
    if isinstance(value, list) and len(value) > LIST_HEAD + 1:
        return [_abbreviate(v) for v in value[:LIST_HEAD]] + [f"... {len(value) - LIST_HEAD} more"]
    if isinstance(value, list):
        return [_abbreviate(v) for v in value]
    if isinstance(value, dict):
        return {k: _abbreviate(v) for k, v in value.items()}
    if isinstance(value, str) and len(value) > STRING_HEAD:
        return value[:STRING_HEAD] + f"... ({len(value)} characters)"
    return value


def render(data: bytes) -> str:
    """One line of transcript text for the bytes of a message: long lists and strings cut."""
    mark = "\\xff" if data.startswith(b"\xff") else ""
    body = data[1:] if mark else data
    try:
        text = json.dumps(_abbreviate(json.loads(body)))
    except ValueError:
        text = body.decode("latin-1").replace("\xff", "\\xff").rstrip("\n")
    return mark + text


def print_traffic(traffic: Traffic) -> None:
    note = f"   ({traffic.note})" if traffic.note else ""
    for message in _split_sent(traffic.data) if traffic.direction == ">>>" else [traffic.data]:
        print(f"  {traffic.direction} {render(message)}{note}", flush=True)


def _split_sent(data: bytes) -> list[bytes]:
    """Requests are written one per line; show each on its own transcript line."""
    return [line for line in data.split(b"\n") if line.strip()]


@dataclass(frozen=True)
class Step:
    title: str
    run: Callable[[QGAClient], None]


def note(text: str) -> None:
    print(f"  --- {text}", flush=True)


def step_sync(qga: QGAClient) -> None:
    qga.sync()


def step_ping(qga: QGAClient) -> None:
    qga.ping()


def step_info(qga: QGAClient) -> None:
    info = qga.info()
    note(f"version {info.version}, {len(info.supported_commands)} commands")


def step_errors(qga: QGAClient) -> None:
    for name, args in (("guest-no-such-command", None), ("guest-sync", {"id": "not a number"})):
        try:
            qga.execute(name, args)
        except ExecuteError as exc:
            note(f"{exc.error_class}: {exc.desc}")


def step_freeze(qga: QGAClient) -> None:
    """freeze -> status -> thaw -> status, skipped with a note if fsfreeze is unavailable."""
    observer, qga.observer = qga.observer, None     # the availability check is not part of the show
    try:
        info = qga.info()
    finally:
        qga.observer = observer
    missing = [n for n in ("guest-fsfreeze-freeze", "guest-fsfreeze-status", "guest-fsfreeze-thaw")
               if not info.enabled(n)]
    if missing:
        note(f"skipped: the agent reports {', '.join(missing)} unavailable")
        return
    try:
        if qga.fsfreeze_status() != "thawed":
            note("the agent was frozen already; thawing first")
            qga.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S)
    except ExecuteError as exc:
        note(f"skipped: freeze is not available here ({exc.error_class}: {exc.desc})")
        return
    started = time.monotonic()
    try:
        frozen = qga.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S)
    except ExecuteError as exc:
        note(f"skipped: freeze is not available here ({exc.error_class}: {exc.desc})")
        return
    try:
        note(f"{frozen} volume(s) frozen in {time.monotonic() - started:.3f} s")
        note(f"status: {qga.fsfreeze_status()}")
    finally:
        thawed = qga.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S)     # every freeze ends thawed
    note(f"{thawed} volume(s) thawed; status: {qga.fsfreeze_status()}")


SCRIPT: Final = [
    Step("resynchronise: 0xFF, then guest-sync-delimited", step_sync),
    Step("guest-ping", step_ping),
    Step("guest-info (abbreviated)", step_info),
    Step("errors: an unknown command, a bad argument", step_errors),
    Step("freeze, status, thaw", step_freeze),
]


def trace_line(event: TraceEvent, start_us: int) -> str:
    """One coordinator trace event: time since the first, actor, call, result, duration, args."""
    hr = "" if event.hr is None else ("ok" if event.hr in (0, 0x4230A) else f"0x{event.hr:08x}")
    took = "" if event.dur_us is None else f"{event.dur_us / 1000:.1f} ms"
    args = {k: v for k, v in event.args.items() if k not in ("async", "detail")}
    return (f"  {(event.mono_us - start_us) / 1000:9.1f} ms  {event.actor:<11} {event.call:<28} {hr:<10} "
            f"{took:>9}  {json.dumps(args) if args else ''}").rstrip()


def step_trace(fake: FakeVss, kept: bool) -> Callable[[QGAClient], None]:
    """The fake VSS coordinator's record of the freeze and thaw: the VSS call order."""
    def run(qga: QGAClient) -> None:
        local = ("IVssAsync::", "IVssExamineWriterMetadata::", "IVssWMComponent::")
        shown = [e for e in fake.events() if e.actor in ("requester", "provider", "writer", "coordinator")
                 and not e.call.startswith(local)]
        if not shown:
            note("no VSS calls were traced")
            return
        for event in shown:
            print(trace_line(event, shown[0].mono_us), flush=True)
        if kept:
            note(f"{len(shown)} calls; full trace: {fake.trace_path}")
        else:       # the prefix, and the trace in it, is deleted at exit
            note(f"{len(shown)} calls; `python3 -m harness.demo --keep-prefix` keeps the full trace")
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, default=Path("build"), help="where qemu-ga.exe is")
    parser.add_argument("--dll-overrides", default=None, help="WINEDLLOVERRIDES for the agent")
    parser.add_argument("--keep-prefix", action="store_true", help="keep the Wine prefix for inspection")
    options = parser.parse_args(argv)

    exe = options.build_dir.resolve() / "qemu-ga.exe"
    missing = wine_available()
    if missing:
        print(f"demo: {missing}", file=sys.stderr)
        return 1
    if not exe.is_file():
        print(f"demo: {exe} is missing; run `make`", file=sys.stderr)
        return 1

    started = time.monotonic()
    print("qga-win demo: qemu-ga.exe under Wine, talking QGA over a pty-backed COM port", flush=True)
    try:
        with WineSession(keep=options.keep_prefix) as session:
            print(f"Wine prefix {session.prefix} ready in {time.monotonic() - started:.1f} s", flush=True)
            script = list(SCRIPT)
            env: dict[str, str] = {}
            if (options.build_dir / "qga-vss.dll").is_file():
                # Windows' VSS in Wine is a stub: our fake coordinator stands in (tests/fakes/vss).
                fake = FakeVss(session, options.build_dir.resolve(), name="demo")
                fake.install()
                env = fake.env
                script.append(Step("the VSS calls of that freeze and thaw (fake coordinator's trace)",
                                   step_trace(fake, options.keep_prefix)))
            else:
                print("qga-vss.dll is not built: fsfreeze will report VSS unavailable", flush=True)
            with AgentProcess(session, exe, env=env, dll_overrides=options.dll_overrides) as agent:
                print(f"agent: {' '.join(agent.argv[1:])}  (pid {agent.pid}, {agent.port.name} -> "
                      f"{agent.port.slave_path})", flush=True)
                qga = agent.client
                qga.observer = print_traffic
                for number, step in enumerate(script, 1):
                    print(f"\n[{number}] {step.title}", flush=True)
                    step.run(qga)
                qga.observer = None
                print(f"\nagent log:\n{agent.log_text() or '  (empty)'}", flush=True)
    except HarnessError as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1
    print(f"done in {time.monotonic() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
