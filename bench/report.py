# SPDX-License-Identifier: GPL-2.0-or-later
"""Output of a run: the terminal table, results.json and the PNG chart of the ratios."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Final

from .metrics import Metric
from .peers import ALL_PEERS, NATIVE_FLOOR, OURS, QEMU_GA, WINE_FLOOR
from .suite import Results
from .targets import Target

SCORE_SHOWN_MAX: Final = 20.0   # the chart cuts a target's score here ("> 20")
COLUMNS: Final = {OURS: "ours (Wine)", QEMU_GA: "qemu-ga", WINE_FLOOR: "Wine floor",
                  NATIVE_FLOOR: "native floor"}


def speedup(metric: Metric) -> float | None:
    """How many times better ours is than qemu-ga on the medians (> 1: ours is better)."""
    ours, peer = metric.median(OURS), metric.median(QEMU_GA)
    if ours is None or peer is None or ours <= 0 or peer <= 0:
        return None
    return ours / peer if metric.higher_is_better else peer / ours


OWN_COST_CAP: Final = 100.0     # ours at (or below) its floor: shown as this, "at floor"


def own_costs(metric: Metric) -> tuple[float, float] | None:
    """For reply times: ours above the Wine floor and qemu-ga above the native floor (ms)."""
    if metric.higher_is_better or metric.unit != "ms":
        return None
    values = [metric.median(p) for p in (OURS, WINE_FLOOR, QEMU_GA, NATIVE_FLOOR)]
    if any(v is None for v in values):
        return None
    ours, wine, peer, native = (v for v in values if v is not None)
    return ours - wine, peer - native


def own_cost_ratio(metric: Metric) -> float | None:
    """qemu-ga's own cost over ours (> 1: ours is cheaper); OWN_COST_CAP when ours is at its floor."""
    costs = own_costs(metric)
    if costs is None or costs[1] <= 0:
        return None
    own, peer_own = costs
    return OWN_COST_CAP if own <= 0 else min(OWN_COST_CAP, peer_own / own)


def _cell(metric: Metric, peer: str) -> str:
    summary = metric.values.get(peer)
    if summary is None:
        return "-"
    if summary.n == 1:
        return _num(summary.median)
    return f"{_num(summary.median)} / {_num(summary.p99)}"


def _num(value: float) -> str:
    if value == 0 or math.isnan(value):
        return f"{value:g}"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 0.1:
        return f"{value:.3f}"
    return f"{value:.4f}"


def _ratio(value: float | None) -> str:
    if value is None:
        return "-"
    return "at floor" if value >= OWN_COST_CAP else f"{value:.2f}x"


def table(results: Results, targets: list[Target]) -> str:
    header = ["metric", "unit", *COLUMNS.values(), "vs qemu-ga", "own cost"]
    rows = [header]
    for metric in results.metrics:
        if not metric.available:
            rows.append([metric.title, metric.unit, metric.reason or "not available", "", "", "", "", ""])
            continue
        rows.append([metric.title, metric.unit, *(_cell(metric, p) for p in ALL_PEERS),
                     _ratio(speedup(metric)), _ratio(own_cost_ratio(metric))])
    widths = [max(len(r[i]) for r in rows if len(r) > i) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i])
                       for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append("cells: median / p99 (rates: median / 1st percentile); memory: floor subtracted")
    lines.append("vs qemu-ga: > 1 means ours is better; "
                 "own cost: (qemu-ga - native floor) / (ours - Wine floor)")
    lines.append("")
    lines.append("targets (issue 10):")
    width = max(len(t.goal) for t in targets)
    for t in targets:
        lines.append(f"  {t.status.upper():4}  {t.goal.ljust(width)}  {t.measured}")
    meta = results.meta
    lines.append("")
    load = " ".join(meta.get("loadavg_end", []))
    lines.append(f"{meta.get('mode', '?')} run, {meta.get('seconds', '?')} s; {meta.get('wine', '?')}; "
                 f"{meta.get('qemu_ga', '?')}; load average at the end {load}")
    return "\n".join(lines)


