# SPDX-License-Identifier: GPL-2.0-or-later
"""End to end, the way a backup system does it: freeze over the real virtio-serial port, take a
block-layer snapshot over QMP while frozen, thaw, check the backing chain; then host disconnect
and reconnect of the chardev, and power-off. One boot for the module; tests run in file order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from harness.errors import ExecuteError
from harness.qmp import BlockInfo, snapshot_sync_action
from harness.fake_vss import in_order, keys
from harness.vm import VM, Disk, LinuxWineProfile, WindowsProfile

from conftest import booted, guest_profile, sha256

FREEZE_COMMANDS = ("guest-fsfreeze-freeze", "guest-fsfreeze-thaw", "guest-fsfreeze-status")
FROZEN_ALLOWED = {"guest-ping", "guest-info", "guest-sync", "guest-sync-delimited", "guest-fsfreeze-status",
                  "guest-fsfreeze-thaw"}
FREEZE_TIMEOUT_S = 120.0         # VSS under TCG is slow; the agent itself bounds the hold window
RECONNECTS = 3
# Landmarks of a freeze then thaw in the fake coordinator's trace (tests/wine/test_freeze.py has
# the whole order).
VSS_FREEZE_THEN_THAW = ["requester:DoSnapshotSet", "provider:PreCommitSnapshots", "provider:CommitSnapshots",
                        "provider:PostCommitSnapshots", "requester:BackupComplete"]


@pytest.fixture(scope="module")
def vm(run_dir: Path, data_image: Path, request: pytest.FixtureRequest) -> Iterator[VM]:
    before = sha256(data_image)
    with booted(guest_profile(), run_dir, request, [Disk("data0", source=data_image)]) as machine:
        yield machine
    assert sha256(data_image) == before, "the supplied data image was modified"


def test_sync_and_info(vm: VM) -> None:
    vm.qga.sync()
    assert vm.qga.guest_sync(1_700_000_000_123) == 1_700_000_000_123
    info = vm.qga.info()
    assert info.version
    for name in ("guest-sync", "guest-sync-delimited", "guest-ping", "guest-info"):
        assert info.enabled(name), f"{name} missing from guest-info: {info.names}"
    vm.qga.ping()


def test_freeze_snapshot_thaw(vm: VM, run_dir: Path) -> None:
    info = vm.qga.info()
    missing = [name for name in FREEZE_COMMANDS if not info.enabled(name)]
    if missing:
        # Not a skip: the VM tier exists to prove freeze end to end, so its absence fails loudly.
        pytest.fail(f"the agent does not offer {missing} (freeze/thaw is issue 7); "
                    f"guest-info lists {info.names}")
    if isinstance(vm.profile, LinuxWineProfile) and "qga-vss.dll" not in vm.profile.payload:
        pytest.fail("qga-vss.dll is not installed in the guest (not built yet? win/provider builds it): "
                    "the agent cannot freeze without it")
    assert vm.qga.fsfreeze_status() == "thawed"
    # Any enabled command outside the frozen allow-list (qga-reference.md section 2).
    blocked = next(name for name in info.names if info.enabled(name) and name not in FROZEN_ALLOWED)
    snap = run_dir / "data0-snap1.qcow2"
    frozen = vm.qga.fsfreeze_freeze(timeout=FREEZE_TIMEOUT_S)
    try:
        assert frozen >= 1
        assert vm.qga.fsfreeze_status() == "frozen"
        with pytest.raises(ExecuteError) as refused:          # not on the frozen allow-list
            vm.qga.execute(blocked)
        assert refused.value.error_class == "CommandNotFound"
        assert refused.value.desc == f"Command {blocked} has been disabled: the command is not allowed"
        # While frozen: the block-layer snapshot a backup system takes.
        vm.qmp.transaction([snapshot_sync_action("data0", snap, "data0-snap1")])
        assert vm.qga.fsfreeze_status() == "frozen"
    finally:
        thawed = vm.qga.fsfreeze_thaw(timeout=FREEZE_TIMEOUT_S)
    assert thawed == frozen
    assert vm.qga.fsfreeze_status() == "thawed"
    if isinstance(vm.profile, LinuxWineProfile) and vm.profile.fake_vss:
        # Under Wine the VSS side is the fake coordinator: its trace shows the VSS contract held
        # around the QMP snapshot (the real one on Windows has its own event log).
        trace = keys(LinuxWineProfile.fake_vss_trace(vm.run_dir))
        assert in_order(trace, VSS_FREEZE_THEN_THAW), trace

    block = vm.qmp.block("data0-snap1")
    assert block.image is not None
    chain = [image.filename for image in block.image.chain()]
    overlay = str(Disk("data0").overlay_path(vm.run_dir))
    assert chain[:2] == [str(snap), overlay], chain
    assert block.image.backing_filename == overlay
    assert snap.is_file()


def data_disk_top(vm: VM) -> BlockInfo:
    """The data disk's active layer, whatever earlier snapshots made it."""
    for info in vm.qmp.query_block():
        if info.qdev is not None and "/data0-dev/" in info.qdev:
            return info
    raise AssertionError(f"no data0-dev in query-block: {vm.qmp.query_block()}")


def test_second_snapshot_with_blockdev_snapshot_sync(vm: VM, run_dir: Path) -> None:
    top = data_disk_top(vm)
    assert top.node_name is not None and top.image is not None
    snap2 = run_dir / "data0-snap2.qcow2"
    vm.qmp.blockdev_snapshot_sync(top.node_name, snap2, snapshot_node_name="data0-snap2")
    image = data_disk_top(vm).image
    assert image is not None
    assert [i.filename for i in image.chain()][:2] == [str(snap2), top.image.filename]
    vm.qga.ping()


def test_host_disconnect_and_reconnect(vm: VM) -> None:
    for _ in range(RECONNECTS):
        # A partial request, then the host goes away: the agent must drop it and serve again.
        vm.qga.send_bytes(b'{"execute": "guest-ping", "argu')
        vm.disconnect_qga()
        vm.connect_qga()
        vm.qga.sync(timeout=60)
        vm.qga.ping()
    assert vm.port_open(), "the agent closed its port instead of riding out the disconnects"


def test_power_off(vm: VM) -> None:
    timeout = 600.0 if isinstance(vm.profile, WindowsProfile) else 60.0
    result = vm.shutdown(timeout=timeout)
    assert result.how == "powerdown", result
    assert result.reason == "guest-shutdown", result
