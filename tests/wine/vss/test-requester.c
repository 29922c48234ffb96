/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Drives the requester ABI of qga-vss.dll (argv[1]) against the fake VSS coordinator, one
 * scenario file per case, and prints TAP.  Run under Wine with the fake vssapi.dll installed and
 * our provider registered (tests/wine/vss/test_requester.py prepares both). */
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <vsserror.h>

#include "names.h"
#include "test-files.h"
#include "wine-test.h"
#include "requester.h"

static WCHAR scenario_path[MAX_PATH], trace_path[MAX_PATH], temp_dir[MAX_PATH];


static requester_init_fn p_init;
static requester_deinit_fn p_deinit;
static requester_freeze_fn p_freeze;
static requester_thaw_fn p_thaw;
static requester_report_fn p_report;

static void write_scenario(const char *text)
{
    if (!test_file_write(scenario_path, text)) ok(0, "write the scenario: error %lu", GetLastError());
}

/* The whole trace as a NUL-terminated string (caller frees). */
static char *read_trace(void)
{
    return test_file_read(trace_path);
}

static void clear_trace(void)
{
    DeleteFileW(trace_path);
}

/* Waits (bounded) until the trace contains needle. */
static int wait_trace(const char *needle, DWORD timeout_ms)
{
    ULONGLONG deadline = GetTickCount64() + timeout_ms;
    HANDLE change;
    int found = 0;

    for (;;)
    {
        char *text = read_trace();

        found = strstr(text, needle) != NULL;
        free(text);
        if (found || GetTickCount64() >= deadline) return found;
        /* The trace is appended by another process: wake on its writes, bounded. */
        change = FindFirstChangeNotificationW(temp_dir, FALSE, FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE);
        if (change == INVALID_HANDLE_VALUE) Sleep(20);
        else
        {
            WaitForSingleObject(change, 50);
            FindCloseChangeNotification(change);
        }
    }
}

static const char *utf8(const WCHAR *text)
{
    static char buffer[4][1024];
    static int next;
    char *out = buffer[next++ % 4];

    WideCharToMultiByte(CP_UTF8, 0, text, -1, out, 1024, NULL, NULL);
    return out;
}

static int count_fixed_volumes(void)
{
    WCHAR name[MAX_PATH];
    HANDLE find = FindFirstVolumeW(name, MAX_PATH);
    int count = 0;

    if (find == INVALID_HANDLE_VALUE) return 0;
    do
    {
        WCHAR paths[MAX_PATH];
        DWORD length;
        UINT type = GetDriveTypeW(name);

        /* Wine 8 answers DRIVE_UNKNOWN for a GUID path: ask its mount point. */
        if (type == DRIVE_UNKNOWN && GetVolumePathNamesForVolumeNameW(name, paths, MAX_PATH, &length))
            type = GetDriveTypeW(paths);
        if (type == DRIVE_FIXED) count++;
    }
    while (FindNextVolumeW(find, name, MAX_PATH));
    FindVolumeClose(find);
    return count;
}

static int event_exists(const WCHAR *name)
{
    HANDLE event = OpenEventW(SYNCHRONIZE, FALSE, name);

    if (event) CloseHandle(event);
    return event != NULL;
}

static struct requester *requester;

static HRESULT freeze(const WCHAR *const *mountpoints, uint32_t count, const struct requester_options *options,
                      uint32_t *volumes, struct requester_error *err)
{
    memset(err, 0, sizeof(*err));
    err->size = sizeof(*err);
    return p_freeze(requester, mountpoints, count, options, volumes, err);
}

static HRESULT thaw(uint32_t *volumes, struct requester_error *err)
{
    memset(err, 0, sizeof(*err));
    err->size = sizeof(*err);
    return p_thaw(requester, volumes, err);
}

