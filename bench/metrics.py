# SPDX-License-Identifier: GPL-2.0-or-later
"""The measurements: each metric samples every peer it applies to, alternating (A B A B) so that
drift of a shared, busy machine falls on all peers alike.

Latency metrics time one exchange: request written to reply's newline read. The floors get a
stand-in request of the same length answered with as many bytes as the paired agent's reply
(peers.floor_request), so "agent - floor" is the agent's own cost for exactly those bytes.
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Final, Mapping, Sequence

from harness.errors import DeadlineError, HarnessError, ProtocolError
from harness.fake_vss import FakeVss, TraceEvent
from harness.protocol import encode_request

from .peers import AGENTS, FLOOR_OF, OURS, QEMU_GA, WINE_FLOOR, Peer, floor_request
from .stats import Summary
from .wire import Exchange

MIB: Final = 1 << 20
KIB: Final = 1 << 10
REQUEST_ID: Final = 1700000000000           # libvirt-sized, fixed: every request has the same length
READ_COUNTS: Final = (4 * KIB, 64 * KIB, MIB, 48 * MIB)
BIG_TIMEOUT_S: Final = 120.0
TIMEOUT_S: Final = 30.0
EXEC_POLL_LIMIT: Final = 100000
FREEZE_TITLE: Final = "guest-fsfreeze-freeze overhead (fake VSS)"
THAW_TITLE: Final = "guest-fsfreeze-thaw overhead (fake VSS)"
PIPELINE_STALL_S: Final = 2.0               # no reply byte for this long: the rest was lost
# The churn keeps each batch within one 4 KiB read: qemu-ga loses replies beyond (see pipelined()).
CHURN_WINDOW_BYTES: Final = 4000


@dataclass(frozen=True)
class Plan:
    """How many samples each metric takes (per peer)."""

    ping: int
    info: int
    fsinfo: int
    pipelined_runs: int
    pipelined_count: int
    reads: Mapping[int, int]
    exec: int
    freeze: int
    startup: int
    churn: int


FULL: Final = Plan(ping=3000, info=1000, fsinfo=300, pipelined_runs=7, pipelined_count=10000,
                   reads={4 * KIB: 500, 64 * KIB: 200, MIB: 40, 48 * MIB: 5}, exec=50, freeze=60, startup=15,
                   churn=100000)
QUICK: Final = Plan(ping=100, info=20, fsinfo=10, pipelined_runs=1, pipelined_count=2000,
                    reads={4 * KIB: 20, 64 * KIB: 10, MIB: 3, 48 * MIB: 1}, exec=3, freeze=2, startup=2,
                    churn=5000)


@dataclass
class Metric:
    """One metric: per-peer summaries in `unit`, notes (raw numbers, definitions), or the reason
    it is not available."""

    key: str
    title: str
    unit: str
    higher_is_better: bool = False
    values: dict[str, Summary] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None

    @property
    def available(self) -> bool:
        return self.reason is None

    def median(self, peer: str) -> float | None:
        summary = self.values.get(peer)
        return summary.median if summary is not None else None

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "unit": self.unit, "higher_is_better": self.higher_is_better,
                "available": self.available, "reason": self.reason,
                "peers": {name: s.to_json() for name, s in self.values.items()}, "notes": self.notes}

    @classmethod
    def from_json(cls, key: str, data: dict[str, Any]) -> Metric:
        return cls(key, str(data["title"]), str(data["unit"]), bool(data["higher_is_better"]),
                   {name: Summary.from_json(s) for name, s in data["peers"].items()}, dict(data["notes"]),
                   data.get("reason"))


Sampler = Callable[[], float]


def alternate(samplers: Mapping[str, Sampler], reps: int) -> dict[str, list[float]]:
    """reps rounds of one sample per peer, peers in a fixed order (A B A B ...)."""
    samples: dict[str, list[float]] = {name: [] for name in samplers}
    for _ in range(reps):
        for name, sample in samplers.items():
            samples[name].append(sample())
    return samples


def summarise(metric: Metric, samples: Mapping[str, Sequence[float]]) -> Metric:
    for name, values in samples.items():
        metric.values[name] = Summary.of(values, higher_is_better=metric.higher_is_better)
    return metric


def request(name: str, arguments: Mapping[str, Any] | None = None) -> bytes:
    return encode_request(name, arguments, REQUEST_ID)


def reply_value(exchange: Exchange, what: str) -> Any:
    """The "return" member of the last reply, or ProtocolError naming the error."""
    reply = exchange.last_reply()
    if not isinstance(reply, dict) or "return" not in reply:
        raise ProtocolError(f"{what}: expected a return, got {json.dumps(reply)[:300]}")
    return reply["return"]


class Measure:
    """Runs the metrics against started peers (name -> Peer); each method returns a Metric."""

    def __init__(self, peers: Mapping[str, Peer], plan: Plan, data_dir: Path,
                 progress: Callable[[str], None]) -> None:
        self.peers = peers
        self.plan = plan
        self.data_dir = data_dir
        self.progress = progress

    # -- helpers --------------------------------------------------------------------------

    def exchange(self, peer: str, data: bytes, *, replies: int = 1, timeout: float = TIMEOUT_S,
                 keep: bool = True) -> Exchange:
        return self.peers[peer].channel.exchange(data, replies, timeout=timeout, keep=keep)

    def paired(self, agent_requests: Mapping[str, bytes], timeout: float = TIMEOUT_S) -> dict[str, bytes]:
        """The agents' requests plus each floor's stand-in, sized from one untimed exchange with
        its agent (which also warms the path up)."""
        requests = dict(agent_requests)
        for agent, data in agent_requests.items():
            reply = self.exchange(agent, data, timeout=timeout)
            reply_value(reply, f"{agent} {data[:60]!r}")
            requests[FLOOR_OF[agent]] = floor_request(len(data), reply.received)
        return requests

    def round_trips(self, metric: Metric, requests: Mapping[str, bytes], reps: int,
                    timeout: float = TIMEOUT_S) -> Metric:
        def sampler(name: str, data: bytes) -> Sampler:
            return lambda: self.exchange(name, data, timeout=timeout, keep=False).ms

        summarise(metric, alternate({name: sampler(name, data) for name, data in requests.items()}, reps))
        metric.notes["bytes"] = {name: len(data) for name, data in requests.items()}
        return metric

    # -- latency and throughput -----------------------------------------------------------

    def command_latency(self, key: str, command: str, reps: int, timeout: float = TIMEOUT_S) -> Metric:
        self.progress(f"{command} reply time x{reps}")
        metric = Metric(key, f"{command} reply time", "ms")
        data = request(command)
        return self.round_trips(metric, self.paired({a: data for a in AGENTS}, timeout), reps, timeout)

    def pipelined(self) -> Metric:
        count, runs = self.plan.pipelined_count, self.plan.pipelined_runs
        self.progress(f"pipelined guest-ping, {count} in flight x{runs}")
        metric = Metric("pipelined", f"pipelined guest-ping ({count} in flight)", "req/s",
                        higher_is_better=True)
        batch = b"".join(encode_request("guest-ping", None, REQUEST_ID + i) for i in range(count))
        one = self.paired({a: request("guest-ping") for a in AGENTS})
        streams = {name: batch if name in AGENTS else one[name] * count for name in one}
        samples: dict[str, list[float]] = {name: [] for name in streams}
        for _ in range(runs):
            for name in list(samples):
                try:
                    got = self.peers[name].channel.exchange(streams[name], count, timeout=BIG_TIMEOUT_S,
                                                            keep=False, stall=PIPELINE_STALL_S)
                except DeadlineError as exc:
                    # qemu-ga 7.2 on a tty loses replies once more than one read's worth is in
                    # flight: GLib takes a character device for seekable and its buffered write
                    # fails with "Illegal seek". Record it; the peer is not sampled again.
                    self.peers[name].settle()
                    metric.notes[f"{name}_failed"] = f"replies lost: {exc}"
                    del samples[name]
                    continue
                samples[name].append(count / (got.ns / 1e9))
        summarise(metric, samples)
        metric.notes["bytes_sent"] = {name: len(data) for name, data in streams.items()}
        return metric

    # -- guest-file-read ------------------------------------------------------------------

    def data_file(self) -> Path:
        path = self.data_dir / "bench-read.bin"
        size = max(READ_COUNTS) + 1
        if not path.exists() or path.stat().st_size != size:
            with open(path, "wb") as f:
                for _ in range(size // MIB):
                    f.write(os.urandom(MIB))
                f.write(os.urandom(size % MIB))
        return path

    def file_read(self, count: int, reps: int, after: Callable[[], None] | None = None) -> Metric:
        label = f"{count // MIB} MiB" if count >= MIB else f"{count // KIB} KiB"
        self.progress(f"guest-file-read {label} x{reps}")
        metric = Metric(f"file_read_{label.replace(' ', '').lower()}", f"guest-file-read {label}",
                        "MiB/s", higher_is_better=True)
        path = self.data_file()
        expected = path.read_bytes()[:count]
        reply_bytes: dict[str, int] = {}
        open_requests = {a: request("guest-file-open", {"path": self.peers[a].host_path(path), "mode": "rb"})
                         for a in AGENTS}

        def read_once(agent: str, check: bool) -> Exchange:
            handle = reply_value(self.exchange(agent, open_requests[agent]), f"{agent} guest-file-open")
            try:
                got = self.exchange(agent, request("guest-file-read", {"handle": handle, "count": count}),
                                    timeout=BIG_TIMEOUT_S, keep=check)
            finally:
                reply_value(self.exchange(agent, request("guest-file-close", {"handle": handle})),
                            f"{agent} guest-file-close")
            if check:
                value = reply_value(got, f"{agent} guest-file-read")
                data = base64.b64decode(value["buf-b64"])
                if value["count"] != count or data != expected:
                    raise ProtocolError(f"{agent}: guest-file-read returned {value['count']} bytes, "
                                        f"{'the same' if data == expected else 'different'} content")
            return got

        read_request_len = len(request("guest-file-read", {"handle": 1000, "count": count}))

        def sampler(name: str) -> Sampler:
            def sample() -> float:
                if name in AGENTS:
                    # The first read is checked and sizes the floor's stand-in (floors come after
                    # the agents in each round).
                    got = read_once(name, name not in reply_bytes)
                    reply_bytes.setdefault(name, got.received)
                else:
                    agent = next(a for a in AGENTS if FLOOR_OF[a] == name)
                    stand_in = floor_request(read_request_len, reply_bytes[agent])
                    got = self.exchange(name, stand_in, timeout=BIG_TIMEOUT_S, keep=False)
                return count / MIB / (got.ns / 1e9)
            return sample

        summarise(metric, alternate({n: sampler(n) for n in (*AGENTS, *(FLOOR_OF[a] for a in AGENTS))}, reps))
        metric.notes["reply_bytes"] = reply_bytes
        if after is not None:
            after()
        return metric

    # -- guest-exec -----------------------------------------------------------------------

    def exec_latency(self, programs: Mapping[str, str]) -> Metric:
        reps = self.plan.exec
        self.progress(f"guest-exec to exit status x{reps}")
        metric = Metric("exec", "guest-exec of a trivial program to its exit status", "ms")

        def sampler(agent: str) -> Sampler:
            def sample() -> float:
                start = time.perf_counter_ns()
                started = reply_value(self.exchange(agent, request("guest-exec", {"path": programs[agent]})),
                                      f"{agent} guest-exec")
                status_request = request("guest-exec-status", {"pid": started["pid"]})
                for _ in range(EXEC_POLL_LIMIT):
                    status = reply_value(self.exchange(agent, status_request), f"{agent} guest-exec-status")
                    if status.get("exited"):
                        if status.get("exitcode") != 0:
                            raise ProtocolError(f"{agent}: the trivial program exited with {status}")
                        return (time.perf_counter_ns() - start) / 1e6
                raise HarnessError(f"{agent}: the trivial program did not exit")
            return sample

        sampler(OURS)()     # warm-up: first process creation loads more than later ones
        sampler(QEMU_GA)()
        summarise(metric, alternate({a: sampler(a) for a in AGENTS}, reps))
        metric.notes["programs"] = dict(programs)
        return metric

    # -- freeze and thaw (ours only, fake VSS coordinator) --------------------------------

    def freeze_thaw(self, fake: FakeVss) -> tuple[Metric, Metric]:
        """Our overhead: reply time - the coordinator's part (from its trace) - the Wine floor's
        round trip for the same bytes. See coordinator_windows() for the coordinator's part."""
        reps = self.plan.freeze
        self.progress(f"guest-fsfreeze-freeze / thaw x{reps}")
        freeze = Metric("freeze", FREEZE_TITLE, "ms")
        thaw = Metric("thaw", THAW_TITLE, "ms")
        freeze_request, thaw_request = request("guest-fsfreeze-freeze"), request("guest-fsfreeze-thaw")
        raw: dict[str, list[float]] = {f"{op}{part}": [] for op in ("freeze", "thaw")
                                       for part in ("", "_coordinator", "_floor", "_overhead")}

        def cycle(record: bool) -> None:
            mark = fake.mark()
            sent = time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW)
            frozen = self.exchange(OURS, freeze_request, timeout=BIG_TIMEOUT_S)
            count = reply_value(frozen, "guest-fsfreeze-freeze")
            thaw_sent = sent + frozen.ns
            thawed = self.exchange(OURS, thaw_request, timeout=BIG_TIMEOUT_S)
            if reply_value(thawed, "guest-fsfreeze-thaw") != count:
                raise ProtocolError(f"froze {count} volumes, thawed {thawed.last_reply()}")
            events = fake.wait(lambda es: any(e.key == "coordinator:release" for e in es), since=mark,
                               what="the backup components released")
            freeze_coord, thaw_coord = coordinator_windows(events, sent // 1000, thaw_sent // 1000)
            freeze_floor = self.exchange(WINE_FLOOR, floor_request(len(freeze_request), frozen.received)).ms
            thaw_floor = self.exchange(WINE_FLOOR, floor_request(len(thaw_request), thawed.received)).ms
            if record:
                for name, value in (("freeze", frozen.ms), ("thaw", thawed.ms),
                                    ("freeze_coordinator", freeze_coord), ("thaw_coordinator", thaw_coord),
                                    ("freeze_floor", freeze_floor), ("thaw_floor", thaw_floor),
                                    ("freeze_overhead", frozen.ms - freeze_coord - freeze_floor),
                                    ("thaw_overhead", thawed.ms - thaw_coord - thaw_floor)):
                    raw[name].append(value)

        cycle(False)    # the first freeze starts the fake's service and loads the provider
        for _ in range(reps):
            cycle(True)
        for metric, name in ((freeze, "freeze"), (thaw, "thaw")):
            metric.values[OURS] = Summary.of(raw[f"{name}_overhead"])
            metric.notes = {part: Summary.of(raw[f"{name}{part}"]).to_json()
                            for part in ("", "_coordinator", "_floor")}
            metric.notes["definition"] = COORDINATOR_DEFINITION[name]
        return freeze, thaw

    # -- memory ---------------------------------------------------------------------------

    def rss(self) -> dict[str, int]:
        return {name: peer.rss_kib() for name, peer in self.peers.items()}

    def churn(self) -> None:
        """plan.churn requests of a mix (ping, sync, info, an unknown command) to each agent, in
        windows of at most CHURN_WINDOW_BYTES in flight, agents alternating per window."""
        total = self.plan.churn
        self.progress(f"{total} mixed requests per agent")
        mix = [request("guest-ping"), request("guest-sync", {"id": 7}), request("guest-info"),
               request("guest-bench-none")]
        per_window = len(mix) * (CHURN_WINDOW_BYTES // len(b"".join(mix)))
        window = b"".join(mix[i % len(mix)] for i in range(per_window))
        for done in range(0, total, per_window):
            n = min(per_window, total - done)
            data = window if n == per_window else b"".join(mix[i % len(mix)] for i in range(n))
            for agent in AGENTS:
                self.exchange(agent, data, replies=n, timeout=BIG_TIMEOUT_S, keep=False)


COORDINATOR_DEFINITION: Final = {
    "freeze": "reply time - coordinator window - Wine floor round trip; the window runs from the requester "
              "entering CreateVssBackupComponents (client_start_us in the trace) to the start of "
              "provider:CommitSnapshots (the provider signals 'frozen' there)",
    "thaw": "reply time - coordinator window - Wine floor round trip; the window runs from the end of "
            "provider:CommitSnapshots (the provider saw 'thaw') to coordinator:release",
}


def coordinator_windows(events: Sequence[TraceEvent], freeze_sent_us: int,
                        thaw_sent_us: int) -> tuple[float, float]:
    """The coordinator's part of a freeze and of the following thaw, in ms, from its trace.

    The trace's mono_us is Wine's QueryPerformanceCounter, i.e. CLOCK_MONOTONIC_RAW: the same
    clock as the host's send times. From the requester entering CreateVssBackupComponents (the
    fake's client_start_us; else the first event) to the provider being told to hold writes, the
    agent only waits for the coordinator (the requester's code between calls is microseconds; the
    calls' own cost, the IPC to the fake's service included, is the coordinator's); likewise from
    the provider releasing writes to the session's release.
    """
    session = [e for e in events if e.mono_us >= freeze_sent_us]
    if not session:
        raise ProtocolError("no trace events after the freeze was sent")
    commit = next((e for e in session if e.key == "provider:CommitSnapshots"), None)
    release = next((e for e in session if e.key == "coordinator:release"), None)
    if commit is None or release is None:
        raise ProtocolError(f"trace lacks CommitSnapshots or release: {[e.key for e in session][-20:]}")
    first = session[0]
    first_start = first.mono_us - (first.dur_us or 0)
    create = next((e for e in session if e.key == "requester:CreateVssBackupComponents"), None)
    if create is not None and isinstance(create.args.get("client_start_us"), int):
        first_start = min(first_start, create.args["client_start_us"])
    commit_start = commit.mono_us - (commit.dur_us or 0)
    thaw_window = release.mono_us - max(commit.mono_us, thaw_sent_us)
    return (commit_start - first_start) / 1000, thaw_window / 1000
