# SPDX-License-Identifier: GPL-2.0-or-later
"""guest-fsfreeze-* end to end under Wine: the real qemu-ga.exe over its COM channel, the real
qga-vss.dll (requester and provider), and the fake VSS coordinator in place of Windows' VSS
(harness/fake_vss.py). Tests assert on the replies and on the coordinator's trace: the call
order is the VSS contract. Expected texts: qga-reference.md sections 2 and 5.
"""

from __future__ import annotations

import shutil
import signal
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from harness.admin_fakes import AdminFakes
from harness.errors import ExecuteError
from harness.fake_vss import FakeVss, TraceEvent, in_order, keys
from harness.qga import QGAClient
from harness.wine import AgentProcess, WineSession

FREEZE_TIMEOUT_S = 60.0
HOLD_MESSAGE = "couldn't hold writes: fsfreeze is limited up to 10 seconds"
UNAVAILABLE = "fsfreeze not possible as VSS failed to initialize"
FROZEN_ALLOWED = {"guest-ping", "guest-info", "guest-sync", "guest-sync-delimited",
                  "guest-fsfreeze-status", "guest-fsfreeze-thaw",
                  # ours (issue 12, downstream names stock clients never use): read-only, answer at once
                  "__org.qga-win_fsfreeze-report", "__org.qga-win_fsfreeze-status"}

# The documented order of a freeze and thaw (vsbackup.h / vsprov.h), as the trace shows it.
FREEZE_ORDER = [
    "requester:CreateVssBackupComponents", "requester:InitializeForBackup", "requester:SetBackupState",
    "requester:SetContext", "requester:GatherWriterMetadata", "requester:AddComponent",
    "requester:StartSnapshotSet", "provider:IsVolumeSupported", "requester:AddToSnapshotSet",
    "requester:PrepareForBackup", "requester:GatherWriterStatus", "requester:DoSnapshotSet",
    "writer:PrepareSnapshot", "provider:BeginPrepareSnapshot", "provider:EndPrepareSnapshots",
    "writer:Freeze", "provider:PreCommitSnapshots",
]
THAW_ORDER = [
    "provider:CommitSnapshots", "provider:PostCommitSnapshots", "writer:Thaw", "writer:PostSnapshot",
    "requester:GatherWriterStatus", "requester:BackupComplete",
]


def require_vss_dll(repo: Path, build_dir: Path) -> None:
    dll = build_dir / "qga-vss.dll"
    if dll.is_file():
        return
    if not (repo / "win" / "provider" / "module.mk").is_file():
        pytest.skip("qga-vss.dll is not part of this tree yet (win/provider/module.mk builds it)")
    pytest.fail(f"{dll} is missing: build it with `make`", pytrace=False)


@pytest.fixture(scope="module")
def fake(wine: WineSession, repo: Path, build_dir: Path, admin_fakes: AdminFakes) -> FakeVss:
    """The fake coordinator, and our provider registered with regsvr32 (COM+ and IVssAdmin doubles)."""
    require_vss_dll(repo, build_dir)
    fake = FakeVss(wine, build_dir, name="freeze")
    fake.install(admin_fakes)
    return fake


def state_dir(wine: WineSession, name: str) -> Path:
    path = wine.scratch / name
    path.mkdir(exist_ok=True)
    return path


def start(wine: WineSession, exe: Path, fake: FakeVss, name: str, config: str = "") -> AgentProcess:
    """An agent with its own state directory (and config file) that uses the fake coordinator."""
    args = ["-t", wine.windows_path(state_dir(wine, name))]
    if config:
        conf = wine.scratch / f"{name}.conf"
        conf.write_text("[general]\n" + config)
        args += ["-c", wine.windows_path(conf)]
    agent = AgentProcess(wine, exe, args, env=fake.env)
    agent.start()
    return agent


@pytest.fixture(scope="module")
def agent(wine: WineSession, agent_exe: Path, fake: FakeVss) -> Iterator[AgentProcess]:
    process = start(wine, agent_exe, fake, "freeze-state")
    yield process
    process.close()


@pytest.fixture
def qga(agent: AgentProcess, fake: FakeVss) -> Iterator[QGAClient]:
    """The module agent, thawed and on the default scenario before and after each test."""
    fake.scenario("")
    client = agent.client
    client.sync()
    assert client.fsfreeze_status() == "thawed"
    yield client
    try:
        client.sync()
        if client.fsfreeze_status() != "thawed":
            client.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S)
    finally:
        fake.scenario("")
    assert agent.returncode is None, agent.log_text()


