#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Builds the linux-wine test guest without root: a kernel and initramfs made from Debian packages
fetched with `apt-get download`, and a Wine prefix prepared on the host (reference/vm-notes.md).

Outputs (cached in --out; a rebuild with nothing changed takes well under a second):
  vmlinux        the Debian kernel, decompressed to its ELF form so QEMU boots it through PVH
  initrd.gz      busybox, the virtio/9p/overlay modules, /init and /guest/agent.sh
  prefix/        a Wine prefix; the agent payload is installed in prefix/drive_c/qga/
  manifest.json  what harness/vm.py reads: paths, kernel version, the agent's Windows path
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import io
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Iterator

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
from harness.fake_vss import FAKE_FILES, PROVIDER_CLSID  # noqa: E402  (one source for the fake's names)
DEFAULT_OUT = ROOT / "build" / "images" / "linux-wine"
RECIPE_VERSION = "1"        # bump when the layout of the outputs changes

KERNEL_META_PACKAGE = "linux-image-amd64"
BUSYBOX_PACKAGE = "busybox-static"
# Modules loaded in every mode, then those the 9p/overlay modes add (init loads them in the
# order build writes to base.order and share.order, dependencies first).
BASE_MODULES = ["virtio_pci", "virtio_console", "virtio_blk", "evdev", "button"]
SHARE_MODULES = ["9pnet_virtio", "9p", "overlay"]
AGENT_DIR = "qga"           # prefix/drive_c/qga = C:\qga in the guest
AGENT_EXE = "qemu-ga.exe"
VSS_DLL = "qga-vss.dll"

XZ_MAGIC = b"\xfd7zXZ\x00"
ELF_MAGIC = b"\x7fELF"
DEPENDS_RE = re.compile(rb"depends=([^\0]*)\0")
APT_TIMEOUT_S = 600
WINE_TIMEOUT_S = 180


def say(msg: str) -> None:
    print(f"linux-wine: {msg}", file=sys.stderr, flush=True)


class BuildError(Exception):
    pass


def run(cmd: list[str], timeout: float, cwd: Path | None = None, env: dict[str, str] | None = None,
        capture: bool = True) -> str:
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, timeout=timeout, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                              stderr=subprocess.PIPE if capture else subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"{cmd[0]}: {exc}") from exc
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip() if capture else ""
        raise BuildError(f"{' '.join(cmd)} exited {proc.returncode}: {err}")
    return proc.stdout.decode(errors="replace") if capture else ""


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# Packages.

def kernel_package() -> str:
    """The kernel package linux-image-amd64 depends on (e.g. linux-image-6.1.0-56-amd64)."""
    forced = os.environ.get("QGA_GUEST_KERNEL_PACKAGE")
    if forced:
        return forced
    out = run(["apt-cache", "depends", KERNEL_META_PACKAGE], timeout=60)
    for line in out.splitlines():
        m = re.match(r"\s*Depends:\s*(linux-image-\S+)", line)
        if m:
            return m.group(1)
    raise BuildError(f"apt-cache knows no {KERNEL_META_PACKAGE}: run `apt-get update` first")


def fetch(package: str, debs: Path) -> Path:
    """The package's .deb in `debs`, downloaded with apt-get download unless already there."""
    debs.mkdir(parents=True, exist_ok=True)
    found = sorted(debs.glob(f"{package}_*.deb"))
    if not found:
        say(f"apt-get download {package}")
        try:
            run(["apt-get", "download", package], timeout=APT_TIMEOUT_S, cwd=debs)
        except BuildError as exc:
            if os.geteuid() != 0:
                raise BuildError(f"{exc}\n(stale or missing package lists? run apt-get update)") from exc
            # Stale lists name a version the mirror no longer has: refresh them once (root only).
            say(f"apt-get download failed ({exc}); apt-get update and retry")
            run(["apt-get", "update", "-qq"], timeout=APT_TIMEOUT_S)
            run(["apt-get", "download", package], timeout=APT_TIMEOUT_S, cwd=debs)
        found = sorted(debs.glob(f"{package}_*.deb"))
        if not found:
            raise BuildError(f"apt-get download {package} produced no .deb in {debs}")
    return found[-1]


def deb_members(deb: Path) -> tarfile.TarFile:
    """The data tarball of a .deb, streamed (dpkg-deb --fsys-tarfile; no root needed)."""
    data = run_bytes(["dpkg-deb", "--fsys-tarfile", str(deb)])
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:")


