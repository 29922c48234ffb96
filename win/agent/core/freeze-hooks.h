/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Freeze hooks, the portable part: which files are hooks, their order, the command line each kind
 * runs with, results and their texts, and hook output cut into bounded log lines.  Running them is
 * win/agent/platform/hooks.c; the design is docs/freeze-hooks.md. */
#ifndef QGA_CORE_FREEZE_HOOKS_H
#define QGA_CORE_FREEZE_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many hooks run per phase; more files are logged and ignored. */
#define HOOK_MAX_COUNT          64
/* Output kept per hook run (stdout and stderr together); the rest is counted, not kept. */
#define HOOK_OUTPUT_MAX_BYTES   (64u * 1024)
/* Of that, at most this many lines (each cut to HOOK_LOG_LINE_MAX bytes) reach the log. */
#define HOOK_LOG_MAX_LINES      100
#define HOOK_LOG_LINE_MAX       512

enum hook_kind
{
    HOOK_NONE,      /* not a hook: any other extension */
    HOOK_CMD,       /* .cmd: cmd.exe /d /s /c */
    HOOK_BAT,       /* .bat: cmd.exe /d /s /c */
    HOOK_PS1,       /* .ps1: powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -File */
    HOOK_EXE,       /* .exe: run directly */
};

/* The kind of a file name, by its extension (case-insensitive). */
enum hook_kind hook_kind_of(const char *name);

/* The order hooks run in: ASCII case-insensitive ("10-a.cmd" < "9-b.cmd" < "A.exe" == "a.exe"),
 * ties broken bytewise so the order is total.  qsort comparator over char * elements too. */
int hook_name_compare(const char *a, const char *b);
void hook_sort(char **names, size_t count);

/* The program and command line that run hook `path` (UTF-8, full path) with its one argument
 * (phase: "freeze" or "thaw").  system_dir: the Windows system folder ("C:\Windows\System32"),
 * where cmd.exe and WindowsPowerShell\v1.0\powershell.exe are taken from (never the search path).
 * *application and *command_line are malloc'd.  Returns 0, QGA_ENOMEM, or QGA_EINVAL for a name
 * cmd.exe would rewrite ('%' expands variables even inside quotes) or a path with a quote. */
int hook_command_line(enum hook_kind kind, const char *path, const char *system_dir, const char *phase,
                      char **application, char **command_line);

enum hook_outcome
{
    HOOK_OK,            /* exit code 0 */
    HOOK_FAILED,        /* another exit code */
    HOOK_TIMED_OUT,     /* the per-hook limit expired; its process tree was ended */
    HOOK_START_FAILED,  /* could not be started (detail says why) */
    HOOK_REFUSED,       /* not run: writable by others, or a name we cannot run safely (detail) */
};

/* "ok", "failed", "timeout", "error", "refused": the report's words. */
const char *hook_outcome_name(enum hook_outcome outcome);

struct hook_result
{
    char *name;                 /* file name, owned */
    const char *phase;          /* "freeze" or "thaw" (static) */
    enum hook_outcome outcome;
    int64_t exit_code;          /* HOOK_OK/HOOK_FAILED: as guest-exec-status reports it */
    uint32_t timeout_ms;        /* the limit it ran under */
    int64_t start_ns, end_ns;   /* Unix time */
    size_t output_bytes;        /* everything it wrote, also what was not kept */
    char *detail;               /* owned or NULL: why it failed to start or was refused */
    bool recovery;              /* thaw run by a restarted agent for an interrupted freeze */
};

void hook_result_clear(struct hook_result *result);

/* One sentence for the failure of a hook (the freeze error and the log line), e.g.
 * "freeze hook '30-fail.cmd' failed with exit code 3",
 * "freeze hook '20-hang.bat' timed out after 2 s; its processes were ended",
 * "freeze hook 'x.cmd' refused: <detail>".  Always NUL-terminated; returns buffer. */
char *hook_failure_text(const struct hook_result *result, char *buffer, size_t size);

/* Hook output (any bytes: OEM code page, UTF-16, binary) cut into log lines: split at CR/LF,
 * empty lines dropped, control characters and bytes outside printable ASCII shown as '?'
 * (the log is UTF-8 and the hook's code page is unknown), each line cut to HOOK_LOG_LINE_MAX,
 * at most HOOK_LOG_MAX_LINES lines; then one "(N more bytes of output not logged)" line when
 * anything was left out (total: the bytes the hook wrote, kept or not; len <= total).  Returns
 * the number of lines emitted. */
typedef void (*hook_line_fn)(void *opaque, const char *line);
size_t hook_output_lines(const uint8_t *data, size_t len, size_t total, hook_line_fn emit, void *opaque);

#endif
