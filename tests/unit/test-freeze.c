/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the fsfreeze extensions' portable parts: hook kinds, order, command lines and log
 * lines (core/freeze-hooks.c), config keys and per-call options (core/freeze-options.c), the
 * report, its summary and the interrupted-freeze record (core/freeze-report.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/config.h"
#include "core/error.h"
#include "core/freeze-hooks.h"
#include "core/freeze-options.h"
#include "core/freeze-report.h"
#include "core/keyfile.h"
#include "unit.h"

#define SYSDIR "C:\\Windows\\system32"

TEST(freeze_hook_kinds)
{
    CHECK_INT(hook_kind_of("10-db.cmd"), HOOK_CMD);
    CHECK_INT(hook_kind_of("10-DB.CMD"), HOOK_CMD);
    CHECK_INT(hook_kind_of("a.bat"), HOOK_BAT);
    CHECK_INT(hook_kind_of("a.Ps1"), HOOK_PS1);
    CHECK_INT(hook_kind_of("tool.exe"), HOOK_EXE);
    CHECK_INT(hook_kind_of(".cmd"), HOOK_NONE);           /* an extension alone is no name */
    CHECK_INT(hook_kind_of("10-db.cmd.off"), HOOK_NONE);  /* how a hook is disabled */
    CHECK_INT(hook_kind_of("readme.txt"), HOOK_NONE);
    CHECK_INT(hook_kind_of("x.vbs"), HOOK_NONE);
    CHECK_INT(hook_kind_of("cmd"), HOOK_NONE);
    CHECK_INT(hook_kind_of(""), HOOK_NONE);
}

TEST(freeze_hook_order)
{
    char *names[] = { "b.cmd", "10-z.exe", "A.bat", "9-x.cmd", "a.bat", "_first.ps1", "10-Y.cmd" };
    const char *want[] = { "10-Y.cmd", "10-z.exe", "9-x.cmd", "_first.ps1", "A.bat", "a.bat", "b.cmd" };
    size_t i;

    hook_sort(names, sizeof(names) / sizeof(names[0]));
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) CHECK_STR(names[i], want[i]);
    CHECK(hook_name_compare("a.cmd", "A.cmd") > 0);       /* case-insensitive, ties bytewise */
    CHECK(hook_name_compare("ab.cmd", "AC.cmd") < 0);
    CHECK_INT(hook_name_compare("x.exe", "x.exe"), 0);
    CHECK(hook_name_compare("x", "x.exe") < 0);
}

static void check_line(enum hook_kind kind, const char *path, const char *phase, int want_ret, const char *want_app,
                       const char *want_line)
{
    char *app = NULL, *line = NULL;

    CHECK_INT(hook_command_line(kind, path, SYSDIR, phase, &app, &line), want_ret);
    CHECK_STR(app, want_app);
    CHECK_STR(line, want_line);
    free(app);
    free(line);
}

TEST(freeze_hook_command_lines)
{
    check_line(HOOK_CMD, "C:\\Program Files\\qga-win\\hooks\\10-db.cmd", "freeze", 0, SYSDIR "\\cmd.exe",
               "\"" SYSDIR "\\cmd.exe\" /d /v:off /s /c \"\"C:\\Program Files\\qga-win\\hooks\\10-db.cmd\" freeze\"");
    check_line(HOOK_BAT, "C:\\h\\a&b (1).bat", "thaw", 0, SYSDIR "\\cmd.exe",
               "\"" SYSDIR "\\cmd.exe\" /d /v:off /s /c \"\"C:\\h\\a&b (1).bat\" thaw\"");
    check_line(HOOK_PS1, "C:\\Program Files\\qga-win\\hooks\\20-app.ps1", "freeze", 0,
               SYSDIR "\\WindowsPowerShell\\v1.0\\powershell.exe",
               "\"" SYSDIR "\\WindowsPowerShell\\v1.0\\powershell.exe\" -NoProfile -NonInteractive "
               "-ExecutionPolicy Bypass -File \"C:\\Program Files\\qga-win\\hooks\\20-app.ps1\" freeze");
    check_line(HOOK_EXE, "C:\\hooks\\30-tool.exe", "thaw", 0, "C:\\hooks\\30-tool.exe",
               "\"C:\\hooks\\30-tool.exe\" thaw");
    /* cmd.exe would expand %PATH% inside the quotes: refused, not run as something else. */
    check_line(HOOK_CMD, "C:\\hooks\\50%PATH%.cmd", "freeze", QGA_EINVAL, NULL, NULL);
    check_line(HOOK_EXE, "C:\\hooks\\50%.exe", "freeze", 0, "C:\\hooks\\50%.exe", "\"C:\\hooks\\50%.exe\" freeze");
    check_line(HOOK_EXE, "C:\\hooks\\a\"b.exe", "freeze", QGA_EINVAL, NULL, NULL);
    check_line(HOOK_NONE, "C:\\hooks\\a.txt", "freeze", QGA_EINVAL, NULL, NULL);
}

