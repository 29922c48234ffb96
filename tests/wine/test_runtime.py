# SPDX-License-Identifier: GPL-2.0-or-later
"""The agent runtime under Wine: command line, config file, channel life cycle, single
instance, logging, state directory and command filtering.

Facts: shared/reference/qga-reference.md sections 2-4 (qemu-ga's options, messages, keys) and
users-and-clients.md 1.6 (channel troubles). Command-line tests run a copy of qemu-ga.exe in a
fresh directory, so the default config file next to the exe is under the test's control.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

import pytest

from harness.errors import ExecuteError
from harness.protocol import encode_request
from harness.wine import AgentProcess, WineResult, WineSession

from conftest import StartAgent
from qga_reference import WINDOWS_COMMANDS

REPO = Path(__file__).resolve().parents[2]
VERSION = (REPO / "VERSION").read_text().strip()
NO_CONF = {"QGA_CONF": ""}        # the developer's own QGA_CONF must not leak into a test
TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
DISABLED = "Command {} has been disabled: the command is not allowed"
FD_GROWTH_LIMIT = 4               # fds that may come and go (e.g. an event being waited on)


@pytest.fixture
def exe(wine: WineSession, agent_exe: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of qemu-ga.exe alone in a fresh directory (no qemu-ga.conf next to it)."""
    directory = tmp_path_factory.mktemp("bin", numbered=True)
    copy = directory / "qemu-ga.exe"
    shutil.copyfile(agent_exe, copy)
    return copy


def run(wine: WineSession, exe: Path, *args: str, env: Mapping[str, str] | None = None) -> WineResult:
    return wine.run([exe, *args], env={**NO_CONF, **(env or {})})


