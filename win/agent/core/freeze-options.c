/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fsfreeze config keys and per-call options, and how they merge (portable). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/freeze-options.h"
#include "core/keyfile.h"

const char *const freeze_backup_type_names[] =
{
    "full", "incremental", "differential", "log", "copy", NULL,
};

const struct arg_spec freeze_ext_args[] =
{
    { "mountpoints",     ARG_STR_LIST,        ARG_OPTIONAL, NULL,                     NULL },
    { "backup-type",     ARG_ENUM,            ARG_OPTIONAL, freeze_backup_type_names, NULL },
    { "include-writers", ARG_STR_LIST,        ARG_OPTIONAL, NULL,                     NULL },
    { "exclude-writers", ARG_STR_LIST,        ARG_OPTIONAL, NULL,                     NULL },
    { "fs-only",         ARG_BOOL,            ARG_OPTIONAL, NULL,                     NULL },
    { "hold-timeout",    ARG_NUMBER,          ARG_OPTIONAL, NULL,                     NULL },
    { "hooks",           ARG_BOOL,            ARG_OPTIONAL, NULL,                     NULL },
    { NULL, 0, 0, NULL, NULL },
};

const char *freeze_backup_type_name(uint32_t type)
{
    if (type >= FREEZE_BT_FULL && type <= FREEZE_BT_COPY) return freeze_backup_type_names[type - 1];
    return "default";
}

int freeze_backup_type_parse(const char *name, uint32_t *out)
{
    uint32_t i;

    for (i = 0; freeze_backup_type_names[i]; i++)
    {
        if (!strcmp(name, freeze_backup_type_names[i]))
        {
            *out = i + 1;
            return 0;
        }
    }
    return QGA_EINVAL;
}

int freeze_seconds_to_ms(double seconds, uint32_t *ms)
{
    /* Written so that NaN fails both comparisons. */
    if (!(seconds * 1000 >= FREEZE_SECONDS_MIN_MS) || !(seconds * 1000 <= FREEZE_SECONDS_MAX_MS)) return QGA_EINVAL;
    *ms = (uint32_t)(seconds * 1000 + 0.5);
    return 0;
}

void freeze_config_clear(struct freeze_config *config)
{
    if (!config) return;
    free(config->hook_dir);
    name_list_clear(&config->include_writers);
    name_list_clear(&config->exclude_writers);
    memset(config, 0, sizeof(*config));
}

static const char *const config_keys[] =
{
    "fsfreeze-hook-timeout", "fsfreeze-hook-continue-on-failure", "fsfreeze-hooks", "fsfreeze-backup-type",
    "fsfreeze-include-writers", "fsfreeze-exclude-writers", "fsfreeze-fs-only",
};

bool freeze_config_key_known(const char *key)
{
    size_t i;

    for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
        if (!strcmp(config_keys[i], key)) return true;
    return false;
}

static int fail(char **error, const char *fmt, ...) QGA_PRINTF(2, 3);

