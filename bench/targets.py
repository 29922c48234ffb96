# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 10's targets, judged on the medians: pass or miss (goals, never test assertions).

Each result carries a score, scaled so that 1.0 is the goal exactly and more is better; the
chart plots it. A target whose inputs were not measured is "n/a" with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Final

from .metrics import Metric
from .peers import NATIVE_FLOOR, OURS, QEMU_GA, WINE_FLOOR
from .suite import Results

PER_REQUEST_FACTOR: Final = 0.5
PIPELINE_FACTOR: Final = 0.9
READ_FACTOR: Final = 2.0
FREEZE_LIMIT_MS: Final = 1.0
GROWTH_LIMIT_PCT: Final = 1.0
PAYLOAD_LIMIT_KIB: Final = 1024.0
SCORE_CAP: Final = 100.0


@dataclass(frozen=True)
class Target:
    key: str
    goal: str
    measured: str
    score: float | None
    status: str             # "pass", "miss" or "n/a"

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "goal": self.goal, "measured": self.measured,
                "score": self.score, "status": self.status}


def _na(key: str, goal: str, why: str) -> Target:
    return Target(key, goal, why, None, "n/a")


def _judge(key: str, goal: str, measured: str, score: float) -> Target:
    score = min(score, SCORE_CAP) if not math.isnan(score) else 0.0
    return Target(key, goal, measured, score, "pass" if score >= 1.0 else "miss")


def _medians(metric: Metric | None, *peers: str) -> list[float] | str:
    """The peers' medians, or why they are missing."""
    if metric is None:
        return "not measured"
    if not metric.available:
        return metric.reason or "not available"
    values = [metric.median(p) for p in peers]
    if any(v is None for v in values):
        return "not measured for " + ", ".join(p for p, v in zip(peers, values) if v is None)
    return [v for v in values if v is not None]


def per_request(results: Results, key: str) -> Target:
    metric = results.metric(key)
    goal = f"{key}: (ours - Wine floor) <= {PER_REQUEST_FACTOR} x (qemu-ga - native floor)"
    got = _medians(metric, OURS, WINE_FLOOR, QEMU_GA, NATIVE_FLOOR)
    if isinstance(got, str):
        return _na(f"{key}_cost", goal, got)
    ours, wine, peer, native = got
    own, peer_own = ours - wine, peer - native
    allowed = PER_REQUEST_FACTOR * peer_own
    measured = f"ours {own * 1000:+.0f} us above floor, qemu-ga {peer_own * 1000:+.0f} us"
    if own <= 0:
        score = SCORE_CAP
    elif allowed <= 0:
        score = 0.0
    else:
        score = allowed / own
    return _judge(f"{key}_cost", goal, measured, score)


def pipelined(results: Results) -> Target:
    goal = f"pipelined rate >= {PIPELINE_FACTOR} x Wine floor's echo rate"
    got = _medians(results.metric("pipelined"), OURS, WINE_FLOOR)
    if isinstance(got, str):
        return _na("pipelined", goal, got)
    ours, floor = got
    return _judge("pipelined", goal, f"ours {ours:.0f}/s, floor {floor:.0f}/s ({ours / floor:.2f}x)",
                  ours / (PIPELINE_FACTOR * floor))


def file_read(results: Results) -> Target:
    goal = f"guest-file-read 48 MiB >= {READ_FACTOR} x qemu-ga's MiB/s"
    got = _medians(results.metric("file_read_48mib"), OURS, QEMU_GA)
    if isinstance(got, str):
        return _na("file_read_48mib", goal, got)
    ours, peer = got
    measured = f"ours {ours:.1f} MiB/s, qemu-ga {peer:.1f} MiB/s ({ours / peer:.2f}x)"
    return _judge("file_read_48mib", goal, measured, ours / (READ_FACTOR * peer))


def freeze(results: Results, key: str) -> Target:
    goal = f"{key} overhead < {FREEZE_LIMIT_MS:g} ms"
    got = _medians(results.metric(key), OURS)
    if isinstance(got, str):
        return _na(key, goal, got)
    (ours,) = got
    return _judge(key, goal, f"{ours:.2f} ms", SCORE_CAP if ours <= 0 else FREEZE_LIMIT_MS / ours)


def growth(results: Results) -> Target:
    goal = f"resident set growth over the request churn < {GROWTH_LIMIT_PCT:g}%"
    got = _medians(results.metric("rss_growth"), OURS)
    if isinstance(got, str):
        return _na("rss_growth", goal, got)
    (ours,) = got
    return _judge("rss_growth", goal, f"{ours:.2f}%", SCORE_CAP if ours <= 0 else GROWTH_LIMIT_PCT / ours)


def payload(results: Results) -> Target:
    goal = "qemu-ga.exe + qga-vss.dll < 1 MiB"
    got = _medians(results.metric("payload"), OURS)
    if isinstance(got, str):
        return _na("payload", goal, got)
    (ours,) = got
    return _judge("payload", goal, f"{ours:.0f} KiB", PAYLOAD_LIMIT_KIB / ours)


JUDGES: Final[list[Callable[[Results], Target]]] = [
    lambda r: per_request(r, "ping"), lambda r: per_request(r, "info"), lambda r: per_request(r, "fsinfo"),
    pipelined, file_read, lambda r: freeze(r, "freeze"), lambda r: freeze(r, "thaw"), growth, payload,
]


def judge(results: Results) -> list[Target]:
    return [j(results) for j in JUDGES]
