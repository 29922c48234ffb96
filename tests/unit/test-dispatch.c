/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of request handling, argument validation, filtering and replies (core/dispatch.c). */
#include <stdlib.h>

#include "commands/commands.h"
#include "unit.h"

static void check_exchange(const char *file, int line, struct dispatcher *dispatcher, const char *input,
                           const char *want)
{
    size_t len;
    char *got = exchange(dispatcher, input, strlen(input), 0, &len);

    check_mem(file, line, input, got, len, want, strlen(want));
    free(got);
}
#define CHECK_REPLY(dispatcher, input, want) check_exchange(__FILE__, __LINE__, (dispatcher), (input), (want))

/* ---- a test table exercising every argument type ---- */

static const char *const mode_values[] = { "r", "w", "a+", NULL };

static const struct arg_spec typed_args[] =
{
    { "i",     ARG_INT,                   ARG_OPTIONAL, NULL,        NULL },
    { "n",     ARG_NUMBER,                ARG_OPTIONAL, NULL,        NULL },
    { "b",     ARG_BOOL,                  ARG_OPTIONAL, NULL,        NULL },
    { "s",     ARG_STRING,                ARG_OPTIONAL, NULL,        NULL },
    { "mode",  ARG_ENUM,                  ARG_OPTIONAL, mode_values, NULL },
    { "alt",   ARG_BOOL | ARG_ENUM,       ARG_OPTIONAL, mode_values, "GuestExecCaptureOutput" },
    { "list",  ARG_STR_LIST,              ARG_OPTIONAL, NULL,        NULL },
    { "any",   ARG_ANY,                   ARG_OPTIONAL, NULL,        NULL },
    { "req",   ARG_INT,                   ARG_REQUIRED, NULL,        NULL },
    { NULL, 0, 0, NULL, NULL },
};

/* Echoes what the accessors see. */
static int cmd_t_echo(struct command_call *call)
{
    struct json_value *result = json_object();

    json_object_set_int(result, "i", arg_int(call, "i", -1));
    json_object_set_double(result, "n", arg_number(call, "n", -1));
    json_object_set_bool(result, "b", arg_bool(call, "b", false));
    json_object_set_string(result, "s", arg_string(call, "s", "(none)"));
    json_object_set_bool(result, "has-any", arg_present(call, "any"));
    if (arg_value(call, "list")) json_object_set(result, "list", json_clone(arg_value(call, "list")));
    call->result = result;
    return 0;
}

static int cmd_t_fail(struct command_call *call)
{
    return call_errorf(call, QGA_EGENERIC, "failed to do %s: %s", "it", "Access is denied. (error 5)");
}

static int cmd_t_fail_plain(struct command_call *call)
{
    (void)call;
    return QGA_ENOTSUP;
}

static int cmd_t_quiet(struct command_call *call)
{
    call->suppress_reply = true;
    return 0;
}

static int cmd_t_list(struct command_call *call)
{
    call->result = json_array();
    json_array_append(call->result, json_int(1));
    return 0;
}

static const struct command test_table[] =
{
    { "t-echo",       typed_args, cmd_t_echo,       0 },
    { "t-fail",       NULL,       cmd_t_fail,       0 },
    { "t-fail-plain", NULL,       cmd_t_fail_plain, 0 },
    { "t-list",       NULL,       cmd_t_list,       CMD_ALLOWED_FROZEN },
    { "t-no-reply",   NULL,       cmd_t_fail_plain, CMD_NO_SUCCESS_REPLY },
    { "t-quiet",      NULL,       cmd_t_quiet,      0 },
    { "t-silent",     NULL,       cmd_t_list,       CMD_NO_SUCCESS_REPLY },
};

static void test_table_init(struct dispatcher *dispatcher)
{
    memset(dispatcher, 0, sizeof(*dispatcher));
    dispatcher->commands = test_table;
    dispatcher->command_count = sizeof(test_table) / sizeof(test_table[0]);
}

TEST(dispatch_success_replies)
{
    struct dispatcher d;

    test_dispatcher_init(&d);
    CHECK_REPLY(&d, "{\"execute\":\"guest-ping\"}", "{\"return\": {}}\n");
    CHECK_REPLY(&d, "{\"execute\":\"guest-ping\",\"arguments\":{}}", "{\"return\": {}}\n");
    CHECK_REPLY(&d, "{\"execute\":\"guest-ping\",\"id\":1}", "{\"return\": {}, \"id\": 1}\n");
    CHECK_REPLY(&d, "{'execute':'guest-sync','arguments':{'id':42}}", "{\"return\": 42}\n");
    test_table_init(&d);
    CHECK_REPLY(&d, "{\"execute\":\"t-list\",\"id\":\"x\"}", "{\"return\": [1], \"id\": \"x\"}\n");
    dispatcher_clear(&d);
}

