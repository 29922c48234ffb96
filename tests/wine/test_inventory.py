# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest inventory commands under Wine 8: exact reply shapes (qga-reference.md section 1) and the
values Wine is known to return (measured on Wine 8.0, Debian 12).

What Wine 8 provides, and so what these tests pin:
- RtlGetVersion: 6.1.7601 workstation ("win7") by default, other versions per application through
  HKCU\\Software\\Wine\\AppDefaults\\<exe>\\Version; ProductName stays "Microsoft Windows 7".
- GetComputerNameExW(DnsHostname): the host's name; WTSEnumerateSessionsW: no session.
- GetTimeZoneInformation: derived from the process's TZ, with the Windows zone names.
- GetLogicalProcessorInformationEx: one group with the host's processors.
- PDH: no "\\System\\Processor Queue Length" counter (PDH_CSTATUS_NO_COUNTER, 0xc0000bb9).
- GetAdaptersAddresses / GetIfEntry2: the host's interfaces, addresses and counters.
- Volumes C: and Z: (wine-notes.md section 9), both NTFS, with no disk extents; SetupAPI lists no
  disk interface and no virtio device.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Iterator, Mapping
from zoneinfo import ZoneInfo

import pytest

from harness.errors import ExecuteError
from harness.qga import QGAClient
from harness.wine import AgentProcess, WineSession

# The module's agent runs in a zone with daylight saving time.
AGENT_ENV = {"TZ": "America/New_York"}

INVENTORY_COMMANDS = [
    "guest-get-devices", "guest-get-disks", "guest-get-fsinfo", "guest-get-host-name", "guest-get-load",
    "guest-get-osinfo", "guest-get-timezone", "guest-get-users", "guest-get-vcpus",
    "guest-network-get-interfaces",
]
# KubeVirt treats an agent as unsupported unless guest-info lists these as enabled.
KUBEVIRT_REQUIRED = ["guest-get-osinfo", "guest-get-host-name", "guest-get-users", "guest-get-timezone",
                     "guest-network-get-interfaces", "guest-get-fsinfo"]

LOAD_COUNTER_ERROR = ("failed to add the performance counter '\\System\\Processor Queue Length' "
                      "(PDH status 0xc0000bb9); performance counters may be disabled")
CURRENT_VERSION_KEY = "HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion"


# -- shapes -----------------------------------------------------------------------------------

REQ, OPT = True, False


def check_members(value: Any, schema: Mapping[str, tuple[type, bool]], what: str) -> dict[str, Any]:
    """value is an object with every required member of schema, no member outside it, members in
    schema order (qemu's QAPI output order), each of its type.  schema: name -> (type, REQ/OPT)."""
    assert isinstance(value, dict), f"{what}: {value!r}"
    keys = list(value)
    required = {k for k, (_, req) in schema.items() if req}
    assert required <= set(keys), f"{what}: missing {required - set(keys)} in {value!r}"
    assert set(keys) <= set(schema), f"{what}: unexpected {set(keys) - set(schema)} in {value!r}"
    assert keys == [k for k in schema if k in value], f"{what}: member order {keys}, schema {list(schema)}"
    for key, (kind, _) in schema.items():
        if key in value:
            got = value[key]
            assert isinstance(got, kind) and not (kind in (int, float) and isinstance(got, bool)), \
                f"{what}.{key}: {got!r} is not {kind}"
    return value


def check_pci_address(value: Any) -> None:
    members = ("domain", "bus", "slot", "function")
    check_members(value, {key: (int, REQ) for key in members}, "GuestPCIAddress")


def check_disk_address(value: Any) -> None:
    check_members(value, {"pci-controller": (dict, REQ), "bus-type": (str, REQ), "bus": (int, REQ),
                          "target": (int, REQ), "unit": (int, REQ), "serial": (str, OPT), "dev": (str, OPT),
                          "ccw-address": (dict, OPT)}, "GuestDiskAddress")
    check_pci_address(value["pci-controller"])


# -- helpers ----------------------------------------------------------------------------------

def set_app_version(wine: WineSession, version: str | None) -> None:
    """Wine's per-application Windows version for qemu-ga.exe (None: the prefix default)."""
    key = "HKCU\\Software\\Wine\\AppDefaults\\qemu-ga.exe"
    if version is None:
        wine.run(["reg", "delete", key, "/f"])
    else:
        wine.run(["reg", "add", key, "/v", "Version", "/d", version, "/f"]).check()


