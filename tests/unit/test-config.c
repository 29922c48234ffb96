/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the effective configuration: file keys, precedence, defaults, -D (core/config.c,
 * core/options.c). */
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/error.h"
#include "core/keyfile.h"
#include "core/options.h"
#include "unit.h"

static int apply_text(struct config *config, const char *text, char **error)
{
    struct keyfile keyfile;
    int ret = keyfile_parse(text, strlen(text), &keyfile, error);

    if (ret == 0) ret = config_apply_keyfile(config, &keyfile, error);
    keyfile_clear(&keyfile);
    return ret;
}

TEST(config_reads_every_general_key)
{
    struct config config;
    char *error = NULL;

    config_init(&config);
    CHECK_INT(apply_text(&config, "[general]\ndaemon=true\nmethod=isa-serial\npath=COM9\nlogfile=C:\\l.txt\n"
                         "pidfile=C:\\p.pid\nstatedir=C:\\state\nverbose=1\nretry-path=true\n"
                         "block-rpcs=guest-exec,guest-file-open\nallow-rpcs=guest-ping;guest-info\n"
                         "unknown=ignored\n[other]\nmethod=ignored\n", &error), 0);
    CHECK(error == NULL);
    CHECK(config.daemon);
    CHECK_STR(config.method, "isa-serial");
    CHECK_STR(config.path, "COM9");
    CHECK_STR(config.logfile, "C:\\l.txt");
    CHECK_STR(config.pidfile, "C:\\p.pid");
    CHECK_STR(config.statedir, "C:\\state");
    CHECK(config.verbose);
    CHECK(config.retry_path);
    CHECK_INT(config.block_rpcs.count, 2);
    CHECK(name_list_contains(&config.block_rpcs, "guest-exec"));
    CHECK(name_list_contains(&config.block_rpcs, "guest-file-open"));
    CHECK_INT(config.allow_rpcs.count, 2);
    CHECK(name_list_contains(&config.allow_rpcs, "guest-ping"));
    CHECK(name_list_contains(&config.allow_rpcs, "guest-info"));
    config_clear(&config);
    config_clear(&config);
}

TEST(config_known_keys)
{
    CHECK(config_key_known("daemon"));
    CHECK(config_key_known("allow-rpcs"));
    CHECK(!config_key_known("blacklist"));      /* removed in qemu-ga 9.1 */
    CHECK(!config_key_known("daemonize"));      /* the docs' sample is wrong; the key is "daemon" */
    CHECK(!config_key_known("fsfreeze-hook"));  /* POSIX only */
}

TEST(config_rejects_bad_booleans_naming_key_and_line)
{
    struct config config;
    char *error = NULL;

    config_init(&config);
    CHECK_INT(apply_text(&config, "[general]\n\nverbose=yes\n", &error), QGA_EINVAL);
    CHECK_STR(error, "line 3: key 'verbose': value 'yes' cannot be interpreted as a boolean "
                     "(use true, false, 1 or 0)");
    free(error);
    config_clear(&config);
}

TEST(config_command_line_overrides_scalars_and_lists_accumulate)
{
    static const char *const args[] =
    {
        "-m", "isa-serial", "--path=COM7", "-v", "-b", "guest-exec",
        "--block-rpcs", "guest-exec,guest-get-time",
        "-a", "guest-ping", "-t", "C:\\t", NULL,
    };
    struct options options;
    struct config config;

    config_init(&config);
    CHECK_INT(apply_text(&config, "[general]\nmethod=virtio-serial\npath=COM1\nverbose=false\n"
                         "statedir=C:\\s\nblock-rpcs=guest-shutdown\nallow-rpcs=guest-info\n", NULL), 0);
    CHECK_INT(parse_test_args(&options, args), 0);
    CHECK_INT(options.action, OPTIONS_RUN);
    CHECK_INT(options_apply(&options, &config), 0);
    CHECK_STR(config.method, "isa-serial");
    CHECK_STR(config.path, "COM7");
    CHECK(config.verbose);
    CHECK_STR(config.statedir, "C:\\t");
    CHECK_INT(config.block_rpcs.count, 3);      /* guest-shutdown + guest-exec (once) + guest-get-time */
    CHECK(name_list_contains(&config.block_rpcs, "guest-shutdown"));
    CHECK(name_list_contains(&config.block_rpcs, "guest-get-time"));
    CHECK_INT(config.allow_rpcs.count, 2);
    options_clear(&options);
    config_clear(&config);
}

