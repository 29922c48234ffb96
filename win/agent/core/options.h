/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qemu-ga's command line (getopt_long "hVvdc:m:p:l:f:b:a:s:t:Dr" with long forms and unique
 * prefixes), parsed portably into an action plus the settings in the order given. */
#ifndef QGA_CORE_OPTIONS_H
#define QGA_CORE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

enum options_action
{
    OPTIONS_RUN,            /* run the agent (console, or service with -d) */
    OPTIONS_HELP,           /* -h: print usage, exit 0 */
    OPTIONS_VERSION,        /* -V: print "QEMU Guest Agent <version>", exit 0 */
    OPTIONS_LIST_RPCS,      /* -b help / -a help / "?": list the commands, exit 0 */
    OPTIONS_SERVICE,        /* -s install|uninstall|vss-install|vss-uninstall */
    OPTIONS_DUMP_CONF,      /* -D: print the effective configuration, exit 0 */
    OPTIONS_ERROR,          /* message in error; exit 1 */
};

/* One option as given (short letter and its argument or NULL), kept in order for the service
 * command line and applied over the config file by options_apply(). */
struct option_setting
{
    char letter;
    char *value;            /* owned */
};

struct options
{
    enum options_action action;
    char *service;                      /* -s argument (validated), owned */
    char *config_file;                  /* -c PATH, owned (last one wins) */
    struct option_setting *settings;    /* every -c -m -p -l -f -t -v -d -r -b -a, in order */
    size_t setting_count;
    /* OPTIONS_ERROR: getopt's diagnostic ("qemu-ga: invalid option -- 'x'") for stderr and,
     * when unknown_option, qemu-ga's "Unknown option, try '... --help' ..." line for stdout. */
    char *error;
    bool unknown_option;
};

/* Parse argv (UTF-8; argv[0] is the program name used in messages).  -h, -V and "-b help" act
 * where they appear, as in qemu-ga; so does the first error.  Otherwise -s beats -D beats run.
 * Returns 0 (action set; OPTIONS_ERROR included) or QGA_ENOMEM.  *options cleared on entry. */
int options_parse(struct options *options, int argc, char **argv);

/* Apply the command-line settings over config (scalars replace, lists accumulate, -c ignored). */
int options_apply(const struct options *options, struct config *config);

/* True for settings that name files or directories (made absolute for the service). */
bool options_letter_is_path(char letter);

/* Long name of a short option ("method" for 'm'), or NULL. */
const char *options_long_name(char letter);

void options_clear(struct options *options);

#endif
