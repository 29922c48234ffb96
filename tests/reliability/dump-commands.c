/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prints the command table (commands/table.c) as one JSON object: every command with its flags
 * and argument specs.  The malformed-input sweep (harness/malformed.py) derives its wrong-type
 * and missing-argument messages from this, so a command added to the table is swept with no
 * change to the tests.  A native program: the table is portable and the same in qemu-ga.exe. */
#include <stdio.h>
#include <stdlib.h>

#include "commands/commands.h"
#include "core/json.h"

static const struct { unsigned bit; const char *name; } type_names[] =
{
    { ARG_INT, "int" }, { ARG_NUMBER, "number" }, { ARG_BOOL, "bool" }, { ARG_STRING, "string" },
    { ARG_ENUM, "enum" }, { ARG_STR_LIST, "str-list" }, { ARG_ANY, "any" },
};

static int write_stdout(void *opaque, const char *data, size_t len)
{
    (void)opaque;
    return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

static int add_arg(struct json_value *list, const struct arg_spec *spec)
{
    struct json_value *arg = json_object(), *types = json_array(), *values = NULL;
    const char *const *value;
    size_t i;

    if (!arg || !types) goto fail;
    for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if ((spec->types & type_names[i].bit) && json_array_append(types, json_string(type_names[i].name)) < 0)
            goto fail;
    if (json_object_set_string(arg, "name", spec->name) < 0) goto fail;
    if (json_object_set(arg, "types", types) < 0)
    {
        types = NULL;
        goto fail;
    }
    types = NULL;
    if (json_object_set_bool(arg, "optional", (spec->flags & ARG_OPTIONAL) != 0) < 0) goto fail;
    if (spec->enum_values)
    {
        if (!(values = json_array())) goto fail;
        for (value = spec->enum_values; *value; value++)
            if (json_array_append(values, json_string(*value)) < 0) goto fail;
        if (json_object_set(arg, "enum", values) < 0)
        {
            values = NULL;
            goto fail;
        }
        values = NULL;
    }
    if (spec->type_name && json_object_set_string(arg, "type-name", spec->type_name) < 0) goto fail;
    return json_array_append(list, arg);
fail:
    json_free(values);
    json_free(types);
    json_free(arg);
    return -1;
}

int main(void)
{
    struct json_sink sink = { write_stdout, NULL };
    struct json_value *root = json_object(), *commands = json_array();
    size_t i;

    if (!root || !commands || json_object_set(root, "commands", commands) < 0) return 1;
    for (i = 0; i < command_table_len; i++)
    {
        const struct command *command = &command_table[i];
        const struct arg_spec *spec;
        struct json_value *entry = json_object(), *args = json_array();

        if (!entry || !args || json_array_append(commands, entry) < 0 || json_object_set(entry, "args", args) < 0)
            return 1;
        if (json_object_set_string(entry, "name", command->name) < 0
            || json_object_set_bool(entry, "allowed-frozen", (command->flags & CMD_ALLOWED_FROZEN) != 0) < 0
            || json_object_set_bool(entry, "success-response", !(command->flags & CMD_NO_SUCCESS_REPLY)) < 0)
            return 1;
        for (spec = command->args; spec && spec->name; spec++)
            if (add_arg(args, spec) < 0) return 1;
    }
    if (json_write_line(root, false, &sink) < 0) return 1;
    json_free(root);
    return fflush(stdout) ? 1 : 0;
}
