/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzzes the configuration file parser, the -D dump and the command line.  Properties:
 * - a file that parses and applies dumps to a file that parses back to the same dump;
 * - any argv parses to one action; quoting each argument for a Windows command line and
 *   splitting the line again gives the arguments back.
 * The first byte selects the mode; the rest is a config file, or NUL-separated arguments. */
#include <stdlib.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/config.h"
#include "core/error.h"
#include "core/keyfile.h"
#include "core/options.h"
#include "fuzz.h"

#define MAX_ARGS 64

static void fuzz_config_file(const char *text, size_t len)
{
    struct keyfile keyfile, again_keyfile;
    struct config config, again;
    char *error = NULL, *dump = NULL, *dump_again = NULL;
    int ret;

    ret = keyfile_parse(text, len, &keyfile, &error);
    FUZZ_ASSERT(ret == 0 || ret == QGA_EINVAL);
    FUZZ_ASSERT(ret == 0 ? error == NULL && (keyfile.count == 0 || keyfile.entries) : error != NULL);
    free(error);
    error = NULL;
    if (ret < 0) return;

    config_init(&config);
    ret = config_apply_keyfile(&config, &keyfile, &error);
    FUZZ_ASSERT(ret == 0 || (ret == QGA_EINVAL && error));
    free(error);
    error = NULL;
    if (ret == 0)
    {
        FUZZ_ASSERT(config_dump(&config, &dump) == 0);
        FUZZ_ASSERT(keyfile_parse(dump, strlen(dump), &again_keyfile, NULL) == 0);
        config_init(&again);
        FUZZ_ASSERT(config_apply_keyfile(&again, &again_keyfile, NULL) == 0);
        FUZZ_ASSERT(config_dump(&again, &dump_again) == 0);
        if (strcmp(dump, dump_again))
        {
            fprintf(stderr, "first dump:\n%s\nsecond dump:\n%s\n", dump, dump_again);
            FUZZ_ASSERT(!"the -D dump reads back to the same configuration");
        }
        free(dump);
        free(dump_again);
        config_clear(&again);
        keyfile_clear(&again_keyfile);
    }
    config_clear(&config);
    keyfile_clear(&keyfile);
}

static void fuzz_command_line(const char *data, size_t len)
{
    char *copy = malloc(len + 1), *argv[MAX_ARGS + 2], *line = NULL, **split = NULL;
    struct options options;
    struct config config;
    size_t argc = 1, i, split_count = 0;

    FUZZ_ASSERT(copy);
    memcpy(copy, data, len);
    copy[len] = 0;
    argv[0] = (char *)"qemu-ga";
    for (i = 0; i <= len && argc <= MAX_ARGS; )
    {
        argv[argc++] = copy + i;
        i += strlen(copy + i) + 1;
    }
    argv[argc] = NULL;

    FUZZ_ASSERT(options_parse(&options, (int)argc, argv) == 0);
    FUZZ_ASSERT(options.action <= OPTIONS_ERROR);
    FUZZ_ASSERT((options.action == OPTIONS_ERROR) == (options.error != NULL));
    config_init(&config);
    if (options.action == OPTIONS_RUN) FUZZ_ASSERT(options_apply(&options, &config) == 0);
    config_clear(&config);
    options_clear(&options);

    FUZZ_ASSERT(cmdline_append_program(&line, "C:\\Program Files\\qga-win\\qemu-ga.exe") == 0);
    for (i = 1; i < argc; i++) FUZZ_ASSERT(cmdline_append(&line, argv[i]) == 0);
    FUZZ_ASSERT(cmdline_split(line, &split, &split_count) == 0);
    FUZZ_ASSERT(split_count == argc);
    for (i = 1; i < argc; i++) FUZZ_ASSERT(!strcmp(split[i], argv[i]));
    cmdline_free_argv(split);
    free(line);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) return 0;
    if (data[0] & 1)
        fuzz_command_line((const char *)data + 1, size - 1);
    else
        fuzz_config_file((const char *)data + 1, size - 1);
    return 0;
}
