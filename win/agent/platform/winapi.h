/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Optional Win32 entry points, resolved once with GetProcAddress (as libuv's src/win/winapi.c):
 * functions newer than our oldest target (Vista / Server 2008) or not in an import library. */
#ifndef QGA_PLATFORM_WINAPI_H
#define QGA_PLATFORM_WINAPI_H

#include <windows.h>

struct winapi
{
    /* ntdll, every version; declared only in the DDK.  Unlike GetVersionEx it ignores the
     * application manifest, so Windows 8.1 and later report their real version. */
    LONG (WINAPI *RtlGetVersion)(OSVERSIONINFOEXW *info);
    /* kernel32, Windows 7 / Server 2008 R2: processor groups (more than 64 logical processors). */
    BOOL (WINAPI *GetLogicalProcessorInformationEx)(LOGICAL_PROCESSOR_RELATIONSHIP relationship,
                                                    SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *buffer,
                                                    DWORD *length);
};

/* The resolved table; entries are NULL where the system lacks them (check before each use).
 * Resolved on first call, thread-safe, never freed (the modules stay loaded). */
const struct winapi *winapi_get(void);

#endif