TEST(freeze_hook_command_lines_split_back)
{
    /* What a program started with the .ps1 and .exe lines sees (CommandLineToArgvW rules). */
    char *app = NULL, *line = NULL, **argv = NULL;
    size_t argc = 0;

    CHECK_INT(hook_command_line(HOOK_PS1, "C:\\my hooks\\x y.ps1", SYSDIR, "thaw", &app, &line), 0);
    CHECK_INT(cmdline_split(line, &argv, &argc), 0);
    CHECK_INT(argc, 8);
    if (argc == 8)
    {
        CHECK_STR(argv[0], SYSDIR "\\WindowsPowerShell\\v1.0\\powershell.exe");
        CHECK_STR(argv[5], "-File");
        CHECK_STR(argv[6], "C:\\my hooks\\x y.ps1");
        CHECK_STR(argv[7], "thaw");
    }
    cmdline_free_argv(argv);
    free(app);
    free(line);
}

struct lines
{
    char text[HOOK_LOG_MAX_LINES * (HOOK_LOG_LINE_MAX + 1) + 256];
    size_t count;
};

static void collect(void *opaque, const char *line)
{
    struct lines *lines = opaque;
    size_t len = strlen(lines->text);

    snprintf(lines->text + len, sizeof(lines->text) - len, "%s|", line);
    lines->count++;
}

TEST(freeze_hook_output_lines)
{
    static const char out[] = "hello\r\n\r\n  \r\nbad\x01\xff" "byte\nlast";
    static struct lines lines;
    uint8_t *big;
    size_t i;

    CHECK_INT(hook_output_lines((const uint8_t *)out, sizeof(out) - 1, sizeof(out) - 1, collect, &lines), 3);
    CHECK_STR(lines.text, "hello|bad??byte|last|");

    /* UTF-16 output reads as text. */
    memset(&lines, 0, sizeof(lines));
    CHECK_INT(hook_output_lines((const uint8_t *)"o\0k\0\r\0\n\0", 8, 8, collect, &lines), 1);
    CHECK_STR(lines.text, "ok|");

    /* Bounded: HOOK_LOG_MAX_LINES lines, each cut, then one line saying what was left out. */
    big = malloc(200 * 1001);
    for (i = 0; i < 200; i++)
    {
        memset(big + i * 1001, 'x', 1000);
        big[i * 1001 + 1000] = '\n';
    }
    memset(&lines, 0, sizeof(lines));
    CHECK_INT(hook_output_lines(big, 200 * 1001, 300000, collect, &lines), HOOK_LOG_MAX_LINES + 1);
    CHECK_INT(lines.count, HOOK_LOG_MAX_LINES + 1);
    CHECK(strstr(lines.text, "(199900 more bytes of output not logged)|") != NULL);
    free(big);

    /* Nothing dropped, but more written than kept. */
    memset(&lines, 0, sizeof(lines));
    CHECK_INT(hook_output_lines((const uint8_t *)"a\n", 2, 70000, collect, &lines), 2);
    CHECK_STR(lines.text, "a|(69998 more bytes of output not logged)|");
}

