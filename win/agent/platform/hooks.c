/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Freeze hooks: the folder, its safety check, and running one hook (exec_run: job object, bounded
 * output).  The agent runs as SYSTEM, so a hook anyone else could change would run their code as
 * SYSTEM: hooks and their folder must be writable only by administrators (docs/freeze-hooks.md). */
#include <windows.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/exec.h"
#include "core/error.h"
#include "core/exec-output.h"
#include "core/platform.h"
#include "platform/error.h"
#include "platform/hooks.h"
#include "platform/security.h"
#include "platform/utf.h"

char *hooks_default_dir(void)
{
    WCHAR path[MAX_PATH], *slash;
    char *dir = NULL;
    DWORD len = GetModuleFileNameW(NULL, path, ARRAYSIZE(path));

    if (!len || len >= ARRAYSIZE(path) - 8 || !(slash = wcsrchr(path, L'\\'))) return strdup("hooks");
    wcscpy(slash + 1, L"hooks");
    utf16_to_utf8(path, &dir);
    return dir;
}

void hooks_set_clear(struct hook_set *set)
{
    size_t i;

    if (!set) return;
    for (i = 0; i < set->count; i++) free(set->names[i]);
    free(set->names);
    free(set->dir);
    memset(set, 0, sizeof(*set));
}

static char *join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);

    if (path) snprintf(path, len, "%s%s%s", dir, *dir && dir[strlen(dir) - 1] == '\\' ? "" : "\\", name);
    return path;
}

int hooks_scan(const char *dir, struct hook_set *set, char **error)
{
    WIN32_FIND_DATAW data;
    HANDLE find = INVALID_HANDLE_VALUE;
    WCHAR *pattern_w = NULL;
    char *pattern = NULL, *name = NULL, text[512];
    size_t ignored = 0, capacity = 0;
    DWORD err;
    int ret = 0;

    memset(set, 0, sizeof(*set));
    *error = NULL;
    if (!(set->dir = strdup(dir)) || !(pattern = join(dir, "*"))) goto nomem;
    if ((ret = utf8_to_utf16(pattern, &pattern_w)) < 0) goto out;
    find = FindFirstFileExW(pattern_w, FindExInfoBasic, &data, FindExSearchNameMatch, NULL, 0);
    if (find == INVALID_HANDLE_VALUE)
    {
        err = GetLastError();
        if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND) goto out;   /* no hooks */
        snprintf(text, sizeof(text), "cannot list the hooks in '%s': ", dir);
        win32_error_text_buf(err, text + strlen(text), sizeof(text) - strlen(text));
        *error = strdup(text);
        ret = win32_error_to_qga(err);
        goto out;
    }
    do
    {
        if (data.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)) continue;
        if (utf16_to_utf8(data.cFileName, &name) < 0) continue;
        if (hook_kind_of(name) == HOOK_NONE)
        {
            free(name);
            continue;
        }
        if (set->count == HOOK_MAX_COUNT)
        {
            ignored++;
            free(name);
            continue;
        }
        if (set->count == capacity)
        {
            char **grown = realloc(set->names, (capacity ? capacity * 2 : 8) * sizeof(*grown));

            if (!grown) goto nomem;
            set->names = grown;
            capacity = capacity ? capacity * 2 : 8;
        }
        set->names[set->count++] = name;
        name = NULL;
    } while (FindNextFileW(find, &data));
    hook_sort(set->names, set->count);
    /* Which of several more than HOOK_MAX_COUNT run depends on the listing: say so. */
    if (ignored) platform_log(LOG_WARNING, "fsfreeze: %zu hooks in '%s' beyond the first %d are ignored", ignored,
                              dir, HOOK_MAX_COUNT);
    goto out;
nomem:
    ret = QGA_ENOMEM;
out:
    free(name);
    if (find != INVALID_HANDLE_VALUE) FindClose(find);
    free(pattern_w);
    free(pattern);
    if (ret < 0) hooks_set_clear(set);
    return ret;
}

static int check_path(const char *path, char **why)
{
    WCHAR *path_w = NULL;
    char *who = NULL, text[512];
    size_t size;
    int ret;

    *why = NULL;
    if ((ret = utf8_to_utf16(path, &path_w)) < 0) return ret;
    ret = security_check_admin_only(path_w, &who);
    free(path_w);
    if (ret == QGA_EACCES)
    {
        size = strlen(path) + (who ? strlen(who) : 0) + 128;
        if ((*why = malloc(size)))
            snprintf(*why, size, "%s may be changed by %s (hooks must be writable only by SYSTEM and "
                     "Administrators)", path, who ? who : "others");
    }
    else if (ret < 0)
    {
        snprintf(text, sizeof(text), "cannot read the security of %s", path);
        *why = strdup(text);
    }
    free(who);
    return ret;
}

int hooks_check_dir(const char *dir, char **why)
{
    return check_path(dir, why);
}

struct log_context
{
    const char *name;
    const char *phase;
};

static void log_output_line(void *opaque, const char *line)
{
    const struct log_context *context = opaque;

    platform_log(LOG_INFO, "%s hook '%s': %s", context->phase, context->name, line);
}

void hooks_run_one(const char *dir, const char *name, const char *phase, uint32_t timeout_ms,
                   struct hook_result *result)
{
    struct exec_run_request request = { .directory = dir, .timeout_ms = timeout_ms, .merge_stderr = true,
                                        .kill_tree = true, .output_wait_ms = HOOKS_OUTPUT_WAIT_MS,
                                        .output_limit = HOOK_OUTPUT_MAX_BYTES };
    struct exec_run_result run;
    struct exec_output output = { 0 };
    struct log_context context = { name, phase };
    WCHAR system_dir_w[MAX_PATH];
    char *path = NULL, *system_dir = NULL, *application = NULL, *command_line = NULL, text[600];
    bool is_signal;
    UINT len;
    int ret;

