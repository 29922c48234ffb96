# SPDX-License-Identifier: GPL-2.0-or-later
"""Hardening under Wine: who may read the state directory and the log file, no secrets in any
log at -v, exec and file commands switched off by the config file, and a service command line
that Windows splits back into exactly the arguments given (docs/reliability.md).

Wine 8 keeps no security descriptor on disk: a DACL given at creation becomes Unix mode bits and
a DACL read back is rebuilt from them (owner, SYSTEM, and Everyone when "others" have access).
So the tests read back that nobody beyond the owner and SYSTEM is granted anything, and check
the descriptor the agent applies by parsing its SDDL with Windows' own parser.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from harness.errors import ExecuteError
from harness.wine import AgentProcess, WineSession

from conftest import REPO, StartAgent

NO_CONF = {"QGA_CONF": ""}
ADMIN_ONLY_SDDL = "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
SERVICE = "QEMU-GA"
SERVICE_KEY = "HKLM\\System\\CurrentControlSet\\Services\\" + SERVICE
EXIT_TIMEOUT_S = 60.0
# Names of commands that run programs or touch files: the ones an administrator switches off.
EXEC_AND_FILE = ["guest-exec", "guest-exec-status", "guest-file-open", "guest-file-close", "guest-file-read",
                 "guest-file-write", "guest-file-seek", "guest-file-flush"]


def tool(build_dir: Path, name: str) -> Path:
    path = build_dir / "tests" / "wine" / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: `make check-wine` builds it", pytrace=False)
    return path


def linux_path(wine: WineSession, path: str) -> Path:
    assert path.startswith("C:\\")
    return wine.prefix / "drive_c" / path[3:].replace("\\", "/")


def dacls(wine: WineSession, build_dir: Path, *paths: str) -> list[str]:
    result = wine.run([tool(build_dir, "acl-dump.exe"), *paths])
    lines = result.out.splitlines()
    assert result.returncode == 0 and len(lines) == len(paths), result.out
    return lines


def grantees(sddl: str) -> set[str]:
    """The SIDs an SDDL DACL allows anything to."""
    return {ace.split(";")[5] for ace in re.findall(r"\(([^)]*)\)", sddl) if ace.startswith("A;")}


# -- state directory and log file -----------------------------------------------------------

def test_admin_only_descriptor(wine: WineSession, build_dir: Path) -> None:
    """The SDDL the agent applies (platform/security.h) means what it says to Windows' parser:
    protected, full access for SYSTEM and Administrators, inherited by what the directory holds."""
    header = (REPO / "win" / "agent" / "platform" / "security.h").read_text()
    applied = re.search(r'SECURITY_ADMIN_ONLY_SDDL_W\s+L"([^"]*)"', header)
    assert applied, "SECURITY_ADMIN_ONLY_SDDL_W not found in security.h"
    assert applied.group(1) == ADMIN_ONLY_SDDL
    result = wine.run([tool(build_dir, "acl-dump.exe"), "--sddl", applied.group(1)]).check()
    assert result.out.strip() == ADMIN_ONLY_SDDL


def test_state_dir_and_log_file_grant_nobody_else(wine: WineSession, build_dir: Path,
                                                  start_agent: StartAgent) -> None:
    state, log = "C:\\qga-hardening\\state", "C:\\qga-hardening-agent.log"
    agent = start_agent(["-t", state, "-l", log], env=NO_CONF)
    agent.client.ping()
    plain = linux_path(wine, "C:\\qga-hardening\\plain.txt")     # made by no one in particular
    plain.write_text("x")
    state_dacl, log_dacl, plain_dacl = dacls(wine, build_dir, state, log, "C:\\qga-hardening\\plain.txt")
    owner = next(iter(grantees(state_dacl) - {"SY", "BA"}), None)
    allowed = {"SY", "BA", owner}
    assert "WD" in grantees(plain_dacl), plain_dacl          # the check can fail: others may read
    assert grantees(state_dacl) <= allowed, state_dacl
    assert grantees(log_dacl) <= allowed, log_dacl
    for path in (state, log):
        assert linux_path(wine, path).stat().st_mode & 0o007 == 0


def test_existing_lax_state_dir_is_reported(wine: WineSession, start_agent: StartAgent) -> None:
    """A state directory made by someone else (ProgramData lets any user create one) before the
    agent's first start keeps its ACL; the agent says so instead of trusting it silently."""
    state = "C:\\qga-hardening-lax"
    path = linux_path(wine, state)
    path.mkdir()
    path.chmod(0o777)
    agent = start_agent(["-t", state], env=NO_CONF)
    agent.client.ping()
    assert re.search(r"warning: state directory .*qga-hardening-lax.* grants access to others than "
                     r"SYSTEM and Administrators", agent.log_text()), agent.log_text()


