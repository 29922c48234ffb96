/* SPDX-License-Identifier: GPL-2.0-or-later */
/* platform_time_ns() for the core: the wall clock in nanoseconds since the Unix epoch. */
#include <windows.h>

#include "core/platform.h"

/* FILETIME counts 100 ns intervals since 1601-01-01; the Unix epoch is this many later. */
#define FILETIME_UNIX_EPOCH 116444736000000000LL

int64_t platform_time_ns(void)
{
    FILETIME now;
    ULARGE_INTEGER value;

    GetSystemTimeAsFileTime(&now);     /* Windows 7 has no ...Precise... variant */
    value.LowPart = now.dwLowDateTime;
    value.HighPart = now.dwHighDateTime;
    return ((int64_t)value.QuadPart - FILETIME_UNIX_EPOCH) * 100;
}