def marker(name: str, wine: WineSession) -> Path:
    return state_dir(wine, name) / "qga.state.isfrozen"


def execute_error(qga: QGAClient, name: str, arguments: dict[str, Any] | None = None) -> ExecuteError:
    with pytest.raises(ExecuteError) as info:
        qga.execute(name, arguments, timeout=FREEZE_TIMEOUT_S)
    return info.value


def added_volumes(events: list[TraceEvent]) -> list[str]:
    return [e.args["volume"] for e in events if e.key == "requester:AddToSnapshotSet" and e.hr == 0]


def assert_thawed_and_serving(qga: QGAClient, fake: FakeVss, since: int) -> None:
    """After any failure: status thawed, the agent answers, the coordinator saw the backup end."""
    assert qga.fsfreeze_status() == "thawed"
    qga.ping()
    events = fake.wait(lambda es: any(e.key == "coordinator:release" for e in es), since=since,
                       what="the backup components released")
    assert not [e for e in events if e.call == "misuse"], [e.args for e in events if e.call == "misuse"]
    release = next(e for e in events if e.key == "coordinator:release")
    assert release.args["live_objects"] == 0


# -- the round trip ----------------------------------------------------------------------

def test_freeze_status_refuse_thaw(qga: QGAClient, fake: FakeVss, wine: WineSession) -> None:
    mark = fake.mark()
    frozen = qga.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S)
    # The service and the agent's vssapi.dll append to the trace from two processes: wait (bounded)
    # for the service's lines to land instead of reading the file once.
    events = fake.wait(lambda ev: in_order(keys(ev), FREEZE_ORDER), since=mark, timeout=10.0,
                       what="the freeze's VSS calls in order")
    assert frozen == len(added_volumes(events)) >= 1
    assert qga.fsfreeze_status() == "frozen"
    assert marker("freeze-state", wine).exists()

    # The frozen allow-list: everything else is refused, the allowed commands answer at once.
    error = execute_error(qga, "guest-fsfreeze-freeze")
    assert (error.error_class, error.desc) == (
        "CommandNotFound", "Command guest-fsfreeze-freeze has been disabled: the command is not allowed")
    enabled = {c.name: c.enabled for c in qga.info().supported_commands}
    assert {name for name, on in enabled.items() if on} == FROZEN_ALLOWED & enabled.keys()
    qga.ping()
    assert qga.guest_sync(1234) == 1234

    thaw_mark = fake.mark()
    assert qga.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S) == frozen
    assert qga.fsfreeze_status() == "thawed"
    assert not marker("freeze-state", wine).exists()
    events = fake.wait(lambda es: any(e.key == "coordinator:release" for e in es), since=thaw_mark)
    assert in_order(keys(events), THAW_ORDER), keys(events)
    assert_thawed_and_serving(qga, fake, mark)
    assert all(info.enabled for info in qga.info().supported_commands)


def test_thaw_when_thawed_returns_zero(qga: QGAClient) -> None:
    assert qga.fsfreeze_thaw() == 0


def test_default_backup_type_is_copy(qga: QGAClient, fake: FakeVss) -> None:
    mark = fake.mark()
    qga.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S)
    qga.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S)
    state = next(e for e in fake.events(mark) if e.key == "requester:SetBackupState")
    assert state.args["type"] == 5      # VSS_BT_COPY: other backup chains and SQL logs untouched


# -- freeze-list -------------------------------------------------------------------------

@pytest.mark.parametrize("mountpoints, count", [
    (["C:\\"], 1),
    (["C:"], 1),
    (["c:\\", "C:"], 1),                 # the same volume twice is frozen once
    (["C:\\", "Z:\\"], 2),
    ([], None),                          # compat: an empty list freezes everything
])
def test_freeze_list_good(qga: QGAClient, fake: FakeVss, mountpoints: list[str], count: int | None) -> None:
    mark = fake.mark()
    frozen = qga.fsfreeze_freeze_list(mountpoints, timeout=FREEZE_TIMEOUT_S)
    assert frozen == len(added_volumes(fake.events(mark)))
    if count is not None:
        assert frozen == count
    assert qga.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S) == frozen


def test_freeze_list_volume_guid_path(qga: QGAClient, fake: FakeVss) -> None:
    mark = fake.mark()
    qga.fsfreeze_freeze_list(["C:\\"], timeout=FREEZE_TIMEOUT_S)
    qga.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S)
    (guid_path,) = added_volumes(fake.events(mark))
    assert guid_path.startswith("\\\\?\\Volume{")
    assert qga.fsfreeze_freeze_list([guid_path], timeout=FREEZE_TIMEOUT_S) == 1
    assert qga.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S) == 1