TEST(config_defaults_fill_only_what_is_unset)
{
    struct config config;

    config_init(&config);
    CHECK_INT(config_set_defaults(&config, "C:\\ProgramData\\qemu-ga", '\\'), 0);
    CHECK_STR(config.method, "virtio-serial");
    CHECK_STR(config.statedir, "C:\\ProgramData\\qemu-ga");
    CHECK_STR(config.pidfile, "C:\\ProgramData\\qemu-ga\\qemu-ga.pid");
    CHECK(config.path == NULL);
    CHECK(config.logfile == NULL);
    config_clear(&config);

    config_init(&config);
    CHECK_INT(apply_text(&config, "[general]\nstatedir=D:\\st\\\nmethod=isa-serial\n", NULL), 0);
    CHECK_INT(config_set_defaults(&config, "C:\\ProgramData\\qemu-ga", '\\'), 0);
    CHECK_STR(config.method, "isa-serial");
    CHECK_STR(config.pidfile, "D:\\st\\qemu-ga.pid");
    config_clear(&config);

    /* An empty value means "unset": the default applies instead of an empty path. */
    config_init(&config);
    CHECK_INT(apply_text(&config, "[general]\nstatedir=\npath=\n", NULL), 0);
    CHECK(config.statedir == NULL);
    CHECK(config.path == NULL);
    config_clear(&config);
}

TEST(config_method_support)
{
    CHECK(config_method_supported("virtio-serial"));
    CHECK(config_method_supported("isa-serial"));
    CHECK(!config_method_supported("unix-listen"));
    CHECK(!config_method_supported("vsock-listen"));
    CHECK(!config_method_supported("Virtio-Serial"));
    CHECK(!config_method_supported(NULL));
}

TEST(config_dump_layout_and_round_trip)
{
    struct config config, again;
    char *dump = NULL, *dump_again = NULL;

    config_init(&config);
    CHECK_INT(config_set_defaults(&config, "C:\\ProgramData\\qemu-ga", '\\'), 0);
    CHECK_INT(config_dump(&config, &dump), 0);
    CHECK_STR(dump, "[general]\ndaemon=false\nmethod=virtio-serial\n"
                    "pidfile=C:\\\\ProgramData\\\\qemu-ga\\\\qemu-ga.pid\n"
                    "statedir=C:\\\\ProgramData\\\\qemu-ga\nverbose=false\nretry-path=false\n"
                    "block-rpcs=\nallow-rpcs=\n");
    free(dump);
    dump = NULL;

    CHECK_INT(apply_text(&config, "[general]\ndaemon=1\npath=\"\\\\.\\COM9\"\nlogfile= C:\\a b\\log \n"
                         "verbose=true\nretry-path=1\nblock-rpcs=guest-exec;guest-ping\n"
                         "allow-rpcs=x\n", NULL), 0);
    CHECK_INT(config_dump(&config, &dump), 0);
    CHECK_STR(dump, "[general]\ndaemon=true\nmethod=virtio-serial\npath=\\\\\\\\.\\\\COM9\n"
                    "logfile=C:\\\\a b\\\\log\npidfile=C:\\\\ProgramData\\\\qemu-ga\\\\qemu-ga.pid\n"
                    "statedir=C:\\\\ProgramData\\\\qemu-ga\n"
                    "verbose=true\nretry-path=true\nblock-rpcs=guest-exec,guest-ping\nallow-rpcs=x\n");

    /* Reading the dump back gives the same configuration. */
    config_init(&again);
    CHECK_INT(apply_text(&again, dump ? dump : "", NULL), 0);
    CHECK_INT(config_dump(&again, &dump_again), 0);
    CHECK_STR(dump_again, dump);
    free(dump);
    free(dump_again);
    config_clear(&again);
    config_clear(&config);
}