def expected_offset(tz: str) -> tuple[set[int], set[str]]:
    """The UTC offsets (seconds) and DST states a zone has around now (a transition may fall
    between computing this and the agent's answer)."""
    zone = ZoneInfo(tz)
    now = datetime.datetime.now(datetime.timezone.utc)
    offsets, states = set(), set()
    for moment in (now - datetime.timedelta(minutes=1), now + datetime.timedelta(minutes=1)):
        local = moment.astimezone(zone)
        offsets.add(int(local.utcoffset().total_seconds()))  # type: ignore[union-attr]
        states.add("dst" if local.dst() else "std")
    return offsets, states


def host_interfaces() -> dict[str, Any]:
    """`ip -j addr` by interface name, or a skip when iproute2 is not installed."""
    ip = shutil.which("ip") or shutil.which("ip", path="/usr/sbin:/sbin")
    if not ip:
        pytest.skip("comparing with the host's interfaces needs iproute2's `ip`")
    out = subprocess.run([ip, "-j", "addr", "show"], check=True, capture_output=True, timeout=30).stdout
    return {entry["ifname"]: entry for entry in json.loads(out)}


def agent_footprint(agent: AgentProcess, wine: WineSession, build_dir: Path) -> tuple[int, int, int]:
    """(resident KiB, handles, wineserver fds) of the agent, the only qemu-ga.exe running.
    Handles come from tests/wine/tools/handle-count.c (Wine's GetProcessHandleCount is a stub);
    Wine also keeps a unix fd in the server per open file, so those leaks show there too."""
    status = Path(f"/proc/{agent.pid}/status").read_text()
    rss = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))  # type: ignore[union-attr]
    result = wine.run([build_dir / "tests" / "wine" / "handle-count.exe", "qemu-ga.exe"]).check()
    counts = [int(line.split()[1]) for line in result.out.splitlines() if re.fullmatch(r"\d+ \d+", line)]
    assert len(counts) == 1, f"expected one qemu-ga.exe, handle-count says {result.out!r}"
    server_fds = 0
    marker = f"WINEPREFIX={wine.prefix}".encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == "wineserver" and \
                    marker in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                server_fds = len(os.listdir(f"/proc/{pid}/fd"))
        except OSError:
            continue
    return rss, counts[0], server_fds


def pipelined(qga: QGAClient, command: str, count: int) -> list[Any]:
    """count requests of one command in a single write; all replies, in order."""
    data = b"".join(json.dumps({"execute": command, "id": i}).encode() for i in range(count))
    replies = qga.execute_raw(data, replies=count, timeout=120)
    assert [r.get("id") for r in replies] == list(range(count))
    return replies


# -- guest-info -------------------------------------------------------------------------------

def test_inventory_commands_listed_and_enabled(qga: QGAClient) -> None:
    info = qga.execute("guest-info")
    listed = {c["name"]: c for c in info["supported_commands"]}
    for name in INVENTORY_COMMANDS:
        assert name in listed, name
        assert listed[name]["enabled"] is True, listed[name]
        assert listed[name]["success-response"] is True, listed[name]
    assert all(listed[name]["enabled"] for name in KUBEVIRT_REQUIRED)


# -- guest-get-osinfo -------------------------------------------------------------------------

OSINFO_MEMBERS = ("kernel-release", "kernel-version", "machine", "id", "name", "pretty-name", "version",
                  "version-id", "variant", "variant-id")
OSINFO_SCHEMA = {key: (str, OPT) for key in OSINFO_MEMBERS}


def test_osinfo_wine_default_is_windows7(qga: QGAClient) -> None:
    info = check_members(qga.execute("guest-get-osinfo"), OSINFO_SCHEMA, "GuestOSInfo")
    # Every member, in schema order; qemu-ga would say "Microsoft Windows 77" and omit version-id.
    assert info == {
        "kernel-release": "7601", "kernel-version": "6.1", "machine": "x86_64", "id": "mswindows",
        "name": "Microsoft Windows", "pretty-name": "Microsoft Windows 7", "version": "Microsoft Windows 7",
        "version-id": "7", "variant": "client", "variant-id": "client",
    }
    assert list(info) == list(OSINFO_SCHEMA)


