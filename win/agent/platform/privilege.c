/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Enabling a privilege in the agent's own token. */
#include <windows.h>

#include "platform/error.h"
#include "platform/privilege.h"

int privilege_enable(const wchar_t *name, uint32_t *win32_error)
{
    TOKEN_PRIVILEGES privileges = { .PrivilegeCount = 1 };
    HANDLE token = NULL;
    int ret = 0;

    *win32_error = 0;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &token))
    {
        token = NULL;
        goto failed;
    }
    if (!LookupPrivilegeValueW(NULL, name, &privileges.Privileges[0].Luid)) goto failed;
    privileges.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
    /* Succeeds with ERROR_NOT_ALL_ASSIGNED when the token lacks the privilege. */
    if (!AdjustTokenPrivileges(token, FALSE, &privileges, 0, NULL, NULL) || GetLastError() != ERROR_SUCCESS)
        goto failed;
    goto out;
failed:
    *win32_error = GetLastError();
    ret = win32_error_to_qga(*win32_error);
out:
    if (token) CloseHandle(token);
    return ret;
}
