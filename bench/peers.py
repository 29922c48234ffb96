# SPDX-License-Identifier: GPL-2.0-or-later
"""The four peers of a benchmark run, each answering on its own raw pty.

- ours: qemu-ga.exe under Wine on a dosdevices COM link (harness AgentProcess, -m isa-serial);
- qemu-ga: Debian's Linux qemu-ga, native, -m isa-serial -p /dev/pts/N, with every command that
  changes the host blocked (it runs on the build machine, not in a guest);
- wine-floor: echo-win.exe under Wine on a COM link, opened as ours opens it;
- native-floor: echo-posix natively on a pty.
Each start is timed from process creation to the first answer on the pty (the start-up metric).
"""

from __future__ import annotations

import ctypes
import json
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Final, Literal, Mapping, Sequence

from harness.errors import ConnectError, DeadlineError, HarnessError
from harness.protocol import encode_request
from harness.wine import AgentProcess, ComPort, WineSession

from .wire import Channel

OURS: Final = "ours"
QEMU_GA: Final = "qemu-ga"
WINE_FLOOR: Final = "wine-floor"
NATIVE_FLOOR: Final = "native-floor"
ALL_PEERS: Final = (OURS, QEMU_GA, WINE_FLOOR, NATIVE_FLOOR)
AGENTS: Final = (OURS, QEMU_GA)
FLOOR_OF: Final = {OURS: WINE_FLOOR, QEMU_GA: NATIVE_FLOOR}
LABELS: Final = {OURS: "qemu-ga.exe (Wine)", QEMU_GA: "qemu-ga (Linux)", WINE_FLOOR: "echo (Wine)",
                 NATIVE_FLOOR: "echo (native)"}

START_TIMEOUT_S: Final = 60.0
STOP_TIMEOUT_S: Final = 10.0
SYNC_MARKER_ID: Final = 271828
FLOOR_MARKER_LEN: Final = 77

# The peer runs on this machine: nothing that changes the host (freeze, time, power, users,
# writes) may be reachable. qemu-ga 7.2 has no allow-list, so this is the block list.
QEMU_GA_BLOCKED: Final = (
    "guest-set-time", "guest-shutdown", "guest-file-write", "guest-fsfreeze-freeze",
    "guest-fsfreeze-freeze-list", "guest-fsfreeze-thaw", "guest-fstrim", "guest-suspend-disk",
    "guest-suspend-ram", "guest-suspend-hybrid", "guest-set-vcpus", "guest-set-user-password",
    "guest-set-memory-blocks", "guest-ssh-add-authorized-keys", "guest-ssh-remove-authorized-keys",
)

PR_SET_PDEATHSIG: Final = 1

Side = Literal["wine", "native"]


def _die_with_parent() -> None:
    """preexec_fn: the kernel ends the child if the benchmark dies."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def floor_request(request_len: int, reply_len: int) -> bytes:
    """The floor's stand-in for a request of request_len bytes answered with reply_len bytes."""
    head = b"!%d" % reply_len
    if request_len < len(head) + 1:
        raise ValueError(f"a {request_len}-byte request cannot carry {head!r}")
    return head.ljust(request_len - 1) + b"\n"


def _is_sync_marker(line: bytes) -> bool:
    try:
        value = json.loads(line.lstrip(b"\xff"))
    except ValueError:
        return False
    return isinstance(value, dict) and value.get("return") == SYNC_MARKER_ID


def _is_floor_marker(line: bytes) -> bool:
    return len(line) == FLOOR_MARKER_LEN - 1


