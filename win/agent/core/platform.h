/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The few things the portable core needs from the OS; defined by win/agent/platform/ for the
 * agent and by tests/unit/fake-platform.c for native tests (a link-time seam, as libuv). */
#ifndef QGA_CORE_PLATFORM_H
#define QGA_CORE_PLATFORM_H

#include <stdint.h>

#include "core/compiler.h"

enum log_level
{
    LOG_ERROR,
    LOG_WARNING,
    LOG_INFO,       /* also goes to the Windows Event Log */
    LOG_DEBUG,      /* only with -v */
};

/* Thread-safe.  Never pass passwords or file contents. */
void platform_log(enum log_level level, const char *fmt, ...) QGA_PRINTF(2, 3);

/* Wall clock, nanoseconds since the Unix epoch. */
int64_t platform_time_ns(void);

#endif
