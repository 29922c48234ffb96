/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TRACE/WARN/ERR sink: OutputDebugStringW, plus stderr when QGA_VSS_DEBUG is set (trace.h). */
#include <stdarg.h>
#include <stdio.h>

#include "trace.h"

#define TRACE_LINE_CHARS 1024

static LONG trace_state;        /* 0 = not read yet, 1 = off, 2 = on */

bool trace_enabled(void)
{
    LONG state = trace_state;

    if (!state)
    {
        WCHAR value[8];
        DWORD len = GetEnvironmentVariableW(L"QGA_VSS_DEBUG", value, ARRAYSIZE(value));

        state = (len && len < ARRAYSIZE(value) && wcscmp(value, L"0")) ? 2 : 1;
        InterlockedExchange(&trace_state, state);
    }
    return state == 2;
}

void trace_write_stderr(const WCHAR *text)
{
    HANDLE handle = GetStdHandle(STD_ERROR_HANDLE);
    DWORD mode, written;
    char buffer[TRACE_LINE_CHARS * 3];
    int len;

    if (!handle || handle == INVALID_HANDLE_VALUE) return;
    if (GetConsoleMode(handle, &mode))
    {
        WriteConsoleW(handle, text, (DWORD)wcslen(text), &written, NULL);
        return;
    }
    len = WideCharToMultiByte(CP_UTF8, 0, text, -1, buffer, sizeof(buffer), NULL, NULL);
    if (len > 1) WriteFile(handle, buffer, (DWORD)(len - 1), &written, NULL);
}

void trace_printf(enum trace_level level, const char *func, const char *fmt, ...)
{
    static const char *const level_names[] = { "err", "warn", "trace" };
    char line[TRACE_LINE_CHARS];
    WCHAR line_w[TRACE_LINE_CHARS];
    DWORD error = GetLastError();   /* tracing must not disturb the caller's last error */
    va_list args;
    int len;

    if (level == TRACE_LEVEL_TRACE && !trace_enabled()) return;
    len = snprintf(line, sizeof(line), "qga-vss: %s:%s: ", level_names[level], func);
    if (len < 0 || (size_t)len >= sizeof(line)) len = 0;
    va_start(args, fmt);
    vsnprintf(line + len, sizeof(line) - (size_t)len, fmt, args);
    va_end(args);
    len = (int)strlen(line);
    if (len > (int)sizeof(line) - 2) len = (int)sizeof(line) - 2;
    line[len++] = '\n';
    line[len] = 0;
    if (!MultiByteToWideChar(CP_UTF8, 0, line, -1, line_w, ARRAYSIZE(line_w)))
        line_w[0] = 0;

    if (level != TRACE_LEVEL_TRACE) OutputDebugStringW(line_w);
    if (trace_enabled()) trace_write_stderr(line_w);
    SetLastError(error);
}

const char *debugstr_guid(const GUID *guid)
{
    static char ring[8][40];
    static LONG next;
    char *buffer = ring[(ULONG)InterlockedIncrement(&next) % ARRAYSIZE(ring)];

    if (!guid) return "(null)";
    snprintf(buffer, sizeof(ring[0]), "{%08lX-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
             (unsigned long)guid->Data1, guid->Data2, guid->Data3, guid->Data4[0], guid->Data4[1],
             guid->Data4[2], guid->Data4[3], guid->Data4[4], guid->Data4[5], guid->Data4[6], guid->Data4[7]);
    return buffer;
}
