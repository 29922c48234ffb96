# SPDX-License-Identifier: GPL-2.0-or-later
"""QEMU launcher for the VM tier: one VM class for both guest profiles (style.md section 9).

- LinuxWineProfile boots the guest images/linux-wine/build.py makes: a Debian kernel whose init
  mounts the host's root over 9p and runs our unmodified qemu-ga.exe under Wine on the real
  virtio-serial port (reference/vm-notes.md has the measured launch line and its pitfalls).
- WindowsProfile boots a Windows image made by images/windows/ (the agent installed as the
  QEMU-GA service), resuming its recorded ready state when there is one.

Both get the same devices for the agent: a virtio-serial port named org.qemu.guest_agent.0
(id=qga0port, which QEMU needs to emit VSERPORT_CHANGE) backed by a chardev unix socket, and QMP
on another socket, both in a per-test run directory. Images the user supplies are never written:
every disk is a qcow2 overlay in the run directory. Readiness is the port opened by the guest
(frontend-open / VSERPORT_CHANGE) plus a successful guest-sync-delimited. QEMU is always killed
in close(); the run directory (console, QEMU and agent logs) is kept when the test failed.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Final, Mapping, Sequence

from .chardev import connect_qga
from .errors import ConnectError, DeadlineError, ExecuteError, HarnessError
from .fake_vss import SCENARIO_ENV, TRACE_ENV, TraceEvent
from .qga import QGAClient
from .qmp import Event, QMPClient

log = logging.getLogger(__name__)

ROOT: Final = Path(__file__).resolve().parents[1]
QEMU: Final = "qemu-system-x86_64"
QEMU_IMG: Final = "qemu-img"
ACCEL_ENV: Final = "QGA_VM_ACCEL"          # "kvm" or "tcg": overrides the automatic choice
KEEP_ENV: Final = "QGA_VM_KEEP"            # "1": keep run directories even when tests pass

PORT_NAME: Final = "org.qemu.guest_agent.0"
QGA_CHARDEV: Final = "qga0"
QGA_PORT_ID: Final = "qga0port"

CONNECT_TIMEOUT_S: Final = 10.0            # QEMU creates its sockets within ~50 ms of starting
PORT_CHECK_S: Final = 1.0                  # VSERPORT_CHANGE is rate-limited to 1/s: re-query this often
SYNC_ATTEMPT_S: Final = 5.0                # one guest-sync-delimited attempt while the agent starts
POWERDOWN_TIMEOUT_S: Final = 60.0
QUIT_TIMEOUT_S: Final = 10.0
KILL_TIMEOUT_S: Final = 10.0
QEMU_IMG_TIMEOUT_S: Final = 60.0
MAX_UNIX_PATH: Final = 107                 # sun_path is 108 bytes with its NUL
CONSOLE_TAIL_BYTES: Final = 3000


# ---------------------------------------------------------------------------------------------
# Accelerator.

def cpu_has_virtualization(cpuinfo: str | None = None) -> bool:
    """True when the CPU flags list vmx or svm (a /dev/kvm that opens is not enough: on nested
    PVM hosts it opens but cannot run unmodified guests, reference/vm-notes.md)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return False
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags = line.split(":", 1)[-1].split()
            if "vmx" in flags or "svm" in flags:
                return True
    return False


def kvm_usable() -> bool:
    if not cpu_has_virtualization():
        return False
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    os.close(fd)
    return True