TEST(dispatch_echoes_ids_of_every_type)
{
    static const char *const ids[] =
    {
        "1", "-1", "1700000000000", "9223372036854775807", "-9223372036854775808", "18446744073709551615",
        "1.5", "\"abc\"", "\"\\u00E9\\uD83D\\uDE00\"", "null", "true", "false", "[]", "{}",
        "[1, {\"a\": [null, \"b\"]}]", "{\"x\": {\"y\": 2}}", "\"\"",
    };
    struct dispatcher d;
    size_t i;

    test_dispatcher_init(&d);
    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
    {
        char request[256], want[512];

        snprintf(request, sizeof(request), "{\"execute\":\"guest-ping\",\"id\":%s}", ids[i]);
        snprintf(want, sizeof(want), "{\"return\": {}, \"id\": %s}\n", ids[i]);
        CHECK_REPLY(&d, request, want);
        snprintf(request, sizeof(request), "{\"id\":%s,\"execute\":\"guest-nope\"}", ids[i]);
        snprintf(want, sizeof(want), "{\"id\": %s, \"error\": {\"class\": \"CommandNotFound\", "
                 "\"desc\": \"The command guest-nope has not been found\"}}\n", ids[i]);
        CHECK_REPLY(&d, request, want);
    }
}

TEST(dispatch_request_errors)
{
    struct dispatcher d;

#define GENERIC(desc) "{\"error\": {\"class\": \"GenericError\", \"desc\": \"" desc "\"}}\n"
#define GENERIC_ID(id, desc) "{\"id\": " id ", \"error\": {\"class\": \"GenericError\", \"desc\": \"" desc "\"}}\n"
    test_dispatcher_init(&d);
    CHECK_REPLY(&d, "[]", GENERIC("QMP input must be a JSON object"));
    CHECK_REPLY(&d, "\"guest-ping\"", GENERIC("QMP input must be a JSON object"));
    CHECK_REPLY(&d, "{}", GENERIC("QMP input lacks member 'execute'"));
    CHECK_REPLY(&d, "{\"id\":7}", GENERIC_ID("7", "QMP input lacks member 'execute'"));
    CHECK_REPLY(&d, "{\"execute\":1}", GENERIC("QMP input member 'execute' must be a string"));
    CHECK_REPLY(&d, "{\"execute\":null,\"id\":\"a\"}", GENERIC_ID("\"a\"", "QMP input member 'execute' must be a string"));
    CHECK_REPLY(&d, "{\"execute\":\"guest-ping\",\"arguments\":[]}",
                GENERIC("QMP input member 'arguments' must be an object"));
    CHECK_REPLY(&d, "{\"exec-oob\":\"guest-ping\"}", GENERIC("QMP input member 'exec-oob' is unexpected"));
    CHECK_REPLY(&d, "{\"execute\":\"guest-ping\",\"foo\":1}", GENERIC("QMP input member 'foo' is unexpected"));
    CHECK_REPLY(&d, "{\"execute\":\"nope\"}",
                "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command nope has not been found\"}}\n");
    CHECK_REPLY(&d, "{\"execute\":\"guest-ping\\u0000x\"}",
                "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                "\"The command guest-ping\\u0000x has not been found\"}}\n");
    CHECK_REPLY(&d, "{\"execute\":\"GUEST-PING\"}",
                "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command GUEST-PING has not been found\"}}\n");
}

TEST(dispatch_request_error_order)
{
    struct dispatcher d;

    /* compat: qemu reports the first bad member in its QDict's hash order, not input order */
    test_dispatcher_init(&d);
    CHECK_REPLY(&d, "{\"arguments\":[],\"execute\":1}", GENERIC("QMP input member 'execute' must be a string"));
    CHECK_REPLY(&d, "{\"foo\":1,\"arguments\":[]}", GENERIC("QMP input member 'arguments' must be an object"));
    CHECK_REPLY(&d, "{\"execute\":1,\"x\":1}", GENERIC("QMP input member 'x' is unexpected"));
    CHECK_REPLY(&d, "{\"execute\":\"guest-ping\",\"bar\":1,\"baz\":2}", GENERIC("QMP input member 'baz' is unexpected"));
    CHECK_REPLY(&d, "{\"execute\":1,\"exec-oob\":\"guest-ping\"}", GENERIC("QMP input member 'exec-oob' is unexpected"));
    CHECK_REPLY(&d, "{\"foo\":1}", GENERIC("QMP input member 'foo' is unexpected"));
}