def dump(wine: WineSession, exe: Path, *args: str, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """-D parsed into {key: raw value}; checks the layout qemu-ga prints."""
    result = run(wine, exe, *args, "-D", env=env).check()
    lines = result.out.splitlines()
    assert lines[0] == "[general]", result.out
    values = dict(line.split("=", 1) for line in lines[1:] if line)
    assert list(values)[:2] == ["daemon", "method"]
    assert list(values)[-5:] == ["statedir", "verbose", "retry-path", "block-rpcs", "allow-rpcs"]
    return values


def conf_file(wine: WineSession, name: str, text: str | bytes) -> tuple[Path, str]:
    """Write a config file into the prefix's C: drive; return its Linux and Windows paths."""
    path = wine.prefix / "drive_c" / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path, "C:\\" + name


DEFAULTS = {
    "daemon": "false",
    "method": "virtio-serial",
    "pidfile": "C:\\\\ProgramData\\\\qemu-ga\\\\qemu-ga.pid",
    "statedir": "C:\\\\ProgramData\\\\qemu-ga",
    "verbose": "false",
    "retry-path": "false",
    "block-rpcs": "",
    "allow-rpcs": "",
}


# -- command line -----------------------------------------------------------------------

def test_version(wine: WineSession, exe: Path) -> None:
    for option in ("-V", "--version", "--vers"):
        result = run(wine, exe, option)
        assert (result.returncode, result.out) == (0, f"QEMU Guest Agent {VERSION}\n")


def test_help_names_every_option(wine: WineSession, exe: Path) -> None:
    result = run(wine, exe, "--help")
    assert result.returncode == 0
    assert "qga-win" in result.out
    for short, long in [("-c", "--config"), ("-m", "--method"), ("-p", "--path"), ("-l", "--logfile"),
                        ("-f", "--pidfile"), ("-t", "--statedir"), ("-v", "--verbose"), ("-V", "--version"),
                        ("-d", "--daemonize"), ("-s", "--service"), ("-b", "--block-rpcs"),
                        ("-a", "--allow-rpcs"), ("-D", "--dump-conf"), ("-r", "--retry-path"),
                        ("-h", "--help")]:
        assert f"{short}, {long}" in result.out
    assert "C:\\ProgramData\\qemu-ga" in result.out
    assert run(wine, exe, "-h").out == result.out


@pytest.mark.parametrize(("args", "diagnostic"), [
    (["--bogus"], "unrecognized option '--bogus'"),
    (["-x"], "invalid option -- 'x'"),
    (["-F"], "invalid option -- 'F'"),                      # --fsfreeze-hook is POSIX only
    (["-m"], "option requires an argument -- 'm'"),
    (["--path"], "option '--path' requires an argument"),
    (["--verbose=yes"], "option '--verbose' doesn't allow an argument"),
    (["--ver"], "option '--ver' is ambiguous; possibilities: '--version' '--verbose'"),
    (["stray"], "unexpected argument 'stray'"),             # deliberate: qemu-ga ignores operands
])
def test_unknown_options_exit_1(wine: WineSession, exe: Path, args: list[str], diagnostic: str) -> None:
    result = run(wine, exe, *args)
    assert result.returncode == 1
    assert re.fullmatch(r".*qemu-ga\.exe: " + re.escape(diagnostic) + "\n", result.err), result.err
    # compat: qemu-ga prints this with g_print(), on stdout
    assert re.fullmatch(r"Unknown option, try '.*qemu-ga\.exe --help' for more information\.\n", result.out)


def test_unknown_service_command(wine: WineSession, exe: Path) -> None:
    result = run(wine, exe, "-s", "start")
    assert (result.returncode, result.err, result.out) == (1, "Unknown service command.\n", "")


@pytest.mark.parametrize("args", [["-b", "help"], ["--allow-rpcs=?"], ["-a", "help", "-m", "bogus"]])
def test_rpc_list(wine: WineSession, exe: Path, args: list[str]) -> None:
    result = run(wine, exe, *args).check()
    names = result.out.splitlines()
    standard = {name for name in names if not name.startswith("__org.qga-win_")}   # ours: issue 12
    assert standard == WINDOWS_COMMANDS, standard ^ WINDOWS_COMMANDS
    assert names == sorted(names)
    assert result.err == ""


@pytest.mark.parametrize(("method", "message"), [
    ("unix-listen", "unsupported communication method: unix-listen"),
    ("vsock-listen", "unsupported communication method: vsock-listen"),
    ("bogus", "unsupported channel method/type: bogus"),
])
def test_unsupported_methods(wine: WineSession, exe: Path, method: str, message: str) -> None:
    result = run(wine, exe, "-m", method)
    assert result.returncode == 1
    assert result.err.startswith(message)


# -- -D and the config file -------------------------------------------------------------

def test_dump_defaults(wine: WineSession, exe: Path) -> None:
    assert dump(wine, exe) == DEFAULTS


EVERY_OPTION = {
    "daemon": "true",
    "method": "isa-serial",
    "path": "COM9",
    "logfile": "C:\\\\log dir\\\\qga.log",
    "pidfile": "C:\\\\run\\\\qga.pid",
    "statedir": "C:\\\\state",
    "verbose": "true",
    "retry-path": "true",
    "block-rpcs": "guest-exec,guest-file-open",
    "allow-rpcs": "guest-ping,guest-info,guest-sync-delimited",
}


def test_dump_every_short_option(wine: WineSession, exe: Path) -> None:
    assert dump(wine, exe, "-d", "-m", "isa-serial", "-p", "COM9", "-l", "C:\\log dir\\qga.log",
                "-f", "C:\\run\\qga.pid", "-t", "C:\\state", "-v", "-r", "-b", "guest-exec",
                "-b", "guest-file-open", "-a", "guest-ping,guest-info;guest-sync-delimited") == EVERY_OPTION


def test_dump_every_long_option(wine: WineSession, exe: Path) -> None:
    assert dump(wine, exe, "--daemonize", "--method=isa-serial", "--path", "COM9",
                "--logfile=C:\\log dir\\qga.log", "--pidfile", "C:\\run\\qga.pid", "--statedir=C:\\state",
                "--verbose", "--retry-path", "--block-rpcs=guest-exec,guest-file-open",
                "--allow-rpcs", "guest-ping,guest-info,guest-sync-delimited") == EVERY_OPTION


def test_dump_pidfile_follows_statedir(wine: WineSession, exe: Path) -> None:
    values = dump(wine, exe, "-t", "D:\\agent state\\")
    assert values["statedir"] == "D:\\\\agent state\\\\"
    assert values["pidfile"] == "D:\\\\agent state\\\\qemu-ga.pid"


EVERY_KEY = """[general]
daemon=true
method=isa-serial
path=COM9
logfile=C:\\log dir\\qga.log
pidfile=C:\\\\run\\\\qga.pid
statedir="C:\\state"
verbose=1
retry-path=true
block-rpcs=guest-exec;guest-file-open
allow-rpcs=guest-ping,guest-info,guest-sync-delimited
"""


def test_config_file_every_key(wine: WineSession, exe: Path) -> None:
    _, path = conf_file(wine, "every-key.conf", EVERY_KEY)
    assert dump(wine, exe, "-c", path) == EVERY_OPTION
    assert dump(wine, exe, f"--config={path}") == EVERY_OPTION


def test_config_file_crlf_bom_comments_and_unknown_keys(wine: WineSession, exe: Path) -> None:
    text = "\ufeff# comment\r\n; another\r\n\r\n[general]\r\n  method = isa-serial  \r\nfsfreeze-hook=x\r\n" \
           "[other]\r\npath=ignored\r\n"
    _, path = conf_file(wine, "crlf.conf", text.encode("utf-8"))
    assert dump(wine, exe, "-c", path) == {**DEFAULTS, "method": "isa-serial"}


def test_command_line_overrides_scalars_and_lists_accumulate(wine: WineSession, exe: Path) -> None:
    _, path = conf_file(wine, "precedence.conf", "[general]\nmethod=virtio-serial\npath=COM1\nverbose=true\n"
                        "statedir=C:\\from-file\nblock-rpcs=guest-exec\nallow-rpcs=guest-info\n"
                        "retry-path=true\n")
    values = dump(wine, exe, "-c", path, "-m", "isa-serial", "-p", "COM2", "-b", "guest-shutdown,guest-exec",
                  "-a", "guest-ping")
    assert values == {**DEFAULTS, "method": "isa-serial", "path": "COM2", "verbose": "true",
                      "statedir": "C:\\\\from-file", "pidfile": "C:\\\\from-file\\\\qemu-ga.pid",
                      "retry-path": "true", "block-rpcs": "guest-exec,guest-shutdown",
                      "allow-rpcs": "guest-info,guest-ping"}


def test_qga_conf_environment_and_c_wins(wine: WineSession, exe: Path) -> None:
    _, env_path = conf_file(wine, "env.conf", "[general]\nmethod=isa-serial\n")
    _, c_path = conf_file(wine, "c.conf", "[general]\npath=COM3\n")
    assert dump(wine, exe, env={"QGA_CONF": env_path}) == {**DEFAULTS, "method": "isa-serial"}
    assert dump(wine, exe, "-c", c_path, env={"QGA_CONF": env_path}) == {**DEFAULTS, "path": "COM3"}


def test_default_config_next_to_the_exe(wine: WineSession, exe: Path) -> None:
    (exe.parent / "qemu-ga.conf").write_text("[general]\nverbose=true\n")
    assert dump(wine, exe) == {**DEFAULTS, "verbose": "true"}
    # QGA_CONF replaces the default file, even when it names no file (then nothing is read).
    assert dump(wine, exe, env={"QGA_CONF": "C:\\does-not-exist.conf"}) == DEFAULTS


def test_missing_explicit_config_is_an_error(wine: WineSession, exe: Path) -> None:
    result = run(wine, exe, "-c", "C:\\does-not-exist.conf", "-D")
    assert result.returncode == 1
    assert result.err.startswith("error loading configuration from path: C:\\does-not-exist.conf, ")
    assert "(error 2)" in result.err


@pytest.mark.parametrize(("text", "message"), [
    ("method=isa-serial\n", "line 1: key outside of any group"),
    ("[general]\nverbose\n", "line 2: not a key=value pair, group or comment"),
    ("[general]\n\nverbose=yes\n", "line 3: key 'verbose': value 'yes' cannot be interpreted as a boolean"),
    ("[general]\npath=\"COM1\n", "line 2: unterminated quoted value"),
    ("[general\n", "line 1: group header without ']'"),
])
def test_malformed_config_is_an_error(wine: WineSession, exe: Path, text: str, message: str) -> None:
    _, path = conf_file(wine, "malformed.conf", text)
    result = run(wine, exe, "-c", path, "-D")
    assert result.returncode == 1
    assert result.err.startswith(f"error loading configuration from path: {path}, {message}"), result.err
    assert result.out == ""


# -- running: channel, state, logs --------------------------------------------------------

def windows_file(wine: WineSession, path: str) -> Path:
    """The Linux path of a C:\\ path in the prefix."""
    assert path.startswith("C:\\")
    return wine.prefix / "drive_c" / path[3:].replace("\\", "/")


def read_log(wine: WineSession, path: str) -> str:
    """A log file as text: it must be UTF-8 with CR LF line ends; returned with LF."""
    data = windows_file(wine, path).read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n"), data[-500:]
    return data.decode("utf-8").replace("\r\n", "\n")


def test_statedir_is_created_for_administrators_only(wine: WineSession, start_agent: StartAgent) -> None:
    statedir = "C:\\qga-state-test\\nested dir"
    agent = start_agent(["-t", statedir], env=NO_CONF)
    agent.client.ping()
    path = windows_file(wine, statedir)
    assert path.is_dir()
    # The ACL (SYSTEM and Administrators only) shows through Wine as no access for "others";
    # the parent made on the way keeps the default.
    assert path.stat().st_mode & 0o007 == 0, oct(path.stat().st_mode)
    assert path.parent.stat().st_mode & 0o005 == 0o005, oct(path.parent.stat().st_mode)


def test_stale_frozen_marker_is_reported_and_cleared(wine: WineSession, start_agent: StartAgent) -> None:
    statedir = "C:\\qga-state-stale"
    windows_file(wine, statedir).mkdir()
    marker = windows_file(wine, statedir + "\\qga.state.isfrozen")
    marker.touch()
    agent = start_agent(["-t", statedir], env=NO_CONF)
    agent.client.ping()
    assert "warning: stale frozen marker found in the state directory" in agent.log_text()
    assert not marker.exists()


def test_event_log_gets_info_and_above(start_agent: StartAgent) -> None:
    """Wine stores no events but traces ReportEventW (wine-notes.md 8)."""
    agent = start_agent(["-v"], env={**NO_CONF, "WINEDEBUG": "-all,+eventlog"})
    agent.client.ping()
    log = agent.log_text()
    assert re.search(r":eventlog:ReportEventW L\"QEMU Guest Agent .* started on ", log), log
    assert "debug: received request" in log                       # debug lines go to stderr...
    assert not re.search(r":eventlog:ReportEventW L\"received request", log)   # ...not to the Event Log


def test_logfile_has_timestamps_and_levels(wine: WineSession, start_agent: StartAgent) -> None:
    log_path = "C:\\qga-test-quiet.log"
    agent = start_agent(["-l", log_path], env=NO_CONF)
    agent.client.ping()
    text = read_log(wine, log_path)
    assert re.search(f"^{TIMESTAMP} info: QEMU Guest Agent {re.escape(VERSION)} \\(qga-win\\) started on "
                     f"{re.escape(agent.port.device)}$", text, re.M), text
    assert " debug: " not in text
    assert agent.log_text() == ""        # with -l nothing goes to stderr
    assert windows_file(wine, log_path).stat().st_mode & 0o007 == 0      # created for admins only


def test_verbose_logs_debug_but_never_arguments(wine: WineSession, start_agent: StartAgent) -> None:
    log_path = "C:\\qga-test-verbose.log"
    agent = start_agent(["-v", "--logfile", log_path], env=NO_CONF)
    secret = "c2VjcmV0LXBhc3N3b3JkLTEyMzQ="         # base64("secret-password-1234")
    requests: list[tuple[str, dict[str, Any]]] = [
        ("guest-set-user-password",
         {"username": "qga-test-no-such-user", "password": secret, "crypted": False}),
        ("guest-file-write", {"handle": 1, "buf-b64": secret}),
        ("guest-exec", {"path": "C:\\no-such-program.exe", "arg": [secret]}),
    ]
    for name, args in requests:
        try:
            agent.client.execute(name, args)
        except ExecuteError:
            pass                          # refused or not implemented: it still passed the log
    agent.client.ping()
    text = read_log(wine, log_path)
    assert re.search(f"^{TIMESTAMP} debug: received request: guest-set-user-password$", text, re.M), text
    # What the host sent is quoted sanitised: the harness's resync byte 0xFF shows as '?'.
    assert re.search(f"^{TIMESTAMP} debug: received malformed input: JSON parse error, stray '\\?'$", text,
                     re.M), text
    assert secret not in text and "secret-password" not in text and "qga-test-no-such-user" not in text


def test_virtio_serial_default_path(wine: WineSession, start_agent: StartAgent) -> None:
    """\\\\.\\Global\\org.qemu.guest_agent.0 is dosdevices/global/org.qemu.guest_agent.0 in Wine."""
    port = wine.com_port()
    link = wine.dosdevices / "global" / "org.qemu.guest_agent.0"
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(port.slave_path)
    try:
        agent = start_agent(port=port, channel_args=[], env=NO_CONF)
        agent.client.ping()
        assert agent.client.guest_sync(7) == 7
    finally:
        link.unlink()


def test_missing_port_without_retry_path_exits(wine: WineSession, start_agent: StartAgent) -> None:
    port = wine.com_port()
    port.close()                          # the link is gone: \\.\COMn does not exist
    agent = start_agent(port=port, ready=False, env=NO_CONF)
    assert agent.wait() == 1
    assert f"error: error opening path {port.device}: " in agent.log_text()


def test_retry_path_attaches_when_the_port_appears(wine: WineSession, start_agent: StartAgent) -> None:
    port = wine.com_port()
    port.close()
    agent = start_agent(["--retry-path"], port=port, ready=False, env=NO_CONF)
    wait_for_log(agent, "waiting for channel path")
    assert agent.returncode is None
    port.reopen()                         # the device appears
    agent.wait_ready()
    assert agent.client.guest_sync(11) == 11


def wait_for_log(agent: AgentProcess, text: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    delay = 0.01
    while text not in agent.log_text():
        if agent.returncode is not None or time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not logged; log:\n{agent.log_text()}")
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def reconnect(agent: AgentProcess) -> None:
    """The host goes away and comes back: hang the pty up, make a new one under the same name."""
    agent.disconnect()
    agent.port.hangup()
    agent.port.reopen()


def test_host_reconnect_mid_request_discards_the_partial_request(start_agent: StartAgent) -> None:
    agent = start_agent(env=NO_CONF)
    agent.client.send_bytes(b'{"execute": "guest-sync", "arguments": {"id": 1')   # never finished
    reconnect(agent)
    # The first bytes on the new connection are a complete request: if the old partial one were
    # still buffered, they would continue it (and the reply would be an error or id 1).
    client = agent.client
    client.send_bytes(encode_request("guest-sync", {"id": 4711}))
    assert client.receive(timeout=20).value == {"return": 4711}
    client.sync()
    assert f"info: channel {agent.port.device} closed by the host" in agent.log_text()


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def handle_values(agent: AgentProcess) -> list[int]:
    """The value a new handle got at each channel open (logged with -v).  Handle slots are reused
    lowest first, so a leaked handle per reconnect pushes it up (Wine 8's GetProcessHandleCount
    reports 0, so the count itself cannot be used)."""
    pattern = r"debug: process handles: count \d+, next value (\d+)"
    return [int(n) for n in re.findall(pattern, agent.log_text())]


def test_no_handle_or_fd_growth_over_200_reconnects(start_agent: StartAgent) -> None:
    """Windows handles and the Wine process's fds stay flat.  (The wineserver's own fd count is
    not used: it wanders by dozens on its own.)"""
    agent = start_agent(["-v"], env=NO_CONF)
    fds: list[int] = []
    for i in range(200):
        reconnect(agent)
        assert agent.client.guest_sync(i) == i
        if i in (20, 199):
            fds.append(fd_count(agent.pid))
    values = handle_values(agent)
    assert len(values) == 201, agent.log_text()[-2000:]
    assert 0 < values[-1] <= values[20], values
    assert fds[1] - fds[0] <= FD_GROWTH_LIMIT, fds


def test_second_instance_on_the_same_port_is_refused(wine: WineSession, start_agent: StartAgent) -> None:
    first = start_agent(env=NO_CONF)
    second = start_agent(port=first.port, ready=False, env=NO_CONF)
    assert second.wait() == 1
    message = second.log_text()
    assert "another instance of the agent is already running: an agent started from a console (pid " \
           in message, message
    assert f") on {first.port.device}; stop it first" in message
    first.client.ping()                   # the first one is unharmed


def test_agents_on_different_ports_coexist(start_agent: StartAgent) -> None:
    first = start_agent(env=NO_CONF)
    second = start_agent(env=NO_CONF)
    first.client.ping()
    second.client.ping()


# -- command filtering --------------------------------------------------------------------

SYNC = "guest-sync-delimited"             # the harness needs it to see the agent ready


def enabled(agent: AgentProcess) -> dict[str, bool]:
    return {c.name: c.enabled for c in agent.client.info().supported_commands}


def assert_disabled(agent: AgentProcess, name: str, args: dict[str, Any] | None = None) -> None:
    with pytest.raises(ExecuteError) as info:
        agent.client.execute(name, args)
    assert (info.value.error_class, info.value.desc) == ("CommandNotFound", DISABLED.format(name))


@pytest.mark.parametrize("args", [["-b", "guest-ping"], ["--block-rpcs=guest-ping,guest-get-time"]])
def test_block_rpcs(start_agent: StartAgent, args: Sequence[str]) -> None:
    agent = start_agent(args, env=NO_CONF)
    assert_disabled(agent, "guest-ping")
    state = enabled(agent)
    assert state["guest-ping"] is False and state["guest-info"] is True
    assert agent.client.guest_sync(3) == 3


def test_allow_rpcs(start_agent: StartAgent) -> None:
    agent = start_agent(["-a", f"guest-info,{SYNC}"], env=NO_CONF)
    assert_disabled(agent, "guest-ping")
    assert_disabled(agent, "guest-sync", {"id": 1})
    state = enabled(agent)
    assert [name for name, on in state.items() if on] == ["guest-info", SYNC]


def test_block_wins_over_allow(start_agent: StartAgent) -> None:
    agent = start_agent(["-a", f"guest-info,guest-ping,{SYNC}", "-b", "guest-ping"], env=NO_CONF)
    assert_disabled(agent, "guest-ping")
    assert enabled(agent)["guest-info"] is True


def test_rpc_lists_from_the_config_file(wine: WineSession, start_agent: StartAgent) -> None:
    _, path = conf_file(wine, "rpcs.conf", f"[general]\nallow-rpcs=guest-info;guest-ping,{SYNC}\n"
                        "block-rpcs=guest-ping\n")
    agent = start_agent(["-c", path, "-a", "guest-sync"], env=NO_CONF)
    assert_disabled(agent, "guest-ping")
    assert agent.client.guest_sync(5) == 5          # allowed on the command line: lists accumulate
    assert enabled(agent)["guest-info"] is True


def test_unknown_names_in_rpc_lists_are_warned_about(wine: WineSession, start_agent: StartAgent) -> None:
    log_path = "C:\\qga-test-rpcs.log"
    agent = start_agent(["-b", "guest-no-such-command", "-l", log_path], env=NO_CONF)
    agent.client.ping()
    text = read_log(wine, log_path)
    assert "warning: block-rpcs: unknown command 'guest-no-such-command' ignored" in text
