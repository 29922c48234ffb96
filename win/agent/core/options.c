/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command-line parsing with getopt_long's rules and messages, without getopt (portable). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/options.h"

enum has_arg { NO_ARG, REQUIRED_ARG };

struct option_def
{
    const char *name;
    enum has_arg has_arg;
    char letter;
};

/* compat: qga/main.c's lopt[] on Windows (no fsfreeze-hook); order matters for ambiguity lists. */
static const struct option_def option_defs[] =
{
    { "help",       NO_ARG,       'h' },
    { "version",    NO_ARG,       'V' },
    { "config",     REQUIRED_ARG, 'c' },
    { "dump-conf",  NO_ARG,       'D' },
    { "logfile",    REQUIRED_ARG, 'l' },
    { "pidfile",    REQUIRED_ARG, 'f' },
    { "verbose",    NO_ARG,       'v' },
    { "method",     REQUIRED_ARG, 'm' },
    { "path",       REQUIRED_ARG, 'p' },
    { "daemonize",  NO_ARG,       'd' },
    { "block-rpcs", REQUIRED_ARG, 'b' },
    { "allow-rpcs", REQUIRED_ARG, 'a' },
    { "service",    REQUIRED_ARG, 's' },
    { "statedir",   REQUIRED_ARG, 't' },
    { "retry-path", NO_ARG,       'r' },
};
#define OPTION_COUNT (sizeof(option_defs) / sizeof(option_defs[0]))

static const char *const service_commands[] = { "install", "uninstall", "vss-install", "vss-uninstall" };

static const struct option_def *find_letter(char letter)
{
    size_t i;

    for (i = 0; i < OPTION_COUNT; i++)
        if (option_defs[i].letter == letter) return &option_defs[i];
    return NULL;
}

const char *options_long_name(char letter)
{
    const struct option_def *def = find_letter(letter);
    return def ? def->name : NULL;
}

bool options_letter_is_path(char letter)
{
    return letter == 'c' || letter == 'l' || letter == 'f' || letter == 't';
}

static int fail(struct options *options, bool unknown_option, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct options *options, bool unknown_option, const char *fmt, ...)
{
    char text[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    options->action = OPTIONS_ERROR;
    options->unknown_option = unknown_option;
    if (!(options->error = strdup(text))) return QGA_ENOMEM;
    return 1;   /* parsing stops */
}

static bool is_help_option(const char *value)
{
    /* compat: qemu-ga's is_help_option() */
    return !strcmp(value, "help") || !strcmp(value, "?");
}

static int add_setting(struct options *options, char letter, const char *value)
{
    struct option_setting *grown;
    char *copy = NULL;

    if (value && !(copy = strdup(value))) return QGA_ENOMEM;
    grown = realloc(options->settings, (options->setting_count + 1) * sizeof(*grown));
    if (!grown)
    {
        free(copy);
        return QGA_ENOMEM;
    }
    options->settings = grown;
    grown[options->setting_count].letter = letter;
    grown[options->setting_count].value = copy;
    options->setting_count++;
    return 0;
}

/* Handle one recognised option.  Returns 0, QGA_ENOMEM, or 1 when parsing must stop (an
 * immediate action or an error was recorded). */
static int handle(struct options *options, const struct option_def *def, const char *value, bool *dump)
{
    size_t i;

    switch (def->letter)
    {
    case 'h':
        options->action = OPTIONS_HELP;
        return 1;
    case 'V':
        options->action = OPTIONS_VERSION;
        return 1;
    case 'D':
        *dump = true;
        return 0;
    case 's':
        for (i = 0; i < sizeof(service_commands) / sizeof(service_commands[0]); i++)
            if (!strcmp(value, service_commands[i])) break;
        if (i == sizeof(service_commands) / sizeof(service_commands[0]))
        {
            /* compat: qemu-ga's message and exit code 1 */
            return fail(options, false, "Unknown service command.");
        }
        free(options->service);
        if (!(options->service = strdup(value))) return QGA_ENOMEM;
        return 0;
    case 'b':
    case 'a':
        if (is_help_option(value))
        {
            options->action = OPTIONS_LIST_RPCS;
            return 1;
        }
        break;
    case 'c':
        free(options->config_file);
        if (!(options->config_file = strdup(value))) return QGA_ENOMEM;
        break;
    default:
        break;
    }
    return add_setting(options, def->letter, value);
}

static int parse_long(struct options *options, int argc, char **argv, int *index, bool *dump)
{
    const char *program = argv[0] ? argv[0] : "qemu-ga";
    const char *arg = argv[*index] + 2, *eq = strchr(arg, '='), *value = NULL;
    size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg), i, matches = 0;
    const struct option_def *def = NULL;
    char possibilities[512] = "";

    for (i = 0; i < OPTION_COUNT; i++)
    {
        if (strncmp(option_defs[i].name, arg, name_len)) continue;
        if (strlen(option_defs[i].name) == name_len)
        {
            def = &option_defs[i];      /* an exact match beats prefixes */
            matches = 1;
            break;
        }
        def = &option_defs[i];
        matches++;
        snprintf(possibilities + strlen(possibilities), sizeof(possibilities) - strlen(possibilities),
                 " '--%s'", option_defs[i].name);
    }
    if (!matches)
        return fail(options, true, "%s: unrecognized option '--%.*s'", program, (int)name_len, arg);
    if (matches > 1)
        return fail(options, true, "%s: option '--%.*s' is ambiguous; possibilities:%s", program,
                    (int)name_len, arg, possibilities);

    if (def->has_arg == NO_ARG && eq)
        return fail(options, true, "%s: option '--%s' doesn't allow an argument", program, def->name);
    if (def->has_arg == REQUIRED_ARG)
    {
        if (eq)
            value = eq + 1;
        else if (*index + 1 < argc)
            value = argv[++*index];
        else
            return fail(options, true, "%s: option '--%s' requires an argument", program, def->name);
    }
    return handle(options, def, value, dump);
}