def run_bytes(cmd: list[str]) -> bytes:
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=APT_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"{cmd[0]}: {exc}") from exc
    if proc.returncode != 0:
        raise BuildError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


# ---------------------------------------------------------------------------------------------
# Kernel and modules.

def vmlinux_from_bzimage(bzimage: bytes) -> bytes:
    """The ELF kernel inside a bzImage (xz payload): QEMU boots it via PVH, ~3 s faster under TCG."""
    start = 0
    while True:
        i = bzimage.find(XZ_MAGIC, start)
        if i < 0:
            raise BuildError("no xz-compressed ELF kernel found in the bzImage")
        try:
            elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(bzimage[i:])
        except lzma.LZMAError:
            elf = b""
        if elf.startswith(ELF_MAGIC):
            return elf
        start = i + 1


def module_order(roots: list[str], depends: dict[str, list[str]], done: list[str]) -> list[str]:
    """roots and their dependencies, dependencies first, leaving out those already in `done`."""
    order: list[str] = []

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in done or name in order:
            return
        if name in stack:
            raise BuildError(f"module dependency cycle: {' -> '.join(stack + (name,))}")
        if name not in depends:
            raise BuildError(f"module {name}.ko is not in the kernel package (built in, or renamed?)")
        for dep in depends[name]:
            visit(dep, stack + (name,))
        order.append(name)

    for root in roots:
        visit(root, ())
    return order


def build_kernel(deb: Path, out: Path) -> dict[str, object]:
    """vmlinux, modules/*.ko and the two load-order lists, extracted from the kernel .deb."""
    kdir = out / "kernel"
    stamp = kdir / "stamp"
    key = digest(RECIPE_VERSION, deb.name, *BASE_MODULES, "|", *SHARE_MODULES)
    if stamp.exists() and stamp.read_text() == key:
        info: dict[str, object] = json.loads((kdir / "info.json").read_text())
        return info
    say(f"extracting kernel and modules from {deb.name}")
    if kdir.exists():
        shutil.rmtree(kdir)
    (kdir / "modules").mkdir(parents=True)
    depends: dict[str, list[str]] = {}
    paths: dict[str, str] = {}
    bzimage = b""
    version = ""
    with deb_members(deb) as tar:
        for member in tar:
            name = member.name
            if member.isfile() and re.match(r"\./boot/vmlinuz-", name):
                f = tar.extractfile(member)
                assert f is not None
                bzimage = f.read()
                version = name.split("vmlinuz-", 1)[1]
            elif member.isfile() and name.endswith(".ko"):
                f = tar.extractfile(member)
                assert f is not None
                m = DEPENDS_RE.search(f.read())
                mod = Path(name).stem
                depends[mod] = [d.replace("-", "_") for d in m.group(1).decode().split(",") if d] if m else []
                paths[mod] = name
        if not bzimage:
            raise BuildError(f"{deb.name} has no /boot/vmlinuz-*")
        base = module_order(BASE_MODULES, depends, [])
        share = module_order(SHARE_MODULES, depends, base)
        wanted = {paths[m]: m for m in base + share}
        for member in tar:
            if member.name in wanted:
                f = tar.extractfile(member)
                assert f is not None
                (kdir / "modules" / f"{wanted[member.name]}.ko").write_bytes(f.read())
    (kdir / "vmlinux").write_bytes(vmlinux_from_bzimage(bzimage))
    (kdir / "modules" / "base.order").write_text(" ".join(base) + "\n")
    (kdir / "modules" / "share.order").write_text(" ".join(share) + "\n")
    info = {"version": version, "base": base, "share": share}
    (kdir / "info.json").write_text(json.dumps(info, indent=1) + "\n")
    stamp.write_text(key)
    return info


# ---------------------------------------------------------------------------------------------
# initramfs: a newc cpio written here, so no root is needed for dev/console.

class Cpio:
    """A deterministic newc archive: every entry owned by root, mtime 0, inode numbers in order."""

    def __init__(self) -> None:
        self.buf = io.BytesIO()
        self.ino = 1

    def _entry(self, name: str, mode: int, data: bytes = b"", rdev: tuple[int, int] = (0, 0)) -> None:
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
        self.ino += 1
        self.buf.write(b"070701" + b"".join(b"%08X" % f for f in fields))
        self.buf.write(name.encode() + b"\0")
        self.buf.write(b"\0" * (-self.buf.tell() % 4))
        self.buf.write(data)
        self.buf.write(b"\0" * (-self.buf.tell() % 4))

    def dir(self, name: str) -> None:
        self._entry(name, 0o040755)

    def file(self, name: str, data: bytes, mode: int = 0o644) -> None:
        self._entry(name, 0o100000 | mode, data)

    def chardev(self, name: str, major: int, minor: int) -> None:
        self._entry(name, 0o020600, rdev=(major, minor))

    def finish(self) -> bytes:
        self._entry("TRAILER!!!", 0)
        return self.buf.getvalue()


