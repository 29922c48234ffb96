# SPDX-License-Identifier: GPL-2.0-or-later
"""The VM smoke `make check` runs: one boot of the Linux+Wine guest with the real qemu-ga.exe on
the virtio-serial port, a sync and guest-info, power-off."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.vm import LinuxWineProfile

from conftest import booted


def test_boot_sync_info_poweroff(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    with booted(LinuxWineProfile(), tmp_path, request, []) as vm:
        vm.qga.sync()
        assert vm.qga.info().enabled("guest-sync-delimited")
        assert vm.shutdown(timeout=60).how == "powerdown"