TEST(freeze_hook_failure_texts)
{
    struct hook_result result = { 0 };
    char text[256];

    result.name = "30-fail.cmd";
    result.phase = "freeze";
    result.outcome = HOOK_FAILED;
    result.exit_code = 3;
    CHECK_STR(hook_failure_text(&result, text, sizeof(text)), "freeze hook '30-fail.cmd' failed with exit code 3");
    result.outcome = HOOK_TIMED_OUT;
    result.timeout_ms = 1500;
    CHECK_STR(hook_failure_text(&result, text, sizeof(text)),
              "freeze hook '30-fail.cmd' timed out after 1.5 s; its processes were ended");
    result.outcome = HOOK_REFUSED;
    result.detail = "C:\\hooks is writable by Everyone";
    CHECK_STR(hook_failure_text(&result, text, sizeof(text)),
              "freeze hook '30-fail.cmd' refused: C:\\hooks is writable by Everyone");
    result.outcome = HOOK_START_FAILED;
    result.phase = "thaw";
    result.detail = "The system cannot find the file specified. (error 2)";
    CHECK_STR(hook_failure_text(&result, text, sizeof(text)),
              "thaw hook '30-fail.cmd' could not be started: The system cannot find the file specified. (error 2)");
    CHECK_STR(hook_outcome_name(HOOK_TIMED_OUT), "timeout");
    CHECK_STR(hook_outcome_name(HOOK_START_FAILED), "error");
}

static int apply_text(struct config *config, const char *text, char **error)
{
    struct keyfile keyfile;
    int ret = keyfile_parse(text, strlen(text), &keyfile, error);

    if (ret == 0) ret = config_apply_keyfile(config, &keyfile, error);
    keyfile_clear(&keyfile);
    return ret;
}

TEST(freeze_config_keys)
{
    struct config config;
    char *error = NULL, *dump = NULL;

    config_init(&config);
    CHECK_INT(apply_text(&config, "[general]\n"
                         "fsfreeze-hook-dir=C:\\Program Files\\qga-win\\my hooks\n"
                         "fsfreeze-hook-timeout=2.5\n"
                         "fsfreeze-hook-continue-on-failure=true\n"
                         "fsfreeze-hooks=false\n"
                         "fsfreeze-backup-type=full\n"
                         "fsfreeze-include-writers=SqlServerWriter; System Writer\n"
                         "fsfreeze-exclude-writers={0bada1de-01a9-4625-8278-69e735f39dd2}\n"
                         "fsfreeze-fs-only=1\n", NULL), 0);
    CHECK_STR(config.fsfreeze.hook_dir, "C:\\Program Files\\qga-win\\my hooks");
    CHECK_INT(config.fsfreeze.hook_timeout_ms, 2500);
    CHECK(config.fsfreeze.hook_continue_on_failure);
    CHECK(config.fsfreeze.hooks_disabled);
    CHECK_INT(config.fsfreeze.backup_type, FREEZE_BT_FULL);
    CHECK_INT(config.fsfreeze.include_writers.count, 2);
    CHECK_STR(config.fsfreeze.include_writers.names[1], "System Writer");
    CHECK_INT(config.fsfreeze.exclude_writers.count, 1);
    CHECK(config.fsfreeze.fs_only);
    CHECK(config_key_known("fsfreeze-hook-dir") && config_key_known("fsfreeze-backup-type") &&
          config_key_known("fsfreeze-hook-timeout") && !config_key_known("fsfreeze-hook"));

    CHECK_INT(config_dump(&config, &dump), 0);
    CHECK(dump && strstr(dump, "\nfsfreeze-hook-dir=C:\\\\Program Files\\\\qga-win\\\\my hooks\n"
                         "fsfreeze-hook-timeout=2.5\nfsfreeze-hook-continue-on-failure=true\nfsfreeze-hooks=false\n"
                         "fsfreeze-backup-type=full\nfsfreeze-include-writers=SqlServerWriter,System Writer\n"
                         "fsfreeze-exclude-writers={0bada1de-01a9-4625-8278-69e735f39dd2}\nfsfreeze-fs-only=true\n"));
    /* The dump reads back to the same settings. */
    {
        struct config again;

        config_init(&again);
        CHECK_INT(apply_text(&again, dump ? dump : "", NULL), 0);
        CHECK_STR(again.fsfreeze.hook_dir, config.fsfreeze.hook_dir);
        CHECK_INT(again.fsfreeze.include_writers.count, 2);
        CHECK_INT(again.fsfreeze.backup_type, FREEZE_BT_FULL);
        config_clear(&again);
    }
    free(dump);

    CHECK_INT(apply_text(&config, "[general]\nfsfreeze-backup-type=fast\n", &error), QGA_EINVAL);
    CHECK_STR(error, "line 2: key 'fsfreeze-backup-type': value 'fast' is not a backup type (full, incremental, "
                     "differential, log or copy)");
    free(error);
    CHECK_INT(apply_text(&config, "[general]\nfsfreeze-hook-timeout=0\n", &error), QGA_EINVAL);
    CHECK_STR(error, "line 2: key 'fsfreeze-hook-timeout': value '0' is not a number of seconds from 0.1 to 3600");
    free(error);
    CHECK_INT(apply_text(&config, "[general]\nfsfreeze-hooks=maybe\n", &error), QGA_EINVAL);
    CHECK_STR(error, "line 2: key 'fsfreeze-hooks': value 'maybe' cannot be interpreted as a boolean "
                     "(use true, false, 1 or 0)");
    free(error);
    CHECK_INT(config.fsfreeze.hook_timeout_ms, 2500);
    config_clear(&config);

    /* Nothing set: nothing in the dump. */
    config_init(&config);
    CHECK_INT(config_dump(&config, &dump), 0);
    CHECK(dump && !strstr(dump, "fsfreeze"));
    free(dump);
    config_clear(&config);
}

