/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one declarative table of commands: name, argument spec, handler, flags (portable). */
#include "commands/commands.h"

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

const struct command command_table[] =
{
    /* name                    args        handler                    flags */
    { "guest-fsfreeze-freeze",      NULL,  cmd_guest_fsfreeze_freeze,       0 },
    { "guest-fsfreeze-freeze-list", fsfreeze_freeze_list_args, cmd_guest_fsfreeze_freeze_list, 0 },
    { "guest-fsfreeze-status",      NULL,  cmd_guest_fsfreeze_status,       CMD_ALLOWED_FROZEN },
    { "guest-fsfreeze-thaw",        NULL,  cmd_guest_fsfreeze_thaw,         CMD_ALLOWED_FROZEN },
    { "guest-get-devices",     NULL,       cmd_guest_get_devices,     0 },
    { "guest-get-disks",       NULL,       cmd_guest_get_disks,       0 },
    { "guest-get-fsinfo",      NULL,       cmd_guest_get_fsinfo,      0 },
    { "guest-get-host-name",   NULL,       cmd_guest_get_host_name,   0 },
    { "guest-get-load",        NULL,       cmd_guest_get_load,        0 },
    { "guest-get-osinfo",      NULL,       cmd_guest_get_osinfo,      0 },
    { "guest-get-timezone",    NULL,       cmd_guest_get_timezone,    0 },
    { "guest-get-users",       NULL,       cmd_guest_get_users,       0 },
    { "guest-get-vcpus",       NULL,       cmd_guest_get_vcpus,       0 },
    { "guest-info",            NULL,       cmd_guest_info,            CMD_ALLOWED_FROZEN },
    { "guest-network-get-interfaces", NULL, cmd_guest_network_get_interfaces, 0 },
    { "guest-ping",            NULL,       cmd_guest_ping,            CMD_ALLOWED_FROZEN },
    { "guest-sync",            sync_args,  cmd_guest_sync,            CMD_ALLOWED_FROZEN },
    { "guest-sync-delimited",  sync_args,  cmd_guest_sync_delimited,  CMD_ALLOWED_FROZEN },
};

const size_t command_table_len = sizeof(command_table) / sizeof(command_table[0]);
