/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fakes' call trace (JSON lines appended to one file) and fault injection (fake.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define SETTING_CHARS 2048
#define MAX_COUNTED_CALLS 64

static SRWLOCK lock = SRWLOCK_INIT;
static struct
{
    char call[64];
    unsigned count;
}
counts[MAX_COUNTED_CALLS];

/* The environment variable, else the registry value under FAKE_CONFIG_W; "" when neither. */
static void setting(const WCHAR *env, const WCHAR *value_name, WCHAR *out, DWORD chars)
{
    DWORD len = GetEnvironmentVariableW(env, out, chars), size = chars * sizeof(WCHAR);

    if (len && len < chars) return;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, FAKE_CONFIG_W, value_name, RRF_RT_REG_SZ, NULL, out, &size))
        out[0] = 0;
}

static unsigned count_call(const char *call)
{
    size_t i;

    for (i = 0; i < MAX_COUNTED_CALLS && counts[i].call[0]; i++)
        if (!strcmp(counts[i].call, call)) return ++counts[i].count;
    if (i == MAX_COUNTED_CALLS) return 0;
    snprintf(counts[i].call, sizeof(counts[i].call), "%s", call);
    return counts[i].count = 1;
}

HRESULT fake_fault(const char *call)
{
    WCHAR spec_w[SETTING_CHARS];
    char spec[SETTING_CHARS], *entry, *next;
    HRESULT hr = S_OK;
    unsigned n;

    setting(L"QGA_FAKE_FAIL", L"Fail", spec_w, ARRAYSIZE(spec_w));
    AcquireSRWLockExclusive(&lock);
    n = count_call(call);
    ReleaseSRWLockExclusive(&lock);
    if (!spec_w[0]) return S_OK;
    if (!WideCharToMultiByte(CP_UTF8, 0, spec_w, -1, spec, sizeof(spec), NULL, NULL)) return S_OK;

    for (entry = spec; entry && *entry && hr == S_OK; entry = next)
    {
        char *hash, *equals;
        unsigned only = 0;
        HRESULT value = E_FAIL;

        if ((next = strpbrk(entry, ",;"))) *next++ = 0;
        while (*entry == ' ') entry++;
        if ((equals = strchr(entry, '=')))
        {
            *equals = 0;
            value = (HRESULT)strtoul(equals + 1, NULL, 0);
        }
        if ((hash = strchr(entry, '#')))
        {
            *hash = 0;
            only = (unsigned)strtoul(hash + 1, NULL, 10);
        }
        if (strcmp(entry, call) || (only && only != n)) continue;
        hr = value;
    }
    return hr;
}

static HANDLE open_trace(void)
{
    WCHAR path[MAX_PATH];
    HANDLE file;

    setting(L"QGA_FAKE_TRACE", L"Trace", path, ARRAYSIZE(path));
    if (!path[0]) return NULL;
    file = CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                       OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    return file == INVALID_HANDLE_VALUE ? NULL : file;
}

static void write_line(struct json *line)
{
    HANDLE file = open_trace();
    const char *text = json_text(line);
    DWORD written;

    if (!file) return;
    /* One WriteFile per line: appends from several processes do not interleave. */
    WriteFile(file, text, (DWORD)strlen(text), &written, NULL);
    CloseHandle(file);
}

void fake_trace(const char *object, const char *call, struct json *args, HRESULT hr)
{
    struct json line;

    json_init(&line);
    json_begin(&line, '{');
    json_key(&line, "pid");
    json_int(&line, GetCurrentProcessId());
    json_key(&line, "object");
    json_string_a(&line, object);
    json_key(&line, "call");
    json_string_a(&line, call);
    json_key(&line, "args");
    if (args) json_raw(&line, json_text(args));
    else json_string_a(&line, NULL);
    json_key(&line, "hr");
    json_hresult(&line, hr);
    json_end(&line, '}');
    json_append(&line, "\n", 1);
    if (!line.failed) write_line(&line);
    json_free(&line);
}

void fake_note(const char *object, const char *call, const char *fmt, ...)
{
    char message[512];
    struct json args;
    va_list list;

    va_start(list, fmt);
    vsnprintf(message, sizeof(message), fmt, list);
    va_end(list);
    json_init(&args);
    json_begin(&args, '{');
    json_key(&args, "note");
    json_string_a(&args, message);
    json_end(&args, '}');
    fake_trace(object, call, &args, S_OK);
    json_free(&args);
    fprintf(stderr, "fake %s.%s: %s\n", object, call, message);
}

HRESULT fake_finish(const char *object, const char *call, struct json *args, HRESULT hr)
{
    if (args) json_end(args, '}');
    fake_trace(object, call, args, hr);
    if (args) json_free(args);
    return hr;
}