static void test_freeze_thaw_all(void)
{
    struct requester_report *report = calloc(1, sizeof(*report));
    struct requester_error err;
    uint32_t volumes = 99;
    int fixed = count_fixed_volumes();
    char *trace;
    HRESULT hr;

    write_scenario("# defaults\n");
    clear_trace();
    hr = freeze(NULL, 0, NULL, &volumes, &err);
    ok(hr == S_OK, "freeze: got hr %#lx (%s)", hr, utf8(err.message));
    ok((int)volumes == fixed, "freeze: got %u volumes, want %d", volumes, fixed);
    ok(event_exists(QGA_EVENT_FROZEN_W), "frozen event exists while frozen");

    hr = freeze(NULL, 0, NULL, &volumes, &err);
    ok(hr == VSS_E_BAD_STATE, "second freeze: got hr %#lx", hr);
    ok(wcsstr(err.message, L"already frozen") != NULL, "second freeze message: %s", utf8(err.message));

    report->size = sizeof(*report);
    ok(p_report(requester, report) == S_OK, "report while frozen");
    ok(report->hold_outcome == REQUESTER_HOLD_PENDING, "report hold outcome %u", report->hold_outcome);
    ok(report->phase_time[REQUESTER_PHASE_FROZEN] != 0, "report has the frozen time");
    ok(report->writer_count == 2, "report has %u writers", report->writer_count);
    ok(report->backup_type == 5, "default backup type is COPY, got %u", report->backup_type);

    volumes = 99;
    hr = thaw(&volumes, &err);
    ok(hr == S_OK, "thaw: got hr %#lx (%s)", hr, utf8(err.message));
    ok((int)volumes == fixed, "thaw: got %u volumes, want %d", volumes, fixed);
    ok(!event_exists(QGA_EVENT_FROZEN_W), "frozen event gone after thaw");

    volumes = 99;
    hr = thaw(&volumes, &err);
    ok(hr == S_OK && volumes == 0, "thaw when thawed: hr %#lx, %u volumes", hr, volumes);

    ok(p_report(requester, report) == S_OK && report->hold_outcome == REQUESTER_HOLD_OK,
       "report after thaw: hold outcome %u", report->hold_outcome);
    ok(report->phase_time[REQUESTER_PHASE_END] >= report->phase_time[REQUESTER_PHASE_BEGIN], "phases ordered");

    ok(wait_trace("\"call\": \"release\"", 5000), "the backup components object was released");
    trace = read_trace();
    ok(strstr(trace, "\"call\": \"misuse\"") == NULL, "no misuse in the trace");
    ok(strstr(trace, "\"live_objects\": 0") != NULL, "no leaked fake objects");
    ok(strstr(trace, "\"call\": \"BackupComplete\"") != NULL, "BackupComplete called");
    free(trace);
    free(report);
}

static void test_freeze_list(void)
{
    static const WCHAR *const good[] = { L"C:", L"c:\\" };
    static const WCHAR *const bad[] = { L"C:\\", L"Q:\\" };
    static const WCHAR *const not_mount[] = { L"C:\\windows" };
    struct requester_error err;
    uint32_t volumes = 0;
    HRESULT hr;

    write_scenario("");
    hr = freeze(good, 2, NULL, &volumes, &err);
    ok(hr == S_OK && volumes == 1, "freeze-list C: and c:\\: hr %#lx, %u volumes (%s)", hr, volumes,
       utf8(err.message));
    hr = thaw(&volumes, &err);
    ok(hr == S_OK && volumes == 1, "thaw: hr %#lx, %u volumes", hr, volumes);

    hr = freeze(bad, 2, NULL, &volumes, &err);
    ok(FAILED(hr) && volumes == 0, "freeze-list with Q:\\: hr %#lx, %u volumes", hr, volumes);
    ok(wcsstr(err.message, L"failed to add Q:\\ to snapshot set") == err.message, "message: %s",
       utf8(err.message));
    ok(!event_exists(QGA_EVENT_FROZEN_W), "no frozen event after a failed freeze");

    hr = freeze(not_mount, 1, NULL, &volumes, &err);
    ok(FAILED(hr), "a directory that is not a mount point: hr %#lx", hr);
    ok(wcsstr(err.message, L"failed to add C:\\windows to snapshot set") != NULL, "message: %s",
       utf8(err.message));
}

struct fault_case
{
    const char *scenario;
    const WCHAR *freeze_message;  /* NULL: freeze succeeds */
    const WCHAR *thaw_message;    /* NULL: thaw succeeds (when freeze did) */
};