TEST(dispatch_argument_errors)
{
    struct dispatcher d;

    test_dispatcher_init(&d);
    CHECK_REPLY(&d, "{\"execute\":\"guest-ping\",\"arguments\":{\"foo\":42}}", GENERIC("Parameter 'foo' is unexpected"));
    CHECK_REPLY(&d, "{\"execute\":\"guest-sync\"}", GENERIC("Parameter 'id' is missing"));
    CHECK_REPLY(&d, "{\"execute\":\"guest-sync\",\"arguments\":{},\"id\":3}", GENERIC_ID("3", "Parameter 'id' is missing"));
    CHECK_REPLY(&d, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":\"1\"}}",
                GENERIC("Invalid parameter type for 'id', expected: integer"));
    CHECK_REPLY(&d, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":null}}",
                GENERIC("Invalid parameter type for 'id', expected: integer"));
    CHECK_REPLY(&d, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1,\"x\":2}}", GENERIC("Parameter 'x' is unexpected"));
    /* the type error of a known member comes before an unexpected member */
    CHECK_REPLY(&d, "{\"execute\":\"guest-sync\",\"arguments\":{\"x\":2,\"id\":true}}",
                GENERIC("Invalid parameter type for 'id', expected: integer"));
}

TEST(dispatch_int_args_fit_int64)
{
    struct dispatcher d;

    test_dispatcher_init(&d);
    CHECK_REPLY(&d, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":9223372036854775807}}",
                "{\"return\": 9223372036854775807}\n");
    CHECK_REPLY(&d, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":-9223372036854775808}}",
                "{\"return\": -9223372036854775808}\n");
    CHECK_REPLY(&d, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1700000000000}}", "{\"return\": 1700000000000}\n");
    CHECK_REPLY(&d, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":9223372036854775808}}",
                GENERIC("Invalid parameter type for 'id', expected: integer"));
    CHECK_REPLY(&d, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":18446744073709551615}}",
                GENERIC("Invalid parameter type for 'id', expected: integer"));
    CHECK_REPLY(&d, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1.0}}",
                GENERIC("Invalid parameter type for 'id', expected: integer"));
}

TEST(dispatch_typed_args)
{
    struct dispatcher d;

    test_table_init(&d);
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"req\":1}}",
                "{\"return\": {\"i\": -1, \"n\": -1, \"b\": false, \"s\": \"(none)\", \"has-any\": false}}\n");
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"req\":1,\"i\":5,\"n\":2,\"b\":true,\"s\":\"x\","
                "\"mode\":\"a+\",\"alt\":false,\"list\":[\"a\",\"b\"],\"any\":{\"z\":[]}}}",
                "{\"return\": {\"i\": 5, \"n\": 2, \"b\": true, \"s\": \"x\", \"has-any\": true, \"list\": [\"a\", \"b\"]}}\n");
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"req\":1,\"n\":18446744073709551615}}",
                "{\"return\": {\"i\": -1, \"n\": 1.8446744073709552e+19, \"b\": false, \"s\": \"(none)\", "
                "\"has-any\": false}}\n");
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"req\":1,\"alt\":\"w\"}}",
                "{\"return\": {\"i\": -1, \"n\": -1, \"b\": false, \"s\": \"(none)\", \"has-any\": false}}\n");
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"req\":1,\"n\":\"1\"}}",
                GENERIC("Invalid parameter type for 'n', expected: number"));
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"req\":1,\"b\":1}}",
                GENERIC("Invalid parameter type for 'b', expected: boolean"));
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"req\":1,\"s\":[]}}",
                GENERIC("Invalid parameter type for 's', expected: string"));
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"req\":1,\"s\":\"a\\u0000b\"}}",
                GENERIC("Parameter 's' contains a NUL character"));
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"req\":1,\"mode\":\"x\"}}",
                GENERIC("Parameter 'mode' does not accept value 'x'"));
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"req\":1,\"mode\":1}}",
                GENERIC("Invalid parameter type for 'mode', expected: string"));
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"req\":1,\"alt\":1}}",
                GENERIC("Invalid parameter type for 'alt', expected: GuestExecCaptureOutput"));
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"req\":1,\"alt\":\"merged\"}}",
                GENERIC("Parameter 'alt' does not accept value 'merged'"));
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"req\":1,\"list\":\"a\"}}",
                GENERIC("Invalid parameter type for 'list', expected: array"));
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"req\":1,\"list\":[\"a\",2]}}",
                GENERIC("Invalid parameter type for 'list[1]', expected: string"));
    /* schema order: i is checked before req */
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"i\":\"x\"}}",
                GENERIC("Invalid parameter type for 'i', expected: integer"));
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"i\":1}}", GENERIC("Parameter 'req' is missing"));
}

