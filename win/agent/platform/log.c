/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The log sink behind platform_log(): file or stderr, Event Log, and the frozen-time buffer. */
#include <windows.h>
#include <sddl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "core/error.h"
#include "core/utf8.h"
#include "platform/error.h"
#include "platform/log.h"
#include "platform/security.h"
#include "platform/utf.h"

#define LOG_EVENT_ID_GENERAL  1     /* messages.mc: MessageId=1, QGA_EVENTLOG_GENERAL, text "%1" */
#define LOG_LINE_MAX          4096  /* longer messages are cut */

struct frozen_line
{
    struct frozen_line *next;
    enum log_level level;
    size_t len;
    char text[];            /* the full line incl. timestamp, NUL-terminated */
};

/* The log is process-wide (platform_log has no context); everything lives here, guarded by lock. */
static struct
{
    SRWLOCK lock;
    HANDLE file;            /* log file, or NULL */
    bool use_stderr;        /* no log file: stderr */
    HANDLE event_source;    /* Event Log, or NULL */
    bool verbose;
    bool frozen;
    struct frozen_line *frozen_head, *frozen_tail;
    size_t frozen_bytes;
    size_t frozen_dropped;
    HANDLE stderr_checked;  /* the stderr handle stderr_console describes */
    bool stderr_console;
    bool held;              /* log_hold(): file/stderr lines wait in held_text */
    size_t held_len;
    char held_text[LOG_HELD_BYTES];
} log_state = { SRWLOCK_INIT, NULL, true, NULL, false, false, NULL, NULL, 0, 0, NULL, false, false, 0,
                { 0 } };

static const char *level_name(enum log_level level)
{
    switch (level)
    {
    case LOG_ERROR:   return "error";
    case LOG_WARNING: return "warning";
    case LOG_INFO:    return "info";
    default:          return "debug";
    }
}

bool log_enabled(enum log_level level)
{
    return level != LOG_DEBUG || log_state.verbose;
}

static void write_handle(HANDLE handle, const char *text, size_t len)
{
    DWORD written;

    while (len)
    {
        if (!WriteFile(handle, text, (DWORD)len, &written, NULL) || !written) return;
        text += written;
        len -= written;
    }
}

static void write_stderr(const char *text, size_t len)
{
    HANDLE handle = GetStdHandle(STD_ERROR_HANDLE);
    DWORD mode;

    if (!handle || handle == INVALID_HANDLE_VALUE) return;
    /* Whether stderr is a console is asked once per handle: GetConsoleMode is a round trip to the
     * console (under Wine, to the wineserver), paid per line otherwise (guest-ping logs a line). */
    if (handle != log_state.stderr_checked)
    {
        log_state.stderr_checked = handle;
        log_state.stderr_console = GetConsoleMode(handle, &mode);
    }
    if (log_state.stderr_console)
    {
        /* A real console: write UTF-16 so non-ASCII text shows correctly. */
        WCHAR *text_w = NULL;
        DWORD written;
        size_t len_w;
        if (utf8_to_utf16_len(text, len, &text_w, &len_w) == 0)
            WriteConsoleW(handle, text_w, (DWORD)len_w, &written, NULL);
        free(text_w);
        return;
    }
    write_handle(handle, text, len);
}

static void report_event(enum log_level level, const char *line)
{
    WORD type = level == LOG_ERROR ? EVENTLOG_ERROR_TYPE
              : level == LOG_WARNING ? EVENTLOG_WARNING_TYPE : EVENTLOG_INFORMATION_TYPE;
    const char *message = strstr(line, ": ");      /* the Event Log has its own time and level */
    WCHAR *message_w = NULL;
    const WCHAR *strings[1];
    size_t len;

    if (!log_state.event_source || level == LOG_DEBUG) return;
    message = message ? message + 2 : line;
    len = strlen(message);
    while (len && (message[len - 1] == '\n' || message[len - 1] == '\r')) len--;
    if (utf8_to_utf16_len(message, len, &message_w, NULL) < 0) return;
    strings[0] = message_w;
    ReportEventW(log_state.event_source, type, 0, LOG_EVENT_ID_GENERAL, NULL, 1, 0, strings, NULL);
    free(message_w);
}