def to_json(results: Results, targets: list[Target]) -> dict[str, Any]:
    return {
        "meta": results.meta,
        "metrics": {m.key: m.to_json() | {"speedup_vs_qemu_ga": speedup(m),
                                          "own_cost_ratio": own_cost_ratio(m)} for m in results.metrics},
        "targets": [t.to_json() for t in targets],
    }


def write_json(results: Results, targets: list[Target], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(results, targets), indent=2, sort_keys=False) + "\n")


def chart(results: Results, targets: list[Target], path: Path) -> None:
    """Two panels, log scale, 1 marked: ours vs qemu-ga per metric, and each target's score."""
    import matplotlib  # type: ignore[import]
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # type: ignore[import]

    versus = [(m.title, speedup(m), own_cost_ratio(m)) for m in results.metrics
              if m.available and speedup(m) is not None]
    scored = [t for t in targets if t.score is not None]
    height = max(len(versus), len(scored) * 1.3) * 0.42 + 1.8
    assert height > 0
    fig, (left, right) = plt.subplots(1, 2, figsize=(15, height), gridspec_kw={"width_ratios": [1.1, 1]})

    labels = [v[0] for v in versus]
    ys = list(range(len(versus)))
    raw = [v[1] or 0.0 for v in versus]
    left.barh([y + 0.2 for y in ys], raw, height=0.4, color="#4c72b0", label="ours vs qemu-ga (raw)")
    own_y = [y - 0.2 for y, v in zip(ys, versus) if v[2] is not None]
    own = [v[2] for v in versus if v[2] is not None]
    left.barh(own_y, own, height=0.4, color="#dd8452", label="own cost (above each floor)")
    for y, value in zip(ys, raw):
        left.text(value, y + 0.2, f" {value:.2g}x", va="center", fontsize=8)
    for y_own, value in zip(own_y, own):
        left.text(value, y_own, " at floor" if value >= OWN_COST_CAP else f" {value:.2g}x", va="center",
                  fontsize=8)
    left.set_xlim(right=max([2.0, *raw, *own]) * 4)
    left.set_yticks(ys)
    left.set_yticklabels(labels, fontsize=9)
    left.invert_yaxis()
    left.set_xscale("log")
    left.axvline(1.0, color="black", linewidth=1)
    left.set_xlabel("times better than qemu-ga (> 1: ours better; log scale)")
    left.set_title("qga-win vs Debian qemu-ga, medians")
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=2, fontsize=8)

    names = [f"{t.goal}\n{t.measured}" for t in scored]
    scores = [min(t.score or 0.0, SCORE_SHOWN_MAX) for t in scored]
    colours = ["#55a868" if t.status == "pass" else "#c44e52" for t in scored]
    ys2 = list(range(len(scored)))
    right.barh(ys2, [max(s, 1e-3) for s in scores], color=colours)
    for y, t, shown in zip(ys2, scored, scores):
        label = f" {t.status} {'>' if (t.score or 0) > shown else ''}{shown:.2g}"
        right.text(max(shown, 1e-3), y, label, va="center", fontsize=8)
    right.set_yticks(ys2)
    right.set_yticklabels(names, fontsize=7)
    right.invert_yaxis()
    right.set_xscale("log")
    right.axvline(1.0, color="black", linewidth=1)
    right.set_xlabel("score: measured / goal (>= 1: pass; log scale)")
    right.set_title("issue 10 targets")
    right.set_xlim(left=min([0.1, *[s for s in scores if s > 0]]) / 2, right=SCORE_SHOWN_MAX * 20)

    meta = results.meta
    fig.suptitle(f"make bench ({meta.get('mode', '?')}): {meta.get('wine', '')}, {meta.get('qemu_ga', '')}, "
                 f"{meta.get('cpus', '?')} CPUs, load {' '.join(meta.get('loadavg_end', []))}", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
