# SPDX-License-Identifier: GPL-2.0-or-later
"""make bench: qemu-ga.exe under Wine side by side with Debian's Linux qemu-ga (issue 10).

Four peers answer on identical raw ptys: ours (qemu-ga.exe under Wine, on a dosdevices COM
link), the peer (Debian's qemu-ga, native, -m isa-serial), and two floors that move the same
bytes and do nothing else: echo-win.exe under Wine (the Wine floor) and echo-posix natively
(the native floor). bench/README.md explains how to read the numbers.
"""
