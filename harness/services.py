# SPDX-License-Identifier: GPL-2.0-or-later
"""Windows services in a Wine session: configuration, state and state changes.

Wine 8's sc.exe has no `qc`, so the configuration falls back to the service's registry key
(reference/wine-notes.md §6); `sc query` works.
"""

from __future__ import annotations

import re
import time

from harness.wine import WineSession

SERVICES_KEY = "HKLM\\System\\CurrentControlSet\\Services\\"
STATE_TIMEOUT_S = 30.0


def service_config(wine: WineSession, name: str) -> dict[str, str] | None:
    """{"ImagePath", "Start", "ObjectName", "DisplayName", "Type"} of a service, None if absent."""
    qc = wine.run(["sc", "qc", name])
    if qc.returncode == 0 and "BINARY_PATH_NAME" in qc.out:
        fields = dict(re.findall(r"^\s*(\w+)\s*:\s*(.*?)\s*$", qc.out, re.M))
        return {"ImagePath": fields["BINARY_PATH_NAME"], "Start": fields["START_TYPE"].split()[0],
                "ObjectName": fields["SERVICE_START_NAME"], "DisplayName": fields["DISPLAY_NAME"],
                "Type": fields["TYPE"].split()[0]}
    query = wine.run(["reg", "query", SERVICES_KEY + name])
    if query.returncode != 0:
        return None
    values = dict(re.findall(r"^\s+(\S+)\s+REG_\w+\s+(.*?)\s*$", query.out, re.M))
    if "ImagePath" not in values:
        return None
    return {"ImagePath": values["ImagePath"], "Start": str(int(values["Start"], 16)),
            "ObjectName": values.get("ObjectName", ""), "DisplayName": values.get("DisplayName", ""),
            "Type": str(int(values["Type"], 16))}


def service_state(wine: WineSession, name: str) -> str:
    """RUNNING, STOPPED, ... as `sc query` reports it; its whole output when it has no state."""
    out = wine.run(["sc", "query", name]).out
    match = re.search(r"STATE\s*:\s*\d+\s+(\w+)", out)
    return match.group(1) if match else out


def wait_service_state(wine: WineSession, name: str, state: str, timeout: float = STATE_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while (current := service_state(wine, name)) != state:
        if time.monotonic() > deadline:
            raise AssertionError(f"service {name} is {current}, not {state}")
        time.sleep(0.1)
