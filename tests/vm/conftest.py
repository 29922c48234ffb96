# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures of the VM tier: which guest to boot, a booted VM per test module, a supplied data image.

The guest is the Linux+Wine one built by `make linux-wine-image`, or, with
QGA_TEST_IMAGE=/path/to/windows.qcow2, a Windows image made by images/windows/make-image.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from harness.vm import Disk, LinuxWineProfile, Profile, VM, WindowsProfile  # noqa: E402

IMAGE_ENV = "QGA_TEST_IMAGE"
# The fake VSS coordinator (tests/fakes) is a native vssapi.dll next to the agent; Wine prefers
# its builtin stub unless told otherwise (reference/wine-notes.md section 4).
WINE_DLL_OVERRIDES = "mscoree,mshtml=;vssapi=n,b"
DATA_PATTERN = 0xA5
DATA_PATTERN_BYTES = 1 << 20


def guest_profile() -> Profile:
    image = os.environ.get(IMAGE_ENV)
    if image:
        return WindowsProfile(image=Path(image))
    return LinuxWineProfile(dll_overrides=WINE_DLL_OVERRIDES)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("vm")


@pytest.fixture(scope="module")
def data_image(run_dir: Path) -> Path:
    """A 'supplied' data image with a known pattern: the VM must only ever use an overlay on it."""
    base = run_dir / "supplied-data.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(base), "64M"], check=True, timeout=60)
    qemu_io = shutil.which("qemu-io")
    if qemu_io is not None:
        command = f"write -P {DATA_PATTERN} 0 {DATA_PATTERN_BYTES}"
        subprocess.run([qemu_io, "-f", "qcow2", "-c", command, str(base)], check=True, timeout=60,
                       stdout=subprocess.DEVNULL)
    return base


@contextmanager
def booted(profile: Profile, run_dir: Path, request: pytest.FixtureRequest,
           disks: list[Disk]) -> Iterator[VM]:
    """A booted, ready VM; closed at the end, its logs kept if anything failed meanwhile
    (an exception, or any test of the session while a module-scoped VM was up)."""
    failed_before = request.session.testsfailed
    vm = VM(profile, run_dir, data_disks=disks)
    failed = True
    try:
        vm.start()
        vm.wait_ready()
        failed = False
        yield vm
        failed = request.session.testsfailed > failed_before
    finally:
        vm.close(failed=failed)
