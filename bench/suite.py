# SPDX-License-Identifier: GPL-2.0-or-later
"""One benchmark run: a Wine session, the four peers, every metric in a fixed order.

Order matters for memory: resident sets are read right after start-up (idle), after the
request churn, and right after the 48 MiB read; the latency metrics run in between.
"""

from __future__ import annotations

import logging
import os
import platform
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Final

from harness.errors import HarnessError
from harness.fake_vss import FakeVss
from harness.wine import ComPort, WineSession

from .metrics import FREEZE_TITLE, MIB, THAW_TITLE, Measure, Metric, Plan, summarise
from .peers import (AGENTS, ALL_PEERS, FLOOR_OF, NATIVE_FLOOR, OURS, QEMU_GA, WINE_FLOOR, Peer, start_native,
                    start_wine)
from .stats import Summary

log = logging.getLogger(__name__)

QEMU_GA_PATH: Final = "/usr/sbin/qemu-ga"
TRIVIAL_NATIVE: Final = "/bin/true"
STRIP: Final = "x86_64-w64-mingw32-strip"
NATIVE_PORT_BASE: Final = 100       # ComPort numbers of the native ptys (names in the run directory)
REPO: Final = Path(__file__).resolve().parents[1]


@dataclass
class Results:
    mode: str
    metrics: list[Metric] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def metric(self, key: str) -> Metric | None:
        return next((m for m in self.metrics if m.key == key), None)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Results:
        """Back from results.json (report.to_json), e.g. to redraw the table and chart."""
        meta = dict(data["meta"])
        metrics = [Metric.from_json(key, m) for key, m in data["metrics"].items()]
        return cls(str(meta.get("mode", "?")), metrics, meta)


def missing_tools(build_dir: Path) -> list[str]:
    """What the run cannot do without (a skip reason), empty if all is there."""
    missing = [str(p) for p in (build_dir / "qemu-ga.exe", build_dir / "bench" / "echo-win.exe",
                                build_dir / "bench" / "echo-posix", build_dir / "bench" / "true-win.exe")
               if not p.is_file()]
    missing += [tool for tool in ("wine", "wineserver") if shutil.which(tool) is None]
    if not Path(QEMU_GA_PATH).is_file():
        missing.append(f"{QEMU_GA_PATH} (Debian package qemu-guest-agent: sudo toolchain/setup)")
    return missing