static int fail(char **error, const char *fmt, ...)
{
    char text[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (error && !(*error = strdup(text))) return QGA_ENOMEM;
    return QGA_EINVAL;
}

static int parse_seconds(const char *value, uint32_t *ms, char **error)
{
    char *end;
    double seconds = strtod(value, &end);

    if (end == value || *end || freeze_seconds_to_ms(seconds, ms) < 0)
        return fail(error, "value '%s' is not a number of seconds from %g to %u", value,
                    FREEZE_SECONDS_MIN_MS / 1000.0, FREEZE_SECONDS_MAX_MS / 1000);
    return 0;
}

static int parse_bool(const char *value, bool *out, char **error)
{
    if (keyfile_parse_bool(value, out) < 0)
        return fail(error, "value '%s' cannot be interpreted as a boolean (use true, false, 1 or 0)", value);
    return 0;
}

int freeze_config_apply(struct freeze_config *config, const char *key, const char *value, char **error)
{
    bool flag;
    int ret;

    if (error) *error = NULL;
    if (!strcmp(key, "fsfreeze-hook-timeout")) return parse_seconds(value, &config->hook_timeout_ms, error);
    if (!strcmp(key, "fsfreeze-hook-continue-on-failure"))
        return parse_bool(value, &config->hook_continue_on_failure, error);
    if (!strcmp(key, "fsfreeze-fs-only")) return parse_bool(value, &config->fs_only, error);
    if (!strcmp(key, "fsfreeze-hooks"))
    {
        if ((ret = parse_bool(value, &flag, error)) < 0) return ret;
        config->hooks_disabled = !flag;
        return 0;
    }
    if (!strcmp(key, "fsfreeze-backup-type"))
    {
        if (!*value)
        {
            config->backup_type = FREEZE_BT_DEFAULT;
            return 0;
        }
        if (freeze_backup_type_parse(value, &config->backup_type) < 0)
            return fail(error, "value '%s' is not a backup type (full, incremental, differential, log or copy)",
                        value);
        return 0;
    }
    /* Lists accumulate, as block-rpcs and allow-rpcs do. */
    if (!strcmp(key, "fsfreeze-include-writers")) return name_list_add_split(&config->include_writers, value);
    if (!strcmp(key, "fsfreeze-exclude-writers")) return name_list_add_split(&config->exclude_writers, value);
    return 0;
}

static void emit_list(freeze_config_emit emit, void *opaque, const char *key, const struct name_list *list)
{
    size_t len = 1, i;
    char *text;

    if (!list->count) return;
    for (i = 0; i < list->count; i++) len += strlen(list->names[i]) + 1;
    if (!(text = malloc(len)))
    {
        emit(opaque, key, NULL, false);   /* NULL value: out of memory, the caller fails the dump */
        return;
    }
    text[0] = 0;
    for (i = 0; i < list->count; i++)
    {
        if (i) strcat(text, ",");
        strcat(text, list->names[i]);
    }
    emit(opaque, key, text, false);
    free(text);
}

void freeze_config_dump(const struct freeze_config *config, freeze_config_emit emit, void *opaque)
{
    char seconds[32];

    if (config->hook_dir) emit(opaque, "fsfreeze-hook-dir", config->hook_dir, true);
    if (config->hook_timeout_ms)
    {
        snprintf(seconds, sizeof(seconds), "%g", config->hook_timeout_ms / 1000.0);
        emit(opaque, "fsfreeze-hook-timeout", seconds, false);
    }
    if (config->hook_continue_on_failure) emit(opaque, "fsfreeze-hook-continue-on-failure", "true", false);
    if (config->hooks_disabled) emit(opaque, "fsfreeze-hooks", "false", false);
    if (config->backup_type)
        emit(opaque, "fsfreeze-backup-type", freeze_backup_type_name(config->backup_type), false);
    emit_list(emit, opaque, "fsfreeze-include-writers", &config->include_writers);
    emit_list(emit, opaque, "fsfreeze-exclude-writers", &config->exclude_writers);
    if (config->fs_only) emit(opaque, "fsfreeze-fs-only", "true", false);
}

static int copy_list(struct name_list *to, const struct name_list *from)
{
    size_t i;
    int ret;

    name_list_clear(to);
    for (i = 0; i < from->count; i++)
        if ((ret = name_list_add(to, from->names[i])) < 0) return ret;
    return 0;
}

int freeze_options_defaults(struct freeze_options *options, const struct freeze_config *config,
                            uint32_t auto_thaw_ms)
{
    int ret;

    memset(options, 0, sizeof(*options));
    options->hooks = !config->hooks_disabled;
    options->backup_type = config->backup_type;
    options->fs_only = config->fs_only;
    options->hold_timeout_ms = auto_thaw_ms;
    if ((ret = copy_list(&options->include_writers, &config->include_writers)) < 0 ||
        (ret = copy_list(&options->exclude_writers, &config->exclude_writers)) < 0)
        freeze_options_clear(options);
    return ret;
}

static int list_from_arg(struct name_list *list, const struct json_value *array)
{
    size_t i;
    int ret;

    name_list_clear(list);
    for (i = 0; i < array->u.array.count; i++)
    {
        const struct json_value *item = array->u.array.items[i];

        /* A writer name with NUL would match nothing and print cut: refused by the caller. */
        if (strlen(item->u.string.data) != item->u.string.len) return QGA_EINVAL;
        if (item->u.string.len && (ret = name_list_add(list, item->u.string.data)) < 0) return ret;
    }
    return 0;
}

int freeze_options_apply_args(struct freeze_options *options, const struct json_value *args, char **error)
{
    const struct json_value *value;
    double seconds;
    int ret;

    if (error) *error = NULL;
    if (!args) return 0;
    if ((value = json_object_get(args, "backup-type")) &&
        freeze_backup_type_parse(value->u.string.data, &options->backup_type) < 0)
        return fail(error, "Parameter 'backup-type' does not accept value '%s'", value->u.string.data);
    if ((value = json_object_get(args, "include-writers")) &&
        (ret = list_from_arg(&options->include_writers, value)) < 0)
        return ret == QGA_EINVAL ? fail(error, "Parameter 'include-writers' expects writer names or ids") : ret;
    if ((value = json_object_get(args, "exclude-writers")) &&
        (ret = list_from_arg(&options->exclude_writers, value)) < 0)
        return ret == QGA_EINVAL ? fail(error, "Parameter 'exclude-writers' expects writer names or ids") : ret;
    if ((value = json_object_get(args, "fs-only"))) options->fs_only = value->u.boolean;
    if ((value = json_object_get(args, "hooks"))) options->hooks = value->u.boolean;
    if ((value = json_object_get(args, "hold-timeout")))
    {
        seconds = value->type == JSON_INT ? (double)value->u.integer
                : value->type == JSON_UINT ? (double)value->u.uinteger : value->u.number;
        if (freeze_seconds_to_ms(seconds, &options->hold_timeout_ms) < 0)
            return fail(error, "Parameter 'hold-timeout' expects a number of seconds from %g to %u",
                        FREEZE_SECONDS_MIN_MS / 1000.0, FREEZE_SECONDS_MAX_MS / 1000);
    }
    return 0;
}

void freeze_options_clear(struct freeze_options *options)
{
    if (!options) return;
    name_list_clear(&options->include_writers);
    name_list_clear(&options->exclude_writers);
    memset(options, 0, sizeof(*options));
}
