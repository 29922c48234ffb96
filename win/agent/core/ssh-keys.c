/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OpenSSH authorized_keys validation and line edits (portable core). */
#include "core/ssh-keys.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

int ssh_key_check(const char *key, size_t len)
{
    if (!key || !len || key[0] == '#') return QGA_EINVAL;
    if (memchr(key, '\n', len) || memchr(key, '\r', len) || memchr(key, 0, len)) return QGA_EINVAL;
    return 0;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Trims surrounding blanks: returns the start, *len the trimmed length. */
static const char *trim(const char *s, size_t *len)
{
    size_t n = strlen(s);
    while (n && is_blank(*s))
    {
        s++;
        n--;
    }
    while (n && is_blank(s[n - 1])) n--;
    *len = n;
    return s;
}

static bool same_key(const char *line, const char *key)
{
    size_t line_len, key_len;
    const char *a = trim(line, &line_len), *b = trim(key, &key_len);
    return line_len == key_len && !memcmp(a, b, key_len);
}

static int append_line(struct ssh_key_file *file, const char *text, size_t len)
{
    char *line;

    if (file->count == file->capacity)
    {
        size_t capacity = file->capacity ? file->capacity * 2 : 16;
        char **grown;
        if (capacity > SIZE_MAX / sizeof(*grown)) return QGA_ENOMEM;
        if (!(grown = realloc(file->lines, capacity * sizeof(*grown)))) return QGA_ENOMEM;
        file->lines = grown;
        file->capacity = capacity;
    }
    if (!(line = malloc(len + 1))) return QGA_ENOMEM;
    memcpy(line, text, len);
    line[len] = 0;
    file->lines[file->count++] = line;
    return 0;
}

int ssh_key_file_parse(const char *data, size_t len, struct ssh_key_file *out)
{
    size_t pos = 0;
    int ret;

    while (pos < len)
    {
        const char *start = data + pos, *nl = memchr(start, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - start) : len - pos;
        size_t text_len = line_len;
        const char *nul = memchr(start, 0, line_len);

        if (nul) text_len = (size_t)(nul - start);   /* a NUL ends the line's text */
        if (text_len && start[text_len - 1] == '\r') text_len--;
        if ((ret = append_line(out, start, text_len)) < 0)
        {
            ssh_key_file_clear(out);
            return ret;
        }
        pos += line_len + (nl ? 1 : 0);
    }
    return 0;
}

int ssh_key_file_add(struct ssh_key_file *file, const char *key)
{
    size_t len;
    const char *trimmed;

    for (size_t i = 0; i < file->count; i++)
        if (same_key(file->lines[i], key)) return 0;
    trimmed = trim(key, &len);
    return append_line(file, trimmed, len);
}

void ssh_key_file_remove(struct ssh_key_file *file, const char *key)
{
    size_t kept = 0;

    for (size_t i = 0; i < file->count; i++)
    {
        if (same_key(file->lines[i], key) && file->lines[i][0] != '#')
            free(file->lines[i]);
        else
            file->lines[kept++] = file->lines[i];
    }
    file->count = kept;
}

int ssh_key_file_for_each_key(const struct ssh_key_file *file,
                              int (*fn)(void *opaque, const char *key, size_t len), void *opaque)
{
    for (size_t i = 0; i < file->count; i++)
    {
        size_t len;
        const char *key = trim(file->lines[i], &len);
        int ret;
        if (!len || key[0] == '#') continue;
        if ((ret = fn(opaque, key, len)) != 0) return ret;
    }
    return 0;
}

int ssh_key_file_serialize(const struct ssh_key_file *file, char **out, size_t *len)
{
    size_t total = 0, pos = 0;
    char *text;

    *out = NULL;
    *len = 0;
    for (size_t i = 0; i < file->count; i++)
    {
        size_t line_len = strlen(file->lines[i]);
        if (line_len > SIZE_MAX - total - 2) return QGA_ENOMEM;
        total += line_len + 1;
    }
    if (!(text = malloc(total + 1))) return QGA_ENOMEM;
    for (size_t i = 0; i < file->count; i++)
    {
        size_t line_len = strlen(file->lines[i]);
        memcpy(text + pos, file->lines[i], line_len);
        pos += line_len;
        text[pos++] = '\n';
    }
    text[pos] = 0;
    *out = text;
    *len = pos;
    return 0;
}

void ssh_key_file_clear(struct ssh_key_file *file)
{
    for (size_t i = 0; i < file->count; i++) free(file->lines[i]);
    free(file->lines);
    file->lines = NULL;
    file->count = file->capacity = 0;
}
