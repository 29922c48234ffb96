/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Windows command-line quoting and splitting (CommandLineToArgvW / MSVC C runtime rules). */
#include "core/cmdline.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static bool needs_quotes(const char *arg)
{
    /* The parser splits on space and tab only, but a quoted newline or vertical tab is what
     * every other tool (cmd.exe, ShellExecute) also keeps in one argument. */
    return !*arg || strpbrk(arg, " \t\n\v\"") != NULL;
}

/* Writes the quoted form of one argument at out (when out != NULL) and returns its length. */
static size_t quote_arg(const char *arg, char *out)
{
    size_t len = 0;

#define PUT(c) do { if (out) out[len] = (c); len++; } while (0)
    if (!needs_quotes(arg))
    {
        for (; *arg; arg++) PUT(*arg);
        return len;
    }
    PUT('"');
    while (*arg)
    {
        size_t backslashes = 0;

        while (*arg == '\\')
        {
            backslashes++;
            arg++;
        }
        if (!*arg || *arg == '"')
        {
            /* Backslashes before a quote (ours at the end, or a literal one) are doubled, so the
             * parser reads them back as themselves; a literal quote gets one more backslash. */
            size_t count = backslashes * 2 + (*arg == '"');
            while (count--) PUT('\\');
            if (!*arg) break;
            PUT('"');
            arg++;
        }
        else
        {
            while (backslashes--) PUT('\\');
            PUT(*arg);
            arg++;
        }
    }
    PUT('"');
#undef PUT
    return len;
}

int cmdline_build(const char *const *argv, size_t argc, char **out)
{
    size_t len, pos, i;
    char *line;

    *out = NULL;
    if (!argc || !argv[0][0] || strchr(argv[0], '"')) return QGA_EINVAL;

    /* argv[0] is read up to the closing quote with no escape processing, so it is wrapped as
     * is; a trailing backslash ("C:\dir\") must not be doubled. */
    len = strlen(argv[0]) + 2;
    for (i = 1; i < argc; i++)
    {
        size_t arg_len = quote_arg(argv[i], NULL);
        if (arg_len > SIZE_MAX - len - 2) return QGA_ENOMEM;
        len += 1 + arg_len;
    }
    if (!(line = malloc(len + 1))) return QGA_ENOMEM;

    pos = 0;
    line[pos++] = '"';
    memcpy(line + pos, argv[0], strlen(argv[0]));
    pos += strlen(argv[0]);
    line[pos++] = '"';
    for (i = 1; i < argc; i++)
    {
        line[pos++] = ' ';
        pos += quote_arg(argv[i], line + pos);
    }
    line[pos] = 0;
    *out = line;
    return 0;
}

void cmdline_free_argv(char **argv)
{
    if (!argv) return;
    for (char **arg = argv; *arg; arg++) free(*arg);
    free(argv);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Parses the next argument starting at *p into buf (which has room for strlen(*p) + 1 bytes). */
static void split_next(const char **p, char *buf)
{
    const char *s = *p;
    bool quoted = false;
    size_t len = 0;

    while (*s && (quoted || !is_blank(*s)))
    {
        if (*s == '\\')
        {
            size_t backslashes = 0;
            while (*s == '\\')
            {
                backslashes++;
                s++;
            }
            if (*s == '"')
            {
                /* 2n backslashes + quote: n backslashes and the quote toggles quoting;
                 * 2n+1 backslashes + quote: n backslashes and a literal quote. */
                memset(buf + len, '\\', backslashes / 2);
                len += backslashes / 2;
                if (backslashes % 2)
                {
                    buf[len++] = '"';
                    s++;
                }
            }
            else
            {
                memset(buf + len, '\\', backslashes);
                len += backslashes;
            }
        }
        else if (*s == '"')
        {
            /* Inside quotes, "" is a literal quote and quoting continues (ucrt rule). */
            if (quoted && s[1] == '"')
            {
                buf[len++] = '"';
                s += 2;
            }
            else
            {
                quoted = !quoted;
                s++;
            }
        }
        else
        {
            buf[len++] = *s++;
        }
    }
    buf[len] = 0;
    *p = s;
}

int cmdline_split(const char *cmdline, char ***argv_out, size_t *argc_out)
{
    size_t line_len = strlen(cmdline), count = 0, capacity = 8;
    const char *p = cmdline;
    char **argv = NULL, *buf = NULL;
    int ret = QGA_ENOMEM;

    *argv_out = NULL;
    *argc_out = 0;
    if (!(argv = calloc(capacity + 1, sizeof(*argv)))) goto out;
    if (!(buf = malloc(line_len + 1))) goto out;

    while (is_blank(*p)) p++;
    while (*p)
    {
        if (count == capacity)
        {
            char **grown = realloc(argv, (capacity * 2 + 1) * sizeof(*argv));
            if (!grown) goto out;
            argv = grown;
            capacity *= 2;
        }
        if (count == 0)
        {
            /* The program name: no escapes, a leading quote runs to the next quote. */
            const char *end;
            size_t len;
            if (*p == '"')
            {
                p++;
                end = strchr(p, '"');
                if (!end) end = p + strlen(p);
                len = (size_t)(end - p);
                memcpy(buf, p, len);
                p = *end ? end + 1 : end;
            }
            else
            {
                end = p;
                while (*end && !is_blank(*end)) end++;
                len = (size_t)(end - p);
                memcpy(buf, p, len);
                p = end;
            }
            buf[len] = 0;
        }
        else
        {
            split_next(&p, buf);
        }
        if (!(argv[count] = strdup(buf))) goto out;
        argv[++count] = NULL;
        while (is_blank(*p)) p++;
    }
    *argv_out = argv;
    *argc_out = count;
    argv = NULL;
    ret = 0;
out:
    free(buf);
    cmdline_free_argv(argv);
    return ret;
}
