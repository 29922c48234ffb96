/* SPDX-License-Identifier: GPL-2.0-or-later */
/* platform.h for the native tests and fuzzers: logs into a buffer the tests read, a settable clock. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/platform.h"
#include "unit.h"

static char log_text[64 * 1024];
static size_t log_len;
static int64_t fake_now_ns = 1700000000LL * 1000000000LL;

void platform_log(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = { "ERROR", "WARNING", "INFO", "DEBUG" };
    va_list ap;
    int len;

    if (log_len + 256 > sizeof(log_text)) log_len = 0;     /* keep the newest lines */
    len = snprintf(log_text + log_len, sizeof(log_text) - log_len, "%s ",
                   (unsigned)level < 4 ? names[level] : "?");
    if (len > 0) log_len += (size_t)len;
    va_start(ap, fmt);
    len = vsnprintf(log_text + log_len, sizeof(log_text) - log_len - 1, fmt, ap);
    va_end(ap);
    if (len > 0) log_len += (size_t)len < sizeof(log_text) - log_len - 1 ? (size_t)len : sizeof(log_text) - log_len - 2;
    log_text[log_len++] = '\n';
    log_text[log_len] = 0;
}

int64_t platform_time_ns(void)
{
    return fake_now_ns;
}

const char *fake_log_text(void)
{
    return log_text;
}

void fake_log_clear(void)
{
    log_len = 0;
    log_text[0] = 0;
}

void fake_time_set(int64_t ns)
{
    fake_now_ns = ns;
}