TEST(dispatch_handler_errors_and_silence)
{
    struct dispatcher d;

    test_table_init(&d);
    CHECK_REPLY(&d, "{\"execute\":\"t-fail\",\"id\":1}",
                GENERIC_ID("1", "failed to do it: Access is denied. (error 5)"));
    CHECK_REPLY(&d, "{\"execute\":\"t-fail-plain\"}", GENERIC("this feature or command is not currently supported"));
    /* no reply on success for 'success-response': false commands, but errors are sent */
    CHECK_REPLY(&d, "{\"execute\":\"t-silent\",\"id\":1}", "");
    CHECK_REPLY(&d, "{\"execute\":\"t-no-reply\"}", GENERIC("this feature or command is not currently supported"));
    CHECK_REPLY(&d, "{\"execute\":\"t-quiet\"}", "");
    CHECK_REPLY(&d, "{\"execute\":\"t-silent\",\"arguments\":{\"x\":1}}", GENERIC("Parameter 'x' is unexpected"));
}

TEST(dispatch_parse_errors_have_no_id)
{
    struct dispatcher d;

    test_dispatcher_init(&d);
    CHECK_REPLY(&d, "{\"execute\":\"guest-ping\",\"id\":1,\"id\":2}", GENERIC("JSON parse error, duplicate key"));
    CHECK_REPLY(&d, "\xff", GENERIC("JSON parse error, stray '\\uFFFD'"));
    CHECK_REPLY(&d, "{\"execute\":\"guest-ping\",\"id\":1,\"x\":\"\xc3\"}",
                GENERIC("JSON parse error, invalid UTF-8 sequence in string"));
    CHECK_REPLY(&d, "{\"x\":\"\\u00e9\xc3\x01", GENERIC("JSON parse error, stray '\\\"\\\\u00e9\\uFFFD\\u0001'"));
}

TEST(dispatch_pipelined_in_order)
{
    struct dispatcher d;
    char *input = malloc(200 * 80), *want = malloc(200 * 40), *got;
    size_t in_len = 0, want_len = 0, i, chunk, len;

    test_dispatcher_init(&d);
    for (i = 0; i < 200; i++)
    {
        in_len += (size_t)sprintf(input + in_len, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":%zu}}", i);
        want_len += (size_t)sprintf(want + want_len, "{\"return\": %zu}\n", i);
    }
    for (chunk = 0; chunk < 40; chunk += 7)
    {
        got = exchange(&d, input, in_len, chunk, &len);
        CHECK_MEM(got, len, want, want_len);
        free(got);
    }
    free(input);
    free(want);
}

TEST(dispatch_filter_combinations)
{
    struct dispatcher d;
    const struct command plain = { "guest-file-open", NULL, NULL, 0 };
    const struct command frozen_ok = { "guest-ping", NULL, NULL, CMD_ALLOWED_FROZEN };
    const struct command *both[2] = { &plain, &frozen_ok };
    size_t i;

    memset(&d, 0, sizeof(d));
    /* no lists: everything */
    CHECK(dispatch_command_enabled(&d, &plain));
    CHECK(dispatch_command_enabled(&d, &frozen_ok));
    /* allow list: default deny */
    name_list_add(&d.allow_rpcs, "guest-ping");
    CHECK(!dispatch_command_enabled(&d, &plain));
    CHECK(dispatch_command_enabled(&d, &frozen_ok));
    /* block wins over allow */
    name_list_add(&d.block_rpcs, "guest-ping");
    CHECK(!dispatch_command_enabled(&d, &frozen_ok));
    dispatcher_clear(&d);
    /* block list alone */
    name_list_add(&d.block_rpcs, "guest-file-open");
    CHECK(!dispatch_command_enabled(&d, &plain));
    CHECK(dispatch_command_enabled(&d, &frozen_ok));
    dispatcher_clear(&d);
    /* frozen: only the freeze allow-list */
    d.frozen = true;
    CHECK(!dispatch_command_enabled(&d, &plain));
    CHECK(dispatch_command_enabled(&d, &frozen_ok));
    /* frozen and allow-listed: still not while frozen */
    name_list_add(&d.allow_rpcs, "guest-file-open");
    name_list_add(&d.allow_rpcs, "guest-ping");
    CHECK(!dispatch_command_enabled(&d, &plain));
    CHECK(dispatch_command_enabled(&d, &frozen_ok));
    /* frozen, allow list without it: denied */
    dispatcher_clear(&d);
    name_list_add(&d.allow_rpcs, "guest-file-open");
    CHECK(!dispatch_command_enabled(&d, &frozen_ok));
    /* differs from qemu on purpose: qemu enables a blocked freeze-allow-list command while frozen */
    dispatcher_clear(&d);
    name_list_add(&d.block_rpcs, "guest-ping");
    CHECK(!dispatch_command_enabled(&d, &frozen_ok));
    /* thawed again: back to the lists */
    d.frozen = false;
    for (i = 0; i < 2; i++) CHECK_INT(dispatch_command_enabled(&d, both[i]), i == 0);
    dispatcher_clear(&d);
}

