/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every command handler, declared once.  Portable handlers compile natively too; the native
 * tests and fuzzers define the Windows ones as stubs from WINDOWS_COMMAND_HANDLERS. */
#ifndef QGA_COMMANDS_H
#define QGA_COMMANDS_H

#include <stddef.h>

#include "core/dispatch.h"

/* Handlers in portable files (commands/protocol.c). */
#define PORTABLE_COMMAND_HANDLERS(X) \
    X(guest_info) \
    X(guest_ping) \
    X(guest_sync) \
    X(guest_sync_delimited)

/* Handlers in Windows files (commands/<subject>.c); keep sorted. */
#define WINDOWS_COMMAND_HANDLERS(X) \
    X(guest_exec) \
    X(guest_exec_status) \
    X(guest_file_close) \
    X(guest_file_flush) \
    X(guest_file_open) \
    X(guest_file_read) \
    X(guest_file_seek) \
    X(guest_file_write) \
    X(guest_fsfreeze_freeze) \
    X(guest_fsfreeze_freeze_list) \
    X(guest_fsfreeze_status) \
    X(guest_fsfreeze_thaw) \
    X(guest_fstrim) \
    X(guest_get_devices) \
    X(guest_get_disks) \
    X(guest_get_fsinfo) \
    X(guest_get_host_name) \
    X(guest_get_load) \
    X(guest_get_osinfo) \
    X(guest_get_time) \
    X(guest_get_timezone) \
    X(guest_get_users) \
    X(guest_get_vcpus) \
    X(guest_network_get_interfaces) \
    X(guest_set_time) \
    X(guest_set_user_password) \
    X(guest_shutdown) \
    X(guest_ssh_add_authorized_keys) \
    X(guest_ssh_get_authorized_keys) \
    X(guest_ssh_remove_authorized_keys) \
    X(guest_suspend_disk) \
    X(guest_suspend_ram) \
    X(org_qga_win_fsfreeze_freeze) \
    X(org_qga_win_fsfreeze_report) \
    X(org_qga_win_fsfreeze_status)

#define X(fn) int cmd_##fn(struct command_call *call);
PORTABLE_COMMAND_HANDLERS(X)
WINDOWS_COMMAND_HANDLERS(X)
#undef X

/* The one declarative table (commands/table.c), sorted by name. */
extern const struct command command_table[];
extern const size_t command_table_len;

#endif
