/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Quoting and splitting Windows command lines (MSVCRT rules), portable and unit-tested.
 * Why: qemu-ga once built its service command line unquoted (CVE-2013-2231, qga-reference.md §4). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/error.h"

static int append_raw(char **line, const char *text, size_t len)
{
    size_t old = *line ? strlen(*line) : 0, sep = old ? 1 : 0;
    char *grown;

    if (len > (size_t)-1 - old - 2) return QGA_ENOMEM;
    if (!(grown = realloc(*line, old + sep + len + 1))) return QGA_ENOMEM;
    if (sep) grown[old] = ' ';
    memcpy(grown + old + sep, text, len);
    grown[old + sep + len] = 0;
    *line = grown;
    return 0;
}

int cmdline_append(char **line, const char *arg)
{
    size_t len = strlen(arg), i, backslashes = 0;
    char *quoted, *p;
    int ret;

    if (len && !strpbrk(arg, " \t\n\v\""))
        return append_raw(line, arg, len);
    /* Worst case: every character a quote preceded by backslashes -> 2x + 1, plus 2 quotes. */
    if (len > ((size_t)-1 - 3) / 2) return QGA_ENOMEM;
    if (!(quoted = malloc(len * 2 + 3))) return QGA_ENOMEM;
    p = quoted;
    *p++ = '"';
    for (i = 0; i < len; i++)
    {
        if (arg[i] == '\\')
        {
            backslashes++;
            *p++ = '\\';
            continue;
        }
        if (arg[i] == '"')
        {
            /* Double the backslashes that precede a quote, then escape the quote itself. */
            for (; backslashes; backslashes--) *p++ = '\\';
            *p++ = '\\';
        }
        backslashes = 0;
        *p++ = arg[i];
    }
    /* Backslashes before the closing quote are doubled too. */
    for (; backslashes; backslashes--) *p++ = '\\';
    *p++ = '"';
    ret = append_raw(line, quoted, (size_t)(p - quoted));
    free(quoted);
    return ret;
}

int cmdline_append_program(char **line, const char *program)
{
    size_t len = strlen(program);
    char *quoted;
    int ret;

    if (strchr(program, '"')) return QGA_EINVAL;
    if (!(quoted = malloc(len + 3))) return QGA_ENOMEM;
    quoted[0] = '"';
    memcpy(quoted + 1, program, len);
    quoted[len + 1] = '"';
    quoted[len + 2] = 0;
    ret = append_raw(line, quoted, len + 2);
    free(quoted);
    return ret;
}

static int push(char ***argv, size_t *argc, size_t *capacity, char *arg)
{
    if (*argc + 1 >= *capacity)
    {
        size_t grown_capacity = *capacity ? *capacity * 2 : 8;
        char **grown = realloc(*argv, grown_capacity * sizeof(*grown));
        if (!grown)
        {
            free(arg);
            return QGA_ENOMEM;
        }
        *argv = grown;
        *capacity = grown_capacity;
    }
    (*argv)[(*argc)++] = arg;
    (*argv)[*argc] = NULL;
    return 0;
}

int cmdline_split(const char *line, char ***argv_out, size_t *argc_out)
{
    size_t len = strlen(line), argc = 0, capacity = 0;
    const char *p = line, *end = line + len;
    char **argv = NULL, *arg = NULL, *q;
    int ret = 0;

    *argv_out = NULL;
    *argc_out = 0;

    /* The program name: up to the closing quote, or the first blank; no escapes. */
    if (p < end)
    {
        const char *start, *stop;
        if (*p == '"')
        {
            start = ++p;
            while (p < end && *p != '"') p++;
            stop = p;
            if (p < end) p++;
        }
        else
        {
            start = p;
            while (p < end && *p != ' ' && *p != '\t') p++;
            stop = p;
        }
        if (!(arg = malloc((size_t)(stop - start) + 1))) return QGA_ENOMEM;
        memcpy(arg, start, (size_t)(stop - start));
        arg[stop - start] = 0;
        if ((ret = push(&argv, &argc, &capacity, arg)) < 0) goto fail;
    }

    for (;;)
    {
        bool in_quotes = false;

        while (p < end && (*p == ' ' || *p == '\t')) p++;
        if (p >= end) break;
        if (!(arg = malloc((size_t)(end - p) + 1)))
        {
            ret = QGA_ENOMEM;
            goto fail;
        }
        q = arg;
        while (p < end && (in_quotes || (*p != ' ' && *p != '\t')))
        {
            if (*p == '\\')
            {
                size_t n = 0;
                while (p < end && *p == '\\') { n++; p++; }
                if (p < end && *p == '"')
                {
                    memset(q, '\\', n / 2);
                    q += n / 2;
                    if (n % 2) { *q++ = '"'; p++; }
                }
                else
                {
                    memset(q, '\\', n);
                    q += n;
                }
                continue;
            }
            if (*p == '"')
            {
                /* Inside quotes, "" is a literal quote (and quoting continues: the modern CRT). */
                if (in_quotes && p + 1 < end && p[1] == '"') { *q++ = '"'; p += 2; continue; }
                in_quotes = !in_quotes;
                p++;
                continue;
            }
            *q++ = *p++;
        }
        *q = 0;
        if ((ret = push(&argv, &argc, &capacity, arg)) < 0) goto fail;
    }

    if (!argv && !(argv = calloc(1, sizeof(*argv)))) return QGA_ENOMEM;
    *argv_out = argv;
    *argc_out = argc;
    return 0;
fail:
    cmdline_free_argv(argv);
    return ret;
}

void cmdline_free_argv(char **argv)
{
    char **p;

    if (!argv) return;
    for (p = argv; *p; p++) free(*p);
    free(argv);
}
