/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Effective configuration: config file keys, defaults and the -D dump (portable). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/error.h"

/* compat: the keys qemu-ga reads from [general] on Windows (fsfreeze-hook is POSIX only). */
static const char *const known_keys[] =
{
    "daemon", "method", "path", "logfile", "pidfile", "statedir", "verbose", "retry-path",
    "block-rpcs", "allow-rpcs",
    "fsfreeze-auto-thaw",   /* ours: seconds until the agent thaws by itself (win/agent/platform/vss.h) */
    "fsfreeze-hook-dir",    /* ours: freeze hooks (core/freeze-options.h has the other fsfreeze-* keys) */
};

void config_init(struct config *config)
{
    memset(config, 0, sizeof(*config));
}

void config_clear(struct config *config)
{
    if (!config) return;
    free(config->method);
    free(config->path);
    free(config->logfile);
    free(config->pidfile);
    free(config->statedir);
    free(config->config_file);
    name_list_clear(&config->block_rpcs);
    name_list_clear(&config->allow_rpcs);
    freeze_config_clear(&config->fsfreeze);
    memset(config, 0, sizeof(*config));
}

bool config_key_known(const char *key)
{
    size_t i;

    for (i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
        if (!strcmp(known_keys[i], key)) return true;
    return freeze_config_key_known(key);
}

int config_set_string(char **member, const char *value)
{
    char *copy = NULL;

    if (value && !(copy = strdup(value))) return QGA_ENOMEM;
    free(*member);
    *member = copy;
    return 0;
}

static int key_error(char **error, const struct keyfile_entry *entry, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int key_error(char **error, const struct keyfile_entry *entry, const char *fmt, ...)
{
    char text[512];
    int prefix;
    va_list ap;

    prefix = snprintf(text, sizeof(text), "line %u: key '%s': ", entry->line, entry->key);
    if (prefix < 0 || (size_t)prefix >= sizeof(text)) prefix = 0;
    va_start(ap, fmt);
    vsnprintf(text + prefix, sizeof(text) - (size_t)prefix, fmt, ap);
    va_end(ap);
    if (error) *error = strdup(text);
    return QGA_EINVAL;
}

int config_apply_keyfile(struct config *config, const struct keyfile *keyfile, char **error)
{
    size_t i;
    int ret = 0;

    if (error) *error = NULL;
    for (i = 0; i < keyfile->count && ret >= 0; i++)
    {
        const struct keyfile_entry *entry = &keyfile->entries[i];
        const char *key = entry->key, *value = entry->value;
        bool *flag = NULL;
        char **string = NULL, **path = NULL;

        if (strcmp(entry->group, CONFIG_GROUP)) continue;
        if (!strcmp(key, "daemon")) flag = &config->daemon;
        else if (!strcmp(key, "verbose")) flag = &config->verbose;
        else if (!strcmp(key, "retry-path")) flag = &config->retry_path;
        else if (!strcmp(key, "method")) string = &config->method;
        else if (!strcmp(key, "path")) string = path = &config->path;
        else if (!strcmp(key, "logfile")) string = path = &config->logfile;
        else if (!strcmp(key, "pidfile")) string = path = &config->pidfile;
        else if (!strcmp(key, "statedir")) string = path = &config->statedir;
        else if (!strcmp(key, "fsfreeze-hook-dir")) string = path = &config->fsfreeze.hook_dir;
        else if (!strcmp(key, "block-rpcs")) ret = name_list_add_split(&config->block_rpcs, value);
        else if (!strcmp(key, "allow-rpcs")) ret = name_list_add_split(&config->allow_rpcs, value);
        else if (!strcmp(key, "fsfreeze-auto-thaw"))
        {
            char *end;
            double seconds = strtod(value, &end);

            if (end == value || *end || !(seconds * 1000 >= CONFIG_AUTO_THAW_MIN_MS) ||
                !(seconds * 1000 <= CONFIG_AUTO_THAW_MAX_MS))
                ret = key_error(error, entry, "value '%s' is not a number of seconds from %g to %u", value,
                                CONFIG_AUTO_THAW_MIN_MS / 1000.0, CONFIG_AUTO_THAW_MAX_MS / 1000);
            else
                config->fsfreeze_auto_thaw_ms = (uint32_t)(seconds * 1000 + 0.5);
        }
        else if (freeze_config_key_known(key))
        {
            char *message = NULL;

            if ((ret = freeze_config_apply(&config->fsfreeze, key, value, &message)) == QGA_EINVAL)
                ret = key_error(error, entry, "%s", message ? message : "invalid value");
            free(message);
        }
        /* Unknown keys are ignored as GKeyFile readers do; the caller may warn (config_key_known). */

        if (flag && keyfile_parse_bool(value, flag) < 0)
            ret = key_error(error, entry, "value '%s' cannot be interpreted as a boolean "
                            "(use true, false, 1 or 0)", value);
        if (path && !entry->quoted)
        {
            /* Paths: only \\ is an escape (keyfile_unescape_path), so C:\state stays C:\state. */
            char *unescaped = keyfile_unescape_path(entry->raw);
            if (!unescaped) return QGA_ENOMEM;
            free(*path);
            *path = *unescaped ? unescaped : NULL;
            if (!*path) free(unescaped);
        }
        else if (string)
        {
            /* An empty string means "not set" (a default applies), never an empty path. */
            ret = config_set_string(string, *value ? value : NULL);
        }
    }
    return ret;
}

int config_set_defaults(struct config *config, const char *default_statedir, char path_separator)
{
    int ret;

    if (!config->method && (ret = config_set_string(&config->method, CONFIG_METHOD_VIRTIO)) < 0) return ret;
    if (!config->statedir && (ret = config_set_string(&config->statedir, default_statedir)) < 0) return ret;
    if (!config->pidfile && config->statedir)
    {
        size_t len = strlen(config->statedir);
        bool has_separator = len && (config->statedir[len - 1] == path_separator);
        char *pidfile = malloc(len + 2 + sizeof(CONFIG_PID_FILE));

        if (!pidfile) return QGA_ENOMEM;
        snprintf(pidfile, len + 2 + sizeof(CONFIG_PID_FILE), "%s%s%s", config->statedir,
                 has_separator ? "" : (char[]){ path_separator, 0 }, CONFIG_PID_FILE);
        config->pidfile = pidfile;
    }
    return 0;
}

bool config_method_supported(const char *method)
{
    return method && (!strcmp(method, CONFIG_METHOD_VIRTIO) || !strcmp(method, CONFIG_METHOD_SERIAL));
}

/* A growing output buffer. */
struct text
{
    char *data;
    size_t len, capacity;
    bool failed;
};

static void text_append(struct text *text, const char *data)
{
    size_t len = strlen(data);

    if (text->failed) return;
    if (text->len + len + 1 > text->capacity)
    {
        size_t capacity = (text->len + len + 1) * 2;
        char *grown = realloc(text->data, capacity);
        if (!grown)
        {
            text->failed = true;
            return;
        }
        text->data = grown;
        text->capacity = capacity;
    }
    memcpy(text->data + text->len, data, len + 1);
    text->len += len;
}

static void text_key(struct text *text, const char *key, const char *value)
{
    char *escaped = keyfile_escape(value);

    if (!escaped)
    {
        text->failed = true;
        return;
    }
    text_append(text, key);
    text_append(text, "=");
    text_append(text, escaped);
    text_append(text, "\n");
    free(escaped);
}

/* Paths are read back with keyfile_unescape_path(): only backslashes are doubled, and a value
 * that the parser would trim or take for a quoted one is written quoted (taken literally). */
static void text_path_key(struct text *text, const char *key, const char *value)
{
    size_t len = strlen(value), i;
    char *escaped, *p;

    text_append(text, key);
    text_append(text, "=");
    if (len && (value[0] == ' ' || value[0] == '\t' || value[0] == '"' || value[len - 1] == ' '
                || value[len - 1] == '\t' || value[len - 1] == '\r'))
    {
        text_append(text, "\"");
        text_append(text, value);
        text_append(text, "\"\n");
        return;
    }
    if (!(escaped = malloc(len * 2 + 1)))
    {
        text->failed = true;
        return;
    }
    for (i = 0, p = escaped; i < len; i++)
    {
        if (value[i] == '\\') *p++ = '\\';
        *p++ = value[i];
    }
    *p = 0;
    text_append(text, escaped);
    text_append(text, "\n");
    free(escaped);
}

static void text_list(struct text *text, const char *key, const struct name_list *list)
{
    size_t i;

    text_append(text, key);
    text_append(text, "=");
    for (i = 0; i < list->count; i++)
    {
        char *escaped = keyfile_escape(list->names[i]);
        if (!escaped)
        {
            text->failed = true;
            return;
        }
        if (i) text_append(text, ",");
        text_append(text, escaped);
        free(escaped);
    }
    text_append(text, "\n");
}

static void dump_freeze_key(void *opaque, const char *key, const char *value, bool is_path)
{
    struct text *text = opaque;

    if (!value) text->failed = true;
    else if (is_path) text_path_key(text, key, value);
    else text_key(text, key, value);
}

int config_dump(const struct config *config, char **out)
{
    struct text text = { NULL, 0, 0, false };

    *out = NULL;
    text_append(&text, "[" CONFIG_GROUP "]\n");
    text_key(&text, "daemon", config->daemon ? "true" : "false");
    text_key(&text, "method", config->method ? config->method : "");
    if (config->path) text_path_key(&text, "path", config->path);
    if (config->logfile) text_path_key(&text, "logfile", config->logfile);
    text_path_key(&text, "pidfile", config->pidfile ? config->pidfile : "");
    text_path_key(&text, "statedir", config->statedir ? config->statedir : "");
    text_key(&text, "verbose", config->verbose ? "true" : "false");
    text_key(&text, "retry-path", config->retry_path ? "true" : "false");
    text_list(&text, "block-rpcs", &config->block_rpcs);
    text_list(&text, "allow-rpcs", &config->allow_rpcs);
    if (config->fsfreeze_auto_thaw_ms)
    {
        char seconds[32];

        snprintf(seconds, sizeof(seconds), "%g", config->fsfreeze_auto_thaw_ms / 1000.0);
        text_key(&text, "fsfreeze-auto-thaw", seconds);
    }
    freeze_config_dump(&config->fsfreeze, dump_freeze_key, &text);
    if (text.failed || !text.data)
    {
        free(text.data);
        return QGA_ENOMEM;
    }
    *out = text.data;
    return 0;
}
