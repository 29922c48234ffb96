# SPDX-License-Identifier: GPL-2.0-or-later
"""guest-get/set-time, guest-shutdown, guest-suspend-*, guest-set-user-password,
guest-ssh-*-authorized-keys and guest-fstrim of the real qemu-ga.exe under Wine.

What Wine 8 can and cannot do here (measured; each test says which side it is on):
- SetSystemTime succeeds only within half a second of the current time, otherwise
  ERROR_PRIVILEGE_NOT_HELD: a real clock change cannot be tested, the error path can.
- There is no w32tm.exe and no defrag.exe: time resync and retrim report that they could not run.
- Power capabilities: S3 absent, S4 present, and SetSuspendState is a stub that returns TRUE.
  ExitWindowsEx ends the whole Wine session (every process of the prefix).
- NetUserSetInfo is an unimplemented stub (calling it would kill the agent), NetUserGetInfo knows
  only the current user and calls it a guest (not an administrator): the administrators' key file
  cannot be reached, the per-user file can. Wine stores no security descriptor for these files
  (no user.wine.sd attribute appears), so the key file's ACL (SYSTEM, Administrators, the user)
  is built and applied but cannot be read back here.
- guest-fstrim: see test_fstrim.py.
"""

from __future__ import annotations

import base64
import getpass
import shutil
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from harness.errors import ExecuteError
from harness.qga import QGAClient
from harness.wine import AgentProcess, WineSession

AGENT_ARGS = ["-v"]         # debug logging on: the password test checks the log stays clean
NS = 1_000_000_000
PROFILE_LIST = r"HKLM\Software\Microsoft\Windows NT\CurrentVersion\ProfileList"
KEY_A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1Y2t5IGtleSBmb3IgdGVzdHMgb25seQ test-a"
KEY_B = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDkZXZlbG9wbWVudCBrZXk test-b"
KEY_C = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY test-c"


def error_of(qga: QGAClient, name: str, args: dict[str, Any] | None = None) -> str:
    with pytest.raises(ExecuteError) as info:
        qga.execute(name, args)
    assert info.value.error_class == "GenericError"
    return info.value.desc


# -- time -----------------------------------------------------------------------------------

def test_get_time_is_the_clock(qga: QGAClient) -> None:
    before = time.time_ns()
    value = qga.execute("guest-get-time")
    after = time.time_ns()
    assert isinstance(value, int)
    # Wine reads the host clock; allow for clock granularity, not for latency
    assert before - NS // 100 <= value <= after + NS // 100


def test_set_time_validates(qga: QGAClient) -> None:
    for value in (-1, -(1 << 63)):
        assert error_of(qga, "guest-set-time", {"time": value}) == f"Time {value} is invalid"


def test_set_time_to_now_succeeds(qga: QGAClient) -> None:
    """Wine accepts a 'change' of under half a second; the privilege and conversion path runs."""
    assert qga.execute("guest-set-time", {"time": time.time_ns()}) == {}


def test_set_time_refused_by_wine_is_reported(qga: QGAClient) -> None:
    """Wine refuses a real change (ERROR_PRIVILEGE_NOT_HELD, 1314); on Windows this sets the clock."""
    desc = error_of(qga, "guest-set-time", {"time": time.time_ns() + 3600 * NS})
    assert desc.startswith("Failed to set time to guest: ") and "(error 1314)" in desc


def test_set_time_without_time_reports_w32tm_failure(qga: QGAClient) -> None:
    """Wine has no w32tm.exe: the resync reports that it could not run it (ERROR_FILE_NOT_FOUND)."""
    desc = error_of(qga, "guest-set-time")
    assert desc.startswith("failed to run w32tm: ") and "(error 2)" in desc


@pytest.mark.parametrize("code,desc", [
    (None, None),
    ("0x80070426", "Windows Time service not running on the guest"),     # ERROR_SERVICE_NOT_ACTIVE
    ("0x800705b4", "w32tm failed with error (0x800705b4): "),             # ERROR_TIMEOUT, + system text
])
def test_set_time_without_time_reports_w32tm_result(wine: WineSession, build_dir: Path, start_agent: Any,
                                                    code: str | None, desc: str | None) -> None:
    """A stand-in w32tm.exe in system32 (Wine has none) exits with the HRESULT the test picks."""
    w32tm = wine.prefix / "drive_c" / "windows" / "system32" / "w32tm.exe"
    shutil.copyfile(build_dir / "tests" / "qga-test-child.exe", w32tm)
    try:
        agent: AgentProcess = start_agent(env={"QGA_TEST_W32TM_EXIT": code} if code else None)
        if desc is None:
            assert agent.client.execute("guest-set-time") == {}
        else:
            got = error_of(agent.client, "guest-set-time")
            if desc.endswith(": "):         # then Windows' text for the HRESULT
                assert got.startswith(desc) and len(got) > len(desc), got
            else:
                assert got == desc
    finally:
        w32tm.unlink()


