/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the protocol commands (commands/protocol.c) over the real command table. */
#include <stdlib.h>

#include "commands/commands.h"
#include "core/freeze-options.h"
#include "unit.h"
#include "version.h"

TEST(protocol_sync_and_delimited)
{
    struct dispatcher d;
    size_t len;
    char *got;

    test_dispatcher_init(&d);
    got = exchange_str(&d, "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1234567890123}}");
    CHECK_STR(got, "{\"return\": 1234567890123}\n");
    free(got);
    {
        static const char request[] = "{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":5},\"id\":\"q\"}";
        got = exchange(&d, request, sizeof(request) - 1, 0, &len);
    }
    CHECK_MEM(got, len, "\xff{\"return\": 5, \"id\": \"q\"}\n", sizeof("\xff{\"return\": 5, \"id\": \"q\"}\n") - 1);
    free(got);
    /* only that reply is delimited */
    got = exchange_str(&d, "{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":5}}"
                           "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":6}}");
    CHECK_STR(got, "\xff{\"return\": 5}\n{\"return\": 6}\n");
    free(got);
    /* an argument error is not delimited (the handler never ran) */
    got = exchange_str(&d, "{\"execute\":\"guest-sync-delimited\"}");
    CHECK_STR(got, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'id' is missing\"}}\n");
    free(got);
}

TEST(protocol_ping_logs)
{
    struct dispatcher d;
    char *got;

    test_dispatcher_init(&d);
    fake_log_clear();
    got = exchange_str(&d, "{\"execute\":\"guest-ping\"}");
    CHECK_STR(got, "{\"return\": {}}\n");
    CHECK_STR(fake_log_text(), "INFO guest-ping called\n");
    free(got);
}

TEST(protocol_guest_info)
{
    struct dispatcher d;
    struct json_value *reply;
    const struct json_value *info, *list;
    char *got, *error = NULL;
    size_t i;

    test_dispatcher_init(&d);
    d.version = NULL;
    name_list_add(&d.block_rpcs, "guest-sync");
    got = exchange_str(&d, "{\"execute\":\"guest-info\"}");
    CHECK_INT(json_parse(got, strlen(got), &reply, &error), 0);
    CHECK(strncmp(got, "{\"return\": {\"version\": \"" QGA_VERSION "\", \"supported_commands\": [{\"enabled\": ", 60) == 0);
    info = json_object_get(reply, "return");
    CHECK_STR(json_object_get_string(info, "version"), QGA_VERSION);
    list = json_object_get(info, "supported_commands");
    CHECK(list && list->type == JSON_ARRAY && list->u.array.count == command_table_len);
    for (i = 0; list && i < list->u.array.count && i < command_table_len; i++)
    {
        const struct json_value *entry = list->u.array.items[i];
        const struct json_value *enabled = json_object_get(entry, "enabled");
        const struct json_value *success = json_object_get(entry, "success-response");

        CHECK_STR(json_object_get_string(entry, "name"), command_table[i].name);
        CHECK(enabled && enabled->type == JSON_BOOL);
        CHECK(success && success->type == JSON_BOOL);
        if (enabled) CHECK_INT(enabled->u.boolean, strcmp(command_table[i].name, "guest-sync") != 0);
        if (success) CHECK_INT(success->u.boolean, !(command_table[i].flags & CMD_NO_SUCCESS_REPLY));
        CHECK_INT(entry->u.object.count, 3);
    }
    json_free(reply);
    free(got);
    /* frozen: only the freeze allow-list is enabled */
    dispatcher_clear(&d);
    d.frozen = true;
    d.version = "9.9";
    got = exchange_str(&d, "{\"execute\":\"guest-info\"}");
    CHECK_INT(json_parse(got, strlen(got), &reply, &error), 0);
    info = json_object_get(reply, "return");
    CHECK_STR(json_object_get_string(info, "version"), "9.9");
    list = json_object_get(info, "supported_commands");
    for (i = 0; list && i < list->u.array.count && i < command_table_len; i++)
    {
        const struct json_value *enabled = json_object_get(list->u.array.items[i], "enabled");
        if (enabled) CHECK_INT(enabled->u.boolean, (command_table[i].flags & CMD_ALLOWED_FROZEN) != 0);
    }
    json_free(reply);
    free(got);
    dispatcher_clear(&d);
}

/* guest-info's reply is kept between calls: it must follow every change of what it reports. */
static size_t enabled_count(struct dispatcher *d)
{
    struct json_value *reply = NULL;
    const struct json_value *list;
    char *got = exchange_str(d, "{\"execute\":\"guest-info\"}"), *error = NULL;
    size_t i, count = 0;

    CHECK_INT(json_parse(got, strlen(got), &reply, &error), 0);
    list = json_object_get(json_object_get(reply, "return"), "supported_commands");
    for (i = 0; list && i < list->u.array.count; i++)
        count += json_object_get(list->u.array.items[i], "enabled")->u.boolean;
    json_free(reply);
    free(got);
    free(error);
    return count;
}