static int apply_args(struct freeze_options *options, const char *json, char **error)
{
    struct json_value *args = NULL;
    int ret;

    CHECK_INT(json_parse(json, strlen(json), &args, NULL), 0);
    ret = freeze_options_apply_args(options, args, error);
    json_free(args);
    return ret;
}

TEST(freeze_options_merge)
{
    struct freeze_config config = { 0 };
    struct freeze_options options;
    char *error = NULL;

    /* Defaults: hooks on, type from VssOption (0), every writer, the auto-thaw limit. */
    CHECK_INT(freeze_options_defaults(&options, &config, 60000), 0);
    CHECK(options.hooks && !options.fs_only);
    CHECK_INT(options.backup_type, FREEZE_BT_DEFAULT);
    CHECK_INT(options.hold_timeout_ms, 60000);
    freeze_options_clear(&options);

    config.hooks_disabled = true;
    config.backup_type = FREEZE_BT_FULL;
    name_list_add(&config.exclude_writers, "A");
    name_list_add(&config.include_writers, "B");
    CHECK_INT(freeze_options_defaults(&options, &config, 5000), 0);
    CHECK(!options.hooks);
    CHECK_INT(options.exclude_writers.count, 1);

    /* Each argument replaces its default; a list replaces the config's list. */
    CHECK_INT(apply_args(&options, "{\"backup-type\": \"copy\", \"exclude-writers\": [\"X\", \"Y\", \"\"], "
                                   "\"hooks\": true, \"fs-only\": true, \"hold-timeout\": 2.5}", &error), 0);
    CHECK_INT(options.backup_type, FREEZE_BT_COPY);
    CHECK_INT(options.exclude_writers.count, 2);
    CHECK_STR(options.exclude_writers.names[0], "X");
    CHECK_INT(options.include_writers.count, 1);          /* not given: the config's */
    CHECK(options.hooks && options.fs_only);
    CHECK_INT(options.hold_timeout_ms, 2500);
    CHECK_INT(apply_args(&options, "{\"hold-timeout\": 7}", NULL), 0);
    CHECK_INT(options.hold_timeout_ms, 7000);
    CHECK_INT(apply_args(&options, "{\"include-writers\": []}", NULL), 0);
    CHECK_INT(options.include_writers.count, 0);          /* [] = every writer again */

    CHECK_INT(apply_args(&options, "{\"hold-timeout\": 0.01}", &error), QGA_EINVAL);
    CHECK_STR(error, "Parameter 'hold-timeout' expects a number of seconds from 0.1 to 3600");
    free(error);
    CHECK_INT(apply_args(&options, "{\"hold-timeout\": 18446744073709551615}", NULL), QGA_EINVAL);
    CHECK_INT(options.hold_timeout_ms, 7000);
    freeze_options_clear(&options);
    freeze_config_clear(&config);

    CHECK_STR(freeze_backup_type_name(FREEZE_BT_DIFFERENTIAL), "differential");
    CHECK_STR(freeze_backup_type_name(0), "default");
    CHECK_STR(freeze_backup_type_name(9), "default");
}

