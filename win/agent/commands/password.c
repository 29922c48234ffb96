/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-set-user-password: NetUserSetInfo level 1003.  The password is never logged and every
 * copy we make of it is wiped before it is freed. */
#include <windows.h>
#include <lm.h>

#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "core/base64.h"
#include "core/platform.h"
#include "platform/error.h"
#include "platform/utf.h"

/* NERR_* codes (2100-2999) have their texts in netmsg.dll, not in the system table. */
#define NERR_FIRST 2100
#define NERR_LAST  2999

/* Wine exports NetUserSetInfo as an unimplemented stub that raises an exception, which would end
 * the agent (wine-notes: measured with Wine 8.0); mingw has no __try to contain it. */
static bool running_on_wine(void)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll && GetProcAddress(ntdll, "wine_get_version");
}

/* compat: qemu-ga's "failed to set password: <netmsg text>". */
static int net_error(struct command_call *call, NET_API_STATUS status)
{
    HMODULE netmsg = NULL;
    wchar_t *text_w = NULL;
    char *text = NULL;
    int ret;

    if (status < NERR_FIRST || status > NERR_LAST) return call_win32_error(call, status, "failed to set password");
    netmsg = LoadLibraryExW(L"netmsg.dll", NULL, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (netmsg && FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ALLOCATE_BUFFER |
                                 FORMAT_MESSAGE_IGNORE_INSERTS, netmsg, status, 0, (wchar_t *)&text_w, 0, NULL) &&
        utf16_to_utf8(text_w, &text) == 0)
    {
        size_t len = strlen(text);
        while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ')) text[--len] = 0;
        ret = call_errorf(call, QGA_EGENERIC, "failed to set password: %s (error %lu)", text, status);
    }
    else
    {
        ret = call_errorf(call, QGA_EGENERIC, "failed to set password: network management error %lu", status);
    }
    free(text);
    if (text_w) LocalFree(text_w);
    if (netmsg) FreeLibrary(netmsg);
    return ret;
}

int cmd_guest_set_user_password(struct command_call *call)
{
    const struct json_value *username = arg_value(call, "username"), *password = arg_value(call, "password");
    USER_INFO_1003 info = { 0 };
    wchar_t *username_w = NULL, *password_w = NULL;
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    NET_API_STATUS status;
    int ret;

    /* compat: qemu-ga 9.2+ wording (hashes cannot be set through NetUserSetInfo). */
    if (arg_bool(call, "crypted", false))
        return call_errorf(call, QGA_ENOTSUP, "'crypted' must be off on this host");
    if (base64_decode(password->u.string.data, password->u.string.len, &plain, &plain_len) < 0)
        return call_errorf(call, QGA_EINVAL, "Base64 data contains invalid characters");
    if (memchr(plain, 0, plain_len) || utf8_to_utf16((const char *)plain, &password_w) < 0)
    {
        ret = call_errorf(call, QGA_EINVAL, "can't convert 'password' to UTF-16: invalid UTF-8");
        goto out;
    }
    if (strlen(username->u.string.data) != username->u.string.len ||
        utf8_to_utf16(username->u.string.data, &username_w) < 0)
    {
        ret = call_errorf(call, QGA_EINVAL, "can't convert 'username' to UTF-16: invalid UTF-8");
        goto out;
    }
    platform_log(LOG_INFO, "guest-set-user-password called");   /* no user name: arguments stay out of logs */
    if (running_on_wine())
    {
        ret = call_errorf(call, QGA_ENOTSUP, "failed to set password: Wine does not implement NetUserSetInfo");
        goto out;
    }
    info.usri1003_password = password_w;
    status = NetUserSetInfo(NULL, username_w, 1003, (BYTE *)&info, NULL);
    ret = status == NERR_Success ? 0 : net_error(call, status);
out:
    if (plain) SecureZeroMemory(plain, plain_len);
    if (password_w) SecureZeroMemory(password_w, wcslen(password_w) * sizeof(*password_w));
    free(plain);
    free(password_w);
    free(username_w);
    return ret;
}
