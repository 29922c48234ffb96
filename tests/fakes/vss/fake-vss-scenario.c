/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scenario file of the fake VSS service: writers, unsupported volumes, faults, slow steps.
 * One directive per line, '#' starts a comment, values with spaces go in double quotes:
 *
 *   trace C:\path\trace.jsonl
 *   hold-writes-ms 1000            flush-and-hold window (default 10000, as Windows)
 *   commit-limit-ms 5000           give up on a provider stuck in CommitSnapshots (default 120000)
 *   writer "SqlServerWriter" components=2 selectable=yes fail=freeze hr=0x800423f3 class={GUID}
 *   no-writers                     no simulated writer at all (default: two writers)
 *   volume-unsupported Z:\         AddToSnapshotSet refuses it with VSS_E_VOLUME_NOT_SUPPORTED
 *   fault set-context-unsupported | object-not-found-at-commit | provider-not-registered
 *   die-at STEP                    the service exits just before STEP (a traced call name)
 *   die-during-hold-ms MS          the service exits MS after CommitSnapshots began
 *   slow STEP MS                   STEP takes MS longer
 *   provider-hold-ms MS            our provider's hold limit (sets QGA_PROVIDER_HOLD_MS here)
 */
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "fake-vss-service.h"

#define LINE_CHARS 1024
#define MAX_TOKENS 16

static void default_scenario(struct scenario *scenario)
{
    memset(scenario, 0, sizeof(*scenario));
    scenario->hold_writes_ms = DEFAULT_HOLD_WRITES_MS;
    scenario->commit_limit_ms = DEFAULT_COMMIT_LIMIT_MS;
}

/* Deterministic ids from a name, so traces compare across runs. */
static void guid_from_name(const WCHAR *name, uint32_t salt, GUID *guid)
{
    uint64_t h = 1469598103934665603ULL ^ salt;
    unsigned i;

    for (; *name; name++) h = (h ^ (uint16_t)*name) * 1099511628211ULL;
    guid->Data1 = (uint32_t)h;
    guid->Data2 = (uint16_t)(h >> 32);
    guid->Data3 = (uint16_t)(0x4000 | ((h >> 48) & 0x0fff));
    for (i = 0; i < 8; i++)
    {
        h = (h ^ i) * 1099511628211ULL;
        guid->Data4[i] = (uint8_t)(h >> 56);
    }
    guid->Data4[0] = (guid->Data4[0] & 0x3f) | 0x80;
}

static struct writer *add_writer(struct scenario *scenario, const WCHAR *name)
{
    struct writer *writer;

    if (scenario->writer_count >= MAX_WRITERS) return NULL;
    writer = &scenario->writers[scenario->writer_count++];
    memset(writer, 0, sizeof(*writer));
    lstrcpynW(writer->name, name, ARRAYSIZE(writer->name));
    guid_from_name(name, 1, &writer->class_id);
    guid_from_name(name, 2, &writer->instance_id);
    writer->components = 1;
    writer->selectable = true;
    writer->fail_hr = VSS_E_WRITERERROR_RETRYABLE;
    return writer;
}

static void default_writers(struct scenario *scenario)
{
    struct writer *writer;

    if ((writer = add_writer(scenario, L"Fake System Writer"))) writer->selectable = false;
    if ((writer = add_writer(scenario, L"Fake SQL Writer"))) writer->components = 2;
}

/* Splits a line into tokens in place; "quoted values" keep their spaces. */
static int tokenize(WCHAR *line, WCHAR **tokens)
{
    int count = 0;
    WCHAR *p = line;

    while (*p && count < MAX_TOKENS)
    {
        while (*p == L' ' || *p == L'\t') p++;
        if (!*p || *p == L'#') break;
        if (*p == L'"')
        {
            tokens[count++] = ++p;
            while (*p && *p != L'"') p++;
        }
        else
        {
            tokens[count++] = p;
            while (*p && *p != L' ' && *p != L'\t') p++;
        }
        if (*p) *p++ = 0;
    }
    return count;
}

static bool parse_uint(const WCHAR *text, DWORD *out)
{
    WCHAR *end;
    unsigned long value = wcstoul(text, &end, 0);

    if (!*text || *end) return false;
    *out = (DWORD)value;
    return true;
}

static bool parse_fail(const WCHAR *text, enum writer_fail *out)
{
    static const struct { const WCHAR *name; enum writer_fail fail; } names[] =
    {
        { L"none", FAIL_NONE }, { L"identify", FAIL_IDENTIFY }, { L"prepare", FAIL_PREPARE },
        { L"prepare-snapshot", FAIL_PREPARE_SNAPSHOT }, { L"freeze", FAIL_FREEZE }, { L"thaw", FAIL_THAW },
        { L"post-snapshot", FAIL_POST_SNAPSHOT },
    };
    unsigned i;

    for (i = 0; i < ARRAYSIZE(names); i++)
        if (!wcscmp(text, names[i].name)) { *out = names[i].fail; return true; }
    return false;
}

