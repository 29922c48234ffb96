# SPDX-License-Identifier: GPL-2.0-or-later
"""Registration of qga-vss.dll with COM+ and VSS under Wine, against the test doubles.

`rundll32 qga-vss.dll,DLLCOMRegister` (the MSI's custom action) and `regsvr32` must create the
COM+ application with its service, component and role, and the VSS provider; a second run repairs
instead of failing "already installed"; unregistering removes everything and succeeds when there
is nothing; every failure exits non-zero with a clear message and leaves nothing half-done;
VssOption is written only when absent (issue 6, users-and-clients.md §1.7).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from harness.admin_fakes import AdminFakes, FakeState
from harness.wine import WineResult, WineSession

REPO = Path(__file__).resolve().parents[2]
VSS_OPTION_KEY = r"HKLM\SYSTEM\CurrentControlSet\Services\QEMU Guest Agent VSS Provider"


def _header_string(header: str, name: str) -> str:
    """A wide-string #define from win/common/*.h, so the tests follow the one definition."""
    text = (REPO / "win" / "common" / header).read_text()
    match = re.search(rf'#define {name}\s+L"((?:[^"\\]|\\.)*)"', text)
    assert match, f"{name} not found in {header}"
    return match.group(1).replace("\\\\", "\\")


APP_NAME = _header_string("names.h", "QGA_VSS_PROVIDER_NAME_W")
CLSID = _header_string("guids.h", "QGA_VSS_PROVIDER_CLSID_STR_W")
PROVIDER_ID = _header_string("guids.h", "QGA_VSS_PROVIDER_ID_STR_W")
VERSION = (REPO / "VERSION").read_text().strip()


def reg_value(wine: WineSession, key: str, name: str | None) -> str | None:
    """The data of one registry value as `reg query` prints it, or None if absent."""
    args = ["reg", "query", key] + (["/v", name] if name else ["/ve"])
    result = wine.run(args)
    if result.returncode != 0:
        return None
    for line in result.out.splitlines():
        parts = line.strip().split(None, 2)
        if len(parts) == 3 and parts[1].startswith("REG_") and (parts[0] == (name or "(Default)")):
            return parts[2]
    return None


def key_exists(wine: WineSession, key: str) -> bool:
    return wine.run(["reg", "query", key]).returncode == 0


@pytest.fixture(scope="module")
def install_dir(wine: WineSession, build_dir: Path) -> Path:
    """qga-vss.dll and qga-vss.tlb where the MSI puts them: a path with a space."""
    directory = wine.scratch / "Program Files" / "qga-win"
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("qga-vss.dll", "qga-vss.tlb"):
        shutil.copy(build_dir / name, directory / name)
    return directory


class Vss:
    """Runs the DLL's entry points with the doubles' trace and faults."""

    def __init__(self, wine: WineSession, fakes: AdminFakes, directory: Path) -> None:
        self.wine = wine
        self.fakes = fakes
        self.dll = wine.windows_path(directory / "qga-vss.dll")

    def rundll32(self, entry: str, fail: str | None = None, dll: str | None = None) -> WineResult:
        return self.wine.run(["rundll32", f"{dll or self.dll},{entry}"], env=self.fakes.env(fail))

    def register(self, fail: str | None = None) -> WineResult:
        return self.rundll32("DLLCOMRegister", fail)

    def unregister(self, fail: str | None = None) -> WineResult:
        return self.rundll32("DLLCOMUnregister", fail)

    def regsvr32(self, *flags: str) -> WineResult:
        return self.wine.run(["regsvr32", "/s", *flags, self.dll], env=self.fakes.env())


@pytest.fixture(scope="module")
def vss(wine: WineSession, admin_fakes: AdminFakes, install_dir: Path) -> Iterator[Vss]:
    runner = Vss(wine, admin_fakes, install_dir)
    yield runner
    runner.unregister()


@pytest.fixture(autouse=True)
def clean(vss: Vss, admin_fakes: AdminFakes) -> None:
    """Each test starts unregistered, without VssOption, with an empty trace."""
    if not admin_fakes.installed:
        admin_fakes.install()
    result = vss.unregister()
    assert result.returncode == 0, result.err
    vss.wine.run(["reg", "delete", VSS_OPTION_KEY, "/f"])
    admin_fakes.clear_trace()


