/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-set-time's validation and FILETIME conversion (portable core). */
#include "core/guest-time.h"

#include "core/error.h"

int guest_time_to_filetime(int64_t time_ns, uint64_t *filetime)
{
    *filetime = 0;
    if (time_ns < 0 || time_ns / 100 > INT64_MAX - FILETIME_UNIX_EPOCH) return QGA_EINVAL;
    *filetime = (uint64_t)(time_ns / 100 + FILETIME_UNIX_EPOCH);
    return 0;
}
