/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ok() in Wine's test style for cross-built COM test programs, printing TAP: one "ok N - ..." or
 * "not ok N - file:line: ..." per check, a "1..N" plan at the end, exit status = failures.
 * pytest runs the program under Wine and collects the lines (tests/wine/test_provider.py). */
#ifndef QGA_WINE_TEST_H
#define QGA_WINE_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int test_count, test_failures;
static const char *test_name = "";

#define ok(cond, ...) ok_(__FILE__, __LINE__, !!(cond), __VA_ARGS__)

static inline void ok_(const char *file, int line, int passed, const char *fmt, ...)
    __attribute__((format(gnu_printf, 4, 5)));
static inline void ok_(const char *file, int line, int passed, const char *fmt, ...)
{
    char message[512];
    va_list args;
    size_t len;

    va_start(args, fmt);
    vsnprintf(message, sizeof(message), fmt, args);
    va_end(args);
    len = strlen(message);
    while (len && (message[len - 1] == '\n' || message[len - 1] == '.')) message[--len] = 0;
    test_count++;
    if (passed) printf("ok %d - %s: %s\n", test_count, test_name, message);
    else
    {
        test_failures++;
        printf("not ok %d - %s: %s:%d: %s\n", test_count, test_name, file, line, message);
    }
    fflush(stdout);
}

/* Runs one test function under its name (shown in every line it prints). */
#define run_test(fn) do { test_name = #fn; fn(); } while (0)

static inline int test_finish(void)
{
    printf("1..%d\n# %d passed, %d failed\n", test_count, test_count - test_failures, test_failures);
    fflush(stdout);
    return test_failures ? 1 : 0;
}

#endif