def busybox_binary(deb: Path, out: Path) -> Path:
    target = out / "busybox"
    stamp = out / "busybox.stamp"
    if target.exists() and stamp.exists() and stamp.read_text() == deb.name:
        return target
    with deb_members(deb) as tar:
        for member in tar:
            if member.name == "./bin/busybox":
                f = tar.extractfile(member)
                assert f is not None
                target.write_bytes(f.read())
                stamp.write_text(deb.name)
                return target
    raise BuildError(f"{deb.name} has no /bin/busybox")


def build_initrd(busybox: Path, kernel_dir: Path, out: Path) -> Path:
    modules = sorted((kernel_dir / "modules").iterdir())
    inputs = [HERE / "init", HERE / "agent.sh", busybox] + modules
    key = digest(RECIPE_VERSION, *(p.name for p in inputs), *(p.read_bytes() for p in inputs))
    initrd = out / "initrd.gz"
    stamp = out / "initrd.stamp"
    if initrd.exists() and stamp.exists() and stamp.read_text() == key:
        return initrd
    say("writing initrd.gz")
    cpio = Cpio()
    for d in ["bin", "dev", "proc", "sys", "tmp", "newroot", "guest", "lib", "lib/modules"]:
        cpio.dir(d)
    cpio.chardev("dev/console", 5, 1)
    cpio.file("bin/busybox", busybox.read_bytes(), 0o755)
    cpio.file("init", (HERE / "init").read_bytes(), 0o755)
    cpio.file("guest/agent.sh", (HERE / "agent.sh").read_bytes(), 0o755)
    for mod in modules:
        cpio.file(f"lib/modules/{mod.name}", mod.read_bytes())
    data = gzip.compress(cpio.finish(), compresslevel=6, mtime=0)
    write_if_changed(initrd, data)
    stamp.write_text(key)
    return initrd


# ---------------------------------------------------------------------------------------------
# Wine prefix.