TEST(protocol_guest_info_follows_state)
{
    struct dispatcher d;
    size_t frozen_allowed = 0, i;
    char *got;

    for (i = 0; i < command_table_len; i++)
        frozen_allowed += (command_table[i].flags & CMD_ALLOWED_FROZEN) != 0;
    test_dispatcher_init(&d);
    CHECK_INT(enabled_count(&d), command_table_len);
    CHECK_INT(enabled_count(&d), command_table_len);
    d.frozen = true;
    CHECK_INT(enabled_count(&d), frozen_allowed);
    d.frozen = false;
    CHECK_INT(enabled_count(&d), command_table_len);
    name_list_add(&d.block_rpcs, "guest-ping");
    CHECK_INT(enabled_count(&d), command_table_len - 1);
    d.version = "other";
    got = exchange_str(&d, "{\"execute\":\"guest-info\"}");
    CHECK(strncmp(got, "{\"return\": {\"version\": \"other\"", 30) == 0);
    free(got);
    dispatcher_clear(&d);
}

TEST(protocol_resync_after_garbage)
{
    struct dispatcher d;
    size_t len;
    static const char input[] = "{\"execute\":\"guest-pi\xff{\"execute\":\"guest-sync-delimited\","
                                "\"arguments\":{\"id\":77}}";
    static const char want[] = "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                               "\"JSON parse error, stray '\\\"guest-pi\\uFFFD'\"}}\n\xff{\"return\": 77}\n";
    char *got;

    test_dispatcher_init(&d);
    got = exchange(&d, input, sizeof(input) - 1, 0, &len);
    CHECK_MEM(got, len, want, sizeof(want) - 1);
    free(got);
    got = exchange(&d, input, sizeof(input) - 1, 1, &len);
    CHECK_MEM(got, len, want, sizeof(want) - 1);
    free(got);
}

/* The real table against qemu-ga's Windows build (qga-reference.md §1, §2, §8): the 36 commands
 * it registers, the freeze allow-list and the 'success-response': false commands, exactly. */
TEST(protocol_table_matches_qemu_ga_windows)
{
    static const char *const windows_commands[] = {
        "guest-exec", "guest-exec-status", "guest-file-close", "guest-file-flush", "guest-file-open",
        "guest-file-read", "guest-file-seek", "guest-file-write", "guest-fsfreeze-freeze",
        "guest-fsfreeze-freeze-list", "guest-fsfreeze-status", "guest-fsfreeze-thaw", "guest-fstrim",
        "guest-get-devices", "guest-get-disks", "guest-get-fsinfo", "guest-get-host-name", "guest-get-load",
        "guest-get-osinfo", "guest-get-time", "guest-get-timezone", "guest-get-users", "guest-get-vcpus",
        "guest-info", "guest-network-get-interfaces", "guest-ping", "guest-set-time",
        "guest-set-user-password", "guest-shutdown", "guest-ssh-add-authorized-keys",
        "guest-ssh-get-authorized-keys", "guest-ssh-remove-authorized-keys", "guest-suspend-disk",
        "guest-suspend-ram", "guest-sync", "guest-sync-delimited",
    };
    static const char frozen_allowed[] = " guest-ping guest-info guest-sync guest-sync-delimited "
                                         "guest-fsfreeze-status guest-fsfreeze-thaw ";
    static const char no_success_reply[] = " guest-shutdown guest-suspend-disk guest-suspend-ram ";
    size_t i, frozen = 0, silent = 0;
    char word[64];

    size_t standard = 0, j;

    /* Our own commands (issue 12) carry the QAPI downstream prefix and come first ('_' < 'g');
     * the rest is qemu-ga's table, exactly. */
    while (standard < command_table_len && !strncmp(command_table[standard].name, QGA_EXT_PREFIX,
                                                    strlen(QGA_EXT_PREFIX)))
        standard++;
    for (j = standard; j < command_table_len; j++)
        CHECK(strncmp(command_table[j].name, "__", 2) != 0);
    CHECK_UINT(command_table_len - standard, sizeof(windows_commands) / sizeof(windows_commands[0]));
    for (i = 0; standard + i < command_table_len && i < sizeof(windows_commands) / sizeof(windows_commands[0]); i++)
    {
        const struct command *command = &command_table[standard + i];
        bool want_frozen, want_silent;

        CHECK_STR(command->name, windows_commands[i]);
        snprintf(word, sizeof(word), " %s ", command->name);
        want_frozen = strstr(frozen_allowed, word) != NULL;
        want_silent = strstr(no_success_reply, word) != NULL;
        frozen += want_frozen;
        silent += want_silent;
        if (!!(command->flags & CMD_ALLOWED_FROZEN) != want_frozen)
            CHECK_STR(command->name, want_frozen ? "(allowed while frozen)" : "(refused while frozen)");
        if (!!(command->flags & CMD_NO_SUCCESS_REPLY) != want_silent)
            CHECK_STR(command->name, want_silent ? "(no success reply)" : "(success reply)");
    }
    CHECK_UINT(frozen, 6);
    CHECK_UINT(silent, 3);
}
