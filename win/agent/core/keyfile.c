/* SPDX-License-Identifier: GPL-2.0-or-later */
/* GKeyFile-compatible parser and value escaping for the configuration file (portable). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/keyfile.h"

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static char *dup_range(const char *start, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy) return NULL;
    memcpy(copy, start, len);
    copy[len] = 0;
    return copy;
}

static int set_error(char **error, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int set_error(char **error, unsigned line, const char *fmt, ...)
{
    char text[256];
    int prefix;
    va_list ap;

    if (!error) return QGA_EINVAL;
    prefix = snprintf(text, sizeof(text), "line %u: ", line);
    va_start(ap, fmt);
    vsnprintf(text + prefix, sizeof(text) - (size_t)prefix, fmt, ap);
    va_end(ap);
    *error = strdup(text);
    return QGA_EINVAL;
}

/* Unescape value[0..len) into a new string (compat: GKeyFile's escapes, lenient otherwise). */
static char *unescape(const char *value, size_t len)
{
    char *out = malloc(len + 1), *p = out;
    size_t i;

    if (!out) return NULL;
    for (i = 0; i < len; i++)
    {
        if (value[i] != '\\' || i + 1 == len)
        {
            *p++ = value[i];
            continue;
        }
        switch (value[i + 1])
        {
        case 's':  *p++ = ' ';  i++; break;
        case 'n':  *p++ = '\n'; i++; break;
        case 't':  *p++ = '\t'; i++; break;
        case 'r':  *p++ = '\r'; i++; break;
        case '\\': *p++ = '\\'; i++; break;
        case '"':  *p++ = '"';  i++; break;     /* ours: from keyfile_escape() */
        default:   *p++ = '\\'; break;      /* kept: "C:\Program Files" reads as written */
        }
    }
    *p = 0;
    return out;
}

static int add_entry(struct keyfile *keyfile, const char *group, const char *key, char *value, char *raw,
                     bool quoted, unsigned line)
{
    struct keyfile_entry *entry;
    size_t i;

    for (i = 0; i < keyfile->count; i++)
    {
        entry = &keyfile->entries[i];
        if (!strcmp(entry->group, group) && !strcmp(entry->key, key))
        {
            free(entry->value);         /* GKeyFile: the last assignment wins */
            free(entry->raw);
            entry->value = value;
            entry->raw = raw;
            entry->quoted = quoted;
            entry->line = line;
            return 0;
        }
    }
    if (keyfile->count == keyfile->capacity)
    {
        size_t capacity = keyfile->capacity ? keyfile->capacity * 2 : 8;
        struct keyfile_entry *entries = realloc(keyfile->entries, capacity * sizeof(*entries));
        if (!entries) goto nomem;
        keyfile->entries = entries;
        keyfile->capacity = capacity;
    }
    entry = &keyfile->entries[keyfile->count];
    entry->group = strdup(group);
    entry->key = strdup(key);
    if (!entry->group || !entry->key)
    {
        free(entry->group);
        free(entry->key);
        goto nomem;
    }
    entry->value = value;
    entry->raw = raw;
    entry->quoted = quoted;
    entry->line = line;
    keyfile->count++;
    return 0;
nomem:
    free(value);
    free(raw);
    return QGA_ENOMEM;
}

/* One line without its terminator; *group is the current group (owned, replaced on "[x]"). */
static int parse_line(struct keyfile *keyfile, const char *line, size_t len, unsigned number,
                      char **group, char **error)
{
    const char *end = line + len, *eq, *key_end, *value, *value_end;
    char *key = NULL, *text, *raw;
    bool quoted = false;
    int ret;

    while (line < end && is_blank(*line)) line++;
    while (end > line && (is_blank(end[-1]) || end[-1] == '\r')) end--;
    if (line == end || *line == '#' || *line == ';') return 0;

    if (*line == '[')
    {
        const char *close = memchr(line, ']', (size_t)(end - line));
        const char *name = line + 1, *name_end;

        if (!close) return set_error(error, number, "group header without ']'");
        if (close + 1 != end) return set_error(error, number, "unexpected text after group header");
        for (name_end = close; name < name_end && is_blank(*name); name++);
        while (name_end > name && is_blank(name_end[-1])) name_end--;
        if (name == name_end) return set_error(error, number, "empty group name");
        if (memchr(name, '[', (size_t)(name_end - name)))
            return set_error(error, number, "invalid group name");
        if (!(text = dup_range(name, (size_t)(name_end - name)))) return QGA_ENOMEM;
        free(*group);
        *group = text;
        return 0;
    }

    if (!(eq = memchr(line, '=', (size_t)(end - line))))
        return set_error(error, number, "not a key=value pair, group or comment");
    for (key_end = eq; key_end > line && is_blank(key_end[-1]); key_end--);
    if (key_end == line) return set_error(error, number, "empty key name");
    if (!*group)
        return set_error(error, number, "key outside of any group (the file must start with a group)");

    for (value = eq + 1; value < end && is_blank(*value); value++);
    value_end = end;
    if (value < value_end && *value == '"')
    {
        if (value_end - value < 2 || value_end[-1] != '"')
            return set_error(error, number, "unterminated quoted value");
        quoted = true;
        value++;
        value_end--;
        text = dup_range(value, (size_t)(value_end - value));
    }
    else
    {
        /* A trailing blank written as "\s" survives the trim above because it is not a blank. */
        text = unescape(value, (size_t)(value_end - value));
    }
    raw = dup_range(value, (size_t)(value_end - value));
    key = dup_range(line, (size_t)(key_end - line));
    if (!text || !raw || !key)
    {
        free(text);
        free(raw);
        free(key);
        return QGA_ENOMEM;
    }
    ret = add_entry(keyfile, *group, key, text, raw, quoted, number);
    free(key);
    return ret;
}

