/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UTF-8 <-> UTF-16 conversion for the Windows layer (strict: invalid input is an error). */
#include <windows.h>
#include <limits.h>
#include <stdlib.h>

#include "core/error.h"
#include "platform/utf.h"

int utf8_to_utf16_len(const char *in, size_t len, wchar_t **out, size_t *out_len)
{
    wchar_t *buffer;
    int count = 0;

    *out = NULL;
    if (out_len) *out_len = 0;
    if (len > INT_MAX - 1) return QGA_ERANGE;
    if (len)
    {
        count = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, in, (int)len, NULL, 0);
        if (!count) return GetLastError() == ERROR_NOT_ENOUGH_MEMORY ? QGA_ENOMEM : QGA_EINVAL;
    }
    if (!(buffer = malloc(((size_t)count + 1) * sizeof(*buffer)))) return QGA_ENOMEM;
    if (len && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, in, (int)len, buffer, count) != count)
    {
        free(buffer);
        return QGA_EINVAL;
    }
    buffer[count] = 0;
    *out = buffer;
    if (out_len) *out_len = (size_t)count;
    return 0;
}

int utf16_to_utf8_len(const wchar_t *in, size_t len, char **out, size_t *out_len)
{
    char *buffer;
    int count = 0;

    *out = NULL;
    if (out_len) *out_len = 0;
    if (len > INT_MAX / 3) return QGA_ERANGE;
    if (len)
    {
        count = WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, in, (int)len, NULL, 0, NULL, NULL);
        if (!count) return GetLastError() == ERROR_NOT_ENOUGH_MEMORY ? QGA_ENOMEM : QGA_EINVAL;
    }
    if (!(buffer = malloc((size_t)count + 1))) return QGA_ENOMEM;
    if (len && WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, in, (int)len, buffer, count, NULL, NULL)
        != count)
    {
        free(buffer);
        return QGA_EINVAL;
    }
    buffer[count] = 0;
    *out = buffer;
    if (out_len) *out_len = (size_t)count;
    return 0;
}

int utf8_to_utf16(const char *in, wchar_t **out)
{
    *out = NULL;
    if (!in) return 0;
    return utf8_to_utf16_len(in, strlen(in), out, NULL);
}

int utf16_to_utf8(const wchar_t *in, char **out)
{
    *out = NULL;
    if (!in) return 0;
    return utf16_to_utf8_len(in, wcslen(in), out, NULL);
}
