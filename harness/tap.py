# SPDX-License-Identifier: GPL-2.0-or-later
"""Run a cross-built C test program under Wine and check its TAP output (style.md section 8).

The programs print "ok N - text" / "not ok N - text", "# comments", and a plan "1..N" at the end.
A test passes when the program exits 0, printed its plan, ran that many tests and none failed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from .wine import WineResult, WineSession

TAP_TIMEOUT_S = 300.0
_LINE = re.compile(r"^(not ok|ok) (\d+)\b ?-? ?(.*)$")
_PLAN = re.compile(r"^1\.\.(\d+)$")


@dataclass(frozen=True)
class TapResult:
    result: WineResult
    passed: list[str]
    failed: list[str]
    planned: int | None

    @property
    def ok(self) -> bool:
        return (self.result.returncode == 0 and not self.failed and self.planned is not None
                and self.planned == len(self.passed) + len(self.failed) and self.planned > 0)

    def summary(self) -> str:
        """What a failing test prints: the failures, the plan, the exit code and stderr's tail."""
        lines = [f"{' '.join(self.result.args)}: exit {self.result.returncode}, plan {self.planned}, "
                 f"{len(self.passed)} passed, {len(self.failed)} failed"]
        lines += [f"  not ok {line}" for line in self.failed]
        if not self.ok:
            lines.append("stdout:\n" + self.result.out[-4000:])
            lines.append("stderr:\n" + self.result.err[-2000:])
        return "\n".join(lines)


def parse(result: WineResult) -> TapResult:
    passed: list[str] = []
    failed: list[str] = []
    planned: int | None = None
    for line in result.out.splitlines():
        line = line.strip()
        match = _LINE.match(line)
        if match:
            (passed if match.group(1) == "ok" else failed).append(f"{match.group(2)} {match.group(3)}")
            continue
        plan = _PLAN.match(line)
        if plan:
            planned = int(plan.group(1))
    return TapResult(result, passed, failed, planned)


def run(session: WineSession, program: str | os.PathLike[str], args: Sequence[str] = (), *,
        env: Mapping[str, str] | None = None, timeout: float = TAP_TIMEOUT_S) -> TapResult:
    """Run program under Wine and parse its TAP output."""
    return parse(session.run([program, *args], env=env, timeout=timeout))