@pytest.mark.parametrize("mountpoints, bad", [
    (["Q:\\"], "Q:\\"),                                # no such drive
    (["C:\\", "Q:"], "Q:"),                            # one bad entry fails the whole freeze
    (["C:\\windows"], "C:\\windows"),                  # a directory, not a mount point
    (["\\\\?\\Volume{00000000-0000-0000-0000-0000000000ff}\\"],
     "\\\\?\\Volume{00000000-0000-0000-0000-0000000000ff}\\"),
])
def test_freeze_list_bad(qga: QGAClient, fake: FakeVss, wine: WineSession, mountpoints: list[str],
                         bad: str) -> None:
    mark = fake.mark()
    error = execute_error(qga, "guest-fsfreeze-freeze-list", {"mountpoints": mountpoints})
    assert error.error_class == "GenericError"
    assert error.desc.startswith(f"failed to add {bad} to snapshot set: "), error.desc
    assert not marker("freeze-state", wine).exists()
    assert_thawed_and_serving(qga, fake, mark)


def test_freeze_list_argument_type(qga: QGAClient) -> None:
    error = execute_error(qga, "guest-fsfreeze-freeze-list", {"mountpoints": "C:\\"})
    assert error.error_class == "GenericError"
    assert "mountpoints" in error.desc


# -- faults ------------------------------------------------------------------------------

FAULTS = [
    # (scenario, freeze error start or None, thaw error start or None)
    ('writer "SqlServerWriter" fail=prepare\n', "writer 'SqlServerWriter' failed at prepare backup: ", None),
    ('writer "SqlServerWriter" fail=identify\n', "writer 'SqlServerWriter' failed at identify: ", None),
    ('writer "SqlServerWriter" fail=freeze\n', "failed to do snapshot set: ", None),
    ('writer "SqlServerWriter" fail=thaw\n', None, "writer 'SqlServerWriter' failed at thaw: "),
    ("fault provider-not-registered\n", "failed to add ", None),
    ("volume-unsupported C:\n", "failed to add ", None),
    ("fault set-context-unsupported\n", None, None),        # retried without TRANSPORTABLE
    ("fault object-not-found-at-commit\n", None, None),     # compat: old Windows' final commit, ignored
    ("die-at PrepareForBackup\n", "failed to prepare for backup: ", None),
    ("die-at Freeze\n", "failed to do snapshot set: ", None),
    ("die-at PostCommitSnapshots\n", None, "failed to do snapshot set: "),
    ("die-during-hold-ms 100\n", None, "failed to do snapshot set: "),
    ("slow GatherWriterMetadata 300\nslow PrepareForBackup 300\nslow PreCommitSnapshots 200\n", None, None),
    ('writer "Fixed" selectable=no\nwriter "A" components=3\nwriter "B" selectable=no components=2\n',
     None, None),
    ("no-writers\n", None, None),
]


@pytest.mark.parametrize("scenario, freeze_error, thaw_error", FAULTS,
                         ids=[f[0].splitlines()[0][:40] for f in FAULTS])
def test_fault(qga: QGAClient, fake: FakeVss, wine: WineSession, scenario: str, freeze_error: str | None,
               thaw_error: str | None) -> None:
    fake.scenario(scenario)
    mark = fake.mark()
    if freeze_error is not None:
        error = execute_error(qga, "guest-fsfreeze-freeze")
        assert error.desc.startswith(freeze_error), error.desc
        assert not marker("freeze-state", wine).exists()
    else:
        frozen = qga.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S)
        assert qga.fsfreeze_status() == "frozen"
        if "die-during-hold" in scenario:
            fake.wait_call("coordinator:die", since=mark)     # the coordinator dies while we are frozen
        if thaw_error is not None:
            error = execute_error(qga, "guest-fsfreeze-thaw")
            assert error.desc.startswith(thaw_error), error.desc
        else:
            assert qga.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S) == frozen
    if "die" in scenario:
        # The service died: nothing releases the backup there; the agent must still be thawed.
        assert qga.fsfreeze_status() == "thawed"
        qga.ping()
    else:
        assert_thawed_and_serving(qga, fake, mark)
    if "set-context-unsupported" in scenario:
        contexts = [e for e in fake.events(mark) if e.key == "requester:SetContext"]
        assert [e.hr for e in contexts] == [0x8004231B, 0]
        assert int(contexts[1].args["context"], 16) & 0x20 == 0     # VSS_VOLSNAP_ATTR_TRANSPORTABLE
    # The next freeze works: nothing was left behind.
    fake.scenario("")
    assert qga.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S) >= 1
    qga.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S)