def choose_accel(requested: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """'kvm' or 'tcg': `requested`, else $QGA_VM_ACCEL, else kvm when usable, else tcg."""
    env = os.environ if env is None else env
    choice = requested or env.get(ACCEL_ENV) or ("kvm" if kvm_usable() else "tcg")
    if choice not in ("kvm", "tcg"):
        raise HarnessError(f"accelerator must be kvm or tcg, not {choice!r} (from {ACCEL_ENV}?)")
    return choice


# ---------------------------------------------------------------------------------------------
# Disks.

@dataclass(frozen=True)
class Disk:
    """A virtio-blk disk. With `source`, the VM writes only to a qcow2 overlay backed by it;
    without, it gets a blank qcow2 of `size`. The block node is called `node_name`."""

    node_name: str
    source: Path | None = None
    source_format: str = "qcow2"
    size: str = "64M"
    bootindex: int | None = None

    def overlay_path(self, run_dir: Path) -> Path:
        return run_dir / f"{self.node_name}.qcow2"

    def create(self, run_dir: Path) -> Path:
        target = self.overlay_path(run_dir)
        if self.source is not None:
            src = self.source.resolve()
            if not src.is_file():
                raise HarnessError(f"disk image {src} does not exist")
            cmd = [QEMU_IMG, "create", "-q", "-f", "qcow2", "-b", str(src), "-F", self.source_format,
                   str(target)]
        else:
            cmd = [QEMU_IMG, "create", "-q", "-f", "qcow2", str(target), self.size]
        _run_tool(cmd)
        return target

    def args(self, run_dir: Path) -> list[str]:
        path = self.overlay_path(run_dir)
        dev = f"virtio-blk-pci,drive={self.node_name},id={self.node_name}-dev"
        if self.bootindex is not None:
            dev += f",bootindex={self.bootindex}"
        return ["-blockdev", f"driver=file,filename={path},node-name={self.node_name}-file",
                "-blockdev", f"driver=qcow2,file={self.node_name}-file,node-name={self.node_name}",
                "-device", dev]


def _run_tool(cmd: list[str]) -> None:
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=QEMU_IMG_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HarnessError(f"{cmd[0]}: {exc}") from exc
    if proc.returncode != 0:
        raise HarnessError(f"{' '.join(cmd)} failed: {proc.stderr.decode(errors='replace').strip()}")


# ---------------------------------------------------------------------------------------------
# Profiles: what to boot. Each knows its command line; the VM owns the common devices.

class Profile:
    """Base of the guest profiles."""

    name = "profile"
    memory_mb = 512
    smp = 2
    ready_timeout_s = 120.0
    hotplug_data_disks = False     # attach data disks over QMP after start (resumed states)

    def prepare(self, run_dir: Path) -> None:
        """Write what the guest needs into run_dir before QEMU starts."""

    def cpu(self, accel: str) -> str:
        return "host" if accel == "kvm" else "max"

    def args(self, run_dir: Path) -> list[str]:
        raise NotImplementedError

    def log_files(self, run_dir: Path) -> list[Path]:
        """Guest-side logs worth showing when a test fails."""
        return []


LINUX_WINE_BUILD: Final = ROOT / "build" / "images" / "linux-wine"
WINE_MODES: Final = ("wine", "qemu-ga", "echo")
GUEST_SHARE_WINDOWS: Final = "Z:\\tmp\\run\\"     # the run share as the guest's Wine sees it
FAKE_VSS_SCENARIO: Final = "fake-vss.scenario"
FAKE_VSS_TRACE: Final = "fake-vss.trace.jsonl"


@dataclass
class LinuxWineProfile(Profile):
    """The Linux guest running the agent under Wine (mode "wine"); "qemu-ga" runs Debian's Linux
    qemu-ga instead and "echo" echoes the port, both for testing the harness itself.

    agent is the Windows path of the exe in the guest (default: C:\\qga\\qemu-ga.exe from the
    build manifest); dll_overrides is WINEDLLOVERRIDES (add "vssapi=n,b" for the fake VSS
    coordinator installed next to the agent).
    """

    manifest: Path = LINUX_WINE_BUILD / "manifest.json"
    mode: str = "wine"
    agent: str | None = None
    agent_args: Sequence[str] = ()
    agent_env: Mapping[str, str] = field(default_factory=dict)
    dll_overrides: str = "mscoree,mshtml="
    winedebug: str = "-all"
    wine: str = "/usr/lib/wine/wine64"
    memory_mb: int = 512
    smp: int = 2
    ready_timeout_s: float = 180.0       # cold Wine under TCG: ~12 s measured on an idle machine
    name: str = "linux-wine"
    _info: dict[str, object] = field(default_factory=dict, repr=False)

    def load(self) -> dict[str, object]:
        if not self._info:
            if not self.manifest.is_file():
                raise HarnessError(f"{self.manifest} is missing: build it with `make linux-wine-image`")
            self._info = json.loads(self.manifest.read_text())
        return self._info

    def prepare(self, run_dir: Path) -> None:
        if self.mode not in WINE_MODES:
            raise HarnessError(f"mode must be one of {WINE_MODES}, not {self.mode!r}")
        info = self.load()
        share = run_dir / "share"
        (share / "logs").mkdir(parents=True, exist_ok=True)
        agent = self.agent or info.get("agent")
        if self.mode == "wine" and (not agent or not info.get("prefix")):
            raise HarnessError(f"{self.manifest} has no agent: run `make linux-wine-image`")
        values = {
            "QGA_PREFIX": str(info.get("prefix") or ""),
            "QGA_AGENT": str(agent or ""),
            "QGA_AGENT_ARGS": " ".join(self.agent_args),
            "QGA_DLLOVERRIDES": self.dll_overrides,
            "QGA_WINEDEBUG": self.winedebug,
            "QGA_WINE": self.wine,
        }
        (share / "guest.env").write_text("".join(f"{k}={_sh_quote(v)}\n" for k, v in values.items()))
        env = dict(self.agent_env)
        if info.get("fake_vss"):
            # The fake coordinator (installed in the prefix by build.py --fake-vss) reads its
            # scenario from and writes its trace to the run share, so tests see both.
            scenario = share / FAKE_VSS_SCENARIO
            if not scenario.exists():
                scenario.write_text("")
            env.setdefault(SCENARIO_ENV, GUEST_SHARE_WINDOWS + FAKE_VSS_SCENARIO)
            env.setdefault(TRACE_ENV, GUEST_SHARE_WINDOWS + "logs\\" + FAKE_VSS_TRACE)
        for name in env:
            if not name.replace("_", "").isalnum():
                raise HarnessError(f"bad environment variable name {name!r}")
        (share / "agent.env").write_text("".join(f"export {k}={_sh_quote(v)}\n" for k, v in env.items()))

    @property
    def payload(self) -> list[str]:
        """File names installed in C:\\qga of the guest's prefix."""
        names = self.load().get("payload") or []
        return [str(n) for n in names] if isinstance(names, list) else []

    @property
    def fake_vss(self) -> bool:
        """Whether the guest's prefix has the fake VSS coordinator (build.py --fake-vss)."""
        return bool(self.load().get("fake_vss"))

    @staticmethod
    def fake_vss_trace(run_dir: Path) -> list[TraceEvent]:
        """The fake coordinator's trace so far (empty before the first freeze)."""
        path = run_dir / "share" / "logs" / FAKE_VSS_TRACE
        if not path.exists():
            return []
        return [TraceEvent.parse(line) for line in path.read_text().splitlines() if line.strip()]

    @staticmethod
    def set_fake_vss_scenario(run_dir: Path, text: str) -> None:
        """The scenario the fake reads at the next freeze (tests/fakes/vss/fake-vss-scenario.c)."""
        (run_dir / "share" / FAKE_VSS_SCENARIO).write_text(text)

    def cpu(self, accel: str) -> str:
        # Wine returns to user mode with iretq, which QEMU 7.2's TCG faults on with SMAP.
        return "host" if accel == "kvm" else "max,-smap"

    def args(self, run_dir: Path) -> list[str]:
        info = self.load()
        share_opts = "security_model=none,multidevs=remap"
        # The guest re-exposes this directory if its tmpfs mounts would hide it (images/linux-wine/init).
        host_dir = self.manifest.resolve().parents[2]
        if " " in str(host_dir):
            raise HarnessError(f"the build directory {host_dir} must not contain spaces "
                               "(it goes on the kernel command line)")
        args = ["-kernel", str(info["kernel"]), "-initrd", str(info["initrd"]),
                "-append", f"console=ttyS0 quiet panic=-1 qga.mode={self.mode} qga.hostdir={host_dir}"]
        if self.mode != "echo":
            # multidevs=remap: without it the host's /proc and /sys collide in 9p's inode space.
            args += ["-virtfs", f"local,path=/,mount_tag=hostroot,readonly=on,{share_opts}",
                     "-virtfs", f"local,path={run_dir / 'share'},mount_tag=run,{share_opts}"]
        return args

    def log_files(self, run_dir: Path) -> list[Path]:
        return [run_dir / "share" / "logs" / "agent.log"]


def _migration_events(qmp: QMPClient) -> None:
    qmp.execute("migrate-set-capabilities", {"capabilities": [{"capability": "events", "state": True}]})


def _wait_migration(qmp: QMPClient, timeout: float, doing: str) -> None:
    ev = qmp.wait_event("MIGRATION", timeout, where=lambda e: e.data.get("status") in ("completed", "failed"))
    if ev.data.get("status") != "completed":
        raise HarnessError(f"{doing}: migration {ev.data.get('status')}")


def _sh_quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


@dataclass
class WindowsProfile(Profile):
    """A Windows image made by images/windows/make-image (never written: the VM uses an overlay).

    When `<image>.state` exists (recorded by make-image once the agent answered), the VM resumes
    it with -incoming and data disks are hot-plugged; otherwise Windows boots cold.
    """

    image: Path = Path("windows.qcow2")
    memory_mb: int = 4096
    smp: int = 2
    ready_timeout_s: float = 1800.0      # a cold Windows boot under TCG takes many minutes
    name: str = "windows"

    @property
    def state_file(self) -> Path:
        return Path(str(self.image) + ".state")

    @property
    def hotplug_data_disks(self) -> bool:  # type: ignore[override]
        return self.state_file.is_file()

    def system_disk(self) -> Disk:
        return Disk("system", source=self.image, bootindex=0)

    def prepare(self, run_dir: Path) -> None:
        self.system_disk().create(run_dir)

    def args(self, run_dir: Path) -> list[str]:
        args = windows_machine_args(self.system_disk().args(run_dir))
        if self.state_file.is_file():
            # Paused, state loaded over QMP once MIGRATION events are on, disks hot-plugged, cont.
            args += ["-S", "-incoming", "defer"]
        return args


def windows_machine_args(disk_args: list[str]) -> list[str]:
    """Devices of the Windows guest besides the common ones. images/windows/ records its ready
    state with exactly these, and a resumed state needs the same devices."""
    return ["-rtc", "base=localtime", "-nic", "none", "-device", "VGA", "-device", "qemu-xhci",
            "-device", "usb-tablet"] + disk_args


# ---------------------------------------------------------------------------------------------
# The VM.

@dataclass(frozen=True)
class ShutdownResult:
    """How the VM ended: "powerdown" (the guest powered off after system_powerdown), "quit"
    (QMP quit after the guest ignored the button), "killed", or "exited" (already gone);
    reason is the SHUTDOWN event's reason when one came."""

    how: str
    reason: str | None


class VM:
    """One QEMU process with QMP and the agent's chardev in run_dir (a context manager).

        with VM(LinuxWineProfile(), tmp_path, data_disks=[Disk("data0")]) as vm:
            vm.wait_ready()
            vm.qga.info()
            vm.qmp.query_block()

    run_dir None makes a temporary one, removed on success. On failure (an exception leaving the
    with block, or close(failed=True)) the directory and its logs stay and their paths are logged.
    """

    def __init__(self, profile: Profile, run_dir: Path | None = None, *, data_disks: Sequence[Disk] = (),
                 accel: str | None = None, extra_args: Sequence[str] = (), qga_timeout: float = 30.0) -> None:
        self.profile = profile
        self.accel = choose_accel(accel)
        self.data_disks = list(data_disks)
        self.extra_args = list(extra_args)
        self.qga_timeout = qga_timeout
        self._own_dir = run_dir is None
        self.run_dir = Path(tempfile.mkdtemp(prefix="qga-vm-")) if run_dir is None else run_dir
        self.run_dir.mkdir(parents=True, exist_ok=True)
        # A unix socket path has at most 107 bytes: deep run directories get theirs elsewhere.
        self._sock_dir: Path | None = None
        sock_dir = self.run_dir
        if len(str(self.run_dir / "qmp.sock")) > MAX_UNIX_PATH:
            self._sock_dir = sock_dir = Path(tempfile.mkdtemp(prefix="qga-vm-sock-"))
        self.qmp_path = sock_dir / "qmp.sock"
        self.qga_path = sock_dir / "qga.sock"
        self.console_log = self.run_dir / "console.log"
        self.qemu_log = self.run_dir / "qemu.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._qmp: QMPClient | None = None
        self._qga: QGAClient | None = None
        self._closed = False

    # -- lifecycle -----------------------------------------------------------------------------

    def command(self) -> list[str]:
        """The QEMU command line (for logs and the image recipe)."""
        accel = "kvm" if self.accel == "kvm" else "tcg,thread=multi"
        cmd = [QEMU, "-machine", "q35", "-accel", accel, "-cpu", self.profile.cpu(self.accel),
               "-smp", str(self.profile.smp), "-m", str(self.profile.memory_mb),
               "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
               "-serial", f"file:{self.console_log}",
               "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
               "-device", "virtio-serial-pci,id=vser0",
               "-chardev", f"socket,path={self.qga_path},server=on,wait=off,id={QGA_CHARDEV}",
               # id= is required: without it QEMU emits no VSERPORT_CHANGE.
               "-device", f"virtserialport,bus=vser0.0,chardev={QGA_CHARDEV},name={PORT_NAME},"
                          f"id={QGA_PORT_ID}"]
        cmd += self.profile.args(self.run_dir)
        if not self.profile.hotplug_data_disks:
            for disk in self.data_disks:
                cmd += disk.args(self.run_dir)
        return cmd + self.extra_args

    def start(self) -> None:
        """Create the overlays, start QEMU and connect QMP and the agent's chardev socket at once
        (the guest's writes to the port block until the host side is connected)."""
        if self.proc is not None:
            raise HarnessError("VM.start() called twice")
        for sock in (self.qmp_path, self.qga_path):
            sock.unlink(missing_ok=True)
        self.profile.prepare(self.run_dir)
        for disk in self.data_disks:
            disk.create(self.run_dir)
        cmd = self.command()
        (self.run_dir / "qemu.cmdline").write_text(" ".join(cmd) + "\n")
        log.info("starting %s guest (%s) in %s", self.profile.name, self.accel, self.run_dir)
        with open(self.qemu_log, "wb") as qemu_log:
            try:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qemu_log, stderr=qemu_log,
                                             start_new_session=True)
            except OSError as exc:
                raise HarnessError(f"cannot start {QEMU}: {exc}") from exc
        try:
            self._qmp = QMPClient.connect_unix(self.qmp_path, CONNECT_TIMEOUT_S, alive=self.alive)
            self.connect_qga()
            if self.profile.hotplug_data_disks:
                self._resume_and_hotplug()
        except HarnessError as exc:
            raise self._with_logs(exc) from exc

    def _resume_and_hotplug(self) -> None:
        """Load the recorded ready state, hot-plug the data disks (a recorded state cannot gain
        devices), then let the guest run."""
        assert isinstance(self.profile, WindowsProfile)
        qmp = self.qmp
        _migration_events(qmp)
        qmp.execute("migrate-incoming", {"uri": f"exec:cat {_sh_quote(str(self.profile.state_file))}"})
        _wait_migration(qmp, self.profile.ready_timeout_s, "loading the recorded state")
        for disk in self.data_disks:
            path = disk.overlay_path(self.run_dir)
            qmp.execute("blockdev-add", {"driver": "file", "filename": str(path),
                                         "node-name": f"{disk.node_name}-file"})
            qmp.execute("blockdev-add", {"driver": "qcow2", "file": f"{disk.node_name}-file",
                                         "node-name": disk.node_name})
            qmp.execute("device_add", {"driver": "virtio-blk-pci", "drive": disk.node_name,
                                       "id": f"{disk.node_name}-dev"})
        if not qmp.query_status().running:
            qmp.cont()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def __enter__(self) -> VM:
        try:
            self.start()
        except BaseException:
            self.close(failed=True)
            raise
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(failed=et is not None)

    @property
    def qmp(self) -> QMPClient:
        if self._qmp is None:
            raise HarnessError("VM not started")
        return self._qmp

    @property
    def qga(self) -> QGAClient:
        """The agent client on the chardev socket (connect_qga() after a disconnect)."""
        if self._qga is None:
            raise ConnectError("the agent's chardev socket is not connected (connect_qga())")
        return self._qga

    def connect_qga(self, timeout: float = CONNECT_TIMEOUT_S) -> QGAClient:
        """Connect (again) to the agent's chardev socket: a host connect as the guest sees it."""
        self.disconnect_qga()
        self._qga = connect_qga(self.qga_path, timeout=timeout, client_timeout=self.qga_timeout,
                                alive=self.alive)
        return self._qga

    def disconnect_qga(self) -> None:
        """Close the chardev connection: the guest's port reads EOF (host disconnect)."""
        if self._qga is not None:
            self._qga.close()
            self._qga = None

    # -- readiness -----------------------------------------------------------------------------

    def port_open(self) -> bool:
        """Whether the guest has the agent's port open (query-chardev frontend-open)."""
        return self.qmp.chardev(QGA_CHARDEV).frontend_open

    def wait_port_open(self, timeout: float) -> None:
        """Wait until the guest opens the port: VSERPORT_CHANGE open, or frontend-open when the
        event was rate-limited away (QEMU sends at most one per second per port)."""
        deadline = time.monotonic() + timeout

        def opened(e: Event) -> bool:
            return e.data.get("id") == QGA_PORT_ID and e.data.get("open") is True

        while not self.port_open():
            self._check_alive("waiting for the guest to open the agent's port")
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._with_logs(DeadlineError(
                    f"the guest did not open {PORT_NAME} within {timeout:.0f} s"))
            try:
                self.qmp.wait_event("VSERPORT_CHANGE", timeout=min(left, PORT_CHECK_S), where=opened)
                return
            except DeadlineError:
                continue

    def wait_ready(self, timeout: float | None = None) -> float:
        """Port open plus a successful guest-sync-delimited; returns seconds since QEMU started."""
        timeout = self.profile.ready_timeout_s if timeout is None else timeout
        start = time.monotonic()
        deadline = start + timeout
        self.wait_port_open(timeout)
        last: Exception | None = None
        while True:
            self._check_alive("waiting for the agent's first guest-sync-delimited reply")
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._with_logs(DeadlineError(
                    f"the agent did not answer guest-sync-delimited within {timeout:.0f} s (last: {last})"))
            try:
                if self._qga is None:
                    self.connect_qga()
                self.qga.sync(timeout=min(left, SYNC_ATTEMPT_S))
                break
            except DeadlineError as exc:
                last = exc
            except ConnectError as exc:          # e.g. QEMU reset the socket: reconnect
                last = exc
                self.disconnect_qga()
        log.info("%s guest ready after %.1f s", self.profile.name, time.monotonic() - start)
        return time.monotonic() - start

    # -- shutdown ------------------------------------------------------------------------------

    def shutdown(self, timeout: float = POWERDOWN_TIMEOUT_S) -> ShutdownResult:
        """Press the power button and wait for QEMU to exit; `quit` after `timeout`, then kill."""
        if not self.alive():
            return ShutdownResult("exited", None)
        how = "powerdown"
        try:
            self.qmp.system_powerdown()
        except ConnectError:
            pass
        if not self._wait_exit(timeout):
            log.warning("%s guest ignored the power button for %.0f s: quit", self.profile.name, timeout)
            how = "quit"
            try:
                self.qmp.quit(timeout=QUIT_TIMEOUT_S)
            except HarnessError:
                pass
            if not self._wait_exit(QUIT_TIMEOUT_S):
                how = "killed"
                self._kill()
        reason = None
        try:
            ev = self.qmp.events.get_nowait("SHUTDOWN")
            reason = str(ev.data.get("reason")) if ev is not None else None
        except HarnessError:
            pass
        return ShutdownResult(how, reason)

    def _wait_exit(self, timeout: float) -> bool:
        assert self.proc is not None
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def _kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                self.proc.kill()
            self.proc.wait(KILL_TIMEOUT_S)

    def close(self, failed: bool = False) -> None:
        """Stop QEMU (quit, then kill), close the sockets; keep the run directory on failure.
        Idempotent."""
        if self._closed:
            return
        self._closed = True
        self.disconnect_qga()
        try:
            if self.alive() and self._qmp is not None and self._qmp.connected:
                try:
                    self._qmp.quit(timeout=QUIT_TIMEOUT_S)
                except HarnessError:
                    pass
                self._wait_exit(QUIT_TIMEOUT_S)
        finally:
            self._kill()
            if self._qmp is not None:
                self._qmp.close()
            if self._sock_dir is not None:
                shutil.rmtree(self._sock_dir, ignore_errors=True)
            self._cleanup(failed)

    def _cleanup(self, failed: bool) -> None:
        if failed or os.environ.get(KEEP_ENV) == "1":
            log.error("%s guest: logs kept in %s\n%s", self.profile.name, self.run_dir, self.log_summary())
            return
        for disk in self.data_disks:
            disk.overlay_path(self.run_dir).unlink(missing_ok=True)
        if isinstance(self.profile, WindowsProfile):
            self.profile.system_disk().overlay_path(self.run_dir).unlink(missing_ok=True)
        if self._own_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    # -- diagnostics ---------------------------------------------------------------------------

    def console_tail(self, size: int = CONSOLE_TAIL_BYTES) -> str:
        return _tail(self.console_log, size)

    def log_summary(self) -> str:
        parts = [f"--- {self.console_log} (tail)\n{self.console_tail()}",
                 f"--- {self.qemu_log} (tail)\n{_tail(self.qemu_log, 2000)}"]
        for path in self.profile.log_files(self.run_dir):
            parts.append(f"--- {path} (tail)\n{_tail(path, 2000)}")
        return "\n".join(parts)

    def _check_alive(self, doing: str) -> None:
        if not self.alive():
            code = self.proc.returncode if self.proc is not None else None
            raise self._with_logs(ConnectError(f"QEMU exited (status {code}) while {doing}"))

    def _with_logs(self, exc: HarnessError) -> HarnessError:
        """The same kind of error, its message followed by the guest's logs."""
        if isinstance(exc, ExecuteError):
            return exc
        return type(exc)(f"{exc}\n{self.log_summary()}")


