# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks of the built artifacts that need no Wine: MSI tables, PE imports and PE hardening flags."""
from __future__ import annotations

import os
import pathlib
import re
import subprocess

import pytest

BUILD = pathlib.Path(os.environ.get("QGA_BUILD_DIR", "build"))
VERSION = pathlib.Path("VERSION").read_text().strip()
MSI = BUILD / f"qga-win-{VERSION}-x86_64.msi"
OBJDUMP = "x86_64-w64-mingw32-objdump"

# DLLs that ship with every Windows since 7; anything else would have to be packaged.
SYSTEM_DLLS = {
    "advapi32.dll", "cfgmgr32.dll", "iphlpapi.dll", "kernel32.dll", "msvcrt.dll", "netapi32.dll",
    "ole32.dll", "oleaut32.dll", "pdh.dll", "powrprof.dll", "setupapi.dll", "shell32.dll",
    "shlwapi.dll", "user32.dll", "userenv.dll", "version.dll", "wtsapi32.dll", "ws2_32.dll",
    "vssapi.dll", "ntdll.dll", "bcrypt.dll", "crypt32.dll", "secur32.dll", "rpcrt4.dll",
    "wininet.dll", "dbghelp.dll", "psapi.dll", "mpr.dll", "winmm.dll", "gdi32.dll",
}


def msi_table(name: str) -> list[list[str]]:
    """Rows of one MSI table as exported by msiinfo (the three header lines dropped)."""
    out = subprocess.run(["msiinfo", "export", str(MSI), name], check=True, capture_output=True,
                         text=True, timeout=30).stdout
    return [line.split("\t") for line in out.splitlines()[3:]]


def pe_imports(path: pathlib.Path) -> set[str]:
    out = subprocess.run([OBJDUMP, "-p", str(path)], check=True, capture_output=True, text=True,
                         timeout=30).stdout
    return {m.lower() for m in re.findall(r"DLL Name: (\S+)", out)}


def pe_dll_characteristics(path: pathlib.Path) -> int:
    out = subprocess.run([OBJDUMP, "-p", str(path)], check=True, capture_output=True, text=True,
                         timeout=30).stdout
    match = re.search(r"DllCharacteristics\s+([0-9a-fA-F]+)", out)
    assert match, out[:500]
    return int(match.group(1), 16)


@pytest.fixture(scope="module", autouse=True)
def built() -> None:
    for name in ("qemu-ga.exe", "qga-vss.dll", "qga-vss.tlb", MSI.name):
        assert (BUILD / name).exists(), f"{BUILD / name} missing: run make first"


@pytest.mark.parametrize("name", ["qemu-ga.exe", "qga-vss.dll"])
def test_pe_imports_only_system_dlls(name: str) -> None:
    imports = pe_imports(BUILD / name)
    assert imports, "no imports found: objdump output changed?"
    assert imports <= SYSTEM_DLLS, f"non-system DLLs imported: {sorted(imports - SYSTEM_DLLS)}"


@pytest.mark.parametrize("name", ["qemu-ga.exe", "qga-vss.dll"])
def test_pe_hardening_flags(name: str) -> None:
    flags = pe_dll_characteristics(BUILD / name)
    assert flags & 0x0040, "DYNAMIC_BASE (ASLR) missing"
    assert flags & 0x0100, "NX_COMPAT (DEP) missing"
    assert flags & 0x0020, "HIGH_ENTROPY_VA missing"
    # Control Flow Guard (0x4000) needs gcc >= 13 with mingw (-mguard=cf); Debian 12 ships gcc 12.


def test_payload_is_small() -> None:
    size = sum((BUILD / n).stat().st_size for n in ("qemu-ga.exe", "qga-vss.dll"))
    assert size < 4 * 1024 * 1024, f"exe + dll = {size} bytes"


def test_msi_files_are_exactly_the_payload() -> None:
    names = sorted(row[2].split("|")[-1] for row in msi_table("File"))
    assert names == ["qemu-ga.exe", "qga-vss.dll", "qga-vss.tlb"]


def test_msi_installs_into_own_program_files_folder() -> None:
    dirs = {row[0]: row for row in msi_table("Directory")}
    assert dirs["INSTALLDIR"][1] == "ProgramFiles64Folder"
    assert dirs["INSTALLDIR"][2].split("|")[-1] == "qga-win"


def test_msi_service() -> None:
    (row,) = msi_table("ServiceInstall")
    name, display, svc_type, start, _err, _grp, _deps, account, _pwd, args = row[1:11]
    assert (name, display, account, args) == ("QEMU-GA", "QEMU Guest Agent", "LocalSystem", "-d --retry-path")
    assert int(svc_type) == 0x10, "SERVICE_WIN32_OWN_PROCESS"
    assert int(start) == 2, "SERVICE_AUTO_START"
    (control,) = msi_table("ServiceControl")
    # msidbServiceControlEvent: Start on install (1), Stop on install+uninstall (2|32),
    # Delete on uninstall (128)
    assert control[1] == "QEMU-GA"
    assert int(control[2]) == 1 | 2 | 32 | 128


def test_msi_registers_vss_provider_deferred_without_impersonation() -> None:
    actions = {row[0]: row for row in msi_table("CustomAction")}
    sequence = {row[0]: row for row in msi_table("InstallExecuteSequence")}
    reg, rollback = actions["vss_register"], actions["vss_register_rollback"]
    unreg = actions["vss_unregister"]
    msidb_deferred, msidb_rollback, msidb_noimpersonate = 0x400, 0x100, 0x800
    assert int(reg[1]) & msidb_deferred and int(reg[1]) & msidb_noimpersonate
    assert not int(reg[1]) & 0x40, "registration failure must fail the install (Return=check)"
    assert int(rollback[1]) & msidb_rollback and int(rollback[1]) & msidb_noimpersonate
    assert reg[3].endswith("qga-vss.dll\",DLLCOMRegister") and rollback[3].endswith(",DLLCOMUnregister")
    assert int(unreg[1]) & msidb_deferred and int(unreg[1]) & msidb_noimpersonate
    assert unreg[3].endswith(",DLLCOMUnregister")
    # the rollback action must be scheduled before the action it undoes
    assert int(sequence["vss_register_rollback"][2]) < int(sequence["vss_register"][2])
    assert int(sequence["InstallFiles"][2]) < int(sequence["vss_register_rollback"][2])
    # unregistration runs on uninstall, after the service stopped and before files go
    assert sequence["vss_unregister"][1] == 'REMOVE="ALL"'
    order = [int(sequence[name][2]) for name in ("StopServices", "vss_unregister", "RemoveFiles")]
    assert order == sorted(order)


def test_msi_event_log_source_and_no_change_button() -> None:
    keys = {(row[2].rstrip("\\"), row[3]): row[4] for row in msi_table("Registry")}
    source = r"SYSTEM\CurrentControlSet\Services\EventLog\Application\qemu-ga"
    assert keys[(source, "TypesSupported")] == "#7"
    assert keys[(source, "EventMessageFile")] == "[INSTALLDIR]qemu-ga.exe"
    props = {row[0]: row[1] for row in msi_table("Property")}
    assert props["ARPNOMODIFY"] == "1"
    assert props["UpgradeCode"] == "{794AE6E7-9681-466D-A443-1729A9334F1D}"
    assert props["ProductVersion"] == VERSION


def test_msi_refuses_downgrade() -> None:
    rows = msi_table("Upgrade")
    assert any(int(row[4]) & 0x2 for row in rows), "OnlyDetect row for newer versions missing"
    messages = [row[1] for row in msi_table("LaunchCondition")]
    assert any("newer version" in m for m in messages)
