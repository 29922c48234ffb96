# SPDX-License-Identifier: GPL-2.0-or-later
"""The harness against a reference: the same guest and devices running Debian's Linux qemu-ga
instead of ours (a ~3 s boot). A failure here is the harness's or QEMU's, never our agent's."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from harness.qmp import snapshot_sync_action
from harness.vm import VM, Disk, LinuxWineProfile

from conftest import booted, sha256


@pytest.fixture(scope="module")
def ref_vm(run_dir: Path, data_image: Path, request: pytest.FixtureRequest) -> Iterator[VM]:
    before = sha256(data_image)
    disks = [Disk("data0", source=data_image)]
    with booted(LinuxWineProfile(mode="qemu-ga"), run_dir, request, disks) as vm:
        yield vm
    assert sha256(data_image) == before


def test_ready_means_port_open_and_sync(ref_vm: VM) -> None:
    assert ref_vm.port_open()
    ref_vm.qga.sync()
    assert "guest-sync-delimited" in ref_vm.qga.info().names


def test_snapshot_chain(ref_vm: VM, run_dir: Path) -> None:
    snap = run_dir / "ref-snap.qcow2"
    ref_vm.qmp.transaction([snapshot_sync_action("data0", snap, "ref-snap")])
    image = ref_vm.qmp.block("ref-snap").image
    assert image is not None
    overlay = Disk("data0").overlay_path(ref_vm.run_dir)
    supplied = run_dir / "supplied-data.qcow2"
    assert [i.filename for i in image.chain()] == [str(snap), str(overlay), str(supplied)]


def test_reconnect(ref_vm: VM) -> None:
    for _ in range(3):
        ref_vm.disconnect_qga()
        ref_vm.connect_qga()
        ref_vm.qga.sync(timeout=30)


def test_power_off(ref_vm: VM) -> None:
    result = ref_vm.shutdown(timeout=30)
    assert (result.how, result.reason) == ("powerdown", "guest-shutdown")