# -- power ----------------------------------------------------------------------------------

def test_shutdown_bad_mode(qga: QGAClient) -> None:
    for mode in ("", "sleep", "Reboot"):
        assert error_of(qga, "guest-shutdown", {"mode": mode}) == \
            "Parameter 'mode' expects 'halt', 'powerdown', or 'reboot'"


def test_suspend_ram_not_supported(qga: QGAClient) -> None:
    assert error_of(qga, "guest-suspend-ram") == "suspend-to-ram not supported by OS"


def test_suspend_disk_sends_no_reply(qga: QGAClient, agent: AgentProcess) -> None:
    """Wine offers S4 and stubs SetSuspendState: the agent must answer nothing, then keep serving."""
    qga.execute_no_reply("guest-suspend-disk")   # a guest-sync reply arriving first proves silence
    qga.ping()
    assert agent.returncode is None


def test_shutdown_sends_no_reply(agent_exe: Path) -> None:
    """guest-shutdown ends the Wine session (as Windows ends the machine): no reply, ever.

    It runs in a session of its own so the other tests keep theirs.
    """
    with WineSession() as session:
        with AgentProcess(session, agent_exe) as process:
            client = process.client
            client.execute_no_reply("guest-shutdown", {"mode": "powerdown"}, confirm=False)
            status = process.wait(timeout=60.0)
            assert status is not None
            leftover = client.drain()
            assert leftover == [], f"guest-shutdown replied: {leftover!r}"


# -- passwords ------------------------------------------------------------------------------

def test_crypted_password_refused(qga: QGAClient) -> None:
    assert error_of(qga, "guest-set-user-password",
                    {"username": "root", "password": base64.b64encode(b"x").decode(), "crypted": True}) == \
        "'crypted' must be off on this host"


def test_password_bad_base64(qga: QGAClient) -> None:
    assert error_of(qga, "guest-set-user-password",
                    {"username": "root", "password": "*not base64*", "crypted": False}) == \
        "Base64 data contains invalid characters"


def test_password_never_logged(qga: QGAClient, agent: AgentProcess) -> None:
    secret = "S3cret-p@ssw0rd-\u00e9"
    encoded = base64.b64encode(secret.encode()).decode()
    desc = error_of(qga, "guest-set-user-password",
                    {"username": getpass.getuser(), "password": encoded, "crypted": False})
    # Wine: NetUserSetInfo is an unimplemented stub; the agent says so instead of dying
    assert desc == "failed to set password: Wine does not implement NetUserSetInfo"
    qga.ping()
    log = agent.log_text()
    assert "guest-set-user-password" in log       # the call itself is logged (-v is on) ...
    assert secret not in log and encoded not in log   # ... the password never is


# -- ssh keys ---------------------------------------------------------------------------------

@pytest.fixture
def profile(wine: WineSession, tmp_path: Path) -> Iterator[Path]:
    """The current user's profile moved to a temporary directory through ProfileList, the registry
    record Windows (and the agent) use to find it; restored afterwards."""
    user = getpass.getuser()
    listing = wine.run(["reg", "query", PROFILE_LIST, "/s"]).check().out
    sid = None
    for line in listing.splitlines():
        if line.startswith("HKEY_") and "\\S-1-5-" in line:
            sid = line.rsplit("\\", 1)[1].strip()
        elif sid and "ProfileImagePath" in line and line.rstrip().lower().endswith("\\" + user.lower()):
            break
    else:
        pytest.fail(f"no ProfileList entry for {user}:\n{listing}")
    key = f"{PROFILE_LIST}\\{sid}"
    original = next(line.split("REG_SZ", 1)[1].strip() for line in
                    wine.run(["reg", "query", key, "/v", "ProfileImagePath"]).check().out.splitlines()
                    if "REG_SZ" in line)
    home = tmp_path / "profile"
    home.mkdir()
    wine.run(["reg", "add", key, "/v", "ProfileImagePath", "/t", "REG_SZ", "/d", wine.windows_path(home),
              "/f"]).check()
    try:
        yield home
    finally:
        wine.run(["reg", "add", key, "/v", "ProfileImagePath", "/t", "REG_SZ", "/d", original, "/f"]).check()


