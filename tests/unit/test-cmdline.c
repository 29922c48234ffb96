/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of Windows command-line quoting and splitting (core/cmdline.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/error.h"
#include "unit.h"

/* Quote one argument after a program name and return the quoted part (static copy). */
static const char *quoted(const char *arg)
{
    static char buffer[512];
    char *line = NULL;

    buffer[0] = 0;
    if (cmdline_append(&line, arg) == 0) snprintf(buffer, sizeof(buffer), "%s", line);
    free(line);
    return buffer;
}

TEST(cmdline_quotes_only_when_needed)
{
    CHECK_STR(quoted("-d"), "-d");
    CHECK_STR(quoted("C:\\dir\\file.log"), "C:\\dir\\file.log");
    CHECK_STR(quoted(""), "\"\"");
    CHECK_STR(quoted("C:\\Program Files\\qga"), "\"C:\\Program Files\\qga\"");
    CHECK_STR(quoted("tab\there"), "\"tab\there\"");
}

TEST(cmdline_escapes_quotes_and_backslashes)
{
    CHECK_STR(quoted("a\"b"), "\"a\\\"b\"");
    CHECK_STR(quoted("C:\\dir with space\\"), "\"C:\\dir with space\\\\\"");   /* trailing \ doubled */
    CHECK_STR(quoted("a\\\"b"), "\"a\\\\\\\"b\"");                          /* \" -> \\\" */
    CHECK_STR(quoted("\\\\server\\share x"), "\"\\\\server\\share x\"");      /* inner \\ kept */
    CHECK_STR(quoted("\""), "\"\\\"\"");
}

TEST(cmdline_program_is_always_quoted)
{
    char *line = NULL;

    CHECK_INT(cmdline_append_program(&line, "C:\\Program Files\\qga-win\\qemu-ga.exe"), 0);
    CHECK_INT(cmdline_append(&line, "-d"), 0);
    CHECK_INT(cmdline_append(&line, "--retry-path"), 0);
    CHECK_STR(line, "\"C:\\Program Files\\qga-win\\qemu-ga.exe\" -d --retry-path");
    free(line);
    line = NULL;
    CHECK_INT(cmdline_append_program(&line, "C:\\bad\"name.exe"), QGA_EINVAL);
    CHECK(line == NULL);
}

TEST(cmdline_split_follows_msvcrt_rules)
{
    char **argv = NULL;
    size_t argc = 0;

    static const char line[] = "\"C:\\a b\\x.exe\" -p \"C:\\x y\\\\\" a\\\\\\\"b \"q\"\"q\" c\\d";

    CHECK_INT(cmdline_split(line, &argv, &argc), 0);
    CHECK_INT(argc, 6);
    if (argc == 6)
    {
        CHECK_STR(argv[0], "C:\\a b\\x.exe");
        CHECK_STR(argv[1], "-p");
        CHECK_STR(argv[2], "C:\\x y\\");
        CHECK_STR(argv[3], "a\\\"b");
        CHECK_STR(argv[4], "q\"q");
        CHECK_STR(argv[5], "c\\d");
        CHECK(argv[6] == NULL);
    }
    cmdline_free_argv(argv);

    CHECK_INT(cmdline_split("", &argv, &argc), 0);
    CHECK_INT(argc, 0);
    CHECK(argv && argv[0] == NULL);
    cmdline_free_argv(argv);
    cmdline_free_argv(NULL);
}

TEST(cmdline_quote_then_split_round_trips)
{
    static const char *const args[] =
    {
        "", " ", "plain", "two words", "\"", "\"\"", "\\", "\\\\", "a\\", "a\\\\", "a b\\", "a b\\\\",
        "\\\"", "x\\\"y", "C:\\Program Files\\qga-win\\qemu-ga.log", "\\\\.\\Global\\org.qemu.guest_agent.0",
        "end\"", "\"start", "tab\tin", "new\nline", "q \"in\" side", "guest-exec,guest-file-open;x",
    };
    size_t i, n = sizeof(args) / sizeof(args[0]), argc = 0;
    char *line = NULL, **argv = NULL;

    CHECK_INT(cmdline_append_program(&line, "C:\\Program Files\\qga-win\\qemu-ga.exe"), 0);
    for (i = 0; i < n; i++) CHECK_INT(cmdline_append(&line, args[i]), 0);
    CHECK_INT(cmdline_split(line, &argv, &argc), 0);
    CHECK_INT(argc, n + 1);
    if (argc == n + 1)
    {
        CHECK_STR(argv[0], "C:\\Program Files\\qga-win\\qemu-ga.exe");
        for (i = 0; i < n; i++) CHECK_STR(argv[i + 1], args[i]);
    }
    cmdline_free_argv(argv);
    free(line);
}
