/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Runs the native unit tests of test-list.h and prints TAP; exits non-zero on any failure.
 * Arguments, if any, select the tests whose names contain one of them. */
#include <stdio.h>
#include <string.h>

#include "unit.h"

int check_failed;

static const struct
{
    const char *name;
    void (*run)(void);
} tests[] =
{
#define X(name) { #name, test_##name },
    UNIT_TESTS(X)
#undef X
};

static int selected(const char *name, int argc, char **argv)
{
    int i;

    if (argc < 2) return 1;
    for (i = 1; i < argc; i++)
    {
        if (strstr(name, argv[i])) return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    size_t i, count = 0, passed = 0, failed = 0;

    for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) count += selected(tests[i].name, argc, argv);
    printf("1..%zu\n", count);
    count = 0;
    for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
    {
        if (!selected(tests[i].name, argc, argv)) continue;
        check_failed = 0;
        fake_log_clear();
        tests[i].run();
        fflush(stdout);
        printf("%sok %zu - %s\n", check_failed ? "not " : "", ++count, tests[i].name);
        if (check_failed) failed++;
        else passed++;
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    return failed ? 1 : 0;
}
