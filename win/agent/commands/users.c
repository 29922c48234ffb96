/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-get-users: accounts with a session (console, RDP, disconnected), one entry per account. */
#include <stdlib.h>
#include <windows.h>
#include <wtsapi32.h>

#include "commands/commands.h"
#include "core/inventory.h"
#include "platform/error.h"
#include "platform/utf.h"

/* Adds the user of one session to list; sessions without a user (services, listeners) add
 * nothing.  Returns 0 or QGA_ENOMEM. */
static int add_session_user(DWORD session_id, struct json_value *list)
{
    WTSINFOW *info = NULL;
    DWORD bytes = 0;
    char *user = NULL, *domain = NULL;
    uint64_t logon;
    int ret = 0;

    /* Wide-character API: qemu-ga's ANSI calls mangle names outside the system code page. */
    if (!WTSQuerySessionInformationW(WTS_CURRENT_SERVER_HANDLE, session_id, WTSSessionInfo, (WCHAR **)&info,
                                     &bytes)
        || bytes < sizeof(*info))
        goto out;   /* the session ended meanwhile, or is not ours to see */

    info->UserName[ARRAYSIZE(info->UserName) - 1] = 0;
    info->Domain[ARRAYSIZE(info->Domain) - 1] = 0;
    if (!info->UserName[0])
        goto out;
    if ((ret = utf16_to_utf8(info->UserName, &user)) < 0 || (ret = utf16_to_utf8(info->Domain, &domain)) < 0)
    {
        ret = ret == QGA_ENOMEM ? ret : 0;   /* an unconvertible name is skipped, not fatal */
        goto out;
    }
    /* Some sessions report no logon time; their connect time is the closest. */
    logon = (uint64_t)(info->LogonTime.QuadPart ? info->LogonTime.QuadPart : info->ConnectTime.QuadPart);
    ret = users_add(list, user, domain, filetime_to_unix_seconds(logon));
out:
    if (info)
        WTSFreeMemory(info);
    free(user);
    free(domain);
    return ret;
}

int cmd_guest_get_users(struct command_call *call)
{
    WTS_SESSION_INFOW *sessions = NULL;
    struct json_value *list;
    DWORD count = 0, i;
    int ret = 0;

    if (!WTSEnumerateSessionsW(WTS_CURRENT_SERVER_HANDLE, 0, 1, &sessions, &count))
        return call_win32_error(call, GetLastError(), "failed to enumerate sessions");
    if (!(list = json_array()))
        ret = QGA_ENOMEM;
    for (i = 0; list && i < count && ret == 0; i++)
        ret = add_session_user(sessions[i].SessionId, list);
    if (sessions)
        WTSFreeMemory(sessions);
    if (ret < 0)
    {
        json_free(list);
        return ret;
    }
    call->result = list;
    return 0;
}
