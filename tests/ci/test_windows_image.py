# SPDX-License-Identifier: GPL-2.0-or-later
"""images/windows cannot run here (no Windows media, no KVM): check it statically."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = ROOT / "images" / "windows"
XML = WINDOWS / "autounattend.xml"
SCRIPT = WINDOWS / "make-image"
NS = {"u": "urn:schemas-microsoft-com:unattend"}


def tree() -> ET.Element:
    return ET.parse(XML).getroot()


def component(root: ET.Element, settings_pass: str, name: str) -> ET.Element:
    found = root.find(f"u:settings[@pass='{settings_pass}']/u:component[@name='{name}']", NS)
    assert found is not None, f"{settings_pass}/{name} missing"
    return found


def test_xml_parses_and_has_the_passes() -> None:
    root = tree()
    assert root.tag == "{urn:schemas-microsoft-com:unattend}unattend"
    passes = [s.get("pass") for s in root.findall("u:settings", NS)]
    assert passes == ["windowsPE", "specialize", "oobeSystem"]
    for comp in root.iter("{urn:schemas-microsoft-com:unattend}component"):
        assert comp.get("processorArchitecture") == "amd64"
        assert comp.get("publicKeyToken") == "31bf3856ad364e35"


def test_windows_pe_loads_viostor_and_vioserial() -> None:
    pnp = component(tree(), "windowsPE", "Microsoft-Windows-PnpCustomizationsWinPE")
    paths = [p.text or "" for p in pnp.iter("{urn:schemas-microsoft-com:unattend}Path")]
    for driver in ("viostor", "vioserial"):
        letters = {p[0] for p in paths if f"\\{driver}\\@DRIVER_OS@\\amd64" in p}
        assert letters >= set("DEFG"), f"{driver} not searched on every likely CD letter: {paths}"
    keys = [p.get("{http://schemas.microsoft.com/WMIConfig/2002/State}keyValue")
            for p in pnp.iter("{urn:schemas-microsoft-com:unattend}PathAndCredentials")]
    assert len(keys) == len(set(keys)), "duplicate keyValue"


def test_first_logon_installs_drivers_then_msi_then_powers_off() -> None:
    shell = component(tree(), "oobeSystem", "Microsoft-Windows-Shell-Setup")
    commands = shell.findall("u:FirstLogonCommands/u:SynchronousCommand", NS)
    orders = [int(c.findtext("u:Order", "", NS)) for c in commands]
    assert orders == list(range(1, len(commands) + 1))
    lines = [c.findtext("u:CommandLine", "", NS) for c in commands]
    msi = next(i for i, line in enumerate(lines) if "qga-win.msi" in line)
    drivers = next(i for i, line in enumerate(lines)
                   if "virtio-win-gt-x64.msi" in line or "vioser.inf" in line)
    assert drivers < msi
    assert "msiexec /i" in lines[msi] and "/qn" in lines[msi]
    assert lines[-1].startswith("shutdown /s")
    assert shell.findtext("u:AutoLogon/u:Username", "", NS) == \
        shell.findtext("u:UserAccounts/u:LocalAccounts/u:LocalAccount/u:Name", "", NS)


def test_placeholders_are_exactly_those_make_image_fills() -> None:
    used = set(re.findall(r"@([A-Z_]+)@", XML.read_text()))
    filled = set(re.findall(r's/@([A-Z_]+)@/', SCRIPT.read_text()))
    assert used == filled


def test_script_syntax() -> None:
    subprocess.run(["sh", "-n", str(SCRIPT)], check=True, timeout=30)
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck not installed (toolchain/setup installs it); sh -n passed")
    subprocess.run([shellcheck, "-s", "sh", str(SCRIPT)], check=True, timeout=60)


@pytest.mark.parametrize("args, message", [
    ([], "--windows-iso is required"),
    (["--windows-iso", "/nonexistent.iso", "--virtio-iso", "/none.iso"], "cannot read the Windows ISO"),
    (["--bogus"], "unknown option: --bogus"),
])
def test_script_rejects_bad_arguments(args: list[str], message: str) -> None:
    proc = subprocess.run(["sh", str(SCRIPT), *args], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1 and message in proc.stderr


def test_script_help() -> None:
    proc = subprocess.run(["sh", str(SCRIPT), "--help"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0 and "--virtio-iso" in proc.stdout