static bool parse_writer(struct scenario *scenario, WCHAR **tokens, int count)
{
    struct writer *writer;
    DWORD value;
    int i;

    if (count < 2 || !(writer = add_writer(scenario, tokens[1]))) return false;
    for (i = 2; i < count; i++)
    {
        WCHAR *key = tokens[i], *eq = wcschr(key, L'=');

        if (!eq) return false;
        *eq = 0;
        if (!wcscmp(key, L"components") && parse_uint(eq + 1, &value)) writer->components = value;
        else if (!wcscmp(key, L"selectable")) writer->selectable = !wcscmp(eq + 1, L"yes");
        else if (!wcscmp(key, L"fail")) { if (!parse_fail(eq + 1, &writer->fail)) return false; }
        else if (!wcscmp(key, L"hr") && parse_uint(eq + 1, &value)) writer->fail_hr = (HRESULT)value;
        else if (!wcscmp(key, L"class")) { if (FAILED(CLSIDFromString(eq + 1, &writer->class_id))) return false; }
        else return false;
    }
    return true;
}

static bool parse_line(struct scenario *scenario, WCHAR *line, bool *writers_given)
{
    WCHAR *tokens[MAX_TOKENS];
    int count = tokenize(line, tokens);
    DWORD value;

    if (!count) return true;
    if (!wcscmp(tokens[0], L"trace") && count == 2)
        lstrcpynW(scenario->trace, tokens[1], MAX_PATH);
    else if (!wcscmp(tokens[0], L"hold-writes-ms") && count == 2 && parse_uint(tokens[1], &value))
        scenario->hold_writes_ms = value;
    else if (!wcscmp(tokens[0], L"commit-limit-ms") && count == 2 && parse_uint(tokens[1], &value))
        scenario->commit_limit_ms = value;
    else if (!wcscmp(tokens[0], L"writer"))
    {
        if (!*writers_given) scenario->writer_count = 0;
        *writers_given = true;
        return parse_writer(scenario, tokens, count);
    }
    else if (!wcscmp(tokens[0], L"no-writers") && count == 1)
    {
        scenario->writer_count = 0;
        *writers_given = true;
    }
    else if (!wcscmp(tokens[0], L"volume-unsupported") && count == 2)
    {
        if (scenario->unsupported_count >= MAX_UNSUPPORTED ||
            !resolve_volume(tokens[1], scenario->unsupported[scenario->unsupported_count]))
            return false;
        scenario->unsupported_count++;
    }
    else if (!wcscmp(tokens[0], L"fault") && count == 2)
    {
        if (!wcscmp(tokens[1], L"set-context-unsupported")) scenario->set_context_unsupported = true;
        else if (!wcscmp(tokens[1], L"object-not-found-at-commit")) scenario->object_not_found_at_commit = true;
        else if (!wcscmp(tokens[1], L"provider-not-registered")) scenario->provider_not_registered = true;
        else return false;
    }
    else if (!wcscmp(tokens[0], L"die-at") && count == 2)
        lstrcpynW(scenario->die_at, tokens[1], STEP_NAME_CHARS);
    else if (!wcscmp(tokens[0], L"provider-hold-ms") && count == 2 && parse_uint(tokens[1], &value))
        scenario->provider_hold_ms = value;
    else if (!wcscmp(tokens[0], L"die-during-hold-ms") && count == 2 && parse_uint(tokens[1], &value))
        scenario->die_during_hold_ms = value;
    else if (!wcscmp(tokens[0], L"slow") && count == 3 && parse_uint(tokens[2], &value))
    {
        if (scenario->slow_count >= MAX_SLOW) return false;
        lstrcpynW(scenario->slow[scenario->slow_count].step, tokens[1], STEP_NAME_CHARS);
        scenario->slow[scenario->slow_count++].ms = value;
    }
    else
        return false;
    return true;
}

int scenario_load(const WCHAR *path, struct scenario *scenario, WCHAR *error, size_t error_chars)
{
    char *data = NULL;
    WCHAR *text = NULL, *line, *next;
    bool writers_given = false;
    HANDLE file;
    DWORD size, got;
    int chars, line_number = 0, ret = -1;

    default_scenario(scenario);
    default_writers(scenario);
    error[0] = 0;
    if (!path || !*path) return 0;

    file = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE)
    {
        _snwprintf(error, error_chars, L"cannot open scenario %ls (error %lu)", path, GetLastError());
        return -1;
    }
    size = GetFileSize(file, NULL);
    if (size > 1 << 20 || !(data = malloc(size + 1)) || !ReadFile(file, data, size, &got, NULL) || got != size)
    {
        _snwprintf(error, error_chars, L"cannot read scenario %ls", path);
        goto out;
    }
    chars = MultiByteToWideChar(CP_UTF8, 0, data, (int)size, NULL, 0);
    if (!(text = calloc(chars + 1, sizeof(WCHAR)))) goto out;
    MultiByteToWideChar(CP_UTF8, 0, data, (int)size, text, chars);
    for (line = text; line; line = next)
    {
        WCHAR *cr;

        line_number++;
        if ((next = wcschr(line, L'\n'))) *next++ = 0;
        if ((cr = wcschr(line, L'\r'))) *cr = 0;
        if (wcslen(line) >= LINE_CHARS || !parse_line(scenario, line, &writers_given))
        {
            _snwprintf(error, error_chars, L"%ls:%d: bad directive", path, line_number);
            goto out;
        }
    }
    ret = 0;
out:
    if (error_chars) error[error_chars - 1] = 0;
    free(text);
    free(data);
    CloseHandle(file);
    return ret;
}