class Suite:
    def __init__(self, build_dir: Path, plan: Plan, mode: str, progress: Callable[[str], None],
                 only: set[str] | None = None) -> None:
        self.build_dir = build_dir
        self.only = only
        self.plan = plan
        self.progress = progress
        self.results = Results(mode)
        self.run_dir = Path()
        self.native_ports: list[ComPort] = []

    def run(self) -> Results:
        missing = missing_tools(self.build_dir)
        if missing:
            raise HarnessError("cannot benchmark, missing: " + ", ".join(missing))
        started = time.monotonic()
        self.run_dir = Path(tempfile.mkdtemp(prefix="qga-bench-"))
        try:
            with WineSession() as session:
                self.progress(f"Wine prefix ready in {time.monotonic() - started:.1f} s")
                self._run(session)
        finally:
            for port in self.native_ports:
                port.close()
            shutil.rmtree(self.run_dir, ignore_errors=True)
        self.results.meta.update(self.meta(time.monotonic() - started))
        return self.results

    def native_port(self) -> ComPort:
        """A pty for a native peer (ComPort's link lands in the run directory); closed at the end."""
        port = ComPort(self.run_dir, NATIVE_PORT_BASE + len(self.native_ports))
        self.native_ports.append(port)
        return port

    def start(self, session: WineSession, name: str, fake: FakeVss | None = None) -> Peer:
        b = self.build_dir
        if name == OURS:
            return start_wine(session, OURS, b / "qemu-ga.exe", env=fake.env if fake else None)
        if name == WINE_FLOOR:
            return start_wine(session, WINE_FLOOR, b / "bench" / "echo-win.exe")
        exe = QEMU_GA_PATH if name == QEMU_GA else str(b / "bench" / "echo-posix")
        return start_native(name, exe, self.native_port(), self.run_dir)

    def _run(self, session: WineSession) -> None:
        fake, fake_reason = self.install_fake(session)
        peers: dict[str, Peer] = {}
        try:
            for name in ALL_PEERS:
                peers[name] = self.start(session, name, fake)
            measure = Measure(peers, self.plan, self.run_dir, self.progress)
            self.run_metrics(session, measure, fake, fake_reason)
        finally:
            for peer in peers.values():
                peer.close()

    def want(self, group: str) -> bool:
        return self.only is None or group in self.only

    def run_metrics(self, session: WineSession, measure: Measure, fake: FakeVss | None,
                    fake_reason: str) -> None:
        plan, add, want = self.plan, self.results.metrics.append, self.want
        rss_idle = measure.rss()
        rss_churn: dict[str, int] = {}
        if want("memory"):
            measure.churn()
            rss_churn = measure.rss()
        if want("ping"):
            add(measure.command_latency("ping", "guest-ping", plan.ping))
        if want("pipelined"):
            add(measure.pipelined())
        if want("info"):
            add(measure.command_latency("info", "guest-info", plan.info))
        if want("fsinfo"):
            add(measure.command_latency("fsinfo", "guest-get-fsinfo", plan.fsinfo))
        rss_read: dict[str, int] = {}
        for count, reps in sorted(plan.reads.items()) if want("read") else []:
            after = (lambda: rss_read.update(measure.rss())) if count == max(plan.reads) else None
            add(measure.file_read(count, reps, after))
        if want("exec"):
            add(measure.exec_latency({OURS: session.windows_path(self.build_dir / "bench" / "true-win.exe"),
                                      QEMU_GA: "/bin/true"}))
        if want("freeze"):
            if fake is not None:
                freeze, thaw = measure.freeze_thaw(fake)
            else:
                freeze = Metric("freeze", FREEZE_TITLE, "ms", reason=fake_reason)
                thaw = Metric("thaw", THAW_TITLE, "ms", reason=fake_reason)
            add(freeze)
            add(thaw)
        if want("startup"):
            add(self.startup(session))
        if want("memory"):
            for metric in memory_metrics(rss_idle, rss_churn, rss_read, self.plan.churn):
                add(metric)
        if want("payload"):
            add(payload(self.build_dir))

    def install_fake(self, session: WineSession) -> tuple[FakeVss | None, str]:
        needed = [self.build_dir / "qga-vss.dll", self.build_dir / "tests" / "fakes" / "vss" / "vssapi.dll",
                  self.build_dir / "tests" / "fakes" / "vss" / "fake-vss-service.exe"]
        absent = [str(p) for p in needed if not p.is_file()]
        if absent:
            return None, "not available: " + ", ".join(absent) + " not built"
        fake = FakeVss(session, self.build_dir, name="bench")
        fake.install()
        return fake, ""

    def startup(self, session: WineSession) -> Metric:
        reps = self.plan.startup
        self.progress(f"start-up to first reply x{reps}")
        metric = Metric("startup", "start-up to first guest-sync reply", "ms")
        ports = {OURS: session.com_port(), WINE_FLOOR: session.com_port()}
        native = {QEMU_GA: self.native_port(), NATIVE_FLOOR: self.native_port()}
        b = self.build_dir

        def once(name: str) -> float:
            if name in ports:
                exe = b / "qemu-ga.exe" if name == OURS else b / "bench" / "echo-win.exe"
                peer: Peer = start_wine(session, name, exe, port=ports[name])
            else:
                exe_n = QEMU_GA_PATH if name == QEMU_GA else str(b / "bench" / "echo-posix")
                peer = start_native(name, exe_n, native[name], self.run_dir)
            peer.close()
            return peer.startup_ns / 1e6

        samples: dict[str, list[float]] = {name: [] for name in ALL_PEERS}
        for _ in range(reps):
            for name in ALL_PEERS:
                samples[name].append(once(name))
        return summarise(metric, samples)

    def meta(self, seconds: float) -> dict[str, Any]:
        def version(argv: list[str]) -> str:
            try:
                out = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False).stdout
            except (OSError, subprocess.TimeoutExpired):
                return "?"
            return out.strip().splitlines()[0] if out.strip() else "?"

        load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
        return {"mode": self.results.mode, "seconds": round(seconds, 1), "host": platform.node(),
                "kernel": platform.release(), "cpus": len(os.sched_getaffinity(0)),
                "loadavg_end": load, "wine": version(["wine", "--version"]),
                "qemu_ga": version([QEMU_GA_PATH, "-V"]), "plan": self.plan.__dict__ | {
                    "reads": {str(k): v for k, v in self.plan.reads.items()}}}


