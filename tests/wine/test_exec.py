# SPDX-License-Identifier: GPL-2.0-or-later
"""guest-exec and guest-exec-status of the real qemu-ga.exe under Wine.

Children are Wine's cmd.exe and tests/wine/programs/qga-test-child.exe (prints its arguments as
CommandLineToArgvW gives them, its environment, its stdin size; waits for a file). Expected
behaviour: shared/reference/qga-reference.md section 1 and docs/compat.md.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest

from harness.errors import ExecuteError
from harness.qga import QGAClient
from harness.wine import WineSession

OUTPUT_MAX = 16 * 1024 * 1024
EXIT_TIMEOUT_S = 60.0       # a child under Wine on a loaded 2-core machine
BIG_TIMEOUT_S = 180.0


@pytest.fixture(scope="module")
def child(build_dir: Path, wine: WineSession) -> str:
    exe = build_dir / "tests" / "qga-test-child.exe"
    if not exe.is_file():
        pytest.fail(f"{exe} is missing: build it with `make`", pytrace=False)
    return wine.windows_path(exe)


def exec_start(qga: QGAClient, path: str, args: list[str] | None = None, **extra: Any) -> int:
    request: dict[str, Any] = {"path": path}
    if args is not None:
        request["arg"] = args
    request.update({k.replace("_", "-"): v for k, v in extra.items()})
    reply = qga.execute("guest-exec", request)
    assert set(reply) == {"pid"} and isinstance(reply["pid"], int) and reply["pid"] > 0
    return int(reply["pid"])


def wait_exit(qga: QGAClient, pid: int, timeout: float = EXIT_TIMEOUT_S) -> dict[str, Any]:
    """Poll guest-exec-status until exited (a deadline, not a sleep: each poll is a round trip)."""
    deadline = time.monotonic() + timeout
    while True:
        status: dict[str, Any] = qga.execute("guest-exec-status", {"pid": pid}, timeout=BIG_TIMEOUT_S)
        if status["exited"]:
            return status
        assert set(status) == {"exited"}
        if time.monotonic() > deadline:
            pytest.fail(f"pid {pid} still running after {timeout} s")


def run(qga: QGAClient, path: str, args: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return wait_exit(qga, exec_start(qga, path, args, **extra))


def out(status: dict[str, Any], stream: str = "out") -> bytes:
    return base64.b64decode(status.get(f"{stream}-data", ""))


def lines(data: bytes) -> list[Any]:
    return [json.loads(line) for line in data.decode("ascii").splitlines()]


def test_cmd_echo_stdout(qga: QGAClient) -> None:
    status = run(qga, "cmd.exe", ["/c", "echo hello"], capture_output=True)
    assert status == {"exited": True, "exitcode": 0, "out-data": base64.b64encode(b"hello\r\n").decode(),
                      "out-truncated": False}


def test_stdout_and_stderr_separated(qga: QGAClient) -> None:
    status = run(qga, "cmd.exe", ["/c", "echo to-out& echo to-err 1>&2"], capture_output="separated")
    assert out(status) == b"to-out\r\n"
    assert out(status, "err") == b"to-err \r\n"
    assert status["out-truncated"] is False and status["err-truncated"] is False


@pytest.mark.parametrize("capture, want_out, want_err", [
    ("stdout", True, False), ("stderr", False, True), ("none", False, False), (False, False, False),
    (True, True, True), (None, False, False)])
def test_capture_modes(qga: QGAClient, capture: Any, want_out: bool, want_err: bool) -> None:
    extra = {} if capture is None else {"capture_output": capture}
    status = run(qga, "cmd.exe", ["/c", "echo o& echo e 1>&2"], **extra)
    assert ("out-data" in status) == want_out
    assert ("err-data" in status) == want_err
    assert ("out-truncated" in status) == want_out and ("err-truncated" in status) == want_err


def test_merged_capture_is_rejected_on_windows(qga: QGAClient) -> None:
    with pytest.raises(ExecuteError) as info:
        qga.execute("guest-exec", {"path": "cmd.exe", "capture-output": "merged"})
    assert (info.value.error_class, info.value.desc) == (
        "GenericError", "Parameter 'capture-output' does not accept value 'merged'")


def test_exit_codes_and_ntstatus(qga: QGAClient, child: str) -> None:
    assert run(qga, "cmd.exe", ["/c", "exit 7"]) == {"exited": True, "exitcode": 7}
    assert run(qga, "cmd.exe", ["/c", "exit 0"]) == {"exited": True, "exitcode": 0}
    # compat: an NTSTATUS (>= 0xC0000000) is reported as "signal", as a signed 32-bit value
    assert run(qga, child, ["exit", "0xC0000005"]) == {"exited": True, "signal": -1073741819}
    assert run(qga, child, ["exit", "0xBFFFFFFF"]) == {"exited": True, "exitcode": -1073741825}


def test_stdin_feeds_cmd(qga: QGAClient) -> None:
    """cmd.exe runs the script it reads from stdin and ends at its end (EOF reaches it).
    (Wine's cmd ignores "exit N" read from stdin, so the exit code is not checked here.)"""
    script = b"echo from-stdin\r\nexit\r\n"
    status = run(qga, "cmd.exe", ["/q"], input_data=base64.b64encode(script).decode(),
                 capture_output="stdout")
    assert "from-stdin" in out(status).decode().splitlines()


def test_stdin_binary_and_large(qga: QGAClient, child: str) -> None:
    data = bytes(range(256)) * 4096 + b"\x00" * 1000   # 1 MiB + NULs: more than the pipe buffer
    status = run(qga, child, ["stdin-size"], input_data=base64.b64encode(data).decode(), capture_output=True)
    assert status["exitcode"] == 0
    assert out(status).strip() == str(len(data)).encode()


def test_empty_input_gives_eof(qga: QGAClient, child: str) -> None:
    status = run(qga, child, ["stdin-size"], input_data="", capture_output=True)
    assert out(status).strip() == b"0"


def test_arguments_survive_quoting(qga: QGAClient, child: str) -> None:
    args = ["plain", "with space", "", "quote\"inside", "\"", "trailing\\", "C:\\dir with space\\",
            "back\\\\\"slash", "\\\\server\\share", "tab\there", "new\nline", "caf\u00e9 \u20ac \U0001f600",
            "%PATH%",
            "a&b|c<d>e^f"]
    status = run(qga, child, ["args", *args], capture_output=True)
    assert status["exitcode"] == 0
    assert lines(out(status)) == args


# What Wine's loader adds to every process's environment (real Windows adds nothing).
WINE_ADDED = ("WINE", "SystemDrive=", "SystemRoot=")


def test_env_replaces_environment(qga: QGAClient, child: str) -> None:
    env = ["FOO=bar", "EMPTY=", "UNICODE=\u00e9\u20ac"]
    status = run(qga, child, ["env"], env=env, capture_output=True)
    got = lines(out(status))
    assert got[:len(env)] == env
    # nothing of the agent's own environment (PATH, TEMP, USERNAME...) leaks in
    assert [entry for entry in got[len(env):] if not entry.startswith(WINE_ADDED)] == []


def test_env_path_is_searched(qga: QGAClient, child: str) -> None:
    """compat: with env, a bare program name is looked up on that environment's PATH (GLib)."""
    directory, _, name = child.rpartition("\\")
    status = run(qga, name, ["args", "found"], env=[f"PATH={directory}"], capture_output=True)
    assert lines(out(status)) == ["found"]


def test_output_truncated_at_16_mib(qga: QGAClient, wine: WineSession, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes((b"0123456789abcdef" * 65536) * 17)   # 17 MiB
    status = run(qga, "cmd.exe", ["/c", "type " + wine.windows_path(big)], capture_output=True)
    assert status["exitcode"] == 0
    assert status["out-truncated"] is True
    data = out(status)
    assert len(data) == OUTPUT_MAX and data == big.read_bytes()[:OUTPUT_MAX]
    assert "err-data" not in status


def test_running_then_exited_then_forgotten(qga: QGAClient, child: str, wine: WineSession,
                                            tmp_path: Path) -> None:
    go = tmp_path / "go"
    pid = exec_start(qga, child, ["wait-file", wine.windows_path(go), "60000"], capture_output=True)
    assert qga.execute("guest-exec-status", {"pid": pid}) == {"exited": False}
    go.touch()
    assert wait_exit(qga, pid) == {"exited": True, "exitcode": 0}
    # compat: reported once, then forgotten -- and the error names the pid (qemu-ga prints "lld")
    with pytest.raises(ExecuteError) as info:
        qga.execute("guest-exec-status", {"pid": pid})
    assert info.value.desc == f"PID {pid} does not exist"


def test_unknown_pid(qga: QGAClient) -> None:
    for pid in (0, 999999, -1):
        with pytest.raises(ExecuteError) as info:
            qga.execute("guest-exec-status", {"pid": pid})
        assert (info.value.error_class, info.value.desc) == ("GenericError", f"PID {pid} does not exist")


def test_missing_program(qga: QGAClient) -> None:
    with pytest.raises(ExecuteError) as info:
        qga.execute("guest-exec", {"path": "no-such-program-here.exe"})
    assert info.value.desc.startswith("failed to execute 'no-such-program-here.exe': ")
    assert "(error 2)" in info.value.desc


def test_bad_arguments(qga: QGAClient) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"path": "cmd.exe", "input-data": "%%%"}, "Base64 data contains invalid characters"),
        ({"path": ""}, "invalid program path ''"),
        ({"path": "a\"b.exe"}, "invalid program path 'a\"b.exe'")]
    for request, desc in cases:
        with pytest.raises(ExecuteError) as info:
            qga.execute("guest-exec", request)
        assert info.value.desc == desc


def test_many_processes_in_flight(qga: QGAClient) -> None:
    pids = [exec_start(qga, "cmd.exe", ["/c", f"echo {i}"], capture_output=True) for i in range(10)]
    for i, pid in enumerate(pids):
        assert out(wait_exit(qga, pid)) == f"{i}\r\n".encode()
