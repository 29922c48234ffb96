/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Request validation, generic argument checking, command filtering and replies (portable core).
 * compat: qapi/qmp-dispatch.c and the QAPI input visitor's wording (qga-reference.md §8). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dispatch.h"

/* ---- name lists ------------------------------------------------------------------------------ */

static int name_list_add_len(struct name_list *list, const char *name, size_t len)
{
    char **names, *copy;
    size_t i;

    for (i = 0; i < list->count; i++)
    {
        if (strlen(list->names[i]) == len && !memcmp(list->names[i], name, len)) return 0;
    }
    if (!(copy = malloc(len + 1))) return QGA_ENOMEM;
    memcpy(copy, name, len);
    copy[len] = 0;
    if (!(names = realloc(list->names, (list->count + 1) * sizeof(*names))))
    {
        free(copy);
        return QGA_ENOMEM;
    }
    names[list->count++] = copy;
    list->names = names;
    return 0;
}

int name_list_add(struct name_list *list, const char *name)
{
    return name_list_add_len(list, name, strlen(name));
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int name_list_add_split(struct name_list *list, const char *text)
{
    const char *start = text;
    int ret;

    for (;;)
    {
        const char *end = start, *next;

        while (*end && *end != ',' && *end != ';') end++;
        next = *end ? end + 1 : NULL;
        while (start < end && is_space(*start)) start++;
        while (end > start && is_space(end[-1])) end--;
        if (end > start && (ret = name_list_add_len(list, start, (size_t)(end - start))) < 0) return ret;
        if (!next) return 0;
        start = next;
    }
}

bool name_list_contains(const struct name_list *list, const char *name)
{
    size_t i;

    for (i = 0; i < list->count; i++)
    {
        if (!strcmp(list->names[i], name)) return true;
    }
    return false;
}

void name_list_clear(struct name_list *list)
{
    size_t i;

    for (i = 0; i < list->count; i++) free(list->names[i]);
    free(list->names);
    list->names = NULL;
    list->count = 0;
}

void dispatcher_clear(struct dispatcher *dispatcher)
{
    name_list_clear(&dispatcher->allow_rpcs);
    name_list_clear(&dispatcher->block_rpcs);
    json_free(dispatcher->info_reply);
    free(dispatcher->info_enabled);
    dispatcher->info_reply = NULL;
    dispatcher->info_enabled = NULL;
    dispatcher->info_version = NULL;
}

/* ---- filtering and lookup -------------------------------------------------------------------- */

/* compat: ga_command_is_allowed(): an allow list makes the default deny, the block list wins over
 * it, and while frozen only the freeze allow-list may run.  qemu lets a frozen agent run a command
 * of the freeze allow-list even when --block-rpcs names it; here a blocked command stays blocked
 * (the block list is the administrator's word; tests/unit/test-dispatch.c names the difference). */
bool dispatch_command_enabled(const struct dispatcher *dispatcher, const struct command *command)
{
    if (dispatcher->allow_rpcs.count && !name_list_contains(&dispatcher->allow_rpcs, command->name)) return false;
    if (name_list_contains(&dispatcher->block_rpcs, command->name)) return false;
    if (dispatcher->frozen && !(command->flags & CMD_ALLOWED_FROZEN)) return false;
    return true;
}

const struct command *dispatch_find(const struct dispatcher *dispatcher, const char *name)
{
    size_t low = 0, high = dispatcher->command_count;

    /* the table is sorted by name (a unit test checks it) */
    while (low < high)
    {
        size_t mid = low + (high - low) / 2;
        int cmp = strcmp(name, dispatcher->commands[mid].name);

        if (!cmp) return &dispatcher->commands[mid];
        if (cmp < 0) high = mid;
        else low = mid + 1;
    }
    return NULL;
}

/* ---- handler helpers ------------------------------------------------------------------------- */

int call_error(struct command_call *call, int code, const char *desc)
{
    if (code >= 0) code = QGA_EGENERIC;
    free(call->error_desc);
    call->error_desc = desc ? strdup(desc) : NULL;
    call->error_code = code;
    return code;
}

int call_verrorf(struct command_call *call, int code, const char *fmt, va_list ap)
{
    va_list ap2;
    char *text;
    int len;

    if (code >= 0) code = QGA_EGENERIC;
    va_copy(ap2, ap);
    len = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    free(call->error_desc);
    call->error_desc = NULL;
    if (len >= 0 && (text = malloc((size_t)len + 1)))
    {
        vsnprintf(text, (size_t)len + 1, fmt, ap);
        call->error_desc = text;
    }
    call->error_code = code;
    return code;
}

int call_errorf(struct command_call *call, int code, const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = call_verrorf(call, code, fmt, ap);
    va_end(ap);
    return ret;
}

const struct json_value *arg_value(const struct command_call *call, const char *name)
{
    return json_object_get(call->args, name);
}

bool arg_present(const struct command_call *call, const char *name)
{
    return arg_value(call, name) != NULL;
}

int64_t arg_int(const struct command_call *call, const char *name, int64_t fallback)
{
    const struct json_value *value = arg_value(call, name);

    return value && value->type == JSON_INT ? value->u.integer : fallback;
}

double arg_number(const struct command_call *call, const char *name, double fallback)
{
    const struct json_value *value = arg_value(call, name);

    if (!value) return fallback;
    switch (value->type)
    {
    case JSON_INT: return (double)value->u.integer;
    case JSON_UINT: return (double)value->u.uinteger;
    case JSON_DOUBLE: return value->u.number;
    default: return fallback;
    }
}

bool arg_bool(const struct command_call *call, const char *name, bool fallback)
{
    const struct json_value *value = arg_value(call, name);

    return value && value->type == JSON_BOOL ? value->u.boolean : fallback;
}

const char *arg_string(const struct command_call *call, const char *name, const char *fallback)
{
    const struct json_value *value = arg_value(call, name);

    return value && value->type == JSON_STRING ? value->u.string.data : fallback;
}

/* ---- argument validation --------------------------------------------------------------------- */

static const char *type_word(unsigned types)
{
    if (types & ARG_INT) return "integer";
    if (types & ARG_NUMBER) return "number";
    if (types & ARG_BOOL) return "boolean";
    if (types & (ARG_STRING | ARG_ENUM)) return "string";
    if (types & ARG_STR_LIST) return "array";
    return "value";
}

static bool has_nul(const struct json_value *string)
{
    return memchr(string->u.string.data, 0, string->u.string.len) != NULL;
}

static bool enum_accepts(const struct arg_spec *spec, const struct json_value *string)
{
    const char *const *value;

    if (!spec->enum_values || has_nul(string)) return false;
    for (value = spec->enum_values; *value; value++)
    {
        if (!strcmp(*value, string->u.string.data)) return true;
    }
    return false;
}

static int check_arg(struct command_call *call, const struct arg_spec *spec, const struct json_value *value)
{
    unsigned types = spec->types;
    unsigned kinds = types & (ARG_INT | ARG_NUMBER | ARG_BOOL | ARG_STRING | ARG_ENUM | ARG_STR_LIST);
    bool alternate = (kinds & (kinds - 1)) != 0;
    size_t i;

    if (types & ARG_ANY) return 0;
    switch (value->type)
    {
    case JSON_INT:
        if (types & (ARG_INT | ARG_NUMBER)) return 0;
        break;
    case JSON_UINT:
    case JSON_DOUBLE:
        if (types & ARG_NUMBER) return 0;
        break;
    case JSON_BOOL:
        if (types & ARG_BOOL) return 0;
        break;
    case JSON_STRING:
        if (types & ARG_ENUM)
        {
            if (enum_accepts(spec, value)) return 0;
            /* compat: printed up to a NUL, as qemu's C strings would be */
            return call_errorf(call, QGA_EGENERIC, "Parameter '%s' does not accept value '%s'", spec->name,
                               value->u.string.data);
        }
        if (types & ARG_STRING)
        {
            if (!has_nul(value)) return 0;
            return call_errorf(call, QGA_EGENERIC, "Parameter '%s' contains a NUL character", spec->name);
        }
        break;
    case JSON_ARRAY:
        if (!(types & ARG_STR_LIST)) break;
        for (i = 0; i < value->u.array.count; i++)
        {
            const struct json_value *item = value->u.array.items[i];

            if (item->type != JSON_STRING)
                return call_errorf(call, QGA_EGENERIC, "Invalid parameter type for '%s[%zu]', expected: string",
                                   spec->name, i);
            if (has_nul(item))
                return call_errorf(call, QGA_EGENERIC, "Parameter '%s[%zu]' contains a NUL character", spec->name, i);
        }
        return 0;
    default:
        break;
    }
    return call_errorf(call, QGA_EGENERIC, "Invalid parameter type for '%s', expected: %s", spec->name,
                       alternate && spec->type_name ? spec->type_name : type_word(types));
}

/* compat: members are checked in schema order (missing, then type, then enum value); members the
 * schema does not know are reported after that. */
static int check_args(struct command_call *call, const struct arg_spec *specs, const struct json_value *args)
{
    const struct arg_spec *spec;
    size_t i;
    int ret;

    for (spec = specs; spec && spec->name; spec++)
    {
        const struct json_value *value = json_object_get(args, spec->name);

        if (!value)
        {
            if (spec->flags & ARG_OPTIONAL) continue;
            return call_errorf(call, QGA_EGENERIC, "Parameter '%s' is missing", spec->name);
        }
        if ((ret = check_arg(call, spec, value)) < 0) return ret;
    }
    for (i = 0; i < args->u.object.count; i++)
    {
        const char *key = args->u.object.members[i].key;
        bool known = false;

        for (spec = specs; spec && spec->name && !known; spec++) known = !strcmp(spec->name, key);
        if (!known) return call_errorf(call, QGA_EGENERIC, "Parameter '%s' is unexpected", key);
    }
    return 0;
}

/* ---- requests -------------------------------------------------------------------------------- */

/* compat: qemu's QDict iterates its 512 hash buckets in order (tdb hash), newest entry first
 * within a bucket; the first bad member in that order is the one qemu reports. */
static unsigned qdict_bucket(const char *key)
{
    uint32_t value = 0x238F13AFu * (uint32_t)strlen(key);
    unsigned i;

    for (i = 0; key[i]; i++) value += (uint32_t)(unsigned char)key[i] << (i * 5 % 24);
    return (1103515243u * value + 12345u) % 512;
}

static const char *member_problem(const struct json_member *member)
{
    if (!strcmp(member->key, "execute"))
        return member->value->type == JSON_STRING ? NULL : "QMP input member 'execute' must be a string";
    if (!strcmp(member->key, "arguments"))
        return member->value->type == JSON_OBJECT ? NULL : "QMP input member 'arguments' must be an object";
    if (!strcmp(member->key, "id")) return NULL;
    return "";      /* unexpected */
}

static int check_request(struct command_call *call, const struct json_value *request)
{
    const struct json_member *worst = NULL;
    const char *problem = NULL;
    unsigned worst_bucket = 0;
    size_t i;

    for (i = 0; i < request->u.object.count; i++)
    {
        const struct json_member *member = &request->u.object.members[i];
        const char *text = member_problem(member);
        unsigned bucket;

        if (!text) continue;
        bucket = qdict_bucket(member->key);
        if (!worst || bucket <= worst_bucket)   /* later members come first within a bucket */
        {
            worst = member;
            worst_bucket = bucket;
            problem = text;
        }
    }
    if (worst && *problem) return call_error(call, QGA_EGENERIC, problem);
    if (worst) return call_errorf(call, QGA_EGENERIC, "QMP input member '%s' is unexpected", worst->key);
    if (!json_object_get(request, "execute")) return call_error(call, QGA_EGENERIC, "QMP input lacks member 'execute'");
    return 0;
}

/* The command name as qemu would print it: a NUL shown as C0 80 (written back as \u0000). */
static char *printable_name(const struct json_value *name)
{
    size_t i, pos = 0;
    char *text = malloc(name->u.string.len * 2 + 1);

    if (!text) return NULL;
    for (i = 0; i < name->u.string.len; i++)
    {
        if (name->u.string.data[i]) text[pos++] = name->u.string.data[i];
        else
        {
            text[pos++] = (char)0xC0;
            text[pos++] = (char)0x80;
        }
    }
    text[pos] = 0;
    return text;
}

static int lookup(struct command_call *call, const struct json_value *name)
{
    const struct command *command = NULL;
    char *printable;
    int ret;

    if (!has_nul(name)) command = dispatch_find(call->dispatcher, name->u.string.data);
    if (command && dispatch_command_enabled(call->dispatcher, command))
    {
        call->command = command;
        return 0;
    }
    if (!(printable = printable_name(name))) return call_error(call, QGA_ENOMEM, NULL);
    if (!command)
        ret = call_errorf(call, QGA_ECMDNOTFOUND, "The command %s has not been found", printable);
    else
        ret = call_errorf(call, QGA_ECMDNOTFOUND, "Command %s has been disabled: the command is not allowed",
                          printable);
    free(printable);
    return ret;
}

/* Writes {"return": result, "id": id} or {"id": id, "error": {"class": ..., "desc": ...}} without
 * copying the (borrowed) values.  compat: the member order of qemu's QDict for these keys. */
static int write_reply(const struct json_value *result, int code, const char *desc, const struct json_value *id,
                       bool leading_ff, const struct json_sink *sink)
{
    struct json_value cls_value = { .type = JSON_STRING }, desc_value = { .type = JSON_STRING };
    struct json_member error_members[2] = { { (char *)"class", &cls_value }, { (char *)"desc", &desc_value } };
    struct json_value error = { .type = JSON_OBJECT };
    struct json_value empty = { .type = JSON_OBJECT };
    struct json_member members[2];
    struct json_value reply = { .type = JSON_OBJECT };
    size_t count = 0;

    if (code < 0)
    {
        cls_value.u.string.data = (char *)qga_error_class(code);
        cls_value.u.string.len = strlen(cls_value.u.string.data);
        desc_value.u.string.data = (char *)(desc ? desc : qga_error_text(code));
        desc_value.u.string.len = strlen(desc_value.u.string.data);
        error.u.object.members = error_members;
        error.u.object.count = error.u.object.capacity = 2;
        if (id) members[count++] = (struct json_member){ (char *)"id", (struct json_value *)id };
        members[count++] = (struct json_member){ (char *)"error", &error };
    }
    else
    {
        members[count++] = (struct json_member){ (char *)"return", result ? (struct json_value *)result : &empty };
        if (id) members[count++] = (struct json_member){ (char *)"id", (struct json_value *)id };
    }
    reply.u.object.members = members;
    reply.u.object.count = reply.u.object.capacity = count;
    return json_write_line(&reply, leading_ff, sink);
}

struct json_value *dispatch_error_reply(int code, const char *desc, const struct json_value *id)
{
    struct json_value *reply = json_object(), *error = json_object();

    if (!reply || !error) goto fail;
    if (code >= 0) code = QGA_EGENERIC;
    if (id && json_object_set(reply, "id", json_clone(id)) < 0) goto fail;
    if (json_object_set_string(error, "class", qga_error_class(code)) < 0) goto fail;
    if (json_object_set_string(error, "desc", desc ? desc : qga_error_text(code)) < 0) goto fail;
    if (json_object_set(reply, "error", error) < 0)
    {
        error = NULL;
        goto fail;
    }
    return reply;
fail:
    json_free(error);
    json_free(reply);
    return NULL;
}

int dispatch_request(struct dispatcher *dispatcher, struct json_value *request, const char *parse_error,
                     const struct json_sink *sink)
{
    static const struct json_value no_args = { .type = JSON_OBJECT };
    struct command_call call = { .dispatcher = dispatcher, .args = &no_args };
    const struct json_value *id = NULL, *args;
    int ret;

    if (!request)
    {
        ret = call_error(&call, QGA_EGENERIC, parse_error ? parse_error : "JSON parse error");
        goto reply;
    }
    if (request->type != JSON_OBJECT)
    {
        ret = call_error(&call, QGA_EGENERIC, "QMP input must be a JSON object");
        goto reply;
    }
    id = json_object_get(request, "id");
    if ((ret = check_request(&call, request)) < 0) goto reply;
    if ((ret = lookup(&call, json_object_get(request, "execute"))) < 0) goto reply;
    if ((args = json_object_get(request, "arguments"))) call.args = args;
    if ((ret = check_args(&call, call.command->args, call.args)) < 0) goto reply;

    ret = call.command->handler(&call);
    if (ret >= 0 && ((call.command->flags & CMD_NO_SUCCESS_REPLY) || call.suppress_reply))
    {
        ret = 0;
        goto done;
    }
reply:
    if (ret < 0)
    {
        int code = call.error_code < 0 ? call.error_code : ret;
        ret = write_reply(NULL, code, call.error_desc, id, call.delimit_reply, sink);
    }
    else
    {
        ret = write_reply(call.result, 0, NULL, id, call.delimit_reply, sink);
    }
done:
    if (!call.result_borrowed) json_free(call.result);
    free(call.error_desc);
    json_free(request);
    return ret;
}