    result->name = strdup(name);
    result->phase = phase;
    result->timeout_ms = timeout_ms;
    result->start_ns = platform_time_ns();
    result->outcome = HOOK_START_FAILED;
    if (!result->name || !(path = join(dir, name))) goto nomem;
    if ((ret = check_path(path, &result->detail)) < 0)
    {
        result->outcome = HOOK_REFUSED;
        goto out;
    }
    len = GetSystemDirectoryW(system_dir_w, MAX_PATH);
    if (!len || len >= MAX_PATH || utf16_to_utf8(system_dir_w, &system_dir) < 0)
    {
        result->detail = strdup("cannot find the system folder");
        goto out;
    }
    ret = hook_command_line(hook_kind_of(name), path, system_dir, phase, &application, &command_line);
    if (ret == QGA_EINVAL)
    {
        result->outcome = HOOK_REFUSED;
        result->detail = strdup("cmd.exe cannot run a file whose name holds '%'; rename it");
        goto out;
    }
    if (ret < 0) goto nomem;

    platform_log(LOG_DEBUG, "fsfreeze: running %s", command_line);
    request.application = application;
    request.command_line = command_line;
    ret = exec_run(&request, &output, &run);
    result->output_bytes = (size_t)output.total;
    hook_output_lines(output.data, output.len, (size_t)output.total, log_output_line, &context);
    if (ret == QGA_ETIMEDOUT) result->outcome = HOOK_TIMED_OUT;
    else if (ret == 0)
    {
        exec_status_split(run.status, &is_signal, &result->exit_code);
        result->outcome = run.status ? HOOK_FAILED : HOOK_OK;
    }
    else if (run.win32_error)
        result->detail = win32_error_text(run.win32_error);
    else
        goto nomem;
    if (run.output_incomplete)
        platform_log(LOG_INFO, "%s hook '%s': a process it started still holds its output; not read further",
                     phase, name);
    goto out;
nomem:
    if (!result->detail) result->detail = strdup("out of memory");
out:
    result->end_ns = platform_time_ns();
    if (result->outcome == HOOK_OK)
        platform_log(LOG_INFO, "%s hook '%s' succeeded (%" PRId64 " ms)", phase, name,
                     (result->end_ns - result->start_ns) / 1000000);
    else
        platform_log(LOG_WARNING, "%s", hook_failure_text(result, text, sizeof(text)));
    exec_output_clear(&output);
    free(path);
    free(system_dir);
    free(application);
    free(command_line);
}

int hooks_run_freeze(const struct hook_set *set, uint32_t timeout_ms, bool continue_on_failure,
                     struct freeze_story *story, struct name_list *ran, char **error)
{
    char *dir_why = NULL, text[600];
    size_t i;
    int ret = 0;

    *error = NULL;
    if (!set->count) return 0;
    /* A folder others may write to could get any hook at any time: none of its hooks run. */
    if (hooks_check_dir(set->dir, &dir_why) < 0 && !dir_why) dir_why = strdup("unsafe folder");
    for (i = 0; i < set->count && !ret; i++)
    {
        struct hook_result result = { 0 };

        if (dir_why)
        {
            result.name = strdup(set->names[i]);
            result.phase = "freeze";
            result.outcome = HOOK_REFUSED;
            result.detail = strdup(dir_why);
            result.timeout_ms = timeout_ms;
            result.start_ns = result.end_ns = platform_time_ns();
            platform_log(LOG_WARNING, "%s", hook_failure_text(&result, text, sizeof(text)));
        }
        else hooks_run_one(set->dir, set->names[i], "freeze", timeout_ms, &result);
        if (result.outcome != HOOK_REFUSED && result.outcome != HOOK_START_FAILED &&
            name_list_add(ran, set->names[i]) < 0)
            ret = QGA_ENOMEM;
        if (result.outcome != HOOK_OK && !continue_on_failure && !ret)
        {
            hook_failure_text(&result, text, sizeof(text));
            ret = (*error = strdup(text)) ? QGA_EGENERIC : QGA_ENOMEM;
        }
        freeze_story_add_hook(story, &result);
    }
    free(dir_why);
    return ret;
}

void hooks_run_thaw(const char *dir, const struct name_list *names, uint32_t timeout_ms, bool recovery,
                    struct freeze_story *story)
{
    char *dir_why = NULL, text[600];
    size_t i;

    if (!names->count) return;
    if (hooks_check_dir(dir, &dir_why) < 0 && !dir_why) dir_why = strdup("unsafe folder");
    for (i = names->count; i-- > 0;)
    {
        struct hook_result result = { 0 };

        if (dir_why)
        {
            result.name = strdup(names->names[i]);
            result.phase = "thaw";
            result.outcome = HOOK_REFUSED;
            result.detail = strdup(dir_why);
            result.timeout_ms = timeout_ms;
            result.start_ns = result.end_ns = platform_time_ns();
            platform_log(LOG_WARNING, "%s", hook_failure_text(&result, text, sizeof(text)));
        }
        else hooks_run_one(dir, names->names[i], "thaw", timeout_ms, &result);
        result.recovery = recovery;
        freeze_story_add_hook(story, &result);
    }
    free(dir_why);
}
