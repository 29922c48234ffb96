# SPDX-License-Identifier: GPL-2.0-or-later
"""Wine for tests: one prefix per test run, pty-backed COM ports, the agent as a process.

Measured facts this relies on are in shared/reference/wine-notes.md:
- A persistent wineserver (`wineserver -f -p`) started before `wineboot -i` creates a prefix
  in ~3 s instead of ~8.5 s; later processes then start in ~20 ms.
- The first process started after the server launches Wine's system processes, which inherit
  its stdio: if that is a pipe, whoever reads the pipe never sees EOF. So the session primes
  Wine with stdio on /dev/null, and run() captures output through files, never pipes.
- A pty slave in raw mode, kept open by the host and linked as dosdevices/comN, is opened by a
  Windows program as \\\\.\\COMN; all 256 byte values pass; closing the master makes the
  program's pending read fail with ERROR_BROKEN_PIPE.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
import tty
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Final, Mapping, Sequence

from .errors import ConnectError, DeadlineError, HarnessError
from .qga import DEFAULT_TIMEOUT_S, FdTransport, Observer, QGAClient

log = logging.getLogger(__name__)

BOOT_TIMEOUT_S: Final = 120.0      # wineboot -i on a loaded 2-core machine
SERVER_START_TIMEOUT_S: Final = 10.0
STOP_TIMEOUT_S: Final = 10.0
READY_TIMEOUT_S: Final = 30.0
READY_ATTEMPT_S: Final = 0.5       # one guest-sync-delimited attempt while the agent starts
FIRST_COM_PORT: Final = 5          # com1 is Wine's /dev/ttyS0; keep clear of the low numbers
LAST_COM_PORT: Final = 256
BOOT_DLL_OVERRIDES: Final = "mscoree,mshtml="   # no Mono/Gecko installers during wineboot -i


PR_SET_PDEATHSIG: Final = 1


def _die_with_parent() -> None:
    """preexec_fn: have the kernel SIGTERM the child when the test process dies (even by SIGKILL),
    so a killed test run leaves no persistent wineserver or agent behind."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def wine_available() -> str | None:
    """None if wine and wineserver are on PATH, else what is missing (for a skip reason)."""
    missing = [tool for tool in ("wine", "wineserver") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not installed (run ./toolchain/setup)"
    return None


def _poll_until(done: Callable[[], bool], deadline: float, what: str) -> None:
    """Wait for a condition observable only by looking (a file appearing), with a deadline."""
    delay = 0.005
    while not done():
        if time.monotonic() >= deadline:
            raise DeadlineError(f"timed out waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


@dataclass(frozen=True)
class WineResult:
    """Outcome of WineSession.run(): exit code and the raw bytes of stdout and stderr."""

    args: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def out(self) -> str:
        """stdout as text with Windows line ends turned into "\\n"."""
        return self.stdout.decode("utf-8", "replace").replace("\r\n", "\n")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace").replace("\r\n", "\n")

    def check(self) -> WineResult:
        """Raise HarnessError unless the program exited 0; return self for chaining."""
        if self.returncode != 0:
            raise HarnessError(f"{' '.join(self.args)} exited {self.returncode}\n"
                               f"stdout: {self.out[-2000:]}\nstderr: {self.err[-2000:]}")
        return self


class WineSession:
    """A Wine prefix with a persistent wineserver; a context manager, close() is idempotent.

    env holds the environment every Wine process of the session gets (WINEPREFIX,
    WINEDEBUG=-all and the caller's extras). dll_overrides becomes WINEDLLOVERRIDES.
    """

    def __init__(self, *, root: str | None = None, env: Mapping[str, str] | None = None,
                 dll_overrides: str | None = None, keep: bool = False) -> None:
        self._root = root
        self._extra_env = dict(env or {})
        self._dll_overrides = dll_overrides
        self._keep = keep
        self._server: subprocess.Popen[bytes] | None = None
        self._server_dir: Path | None = None
        self._ports: list[ComPort] = []
        self._agents: list[AgentProcess] = []
        self._serial = 0
        self._closed = False
        self.prefix = Path()
        self.scratch = Path()
        self.env: dict[str, str] = {}

    def __enter__(self) -> WineSession:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def dosdevices(self) -> Path:
        return self.prefix / "dosdevices"

    def start(self) -> None:
        """Create the prefix, start the persistent server, prime Wine. Seconds, not minutes."""
        missing = wine_available()
        if missing:
            raise HarnessError(missing)
        top = Path(tempfile.mkdtemp(prefix="qga-wine-", dir=self._root))
        self.prefix = top / "prefix"
        self.scratch = top / "scratch"
        self.prefix.mkdir(mode=0o700)
        self.scratch.mkdir()
        self.env = dict(os.environ)
        self.env.pop("WINEDLLOVERRIDES", None)
        self.env.update({"WINEPREFIX": str(self.prefix), "WINEDEBUG": "-all"})
        # Wine converts file names through the Unix locale: under the C locale that `make` exports
        # for reproducible builds, a non-ASCII Windows file name cannot be created at all.
        self.env["LC_ALL"] = "C.UTF-8"
        self.env.update(self._extra_env)
        if self._dll_overrides is not None:
            self.env["WINEDLLOVERRIDES"] = self._dll_overrides
        started = time.monotonic()
        try:
            self._server = subprocess.Popen(["wineserver", "-f", "-p"], env=self.env,
                                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
            self._wait_server()
            boot_env = dict(self.env, WINEDLLOVERRIDES=BOOT_DLL_OVERRIDES)
            # Not `wineboot -i`: on a missing prefix the loader runs its own `wineboot --init` as
            # well, and the two start two services.exe that split the service database between
            # them (net start: "Could not get handle to service", "Service database locked").
            # Any program makes the loader create the prefix with a single wineboot --init.
            self._run_quiet(["wine", "cmd", "/c", "exit"], boot_env, BOOT_TIMEOUT_S)
            # Prime: system processes exist now, all with stdio on /dev/null (wine-notes.md 1).
            self._run_quiet(["wine", "wineboot"], self.env, BOOT_TIMEOUT_S)
        except BaseException:
            self.close()
            raise
        log.info("wine prefix %s ready in %.1f s", self.prefix, time.monotonic() - started)

    def _wait_server(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        marker = self.prefix / "wineserver"     # Debian's wineserver names its /tmp dir here

        def socket_ready() -> bool:
            assert self._server is not None
            if self._server.poll() is not None:
                raise HarnessError(f"wineserver exited with {self._server.returncode} at start")
            if not marker.exists():
                return False
            self._server_dir = Path(tempfile.gettempdir()) / marker.read_text().strip()
            return any(self._server_dir.glob("server-*/socket"))

        _poll_until(socket_ready, deadline, "wineserver's socket")

    def _run_quiet(self, args: list[str], env: Mapping[str, str], timeout: float) -> None:
        try:
            proc = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise DeadlineError(f"{' '.join(args)} did not finish within {timeout} s") from exc
        if proc.returncode != 0:
            raise HarnessError(f"{' '.join(args)} exited {proc.returncode}")

    def close(self) -> None:
        """Stop agents, close ports, kill the wineserver, delete the prefix (unless keep)."""
        if self._closed:
            return
        self._closed = True
        for agent in reversed(self._agents):
            agent.close()
        for port in reversed(self._ports):
            port.close()
        if self._server is not None:
            try:
                subprocess.run(["wineserver", "-k"], env=self.env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=STOP_TIMEOUT_S,
                               check=False)
            except subprocess.TimeoutExpired:
                log.warning("wineserver -k did not return within %s s", STOP_TIMEOUT_S)
            try:
                self._server.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._server.kill()
                self._server.wait(STOP_TIMEOUT_S)
        if self._keep:
            log.info("keeping wine prefix %s", self.prefix)
            return
        if self.prefix.parent != Path():
            shutil.rmtree(self.prefix.parent, ignore_errors=True)
        if self._server_dir is not None:
            shutil.rmtree(self._server_dir, ignore_errors=True)

    # -- running programs -----------------------------------------------------------------

    def windows_path(self, path: str | os.PathLike[str]) -> str:
        """The Z: path under which Wine programs see a Linux path."""
        return "Z:" + str(Path(path).resolve()).replace("/", "\\")

    def process_env(self, env: Mapping[str, str] | None = None,
                    dll_overrides: str | None = None) -> dict[str, str]:
        """The session's environment plus extras for one process."""
        result = dict(self.env)
        result.update(env or {})
        if dll_overrides is not None:
            result["WINEDLLOVERRIDES"] = dll_overrides
        return result

    def run(self, args: Sequence[str | os.PathLike[str]], *, timeout: float = DEFAULT_TIMEOUT_S,
            env: Mapping[str, str] | None = None, dll_overrides: str | None = None,
            cwd: str | os.PathLike[str] | None = None, input: bytes = b"") -> WineResult:
        """Run `wine args...` to completion; stdout and stderr captured through files.

        args[0] is a Linux path to an .exe or a program Wine knows (sc, reg, net, msiexec).
        Raises DeadlineError (with the output so far) if it runs longer than timeout.
        """
        argv = ["wine", *[str(a) for a in args]]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
                tempfile.TemporaryFile() as inp:
            inp.write(input)
            inp.seek(0)
            proc = subprocess.Popen(argv, env=self.process_env(env, dll_overrides), cwd=cwd,
                                    stdin=inp, stdout=out, stderr=err, preexec_fn=_die_with_parent)
            try:
                returncode = proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(STOP_TIMEOUT_S)
                raise DeadlineError(f"{' '.join(argv)} still running after {timeout} s; "
                                    f"stdout: {_tail(out)!r}, stderr: {_tail(err)!r}") from None
            return WineResult(tuple(argv), returncode, _read_all(out), _read_all(err))

    def com_port(self, number: int | None = None) -> ComPort:
        """A new pty linked as dosdevices/comN (the next free N from 5 unless given)."""
        if number is None:
            number = next(n for n in range(FIRST_COM_PORT, LAST_COM_PORT + 1)
                          if not os.path.lexists(self.dosdevices / f"com{n}"))
        port = ComPort(self.dosdevices, number)
        self._ports.append(port)
        return port

    def next_serial(self) -> int:
        self._serial += 1
        return self._serial


def _read_all(f: IO[bytes]) -> bytes:
    f.seek(0)
    return f.read()


def _tail(f: IO[bytes], size: int = 2000) -> bytes:
    f.seek(0, os.SEEK_END)
    f.seek(max(0, f.tell() - size))
    return f.read()


class ComPort:
    """A pty whose slave (raw mode, held open here) is dosdevices/comN: \\\\.\\COMN in Wine.

    connect() gives QGA clients on the master side. hangup() closes the master (after the
    clients are closed) so a program with the port open sees ERROR_BROKEN_PIPE; reopen()
    makes a fresh pty under the same COM name.
    """

    def __init__(self, dosdevices: Path, number: int) -> None:
        self.number = number
        self.link = dosdevices / f"com{number}"
        self.master = -1
        self.slave = -1
        self.slave_path = ""
        self.reopen()

    @property
    def name(self) -> str:
        """The name qemu-ga's -p takes: COM5."""
        return f"COM{self.number}"

    @property
    def device(self) -> str:
        """The Win32 path: \\\\.\\COM5."""
        return "\\\\.\\" + self.name

    def reopen(self) -> None:
        """Close the current pty if any, then create a new one and point the link at it."""
        self._close_fds()
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.slave_path = os.ttyname(self.slave)
        if os.path.lexists(self.link):
            self.link.unlink()
        self.link.symlink_to(self.slave_path)

    def connect(self, *, timeout: float = DEFAULT_TIMEOUT_S, observer: Observer | None = None) -> QGAClient:
        """A client on its own duplicate of the master fd (closing it keeps the port open)."""
        if self.master < 0:
            raise ConnectError(f"{self.name} is hung up; reopen() it first")
        transport = FdTransport(os.dup(self.master), name=f"{self.name} ({self.slave_path})")
        return QGAClient(transport, timeout=timeout, observer=observer)

    def hangup(self) -> None:
        """Close the master: the host went away. Close every client of this port first."""
        if self.master >= 0:
            os.close(self.master)
            self.master = -1

    def close(self) -> None:
        """Remove the link and close the pty; idempotent."""
        if self.slave_path and os.path.islink(self.link) and os.readlink(self.link) == self.slave_path:
            self.link.unlink()
        self._close_fds()

    def _close_fds(self) -> None:
        for fd in (self.master, self.slave):
            if fd >= 0:
                os.close(fd)
        self.master = self.slave = -1


class AgentProcess:
    """qemu-ga.exe (or any program) under Wine, serving a ComPort; a context manager.

    By default it runs `exe -m isa-serial -p COMn args...`; pass channel_args to replace the
    `-m isa-serial -p COMn` part. Entering starts it and, with ready=True, waits until it answers
    a guest-sync-delimited; `client` is then a connected QGAClient. stdout and stderr go to
    `log_path`. close() stops it (SIGTERM, then SIGKILL) and closes the client; idempotent.
    """

    def __init__(self, session: WineSession, exe: str | os.PathLike[str], args: Sequence[str] = (), *,
                 port: ComPort | None = None, channel_args: Sequence[str] | None = None,
                 env: Mapping[str, str] | None = None, dll_overrides: str | None = None,
                 cwd: str | os.PathLike[str] | None = None, timeout: float = DEFAULT_TIMEOUT_S,
                 ready: bool = True, ready_timeout: float = READY_TIMEOUT_S,
                 observer: Observer | None = None) -> None:
        self.session = session
        self.exe = Path(exe)
        self.port = port if port is not None else session.com_port()
        if channel_args is None:
            channel_args = ["-m", "isa-serial", "-p", self.port.name]
        self.argv = ["wine", str(self.exe), *channel_args, *args]
        self.env = session.process_env(env, dll_overrides)
        self.cwd = cwd
        self.timeout = timeout
        self.ready = ready
        self.ready_timeout = ready_timeout
        self.observer = observer
        self.log_path = session.scratch / f"agent-{session.next_serial()}.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._client: QGAClient | None = None
        session._agents.append(self)    # the session stops it at the latest

    def __enter__(self) -> AgentProcess:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def client(self) -> QGAClient:
        """The connected client (made on first use)."""
        if self._client is None:
            self._client = self.port.connect(timeout=self.timeout, observer=self.observer)
        return self._client

    def disconnect(self) -> None:
        """Close the client, if any; the next use of `client` connects again (e.g. after the
        port was hung up and reopened)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def host_reconnect(self) -> None:
        """The host goes away and comes back: close the client, hang the pty up (the agent's
        pending I/O fails as ERROR_BROKEN_PIPE) and make a new one under the same COM name."""
        self.disconnect()
        self.port.hangup()
        self.port.reopen()

    @property
    def pid(self) -> int:
        if self._process is None:
            raise HarnessError("agent not started")
        return self._process.pid

    @property
    def returncode(self) -> int | None:
        """None while running, else the exit status (negative: killed by that signal)."""
        return None if self._process is None else self._process.poll()

    def start(self) -> None:
        if not self.exe.is_file():
            raise HarnessError(f"{self.exe} does not exist (run `make`)")
        if self._process is not None:
            raise HarnessError("agent already started")
        self._launch()
        if self.ready:
            try:
                try:
                    self.wait_ready()
                except ConnectError:
                    # Rarely, on a loaded machine, wine exits 1 before the agent runs and prints
                    # nothing (seen once in a clean-clone make check); the agent prints why it
                    # stops.  Such a launch is retried once; any exit that says something is
                    # reported as it is.
                    if self.returncode != 1 or self.log_text().strip():
                        raise
                    log.warning("wine exited 1 silently before %s ran; starting it again", self.exe)
                    self._process = None
                    self._launch()
                    self.wait_ready()
            except BaseException:
                self.close()
                raise

    def _launch(self) -> None:
        log.info("starting %s", " ".join(self.argv))
        with open(self.log_path, "wb") as out:
            self._process = subprocess.Popen(self.argv, env=self.env, cwd=self.cwd,
                                             stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                             preexec_fn=_die_with_parent)

    def wait_ready(self, timeout: float | None = None) -> None:
        """Retry guest-sync-delimited until the agent answers; fail early if it exits."""
        deadline = time.monotonic() + (self.ready_timeout if timeout is None else timeout)
        while True:
            if self.returncode is not None:
                raise ConnectError(f"agent exited with {self.returncode} before answering; "
                                   f"log:\n{self.log_text()}")
            try:
                self.client.sync(timeout=min(READY_ATTEMPT_S, max(0.0, deadline - time.monotonic())))
                return
            except DeadlineError:
                if time.monotonic() >= deadline:
                    raise DeadlineError(f"agent did not answer guest-sync-delimited on {self.port.name}; "
                                        f"log:\n{self.log_text()}") from None

    def rss_kib(self) -> int:
        """Resident memory of the agent's process now, in KiB (Linux's view of the Wine process)."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError as exc:
            raise HarnessError(f"cannot read the agent's memory: {exc}") from exc
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise HarnessError(f"no VmRSS for pid {self.pid}")

    def handle_count(self, tool: str | os.PathLike[str]) -> int:
        """Windows handles the agent holds, counted by tests/wine/tools/handle-count.c (Wine 8's
        GetProcessHandleCount is a stub).  The tool finds processes by image name, so the agent's
        exe name must be unique in the session (tests that count copy it under a name of their own)."""
        result = self.session.run([tool, self.exe.name]).check()
        counts = [int(line.split()[1]) for line in result.out.splitlines()
                  if len(line.split()) == 2 and all(part.isdigit() for part in line.split())]
        if len(counts) != 1:
            raise HarnessError(f"expected one {self.exe.name} process, handle-count says {result.out!r}")
        return counts[0]

    def log_text(self) -> str:
        """What the agent printed so far (stdout and stderr), CRLF turned into LF."""
        try:
            return self.log_path.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n")
        except FileNotFoundError:
            return ""

    def send_signal(self, sig: int) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(sig)

    def wait(self, timeout: float = STOP_TIMEOUT_S) -> int:
        """Wait for the process to exit on its own; return its status."""
        if self._process is None:
            raise HarnessError("agent not started")
        try:
            return self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise DeadlineError(f"agent still running after {timeout} s") from None

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int | None:
        """SIGTERM (Wine ends the process at once), SIGKILL if that fails; return the status."""
        if self._process is None:
            return None
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("agent pid %d ignored SIGTERM; killing it", self._process.pid)
                self._process.kill()
                self._process.wait(timeout)
        return self._process.returncode

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        self.stop()
