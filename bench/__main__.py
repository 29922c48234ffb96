# SPDX-License-Identifier: GPL-2.0-or-later
"""python3 -m bench [--quick] [--build-dir build]: run, print the table, write results.json and
the chart. Targets are goals: a miss does not fail the run; --require-all fails it when a metric
was not produced (the make check smoke)."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Final

from .metrics import FULL, QUICK
from .report import chart, table, write_json
from .suite import Results, Suite, missing_tools
from .targets import judge

EXPECTED: Final = ("ping", "pipelined", "info", "fsinfo", "file_read_4kib", "file_read_64kib",
                   "file_read_1mib", "file_read_48mib", "exec", "freeze", "thaw", "startup", "rss_idle",
                   "rss_requests", "rss_read", "rss_growth", "payload")


GROUPS: Final = ("memory", "ping", "pipelined", "info", "fsinfo", "read", "exec", "freeze", "startup",
                 "payload")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m bench", description=__doc__)
    parser.add_argument("--build-dir", type=Path, default=Path("build"), help="where make put the binaries")
    parser.add_argument("--out", type=Path, help="output directory (default BUILD_DIR/bench)")
    parser.add_argument("--quick", action="store_true", help="few samples: every metric in under a minute")
    parser.add_argument("--require-all", action="store_true", help="exit 1 unless every metric was produced")
    parser.add_argument("--only", metavar="GROUPS", help="comma-separated subset of: " + ", ".join(GROUPS))
    parser.add_argument("--report", type=Path, metavar="RESULTS_JSON",
                        help="measure nothing: print the table and draw the chart of an earlier run")
    parser.add_argument("-v", "--verbose", action="store_true")
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if options.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(message)s")
    # A killed make (SIGTERM) unwinds like Ctrl-C: peers stopped, Wine prefix deleted.
    signal.signal(signal.SIGTERM, _interrupt)

    build_dir = options.build_dir.resolve()
    out = (options.out or build_dir / "bench").resolve()
    if options.report:
        results = Results.from_json(json.loads(options.report.read_text()))
        targets = judge(results)
        print(table(results, targets))
        chart(results, targets, out / "ratios.png")
        print(f"\nwrote {out / 'ratios.png'}")
        return 0
    missing = missing_tools(build_dir)
    if missing:
        print("bench: SKIP, missing: " + ", ".join(missing), file=sys.stderr)
        return 0
    mode = "quick" if options.quick else "full"
    started = time.monotonic()

    def progress(text: str) -> None:
        print(f"bench [{time.monotonic() - started:5.1f} s] {text}", flush=True)

    only = set(options.only.split(",")) if options.only else None
    if only and not only <= set(GROUPS):
        parser.error(f"--only takes {', '.join(GROUPS)}")
    results = Suite(build_dir, QUICK if options.quick else FULL, mode, progress, only).run()
    targets = judge(results)
    print()
    print(table(results, targets))
    write_json(results, targets, out / "results.json")
    chart(results, targets, out / "ratios.png")
    print(f"\nwrote {out / 'results.json'} and {out / 'ratios.png'}")

    if options.require_all:
        produced = {m.key for m in results.metrics if m.available and m.values}
        absent = [key for key in EXPECTED if key not in produced]
        if absent:
            reasons = {m.key: m.reason for m in results.metrics if not m.available}
            listed = ", ".join(f"{k} ({reasons.get(k, 'missing')})" for k in absent)
            print(f"bench: metrics not produced: {listed}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