# -- secrets --------------------------------------------------------------------------------

SECRETS = {
    "password": "Pw-9f3c1d-s3cret",
    "file content": "FileContent-77a1b2-secret",
    "exec argument": "ExecArg-5e5e5e-secret",
    "exec environment": "ExecEnv-4d4d4d-secret",
    "exec input": "ExecInput-3c3c3c-secret",
    "ssh key": "AAAAC3NzaC1lZDI1NTE5AAAAISecretKey0123456789",
}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def forms(secret: str) -> list[str]:
    """Every way a secret could show up in a log: as sent, decoded, base64 of either."""
    return [secret, b64(secret), b64(secret).rstrip("="), base64.b64encode(b64(secret).encode()).decode()]


def wait_exited(agent: AgentProcess, pid: int) -> dict[str, Any]:
    deadline = time.monotonic() + EXIT_TIMEOUT_S
    while True:
        status: dict[str, Any] = agent.client.execute("guest-exec-status", {"pid": pid})
        if status["exited"]:
            return status
        assert time.monotonic() < deadline, f"pid {pid} still running"


def test_no_secrets_in_any_log(wine: WineSession, build_dir: Path, start_agent: StartAgent) -> None:
    """At -v, to the log file, stderr and the Event Log (Wine traces ReportEventW): the calls are
    logged, what they carry never is."""
    log = "C:\\qga-hardening-secrets.log"
    agent = start_agent(["-v", "-l", log], env={**NO_CONF, "WINEDEBUG": "-all,+eventlog"})
    qga = agent.client
    data_file = "C:\\qga-hardening-secret.txt"

    handle = qga.execute("guest-file-open", {"path": data_file, "mode": "w"})
    qga.execute("guest-file-write", {"handle": handle, "buf-b64": b64(SECRETS["file content"])})
    qga.execute("guest-file-close", {"handle": handle})
    handle = qga.execute("guest-file-open", {"path": data_file, "mode": "r"})
    read = qga.execute("guest-file-read", {"handle": handle})
    assert base64.b64decode(read["buf-b64"]).decode() == SECRETS["file content"]
    qga.execute("guest-file-close", {"handle": handle})

    child = wine.windows_path(build_dir / "tests" / "qga-test-child.exe")
    pid = qga.execute("guest-exec", {"path": child, "arg": ["args", SECRETS["exec argument"]],
                                     "env": ["QGA_SECRET=" + SECRETS["exec environment"]],
                                     "input-data": b64(SECRETS["exec input"]), "capture-output": True})["pid"]
    status = wait_exited(agent, pid)
    assert SECRETS["exec argument"] in base64.b64decode(status["out-data"]).decode()

    refused: list[tuple[str, dict[str, Any]]] = [
        ("guest-set-user-password", {"username": "qga-hardening-user", "password": b64(SECRETS["password"]),
                                     "crypted": False}),
        ("guest-ssh-add-authorized-keys", {"username": "qga-hardening-no-such-user",
                                           "keys": ["ssh-ed25519 " + SECRETS["ssh key"] + " me@host"]}),
    ]
    for name, args in refused:
        with pytest.raises(ExecuteError):       # no such user under Wine: refused after parsing
            qga.execute(name, args)
    qga.ping()

    texts = {"log file": linux_path(wine, log).read_bytes().decode("utf-8", "replace"),
             "stderr and Event Log": agent.log_text()}
    assert "guest-exec" in texts["log file"] and "guest-set-user-password" in texts["log file"]
    assert "ReportEventW" in texts["stderr and Event Log"]          # the Event Log trace is there
    for where, text in texts.items():
        for what, secret in SECRETS.items():
            for form in forms(secret):
                assert form not in text, f"the {what} ({form!r}) is in the {where}"


