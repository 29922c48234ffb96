/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command-line quoting round trips through the CommandLineToArgvW rules (core/cmdline.c). */
#include <stdlib.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/error.h"
#include "unit.h"

/* Builds a command line from argv and checks it and its split. */
static void check_round_trip(const char *const *argv, size_t argc, const char *want_line)
{
    char *line = NULL, **split = NULL;
    size_t split_argc = 0;

    CHECK_INT(cmdline_build(argv, argc, &line), 0);
    if (!line) return;
    if (want_line) CHECK_STR(line, want_line);
    CHECK_INT(cmdline_split(line, &split, &split_argc), 0);
    CHECK_INT(split_argc, argc);
    for (size_t i = 0; i < argc && i < split_argc; i++) CHECK_STR(split[i], argv[i]);
    cmdline_free_argv(split);
    free(line);
}

void test_cmdline_plain_args_unquoted(void)
{
    const char *argv[] = { "cmd.exe", "/c", "echo", "hi" };
    check_round_trip(argv, 4, "\"cmd.exe\" /c echo hi");
}

void test_cmdline_program_always_quoted(void)
{
    const char *argv[] = { "C:\\Program Files\\qga\\qemu-ga.exe", "-d" };
    check_round_trip(argv, 2, "\"C:\\Program Files\\qga\\qemu-ga.exe\" -d");
}

void test_cmdline_program_trailing_backslash_kept(void)
{
    /* argv[0] has no escapes: "C:\dir\" must not become "C:\dir\\" */
    const char *argv[] = { "C:\\dir\\", "x" };
    check_round_trip(argv, 2, "\"C:\\dir\\\" x");
}

void test_cmdline_spaces_and_empty(void)
{
    const char *argv[] = { "p", "a b", "", "\t", "c" };
    check_round_trip(argv, 5, "\"p\" \"a b\" \"\" \"\t\" c");
}

void test_cmdline_quotes_escaped(void)
{
    const char *argv[] = { "p", "say \"hi\"", "\"", "a\"b" };
    check_round_trip(argv, 4, "\"p\" \"say \\\"hi\\\"\" \"\\\"\" \"a\\\"b\"");
}

void test_cmdline_backslashes(void)
{
    /* backslashes are literal unless they precede a quote (ours or the argument's) */
    const char *argv[] = { "p", "C:\\a\\b", "C:\\dir with space\\", "a\\\\\"b", "\\\\server\\share", "x\\" };
    check_round_trip(argv, 6,
        "\"p\" C:\\a\\b \"C:\\dir with space\\\\\" \"a\\\\\\\\\\\"b\" \\\\server\\share x\\");
}

void test_cmdline_newline_quoted(void)
{
    const char *argv[] = { "p", "line1\nline2", "v\vt" };
    check_round_trip(argv, 3, "\"p\" \"line1\nline2\" \"v\vt\"");
}

void test_cmdline_utf8_untouched(void)
{
    const char *argv[] = { "C:\\Users\\J\xc3\xb6rg\\a.exe", "\xe2\x82\xac", "\xf0\x9f\x98\x80 x" };
    check_round_trip(argv, 3, NULL);
}

void test_cmdline_rejects_bad_program(void)
{
    const char *empty[] = { "" }, *quoted[] = { "a\"b" };
    char *line = (char *)1;

    CHECK_INT(cmdline_build(empty, 1, &line), QGA_EINVAL);
    CHECK_TRUE(line == NULL);
    CHECK_INT(cmdline_build(quoted, 1, &line), QGA_EINVAL);
    CHECK_INT(cmdline_build(quoted, 0, &line), QGA_EINVAL);
}

void test_cmdline_every_byte_round_trips(void)
{
    /* every printable ASCII pair, with backslash and quote neighbours, survives */
    static const char alphabet[] = " \t\"\\a";
    char args[125][4];
    const char *argv[126];
    size_t argc = 1, n = sizeof(alphabet) - 1;

    argv[0] = "prog";
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            for (size_t k = 0; k < n; k++)
            {
                args[argc - 1][0] = alphabet[i];
                args[argc - 1][1] = alphabet[j];
                args[argc - 1][2] = alphabet[k];
                args[argc - 1][3] = 0;
                argv[argc] = args[argc - 1];
                argc++;
            }
    check_round_trip(argv, argc, NULL);
}

void test_cmdline_split_windows_rules(void)
{
    char **argv = NULL;
    size_t argc = 0;

    /* documented CommandLineToArgvW examples */
    CHECK_INT(cmdline_split("prog \"a b c\" d e", &argv, &argc), 0);
    CHECK_INT(argc, 4);
    if (argc == 4) CHECK_STR(argv[1], "a b c");
    cmdline_free_argv(argv);

    CHECK_INT(cmdline_split("prog \"ab\\\"c\" \"\\\\\" d", &argv, &argc), 0);
    CHECK_INT(argc, 4);
    if (argc == 4)
    {
        CHECK_STR(argv[1], "ab\"c");
        CHECK_STR(argv[2], "\\");
        CHECK_STR(argv[3], "d");
    }
    cmdline_free_argv(argv);

    CHECK_INT(cmdline_split("prog a\\\\\\b d\"e f\"g h", &argv, &argc), 0);
    CHECK_INT(argc, 4);
    if (argc == 4)
    {
        CHECK_STR(argv[1], "a\\\\\\b");
        CHECK_STR(argv[2], "de fg");
        CHECK_STR(argv[3], "h");
    }
    cmdline_free_argv(argv);

    CHECK_INT(cmdline_split("prog a\\\\\\\"b c d", &argv, &argc), 0);
    CHECK_INT(argc, 4);
    if (argc == 4) CHECK_STR(argv[1], "a\\\"b");
    cmdline_free_argv(argv);

    CHECK_INT(cmdline_split("\"C:\\Program Files\\x.exe\"arg   ", &argv, &argc), 0);
    CHECK_INT(argc, 2);
    if (argc == 2)
    {
        CHECK_STR(argv[0], "C:\\Program Files\\x.exe");
        CHECK_STR(argv[1], "arg");
    }
    cmdline_free_argv(argv);

    CHECK_INT(cmdline_split("   ", &argv, &argc), 0);
    CHECK_INT(argc, 0);
    CHECK_TRUE(argv && argv[0] == NULL);
    cmdline_free_argv(argv);
}