def _tail(path: Path, size: int) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - size))
            return f.read().decode(errors="replace")
    except OSError:
        return "(none)"


# ---------------------------------------------------------------------------------------------
# Recording the ready state of a Windows image (images/windows/make-image calls this).

def record_ready_state(image: Path, timeout: float, accel: str | None = None) -> Path:
    """Boot `image` cold, wait until the agent answers, save the running state next to it
    (<image>.state) and fold the boot's disk writes into the image, so that WindowsProfile
    resumes from there in seconds. Uses exactly the devices WindowsProfile uses."""
    profile = WindowsProfile(image=image)
    if profile.state_file.exists():
        raise HarnessError(f"{profile.state_file} exists already")
    partial = Path(str(profile.state_file) + ".partial")
    with VM(profile, accel=accel) as vm:
        vm.wait_ready(timeout)
        vm.disconnect_qga()         # recorded with no host attached; a resume connects afresh
        vm.qmp.stop()
        _migration_events(vm.qmp)
        vm.qmp.execute("migrate", {"uri": f"exec:cat > {_sh_quote(str(partial))}"})
        _wait_migration(vm.qmp, timeout, "saving the ready state")
        vm.qmp.quit()
        if not vm._wait_exit(QUIT_TIMEOUT_S):
            raise HarnessError("QEMU did not exit after saving the ready state")
        # The state belongs to the disk as the boot left it: commit the overlay into the image.
        _run_tool([QEMU_IMG, "commit", "-q", str(profile.system_disk().overlay_path(vm.run_dir))])
    partial.rename(profile.state_file)
    return profile.state_file


def main(argv: Sequence[str]) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="python3 -m harness.vm", description="VM tier helpers")
    sub = ap.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record-ready", help="record the ready state of a Windows image")
    rec.add_argument("image", type=Path)
    rec.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait for the agent")
    rec.add_argument("--accel", choices=("kvm", "tcg"))
    sub.add_parser("accel", help="print the accelerator the harness would use")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if args.command == "accel":
        print(choose_accel())
        return 0
    try:
        print(record_ready_state(args.image.resolve(), args.timeout, args.accel))
    except HarnessError as exc:
        log.error("%s", exc)
        return 1
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
