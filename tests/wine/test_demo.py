# SPDX-License-Identifier: GPL-2.0-or-later
"""`make demo` (harness/demo.py) shows a full freeze -> thaw round trip with the fake coordinator's
trace (issue 7, "Done when"): run it as make does, in its own Wine prefix, and read what it prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DEMO_TIMEOUT_S = 300.0


def test_demo_shows_freeze_thaw_and_the_vss_trace(repo: Path, build_dir: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "harness.demo", "--build-dir", str(build_dir)], cwd=repo,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=DEMO_TIMEOUT_S)
    out = result.stdout
    assert result.returncode == 0, out[-4000:] + result.stderr[-2000:]
    assert "skipped: freeze" not in out, out
    frozen = re.search(r"--- (\d+) volume\(s\) frozen", out)
    assert frozen and int(frozen.group(1)) >= 1, out
    assert "--- status: frozen" in out, out
    assert f"--- {frozen.group(1)} volume(s) thawed; status: thawed" in out, out
    trace = out.split("fake coordinator's trace", 1)[-1]
    calls = re.findall(r"^\s+[\d.]+ ms\s+(\w+)\s+(\w+)\s+ok\b", trace, re.M)
    assert ("requester", "DoSnapshotSet") in calls and ("provider", "CommitSnapshots") in calls, trace
    assert ("requester", "BackupComplete") in calls, trace