def assert_unregistered(vss: Vss, state: FakeState) -> None:
    """Nothing of ours anywhere: no application, provider, service or class."""
    assert state.applications_named(APP_NAME) == []
    assert [p for p in state.providers if p["ID"] == PROVIDER_ID] == []
    assert not key_exists(vss.wine, rf"HKLM\System\CurrentControlSet\Services\{APP_NAME}")
    assert not key_exists(vss.wine, rf"HKCR\CLSID\{CLSID}")


def assert_registered(vss: Vss, state: FakeState, install_dir: Path) -> None:
    apps = state.applications_named(APP_NAME)
    assert len(apps) == 1, state.applications
    app = apps[0]
    assert app["Description"] == APP_NAME
    assert app["ApplicationAccessChecksEnabled"] == 1
    assert app["Authentication"] == 6                 # packet privacy
    assert app["AuthenticationCapability"] == 2       # secure references
    assert app["ImpersonationLevel"] == 2             # identify
    assert app["ServiceName"] == APP_NAME
    assert app["components"] == [{"CLSID": CLSID, "DLL": vss.dll,
                                  "TypeLib": vss.wine.windows_path(install_dir / "qga-vss.tlb")}]
    assert len(app["roles"]) == 1
    role = app["roles"][0]
    assert role["Name"] == "Administrators"           # the localized name of S-1-5-32-544
    assert sorted(role["users"]) == ["BUILTIN\\Administrators", "NT AUTHORITY\\SYSTEM"]

    assert state.providers == [{"ID": PROVIDER_ID, "Name": APP_NAME, "Class": CLSID, "Type": 2,
                                "Version": VERSION, "VersionId": state.providers[0]["VersionId"]}]
    assert re.fullmatch(r"\{[0-9A-F-]{36}\}", state.providers[0]["VersionId"])

    service = rf"HKLM\System\CurrentControlSet\Services\{APP_NAME}"
    assert reg_value(vss.wine, service, "Start") == "0x3"              # demand start: VSS starts it
    assert reg_value(vss.wine, service, "ObjectName") == "LocalSystem"
    assert reg_value(vss.wine, service, "ImagePath") == \
        f"C:\\windows\\system32\\dllhost.exe /Processid:{app['ID']}"
    inproc = rf"HKCR\CLSID\{CLSID}\InprocServer32"
    assert reg_value(vss.wine, inproc, None) == vss.dll
    assert reg_value(vss.wine, inproc, "ThreadingModel") == "Apartment"


def test_register_creates_application_service_component_role_and_provider(vss: Vss, admin_fakes: AdminFakes,
                                                                          install_dir: Path) -> None:
    result = vss.register()
    assert result.returncode == 0, result.err
    assert "qga-vss:" not in result.err
    assert_registered(vss, admin_fakes.state(), install_dir)
    assert reg_value(vss.wine, VSS_OPTION_KEY, "VssOption") == "0x5"     # VSS_BT_COPY when absent

    # The order COM+ and VSS need: a saved application before its service and component, the
    # component (COM+ calls DllRegisterServer back) before the role, the provider last.
    names = [c.call for c in admin_fakes.calls() if c.succeeded]
    assert names.index("Applications.SaveChanges") < names.index("CreateServiceForApplication") \
        < names.index("InstallComponent.DllRegisterServer") < names.index("InstallComponent") \
        < names.index("Roles.SaveChanges") < names.index("UsersInRole.SaveChanges") \
        < names.index("RegisterProvider")
    assert names[-1] == "RegisterProvider"
    service = next(c for c in admin_fakes.calls() if c.call == "CreateServiceForApplication")
    assert service.args["start"] == "SERVICE_DEMAND_START"
    assert service.args["run_as"].lower().endswith("localsystem")
    assert service.args["password_empty"] is True and service.args["desktop_ok"] is False


def test_second_register_repairs(vss: Vss, admin_fakes: AdminFakes, install_dir: Path) -> None:
    assert vss.register().returncode == 0
    first = admin_fakes.state().applications_named(APP_NAME)[0]["ID"]
    admin_fakes.clear_trace()

    result = vss.register()
    assert result.returncode == 0, result.err
    state = admin_fakes.state()
    assert_registered(vss, state, install_dir)
    assert state.applications_named(APP_NAME)[0]["ID"] != first      # rebuilt, not duplicated
    calls = admin_fakes.calls()
    names = [c.call for c in calls if c.succeeded]
    removal = names[:names.index("Applications.Add")]
    assert "UnregisterProvider" in removal and "DeleteServiceForApplication" in removal \
        and "Applications.Remove" in removal
    assert not [c for c in calls if c.call == "RegisterProvider" and not c.succeeded]


