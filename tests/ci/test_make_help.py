# SPDX-License-Identifier: GPL-2.0-or-later
"""`make help` lists every phony target with a description, and the README's quick start is the
command CI runs (issue 2: "make help lists targets"; ".ci/run runs the README's test command")."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def make(*args: str) -> str:
    return subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), *args], check=False,
                          capture_output=True, text=True, timeout=120).stdout


def test_help_describes_every_phony_target() -> None:
    database = make("-pRrq", "-f", "Makefile")
    phony = set()
    for line in database.splitlines():
        if line.startswith(".PHONY:"):
            phony.update(line.split(":", 1)[1].split())
    assert {"all", "check", "demo", "help", "clean"} <= phony, sorted(phony)
    described = {}
    for line in make("help").splitlines():
        match = re.fullmatch(r"  ([a-z][a-z0-9-]*): (\S.*)", line)
        assert match, f"help line without a description: {line!r}"
        described[match.group(1)] = match.group(2)
    assert phony - set(described) == set(), "phony targets missing from `make help`"
    assert set(described) - phony == set(), "`make help` lists targets that are not phony"


def test_readme_quick_start_is_what_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", readme, re.S)
    assert block, "README has no Quick start code block"
    commands = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    commands = [command for command in commands if command]
    assert commands == ["./toolchain/setup && make demo", "./toolchain/setup && make check"], commands
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert ci == [commands[1]], ci