# Wine's per-application versions: (kernel-version, kernel-release, version, version-id, variant).
WINE_VERSIONS = [
    ("vista", "6.0", "6002", "Microsoft Windows Vista", "vista", "client"),
    ("win2008", "6.0", "6002", "Microsoft Windows Server 2008", "2008", "server"),
    ("win8", "6.2", "9200", "Microsoft Windows 8", "8", "client"),
    ("win81", "6.3", "9600", "Microsoft Windows 8.1", "8.1", "client"),
    ("win10", "10.0", "18362", "Microsoft Windows 10", "10", "client"),
    ("win2003", "5.2", "3790", "Microsoft Windows Server 2003", "2003", "server"),
]


@pytest.mark.parametrize("wine_version,kernel_version,build,version,version_id,variant", WINE_VERSIONS,
                         ids=[v[0] for v in WINE_VERSIONS])
def test_osinfo_follows_rtlgetversion(wine: WineSession, start_agent: Any, wine_version: str,
                                      kernel_version: str, build: str, version: str, version_id: str,
                                      variant: str) -> None:
    set_app_version(wine, wine_version)
    try:
        agent = start_agent()
        info = agent.client.execute("guest-get-osinfo")
    finally:
        set_app_version(wine, None)
    assert info["kernel-version"] == kernel_version
    assert info["kernel-release"] == build
    assert info["version"] == version
    assert info["version-id"] == version_id
    assert info["variant"] == info["variant-id"] == variant
    # The registry's product name, not derived from the version (Wine keeps its win7 value).
    assert info["pretty-name"] == "Microsoft Windows 7"


def set_product_name(wine: WineSession, value: str | None) -> None:
    """Writes (or deletes) ProductName through a UTF-16 .reg file: Wine would read a command-line
    argument in the Unix locale's code page, which is ASCII under `make`'s LC_ALL=C."""
    data = f'"ProductName"="{value}"' if value is not None else '"ProductName"=-'
    key = CURRENT_VERSION_KEY.replace("HKLM", "HKEY_LOCAL_MACHINE")
    text = f"Windows Registry Editor Version 5.00\r\n\r\n[{key}]\r\n{data}\r\n"
    path = wine.scratch / "product-name.reg"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    wine.run(["reg", "import", wine.windows_path(path)]).check()


def test_osinfo_pretty_name_from_registry(wine: WineSession, qga: QGAClient) -> None:
    original = qga.execute("guest-get-osinfo")["pretty-name"]
    try:
        name = "Windows 10 Pro \u00dcn\u00efc\u00f8de \u2603"
        set_product_name(wine, name)
        assert qga.execute("guest-get-osinfo")["pretty-name"] == name
        # Without ProductName, pretty-name falls back to the release name.
        set_product_name(wine, None)
        assert qga.execute("guest-get-osinfo")["pretty-name"] == "Microsoft Windows 7"
    finally:
        set_product_name(wine, original)
    assert qga.execute("guest-get-osinfo")["pretty-name"] == original


# -- guest-get-host-name ----------------------------------------------------------------------

def test_host_name_is_dns_name(qga: QGAClient) -> None:
    reply = check_members(qga.execute("guest-get-host-name"), {"host-name": (str, REQ)}, "GuestHostName")
    # Wine's DNS host name is the host's name up to the first dot; case and length kept (the
    # NetBIOS name qemu-ga reports would be upper-case and cut at 15 characters).
    assert reply["host-name"] == os.uname().nodename.split(".")[0]


# -- guest-get-users --------------------------------------------------------------------------

def test_users_wine_has_no_sessions(qga: QGAClient) -> None:
    # WTSEnumerateSessionsW succeeds with no session under Wine 8: an empty list, not an error.
    assert qga.execute("guest-get-users") == []


# -- guest-get-timezone -----------------------------------------------------------------------

def check_timezone(reply: Any, tz: str, names: dict[str, str] | None) -> None:
    check_members(reply, {"zone": (str, OPT), "offset": (int, REQ)}, "GuestTimezone")
    offsets, states = expected_offset(tz)
    assert reply["offset"] in offsets, (reply, offsets)
    if names is None:
        assert "zone" not in reply
    else:
        assert reply["zone"] in {names[s] for s in states}, (reply, states)