def test_register_repairs_a_partial_registration(vss: Vss, admin_fakes: AdminFakes,
                                                 install_dir: Path) -> None:
    assert vss.register().returncode == 0
    # Someone removed the VSS provider and the class by hand; the application is still there.
    providers = r"HKLM\Software\QgaWinTests\Fakes\Vss\Providers"
    vss.wine.run(["reg", "delete", rf"{providers}\{PROVIDER_ID}", "/f"]).check()
    vss.wine.run(["reg", "delete", rf"HKCR\CLSID\{CLSID}", "/f"]).check()

    result = vss.register()
    assert result.returncode == 0, result.err
    assert_registered(vss, admin_fakes.state(), install_dir)


def test_unregister_removes_everything_and_keeps_vss_option(vss: Vss, admin_fakes: AdminFakes) -> None:
    assert vss.register().returncode == 0
    result = vss.unregister()
    assert result.returncode == 0, result.err
    assert result.err == ""
    assert_unregistered(vss, admin_fakes.state())
    # VssOption is the administrator's setting: an uninstall (or upgrade) keeps it.
    assert reg_value(vss.wine, VSS_OPTION_KEY, "VssOption") == "0x5"


def test_unregister_when_absent_succeeds(vss: Vss, admin_fakes: AdminFakes) -> None:
    result = vss.unregister()
    assert result.returncode == 0, result.err
    assert result.err == ""
    assert_unregistered(vss, admin_fakes.state())
    unregister = [c for c in admin_fakes.calls() if c.call == "UnregisterProvider"]
    assert [hex(c.hr) for c in unregister] == ["0x80042304"]           # VSS_E_PROVIDER_NOT_REGISTERED


def test_existing_vss_option_is_never_overwritten(vss: Vss) -> None:
    vss.wine.run(["reg", "add", VSS_OPTION_KEY, "/v", "VssOption", "/t", "REG_DWORD", "/d", "2",
                  "/f"]).check()
    assert vss.register().returncode == 0
    assert reg_value(vss.wine, VSS_OPTION_KEY, "VssOption") == "0x2"
    assert vss.register().returncode == 0
    assert reg_value(vss.wine, VSS_OPTION_KEY, "VssOption") == "0x2"
    assert vss.unregister().returncode == 0
    assert reg_value(vss.wine, VSS_OPTION_KEY, "VssOption") == "0x2"


# Each step of the registration failing: (call to fail, HRESULT, words the message must contain).
FAILURES = [
    ("CreateInstance.COMAdminCatalog", "0x80040154", "COM+ catalog"),
    ("CreateInstance.VSSCoordinator", "0x80040154", "VSS coordinator"),
    ("Applications.Populate", "0x8011041f", "Applications collection"),
    ("Applications.SaveChanges", "0x80110401", "cannot create COM+ application"),
    ("CreateServiceForApplication", "0x80070431", "cannot create service"),
    ("InstallComponent", "0x80110425", "cannot install component"),
    ("Roles.SaveChanges", "0x8011040c", "cannot create role"),
    ("UsersInRole.SaveChanges", "0x8011040f", "cannot save the users"),
    ("RegisterProvider", "0x80042306", "cannot register VSS provider"),
]


@pytest.mark.parametrize("call,hresult,words", FAILURES, ids=[f[0] for f in FAILURES])
def test_failed_register_exits_nonzero_and_rolls_back(vss: Vss, admin_fakes: AdminFakes, call: str,
                                                      hresult: str, words: str) -> None:
    result = vss.register(fail=f"{call}={hresult}")
    assert result.returncode != 0
    message = result.err
    assert words in message, message
    assert f"(0x{int(hresult, 16):08x})" in message, message
    assert "qga-vss:" in message
    assert_unregistered(vss, admin_fakes.state())
    # Written by this run only if absent, so the rollback takes it away again.
    assert reg_value(vss.wine, VSS_OPTION_KEY, "VssOption") is None
    assert [c for c in admin_fakes.calls() if c.call == call and c.hr == int(hresult, 16)]


