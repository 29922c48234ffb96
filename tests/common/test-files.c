/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whole-file helpers for cross-built test programs (test-files.h). */
#include <stdlib.h>
#include <string.h>

#include "test-files.h"

BOOL test_file_write(const WCHAR *path, const char *text)
{
    HANDLE file = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    DWORD written = 0;
    BOOL ok;

    if (file == INVALID_HANDLE_VALUE) return FALSE;
    ok = WriteFile(file, text, (DWORD)strlen(text), &written, NULL) && written == strlen(text);
    CloseHandle(file);
    return ok;
}

char *test_file_read(const WCHAR *path)
{
    HANDLE file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                              OPEN_EXISTING, 0, NULL);
    DWORD size, got = 0;
    char *text;

    if (file == INVALID_HANDLE_VALUE) return calloc(1, 1);
    size = GetFileSize(file, NULL);
    if (size == INVALID_FILE_SIZE || !(text = calloc((size_t)size + 1, 1)))
    {
        CloseHandle(file);
        return calloc(1, 1);
    }
    if (!ReadFile(file, text, size, &got, NULL)) got = 0;
    text[got] = 0;
    CloseHandle(file);
    return text;
}