/* Write finished lines to the file or stderr; lock held. */
static void write_lines(const char *text, size_t len)
{
    if (log_state.file)
        write_handle(log_state.file, text, len);
    else if (log_state.use_stderr)
        write_stderr(text, len);
}

static void flush_held(void)
{
    if (log_state.held_len) write_lines(log_state.held_text, log_state.held_len);
    log_state.held_len = 0;
}

/* Write one finished line to every destination; lock held. */
static void emit(enum log_level level, const char *line, size_t len)
{
    if (log_state.held && (log_state.file || log_state.use_stderr))
    {
        if (len > sizeof(log_state.held_text) - log_state.held_len) flush_held();
        if (len <= sizeof(log_state.held_text))
        {
            memcpy(log_state.held_text + log_state.held_len, line, len);
            log_state.held_len += len;
        }
        else
            write_lines(line, len);
    }
    else
        write_lines(line, len);
    report_event(level, line);
}

void log_hold(void)
{
    AcquireSRWLockExclusive(&log_state.lock);
    log_state.held = true;
    ReleaseSRWLockExclusive(&log_state.lock);
}

void log_release(void)
{
    AcquireSRWLockExclusive(&log_state.lock);
    flush_held();
    log_state.held = false;
    ReleaseSRWLockExclusive(&log_state.lock);
}

static void buffer_line(enum log_level level, const char *line, size_t len)
{
    struct frozen_line *entry;

    if (log_state.frozen_bytes + len > LOG_FROZEN_BUFFER_BYTES
        || !(entry = malloc(sizeof(*entry) + len + 1)))
    {
        log_state.frozen_dropped++;
        return;
    }
    entry->next = NULL;
    entry->level = level;
    entry->len = len;
    memcpy(entry->text, line, len + 1);
    if (log_state.frozen_tail) log_state.frozen_tail->next = entry;
    else log_state.frozen_head = entry;
    log_state.frozen_tail = entry;
    log_state.frozen_bytes += len;
}

static size_t format_prefix(char *buffer, size_t size, enum log_level level)
{
    SYSTEMTIME now;
    int len;

    GetSystemTime(&now);
    len = snprintf(buffer, size, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ %s: ", now.wYear, now.wMonth, now.wDay,
                   now.wHour, now.wMinute, now.wSecond, now.wMilliseconds, level_name(level));
    return len > 0 && (size_t)len < size ? (size_t)len : 0;
}

/* The log is UTF-8 text, one event per line: control characters (a message may quote what the
 * host sent) and invalid UTF-8 become '?'.  The final CR LF is kept. */
static void sanitize(char *line, size_t len)
{
    const unsigned char *p = (const unsigned char *)line, *end = p + len - 2;

    while (p < end)
    {
        const unsigned char *start = p;

        if (*p < 0x80)
        {
            if (*p < 0x20 || *p == 0x7f) line[p - (const unsigned char *)line] = '?';
            p++;
            continue;
        }
        if (utf8_decode(&p, end) <= 0)      /* C0 80 (modified UTF-8 NUL) too */
            for (; start < p; start++) line[start - (const unsigned char *)line] = '?';
    }
}

static void log_line(enum log_level level, const char *fmt, va_list ap)
{
    char line[LOG_LINE_MAX];
    size_t len = format_prefix(line, sizeof(line), level);
    int body;

    body = vsnprintf(line + len, sizeof(line) - len - 2, fmt, ap);
    if (body < 0) body = 0;
    len += (size_t)body < sizeof(line) - len - 2 ? (size_t)body : sizeof(line) - len - 3;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    line[len++] = '\r';
    line[len++] = '\n';
    line[len] = 0;

    sanitize(line, len);

    AcquireSRWLockExclusive(&log_state.lock);
    if (log_state.frozen)
        buffer_line(level, line, len);
    else
        emit(level, line, len);
    ReleaseSRWLockExclusive(&log_state.lock);
}

