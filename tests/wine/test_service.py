# SPDX-License-Identifier: GPL-2.0-or-later
"""qemu-ga.exe as the Windows service QEMU-GA under Wine: -s install/uninstall, the command line
it writes (quoted), net start/stop, --retry-path while the port is missing, vss-install without
the DLL, and -d outside the service control manager.

Facts: shared/reference/qga-reference.md section 4 (names, messages) and wine-notes.md section 6
(Wine's services work; Wine 8's sc.exe has no `qc`, so the configuration is read from the
registry when `sc qc` fails). The service's exe is a copy in a directory with a space in its
name and without qga-vss.dll (Wine has no COM+ to register a provider with).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from harness.services import service_config, wait_service_state
from harness.wine import AgentProcess, ComPort, WineResult, WineSession

from conftest import StartAgent

SERVICE = "QEMU-GA"
INSTALL_DIR = "C:\\Program Files\\qga service test"
EXE = INSTALL_DIR + "\\qemu-ga.exe"
SERVICE_KEY = "HKLM\\System\\CurrentControlSet\\Services\\" + SERVICE
EVENTLOG_KEY = "HKLM\\System\\CurrentControlSet\\Services\\EventLog\\Application\\qemu-ga"
STATE_TIMEOUT_S = 30.0


def linux_path(wine: WineSession, path: str) -> Path:
    assert path.startswith("C:\\")
    return wine.prefix / "drive_c" / path[3:].replace("\\", "/")


@pytest.fixture(scope="module")
def service_exe(wine: WineSession, agent_exe: Path) -> Iterator[str]:
    """qemu-ga.exe installed (copied) under Program Files; the service removed afterwards."""
    target = linux_path(wine, EXE)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(agent_exe, target)
    yield EXE
    wine.run(["net", "stop", SERVICE])      # Wine does not stop services at wineserver -k
    wine.run([EXE, "-s", "uninstall"])


def run(wine: WineSession, *args: str, timeout: float = 30.0) -> WineResult:
    return wine.run(list(args), env={"QGA_CONF": ""}, cwd=wine.prefix / "drive_c", timeout=timeout)


def config_of(wine: WineSession) -> dict[str, str]:
    config = service_config(wine, SERVICE)
    assert config is not None, f"service {SERVICE} is not installed"
    return config


def wait_state(wine: WineSession, state: str) -> None:
    wait_service_state(wine, SERVICE, state, STATE_TIMEOUT_S)


def install(wine: WineSession, exe: str, *args: str) -> WineResult:
    result = run(wine, exe, "-s", "install", *args)
    assert result.returncode == 0, result.err
    return result


def test_install_writes_a_quoted_command_line(wine: WineSession, service_exe: str) -> None:
    port = wine.com_port()
    result = install(wine, service_exe, "-m", "isa-serial", "-p", port.name,
                     "-l", INSTALL_DIR + "\\svc log.txt", "-t", "qga service state\\", "-v",
                     "--block-rpcs=guest-exec")
    assert result.out in ("Service was installed successfully.\n", "Service was updated successfully.\n")
    assert "qga-vss.dll is not installed" in result.err
    config = config_of(wine)
    # Every argument given, paths made absolute (the service runs in system32), and quoted where
    # needed: a trailing backslash inside quotes is doubled so the quote stays a quote.
    assert config["ImagePath"] == (f'"{EXE}" -d --retry-path -m isa-serial -p {port.name} '
                                   f'-l "{INSTALL_DIR}\\svc log.txt" -t "C:\\qga service state\\\\" -v '
                                   "-b guest-exec")
    assert (config["Start"], config["ObjectName"], config["DisplayName"], config["Type"]) == (
        "2", "LocalSystem", "QEMU Guest Agent", "16")
    eventlog = run(wine, "reg", "query", EVENTLOG_KEY).check().out
    assert re.search(r"EventMessageFile\s+REG_EXPAND_SZ\s+" + re.escape(EXE), eventlog)
    assert re.search(r"TypesSupported\s+REG_DWORD\s+0x7", eventlog)


def test_service_starts_answers_and_stops(wine: WineSession, service_exe: str,
                                          start_agent: StartAgent) -> None:
    port = wine.com_port()
    log_file = INSTALL_DIR + "\\service.log"
    install(wine, service_exe, "-m", "isa-serial", "-p", port.name, "-l", log_file, "-t", "C:\\qga svc state")
    run(wine, "net", "start", SERVICE).check()
    wait_state(wine, "RUNNING")
    with port.connect() as client:
        client.sync()
        assert client.guest_sync(99) == 99
        client.ping()
    assert linux_path(wine, "C:\\qga svc state").is_dir()
    run(wine, "net", "stop", SERVICE).check()
    wait_state(wine, "STOPPED")
    log = linux_path(wine, log_file).read_text()
    assert "started on " + port.device in log and "QEMU Guest Agent stopping" in log
    # The port is released: a console agent can take it now.
    agent = start_agent(port=port, env={"QGA_CONF": ""})
    agent.client.ping()
    agent.close()


def test_service_waits_for_a_missing_port(wine: WineSession, service_exe: str) -> None:
    """The service carries --retry-path: it runs before the device exists and attaches later."""
    port = wine.com_port()
    port.close()
    install(wine, service_exe, "-m", "isa-serial", "-p", port.name)
    run(wine, "net", "start", SERVICE).check()
    wait_state(wine, "RUNNING")
    port.reopen()
    with port.connect() as client:
        client.sync(timeout=STATE_TIMEOUT_S)
        client.ping()
    run(wine, "net", "stop", SERVICE).check()
    wait_state(wine, "STOPPED")


def test_second_console_instance_names_the_service(wine: WineSession, service_exe: str,
                                                   start_agent: StartAgent) -> None:
    port = wine.com_port()
    install(wine, service_exe, "-m", "isa-serial", "-p", port.name)
    run(wine, "net", "start", SERVICE).check()
    wait_state(wine, "RUNNING")
    try:
        with port.connect() as client:
            client.sync()
        second: AgentProcess = start_agent(port=port, ready=False, env={"QGA_CONF": ""})
        assert second.wait() == 1
        expected = "another instance of the agent is already running: the QEMU-GA service (pid "
        assert expected in second.log_text()
    finally:
        run(wine, "net", "stop", SERVICE).check()
        wait_state(wine, "STOPPED")


def test_install_again_updates_the_service(wine: WineSession, service_exe: str) -> None:
    install(wine, service_exe, "-m", "isa-serial", "-p", "COM41")
    result = install(wine, service_exe, "-p", "COM42")
    assert result.out == "Service was updated successfully.\n"
    assert config_of(wine)["ImagePath"] == f'"{EXE}" -d --retry-path -p COM42'


def test_uninstall_stops_and_removes(wine: WineSession, service_exe: str) -> None:
    port: ComPort = wine.com_port()
    install(wine, service_exe, "-m", "isa-serial", "-p", port.name)
    run(wine, "net", "start", SERVICE).check()
    wait_state(wine, "RUNNING")
    result = run(wine, service_exe, "-s", "uninstall")
    assert (result.returncode, result.out) == (0, "Service was deleted successfully.\n")
    assert run(wine, "reg", "query", SERVICE_KEY).returncode != 0
    assert run(wine, "reg", "query", EVENTLOG_KEY).returncode != 0
    with port.connect() as client:         # stopped: nobody answers any more
        with pytest.raises(Exception):
            client.sync(timeout=1.0)
    again = run(wine, service_exe, "-s", "uninstall")
    assert again.returncode == 1 and again.err.startswith("Failed to open service: ")


def test_vss_commands_without_the_dll(wine: WineSession, service_exe: str) -> None:
    dll = INSTALL_DIR + "\\qga-vss.dll"
    result = run(wine, service_exe, "-s", "vss-install")
    assert result.returncode == 1
    assert result.err == (f"qga-vss.dll was not found next to qemu-ga.exe ({dll}): "
                          "the VSS provider cannot be registered and guest-fsfreeze-* will not work.\n")
    result = run(wine, service_exe, "-s", "vss-uninstall")
    assert result.returncode == 0
    assert result.err.endswith("nothing to unregister.\n")


def test_daemonize_outside_the_service_manager(wine: WineSession, service_exe: str) -> None:
    """Wine takes 10 s to fail StartServiceCtrlDispatcher from a console (wine-notes.md 6)."""
    result = wine.run([service_exe, "-d", "-m", "isa-serial", "-p", "COM43"], timeout=60)
    assert result.returncode == 1
    assert "it was not started by the service control manager" in result.err