def get_keys(qga: QGAClient, user: str) -> list[str]:
    reply = qga.execute("guest-ssh-get-authorized-keys", {"username": user})
    assert set(reply) == {"keys"}
    return list(reply["keys"])


def test_ssh_keys_add_get_remove(qga: QGAClient, profile: Path) -> None:
    user = getpass.getuser()
    key_file = profile / ".ssh" / "authorized_keys"
    assert get_keys(qga, user) == []                      # no file yet: no keys
    assert qga.execute("guest-ssh-add-authorized-keys", {"username": user, "keys": [KEY_A, KEY_B]}) == {}
    assert key_file.read_text() == f"{KEY_A}\n{KEY_B}\n"
    assert get_keys(qga, user) == [KEY_A, KEY_B]          # file order

    # de-duplication, also against surrounding blanks
    qga.execute("guest-ssh-add-authorized-keys", {"username": user, "keys": [KEY_B, f"  {KEY_A} ", KEY_C]})
    assert get_keys(qga, user) == [KEY_A, KEY_B, KEY_C]

    qga.execute("guest-ssh-remove-authorized-keys", {"username": user, "keys": [KEY_B, "ssh-rsa not-there"]})
    assert get_keys(qga, user) == [KEY_A, KEY_C]

    qga.execute("guest-ssh-add-authorized-keys", {"username": user, "keys": [KEY_B], "reset": True})
    assert key_file.read_text() == f"{KEY_B}\n"


def test_ssh_keys_keep_comments_and_foreign_lines(qga: QGAClient, profile: Path) -> None:
    user = getpass.getuser()
    (profile / ".ssh").mkdir()
    (profile / ".ssh" / "authorized_keys").write_bytes(f"# managed by hand\r\n\r\n{KEY_A}\r\n".encode())
    assert get_keys(qga, user) == [KEY_A]
    qga.execute("guest-ssh-add-authorized-keys", {"username": user, "keys": [KEY_B]})
    assert (profile / ".ssh" / "authorized_keys").read_text() == f"# managed by hand\n\n{KEY_A}\n{KEY_B}\n"
    qga.execute("guest-ssh-remove-authorized-keys", {"username": user, "keys": [KEY_A]})
    assert get_keys(qga, user) == [KEY_B]
    assert (profile / ".ssh" / "authorized_keys").read_text().startswith("# managed by hand\n")


def test_ssh_remove_without_file_is_a_no_op(qga: QGAClient, profile: Path) -> None:
    request = {"username": getpass.getuser(), "keys": [KEY_A]}
    assert qga.execute("guest-ssh-remove-authorized-keys", request) == {}
    assert not (profile / ".ssh").exists()


def test_ssh_invalid_keys(qga: QGAClient, profile: Path) -> None:
    user = getpass.getuser()
    for key in ("", "# comment", "ssh-rsa AAA\nssh-rsa BBB", "ssh-rsa AAA\r"):
        for name in ("guest-ssh-add-authorized-keys", "guest-ssh-remove-authorized-keys"):
            assert error_of(qga, name, {"username": user, "keys": [KEY_A, key]}) == \
                f"invalid OpenSSH public key: '{key}'"
    assert not (profile / ".ssh").exists()                # nothing written after a bad key


def test_ssh_unknown_user(qga: QGAClient) -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        ("guest-ssh-get-authorized-keys", {}), ("guest-ssh-add-authorized-keys", {"keys": [KEY_A]}),
        ("guest-ssh-remove-authorized-keys", {"keys": [KEY_A]})]
    for name, extra in cases:
        for user in ("no-such-user", "..\\..\\Windows"):
            assert error_of(qga, name, {"username": user, **extra}) == f"User {user} was not found"


def test_ssh_refuses_to_write_through_a_link(qga: QGAClient, profile: Path, tmp_path: Path) -> None:
    """A user-made link at .ssh must not send the agent (SYSTEM on Windows) to write elsewhere.
    Wine shows a Unix symbolic link as a reparse point, as Windows shows a junction."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (profile / ".ssh").symlink_to(elsewhere, target_is_directory=True)
    desc = error_of(qga, "guest-ssh-add-authorized-keys", {"username": getpass.getuser(), "keys": [KEY_A]})
    assert desc.startswith("refusing to write through the link '") and desc.endswith(".ssh'")
    assert list(elsewhere.iterdir()) == []