def memory_metrics(idle: dict[str, int], churn: dict[str, int], read: dict[str, int],
                   requests: int) -> list[Metric]:
    """Resident sets in MiB; an agent's value has its floor's idle resident set subtracted
    (ours - echo under Wine, qemu-ga - native echo), so what is left is the agent's own."""
    metrics = []
    for key, title, rss in (("rss_idle", "resident set, idle", idle),
                            ("rss_requests", f"resident set after {requests} requests", churn),
                            ("rss_read", "resident set after a 48 MiB read", read)):
        metric = Metric(key, title + " (floor subtracted)", "MiB")
        if not rss:
            metric.reason = "not measured"
            metrics.append(metric)
            continue
        for name in ALL_PEERS:
            base = idle[FLOOR_OF[name]] if name in AGENTS else 0
            value = (rss[name] - base) / 1024
            metric.values[name] = Summary(value, value, 1)
        metric.notes["rss_kib"] = dict(rss)
        metrics.append(metric)
    growth = Metric("rss_growth", f"resident set growth over {requests} requests", "%")
    if not churn:
        growth.reason = "not measured"
        return [*metrics, growth]
    for name in AGENTS:
        own = idle[name] - idle[FLOOR_OF[name]]
        value = 100.0 * (churn[name] - idle[name]) / own
        growth.values[name] = Summary(value, value, 1)
    growth.notes["definition"] = "(after - idle) / (idle - floor idle)"
    return [*metrics, growth]


def payload(build_dir: Path) -> Metric:
    """Bytes of qemu-ga.exe + qga-vss.dll as the MSI ships them (else as built), and stripped."""
    metric = Metric("payload", "payload size: qemu-ga.exe + qga-vss.dll", "KiB")
    files = [build_dir / "qemu-ga.exe", build_dir / "qga-vss.dll"]
    shipped = msi_sizes(build_dir)
    sizes = {f.name: shipped.get(f.name, f.stat().st_size if f.is_file() else 0) for f in files}
    stripped = {}
    for f in files:
        if f.is_file() and shutil.which(STRIP):
            out = Path(tempfile.mkstemp(suffix=f.suffix)[1])
            try:
                subprocess.run([STRIP, "-o", str(out), str(f)], check=True, timeout=60, capture_output=True)
                stripped[f.name] = out.stat().st_size
            finally:
                out.unlink()
    total = sum(sizes.values()) / 1024
    metric.values[OURS] = Summary(total, total, 1)
    peer = Path(QEMU_GA_PATH).stat().st_size / 1024 if Path(QEMU_GA_PATH).is_file() else None
    if peer is not None:
        metric.values[QEMU_GA] = Summary(peer, peer, 1)
    metric.notes = {"bytes": sizes, "source": "msi" if shipped else "build", "stripped_bytes": stripped,
                    "qemu_ga_note": "the Linux binary alone; its shared libraries (GLib...) are not counted"}
    if any(size == 0 for size in sizes.values()):
        metric.notes["missing"] = [name for name, size in sizes.items() if not size]
    return metric


def msi_sizes(build_dir: Path) -> dict[str, int]:
    """FileName -> FileSize from the MSI's File table (msiinfo), {} without an MSI."""
    version = (REPO / "VERSION").read_text().strip() if (REPO / "VERSION").is_file() else ""
    msi = build_dir / f"qga-win-{version}-x86_64.msi"
    if not version or not msi.is_file() or shutil.which("msiinfo") is None:
        return {}
    out = subprocess.run(["msiinfo", "export", str(msi), "File"], capture_output=True, text=True,
                         timeout=60, check=False).stdout
    sizes = {}
    for line in out.splitlines()[3:]:
        cols = line.split("\t")
        if len(cols) >= 4 and cols[3].isdigit():
            sizes[cols[2].split("|")[-1]] = int(cols[3])
    return sizes


__all__ = ["Results", "Suite", "MIB", "missing_tools"]
