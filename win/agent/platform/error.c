/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Win32 error codes to QGA_E* (one switch, as libuv's src/win/error.c) and their system texts. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/error.h"
#include "platform/utf.h"

int win32_error_to_qga(uint32_t error)
{
    switch (error)
    {
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_NO_SYSTEM_RESOURCES:
    case ERROR_COMMITMENT_LIMIT:
        return QGA_ENOMEM;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
    case ERROR_BAD_NETPATH:
    case ERROR_BAD_NET_NAME:
    case ERROR_MOD_NOT_FOUND:
    case ERROR_PROC_NOT_FOUND:
    case ERROR_SERVICE_DOES_NOT_EXIST:
    case ERROR_NOT_FOUND:
    case ERROR_DEV_NOT_EXIST:
        return QGA_ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD:
    case ERROR_WRITE_PROTECT:
    case ERROR_NETWORK_ACCESS_DENIED:
        return QGA_EACCES;
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
    case ERROR_BUSY:
    case ERROR_PIPE_BUSY:
    case ERROR_SERVICE_ALREADY_RUNNING:
    case ERROR_DEVICE_IN_USE:
        return QGA_EBUSY;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
    case ERROR_SERVICE_EXISTS:
        return QGA_EEXIST;
    case ERROR_INVALID_PARAMETER:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_DIRECTORY:
    case ERROR_INVALID_HANDLE:
    case ERROR_NEGATIVE_SEEK:
    case ERROR_FILENAME_EXCED_RANGE:
    case ERROR_NO_UNICODE_TRANSLATION:
        return QGA_EINVAL;
    case ERROR_NOT_SUPPORTED:
    case ERROR_CALL_NOT_IMPLEMENTED:
    case ERROR_INVALID_FUNCTION:
        return QGA_ENOTSUP;
    case ERROR_TIMEOUT:
    case WAIT_TIMEOUT:
    case ERROR_SEM_TIMEOUT:
        return QGA_ETIMEDOUT;
    case ERROR_ARITHMETIC_OVERFLOW:
    case ERROR_INSUFFICIENT_BUFFER:
    case ERROR_MORE_DATA:
        return QGA_ERANGE;
    case ERROR_BROKEN_PIPE:
    case ERROR_NO_DATA:
    case ERROR_PIPE_NOT_CONNECTED:
    case ERROR_HANDLE_EOF:
    case ERROR_OPERATION_ABORTED:
        return QGA_ECLOSED;
    case ERROR_CRC:
    case ERROR_IO_DEVICE:
    case ERROR_GEN_FAILURE:
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
        return QGA_EIO;
    default:
        return QGA_EGENERIC;
    }
}

const char *win32_error_text_buf(uint32_t error, char *buffer, size_t size)
{
    WCHAR text_w[512];
    char text[1024];
    DWORD len;

    if (!size) return buffer;
    text[0] = 0;
    const DWORD flags = FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS
                        | FORMAT_MESSAGE_MAX_WIDTH_MASK;

    len = FormatMessageW(flags, NULL, error, MAKELANGID(LANG_ENGLISH, SUBLANG_DEFAULT), text_w,
                         ARRAYSIZE(text_w), NULL);
    if (!len) len = FormatMessageW(flags, NULL, error, 0, text_w, ARRAYSIZE(text_w), NULL);
    /* FORMAT_MESSAGE_MAX_WIDTH_MASK turns line breaks into spaces; strip what trails. */
    while (len && (text_w[len - 1] == L' ' || text_w[len - 1] == L'\r' || text_w[len - 1] == L'\n')) len--;
    if (len)
    {
        int count = WideCharToMultiByte(CP_UTF8, 0, text_w, (int)len, text, sizeof(text) - 1, NULL, NULL);
        text[count > 0 ? count : 0] = 0;
        if (count <= 0) len = 0;
    }

    if ((error & 0x80000000u) && (error & 0xffff0000u))   /* an HRESULT */
        snprintf(buffer, size, "%s%s(error 0x%08x)", text, len ? " " : "", (unsigned)error);
    else
        snprintf(buffer, size, "%s%s(error %u)", text, len ? " " : "", (unsigned)error);
    return buffer;
}

char *win32_error_text(uint32_t error)
{
    char buffer[1100];
    return strdup(win32_error_text_buf(error, buffer, sizeof(buffer)));
}

int call_win32_error(struct command_call *call, uint32_t error, const char *fmt, ...)
{
    char prefix[1024], text[1100];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    return call_errorf(call, win32_error_to_qga(error), "%s: %s", prefix,
                       win32_error_text_buf(error, text, sizeof(text)));
}
