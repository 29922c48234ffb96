# SPDX-License-Identifier: GPL-2.0-or-later
"""qemu-ga's Windows command set (qga-reference.md sections 1, 2 and 8), shared by the Wine tests."""

from __future__ import annotations

# Every command the Windows build of qemu-ga registers (36).
WINDOWS_COMMANDS = frozenset({
    "guest-exec", "guest-exec-status", "guest-file-close", "guest-file-flush", "guest-file-open",
    "guest-file-read", "guest-file-seek", "guest-file-write", "guest-fsfreeze-freeze",
    "guest-fsfreeze-freeze-list", "guest-fsfreeze-status", "guest-fsfreeze-thaw", "guest-fstrim",
    "guest-get-devices", "guest-get-disks", "guest-get-fsinfo", "guest-get-host-name", "guest-get-load",
    "guest-get-osinfo", "guest-get-time", "guest-get-timezone", "guest-get-users", "guest-get-vcpus",
    "guest-info", "guest-network-get-interfaces", "guest-ping", "guest-set-time",
    "guest-set-user-password", "guest-shutdown", "guest-ssh-add-authorized-keys",
    "guest-ssh-get-authorized-keys", "guest-ssh-remove-authorized-keys", "guest-suspend-disk",
    "guest-suspend-ram", "guest-sync", "guest-sync-delimited",
})
# The freeze allow-list (ga_freeze_allowlist[]).
FROZEN_ALLOWED = frozenset({"guest-ping", "guest-info", "guest-sync", "guest-sync-delimited",
                            "guest-fsfreeze-status", "guest-fsfreeze-thaw"})
# 'success-response': false: nothing is sent on success.
NO_SUCCESS_RESPONSE = frozenset({"guest-shutdown", "guest-suspend-disk", "guest-suspend-ram"})