int keyfile_parse(const char *text, size_t len, struct keyfile *out, char **error)
{
    struct keyfile keyfile = { NULL, 0, 0 };
    const char *line = text, *end = text + len;
    char *group = NULL;
    unsigned number = 1;
    int ret = 0;

    memset(out, 0, sizeof(*out));
    if (error) *error = NULL;
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) line += 3;
    if (memchr(text, 0, len))
    {
        const char *nul = memchr(text, 0, len), *p;
        for (p = text; p < nul; p++) if (*p == '\n') number++;
        return set_error(error, number, "NUL byte in configuration file");
    }

    while (line < end)
    {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        size_t line_len = eol ? (size_t)(eol - line) : (size_t)(end - line);

        if ((ret = parse_line(&keyfile, line, line_len, number, &group, error)) < 0) break;
        line += line_len + (eol ? 1 : 0);
        number++;
    }
    free(group);
    if (ret < 0)
    {
        keyfile_clear(&keyfile);
        return ret;
    }
    *out = keyfile;
    return 0;
}

char *keyfile_unescape_path(const char *raw)
{
    size_t len = strlen(raw), i;
    char *out = malloc(len + 1), *p = out;

    if (!out) return NULL;
    for (i = 0; i < len; i++)
    {
        *p++ = raw[i];
        if (raw[i] == '\\' && raw[i + 1] == '\\') i++;
    }
    *p = 0;
    return out;
}

const char *keyfile_get(const struct keyfile *keyfile, const char *group, const char *key)
{
    size_t i;

    for (i = 0; i < keyfile->count; i++)
        if (!strcmp(keyfile->entries[i].group, group) && !strcmp(keyfile->entries[i].key, key))
            return keyfile->entries[i].value;
    return NULL;
}

int keyfile_parse_bool(const char *text, bool *out)
{
    /* compat: g_key_file_parse_value_as_boolean accepts exactly these. */
    if (!strcmp(text, "true") || !strcmp(text, "1"))
        *out = true;
    else if (!strcmp(text, "false") || !strcmp(text, "0"))
        *out = false;
    else
        return QGA_EINVAL;
    return 0;
}

char *keyfile_escape(const char *value)
{
    size_t len = strlen(value), i;
    char *out, *p;

    if (len > (SIZE_MAX - 1) / 2) return NULL;
    if (!(out = malloc(len * 2 + 1))) return NULL;
    for (i = 0, p = out; i < len; i++)
    {
        switch (value[i])
        {
        case '\\': *p++ = '\\'; *p++ = '\\'; break;
        case '\n': *p++ = '\\'; *p++ = 'n'; break;
        case '\t': *p++ = '\\'; *p++ = 't'; break;
        case '\r': *p++ = '\\'; *p++ = 'r'; break;
        case ' ':
            /* Blanks at either end would be trimmed by the parser. */
            if (i == 0 || i == len - 1) { *p++ = '\\'; *p++ = 's'; }
            else *p++ = ' ';
            break;
        case '"':
            /* A leading quote would start a literal value. */
            if (i == 0) { *p++ = '\\'; *p++ = '"'; }
            else *p++ = '"';
            break;
        default:   *p++ = value[i]; break;
        }
    }
    *p = 0;
    return out;
}

void keyfile_clear(struct keyfile *keyfile)
{
    size_t i;

    if (!keyfile) return;
    for (i = 0; i < keyfile->count; i++)
    {
        free(keyfile->entries[i].group);
        free(keyfile->entries[i].key);
        free(keyfile->entries[i].value);
        free(keyfile->entries[i].raw);
    }
    free(keyfile->entries);
    memset(keyfile, 0, sizeof(*keyfile));
}