def test_timezone_with_dst(qga: QGAClient) -> None:
    check_timezone(qga.execute("guest-get-timezone"), "America/New_York",
                   {"std": "Eastern Standard Time", "dst": "Eastern Daylight Time"})


@pytest.mark.parametrize("tz,names", [
    ("Asia/Kolkata", {"std": "India Standard Time"}),              # +05:30, no DST
    ("Europe/Berlin", {"std": "Central Europe Standard Time", "dst": "Central Europe Daylight Time"}),
    ("UTC", {"std": "Greenwich Standard Time"}),                   # Wine's name for UTC
])
def test_timezone_offsets(start_agent: Any, tz: str, names: dict[str, str] | None) -> None:
    agent = start_agent(env={"TZ": tz})
    check_timezone(agent.client.execute("guest-get-timezone"), tz, names)


# -- guest-get-vcpus --------------------------------------------------------------------------

def test_vcpus_match_host(qga: QGAClient) -> None:
    vcpus = qga.execute("guest-get-vcpus")
    assert isinstance(vcpus, list)
    for vcpu in vcpus:
        check_members(vcpu, {"logical-id": (int, REQ), "online": (bool, REQ), "can-offline": (bool, OPT)},
                      "GuestLogicalProcessor")
        assert vcpu["online"] is True and vcpu["can-offline"] is False
    assert [v["logical-id"] for v in vcpus] == list(range(os.cpu_count() or 0))


# -- guest-get-load ---------------------------------------------------------------------------

def test_load_without_counter_is_clear_error(qga: QGAClient) -> None:
    # Wine 8's PDH has no "\System\Processor Queue Length" (PdhAddEnglishCounterW returns
    # PDH_CSTATUS_NO_COUNTER): a GenericError naming the counter, every time (the sampler is not
    # left half-started), and the agent keeps serving.
    for _ in range(2):
        with pytest.raises(ExecuteError) as failure:
            qga.execute("guest-get-load")
        assert failure.value.error_class == "GenericError"
        assert failure.value.desc == LOAD_COUNTER_ERROR
    qga.ping()


# -- guest-network-get-interfaces -------------------------------------------------------------

def check_interface(entry: Any) -> None:
    check_members(entry, {"name": (str, REQ), "hardware-address": (str, OPT), "ip-addresses": (list, OPT),
                          "statistics": (dict, OPT)}, "GuestNetworkInterface")
    for address in entry.get("ip-addresses", []):
        check_members(address, {"ip-address": (str, REQ), "ip-address-type": (str, REQ),
                                "prefix": (int, REQ)}, "GuestIpAddress")
        assert address["ip-address-type"] in ("ipv4", "ipv6")
        assert "%" not in address["ip-address"]
    if "statistics" in entry:
        counters = ("rx-bytes", "rx-packets", "rx-errs", "rx-dropped",
                    "tx-bytes", "tx-packets", "tx-errs", "tx-dropped")
        check_members(entry["statistics"], {k: (int, REQ) for k in counters}, "GuestNetworkInterfaceStat")
    if "hardware-address" in entry:
        assert re.fullmatch(r"[0-9a-f]{2}(:[0-9a-f]{2})+", entry["hardware-address"]), entry


def test_network_matches_host(qga: QGAClient) -> None:
    host = host_interfaces()
    interfaces = qga.execute("guest-network-get-interfaces")
    assert isinstance(interfaces, list)
    for entry in interfaces:
        check_interface(entry)
    by_name = {entry["name"]: entry for entry in interfaces}
    # Wine reports the host's interfaces under their Linux names.
    assert set(by_name) == set(host), (sorted(by_name), sorted(host))
    for name, entry in by_name.items():
        mac = host[name].get("address", "")
        if mac and mac != "00:00:00:00:00:00":
            assert entry.get("hardware-address") == mac.lower(), (name, entry, mac)
        want = {(a["local"], "ipv4" if a["family"] == "inet" else "ipv6", a["prefixlen"])
                for a in host[name].get("addr_info", []) if a["family"] in ("inet", "inet6")}
        got = {(a["ip-address"], a["ip-address-type"], a["prefix"]) for a in entry.get("ip-addresses", [])}
        assert got == want, (name, got, want)
        assert "statistics" in entry, entry


