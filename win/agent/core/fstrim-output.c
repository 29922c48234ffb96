/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading defrag.exe's output for guest-fstrim (portable core). */
#include "core/fstrim-output.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static const char *find_marker(const char *s, size_t len)
{
    for (size_t i = 0; i + 3 <= len; i++)
        if (s[i] == '(' && s[i + 1] == '0' && s[i + 2] == 'x') return s + i;
    return NULL;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int fstrim_output_error(const char *output, size_t len, char **error)
{
    size_t pos = 0;

    *error = NULL;
    while (pos < len)
    {
        const char *line = output + pos, *nl = memchr(line, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - line) : len - pos;

        pos += line_len + (nl ? 1 : 0);
        if (!find_marker(line, line_len)) continue;
        while (line_len && is_blank(*line))
        {
            line++;
            line_len--;
        }
        while (line_len && is_blank(line[line_len - 1])) line_len--;
        if (!(*error = malloc(line_len + 1))) return QGA_ENOMEM;
        memcpy(*error, line, line_len);
        (*error)[line_len] = 0;
        return 0;
    }
    return 0;
}