def wine_env(prefix: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(WINEPREFIX=str(prefix), WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=")
    return env


@contextlib.contextmanager
def wine_server(prefix: Path) -> Iterator[dict[str, str]]:
    """A persistent wineserver for the prefix while the block runs (each Wine command then starts
    in milliseconds; wine-notes.md section 1); stopped with -k, which saves the registry."""
    env = wine_env(prefix)
    server = subprocess.Popen(["wineserver", "-f", "-p"], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield env
    finally:
        subprocess.run(["wineserver", "-k"], env=env, timeout=60, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def build_prefix(prefix: Path) -> None:
    """A fresh prefix (wineboot -i, ~3 s with a persistent server started first, ~700 MB)."""
    wine_version = run(["wine", "--version"], timeout=60).strip()
    stamp = prefix / ".qga-stamp"
    key = digest(RECIPE_VERSION, wine_version)
    if stamp.exists() and stamp.read_text() == key and (prefix / "system.reg").exists():
        return
    say(f"creating the Wine prefix ({wine_version}) in {prefix}")
    if prefix.exists():
        shutil.rmtree(prefix)
    prefix.mkdir(parents=True)
    start = time.monotonic()
    with wine_server(prefix) as env:
        run(["wine", "wineboot", "-i"], timeout=WINE_TIMEOUT_S, env=env, capture=False)
    if not (prefix / "system.reg").exists():
        raise BuildError(f"wineboot -i left no system.reg in {prefix}")
    stamp.write_text(key)
    say(f"prefix ready in {time.monotonic() - start:.1f} s")


def install_payload(prefix: Path, payload: list[Path]) -> list[str]:
    """Copies the payload into C:\\qga (only files that changed) and removes stale ones."""
    dest = prefix / "drive_c" / AGENT_DIR
    dest.mkdir(parents=True, exist_ok=True)
    names = []
    for src in payload:
        if not src.is_file():
            raise BuildError(f"payload file {src} does not exist (run make first)")
        if write_if_changed(dest / src.name, src.read_bytes()):
            say(f"installed {src.name} in C:\\{AGENT_DIR}")
        names.append(src.name)
    for old in dest.iterdir():
        if old.name not in names:
            old.unlink()
    return sorted(names)


def install_fake_vss(prefix: Path, fake_dir: Path, provider: bool) -> bool:
    """The fake VSS coordinator as harness/fake_vss.py installs it in a test prefix: its files in
    system32, vssapi preferred native over Wine's builtin stub, and (when qga-vss.dll is in the
    payload) our provider's COM class pointing at C:\\qga\\qga-vss.dll. Returns whether it is in."""
    sources = [fake_dir / name for name in FAKE_FILES]
    missing = [str(p) for p in sources if not p.is_file()]
    if missing:
        raise BuildError(f"fake VSS coordinator files missing: {missing} (run make)")
    system32 = prefix / "drive_c" / "windows" / "system32"
    for src in sources:
        if write_if_changed(system32 / src.name, src.read_bytes()):
            say(f"installed {src.name} in system32")
    provider_path = f"C:\\{AGENT_DIR}\\{VSS_DLL}" if provider else ""
    stamp = prefix / ".qga-fake-vss"
    key = digest(RECIPE_VERSION, PROVIDER_CLSID, provider_path)
    if stamp.exists() and stamp.read_text() == key:
        return True
    clsid_key = rf"HKCR\CLSID\{PROVIDER_CLSID}"
    inproc = rf"{clsid_key}\InprocServer32"
    commands = [["reg", "add", r"HKCU\Software\Wine\DllOverrides", "/v", "vssapi", "/d", "native,builtin",
                 "/f"]]
    if provider:
        commands += [["reg", "add", inproc, "/ve", "/d", provider_path, "/f"],
                     ["reg", "add", inproc, "/v", "ThreadingModel", "/d", "Apartment", "/f"]]
    with wine_server(prefix) as env:
        for cmd in commands:
            # Never a pipe on Wine's stdio: the system processes the first command starts inherit it.
            run(["wine", *cmd], timeout=WINE_TIMEOUT_S, env=env, capture=False)
    stamp.write_text(key)
    say("fake VSS coordinator registered" + (" with our provider" if provider else ""))
    return True


# ---------------------------------------------------------------------------------------------

def build(out: Path, payload: list[Path], with_prefix: bool,
          fake_vss: Path | None = None) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    debs = out / "debs"
    kernel_deb = fetch(kernel_package(), debs)
    busybox_deb = fetch(BUSYBOX_PACKAGE, debs)
    kinfo = build_kernel(kernel_deb, out)
    busybox = busybox_binary(busybox_deb, out)
    initrd = build_initrd(busybox, out / "kernel", out)
    manifest: dict[str, object] = {
        "recipe": RECIPE_VERSION,
        "kernel": str(out / "kernel" / "vmlinux"),
        "initrd": str(initrd),
        "kernel_version": kinfo["version"],
        "modules": kinfo["base"] + kinfo["share"],  # type: ignore[operator]
        "prefix": None,
        "agent": None,
        "payload": [],
        "fake_vss": False,
    }
    if with_prefix:
        prefix = out / "prefix"
        build_prefix(prefix)
        names = install_payload(prefix, payload)
        manifest["prefix"] = str(prefix)
        manifest["payload"] = names
        if AGENT_EXE in names:
            manifest["agent"] = f"C:\\{AGENT_DIR}\\{AGENT_EXE}"
        if fake_vss is not None:
            manifest["fake_vss"] = install_fake_vss(prefix, fake_vss, VSS_DLL in names)
    write_if_changed(out / "manifest.json", (json.dumps(manifest, indent=1) + "\n").encode())
    return manifest


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output and cache directory")
    ap.add_argument("--payload", type=Path, action="append", default=[],
                    help="a file to install in C:\\qga (qemu-ga.exe, qga-vss.dll, the fake vssapi.dll, ...)")
    ap.add_argument("--no-prefix", action="store_true", help="kernel and initrd only (echo/qemu-ga modes)")
    ap.add_argument("--fake-vss", type=Path, metavar="DIR",
                    help="install the fake VSS coordinator from DIR (build/tests/fakes/vss) in the prefix")
    args = ap.parse_args(argv)
    start = time.monotonic()
    try:
        manifest = build(args.out.resolve(), [p.resolve() for p in args.payload], not args.no_prefix,
                         args.fake_vss.resolve() if args.fake_vss else None)
    except BuildError as exc:
        say(f"error: {exc}")
        return 1
    say(f"ready in {time.monotonic() - start:.1f} s: kernel {manifest['kernel_version']}, "
        f"payload {manifest['payload']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
