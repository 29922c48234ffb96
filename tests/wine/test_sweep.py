# SPDX-License-Identifier: GPL-2.0-or-later
"""The malformed-input sweep: at least 10,000 malformed or hostile messages (harness/malformed.py)
sent to the real agent under Wine.  Each gets the reply its category promises (an error reply for
every malformed one), the agent answers a ping after every batch, and its resident memory and
handle count stay bounded.  `make sweep` runs a bigger one (QGA_SWEEP_MESSAGES, heavier cases).

Every case is followed by 0xFF (resets the agent's parser, always answered by exactly one
"JSON parse error, stray" error) and a guest-sync whose reply closes the case: the replies before
that error are the case's own.  Figures go to build/reliability/sweep.json (docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import pytest

from harness.errors import DeadlineError, ExecuteError
from harness.malformed import RESET, STRAY, Case, CommandSpec, Generator, load_specs
from harness.qga import QGAClient
from harness.wine import AgentProcess, WineSession

CHECK_MESSAGES = 10_000            # make check; make sweep sets QGA_SWEEP_MESSAGES
BATCH_BYTES = 256 << 10            # cases sent in one write (the client reads while it writes)
BATCH_CASES = 400
SYNC_BASE = 7_000_000_000          # ids of the closing guest-syncs: no case returns these
BATCH_TIMEOUT_S = 120.0
OPEN_READ_TIMEOUT_S = 15.0         # a read of a hostile path must not block the agent
# Resident memory may grow this much from the end of the first batch (heap high-water marks,
# Wine's own caches) to the end: measured +356 KiB over both 10,000 and 100,000 messages (a
# plateau); the 100,000-message sweep bounds a leak to ~10 bytes per message.
RSS_GROWTH_LIMIT_KIB = 1024
# After a limit-sized (64 MiB) message the heap may keep some of it; it must not keep it all.
RSS_AFTER_HEAVY_LIMIT_KIB = 48 << 10
HANDLE_GROWTH_LIMIT = 2            # handles may come and go (an event waited on)
MAX_FAILURES_SHOWN = 25


@pytest.fixture(scope="module")
def specs(build_dir: Path) -> list[CommandSpec]:
    tool = build_dir / "host" / "dump-commands"
    if not tool.is_file():
        pytest.fail(f"{tool} is missing: `make check-wine` builds it", pytrace=False)
    result = subprocess.run([str(tool)], capture_output=True, text=True, timeout=30, check=True)
    return load_specs(result.stdout)


@pytest.fixture(scope="module")
def sweep_agent(wine: WineSession, agent_exe: Path) -> Iterator[AgentProcess]:
    """The agent under a name of its own (qga-sweep.exe), so handle-count finds only it."""
    directory = wine.scratch / "sweep"
    directory.mkdir(exist_ok=True)
    exe = directory / "qga-sweep.exe"
    shutil.copyfile(agent_exe, exe)
    with AgentProcess(wine, exe, ["-t", "C:\\qga-sweep-state"], env={"QGA_CONF": ""},
                      timeout=BATCH_TIMEOUT_S) as agent:
        yield agent


def wanted_messages() -> int:
    return int(os.environ.get("QGA_SWEEP_MESSAGES", CHECK_MESSAGES))


def make_cases(specs: list[CommandSpec]) -> list[Case]:
    """wanted_messages() cases: the fixed categories, mutations making up the rest."""
    wanted = wanted_messages()
    full = wanted > CHECK_MESSAGES
    fixed = Generator(specs, scale=2 if full else 1, heavy=True, mutations=0).cases()
    if not full:
        # make check: one limit-sized message of each kind is enough; make sweep sends them all.
        light = ("string token over 64 MiB", "number of 1 MiB digits as sync id")
        fixed = [c for c in fixed if not c.heavy or c.name in light]
    mutations = max(0, wanted - len(fixed))
    return fixed + Generator(specs, mutations=mutations).mutations_only()


def sync_request(number: int) -> bytes:
    return b'{"execute":"guest-sync","arguments":{"id":%d}}' % (SYNC_BASE + number)


def batches(cases: list[Case]) -> Iterator[list[tuple[int, Case]]]:
    batch: list[tuple[int, Case]] = []
    size = 0
    for number, case in enumerate(cases):
        batch.append((number, case))
        size += len(case.data)
        if size >= BATCH_BYTES or len(batch) >= BATCH_CASES or case.heavy:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def run_batch(client: QGAClient, batch: list[tuple[int, Case]]) -> list[str]:
    """Send the cases in one write; return what went wrong (empty: every case as expected)."""
    data = b"".join(case.data + RESET + sync_request(number) for number, case in batch)
    deadline = client.deadline(BATCH_TIMEOUT_S)
    dropped = len(client.discarded)
    client.send_bytes(data, deadline=deadline)
    problems = []
    for number, case in batch:
        replies: list[Any] = []
        while True:
            value = client.receive(deadline=deadline).value
            if value == {"return": SYNC_BASE + number}:
                break
            replies.append(value)
        if not replies or "error" not in replies[-1] or not replies[-1]["error"]["desc"].startswith(STRAY):
            problems.append(f"{case!r}: the reset (0xFF) was not answered by one stray-byte error; "
                            f"replies {replies!r:.400}")
            continue
        problem = case.expect.check(replies[:-1])
        if problem:
            problems.append(f"{case!r}: {problem}; input {case.data[:120]!r}; replies {replies[:-1]!r:.400}")
    if len(client.discarded) != dropped:
        problems.append(f"undecodable output after {batch[0][1]!r}..{batch[-1][1]!r}: "
                        f"{list(client.discarded)[dropped - len(client.discarded):]!r:.400}")
    return problems


def open_hostile_path(client: QGAClient, case: Case) -> str:
    """guest-file-open of a hostile path: an error, or a handle that reads (bounded) and closes.
    Returns the behaviour seen, for the report."""
    reply = json.loads(case.data)
    path = reply["arguments"]["path"]
    mode = reply["arguments"].get("mode", "r")
    try:
        handle = client.execute("guest-file-open", {"path": path, "mode": mode})
    except ExecuteError as exc:
        assert exc.error_class == "GenericError", (case, exc)
        return f"error: {exc.desc}"
    assert isinstance(handle, int), (case, handle)
    outcome = f"opened as {handle}"
    if "r" in mode or "+" in mode:
        try:
            read = client.execute("guest-file-read", {"handle": handle, "count": 64},
                                  timeout=OPEN_READ_TIMEOUT_S)
            outcome += f", read {read['count']} bytes"
        except ExecuteError as exc:
            outcome += f", read failed: {exc.desc}"
        except DeadlineError:
            pytest.fail(f"{case!r}: guest-file-read of {path!r} blocked the agent for "
                        f"{OPEN_READ_TIMEOUT_S} s")
    client.execute("guest-file-close", {"handle": handle})
    return outcome


def report(build_dir: Path, name: str, figures: dict[str, Any]) -> None:
    """Figures of this run for docs/reliability.md."""
    out = build_dir / "reliability"
    out.mkdir(exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")


def test_table_dump_matches_guest_info(specs: list[CommandSpec], sweep_agent: AgentProcess) -> None:
    """The sweep's view of the table is the agent's: same commands, same success-response."""
    info = sweep_agent.client.info()
    assert {c.name: c.success_response for c in info.supported_commands} == \
        {s.name: s.success_response for s in specs}


def test_sweep(specs: list[CommandSpec], sweep_agent: AgentProcess, build_dir: Path) -> None:
    client = sweep_agent.client
    client.sync()
    tool = build_dir / "tests" / "wine" / "handle-count.exe"
    cases = make_cases(specs)
    assert len(cases) >= min(wanted_messages(), CHECK_MESSAGES)
    started = time.monotonic()
    problems: list[str] = []
    rss: list[int] = []
    heavy_rss: list[int] = []
    opened: dict[str, str] = {}
    handles_before = -1
    for index, batch in enumerate(batches([c for c in cases if "open" not in c.tags])):
        problems += run_batch(client, batch)
        client.ping()                                   # still serving
        if batch[-1][1].heavy:
            heavy_rss.append(sweep_agent.rss_kib())
        else:
            rss.append(sweep_agent.rss_kib())
        if index == 0:
            handles_before = sweep_agent.handle_count(tool)
    for case in (c for c in cases if "open" in c.tags):
        opened[case.name] = open_hostile_path(client, case)
        client.ping()
    handles_after = sweep_agent.handle_count(tool)
    elapsed = time.monotonic() - started
    categories = Counter(c.category for c in cases)
    report(build_dir, "sweep", {
        "messages": len(cases), "categories": dict(categories), "seconds": round(elapsed, 1),
        "rss_kib_first_batch": rss[0], "rss_kib_last_batch": rss[-1], "rss_kib_max": max(rss + heavy_rss),
        "rss_kib_after_heavy": heavy_rss, "handles_before": handles_before, "handles_after": handles_after,
        "hostile_paths": opened, "failures": len(problems),
    })
    assert not problems, f"{len(problems)} of {len(cases)} cases went wrong:\n" + \
        "\n".join(problems[:MAX_FAILURES_SHOWN])
    assert sweep_agent.returncode is None
    assert rss[-1] - rss[0] <= RSS_GROWTH_LIMIT_KIB, f"resident KiB grew {rss[0]} -> {rss[-1]} over the sweep"
    assert all(kib - rss[0] <= RSS_AFTER_HEAVY_LIMIT_KIB for kib in heavy_rss), (rss[0], heavy_rss)
    assert handles_after - handles_before <= HANDLE_GROWTH_LIMIT, (handles_before, handles_after)
