/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzzes the configuration: the config-file parser (core/keyfile.c, core/config.c), the command
 * line (core/options.c) and the service command line's quoting (core/cmdline.c).  The input is
 * a config file, optionally followed by a NUL and a Windows command line.  Properties: a parse
 * error names its line; the -D dump of an accepted configuration reads back to the same dump;
 * a split command line quoted again splits into the same arguments. */
#include <stdbool.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/config.h"
#include "core/error.h"
#include "core/keyfile.h"
#include "core/options.h"
#include "fuzz.h"

/* A line-based file cannot hold a path with a CR or LF (nor can a Windows path). */
static bool writable(const char *path)
{
    return !path || !strpbrk(path, "\r\n");
}

/* The dump of text applied over a fresh configuration, or NULL when it does not apply. */
static char *dump_of(const char *text, size_t len, bool must_parse)
{
    struct keyfile keyfile;
    struct config config;
    char *error = NULL, *dump = NULL;
    int ret;

    config_init(&config);
    ret = keyfile_parse(text, len, &keyfile, &error);
    FUZZ_ASSERT(ret == 0 || ret == QGA_EINVAL || ret == QGA_ENOMEM);
    FUZZ_ASSERT(!must_parse || ret == 0);
    if (ret == QGA_EINVAL) FUZZ_ASSERT(error && !strncmp(error, "line ", 5));
    if (ret == 0)
    {
        ret = config_apply_keyfile(&config, &keyfile, &error);
        FUZZ_ASSERT(!must_parse || ret == 0);
        if (ret == QGA_EINVAL) FUZZ_ASSERT(error && !strncmp(error, "line ", 5));
    }
    if (ret == 0 && config_set_defaults(&config, "C:\\ProgramData\\qemu-ga", '\\') == 0
        && writable(config.path) && writable(config.logfile) && writable(config.pidfile)
        && writable(config.statedir))
        FUZZ_ASSERT(config_dump(&config, &dump) == 0 && dump);
    free(error);
    keyfile_clear(&keyfile);
    config_clear(&config);
    return dump;
}

static void check_config_file(const char *text, size_t len)
{
    char *dump = dump_of(text, len, false), *again;

    if (!dump) return;
    again = dump_of(dump, strlen(dump), true);
    if (strcmp(dump, again)) fprintf(stderr, "dump:\n%s\nread back and dumped:\n%s\n", dump, again);
    FUZZ_ASSERT(!strcmp(dump, again));
    free(dump);
    free(again);
}

static bool same_argv(char **a, size_t a_count, char **b, size_t b_count)
{
    size_t i;

    if (a_count != b_count) return false;
    for (i = 0; i < a_count; i++)
        if (strcmp(a[i], b[i])) return false;
    return true;
}

static void check_command_line(const char *line)
{
    char **argv = NULL, **again = NULL, *quoted = NULL;
    size_t argc = 0, again_count = 0, i;
    struct options options;
    struct config config;

    FUZZ_ASSERT(cmdline_split(line, &argv, &argc) == 0);
    if (argc && argc < 1000)
    {
        /* The agent's own command line parser must take whatever Windows hands it. */
        FUZZ_ASSERT(options_parse(&options, (int)argc, argv) == 0);
        config_init(&config);
        if (options.action != OPTIONS_ERROR) FUZZ_ASSERT(options_apply(&options, &config) == 0);
        config_clear(&config);
        options_clear(&options);

        /* Quote it again as the service installer does: the program name has its own rule and
         * cannot hold a quote (refused), every other argument must come back unchanged. */
        if (cmdline_append_program(&quoted, argv[0]) == 0)
        {
            for (i = 1; i < argc; i++) FUZZ_ASSERT(cmdline_append(&quoted, argv[i]) == 0);
            FUZZ_ASSERT(cmdline_split(quoted, &again, &again_count) == 0);
            if (!same_argv(argv, argc, again, again_count))
                fprintf(stderr, "line: [%s]\nquoted again: [%s]\n", line, quoted);
            FUZZ_ASSERT(same_argv(argv, argc, again, again_count));
        }
        else
        {
            FUZZ_ASSERT(strchr(argv[0], '"'));
        }
    }
    free(quoted);
    cmdline_free_argv(again);
    cmdline_free_argv(argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, 0, size);
    char *line;

    check_config_file(text, nul ? (size_t)(nul - text) : size);
    if (!nul) return 0;
    /* The rest, up to the next NUL, is a command line. */
    size -= (size_t)(nul - text) + 1;
    if (!(line = malloc(size + 1))) return 0;
    memcpy(line, nul + 1, size);
    line[size] = 0;
    check_command_line(line);
    free(line);
    return 0;
}