void platform_log(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    DWORD saved_error = GetLastError();     /* callers log and then report GetLastError() */

    if (!log_enabled(level)) return;
    va_start(ap, fmt);
    log_line(level, fmt, ap);
    va_end(ap);
    SetLastError(saved_error);
}

/* Write the lines kept while frozen; lock held. */
static void flush_frozen(void)
{
    struct frozen_line *entry = log_state.frozen_head, *next;
    char note[160];

    for (; entry; entry = next)
    {
        next = entry->next;
        emit(entry->level, entry->text, entry->len);
        free(entry);
    }
    log_state.frozen_head = log_state.frozen_tail = NULL;
    log_state.frozen_bytes = 0;
    if (log_state.frozen_dropped)
    {
        size_t len = format_prefix(note, sizeof(note), LOG_WARNING);
        snprintf(note + len, sizeof(note) - len, "%zu log lines dropped while frozen (buffer full)\r\n",
                 log_state.frozen_dropped);
        emit(LOG_WARNING, note, strlen(note));
        log_state.frozen_dropped = 0;
    }
}

void log_set_frozen(bool frozen)
{
    AcquireSRWLockExclusive(&log_state.lock);
    if (log_state.frozen && !frozen) flush_frozen();
    log_state.frozen = frozen;
    ReleaseSRWLockExclusive(&log_state.lock);
}

int log_open(const char *logfile, bool verbose, bool event_log, char **error)
{
    HANDLE file = NULL, event_source = NULL;
    WCHAR *path_w = NULL;
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
    int ret = 0;

    if (error) *error = NULL;
    if (logfile)
    {
        if ((ret = utf8_to_utf16(logfile, &path_w)) < 0) goto out;
        if ((ret = security_admin_only(&sa.lpSecurityDescriptor)) < 0) goto out;
        /* The ACL applies when the file is created; share read so admins can follow it live. */
        file = CreateFileW(path_w, FILE_APPEND_DATA | SYNCHRONIZE, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
                           OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        if (file == INVALID_HANDLE_VALUE)
        {
            DWORD err = GetLastError();
            char text[1100];
            file = NULL;
            ret = win32_error_to_qga(err);
            if (error)
            {
                size_t size = strlen(logfile) + 1200;
                if ((*error = malloc(size)))
                    snprintf(*error, size, "unable to open log file '%s': %s", logfile,
                             win32_error_text_buf(err, text, sizeof(text)));
            }
            goto out;
        }
    }
    if (event_log) event_source = RegisterEventSourceW(NULL, QGA_EVENTLOG_SOURCE_W);

    AcquireSRWLockExclusive(&log_state.lock);
    flush_held();
    if (log_state.file) CloseHandle(log_state.file);
    if (log_state.event_source) DeregisterEventSource(log_state.event_source);
    log_state.file = file;
    log_state.event_source = event_source;
    log_state.use_stderr = !file;
    log_state.verbose = verbose;
    ReleaseSRWLockExclusive(&log_state.lock);
out:
    LocalFree(sa.lpSecurityDescriptor);
    free(path_w);
    return ret;
}

void log_close(void)
{
    AcquireSRWLockExclusive(&log_state.lock);
    flush_frozen();
    flush_held();
    log_state.held = false;
    log_state.frozen = false;
    if (log_state.file) CloseHandle(log_state.file);
    if (log_state.event_source) DeregisterEventSource(log_state.event_source);
    log_state.file = NULL;
    log_state.event_source = NULL;
    log_state.use_stderr = true;
    ReleaseSRWLockExclusive(&log_state.lock);
}
