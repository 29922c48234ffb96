# SPDX-License-Identifier: GPL-2.0-or-later
"""harness/vm.py without booting: accelerator choice, the command line, overlays."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from harness.errors import HarnessError
from harness.vm import VM, Disk, LinuxWineProfile, WindowsProfile, choose_accel, cpu_has_virtualization

FLAGS_PVM = "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr pae sse sse2 hypervisor\n"
FLAGS_VMX = "processor\t: 0\nflags\t\t: fpu vme vmx sse\n"


def test_cpu_flags() -> None:
    assert not cpu_has_virtualization(FLAGS_PVM)
    assert cpu_has_virtualization(FLAGS_VMX)
    assert cpu_has_virtualization(FLAGS_VMX.replace("vmx", "svm"))


def test_accel_override() -> None:
    assert choose_accel(env={"QGA_VM_ACCEL": "tcg"}) == "tcg"
    assert choose_accel("kvm", env={"QGA_VM_ACCEL": "tcg"}) == "kvm"
    with pytest.raises(HarnessError):
        choose_accel(env={"QGA_VM_ACCEL": "hvf"})


def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"kernel": "/k/vmlinux", "initrd": "/k/initrd.gz", "prefix": "/p",
                                "agent": "C:\\qga\\qemu-ga.exe"}))
    return path


def test_linux_wine_command_line(tmp_path: Path) -> None:
    vm = VM(LinuxWineProfile(manifest=manifest(tmp_path)), tmp_path / "run", accel="tcg",
            data_disks=[Disk("data0")])
    cmd = vm.command()
    text = " ".join(cmd)
    assert cmd[cmd.index("-cpu") + 1] == "max,-smap"          # Wine under TCG needs SMAP off
    assert "id=qga0port" in text and "name=org.qemu.guest_agent.0" in text
    assert "multidevs=remap" in text and "mount_tag=hostroot" in text
    assert "node-name=data0" in text
    assert f"unix:{tmp_path / 'run' / 'qmp.sock'},server=on,wait=off" in text
    kvm = VM(LinuxWineProfile(manifest=manifest(tmp_path)), tmp_path / "run2", accel="kvm").command()
    assert kvm[kvm.index("-cpu") + 1] == "host" and kvm[kvm.index("-accel") + 1] == "kvm"


def test_guest_env_is_quoted(tmp_path: Path) -> None:
    profile = LinuxWineProfile(manifest=manifest(tmp_path), agent_args=["-l", "C:\\it's.log"])
    profile.prepare(tmp_path)
    env = (tmp_path / "share" / "guest.env").read_text()
    out = subprocess.run(["sh", "-c", f'{env}\nprintf "%s|%s" "$QGA_AGENT" "$QGA_AGENT_ARGS"'],
                         capture_output=True, text=True, check=True, timeout=10).stdout
    assert out == "C:\\qga\\qemu-ga.exe|-l C:\\it's.log"


def test_supplied_image_gets_an_overlay(tmp_path: Path) -> None:
    base = tmp_path / "supplied.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(base), "16M"], check=True, timeout=30)
    overlay = Disk("d0", source=base).create(tmp_path)
    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", str(overlay)], capture_output=True,
                                     check=True, timeout=30).stdout)
    assert info["backing-filename"] == str(base) and info["format"] == "qcow2"
    with pytest.raises(HarnessError):
        Disk("d1", source=tmp_path / "missing.qcow2").create(tmp_path)


def test_windows_resumes_recorded_state(tmp_path: Path) -> None:
    image = tmp_path / "win.qcow2"
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(image), "16M"], check=True, timeout=30)
    profile = WindowsProfile(image=image)
    assert not profile.hotplug_data_disks
    assert "-incoming" not in VM(profile, tmp_path / "a", accel="tcg").command()
    Path(str(image) + ".state").write_bytes(b"")
    cmd = VM(profile, tmp_path / "b", accel="tcg", data_disks=[Disk("data0")]).command()
    assert profile.hotplug_data_disks and "-incoming" in cmd
    assert "node-name=data0" not in " ".join(cmd)              # hot-plugged after the resume


def test_long_run_dir_gets_short_sockets(tmp_path: Path) -> None:
    vm = VM(LinuxWineProfile(manifest=manifest(tmp_path)), tmp_path / ("x" * 120), accel="tcg")
    assert len(str(vm.qmp_path)) <= 107 and len(str(vm.qga_path)) <= 107
    vm.close()