static const struct fault_case fault_cases[] =
{
    { "writer \"W1\" fail=prepare\n", L"writer 'W1' failed at prepare backup", NULL },
    { "writer \"W1\" fail=freeze\n", L"failed to do snapshot set", NULL },
    { "writer \"W1\" fail=thaw\n", NULL, L"writer 'W1' failed at thaw" },
    { "writer \"W1\" fail=identify\n", L"writer 'W1' failed at identify", NULL },
    { "fault provider-not-registered\n", L"failed to add", NULL },
    { "fault object-not-found-at-commit\n", NULL, NULL },
    { "fault set-context-unsupported\n", NULL, NULL },
    { "volume-unsupported Z:\n", L"failed to add", NULL },
    { "die-at PrepareForBackup\n", L"failed to prepare for backup", NULL },
    { "die-at Freeze\n", L"failed to do snapshot set", NULL },
    { "die-at PostCommitSnapshots\n", NULL, L"failed to do snapshot set" },
    { "writer \"W1\" components=1 selectable=no\nwriter \"W2\" components=3\n", NULL, NULL },
    { "no-writers\n", NULL, NULL },
    { "slow GatherWriterMetadata 200\nslow PreCommitSnapshots 100\n", NULL, NULL },
};

static void test_faults(void)
{
    struct requester_error err;
    uint32_t volumes;
    unsigned i;
    HRESULT hr;

    for (i = 0; i < ARRAYSIZE(fault_cases); i++)
    {
        const struct fault_case *c = &fault_cases[i];

        write_scenario(c->scenario);
        hr = freeze(NULL, 0, NULL, &volumes, &err);
        if (c->freeze_message)
        {
            ok(FAILED(hr), "[%u] freeze fails: hr %#lx", i, hr);
            ok(wcsstr(err.message, c->freeze_message) != NULL, "[%u] freeze message: %s", i, utf8(err.message));
            ok(!event_exists(QGA_EVENT_FROZEN_W), "[%u] thawed after the failure", i);
            continue;
        }
        ok(hr == S_OK, "[%u] freeze: hr %#lx (%s)", i, hr, utf8(err.message));
        hr = thaw(&volumes, &err);
        if (c->thaw_message)
        {
            ok(FAILED(hr), "[%u] thaw fails: hr %#lx", i, hr);
            ok(wcsstr(err.message, c->thaw_message) != NULL, "[%u] thaw message: %s", i, utf8(err.message));
        }
        else
            ok(hr == S_OK, "[%u] thaw: hr %#lx (%s)", i, hr, utf8(err.message));
        ok(volumes > 0, "[%u] thaw reports the volumes (%u)", i, volumes);
    }
}

static void test_hold_window(void)
{
    struct requester_error err;
    uint32_t volumes;
    HRESULT hr;

    write_scenario("hold-writes-ms 200\n");
    clear_trace();
    hr = freeze(NULL, 0, NULL, &volumes, &err);
    ok(hr == S_OK, "freeze: hr %#lx (%s)", hr, utf8(err.message));
    ok(wait_trace("hold-writes-expired", 5000), "the fake's hold window expired");
    hr = thaw(&volumes, &err);
    ok(hr == VSS_E_HOLD_WRITES_TIMEOUT, "thaw after the window: hr %#lx", hr);
    ok(!wcscmp(err.message, L"couldn't hold writes: fsfreeze is limited up to 10 seconds"), "message: %s",
       utf8(err.message));
    ok(volumes > 0, "thaw still reports the volumes (%u)", volumes);
}

static void test_hold_timer(void)
{
    struct requester_options options = { .size = sizeof(options), .hold_timeout_ms = 100 };
    struct requester_error err;
    uint32_t volumes;
    HRESULT hr;

    write_scenario("");
    clear_trace();
    hr = freeze(NULL, 0, &options, &volumes, &err);
    ok(hr == S_OK, "freeze with a 100 ms hold timeout: hr %#lx (%s)", hr, utf8(err.message));
    /* The DLL releases the provider by itself: CommitSnapshots returns without our thaw. */
    ok(wait_trace("\"call\": \"CommitSnapshots\"", 5000), "the hold timer released the provider");
    hr = thaw(&volumes, &err);
    ok(FAILED(hr) && wcsstr(err.message, L"hold timeout") != NULL, "thaw reports it: hr %#lx (%s)", hr,
       utf8(err.message));
}