TEST(dispatch_disabled_command_reply)
{
    struct dispatcher d;

    test_dispatcher_init(&d);
    name_list_add_split(&d.block_rpcs, "guest-ping");
    CHECK_REPLY(&d, "{\"execute\":\"guest-ping\",\"id\":9}",
                "{\"id\": 9, \"error\": {\"class\": \"CommandNotFound\", "
                "\"desc\": \"Command guest-ping has been disabled: the command is not allowed\"}}\n");
    dispatcher_clear(&d);
    d.frozen = true;
    CHECK_REPLY(&d, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1}}", "{\"return\": 1}\n");
    test_table_init(&d);
    d.frozen = true;
    CHECK_REPLY(&d, "{\"execute\":\"t-fail\"}",
                "{\"error\": {\"class\": \"CommandNotFound\", "
                "\"desc\": \"Command t-fail has been disabled: the command is not allowed\"}}\n");
    /* a disabled command is refused before its arguments are looked at */
    CHECK_REPLY(&d, "{\"execute\":\"t-echo\",\"arguments\":{\"bad\":1}}",
                "{\"error\": {\"class\": \"CommandNotFound\", "
                "\"desc\": \"Command t-echo has been disabled: the command is not allowed\"}}\n");
}

TEST(dispatch_name_lists)
{
    struct name_list list = { 0 };

    CHECK_INT(name_list_add_split(&list, " guest-ping, guest-info;guest-ping ,,;  ; guest-sync\t"), 0);
    CHECK_INT(list.count, 3);
    if (list.count == 3)
    {
        CHECK_STR(list.names[0], "guest-ping");
        CHECK_STR(list.names[1], "guest-info");
        CHECK_STR(list.names[2], "guest-sync");
    }
    CHECK(name_list_contains(&list, "guest-info"));
    CHECK(!name_list_contains(&list, "guest"));
    CHECK_INT(name_list_add(&list, "guest-info"), 0);
    CHECK_INT(list.count, 3);
    CHECK_INT(name_list_add_split(&list, ""), 0);
    CHECK_INT(list.count, 3);
    name_list_clear(&list);
    CHECK_INT(list.count, 0);
    name_list_clear(&list);
}

TEST(dispatch_table_is_sorted_and_valid)
{
    size_t i;

    CHECK(command_table_len > 0);
    for (i = 0; i < command_table_len; i++)
    {
        const struct command *command = &command_table[i];
        const struct arg_spec *spec, *other;

        CHECK(command->name && command->handler);
        if (i) CHECK(strcmp(command_table[i - 1].name, command->name) < 0);
        if (i && strcmp(command_table[i - 1].name, command->name) >= 0) printf("# unsorted at %s\n", command->name);
        for (spec = command->args; spec && spec->name; spec++)
        {
            unsigned kinds = spec->types & (ARG_INT | ARG_NUMBER | ARG_BOOL | ARG_STRING | ARG_ENUM | ARG_STR_LIST);

            CHECK(spec->types != 0);
            CHECK(!(spec->flags & ~(unsigned)ARG_OPTIONAL));
            if (spec->types & ARG_ENUM) CHECK(spec->enum_values && spec->enum_values[0]);
            if (kinds & (kinds - 1)) CHECK(spec->type_name != NULL);
            for (other = command->args; other != spec; other++) CHECK(strcmp(other->name, spec->name));
        }
    }
}