TEST(freeze_extension_commands_in_table)
{
    struct dispatcher dispatcher;
    char *out;

    test_dispatcher_init(&dispatcher);
    CHECK(dispatch_find(&dispatcher, "__org.qga-win_fsfreeze-freeze") != NULL);
    CHECK(dispatch_find(&dispatcher, "__org.qga-win_fsfreeze-report") != NULL);
    /* The dispatcher checks the spec: a bad enum value, a wrong type, an unknown member. */
    out = exchange_str(&dispatcher, "{\"execute\": \"__org.qga-win_fsfreeze-freeze\", "
                                    "\"arguments\": {\"backup-type\": \"fast\"}}");
    CHECK_STR(out, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'backup-type' does not accept "
                   "value 'fast'\"}}\n");
    free(out);
    out = exchange_str(&dispatcher, "{\"execute\": \"__org.qga-win_fsfreeze-freeze\", "
                                    "\"arguments\": {\"hold-timeout\": \"10\"}}");
    CHECK_STR(out, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for "
                   "'hold-timeout', expected: number\"}}\n");
    free(out);
    out = exchange_str(&dispatcher, "{\"execute\": \"__org.qga-win_fsfreeze-freeze\", "
                                    "\"arguments\": {\"writers\": []}}");
    CHECK_STR(out, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'writers' is unexpected\"}}\n");
    free(out);
    /* Report and status may be asked while frozen; the extension freeze may not. */
    dispatcher.frozen = true;
    CHECK(dispatch_command_enabled(&dispatcher, dispatch_find(&dispatcher, "__org.qga-win_fsfreeze-report")));
    CHECK(dispatch_command_enabled(&dispatcher, dispatch_find(&dispatcher, "__org.qga-win_fsfreeze-status")));
    CHECK(!dispatch_command_enabled(&dispatcher, dispatch_find(&dispatcher, "__org.qga-win_fsfreeze-freeze")));
    dispatcher_clear(&dispatcher);
}

static struct freeze_report *sample_report(void)
{
    struct freeze_report *report = calloc(1, sizeof(*report));
    struct freeze_config config = { 0 };
    struct hook_result hook = { 0 };
    int64_t t0 = 1700000000000000000LL;

    report->result = FREEZE_RESULT_THAWED;
    report->command = strdup("__org.qga-win_fsfreeze-freeze");
    name_list_add(&report->mountpoints, "C:\\");
    freeze_options_defaults(&report->options, &config, 60000);
    report->options.backup_type = FREEZE_BT_COPY;
    report->phase_ns[FREEZE_PHASE_REQUESTED] = t0;
    report->phase_ns[FREEZE_PHASE_FROZEN] = t0 + 300000000;
    report->phase_ns[FREEZE_PHASE_THAW] = t0 + 1500000000;
    report->vss = true;
    report->backup_type = FREEZE_BT_COPY;
    report->hold = FREEZE_HOLD_OK;
    report->volumes = calloc(1, sizeof(char *));
    report->volumes[0] = strdup("C:\\");
    report->volume_count = 1;
    report->writers = calloc(2, sizeof(*report->writers));
    report->writers[0].name = strdup("System Writer");
    report->writers[0].state = 1;
    report->writers[1].name = strdup("SqlServerWriter");
    report->writers[1].state = 9;
    report->writers[1].failure = 0x800423F2u;
    report->writers[1].failure_text = strdup("the writer timed out");
    report->writers[1].excluded = true;
    snprintf(report->writers[1].class_id, sizeof(report->writers[1].class_id), "{a65faa63-5ea8-4ebc-9dbd-a0c4db26912a}");
    report->writer_count = 2;
    report->writers_total = 2;
    hook.name = strdup("10-db.cmd");
    hook.phase = "freeze";
    hook.outcome = HOOK_OK;
    hook.start_ns = t0;
    hook.end_ns = t0 + 25000000;
    hook.timeout_ms = 30000;
    hook.output_bytes = 12;
    freeze_report_add_hook(report, &hook);
    CHECK(hook.name == NULL);
    hook.name = strdup("10-db.cmd");
    hook.phase = "thaw";
    hook.outcome = HOOK_TIMED_OUT;
    freeze_report_add_hook(report, &hook);
    return report;
}