def test_failed_register_goes_to_the_event_log(vss: Vss, admin_fakes: AdminFakes) -> None:
    """Issue 6: every failure is a message on stderr *and in the log*.  Wine stores no events but
    traces ReportEventW (wine-notes.md 8)."""
    env = {**admin_fakes.env("InstallComponent=0x80110425"), "WINEDEBUG": "-all,err+eventlog"}
    result = vss.wine.run(["rundll32", f"{vss.dll},DLLCOMRegister"], env=env)
    assert result.returncode != 0
    # Wine's trace cuts long strings, so match the start of the line.
    assert ':eventlog:ReportEventW L"qga-vss: cannot install component' in result.err, result.err
    assert_unregistered(vss, admin_fakes.state())


def test_failed_repair_leaves_nothing_half_done(vss: Vss, admin_fakes: AdminFakes) -> None:
    assert vss.register().returncode == 0
    result = vss.register(fail="InstallComponent=0x80110425")
    assert result.returncode != 0
    assert "everything it did was undone" in result.err, result.err
    assert_unregistered(vss, admin_fakes.state())
    assert vss.register().returncode == 0                              # and it can be registered again


def test_failed_unregister_exits_nonzero_then_succeeds(vss: Vss, admin_fakes: AdminFakes) -> None:
    assert vss.register().returncode == 0
    result = vss.unregister(fail="Applications.Remove=0x8011042b")
    assert result.returncode != 0
    assert "cannot remove COM+ application" in result.err and "(0x8011042b)" in result.err, result.err
    assert admin_fakes.state().applications_named(APP_NAME)
    result = vss.unregister()
    assert result.returncode == 0, result.err
    assert_unregistered(vss, admin_fakes.state())


def test_type_library_must_sit_next_to_the_dll(vss: Vss, admin_fakes: AdminFakes, build_dir: Path) -> None:
    lonely = vss.wine.scratch / "no-tlb"
    lonely.mkdir(exist_ok=True)
    shutil.copy(build_dir / "qga-vss.dll", lonely / "qga-vss.dll")
    result = vss.rundll32("DLLCOMRegister", dll=vss.wine.windows_path(lonely / "qga-vss.dll"))
    assert result.returncode != 0
    assert "qga-vss.tlb must sit next to" in result.err, result.err
    assert not [c for c in admin_fakes.calls()
                if c.object == "catalog" and not c.call.startswith("CreateInstance")]
    assert_unregistered(vss, admin_fakes.state())


def test_without_com_plus_the_message_says_so(vss: Vss, admin_fakes: AdminFakes) -> None:
    admin_fakes.uninstall()
    try:
        result = vss.register()
        assert result.returncode != 0
        assert "COM+ catalog (COMAdmin.COMAdminCatalog) is not available" in result.err, result.err
        assert "REGDB_E_CLASSNOTREG" in result.err
        result = vss.unregister()
        assert result.returncode != 0
    finally:
        admin_fakes.install()


def test_regsvr32_registers_and_unregisters(vss: Vss, admin_fakes: AdminFakes, install_dir: Path) -> None:
    result = vss.regsvr32()
    assert result.returncode == 0, result.err
    assert_registered(vss, admin_fakes.state(), install_dir)
    result = vss.regsvr32("/u")
    assert result.returncode == 0, result.err
    assert_unregistered(vss, admin_fakes.state())


def test_agent_vss_install_and_uninstall(vss: Vss, admin_fakes: AdminFakes, install_dir: Path,
                                         agent_exe: Path) -> None:
    """qemu-ga.exe -s vss-install / vss-uninstall call the DLL's COMRegister / COMUnregister."""
    exe = install_dir / "qemu-ga.exe"
    shutil.copy(agent_exe, exe)
    result = vss.wine.run([exe, "-s", "vss-install"], env=admin_fakes.env())
    assert result.returncode == 0, result.out + result.err
    assert_registered(vss, admin_fakes.state(), install_dir)

    result = vss.wine.run([exe, "-s", "vss-install"], env=admin_fakes.env(fail="InstallComponent=0x80110425"))
    assert result.returncode != 0
    assert "cannot install component" in result.err and "(0x80110425)" in result.err, result.err
    assert_unregistered(vss, admin_fakes.state())

    assert vss.wine.run([exe, "-s", "vss-install"], env=admin_fakes.env()).returncode == 0
    result = vss.wine.run([exe, "-s", "vss-uninstall"], env=admin_fakes.env())
    assert result.returncode == 0, result.out + result.err
    assert_unregistered(vss, admin_fakes.state())