static void test_options(void)
{
    static const WCHAR *const exclude[] = { L"W1" };
    struct requester_options options = { .size = sizeof(options), .backup_type = 1,
                                         .writers_exclude_count = 1, .writers_exclude = exclude };
    struct requester_report *report = calloc(1, sizeof(*report));
    struct requester_error err;
    uint32_t volumes;
    char *trace;
    HRESULT hr;

    /* An excluded writer failing at freeze does not fail the freeze. */
    write_scenario("writer \"W1\" fail=prepare\nwriter \"W2\"\n");
    clear_trace();
    hr = freeze(NULL, 0, &options, &volumes, &err);
    ok(hr == S_OK, "freeze excluding W1: hr %#lx (%s)", hr, utf8(err.message));
    report->size = sizeof(*report);
    p_report(requester, report);
    ok(report->backup_type == 1, "backup type FULL from the options, got %u", report->backup_type);
    ok(report->writer_count == 2 && report->writers[0].excluded && !report->writers[1].excluded,
       "writers: %u, excluded %u %u", report->writer_count, report->writers[0].excluded, report->writers[1].excluded);
    hr = thaw(&volumes, &err);
    ok(hr == S_OK, "thaw: hr %#lx (%s)", hr, utf8(err.message));
    trace = read_trace();
    ok(strstr(trace, "\"component\": \"W1 component") == NULL, "no component of W1 was added");
    ok(strstr(trace, "\"component\": \"W2 component 1\"") != NULL, "W2's component was added");
    free(trace);

    options.backup_type = 0;
    options.writers_exclude_count = 0;
    options.flags = REQUESTER_FS_ONLY;
    write_scenario("writer \"W1\" fail=freeze\n");
    clear_trace();
    hr = freeze(NULL, 0, &options, &volumes, &err);
    ok(hr == S_OK, "file-system-only freeze ignores writers: hr %#lx (%s)", hr, utf8(err.message));
    hr = thaw(&volumes, &err);
    ok(hr == S_OK, "thaw: hr %#lx", hr);
    trace = read_trace();
    ok(strstr(trace, "GatherWriterMetadata") == NULL, "no writer metadata gathered");
    ok(strstr(trace, "\"call\": \"misuse\"") == NULL, "no misuse");
    free(trace);
    free(report);
}

int wmain(int argc, WCHAR **argv);
int wmain(int argc, WCHAR **argv)
{
    struct requester_error err = { .size = sizeof(err) };
    HMODULE dll;

    if (argc < 2)
    {
        printf("usage: test-requester qga-vss.dll\n");
        return 2;
    }
    GetTempPathW(MAX_PATH, temp_dir);
    _snwprintf(scenario_path, MAX_PATH, L"%lsqga-test-requester-%lu.scenario", temp_dir, GetCurrentProcessId());
    _snwprintf(trace_path, MAX_PATH, L"%lsqga-test-requester-%lu.trace", temp_dir, GetCurrentProcessId());
    SetEnvironmentVariableW(L"QGA_FAKE_VSS_SCENARIO", scenario_path);
    SetEnvironmentVariableW(L"QGA_FAKE_VSS_TRACE", trace_path);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);

    dll = LoadLibraryW(argv[1]);
    ok(dll != NULL, "load %s: error %lu", utf8(argv[1]), GetLastError());
    if (!dll) goto done;
    p_init = (requester_init_fn)(void *)GetProcAddress(dll, REQUESTER_INIT_NAME);
    p_deinit = (requester_deinit_fn)(void *)GetProcAddress(dll, REQUESTER_DEINIT_NAME);
    p_freeze = (requester_freeze_fn)(void *)GetProcAddress(dll, REQUESTER_FREEZE_NAME);
    p_thaw = (requester_thaw_fn)(void *)GetProcAddress(dll, REQUESTER_THAW_NAME);
    p_report = (requester_report_fn)(void *)GetProcAddress(dll, REQUESTER_REPORT_NAME);
    ok(p_init && p_deinit && p_freeze && p_thaw && p_report, "the requester ABI is exported");
    if (!p_init || !p_deinit || !p_freeze || !p_thaw || !p_report) goto done;
    ok(p_init(REQUESTER_ABI_VERSION + 1, &requester, &err) == E_INVALIDARG && !requester, "ABI version checked");
    ok(p_init(REQUESTER_ABI_VERSION, &requester, &err) == S_OK, "init: %s", utf8(err.message));
    if (!requester) goto done;

    run_test(test_freeze_thaw_all);
    run_test(test_freeze_list);
    run_test(test_faults);
    run_test(test_hold_window);
    run_test(test_hold_timer);
    run_test(test_options);

    p_deinit(requester);
done:
    DeleteFileW(scenario_path);
    DeleteFileW(trace_path);
    return test_finish();
}
