# SPDX-License-Identifier: GPL-2.0-or-later
"""The pure parts of images/linux-wine/build.py: module order, the cpio writer, kernel extraction."""

from __future__ import annotations

import importlib.util
import lzma
import sys
from pathlib import Path
from types import ModuleType

import pytest

BUILD_PY = Path(__file__).resolve().parents[2] / "images" / "linux-wine" / "build.py"


def load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("linux_wine_build", BUILD_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build = load_build()


def test_module_order_puts_dependencies_first() -> None:
    deps: dict[str, list[str]] = {
        "9p": ["9pnet", "netfs", "fscache"], "9pnet": [], "netfs": [], "fscache": ["netfs"],
        "9pnet_virtio": ["9pnet", "virtio_ring", "virtio"], "virtio": [], "virtio_ring": []}
    order = build.module_order(["9pnet_virtio", "9p"], deps, ["virtio", "virtio_ring"])
    assert sorted(order) == ["9p", "9pnet", "9pnet_virtio", "fscache", "netfs"]
    for mod in order:
        for dep in deps[mod]:
            assert dep in ("virtio", "virtio_ring") or order.index(dep) < order.index(mod)


def test_module_order_errors() -> None:
    with pytest.raises(build.BuildError, match="not in the kernel package"):
        build.module_order(["x"], {}, [])
    with pytest.raises(build.BuildError, match="cycle"):
        build.module_order(["a"], {"a": ["b"], "b": ["a"]}, [])


def parse_newc(data: bytes) -> list[tuple[str, int, int, int, bytes]]:
    """(name, mode, rdevmajor, rdevminor, data) of each entry, read independently of build.py."""
    out: list[tuple[str, int, int, int, bytes]] = []
    pos = 0
    while True:
        assert data[pos:pos + 6] == b"070701", f"bad magic at {pos}"
        fields = [int(data[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
        mode, size, rmaj, rmin, namesize = fields[1], fields[6], fields[9], fields[10], fields[11]
        name = data[pos + 110:pos + 110 + namesize - 1].decode()
        pos += 110 + namesize
        pos += -pos % 4
        body = data[pos:pos + size]
        pos += size + (-size % 4)
        if name == "TRAILER!!!":
            assert pos == len(data)
            return out
        out.append((name, mode, rmaj, rmin, body))


def test_cpio_is_newc() -> None:
    cpio = build.Cpio()
    cpio.dir("bin")
    cpio.file("bin/hello", b"#!/bin/sh\necho hi\n", 0o755)
    cpio.file("odd", b"x" * 5)
    cpio.chardev("console", 5, 1)
    data = cpio.finish()
    assert len(data) % 4 == 0
    entries = {e[0]: e for e in parse_newc(data)}
    assert entries["bin"][1] == 0o040755
    assert entries["bin/hello"][1:] == (0o100755, 0, 0, b"#!/bin/sh\necho hi\n")
    assert entries["odd"][4] == b"xxxxx"
    assert entries["console"][1:4] == (0o020600, 5, 1)
    assert build.Cpio().finish() == build.Cpio().finish()        # deterministic


def test_vmlinux_from_bzimage_skips_false_magic() -> None:
    elf = b"\x7fELF" + bytes(range(256)) * 10
    blob = b"setup" + build.XZ_MAGIC + b"garbage" + lzma.compress(elf, format=lzma.FORMAT_XZ) + b"tail"
    assert build.vmlinux_from_bzimage(blob) == elf
    with pytest.raises(build.BuildError):
        build.vmlinux_from_bzimage(b"no kernel here")