static int parse_short(struct options *options, int argc, char **argv, int *index, bool *dump)
{
    const char *program = argv[0] ? argv[0] : "qemu-ga";
    const char *p = argv[*index] + 1;
    int ret;

    while (*p)
    {
        const struct option_def *def = find_letter(*p);
        const char *value = NULL;

        if (!def)
            return fail(options, true, "%s: invalid option -- '%c'", program, *p);
        if (def->has_arg == REQUIRED_ARG)
        {
            if (p[1])
                value = p + 1;
            else if (*index + 1 < argc)
                value = argv[++*index];
            else
                return fail(options, true, "%s: option requires an argument -- '%c'", program, *p);
        }
        if ((ret = handle(options, def, value, dump)) != 0) return ret;
        if (value) break;
        p++;
    }
    return 0;
}

int options_parse(struct options *options, int argc, char **argv)
{
    const char *program = argc > 0 && argv[0] ? argv[0] : "qemu-ga";
    bool dump = false, only_operands = false;
    int i, ret = 0;

    memset(options, 0, sizeof(*options));
    options->action = OPTIONS_RUN;
    for (i = 1; i < argc && ret == 0; i++)
    {
        const char *arg = argv[i];

        if (!only_operands && !strcmp(arg, "--"))
            only_operands = true;
        else if (!only_operands && arg[0] == '-' && arg[1] == '-')
            ret = parse_long(options, argc, argv, &i, &dump);
        else if (!only_operands && arg[0] == '-' && arg[1])
            ret = parse_short(options, argc, argv, &i, &dump);
        else
            /* Deliberate difference: qemu-ga ignores operands; a stray word is usually a typo. */
            ret = fail(options, true, "%s: unexpected argument '%s'", program, arg);
    }
    if (ret < 0)
    {
        options_clear(options);
        return ret;
    }
    if (ret == 0)
    {
        if (options->service) options->action = OPTIONS_SERVICE;
        else if (dump) options->action = OPTIONS_DUMP_CONF;
    }
    return 0;
}

int options_apply(const struct options *options, struct config *config)
{
    size_t i;
    int ret = 0;

    for (i = 0; i < options->setting_count && ret >= 0; i++)
    {
        const char *value = options->settings[i].value;

        switch (options->settings[i].letter)
        {
        case 'm': ret = config_set_string(&config->method, value); break;
        case 'p': ret = config_set_string(&config->path, value); break;
        case 'l': ret = config_set_string(&config->logfile, value); break;
        case 'f': ret = config_set_string(&config->pidfile, value); break;
        case 't': ret = config_set_string(&config->statedir, value); break;
        case 'v': config->verbose = true; break;
        case 'd': config->daemon = true; break;
        case 'r': config->retry_path = true; break;
        case 'b': ret = name_list_add_split(&config->block_rpcs, value); break;
        case 'a': ret = name_list_add_split(&config->allow_rpcs, value); break;
        default: break;     /* 'c' was used to find the file */
        }
    }
    return ret;
}

void options_clear(struct options *options)
{
    size_t i;

    if (!options) return;
    for (i = 0; i < options->setting_count; i++) free(options->settings[i].value);
    free(options->settings);
    free(options->service);
    free(options->config_file);
    free(options->error);
    memset(options, 0, sizeof(*options));
}
