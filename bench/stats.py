# SPDX-License-Identifier: GPL-2.0-or-later
"""Summaries of repeated measurements: median and p99 (nearest rank), plus the raw count."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (fraction in [0, 1]) of a non-empty sequence."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        raise ValueError("median of no values")
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass(frozen=True)
class Summary:
    """median and p99 of n samples, in the metric's unit; for a rate, p99 is the 1st percentile
    (the slow tail), so p99 is always the "bad" end."""

    median: float
    p99: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float], *, higher_is_better: bool = False) -> Summary:
        tail = percentile(values, 0.01) if higher_is_better else percentile(values, 0.99)
        return cls(median=median(values), p99=tail, n=len(values))

    def to_json(self) -> dict[str, Any]:
        return {"median": self.median, "p99": self.p99, "n": self.n}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        return cls(median=float(data["median"]), p99=float(data["p99"]), n=int(data["n"]))