TEST(config_paths_take_only_doubled_backslash_as_escape)
{
    struct config config;
    char *dump = NULL;

    config_init(&config);
    /* compat: a qemu-ga config doubles backslashes; a Windows admin writes them single. */
    CHECK_INT(apply_text(&config, "[general]\npath=\\\\\\\\.\\\\COM9\nstatedir=C:\\state\n"
                         "logfile=C:\\temp\\new\\run.log\npidfile=\"\\\\srv\\share\\p.pid\"\n", NULL), 0);
    CHECK_STR(config.path, "\\\\.\\COM9");
    CHECK_STR(config.statedir, "C:\\state");
    CHECK_STR(config.logfile, "C:\\temp\\new\\run.log");
    CHECK_STR(config.pidfile, "\\\\srv\\share\\p.pid");
    config_clear(&config);

    /* A path with blanks at its ends survives -D and reading it back. */
    config_init(&config);
    CHECK_INT(apply_text(&config, "[general]\nlogfile=\" C:\\x \"\n", NULL), 0);
    CHECK_STR(config.logfile, " C:\\x ");
    CHECK_INT(config_dump(&config, &dump), 0);
    config_clear(&config);
    config_init(&config);
    CHECK_INT(apply_text(&config, dump ? dump : "", NULL), 0);
    CHECK_STR(config.logfile, " C:\\x ");
    free(dump);
    config_clear(&config);
}

/* Found by fuzzing (tests/fuzz/regressions/config/): a path with a tab was dumped as "\t" and one
 * with a leading quote as \", both of which the path reader keeps as written. */
TEST(config_dump_quotes_paths_the_path_reader_cannot_unescape)
{
    static const char *const paths[] = { "C@\t<", " lead", "trail ", "\"quoted", "a\x01" "b", "C:\\plain" };
    struct config config, again;
    char *dump = NULL, *dump_again = NULL;
    size_t i;

    for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
    {
        config_init(&config);
        config_init(&again);
        CHECK_INT(config_set_string(&config.logfile, paths[i]), 0);
        CHECK_INT(config_set_defaults(&config, "C:\\ProgramData\\qemu-ga", '\\'), 0);
        CHECK_INT(config_dump(&config, &dump), 0);
        CHECK_INT(apply_text(&again, dump ? dump : "", NULL), 0);
        CHECK_STR(again.logfile, paths[i]);
        CHECK_INT(config_dump(&again, &dump_again), 0);
        CHECK_STR(dump_again, dump);
        free(dump);
        free(dump_again);
        dump = dump_again = NULL;
        config_clear(&again);
        config_clear(&config);
    }
}

TEST(config_fsfreeze_auto_thaw_seconds)
{
    struct config config;
    char *error = NULL, *dump = NULL;

    config_init(&config);
    CHECK_INT(apply_text(&config, "[general]\nfsfreeze-auto-thaw=2.5\n", NULL), 0);
    CHECK_INT(config.fsfreeze_auto_thaw_ms, 2500);
    CHECK(config_key_known("fsfreeze-auto-thaw"));
    CHECK_INT(config_dump(&config, &dump), 0);
    CHECK(dump && strstr(dump, "\nfsfreeze-auto-thaw=2.5\n"));
    free(dump);
    CHECK_INT(apply_text(&config, "[general]\nfsfreeze-auto-thaw=0\n", &error), QGA_EINVAL);
    CHECK_STR(error, "line 2: key 'fsfreeze-auto-thaw': value '0' is not a number of seconds "
                     "from 0.1 to 3600");
    free(error);
    CHECK_INT(apply_text(&config, "[general]\nfsfreeze-auto-thaw=10s\n", NULL), QGA_EINVAL);
    CHECK_INT(apply_text(&config, "[general]\nfsfreeze-auto-thaw=3601\n", NULL), QGA_EINVAL);
    CHECK_INT(config.fsfreeze_auto_thaw_ms, 2500);
    config_clear(&config);
}
