/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Freeze hooks: kinds, order, command lines, result texts, bounded log lines (portable). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cmdline.h"
#include "core/error.h"
#include "core/freeze-hooks.h"

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool ends_with(const char *name, const char *suffix)
{
    size_t len = strlen(name), suffix_len = strlen(suffix), i;

    if (len <= suffix_len) return false;     /* ".cmd" alone is not a hook name */
    for (i = 0; i < suffix_len; i++)
        if (lower((unsigned char)name[len - suffix_len + i]) != suffix[i]) return false;
    return true;
}

enum hook_kind hook_kind_of(const char *name)
{
    if (ends_with(name, ".cmd")) return HOOK_CMD;
    if (ends_with(name, ".bat")) return HOOK_BAT;
    if (ends_with(name, ".ps1")) return HOOK_PS1;
    if (ends_with(name, ".exe")) return HOOK_EXE;
    return HOOK_NONE;
}

int hook_name_compare(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    for (; *x && lower(*x) == lower(*y); x++, y++) {}
    if (lower(*x) != lower(*y)) return lower(*x) < lower(*y) ? -1 : 1;
    return strcmp(a, b);
}

static int compare_names(const void *a, const void *b)
{
    return hook_name_compare(*(char *const *)a, *(char *const *)b);
}

void hook_sort(char **names, size_t count)
{
    if (count > 1) qsort(names, count, sizeof(*names), compare_names);
}

static char *join_path(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);

    if (path) snprintf(path, len, "%s%s%s", dir, *dir && dir[strlen(dir) - 1] == '\\' ? "" : "\\", name);
    return path;
}

int hook_command_line(enum hook_kind kind, const char *path, const char *system_dir, const char *phase,
                      char **application, char **command_line)
{
    char *app = NULL, *line = NULL, *inner = NULL;
    size_t size;
    int ret;

    *application = *command_line = NULL;
    if (strchr(path, '"')) return QGA_EINVAL;
    switch (kind)
    {
    case HOOK_CMD:
    case HOOK_BAT:
        /* cmd.exe expands %VAR% even inside quotes: such a name would run something else. */
        if (strchr(path, '%')) return QGA_EINVAL;
        if (!(app = join_path(system_dir, "cmd.exe"))) return QGA_ENOMEM;
        /* /d: no AutoRun commands from the registry; /v:off: '!' is literal; /s /c "...": cmd
         * strips exactly the outer quotes, so the quoted script path and its argument survive
         * whatever the path holds (spaces, &, ^, parentheses). */
        if ((ret = cmdline_append_program(&inner, path)) < 0 || (ret = cmdline_append(&inner, phase)) < 0 ||
            (ret = cmdline_append_program(&line, app)) < 0)
            goto out;
        size = strlen(line) + strlen(inner) + sizeof(" /d /v:off /s /c \"\"");
        free(*command_line);
        if (!(*command_line = malloc(size)))
        {
            ret = QGA_ENOMEM;
            goto out;
        }
        snprintf(*command_line, size, "%s /d /v:off /s /c \"%s\"", line, inner);
        free(line);
        line = NULL;
        break;
    case HOOK_PS1:
        if (!(app = join_path(system_dir, "WindowsPowerShell\\v1.0\\powershell.exe"))) return QGA_ENOMEM;
        if ((ret = cmdline_append_program(&line, app)) < 0 || (ret = cmdline_append(&line, "-NoProfile")) < 0 ||
            (ret = cmdline_append(&line, "-NonInteractive")) < 0 ||
            (ret = cmdline_append(&line, "-ExecutionPolicy")) < 0 || (ret = cmdline_append(&line, "Bypass")) < 0 ||
            (ret = cmdline_append(&line, "-File")) < 0 || (ret = cmdline_append(&line, path)) < 0 ||
            (ret = cmdline_append(&line, phase)) < 0)
            goto out;
        *command_line = line;
        line = NULL;
        break;
    case HOOK_EXE:
        if (!(app = strdup(path))) return QGA_ENOMEM;
        if ((ret = cmdline_append_program(&line, path)) < 0 || (ret = cmdline_append(&line, phase)) < 0) goto out;
        *command_line = line;
        line = NULL;
        break;
    default:
        return QGA_EINVAL;
    }
    *application = app;
    app = NULL;
    ret = 0;
out:
    if (ret < 0)
    {
        free(*command_line);
        *command_line = NULL;
    }
    free(app);
    free(line);
    free(inner);
    return ret;
}

const char *hook_outcome_name(enum hook_outcome outcome)
{
    switch (outcome)
    {
    case HOOK_OK:           return "ok";
    case HOOK_FAILED:       return "failed";
    case HOOK_TIMED_OUT:    return "timeout";
    case HOOK_START_FAILED: return "error";
    case HOOK_REFUSED:      return "refused";
    }
    return "error";
}

void hook_result_clear(struct hook_result *result)
{
    if (!result) return;
    free(result->name);
    free(result->detail);
    memset(result, 0, sizeof(*result));
}

char *hook_failure_text(const struct hook_result *result, char *buffer, size_t size)
{
    const char *name = result->name ? result->name : "?";

    switch (result->outcome)
    {
    case HOOK_OK:
        snprintf(buffer, size, "%s hook '%s' succeeded", result->phase, name);
        break;
    case HOOK_FAILED:
        snprintf(buffer, size, "%s hook '%s' failed with exit code %" PRId64, result->phase, name,
                 result->exit_code);
        break;
    case HOOK_TIMED_OUT:
        snprintf(buffer, size, "%s hook '%s' timed out after %g s; its processes were ended", result->phase, name,
                 result->timeout_ms / 1000.0);
        break;
    case HOOK_START_FAILED:
        snprintf(buffer, size, "%s hook '%s' could not be started: %s", result->phase, name,
                 result->detail ? result->detail : "unknown error");
        break;
    case HOOK_REFUSED:
        snprintf(buffer, size, "%s hook '%s' refused: %s", result->phase, name,
                 result->detail ? result->detail : "unsafe");
        break;
    }
    return buffer;
}

size_t hook_output_lines(const uint8_t *data, size_t len, size_t total, hook_line_fn emit, void *opaque)
{
    char line[HOOK_LOG_LINE_MAX + 1];
    size_t pos = 0, lines = 0, dropped_lines = 0, logged_bytes = 0;

    while (pos < len)
    {
        size_t start = pos, end, n = 0, i;
        bool blank = true;

        while (pos < len && data[pos] != '\n' && data[pos] != '\r') pos++;
        end = pos;
        while (pos < len && (data[pos] == '\n' || data[pos] == '\r')) pos++;
        for (i = start; i < end; i++)
        {
            /* UTF-16 output (powershell, "cmd /u") shows as text with its NULs skipped. */
            if (!data[i]) continue;
            if (data[i] != ' ' && data[i] != '\t') blank = false;
            if (n < HOOK_LOG_LINE_MAX) line[n++] = data[i] >= 0x20 && data[i] < 0x7f ? (char)data[i] : '?';
        }
        if (blank) continue;
        if (lines >= HOOK_LOG_MAX_LINES)
        {
            dropped_lines++;
            continue;
        }
        line[n] = 0;
        emit(opaque, line);
        lines++;
        logged_bytes = pos;
    }
    if (dropped_lines || total > len)
    {
        snprintf(line, sizeof(line), "(%zu more bytes of output not logged)",
                 total > logged_bytes ? total - logged_bytes : len - logged_bytes);
        emit(opaque, line);
        lines++;
    }
    return lines;
}
