# SPDX-License-Identifier: GPL-2.0-or-later
"""guest-file-open/close/read/write/seek/flush of the real qemu-ga.exe under Wine.

Expected texts and semantics: shared/reference/qga-reference.md section 1 (Windows qemu-ga),
docs/compat.md (where we differ on purpose). The files live in a pytest temporary directory
that the agent reaches through Wine's Z: drive, so the tests check them from Linux as well.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import pytest

from harness.errors import ExecuteError
from harness.qga import QGAClient
from harness.wine import WineSession

READ_MAX = 48 * 1024 * 1024
BIG_TIMEOUT_S = 180.0       # 48 MiB of base64 through a pty out of Wine, on a loaded machine


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def win(wine: WineSession, path: Path) -> str:
    return wine.windows_path(path)


def expect_error(qga: QGAClient, name: str, args: dict[str, Any] | None = None) -> str:
    with pytest.raises(ExecuteError) as info:
        qga.execute(name, args)
    assert info.value.error_class == "GenericError"
    return info.value.desc


def open_file(qga: QGAClient, path: str, mode: str | None = None) -> int:
    args = {"path": path} if mode is None else {"path": path, "mode": mode}
    handle = qga.execute("guest-file-open", args)
    assert isinstance(handle, int) and not isinstance(handle, bool)
    return handle


def read(qga: QGAClient, handle: int, count: int | None = None,
         timeout: float | None = None) -> dict[str, Any]:
    args: dict[str, Any] = {"handle": handle}
    if count is not None:
        args["count"] = count
    reply: dict[str, Any] = qga.execute("guest-file-read", args, timeout=timeout)
    assert set(reply) == {"count", "buf-b64", "eof"}
    assert len(base64.b64decode(reply["buf-b64"], validate=True)) == reply["count"]
    return reply


def write(qga: QGAClient, handle: int, data: bytes, count: int | None = None) -> dict[str, Any]:
    args: dict[str, Any] = {"handle": handle, "buf-b64": b64(data)}
    if count is not None:
        args["count"] = count
    reply: dict[str, Any] = qga.execute("guest-file-write", args)
    return reply


def seek(qga: QGAClient, handle: int, offset: int, whence: int | str) -> dict[str, Any]:
    args = {"handle": handle, "offset": offset, "whence": whence}
    reply: dict[str, Any] = qga.execute("guest-file-seek", args)
    return reply


def close(qga: QGAClient, handle: int) -> None:
    assert qga.execute("guest-file-close", {"handle": handle}) == {}


def test_write_then_read_round_trip(qga: QGAClient, wine: WineSession, tmp_path: Path) -> None:
    data = bytes(range(256)) * 40 + b"\r\n\x00tail"
    handle = open_file(qga, win(wine, tmp_path / "round.bin"), "wb")
    assert write(qga, handle, data) == {"count": len(data), "eof": False}
    assert qga.execute("guest-file-flush", {"handle": handle}) == {}
    close(qga, handle)
    assert (tmp_path / "round.bin").read_bytes() == data   # no text-mode translation

    handle = open_file(qga, win(wine, tmp_path / "round.bin"))   # mode defaults to "r"
    first = read(qga, handle, 1000)
    assert first["count"] == 1000 and first["eof"] is False
    rest = read(qga, handle, 1 << 20)
    # compat: a short read at the end is not eof on Windows; only the next, empty one is
    assert rest["count"] == len(data) - 1000 and rest["eof"] is False
    assert base64.b64decode(first["buf-b64"]) + base64.b64decode(rest["buf-b64"]) == data
    assert read(qga, handle, 10) == {"count": 0, "buf-b64": "", "eof": True}
    close(qga, handle)


def test_default_count_is_4096(qga: QGAClient, wine: WineSession, tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"x" * 10000)
    handle = open_file(qga, win(wine, tmp_path / "big.txt"), "r")
    assert read(qga, handle)["count"] == 4096
    close(qga, handle)


def test_read_48_mib_in_one_call(qga: QGAClient, wine: WineSession, tmp_path: Path) -> None:
    data = os.urandom(READ_MAX)
    (tmp_path / "48m.bin").write_bytes(data)
    handle = open_file(qga, win(wine, tmp_path / "48m.bin"), "rb")
    reply = read(qga, handle, READ_MAX, timeout=BIG_TIMEOUT_S)
    assert reply["count"] == READ_MAX and reply["eof"] is False
    assert base64.b64decode(reply["buf-b64"]) == data
    del reply
    assert read(qga, handle, READ_MAX)["eof"] is True
    close(qga, handle)


def test_read_count_limits(qga: QGAClient, wine: WineSession, tmp_path: Path) -> None:
    (tmp_path / "small.txt").write_bytes(b"abc")
    handle = open_file(qga, win(wine, tmp_path / "small.txt"), "r")
    for count in (READ_MAX + 1, -1, 1 << 40):
        assert expect_error(qga, "guest-file-read", {"handle": handle, "count": count}) == \
            f"value '{count}' is invalid for argument count"
    # compat: a zero-byte read is reported as eof, as Windows qemu-ga does
    assert read(qga, handle, 0) == {"count": 0, "buf-b64": "", "eof": True}
    assert read(qga, handle, 3)["count"] == 3
    close(qga, handle)


def test_unknown_handle(qga: QGAClient) -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        ("guest-file-read", {}), ("guest-file-write", {"buf-b64": ""}),
        ("guest-file-seek", {"offset": 0, "whence": 0}), ("guest-file-flush", {}), ("guest-file-close", {})]
    for name, extra in cases:
        assert expect_error(qga, name, {"handle": 12345, **extra}) == "handle '12345' has not been found"


def test_closed_handle_is_forgotten(qga: QGAClient, wine: WineSession, tmp_path: Path) -> None:
    handle = open_file(qga, win(wine, tmp_path / "gone.txt"), "w")
    close(qga, handle)
    desc = expect_error(qga, "guest-file-close", {"handle": handle})
    assert desc == f"handle '{handle}' has not been found"


def test_handles_are_distinct_and_increasing(qga: QGAClient, wine: WineSession, tmp_path: Path) -> None:
    handles = [open_file(qga, win(wine, tmp_path / f"h{i}.txt"), "w") for i in range(5)]
    assert handles == sorted(set(handles)) and handles[0] >= 1000
    for handle in handles:
        close(qga, handle)


def test_invalid_modes(qga: QGAClient, wine: WineSession, tmp_path: Path) -> None:
    for mode in ("", "x", "rw", "rt", "r++", "q"):
        args = {"path": win(wine, tmp_path / "m.txt"), "mode": mode}
        assert expect_error(qga, "guest-file-open", args) == "invalid file open mode"
    assert not (tmp_path / "m.txt").exists()


def test_open_missing_file_names_path_and_reason(qga: QGAClient, wine: WineSession, tmp_path: Path) -> None:
    path = win(wine, tmp_path / "missing.txt")
    desc = expect_error(qga, "guest-file-open", {"path": path, "mode": "r"})
    assert desc.startswith(f"failed to open file '{path}': ")
    assert "(error 2)" in desc   # ERROR_FILE_NOT_FOUND, with the system text before it
    for mode in ("r+", "rb", "r+b"):
        desc = expect_error(qga, "guest-file-open", {"path": path, "mode": mode})
        assert desc.startswith("failed to open file")


@pytest.mark.parametrize("mode", ["w", "wb", "w+", "wb+", "w+b"])
def test_write_modes_truncate(qga: QGAClient, wine: WineSession, tmp_path: Path, mode: str) -> None:
    target = tmp_path / "trunc.txt"
    target.write_bytes(b"old contents")
    handle = open_file(qga, win(wine, target), mode)
    write(qga, handle, b"new")
    if "+" in mode:
        seek(qga, handle, 0, "set")
        assert base64.b64decode(read(qga, handle, 100)["buf-b64"]) == b"new"
    else:
        with pytest.raises(ExecuteError, match="failed to read file"):
            qga.execute("guest-file-read", {"handle": handle})
    close(qga, handle)
    assert target.read_bytes() == b"new"


@pytest.mark.parametrize("mode", ["a", "ab", "a+", "ab+", "a+b"])
def test_append_modes_write_at_end(qga: QGAClient, wine: WineSession, tmp_path: Path, mode: str) -> None:
    """Whatever the file position, a write lands at the end (FILE_APPEND_DATA without FILE_WRITE_DATA)."""
    target = tmp_path / "append.txt"
    target.write_bytes(b"0123456789")
    handle = open_file(qga, win(wine, target), mode)
    seek(qga, handle, 2, "set")
    write(qga, handle, b"AB")
    if "+" in mode:
        seek(qga, handle, 0, 0)
        assert base64.b64decode(read(qga, handle, 100)["buf-b64"]) == b"0123456789AB"
    close(qga, handle)
    assert target.read_bytes() == b"0123456789AB"
    # and "a" creates a missing file
    handle = open_file(qga, win(wine, tmp_path / "new-append.txt"), mode)
    close(qga, handle)
    assert (tmp_path / "new-append.txt").exists()


@pytest.mark.parametrize("mode", ["r+", "rb+", "r+b"])
def test_read_write_mode_keeps_contents(qga: QGAClient, wine: WineSession, tmp_path: Path, mode: str) -> None:
    target = tmp_path / "rw.txt"
    target.write_bytes(b"abcdef")
    handle = open_file(qga, win(wine, target), mode)
    assert seek(qga, handle, 2, "set") == {"position": 2, "eof": False}
    write(qga, handle, b"XY")
    seek(qga, handle, 0, "set")
    assert base64.b64decode(read(qga, handle, 10)["buf-b64"]) == b"abXYef"
    close(qga, handle)


@pytest.mark.parametrize("mode", ["wx", "wbx", "w+x", "wb+x", "w+bx"])
def test_exclusive_create(qga: QGAClient, wine: WineSession, tmp_path: Path, mode: str) -> None:
    target = tmp_path / "excl.txt"
    handle = open_file(qga, win(wine, target), mode)
    close(qga, handle)
    desc = expect_error(qga, "guest-file-open", {"path": win(wine, target), "mode": mode})
    assert desc.startswith("failed to open file") and "(error 80)" in desc   # ERROR_FILE_EXISTS


def test_seek_whence_forms(qga: QGAClient, wine: WineSession, tmp_path: Path) -> None:
    target = tmp_path / "seek.txt"
    target.write_bytes(b"0123456789")
    handle = open_file(qga, win(wine, target), "r")
    assert seek(qga, handle, 3, 0) == {"position": 3, "eof": False}
    assert seek(qga, handle, 2, 1) == {"position": 5, "eof": False}
    assert seek(qga, handle, -1, 2) == {"position": 9, "eof": False}
    assert seek(qga, handle, 1, "set")["position"] == 1
    assert seek(qga, handle, 1, "cur")["position"] == 2
    assert seek(qga, handle, 0, "end")["position"] == 10
    assert base64.b64decode(read(qga, handle, 5)["buf-b64"]) == b""
    for code in (3, -1, 100):
        assert expect_error(qga, "guest-file-seek", {"handle": handle, "offset": 0, "whence": code}) == \
            f"invalid whence code {code}"
    desc = expect_error(qga, "guest-file-seek", {"handle": handle, "offset": 0, "whence": "middle"})
    assert "whence" in desc
    assert expect_error(qga, "guest-file-seek", {"handle": handle, "offset": -100, "whence": "set"}) \
        .startswith("failed to seek file")
    close(qga, handle)


def test_write_count_and_base64_errors(qga: QGAClient, wine: WineSession, tmp_path: Path) -> None:
    target = tmp_path / "count.txt"
    handle = open_file(qga, win(wine, target), "w")
    assert write(qga, handle, b"hello world", count=5) == {"count": 5, "eof": False}
    assert expect_error(qga, "guest-file-write", {"handle": handle, "buf-b64": b64(b"abc"), "count": 4}) == \
        "value '4' is invalid for argument count"
    assert expect_error(qga, "guest-file-write", {"handle": handle, "buf-b64": b64(b"abc"), "count": -1}) == \
        "value '-1' is invalid for argument count"
    assert expect_error(qga, "guest-file-write", {"handle": handle, "buf-b64": "not base64!"}) == \
        "Base64 data contains invalid characters"
    assert write(qga, handle, b"") == {"count": 0, "eof": False}
    close(qga, handle)
    assert target.read_bytes() == b"hello"


def test_write_to_read_only_handle_fails(qga: QGAClient, wine: WineSession, tmp_path: Path) -> None:
    target = tmp_path / "ro.txt"
    target.write_bytes(b"keep")
    handle = open_file(qga, win(wine, target), "r")
    assert expect_error(qga, "guest-file-write", {"handle": handle, "buf-b64": b64(b"x")}) \
        .startswith("failed to write to file: ")
    close(qga, handle)
    assert target.read_bytes() == b"keep"


def test_utf8_path(qga: QGAClient, wine: WineSession, tmp_path: Path) -> None:
    name = "r\u00e9sum\u00e9 \u20ac \u65e5\u672c \U0001f600.txt"
    handle = open_file(qga, win(wine, tmp_path) + "\\" + name, "w")
    write(qga, handle, b"unicode")
    close(qga, handle)
    assert (tmp_path / name).read_bytes() == b"unicode"   # Wine stores UTF-16 names as UTF-8


def test_open_shares_with_a_writer(qga: QGAClient, wine: WineSession, tmp_path: Path) -> None:
    """A log file another handle still writes can be read (qemu-ga shares read access only)."""
    target = win(wine, tmp_path / "log.txt")
    writer = open_file(qga, target, "w")
    write(qga, writer, b"line 1\n")
    reader = open_file(qga, target, "r")
    assert base64.b64decode(read(qga, reader, 100)["buf-b64"]) == b"line 1\n"
    close(qga, reader)
    close(qga, writer)