# -- commands switched off ------------------------------------------------------------------

def disabled(agent: AgentProcess, name: str, args: dict[str, Any]) -> None:
    with pytest.raises(ExecuteError) as info:
        agent.client.execute(name, args)
    assert (info.value.error_class, info.value.desc) == (
        "CommandNotFound", f"Command {name} has been disabled: the command is not allowed")


@pytest.mark.parametrize("key", ["block-rpcs", "allow-rpcs"])
def test_exec_and_file_commands_disabled_by_config(wine: WineSession, build_dir: Path,
                                                   start_agent: StartAgent, key: str) -> None:
    conf = wine.scratch / f"hardening-{key}.conf"
    if key == "block-rpcs":
        conf.write_text("[general]\nblock-rpcs=" + ";".join(EXEC_AND_FILE) + "\n")
    else:
        conf.write_text("[general]\nallow-rpcs=guest-ping,guest-info,guest-sync-delimited,guest-sync\n")
    agent = start_agent(["-c", wine.windows_path(conf)], env=NO_CONF)
    enabled = {c.name: c.enabled for c in agent.client.info().supported_commands}
    assert [name for name in EXEC_AND_FILE if enabled[name]] == []
    created = "C:\\qga-hardening-must-not-exist.txt"
    disabled(agent, "guest-file-open", {"path": created, "mode": "w"})
    disabled(agent, "guest-exec", {"path": "C:\\windows\\system32\\cmd.exe",
                                   "arg": ["/c", "echo x > C:\\qga-hardening-must-not-exist.txt"]})
    disabled(agent, "guest-file-read", {"handle": 1000})
    disabled(agent, "guest-exec-status", {"pid": 1})
    agent.client.ping()
    assert not linux_path(wine, created).exists()


# -- the service command line ---------------------------------------------------------------

@pytest.fixture
def service_exe(wine: WineSession, agent_exe: Path) -> Iterator[str]:
    exe = "C:\\Program Files\\qga hardening test\\qemu-ga.exe"
    target = linux_path(wine, exe)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(agent_exe, target)
    yield exe
    wine.run([exe, "-s", "uninstall"], env=NO_CONF)


def test_service_command_line_splits_back(wine: WineSession, build_dir: Path, service_exe: str) -> None:
    """Whatever the arguments hold (spaces, quotes, backslashes before quotes and at the end),
    Windows' CommandLineToArgvW gives each back from the ImagePath -s install writes."""
    # Paths are made absolute (GetFullPathNameW), so these are absolute and normalised already.
    given = ["-m", "isa-serial", "-p", 'COM7 "x"', "-l", 'C:\\log dir\\a "b" c.log', "-t", "C:\\state dir\\",
             "-t", "C:\\trailing\\", "-b", 'guest-exec,x\\"y', "-b", "", "-v", "-a", '\\\\"\\"', "-f",
             "C:\\pid file.pid"]
    result = wine.run([service_exe, "-s", "install", *given], env=NO_CONF)
    assert result.returncode == 0, result.err
    query = wine.run(["reg", "query", SERVICE_KEY, "/v", "ImagePath"]).check().out
    match = re.search(r"ImagePath\s+REG_(?:EXPAND_)?SZ\s+(.*?)\r?$", query, re.M)
    assert match, query
    line_file = wine.scratch / "hardening-imagepath.txt"
    line_file.write_text(match.group(1), encoding="utf-8")
    split = wine.run([tool(build_dir, "split-cmdline.exe"), wine.windows_path(line_file)]).check()
    args = [json.loads(line) for line in split.out.splitlines()]
    assert args == [service_exe, "-d", "--retry-path", *given], match.group(1)
