/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The protocol commands: guest-sync, guest-sync-delimited, guest-ping, guest-info (portable). */
#include <stdlib.h>

#include "commands/commands.h"
#include "core/platform.h"
#include "version.h"

/* compat: both echo the id; the delimited variant's reply is preceded by 0xFF so that a client
 * can find the start of the next reply in a dirty stream (qga-reference.md §8). */
int cmd_guest_sync(struct command_call *call)
{
    call->result = json_int(arg_int(call, "id", 0));
    return call->result ? 0 : call_error(call, QGA_ENOMEM, NULL);
}

int cmd_guest_sync_delimited(struct command_call *call)
{
    call->delimit_reply = true;
    return cmd_guest_sync(call);
}

int cmd_guest_ping(struct command_call *call)
{
    (void)call;
    platform_log(LOG_INFO, "guest-ping called");
    return 0;
}

/* compat: {"version", "supported_commands": [{"enabled", "name", "success-response"}]}, one entry
 * per command of the build; "enabled" is the filter's verdict at this moment (enabled[]). */
static struct json_value *build_info(const struct dispatcher *dispatcher, const bool *enabled)
{
    struct json_value *info = json_object(), *list = json_array();
    size_t i;

    if (!info || !list) goto nomem;
    if (json_object_set_string(info, "version", dispatcher->version ? dispatcher->version : QGA_VERSION) < 0)
        goto nomem;
    for (i = 0; i < dispatcher->command_count; i++)
    {
        const struct command *command = &dispatcher->commands[i];
        struct json_value *entry = json_object();

        if (!entry) goto nomem;
        if (json_object_set_bool(entry, "enabled", enabled[i]) < 0
            || json_object_set_string(entry, "name", command->name) < 0
            || json_object_set_bool(entry, "success-response", !(command->flags & CMD_NO_SUCCESS_REPLY)) < 0)
        {
            json_free(entry);
            goto nomem;
        }
        if (json_array_append(list, entry) < 0) goto nomem;
    }
    if (json_object_set(info, "supported_commands", list) < 0)
    {
        list = NULL;
        goto nomem;
    }
    return info;
nomem:
    json_free(list);
    json_free(info);
    return NULL;
}

/* The reply changes only with the version and the enabled flags (frozen state, allow and block
 * lists): it is built when one of those changed and reused otherwise.  Building it costs a few
 * hundred allocations, more than everything else a guest-info costs (under Wine's heap, most). */
int cmd_guest_info(struct command_call *call)
{
    struct dispatcher *dispatcher = call->dispatcher;
    bool stale = !dispatcher->info_reply || dispatcher->info_version != dispatcher->version;
    size_t i;

    if (!dispatcher->info_enabled
        && !(dispatcher->info_enabled = calloc(dispatcher->command_count + 1, sizeof(bool))))
        return call_error(call, QGA_ENOMEM, NULL);
    for (i = 0; i < dispatcher->command_count; i++)
    {
        bool enabled = dispatch_command_enabled(dispatcher, &dispatcher->commands[i]);

        if (enabled != dispatcher->info_enabled[i])
        {
            dispatcher->info_enabled[i] = enabled;
            stale = true;
        }
    }
    if (stale)
    {
        json_free(dispatcher->info_reply);
        dispatcher->info_version = dispatcher->version;
        if (!(dispatcher->info_reply = build_info(dispatcher, dispatcher->info_enabled)))
            return call_error(call, QGA_ENOMEM, NULL);
    }
    call->result = dispatcher->info_reply;
    call->result_borrowed = true;
    return 0;
}