class Peer:
    """A started peer: its channel, process and start-up time; close() is idempotent."""

    def __init__(self, name: str, side: Side, channel: Channel, startup_ns: int) -> None:
        self.name = name
        self.side = side
        self.channel = channel
        self.startup_ns = startup_ns

    @property
    def is_agent(self) -> bool:
        return self.name in AGENTS

    @property
    def pid(self) -> int:
        raise NotImplementedError

    def alive(self) -> bool:
        raise NotImplementedError

    def rss_kib(self) -> int:
        """Resident set of the peer's process (for a Wine program: the Wine process running it)."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise HarnessError(f"no VmRSS for pid {self.pid}")

    def host_path(self, path: Path) -> str:
        """How the peer names a file of this machine."""
        raise NotImplementedError

    def settle(self) -> None:
        """Drop answers to start-up probes: the stream is clean afterwards."""
        if self.is_agent:
            marker = encode_request("guest-sync", {"id": SYNC_MARKER_ID})
            self.channel.settle(marker, _is_sync_marker, timeout=START_TIMEOUT_S)
        else:
            self.channel.settle(b"!%d\n" % FLOOR_MARKER_LEN, _is_floor_marker, timeout=START_TIMEOUT_S)

    def close(self) -> None:
        self.channel.close()


def probe_for(name: str) -> bytes:
    return encode_request("guest-sync", {"id": 1}) if name in AGENTS else b"!2\n"


class WinePeer(Peer):
    """A program under Wine on a COM link (harness AgentProcess)."""

    def __init__(self, session: WineSession, name: str, process: AgentProcess, channel: Channel,
                 startup_ns: int) -> None:
        super().__init__(name, "wine", channel, startup_ns)
        self.session = session
        self.process = process

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.returncode is None

    def host_path(self, path: Path) -> str:
        return self.session.windows_path(path)

    def close(self) -> None:
        super().close()
        self.process.close()


class NativePeer(Peer):
    """A Linux program on a pty (the port stays open: its owner closes it)."""

    def __init__(self, name: str, process: subprocess.Popen[bytes], port: ComPort, channel: Channel,
                 startup_ns: int, log_path: Path) -> None:
        super().__init__(name, "native", channel, startup_ns)
        self.process = process
        self.port = port
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def host_path(self, path: Path) -> str:
        return str(path)

    def close(self) -> None:
        super().close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_S)


def _first_answer(name: str, channel: Channel, started_ns: int, alive: AgentProcess | subprocess.Popen[bytes],
                  log: str) -> int:
    try:
        return channel.first_answer(probe_for(name), timeout=START_TIMEOUT_S, started_ns=started_ns)
    except DeadlineError:
        running = alive.returncode is None if isinstance(alive, AgentProcess) else alive.poll() is None
        raise ConnectError(f"{name} did not answer (process {'running' if running else 'exited'}); "
                           f"log:\n{log}") from None


def start_wine(session: WineSession, name: str, exe: Path, args: Sequence[str] = (), *,
               port: ComPort | None = None, env: Mapping[str, str] | None = None) -> WinePeer:
    """ours (exe = qemu-ga.exe: -m isa-serial -p COMn args...) or the Wine floor (echo-win.exe COMn)."""
    port = port if port is not None else session.com_port()
    if name in AGENTS:
        process = AgentProcess(session, exe, args, port=port, env=env, ready=False)
    else:
        process = AgentProcess(session, exe, channel_args=[port.name, *args], port=port, env=env, ready=False)
    channel = Channel(port, LABELS[name])
    try:
        started = time.perf_counter_ns()
        process.start()
        startup_ns = _first_answer(name, channel, started, process, process.log_text())
        peer = WinePeer(session, name, process, channel, startup_ns)
        peer.settle()
        return peer
    except BaseException:
        channel.close()
        process.close()
        raise


def start_native(name: str, exe: str | Path, port: ComPort, run_dir: Path) -> NativePeer:
    """qemu-ga (exe: its path) or the native floor (exe: echo-posix) on port's pty slave."""
    if name == QEMU_GA:
        state = Path(tempfile.mkdtemp(prefix="qemu-ga-", dir=run_dir))
        argv = [str(exe), "-m", "isa-serial", "-p", port.slave_path, "-f", str(state / "qemu-ga.pid"),
                "-t", str(state), "-b", ",".join(QEMU_GA_BLOCKED)]
    else:
        argv = [str(exe), port.slave_path]
    log_path = Path(tempfile.mkstemp(prefix=f"{name}-", suffix=".log", dir=run_dir)[1])
    channel = Channel(port, LABELS[name])
    process: subprocess.Popen[bytes] | None = None
    try:
        started = time.perf_counter_ns()
        with open(log_path, "wb") as log:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       preexec_fn=_die_with_parent)
        startup_ns = _first_answer(name, channel, started, process,
                                   log_path.read_text(errors="replace"))
        peer = NativePeer(name, process, port, channel, startup_ns, log_path)
        peer.settle()
        return peer
    except BaseException:
        channel.close()
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(STOP_TIMEOUT_S)
        raise