def test_network_loopback_and_counters(qga: QGAClient) -> None:
    def loopback() -> dict[str, Any]:
        return next(e for e in qga.execute("guest-network-get-interfaces") if e["name"] == "lo")

    before = loopback()
    assert "hardware-address" not in before     # no hardware address: member omitted
    assert {"ip-address": "127.0.0.1", "ip-address-type": "ipv4", "prefix": 8} in before["ip-addresses"]
    # Traffic on lo between the two calls (this very channel is a pty, so make some).
    subprocess.run(["python3", "-c", "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
                    "[s.sendto(b'x' * 100, ('127.0.0.1', 9)) for _ in range(20)]"], check=True, timeout=30)
    after = loopback()
    for key in ("rx-bytes", "rx-packets", "tx-bytes", "tx-packets"):
        assert after["statistics"][key] >= before["statistics"][key] + (2000 if "bytes" in key else 20), key


# -- guest-get-fsinfo -------------------------------------------------------------------------

def test_fsinfo_wine_volumes(wine: WineSession, qga: QGAClient) -> None:
    volumes = qga.execute("guest-get-fsinfo")
    assert isinstance(volumes, list)
    for volume in volumes:
        check_members(volume, {"name": (str, REQ), "mountpoint": (str, REQ), "type": (str, REQ),
                               "used-bytes": (int, OPT), "total-bytes": (int, OPT),
                               "total-bytes-privileged": (int, OPT), "disk": (list, REQ)},
                      "GuestFilesystemInfo")
        assert "total-bytes-privileged" not in volume
        for disk in volume["disk"]:
            check_disk_address(disk)
    # wine-notes.md section 9: C: and Z:, GUID paths ending in the drive letter's code, NTFS,
    # no disk extents (Wine's IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS returns 0 extents).
    assert [(v["name"], v["mountpoint"], v["type"], v["disk"]) for v in volumes] == [
        ("\\\\?\\Volume{00000000-0000-0000-0000-000000000043}\\", "C:", "NTFS", []),
        ("\\\\?\\Volume{00000000-0000-0000-0000-00000000005a}\\", "Z:", "NTFS", []),
    ]
    # Sizes are the host file systems' (other processes write meanwhile: compare loosely).
    for volume, path in zip(volumes, (wine.prefix / "drive_c", Path("/"))):
        st = os.statvfs(path)
        total = st.f_blocks * st.f_frsize
        used = total - st.f_bavail * st.f_frsize
        assert volume["total-bytes"] == total, (volume, total)
        assert abs(volume["used-bytes"] - used) <= max(total // 20, 1 << 30), (volume, used)


def test_fsinfo_cdrom_without_medium(wine: WineSession, build_dir: Path, qga: QGAClient) -> None:
    """A CD-ROM drive whose device does not exist, added live through Wine's mount manager.  Wine
    calls it ready (CDFS) where Windows would say ERROR_NOT_READY (then it is skipped); its size
    is unknown (GetDiskFreeSpaceExW fails), so used-bytes and total-bytes are omitted."""
    tool = build_dir / "tests" / "wine" / "wine-drive.exe"
    wine.run([tool, "add", "q", "5", "/dev/qga-test-no-such-cdrom"]).check()
    try:
        volumes = qga.execute("guest-get-fsinfo")
    finally:
        wine.run([tool, "remove", "q"]).check()
    cdrom = [v for v in volumes if v["mountpoint"] == "Q:"]
    assert cdrom == [{"name": "\\\\?\\Volume{00000000-0000-0000-0000-000000000051}\\", "mountpoint": "Q:",
                      "type": "CDFS", "disk": []}], volumes
    assert [v["mountpoint"] for v in qga.execute("guest-get-fsinfo")] == ["C:", "Z:"]


# -- guest-get-disks --------------------------------------------------------------------------

def test_disks_wine_has_no_disk_interfaces(qga: QGAClient) -> None:
    # SetupAPI under Wine 8 lists no GUID_DEVINTERFACE_DISK device: an empty list, not an error.
    assert qga.execute("guest-get-disks") == []


# -- guest-get-devices ------------------------------------------------------------------------

def test_devices_wine_has_no_virtio(qga: QGAClient) -> None:
    # Wine's only PCI device is its display adapter (PCI\VEN_0000&DEV_0000): nothing to report.
    assert qga.execute("guest-get-devices") == []


def unix_ns(filetime: int) -> int:
    return (filetime - 116444736000000000) * 100


# What tests/wine/tools/fake-devices.c registers, as guest-get-devices must report it: virtio and
# QEMU devices with a driver; the virtio GPU without driver version and the Intel NIC are left out.
FAKE_DEVICES_REPORTED = [
    {"driver-name": "VirtIO Balloon Driver", "driver-date": unix_ns(133485408000000000),
     "driver-version": "100.94.104.26700", "id": {"type": "pci", "vendor-id": 0x1AF4, "device-id": 0x1002}},
    # qemu-ga's hardware-id regex misses device ids with hex digits C-F, such as this one.
    {"driver-name": "QEMU XHCI Host Controller", "driver-date": 0,
     "driver-version": "10.0.19041.1", "id": {"type": "pci", "vendor-id": 0x1B36, "device-id": 0x000D}},
    # No DEVPKEY_NAME: the device description; no driver date: member omitted.
    {"driver-name": "Red Hat VirtIO Ethernet Adapter",
     "driver-version": "100.95.104.26800", "id": {"type": "pci", "vendor-id": 0x1AF4, "device-id": 0x1041}},
    # The first hardware id is malformed; the second one names the device.
    {"driver-name": "VirtIO Serial Driver", "driver-date": unix_ns(132539328000000000),
     "driver-version": "100.94.104.26700", "id": {"type": "pci", "vendor-id": 0x1AF4, "device-id": 0x1003}},
]


@pytest.fixture
def fake_devices(wine: WineSession, build_dir: Path) -> Iterator[None]:
    tool = build_dir / "tests" / "wine" / "fake-devices.exe"
    if not tool.is_file():
        pytest.fail(f"{tool} is missing: build it with `make`", pytrace=False)
    wine.run([tool, "remove"]).check()
    wine.run([tool, "add"]).check()
    try:
        yield
    finally:
        wine.run([tool, "remove"]).check()


def test_devices_report_virtio_and_qemu_drivers(qga: QGAClient, fake_devices: None) -> None:
    devices = qga.execute("guest-get-devices")
    for device in devices:
        check_members(device, {"driver-name": (str, REQ), "driver-date": (int, OPT),
                               "driver-version": (str, OPT), "id": (dict, OPT)}, "GuestDeviceInfo")
        check_members(device["id"], {"type": (str, REQ), "vendor-id": (int, REQ), "device-id": (int, REQ)},
                      "GuestDeviceId")
    key = lambda d: (d["id"]["vendor-id"], d["id"]["device-id"])  # noqa: E731
    assert sorted(devices, key=key) == sorted(FAKE_DEVICES_REPORTED, key=key)


# -- no allocation outlives a reply -----------------------------------------------------------

POLLED = ["guest-get-osinfo", "guest-get-host-name", "guest-get-users", "guest-get-timezone",
          "guest-get-vcpus", "guest-network-get-interfaces", "guest-get-fsinfo", "guest-get-disks",
          "guest-get-devices", "guest-get-load"]
LEAK_ROUNDS = 400           # requests per command and round
LEAK_RSS_SLACK_KIB = 256    # allocator noise; a 1-byte-per-call leak would not show, 1 KiB would


def test_polling_leaks_nothing(wine: WineSession, agent: AgentProcess, qga: QGAClient,
                               build_dir: Path) -> None:
    def poll_all() -> None:
        for command in POLLED:
            for reply in pipelined(qga, command, LEAK_ROUNDS):
                # guest-get-load fails the same way each time under Wine (no counter).
                assert "return" in reply or reply["error"]["desc"] == LOAD_COUNTER_ERROR, reply

    poll_all()                              # warm-up: caches, lazily loaded DLLs, heap growth
    before = agent_footprint(agent, wine, build_dir)
    for _ in range(3):
        poll_all()
    after = agent_footprint(agent, wine, build_dir)
    assert after[0] - before[0] <= LEAK_RSS_SLACK_KIB, f"resident KiB {before[0]} -> {after[0]}"
    assert after[1] <= before[1], f"agent handles {before[1]} -> {after[1]}"
    assert after[2] <= before[2], f"wineserver fds {before[2]} -> {after[2]}"
