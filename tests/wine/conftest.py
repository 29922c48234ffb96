# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures of the Wine tier: one Wine session per test run, one agent per test module.

A module customises its agent with module-level constants (all optional):
    AGENT_ARGS = ["-v"]                     extra command-line arguments
    AGENT_ENV = {"NAME": "value"}           extra environment
    AGENT_DLL_OVERRIDES = "vssapi=n,b"      WINEDLLOVERRIDES for the agent
Tests that need more agents use the start_agent factory; they are stopped after the test.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from types import FrameType
from typing import Any, Callable, Iterator, Mapping, Sequence

import pytest

from harness.admin_fakes import AdminFakes
from harness.errors import HarnessError
from harness.qga import QGAClient
from harness.wine import AgentProcess, WineSession, wine_available

REPO = Path(__file__).resolve().parents[2]

StartAgent = Callable[..., AgentProcess]


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config: pytest.Config) -> None:
    """A SIGTERM (a CI timeout, a killed make) stops the run like Ctrl-C, so the fixtures'
    finalizers still stop the agents and delete the Wine prefix (700 MB)."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _interrupt)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def build_dir() -> Path:
    """QGA_BUILD_DIR (make check-wine sets it), else build/ at the top of the tree."""
    return Path(os.environ.get("QGA_BUILD_DIR", REPO / "build")).resolve()


@pytest.fixture(scope="session")
def agent_exe(build_dir: Path) -> Path:
    exe = build_dir / "qemu-ga.exe"
    if not exe.is_file():
        pytest.fail(f"{exe} is missing: build it with `make` (`make check-wine` does)", pytrace=False)
    return exe


@pytest.fixture(scope="session")
def wine() -> Iterator[WineSession]:
    """The run's Wine prefix with a persistent wineserver, deleted at the end."""
    missing = wine_available()
    if missing:
        pytest.skip(f"Wine tier needs Wine: {missing}")
    with WineSession() as session:
        yield session


@pytest.fixture(scope="module")
def agent(wine: WineSession, agent_exe: Path, request: pytest.FixtureRequest) -> Iterator[AgentProcess]:
    """qemu-ga.exe on its own pty COM port, answering; one per test module."""
    args: Sequence[str] = getattr(request.module, "AGENT_ARGS", ())
    env: Mapping[str, str] | None = getattr(request.module, "AGENT_ENV", None)
    overrides: str | None = getattr(request.module, "AGENT_DLL_OVERRIDES", None)
    with AgentProcess(wine, agent_exe, args, env=env, dll_overrides=overrides) as process:
        yield process
        if process.returncode is not None:
            pytest.fail(f"the agent exited with {process.returncode} during {request.module.__name__}; "
                        f"log:\n{process.log_text()}", pytrace=False)


_unresponsive: dict[int, str] = {}     # agent pid -> why it stopped answering


@pytest.fixture
def qga(agent: AgentProcess) -> QGAClient:
    """The module's agent client, resynchronised so each test starts on a clean stream.

    Once the agent has exited or failed to resynchronise, later tests fail at once with the
    reason instead of each waiting for its own deadline.
    """
    if agent.pid in _unresponsive:
        pytest.fail(f"the module's agent stopped answering earlier: {_unresponsive[agent.pid]}",
                    pytrace=False)
    if agent.returncode is not None:
        _unresponsive[agent.pid] = f"exited with {agent.returncode}"
        pytest.fail(f"the agent exited with {agent.returncode} (in an earlier test?); "
                    f"log:\n{agent.log_text()}", pytrace=False)
    client = agent.client
    try:
        client.sync()
    except HarnessError as exc:
        _unresponsive[agent.pid] = f"{type(exc).__name__}: {exc}"
        raise
    return client


@pytest.fixture
def start_agent(wine: WineSession, agent_exe: Path) -> Iterator[StartAgent]:
    """start_agent(args=(), **AgentProcess options) -> a started agent, stopped after the test."""
    started: list[AgentProcess] = []

    def start(args: Sequence[str] = (), **options: Any) -> AgentProcess:
        process = AgentProcess(wine, options.pop("exe", agent_exe), args, **options)
        started.append(process)
        process.start()
        return process

    yield start
    for process in reversed(started):
        process.close()


@pytest.fixture(scope="session")
def admin_fakes(wine: WineSession, build_dir: Path) -> Iterator[AdminFakes]:
    """The COM+ catalog and IVssAdmin test doubles, registered in the run's prefix."""
    dll = build_dir / "tests" / "qga-fake-admin.dll"
    if not dll.is_file():
        pytest.fail(f"{dll} is missing: `make check-wine` builds it", pytrace=False)
    fakes = AdminFakes(wine, dll)
    fakes.install()
    yield fakes
    if fakes.installed:
        fakes.uninstall()
