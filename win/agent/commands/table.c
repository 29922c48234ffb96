/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one declarative table of commands: name, argument spec, handler, flags (portable). */
#include "commands/commands.h"
#include "core/exec-output.h"
#include "core/file-mode.h"
#include "core/freeze-options.h"

/* compat: argument names and types follow qga/qapi-schema.json (qga-reference.md §1). */
static const struct arg_spec sync_args[] =
{
    { "id", ARG_INT, ARG_REQUIRED, NULL, NULL },
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec fsfreeze_freeze_list_args[] =
{
    { "mountpoints", ARG_STR_LIST, ARG_OPTIONAL, NULL, NULL },
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec exec_args[] =
{
    { "path",           ARG_STRING,              ARG_REQUIRED, NULL,                NULL },
    { "arg",            ARG_STR_LIST,            ARG_OPTIONAL, NULL,                NULL },
    { "env",            ARG_STR_LIST,            ARG_OPTIONAL, NULL,                NULL },
    { "input-data",     ARG_STRING,              ARG_OPTIONAL, NULL,                NULL },
    /* compat: "merged" is not a value on Windows (qga/qapi-schema.json 'if': not CONFIG_WIN32) */
    { "capture-output", ARG_BOOL | ARG_ENUM,     ARG_OPTIONAL, exec_capture_names, "GuestExecCaptureOutput" },
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec exec_status_args[] =
{
    { "pid", ARG_INT, ARG_REQUIRED, NULL, NULL },
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec file_handle_args[] =
{
    { "handle", ARG_INT, ARG_REQUIRED, NULL, NULL },
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec file_open_args[] =
{
    { "path", ARG_STRING, ARG_REQUIRED, NULL, NULL },
    { "mode", ARG_STRING, ARG_OPTIONAL, NULL, NULL },
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec file_read_args[] =
{
    { "handle", ARG_INT, ARG_REQUIRED, NULL, NULL },
    { "count",  ARG_INT, ARG_OPTIONAL, NULL, NULL },
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec file_seek_args[] =
{
    { "handle", ARG_INT,           ARG_REQUIRED, NULL,              NULL },
    { "offset", ARG_INT,           ARG_REQUIRED, NULL,              NULL },
    { "whence", ARG_INT | ARG_ENUM, ARG_REQUIRED, file_whence_names, "GuestFileWhence" },
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec file_write_args[] =
{
    { "handle",  ARG_INT,    ARG_REQUIRED, NULL, NULL },
    { "buf-b64", ARG_STRING, ARG_REQUIRED, NULL, NULL },
    { "count",   ARG_INT,    ARG_OPTIONAL, NULL, NULL },
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec fstrim_args[] =
{
    { "minimum", ARG_INT, ARG_OPTIONAL, NULL, NULL },   /* compat: accepted, ignored on Windows */
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec set_time_args[] =
{
    { "time", ARG_INT, ARG_OPTIONAL, NULL, NULL },
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec set_user_password_args[] =
{
    { "username", ARG_STRING, ARG_REQUIRED, NULL, NULL },
    { "password", ARG_STRING, ARG_REQUIRED, NULL, NULL },
    { "crypted",  ARG_BOOL,   ARG_REQUIRED, NULL, NULL },
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec shutdown_args[] =
{
    /* compat: a plain string checked by the handler ("Parameter 'mode' expects ..."), not an enum */
    { "mode", ARG_STRING, ARG_OPTIONAL, NULL, NULL },
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec ssh_get_args[] =
{
    { "username", ARG_STRING, ARG_REQUIRED, NULL, NULL },
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec ssh_add_args[] =
{
    { "username", ARG_STRING,   ARG_REQUIRED, NULL, NULL },
    { "keys",     ARG_STR_LIST, ARG_REQUIRED, NULL, NULL },
    { "reset",    ARG_BOOL,     ARG_OPTIONAL, NULL, NULL },
    { NULL, 0, 0, NULL, NULL },
};

static const struct arg_spec ssh_remove_args[] =
{
    { "username", ARG_STRING,   ARG_REQUIRED, NULL, NULL },
    { "keys",     ARG_STR_LIST, ARG_REQUIRED, NULL, NULL },
    { NULL, 0, 0, NULL, NULL },
};

const struct command command_table[] =
{
    /* name                    args        handler                    flags */
    /* Extensions (QAPI downstream names, core/freeze-options.h; '_' sorts before 'g'). */
    { QGA_EXT_PREFIX "fsfreeze-freeze", freeze_ext_args, cmd_org_qga_win_fsfreeze_freeze, 0 },
    { QGA_EXT_PREFIX "fsfreeze-report", NULL, cmd_org_qga_win_fsfreeze_report, CMD_ALLOWED_FROZEN },
    { QGA_EXT_PREFIX "fsfreeze-status", NULL, cmd_org_qga_win_fsfreeze_status, CMD_ALLOWED_FROZEN },
    { "guest-exec",            exec_args,  cmd_guest_exec,            0 },
    { "guest-exec-status",     exec_status_args, cmd_guest_exec_status, 0 },
    { "guest-file-close",      file_handle_args, cmd_guest_file_close, 0 },
    { "guest-file-flush",      file_handle_args, cmd_guest_file_flush, 0 },
    { "guest-file-open",       file_open_args, cmd_guest_file_open,   0 },
    { "guest-file-read",       file_read_args, cmd_guest_file_read,   0 },
    { "guest-file-seek",       file_seek_args, cmd_guest_file_seek,   0 },
    { "guest-file-write",      file_write_args, cmd_guest_file_write, 0 },
    { "guest-fsfreeze-freeze",      NULL,  cmd_guest_fsfreeze_freeze,       0 },
    { "guest-fsfreeze-freeze-list", fsfreeze_freeze_list_args, cmd_guest_fsfreeze_freeze_list, 0 },
    { "guest-fsfreeze-status",      NULL,  cmd_guest_fsfreeze_status,       CMD_ALLOWED_FROZEN },
    { "guest-fsfreeze-thaw",        NULL,  cmd_guest_fsfreeze_thaw,         CMD_ALLOWED_FROZEN },
    { "guest-fstrim",          fstrim_args, cmd_guest_fstrim,         0 },
    { "guest-get-devices",     NULL,       cmd_guest_get_devices,     0 },
    { "guest-get-disks",       NULL,       cmd_guest_get_disks,       0 },
    { "guest-get-fsinfo",      NULL,       cmd_guest_get_fsinfo,      0 },
    { "guest-get-host-name",   NULL,       cmd_guest_get_host_name,   0 },
    { "guest-get-load",        NULL,       cmd_guest_get_load,        0 },
    { "guest-get-osinfo",      NULL,       cmd_guest_get_osinfo,      0 },
    { "guest-get-time",        NULL,       cmd_guest_get_time,        0 },
    { "guest-get-timezone",    NULL,       cmd_guest_get_timezone,    0 },
    { "guest-get-users",       NULL,       cmd_guest_get_users,       0 },
    { "guest-get-vcpus",       NULL,       cmd_guest_get_vcpus,       0 },
    { "guest-info",            NULL,       cmd_guest_info,            CMD_ALLOWED_FROZEN },
    { "guest-network-get-interfaces", NULL, cmd_guest_network_get_interfaces, 0 },
    { "guest-ping",            NULL,       cmd_guest_ping,            CMD_ALLOWED_FROZEN },
    { "guest-set-time",        set_time_args, cmd_guest_set_time,     0 },
    { "guest-set-user-password", set_user_password_args, cmd_guest_set_user_password, 0 },
    { "guest-shutdown",        shutdown_args, cmd_guest_shutdown,     CMD_NO_SUCCESS_REPLY },
    { "guest-ssh-add-authorized-keys", ssh_add_args, cmd_guest_ssh_add_authorized_keys, 0 },
    { "guest-ssh-get-authorized-keys", ssh_get_args, cmd_guest_ssh_get_authorized_keys, 0 },
    { "guest-ssh-remove-authorized-keys", ssh_remove_args, cmd_guest_ssh_remove_authorized_keys, 0 },
    { "guest-suspend-disk",    NULL,       cmd_guest_suspend_disk,    CMD_NO_SUCCESS_REPLY },
    { "guest-suspend-ram",     NULL,       cmd_guest_suspend_ram,     CMD_NO_SUCCESS_REPLY },
    { "guest-sync",            sync_args,  cmd_guest_sync,            CMD_ALLOWED_FROZEN },
    { "guest-sync-delimited",  sync_args,  cmd_guest_sync_delimited,  CMD_ALLOWED_FROZEN },
};

const size_t command_table_len = sizeof(command_table) / sizeof(command_table[0]);