TEST(freeze_report_json)
{
    struct freeze_report *report = sample_report(), empty = { 0 };
    struct json_value *json = NULL;
    char *text = NULL;
    size_t len;

    CHECK_INT(freeze_report_to_json(report, 0, &json), 0);
    CHECK_INT(json_to_string(json, &text, &len), 0);
    CHECK_STR(text,
        "{\"result\": \"thawed\", \"command\": \"__org.qga-win_fsfreeze-freeze\", \"mountpoints\": [\"C:\\\\\"], "
        "\"options\": {\"backup-type\": \"copy\", \"include-writers\": [], \"exclude-writers\": [], "
        "\"fs-only\": false, \"hold-timeout\": 60, \"hooks\": true}, \"backup-type\": \"copy\", \"context\": 0, "
        "\"volumes\": [\"C:\\\\\"], \"writers\": [{\"name\": \"System Writer\", \"class-id\": \"\", "
        "\"instance-id\": \"\", \"state\": \"stable\", \"components\": 0, \"excluded\": false}, "
        "{\"name\": \"SqlServerWriter\", \"class-id\": \"{a65faa63-5ea8-4ebc-9dbd-a0c4db26912a}\", "
        "\"instance-id\": \"\", \"state\": \"failed-at-freeze\", \"failure\": \"0x800423f2\", "
        "\"failure-text\": \"the writer timed out\", \"components\": 0, \"excluded\": true}], \"writer-count\": 2, "
        "\"hold\": \"ok\", \"frozen-ms\": 1200, \"hooks\": [{\"name\": \"10-db.cmd\", \"phase\": \"freeze\", "
        "\"result\": \"ok\", \"exit-code\": 0, \"duration-ms\": 25, \"timeout-ms\": 30000, \"output-bytes\": 12}, "
        "{\"name\": \"10-db.cmd\", \"phase\": \"thaw\", \"result\": \"timeout\", \"duration-ms\": 0, "
        "\"timeout-ms\": 0, \"output-bytes\": 0}], \"auto-thaw\": {\"limit-ms\": 60000, \"happened\": false}, "
        "\"phases\": [{\"name\": \"requested\", \"time\": 1700000000000000000, \"elapsed-ms\": 0}, "
        "{\"name\": \"frozen\", \"time\": 1700000000300000000, \"elapsed-ms\": 300}, "
        "{\"name\": \"thaw\", \"time\": 1700000001500000000, \"elapsed-ms\": 1500}]}");
    free(text);
    json_free(json);

    /* No freeze yet, but a previous agent was interrupted. */
    empty.interrupted.present = true;
    empty.interrupted.command = strdup("guest-fsfreeze-freeze");
    empty.interrupted.start_ns = 5;
    empty.interrupted.limit_ms = 60000;
    empty.interrupted.pid = 42;
    empty.interrupted.detected_ns = 6;
    CHECK_INT(freeze_report_to_json(&empty, 0, &json), 0);
    CHECK_INT(json_to_string(json, &text, &len), 0);
    CHECK_STR(text, "{\"result\": \"none\", \"interrupted\": {\"command\": \"guest-fsfreeze-freeze\", \"start\": 5, "
                    "\"limit-ms\": 60000, \"pid\": 42, \"detected\": 6}}");
    free(text);
    json_free(json);
    freeze_report_clear(&empty);
    freeze_report_clear(report);
    free(report);
}

