/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of command-line parsing (core/options.c): getopt_long's rules and messages. */
#include <stdlib.h>
#include <string.h>

#include "core/options.h"
#include "unit.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Action of a command line, and its error text (static copy; "" when none). */
static enum options_action action_of(const char *const *args, const char **error)
{
    static char buffer[512];
    struct options options;
    enum options_action action;

    buffer[0] = 0;
    if (parse_test_args(&options, args) < 0) return (enum options_action)-1;
    action = options.action;
    if (options.error) strncpy(buffer, options.error, sizeof(buffer) - 1);
    buffer[sizeof(buffer) - 1] = 0;
    if (error) *error = buffer;
    options_clear(&options);
    return action;
}

TEST(options_immediate_actions)
{
    CHECK_INT(action_of(ARGS("-h"), NULL), OPTIONS_HELP);
    CHECK_INT(action_of(ARGS("--help"), NULL), OPTIONS_HELP);
    CHECK_INT(action_of(ARGS("-V"), NULL), OPTIONS_VERSION);
    CHECK_INT(action_of(ARGS("--version"), NULL), OPTIONS_VERSION);
    CHECK_INT(action_of(ARGS("-b", "help"), NULL), OPTIONS_LIST_RPCS);
    CHECK_INT(action_of(ARGS("--allow-rpcs=?"), NULL), OPTIONS_LIST_RPCS);
    /* They act where they appear, as in qemu-ga: later errors are not seen... */
    CHECK_INT(action_of(ARGS("-V", "--bogus"), NULL), OPTIONS_VERSION);
    /* ...but an earlier error is. */
    CHECK_INT(action_of(ARGS("--bogus", "-V"), NULL), OPTIONS_ERROR);
}

TEST(options_action_precedence)
{
    CHECK_INT(action_of(ARGS("-m", "isa-serial"), NULL), OPTIONS_RUN);
    CHECK_INT(action_of(ARGS("-D"), NULL), OPTIONS_DUMP_CONF);
    CHECK_INT(action_of(ARGS("-D", "-s", "install"), NULL), OPTIONS_SERVICE);
    CHECK_INT(action_of(ARGS("--service", "vss-uninstall"), NULL), OPTIONS_SERVICE);
}

TEST(options_getopt_messages)
{
    const char *error = NULL;
    struct options options;

    CHECK_INT(action_of(ARGS("--bogus"), &error), OPTIONS_ERROR);
    CHECK_STR(error, "qemu-ga: unrecognized option '--bogus'");
    CHECK_INT(action_of(ARGS("--bogus=1"), &error), OPTIONS_ERROR);
    CHECK_STR(error, "qemu-ga: unrecognized option '--bogus'");
    CHECK_INT(action_of(ARGS("-x"), &error), OPTIONS_ERROR);
    CHECK_STR(error, "qemu-ga: invalid option -- 'x'");
    CHECK_INT(action_of(ARGS("-F"), &error), OPTIONS_ERROR);        /* fsfreeze-hook: POSIX only */
    CHECK_STR(error, "qemu-ga: invalid option -- 'F'");
    CHECK_INT(action_of(ARGS("-m"), &error), OPTIONS_ERROR);
    CHECK_STR(error, "qemu-ga: option requires an argument -- 'm'");
    CHECK_INT(action_of(ARGS("--method"), &error), OPTIONS_ERROR);
    CHECK_STR(error, "qemu-ga: option '--method' requires an argument");
    CHECK_INT(action_of(ARGS("--verbose=1"), &error), OPTIONS_ERROR);
    CHECK_STR(error, "qemu-ga: option '--verbose' doesn't allow an argument");
    CHECK_INT(action_of(ARGS("--ver"), &error), OPTIONS_ERROR);
    CHECK_STR(error, "qemu-ga: option '--ver' is ambiguous; possibilities: '--version' '--verbose'");
    CHECK_INT(action_of(ARGS("-s", "start"), &error), OPTIONS_ERROR);
    CHECK_STR(error, "Unknown service command.");
    CHECK_INT(action_of(ARGS("stray"), &error), OPTIONS_ERROR);
    CHECK_STR(error, "qemu-ga: unexpected argument 'stray'");

    CHECK_INT(parse_test_args(&options, ARGS("-x")), 0);
    CHECK(options.unknown_option);
    options_clear(&options);
    CHECK_INT(parse_test_args(&options, ARGS("-s", "bad")), 0);
    CHECK(!options.unknown_option);     /* qemu-ga prints only "Unknown service command." */
    options_clear(&options);
}

TEST(options_forms_of_arguments)
{
    struct options options;

    CHECK_INT(parse_test_args(&options, ARGS("-vdr", "-mvirtio-serial", "-p", "COM9", "--logfile=C:\\a b.log",
                                        "--statedir", "C:\\s", "--meth=isa-serial", "--retry", "--", "-f")),
              0);
    /* "--" ends the options: "-f" is then a stray operand. */
    CHECK_INT(options.action, OPTIONS_ERROR);
    options_clear(&options);

    CHECK_INT(parse_test_args(&options, ARGS("-vdr", "-mvirtio-serial", "-p", "COM9", "--logfile=C:\\a b.log",
                                        "--statedir", "C:\\s", "--meth=isa-serial", "-c", "x.conf", "-f",
                                        "p")), 0);
    CHECK_INT(options.action, OPTIONS_RUN);
    CHECK_INT(options.setting_count, 10);
    if (options.setting_count == 10)
    {
        CHECK_INT(options.settings[0].letter, 'v');
        CHECK_INT(options.settings[1].letter, 'd');
        CHECK_INT(options.settings[2].letter, 'r');
        CHECK_INT(options.settings[3].letter, 'm');
        CHECK_STR(options.settings[3].value, "virtio-serial");
        CHECK_INT(options.settings[4].letter, 'p');
        CHECK_STR(options.settings[4].value, "COM9");
        CHECK_INT(options.settings[5].letter, 'l');
        CHECK_STR(options.settings[5].value, "C:\\a b.log");
        CHECK_INT(options.settings[6].letter, 't');
        CHECK_INT(options.settings[7].letter, 'm');
        CHECK_STR(options.settings[7].value, "isa-serial");
        CHECK_INT(options.settings[8].letter, 'c');
        CHECK_INT(options.settings[9].letter, 'f');
    }
    CHECK_STR(options.config_file, "x.conf");
    options_clear(&options);
    options_clear(&options);
}

TEST(options_names_and_paths)
{
    CHECK_STR(options_long_name('m'), "method");
    CHECK_STR(options_long_name('r'), "retry-path");
    CHECK(options_long_name('F') == NULL);
    CHECK(options_letter_is_path('l'));
    CHECK(options_letter_is_path('c'));
    CHECK(!options_letter_is_path('p'));     /* a device path, never made absolute */
    CHECK(!options_letter_is_path('m'));
}
