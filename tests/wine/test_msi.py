# SPDX-License-Identifier: GPL-2.0-or-later
"""The MSI under Wine: install, service, VSS registration, upgrade, downgrade, repair, uninstall
and a rolled-back install (issue 9).  Wine's msiexec runs the real custom actions (rundll32
qga-vss.dll,DLLCOMRegister) against the COM+ catalog and IVssAdmin doubles (tests/fakes/admin),
which record every call; services are real Wine services.

The tests form one story in file order (install old, upgrade, ...): each step starts from the
state the previous one left, as an administrator's machine would.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.admin_fakes import AdminFakes
from harness.services import service_config, service_state, wait_service_state
from harness.wine import WineResult, WineSession

REPO = Path(__file__).resolve().parents[2]
VERSION = (REPO / "VERSION").read_text().strip()
OLD_VERSION = "0.0.1"
APP_NAME = "qga-win VSS Provider"          # win/common/names.h QGA_VSS_PROVIDER_NAME_W
VSS_OPTION_KEY = r"HKLM\SYSTEM\CurrentControlSet\Services\QEMU Guest Agent VSS Provider"
PRODUCT_KEY = r"HKLM\Software\qga-win"
EVENTLOG_KEY = r"HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\qemu-ga"
MSI_TIMEOUT_S = 120.0
SERVICE = "QEMU-GA"


def msi_path(build_dir: Path, version: str) -> Path:
    path = build_dir / f"qga-win-{version}-x86_64.msi"
    assert path.is_file(), f"{path} missing: `make check-wine` builds it"
    return path


def msiexec(wine: WineSession, *args: str) -> WineResult:
    return wine.run(["msiexec", *args, "/qn"], timeout=MSI_TIMEOUT_S)


def reg_value(wine: WineSession, key: str, name: str) -> str | None:
    result = wine.run(["reg", "query", key, "/v", name])
    if result.returncode != 0:
        return None
    for line in result.out.splitlines():
        parts = line.strip().split(None, 2)
        if len(parts) == 3 and parts[0] == name and parts[1].startswith("REG_"):
            return parts[2]
    return None


def install_dir(wine: WineSession) -> Path:
    return wine.prefix / "drive_c" / "Program Files" / "qga-win"


def registered_apps(fakes: AdminFakes) -> list[dict[str, object]]:
    return fakes.state().applications_named(APP_NAME)


@pytest.fixture(scope="module")
def fakes(admin_fakes: AdminFakes) -> AdminFakes:
    # msiexec's custom actions do not inherit our environment: configure through the registry.
    admin_fakes.configure()
    admin_fakes.reset()
    return admin_fakes


@pytest.fixture(scope="module", autouse=True)
def clean_machine(wine: WineSession, fakes: AdminFakes) -> None:
    wine.run(["reg", "delete", VSS_OPTION_KEY, "/f"])


def test_install_puts_payload_service_and_registration_in_place(
        wine: WineSession, build_dir: Path, fakes: AdminFakes) -> None:
    result = msiexec(wine, "/i", wine.windows_path(msi_path(build_dir, OLD_VERSION)))
    assert result.returncode == 0, result.err

    installed = sorted(p.name for p in install_dir(wine).iterdir())
    assert installed == ["qemu-ga.exe", "qga-vss.dll", "qga-vss.tlb"]
    config = service_config(wine, SERVICE)
    assert config is not None
    assert config["Start"] == "2", "SERVICE_AUTO_START"
    exe = r'"?C:\\Program Files\\qga-win\\qemu-ga\.exe"?'
    assert re.fullmatch(exe + " -d --retry-path", config["ImagePath"]), config
    assert config["ObjectName"] == "LocalSystem"
    assert config["DisplayName"] == "QEMU Guest Agent"
    wait_service_state(wine, SERVICE, "RUNNING")

    assert len(registered_apps(fakes)) == 1, fakes.state().applications
    assert reg_value(wine, VSS_OPTION_KEY, "VssOption") == "0x5", "default backup type is VSS_BT_COPY"
    assert reg_value(wine, PRODUCT_KEY, "Version") == OLD_VERSION
    assert reg_value(wine, EVENTLOG_KEY, "TypesSupported") == "0x7"


def test_installed_service_answers_over_the_channel(wine: WineSession) -> None:
    # The admin points the installed agent at a COM port through the config file next to the exe.
    port = wine.com_port()
    (install_dir(wine) / "qemu-ga.conf").write_text(
        f"[general]\nmethod=isa-serial\npath={port.name}\n")
    try:
        assert wine.run(["net", "stop", "QEMU-GA"]).returncode == 0
        assert wine.run(["net", "start", "QEMU-GA"]).returncode == 0
        with port.connect(timeout=20.0) as client:
            client.sync()
            assert client.execute("guest-ping") == {}
            info = client.execute("guest-info")
            # the old package carries today's exe (only the package version differs)
            assert info["version"] == VERSION
            assert any(c["name"] == "guest-get-osinfo" for c in info["supported_commands"])
    finally:
        (install_dir(wine) / "qemu-ga.conf").unlink()
        port.close()


def test_upgrade_keeps_the_admins_vss_option(wine: WineSession, build_dir: Path, fakes: AdminFakes) -> None:
    assert wine.run(["reg", "add", VSS_OPTION_KEY, "/v", "VssOption", "/t", "REG_DWORD", "/d", "1",
                     "/f"]).returncode == 0

    result = msiexec(wine, "/i", wine.windows_path(msi_path(build_dir, VERSION)))
    assert result.returncode == 0, result.err

    assert reg_value(wine, PRODUCT_KEY, "Version") == VERSION
    assert reg_value(wine, VSS_OPTION_KEY, "VssOption") == "0x1", "upgrade reset the admin's VssOption"
    assert len(registered_apps(fakes)) == 1, "upgrade must leave exactly one registration"
    assert service_state(wine, SERVICE) == "RUNNING"


def test_downgrade_is_refused(wine: WineSession, build_dir: Path) -> None:
    result = msiexec(wine, "/i", wine.windows_path(msi_path(build_dir, OLD_VERSION)))
    assert result.returncode != 0
    assert reg_value(wine, PRODUCT_KEY, "Version") == VERSION


def test_repair_reregisters_cleanly(wine: WineSession, build_dir: Path, fakes: AdminFakes) -> None:
    fakes.clear_trace()
    # Wine's msiexec /f by package path answers ERROR_UNKNOWN_PRODUCT; REINSTALL=ALL is the same repair.
    result = msiexec(wine, "/i", wine.windows_path(msi_path(build_dir, VERSION)), "REINSTALL=ALL",
                     "REINSTALLMODE=vomus")
    assert result.returncode == 0, result.err
    assert "RegisterProvider" in fakes.call_names(), "repair must run the registration again"
    assert len(registered_apps(fakes)) == 1
    assert reg_value(wine, VSS_OPTION_KEY, "VssOption") == "0x1"


def test_uninstall_removes_everything_but_the_admins_setting(wine: WineSession, build_dir: Path,
                                                             fakes: AdminFakes) -> None:
    result = msiexec(wine, "/x", wine.windows_path(msi_path(build_dir, VERSION)))
    assert result.returncode == 0, result.err

    assert not install_dir(wine).exists() or not any(install_dir(wine).iterdir())
    assert service_config(wine, SERVICE) is None, "service still installed"
    assert registered_apps(fakes) == []
    assert [p for p in fakes.state().providers if p.get("Name") == APP_NAME] == []
    assert reg_value(wine, PRODUCT_KEY, "Version") is None
    assert reg_value(wine, EVENTLOG_KEY, "TypesSupported") is None
    # VssOption is the admin's choice and outlives the package (documented in win/installer/README.md).
    assert reg_value(wine, VSS_OPTION_KEY, "VssOption") == "0x1"


def test_failed_registration_rolls_the_install_back(wine: WineSession, build_dir: Path,
                                                    fakes: AdminFakes) -> None:
    fakes.clear_trace()
    fakes.configure(fail="RegisterProvider=0x80042300")
    try:
        result = msiexec(wine, "/i", wine.windows_path(msi_path(build_dir, VERSION)))
    finally:
        fakes.configure()
    assert result.returncode != 0, "a failed registration must fail the install"
    assert "RegisterProvider" in fakes.call_names(), "the install failed before registering"
    assert not install_dir(wine).exists() or not any(install_dir(wine).iterdir())
    assert service_config(wine, SERVICE) is None
    assert registered_apps(fakes) == []
    assert reg_value(wine, PRODUCT_KEY, "Version") is None
