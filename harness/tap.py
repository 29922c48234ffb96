# SPDX-License-Identifier: GPL-2.0-or-later
"""TAP output of the cross-built C test programs (tests/wine/com, Wine's ok() style).

parse_tap() reads "ok N - text" / "not ok N - text" lines and the "1..N" plan; a run is good when
every line passed, the numbers run 1..N without gaps and the plan matches (a crash midway leaves
no plan, or a short one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_LINE = re.compile(r"^(ok|not ok) (\d+) - (.*)$")
_PLAN = re.compile(r"^1\.\.(\d+)$")


@dataclass(frozen=True)
class TapResult:
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    plan: int | None = None

    @property
    def complete(self) -> bool:
        """The plan was printed and every announced check reported, in order."""
        return self.plan is not None and self.numbers == list(range(1, self.plan + 1))

    @property
    def ok(self) -> bool:
        return self.complete and not self.failed

    def summary(self) -> str:
        """For assertion messages: the failed lines, or what is missing."""
        if self.failed:
            return "\n".join(self.failed)
        if self.plan is None:
            return f"no plan after {len(self.numbers)} checks (did the program crash?)"
        return f"plan 1..{self.plan} but checks {self.numbers[:3]}...{self.numbers[-3:]}"


def parse_tap(text: str) -> TapResult:
    result = TapResult()
    plan = None
    for line in text.splitlines():
        if match := _LINE.match(line.strip()):
            target = result.passed if match.group(1) == "ok" else result.failed
            target.append(f"{match.group(2)} - {match.group(3)}")
            result.numbers.append(int(match.group(2)))
        elif match := _PLAN.match(line.strip()):
            plan = int(match.group(1))
    return TapResult(result.passed, result.failed, result.numbers, plan)
