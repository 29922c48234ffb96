/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fake VSS service's trace: one JSON object per line, appended and flushed at once, so tests
 * read it while the service runs.  The file is opened for each line, so a test may delete or
 * truncate it between cases.  Fields: seq, t (Unix time, seconds), mono_us, pid, session,
 * actor (requester, client, writer, provider, coordinator), call, hr, dur_us, args. */
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "fake-vss-service.h"

static SRWLOCK trace_lock = SRWLOCK_INIT;
static WCHAR trace_path[MAX_PATH];
static uint64_t trace_seq;
static HANDLE trace_mutex;             /* shared by every process writing this trace; never closed */

#define TRACE_MUTEX_NAME_W   L"Global\\qga-win-fake-vss-trace"
#define TRACE_MUTEX_WAIT_MS  5000

void trace_open(const WCHAR *path)
{
    AcquireSRWLockExclusive(&trace_lock);
    lstrcpynW(trace_path, path ? path : L"", MAX_PATH);
    if (!trace_mutex) trace_mutex = CreateMutexW(NULL, FALSE, TRACE_MUTEX_NAME_W);
    ReleaseSRWLockExclusive(&trace_lock);
}

int64_t trace_now_us(void)
{
    static LARGE_INTEGER frequency;
    LARGE_INTEGER now;

    if (!frequency.QuadPart) QueryPerformanceFrequency(&frequency);
    QueryPerformanceCounter(&now);
    return (int64_t)(now.QuadPart / frequency.QuadPart * 1000000 +
                     now.QuadPart % frequency.QuadPart * 1000000 / frequency.QuadPart);
}

void json_append_wstr(char *buf, size_t size, const WCHAR *text)
{
    size_t len = strlen(buf);
    char utf8[8];
    int n, i;

    if (len + 1 >= size) return;
    buf[len++] = '"';
    for (; text && *text && len + 8 < size; text++)
    {
        WCHAR c = *text;

        if (c == L'"' || c == L'\\') { buf[len++] = '\\'; buf[len++] = (char)c; }
        else if (c < 0x20) len += snprintf(buf + len, size - len, "\\u%04x", (unsigned)c);
        else if (c < 0x80) buf[len++] = (char)c;
        else
        {
            n = WideCharToMultiByte(CP_UTF8, 0, text, (IS_HIGH_SURROGATE(c) && text[1]) ? 2 : 1, utf8,
                                    sizeof(utf8), NULL, NULL);
            if (IS_HIGH_SURROGATE(c) && text[1]) text++;
            for (i = 0; i < n; i++) buf[len++] = utf8[i];
        }
    }
    if (len + 1 < size) buf[len++] = '"';
    buf[len] = 0;
}

void json_append_guid(char *buf, size_t size, const GUID *guid)
{
    WCHAR text[40];

    StringFromGUID2(guid, text, ARRAYSIZE(text));
    json_append_wstr(buf, size, text);
}

void trace_event(uint32_t session, const char *actor, const char *call, int64_t hr, int64_t dur_us,
                 const char *args_json)
{
    char line[4096];
    FILETIME ft;
    uint64_t t100ns;
    DWORD written;
    int len;

    GetSystemTimePreciseAsFileTime(&ft);
    t100ns = ((uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime) - 116444736000000000ULL;
    AcquireSRWLockExclusive(&trace_lock);
    if (!*trace_path)
    {
        ReleaseSRWLockExclusive(&trace_lock);
        return;
    }
    len = snprintf(line, sizeof(line),
                   "{\"seq\": %llu, \"t\": %llu.%07llu, \"mono_us\": %lld, \"pid\": %lu, \"session\": %u, "
                   "\"actor\": \"%s\", \"call\": \"%s\"",
                   (unsigned long long)++trace_seq, (unsigned long long)(t100ns / 10000000),
                   (unsigned long long)(t100ns % 10000000), (long long)trace_now_us(),
                   (unsigned long)GetCurrentProcessId(), session, actor, call);
    if (hr >= 0 && len < (int)sizeof(line))
        len += snprintf(line + len, sizeof(line) - len, ", \"hr\": \"0x%08lx\"", (unsigned long)hr);
    if (dur_us >= 0 && len < (int)sizeof(line))
        len += snprintf(line + len, sizeof(line) - len, ", \"dur_us\": %lld", (long long)dur_us);
    if (args_json && *args_json && len < (int)sizeof(line))
        len += snprintf(line + len, sizeof(line) - len, ", \"args\": {%s}", args_json);
    if (len < (int)sizeof(line) - 2)
    {
        line[len++] = '}';
        line[len++] = '\n';
        /* A service process of an earlier session may still be appending to the same file, and
         * Wine does not make FILE_APPEND_DATA writes atomic between processes: a named mutex
         * serialises them; a bounded wait keeps a stuck peer from hanging a test. */
        DWORD wait = trace_mutex ? WaitForSingleObject(trace_mutex, TRACE_MUTEX_WAIT_MS) : WAIT_FAILED;
        HANDLE file = CreateFileW(trace_path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                  NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);

        if (file != INVALID_HANDLE_VALUE)
        {
            LARGE_INTEGER end = { .QuadPart = 0 };

            SetFilePointerEx(file, end, NULL, FILE_END);
            WriteFile(file, line, len, &written, NULL);
            CloseHandle(file);
        }
        if (wait == WAIT_OBJECT_0 || wait == WAIT_ABANDONED) ReleaseMutex(trace_mutex);
    }
    ReleaseSRWLockExclusive(&trace_lock);
}