TEST(freeze_report_summary_line)
{
    struct freeze_report *report = sample_report();
    char *line = NULL;
    size_t i;

    CHECK_INT(freeze_report_summary(report, 0, &line), 0);
    CHECK_STR(line, "fsfreeze report: __org.qga-win_fsfreeze-freeze thawed; 1 volume (C:\\); backup type copy; "
                    "hold ok; frozen 1200 ms; writers 2, failed: 'SqlServerWriter' failed-at-freeze 0x800423f2 "
                    "(excluded); hooks: 10-db.cmd freeze ok, 10-db.cmd thaw timeout");
    free(line);

    /* Bounded however many hooks ran. */
    for (i = 0; i < 200; i++)
    {
        struct hook_result hook = { 0 };

        hook.name = strdup("a-very-long-hook-name-that-goes-on-and-on-and-on.cmd");
        hook.phase = "thaw";
        freeze_report_add_hook(report, &hook);
    }
    report->auto_thawed = true;
    report->error = strdup("x");
    CHECK_INT(freeze_report_summary(report, 0, &line), 0);
    CHECK(line && strlen(line) < 3072);
    CHECK(line && strstr(line, ", +178"));
    free(line);
    freeze_report_clear(report);
    free(report);
}

TEST(freeze_record_round_trip)
{
    struct freeze_record record = { 0 }, back;
    char *text = NULL;

    record.command = strdup("guest-fsfreeze-freeze-list");
    record.start_ns = 1700000000123456789LL;
    record.limit_ms = 60000;
    record.pid = 4242;
    record.hook_dir = strdup("C:\\Program Files\\qga-win\\hooks");
    name_list_add(&record.hooks, "10-a.cmd");
    name_list_add(&record.hooks, "20-b.exe");
    CHECK_INT(freeze_record_format(&record, &text), 0);
    CHECK_INT(freeze_record_parse(text, strlen(text), &back), 0);
    CHECK_STR(back.command, "guest-fsfreeze-freeze-list");
    CHECK_INT(back.start_ns, record.start_ns);
    CHECK_INT(back.limit_ms, 60000);
    CHECK_INT(back.pid, 4242);
    CHECK_STR(back.hook_dir, record.hook_dir);
    CHECK_INT(back.hooks.count, 2);
    CHECK_STR(back.hooks.names[1], "20-b.exe");
    freeze_record_clear(&back);
    free(text);
    freeze_record_clear(&record);

    /* Without hooks. */
    record.command = strdup("guest-fsfreeze-freeze");
    CHECK_INT(freeze_record_format(&record, &text), 0);
    CHECK_INT(freeze_record_parse(text, strlen(text), &back), 0);
    CHECK(back.hook_dir == NULL && back.hooks.count == 0);
    freeze_record_clear(&back);
    free(text);
    freeze_record_clear(&record);

    /* Anything else is refused and leaves nothing behind. */
    CHECK_INT(freeze_record_parse("", 0, &back), QGA_EINVAL);
    CHECK_INT(freeze_record_parse("[]", 2, &back), QGA_EINVAL);
    text = "{\"version\": 2, \"command\": \"x\", \"start\": 1, \"limit-ms\": 1, \"pid\": 1}";
    CHECK_INT(freeze_record_parse(text, strlen(text), &back), QGA_EINVAL);
    text = "{\"version\": 1, \"command\": \"x\", \"start\": 1, \"limit-ms\": 1, \"pid\": 1, \"hook-dir\": \"d\", "
           "\"hooks\": [1]}";
    CHECK_INT(freeze_record_parse(text, strlen(text), &back), QGA_EINVAL);
    CHECK(back.command == NULL && back.hook_dir == NULL);
    text = "{\"version\": 1, \"command\": \"x\", \"start\": -1, \"limit-ms\": 1, \"pid\": 1}";
    CHECK_INT(freeze_record_parse(text, strlen(text), &back), QGA_EINVAL);
}

TEST(freeze_names)
{
    CHECK_STR(freeze_writer_state_name(0), "unknown");
    CHECK_STR(freeze_writer_state_name(1), "stable");
    CHECK_STR(freeze_writer_state_name(9), "failed-at-freeze");
    CHECK_STR(freeze_writer_state_name(15), "failed-at-backup-shutdown");
    CHECK_STR(freeze_writer_state_name(16), "unknown");
    CHECK_STR(freeze_hold_name(FREEZE_HOLD_WRITES_TIMEOUT), "writes-timeout");
    CHECK_STR(freeze_hold_name(99), "unknown");
    CHECK_STR(freeze_phase_name(FREEZE_PHASE_THAW_HOOKS_DONE), "thaw-hooks-done");
    CHECK_STR(freeze_result_name(FREEZE_RESULT_AUTO_THAWED), "auto-thawed");
}
