/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TRACE/WARN/ERR for the Windows side of qga-vss.dll (and any Windows code that wants them).
 *
 * ERR and WARN always go to OutputDebugStringW (a debugger or DebugView sees them).  Everything,
 * TRACE included, also goes to stderr when QGA_VSS_DEBUG is set to anything but "" or "0" in the
 * environment; TRACE costs a test of one flag otherwise.  Thread-safe; callable from DllMain-free
 * contexts only (it reads the environment once, lazily). */
#ifndef QGA_COMMON_TRACE_H
#define QGA_COMMON_TRACE_H

#include <windows.h>
#include <stdbool.h>

enum trace_level
{
    TRACE_LEVEL_ERR,
    TRACE_LEVEL_WARN,
    TRACE_LEVEL_TRACE,
};

/* True when TRACE lines are wanted (QGA_VSS_DEBUG). */
bool trace_enabled(void);
/* One line "qga-vss: <level>:<func>: <printf fmt...>" (UTF-8 format, %ls for WCHAR strings). */
void trace_printf(enum trace_level level, const char *func, const char *fmt, ...)
    __attribute__((format(gnu_printf, 3, 4)));
/* Writes UTF-16 text to the process's stderr handle (console or file/pipe as UTF-8), always. */
void trace_write_stderr(const WCHAR *text);
/* "{XXXXXXXX-...}" in one of a small ring of static buffers: valid for a few calls. */
const char *debugstr_guid(const GUID *guid);

#define TRACE(...) do { if (trace_enabled()) trace_printf(TRACE_LEVEL_TRACE, __func__, __VA_ARGS__); } \
    while (0)
#define WARN(...)  trace_printf(TRACE_LEVEL_WARN, __func__, __VA_ARGS__)
#define ERR(...)   trace_printf(TRACE_LEVEL_ERR, __func__, __VA_ARGS__)
/* For methods we do not implement: warn the first time only. */
#define WARN_ONCE(...) do { static LONG warned_; \
    if (!InterlockedExchange(&warned_, 1)) WARN(__VA_ARGS__); } while (0)

#endif