def test_provider_unregistered(qga: QGAClient, fake: FakeVss, build_dir: Path,
                               admin_fakes: AdminFakes) -> None:
    """regsvr32 /u: VSS no longer finds our provider; freeze fails naming the volume, thawed."""
    dll = build_dir / "qga-vss.dll"
    mark = fake.mark()
    fake.unregister_provider(dll, admin_fakes)
    try:
        error = execute_error(qga, "guest-fsfreeze-freeze")
        assert error.desc.startswith("failed to add "), error.desc
        assert "VSS_E_PROVIDER_NOT_REGISTERED" in error.desc, error.desc
        assert_thawed_and_serving(qga, fake, mark)
    finally:
        fake.register_provider(dll, admin_fakes)
    mark = fake.mark()
    qga.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S)
    qga.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S)
    load = next(e for e in fake.events(mark) if e.key == "provider:CoCreateInstance")
    assert load.args["source"] == "registered"      # found through IVssAdmin::RegisterProvider


def test_hold_writes_window_exceeded(qga: QGAClient, fake: FakeVss) -> None:
    fake.scenario("hold-writes-ms 300\n")
    mark = fake.mark()
    frozen = qga.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S)
    fake.wait_call("coordinator:hold-writes-expired", since=mark)
    error = execute_error(qga, "guest-fsfreeze-thaw")
    assert (error.error_class, error.desc) == ("GenericError", HOLD_MESSAGE)
    assert frozen >= 1
    assert_thawed_and_serving(qga, fake, mark)
    assert "provider:AbortSnapshots" in keys(fake.events(mark))


# -- lifetimes ---------------------------------------------------------------------------

def wait_until(done: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_auto_thaw(wine: WineSession, agent_exe: Path, fake: FakeVss) -> None:
    fake.scenario("")
    agent = start(wine, agent_exe, fake, "auto-thaw", config="fsfreeze-auto-thaw=1\n")
    try:
        qga = agent.client
        mark = fake.mark()
        started = time.monotonic()
        frozen = qga.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S)
        wait_until(lambda: qga.fsfreeze_status() == "thawed", 20.0, "the auto-thaw")
        assert time.monotonic() - started >= 1.0
        assert not marker("auto-thaw", wine).exists()
        assert "requester:BackupComplete" in keys(fake.events(mark))
        # The host's late thaw learns that its snapshot was not taken while frozen, once.
        error = execute_error(qga, "guest-fsfreeze-thaw")
        assert error.desc.startswith("the file systems were thawed automatically"), error.desc
        assert qga.fsfreeze_thaw() == 0
        assert frozen >= 1
        qga.execute("guest-fsfreeze-freeze", timeout=FREEZE_TIMEOUT_S)     # not frozen any more
        qga.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S)
    finally:
        agent.close()


def test_agent_killed_while_frozen(wine: WineSession, agent_exe: Path, fake: FakeVss) -> None:
    """The provider lives in the coordinator's process, as in COM+ on Windows: it must let go
    within its own hold limit when the agent dies, and a new agent then freezes normally."""
    fake.scenario("provider-hold-ms 1000\n")
    agent = start(wine, agent_exe, fake, "killed")
    mark = fake.mark()
    try:
        agent.client.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S)
        commit = fake.wait_call("provider:PreCommitSnapshots", since=mark)
        agent.send_signal(signal.SIGKILL)
        agent.wait()
    finally:
        agent.close()
    killed = time.monotonic()
    done = fake.wait_call("provider:CommitSnapshots", since=mark, timeout=20.0)
    assert time.monotonic() - killed < 10.0
    assert done.dur_us is not None and done.dur_us < 5_000_000, done
    assert done.mono_us > commit.mono_us
    fake.wait(lambda es: any(e.key == "coordinator:session-end" for e in es), since=mark,
              what="the coordinator to end the dead agent's session")
    assert marker("killed", wine).exists()      # the dead agent could not clean up

    fake.scenario("")
    again = start(wine, agent_exe, fake, "killed")
    try:
        assert not marker("killed", wine).exists()     # reported and cleared at start-up
        qga = again.client
        assert qga.fsfreeze_status() == "thawed"
        assert qga.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S) >= 1
        assert qga.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S) >= 1
    finally:
        again.close()


