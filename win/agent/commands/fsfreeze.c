/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-fsfreeze-freeze, -freeze-list, -thaw and -status over VSS (platform/vss.c and the
 * requester in qga-vss.dll).  compat: replies as qemu-ga's (qga-reference.md §1, §5): freeze and
 * thaw return the number of volumes, status "frozen" or "thawed".  And the extensions (issue 12,
 * docs/freeze-hooks.md): __org.qga-win_fsfreeze-freeze with per-call options, -report, -status. */
#include <stdlib.h>

#include "commands/commands.h"
#include "platform/agent.h"
#include "platform/vss.h"

static int reply_volumes(struct command_call *call, int ret, int64_t volumes, char *error)
{
    if (ret < 0)
    {
        ret = error ? call_errorf(call, ret == QGA_ENOMEM ? QGA_ENOMEM : QGA_EGENERIC, "%s", error)
                    : call_error(call, ret, NULL);
        free(error);
        return ret;
    }
    if (!(call->result = json_int(volumes))) return call_error(call, QGA_ENOMEM, NULL);
    return 0;
}

/* The freeze commands: mountpoints from the call (absent or [] = every volume). */
static int freeze(struct command_call *call, const struct json_value *args)
{
    const struct json_value *list = arg_value(call, "mountpoints");
    struct freeze_request request = { .command = call->command->name, .args = args };
    const char **mountpoints = NULL;
    size_t count = list ? list->u.array.count : 0, i;
    int64_t volumes = 0;
    char *error = NULL;
    int ret;

    if (count && !(mountpoints = calloc(count, sizeof(*mountpoints)))) return call_error(call, QGA_ENOMEM, NULL);
    for (i = 0; i < count; i++) mountpoints[i] = list->u.array.items[i]->u.string.data;
    request.mountpoints = mountpoints;
    request.count = count;
    ret = vss_freeze(agent_from_call(call), &request, &volumes, &error);
    free(mountpoints);
    return reply_volumes(call, ret, volumes, error);
}

int cmd_guest_fsfreeze_freeze(struct command_call *call)
{
    return freeze(call, NULL);
}

int cmd_guest_fsfreeze_freeze_list(struct command_call *call)
{
    /* compat: no list (or an empty one) freezes every volume, as guest-fsfreeze-freeze. */
    return freeze(call, NULL);
}

int cmd_org_qga_win_fsfreeze_freeze(struct command_call *call)
{
    /* The same freeze, with the call's options over the config's (core/freeze-options.h). */
    return freeze(call, call->args);
}

int cmd_guest_fsfreeze_thaw(struct command_call *call)
{
    int64_t volumes = 0;
    char *error = NULL;
    int ret = vss_thaw(agent_from_call(call), &volumes, &error);

    return reply_volumes(call, ret, volumes, error);
}

int cmd_guest_fsfreeze_status(struct command_call *call)
{
    enum freeze_status status;
    char *error = NULL;
    int ret = vss_status(agent_from_call(call), &status, &error);

    if (ret < 0) return reply_volumes(call, ret, 0, error);
    call->result = json_string(status == FREEZE_FROZEN ? "frozen" : "thawed");
    return call->result ? 0 : call_error(call, QGA_ENOMEM, NULL);
}

static int reply_object(struct command_call *call, int ret, struct json_value *result, char *error)
{
    if (ret < 0)
    {
        ret = error ? call_errorf(call, ret == QGA_ENOMEM ? QGA_ENOMEM : QGA_EGENERIC, "%s", error)
                    : call_error(call, ret, NULL);
        free(error);
        return ret;
    }
    call->result = result;
    return 0;
}

int cmd_org_qga_win_fsfreeze_report(struct command_call *call)
{
    struct json_value *result = NULL;
    char *error = NULL;
    int ret = vss_report(agent_from_call(call), &result, &error);

    return reply_object(call, ret, result, error);
}

int cmd_org_qga_win_fsfreeze_status(struct command_call *call)
{
    struct json_value *result = NULL;
    char *error = NULL;
    int ret = vss_status_ext(agent_from_call(call), &result, &error);

    return reply_object(call, ret, result, error);
}