def test_ctrl_c_while_frozen_thaws_first(wine: WineSession, agent_exe: Path, fake: FakeVss) -> None:
    """Console Ctrl-C (Wine turns SIGINT into CTRL_C_EVENT): the agent thaws, then exits 0."""
    fake.scenario("")
    agent = start(wine, agent_exe, fake, "ctrl-c")
    try:
        agent.client.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S)
        mark = fake.mark()
        agent.send_signal(signal.SIGINT)
        assert agent.wait(FREEZE_TIMEOUT_S) == 0
    finally:
        agent.close()
    events = fake.wait(lambda es: any(e.key == "coordinator:release" for e in es), since=mark)
    assert in_order(keys(events), ["provider:CommitSnapshots", "requester:BackupComplete"]), keys(events)
    assert not marker("ctrl-c", wine).exists()
    assert "thawing the file systems before stopping" in agent.log_text()


SERVICE = "QEMU-GA"


def service_state(wine: WineSession) -> str:
    out = wine.run(["sc", "query", SERVICE]).out
    for line in out.splitlines():
        if "STATE" in line and ":" in line:
            return line.split()[-1]
    return out


def test_service_stop_while_frozen_thaws_first(wine: WineSession, agent_exe: Path, build_dir: Path,
                                               fake: FakeVss) -> None:
    """net stop while frozen: the service thaws before it stops.  The service gets no test
    environment: the fake's scenario and trace come from its registry defaults."""
    install_dir = wine.prefix / "drive_c" / "qga freeze service"
    install_dir.mkdir(exist_ok=True)
    shutil.copyfile(agent_exe, install_dir / "qemu-ga.exe")
    exe = "C:\\qga freeze service\\qemu-ga.exe"
    state = "C:\\qga freeze service\\state"
    port = wine.com_port()
    fake.scenario("")
    try:
        wine.run([exe, "-s", "install", "-m", "isa-serial", "-p", port.name, "-t", state],
                 env={"QGA_CONF": ""}).check()
        # After -s install, which would register the provider with COM+ (not in Wine) if the DLL
        # were there; the fake coordinator finds the provider through its COM class anyway.
        shutil.copyfile(build_dir / "qga-vss.dll", install_dir / "qga-vss.dll")
        wine.run(["net", "start", SERVICE]).check()
        wait_until(lambda: service_state(wine) == "RUNNING", 30.0, "the service to run")
        with port.connect() as client:
            client.sync(timeout=30.0)
            assert client.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S) >= 1
            assert client.fsfreeze_status() == "frozen"
            mark = fake.mark()
            wine.run(["net", "stop", SERVICE], timeout=60.0).check()
        wait_until(lambda: service_state(wine) == "STOPPED", 30.0, "the service to stop")
        events = fake.wait(lambda es: any(e.key == "coordinator:release" for e in es), since=mark)
        assert in_order(keys(events), ["provider:CommitSnapshots", "requester:BackupComplete"]), keys(events)
        assert not (install_dir / "state" / "qga.state.isfrozen").exists()
    finally:
        wine.run(["net", "stop", SERVICE])
        wine.run([exe, "-s", "uninstall"], env={"QGA_CONF": ""})


def test_no_dll(wine: WineSession, agent_exe: Path) -> None:
    """qemu-ga.exe alone (no qga-vss.dll next to it): runs, and fsfreeze says why it cannot."""
    alone = wine.scratch / "alone"
    alone.mkdir(exist_ok=True)
    exe = alone / "qemu-ga.exe"
    shutil.copyfile(agent_exe, exe)
    agent = AgentProcess(wine, exe, ["-t", wine.windows_path(state_dir(wine, "no-dll"))])
    agent.start()
    try:
        qga = agent.client
        calls: list[tuple[str, dict[str, Any] | None]] = [
            ("guest-fsfreeze-freeze", None), ("guest-fsfreeze-freeze-list", {"mountpoints": []}),
            ("guest-fsfreeze-status", None), ("guest-fsfreeze-thaw", None)]
        for name, args in calls:
            error = execute_error(qga, name, args)
            assert (error.error_class, error.desc) == ("GenericError", UNAVAILABLE), name
        qga.ping()
        names = {c.name for c in qga.info().supported_commands}
        assert names >= {"guest-fsfreeze-freeze", "guest-fsfreeze-thaw"}
    finally:
        agent.close()
