/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proves the fake VSS coordinator enforces the contract it stands in for (style.md §8): calls out
 * of order get VSS_E_BAD_STATE and a "misuse" trace line, bad volumes and providers are refused,
 * the hold-writes window fails the set, a dying service is noticed.  Acts as its own requester
 * (creates the provider's events itself).  Prints TAP; run under Wine with the fake installed
 * and our provider registered. */
#define COBJMACROS
#include <windows.h>
#include <vss.h>
#include <vswriter.h>
#include <vsbackup.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "guids.h"
#include "names.h"
#include "test-files.h"
#include "wine-test.h"

static WCHAR scenario_path[MAX_PATH], trace_path[MAX_PATH];
static HRESULT (STDAPICALLTYPE *p_create)(IVssBackupComponents **out);
static void (APIENTRY *p_free_properties)(VSS_SNAPSHOT_PROP *prop);


static void write_scenario(const char *text)
{
    if (!test_file_write(scenario_path, text)) ok(0, "write the scenario: error %lu", GetLastError());
}

static char *read_trace(void)
{
    return test_file_read(trace_path);
}

static int count_in_trace(const char *needle)
{
    char *text = read_trace(), *p = text;
    int count = 0;

    while ((p = strstr(p, needle))) { count++; p++; }
    free(text);
    return count;
}

static HRESULT wait_async(IVssAsync *async)
{
    HRESULT hr, status = E_FAIL;

    hr = IVssAsync_Wait(async, 30000);
    if (SUCCEEDED(hr)) hr = IVssAsync_QueryStatus(async, &status, NULL);
    IVssAsync_Release(async);
    return FAILED(hr) ? hr : status;
}

static IVssBackupComponents *create(void)
{
    IVssBackupComponents *backup = NULL;
    HRESULT hr = p_create(&backup);

    ok(hr == S_OK && backup, "CreateVssBackupComponents: hr %#lx", hr);
    return backup;
}

static void test_misuse(void)
{
    IVssBackupComponents *backup;
    IVssAsync *async = NULL;
    VSS_ID id;
    UINT count;
    ULONG refs;
    int before;
    HRESULT hr;

    write_scenario("");
    before = count_in_trace("\"call\": \"misuse\"");
    if (!(backup = create())) return;
    hr = IVssBackupComponents_SetContext(backup, VSS_CTX_BACKUP);
    ok(hr == VSS_E_BAD_STATE, "SetContext before InitializeForBackup: hr %#lx", hr);
    hr = IVssBackupComponents_StartSnapshotSet(backup, &id);
    ok(hr == VSS_E_BAD_STATE, "StartSnapshotSet before InitializeForBackup: hr %#lx", hr);
    ok(IVssBackupComponents_InitializeForBackup(backup, NULL) == S_OK, "InitializeForBackup");
    hr = IVssBackupComponents_InitializeForBackup(backup, NULL);
    ok(hr == VSS_E_BAD_STATE, "InitializeForBackup twice: hr %#lx", hr);
    hr = IVssBackupComponents_GetWriterMetadataCount(backup, &count);
    ok(hr == VSS_E_BAD_STATE, "GetWriterMetadataCount before GatherWriterMetadata: hr %#lx", hr);
    hr = IVssBackupComponents_AddToSnapshotSet(backup, (WCHAR *)L"C:\\", QGA_VSS_PROVIDER_ID, &id);
    ok(hr == VSS_E_BAD_STATE, "AddToSnapshotSet before StartSnapshotSet: hr %#lx", hr);
    hr = IVssBackupComponents_DoSnapshotSet(backup, &async);
    ok(hr == VSS_E_BAD_STATE && !async, "DoSnapshotSet before PrepareForBackup: hr %#lx", hr);
    hr = IVssBackupComponents_BackupComplete(backup, &async);
    ok(hr == VSS_E_BAD_STATE && !async, "BackupComplete before DoSnapshotSet: hr %#lx", hr);
    hr = IVssBackupComponents_PrepareForBackup(backup, &async);
    ok(hr == VSS_E_BAD_STATE, "PrepareForBackup before SetBackupState: hr %#lx", hr);
    ok(IVssBackupComponents_SetBackupState(backup, TRUE, FALSE, VSS_BT_COPY, FALSE) == S_OK, "SetBackupState");
    ok(IVssBackupComponents_SetContext(backup, VSS_CTX_APP_ROLLBACK) == S_OK, "SetContext");
    hr = IVssBackupComponents_SetContext(backup, VSS_CTX_APP_ROLLBACK);
    ok(hr == VSS_E_BAD_STATE, "SetContext twice: hr %#lx", hr);
    hr = IVssBackupComponents_AddComponent(backup, GUID_NULL, GUID_NULL, VSS_CT_FILEGROUP, L"", L"x");
    ok(hr == VSS_E_BAD_STATE, "AddComponent before GatherWriterMetadata: hr %#lx", hr);
    hr = IVssBackupComponents_GetSnapshotProperties(backup, GUID_NULL, &(VSS_SNAPSHOT_PROP){ 0 });
    ok(hr == VSS_E_BAD_STATE, "GetSnapshotProperties without a snapshot: hr %#lx", hr);
    hr = IVssBackupComponents_SaveAsXML(backup, &(BSTR){ NULL });
    ok(hr == E_NOTIMPL, "a method the fake does not model says so: hr %#lx", hr);
    ok(IVssBackupComponents_AbortBackup(backup) == S_OK, "AbortBackup");
    hr = IVssBackupComponents_AbortBackup(backup);
    ok(hr == VSS_E_BAD_STATE, "AbortBackup twice: hr %#lx", hr);
    refs = IVssBackupComponents_Release(backup);
    ok(refs == 0, "last Release returns 0, got %lu", refs);
    ok(count_in_trace("\"call\": \"misuse\"") - before == 12, "12 misuse lines traced, got %d",
       count_in_trace("\"call\": \"misuse\"") - before);
    ok(count_in_trace("\"call\": \"unimplemented\"") >= 1, "the unmodelled call is traced");
}

/* Writer metadata: a non-selectable component may not be added; an unknown one is not found. */
static void test_metadata(void)
{
    IVssExamineWriterMetadata *metadata;
    IVssBackupComponents *backup;
    IVssWMComponent *component;
    PVSSCOMPONENTINFO info;
    IVssAsync *async;
    UINT count, files_in, files_out, components;
    VSS_ID instance, instance2, class_id;
    VSS_USAGE_TYPE usage;
    VSS_SOURCE_TYPE source;
    BSTR name;
    HRESULT hr;

    write_scenario("writer \"Fixed\" selectable=no\nwriter \"Pickable\" components=2\n");
    if (!(backup = create())) return;
    IVssBackupComponents_InitializeForBackup(backup, NULL);
    IVssBackupComponents_SetBackupState(backup, TRUE, FALSE, VSS_BT_COPY, FALSE);
    ok(IVssBackupComponents_GatherWriterMetadata(backup, &async) == S_OK, "GatherWriterMetadata");
    ok(wait_async(async) == VSS_S_ASYNC_FINISHED, "GatherWriterMetadata finished");
    ok(IVssBackupComponents_GetWriterMetadataCount(backup, &count) == S_OK && count == 2, "2 writers, got %u", count);
    ok(IVssBackupComponents_GetWriterMetadata(backup, 0, &instance, &metadata) == S_OK, "GetWriterMetadata");
    ok(IVssExamineWriterMetadata_GetIdentity(metadata, &instance2, &class_id, &name, &usage, &source) == S_OK &&
       !wcscmp(name, L"Fixed") && IsEqualGUID(&instance, &instance2), "identity");
    SysFreeString(name);
    ok(IVssExamineWriterMetadata_GetFileCounts(metadata, &files_in, &files_out, &components) == S_OK &&
       components == 1, "one component");
    ok(IVssExamineWriterMetadata_GetComponent(metadata, 0, &component) == S_OK, "GetComponent");
    ok(IVssWMComponent_GetComponentInfo(component, &info) == S_OK && !info->bSelectable, "not selectable");
    hr = IVssBackupComponents_AddComponent(backup, instance, class_id, info->type, info->bstrLogicalPath,
                                           info->bstrComponentName);
    ok(hr == VSS_E_BAD_STATE, "adding a non-selectable component: hr %#lx", hr);
    hr = IVssBackupComponents_AddComponent(backup, instance, class_id, info->type, info->bstrLogicalPath, L"nope");
    ok(hr == VSS_E_OBJECT_NOT_FOUND, "adding an unknown component: hr %#lx", hr);
    IVssWMComponent_FreeComponentInfo(component, info);
    ok(IVssWMComponent_Release(component) == 0, "component released");
    ok(IVssExamineWriterMetadata_Release(metadata) == 0, "metadata released");
    ok(IVssBackupComponents_FreeWriterMetadata(backup) == S_OK, "FreeWriterMetadata");
    hr = IVssBackupComponents_GetWriterMetadataCount(backup, &count);
    ok(hr == VSS_E_BAD_STATE, "metadata after FreeWriterMetadata: hr %#lx", hr);
    IVssBackupComponents_AbortBackup(backup);
    IVssBackupComponents_Release(backup);
}

struct events
{
    HANDLE frozen, thaw, timeout;
};

static void events_create(struct events *events)
{
    events->frozen = CreateEventW(NULL, TRUE, FALSE, QGA_EVENT_FROZEN_W);
    events->thaw = CreateEventW(NULL, TRUE, FALSE, QGA_EVENT_THAW_W);
    events->timeout = CreateEventW(NULL, TRUE, FALSE, QGA_EVENT_TIMEOUT_W);
}

static void events_close(struct events *events)
{
    CloseHandle(events->frozen);
    CloseHandle(events->thaw);
    CloseHandle(events->timeout);
}

/* Up to DoSnapshotSet, with our requester's events in place so that the provider takes part. */
static IVssBackupComponents *prepare(const char *scenario, IVssAsync **snapshot, VSS_ID *snapshot_id)
{
    IVssBackupComponents *backup;
    IVssAsync *async;
    VSS_ID set_id;
    HRESULT hr;

    write_scenario(scenario);
    if (!(backup = create())) return NULL;
    IVssBackupComponents_InitializeForBackup(backup, NULL);
    IVssBackupComponents_SetBackupState(backup, FALSE, FALSE, VSS_BT_COPY, FALSE);
    IVssBackupComponents_SetContext(backup, VSS_CTX_APP_ROLLBACK | VSS_VOLSNAP_ATTR_NO_WRITERS);
    ok(IVssBackupComponents_StartSnapshotSet(backup, &set_id) == S_OK, "StartSnapshotSet");
    hr = IVssBackupComponents_AddToSnapshotSet(backup, (WCHAR *)L"C:", QGA_VSS_PROVIDER_ID, snapshot_id);
    ok(hr == S_OK, "AddToSnapshotSet C: hr %#lx", hr);
    ok(IVssBackupComponents_PrepareForBackup(backup, &async) == S_OK && wait_async(async) == VSS_S_ASYNC_FINISHED,
       "PrepareForBackup");
    hr = IVssBackupComponents_DoSnapshotSet(backup, snapshot);
    ok(hr == S_OK, "DoSnapshotSet: hr %#lx", hr);
    return backup;
}

static void test_volumes(void)
{
    IVssBackupComponents *backup;
    struct events events;
    VSS_ID set_id, id;
    HRESULT hr;

    events_create(&events);
    write_scenario("volume-unsupported Z:\\\n");
    if (!(backup = create())) return;
    IVssBackupComponents_InitializeForBackup(backup, NULL);
    IVssBackupComponents_StartSnapshotSet(backup, &set_id);
    hr = IVssBackupComponents_AddToSnapshotSet(backup, (WCHAR *)L"Q:\\", QGA_VSS_PROVIDER_ID, &id);
    ok(hr == VSS_E_OBJECT_NOT_FOUND, "unknown volume: hr %#lx", hr);
    hr = IVssBackupComponents_AddToSnapshotSet(backup, (WCHAR *)L"C:\\windows", QGA_VSS_PROVIDER_ID, &id);
    ok(hr == VSS_E_OBJECT_NOT_FOUND, "a directory that is not a mount point: hr %#lx", hr);
    hr = IVssBackupComponents_AddToSnapshotSet(backup, (WCHAR *)L"Z:\\", QGA_VSS_PROVIDER_ID, &id);
    ok(hr == VSS_E_VOLUME_NOT_SUPPORTED, "unsupported volume: hr %#lx", hr);
    hr = IVssBackupComponents_AddToSnapshotSet(backup, (WCHAR *)L"C:\\", CLSID_QgaWinVssProvider, &id);
    ok(hr == VSS_E_PROVIDER_NOT_REGISTERED, "unknown provider id: hr %#lx", hr);
    hr = IVssBackupComponents_AddToSnapshotSet(backup, (WCHAR *)L"C:\\", QGA_VSS_PROVIDER_ID, &id);
    ok(hr == S_OK, "C:\\: hr %#lx", hr);
    hr = IVssBackupComponents_AddToSnapshotSet(backup, (WCHAR *)L"\\\\?\\Volume{00000000-0000-0000-0000-000000000043}\\",
                                               QGA_VSS_PROVIDER_ID, &id);
    ok(hr == VSS_E_OBJECT_ALREADY_EXISTS, "C: again by its GUID path: hr %#lx", hr);
    IVssBackupComponents_AbortBackup(backup);
    IVssBackupComponents_Release(backup);
    events_close(&events);

    /* Without our events the provider declines every volume (it never hijacks other requesters). */
    write_scenario("");
    if (!(backup = create())) return;
    IVssBackupComponents_InitializeForBackup(backup, NULL);
    IVssBackupComponents_StartSnapshotSet(backup, &set_id);
    hr = IVssBackupComponents_AddToSnapshotSet(backup, (WCHAR *)L"C:\\", QGA_VSS_PROVIDER_ID, &id);
    ok(hr == VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER, "provider declines without the requester: hr %#lx", hr);
    IVssBackupComponents_AbortBackup(backup);
    IVssBackupComponents_Release(backup);
}

static void test_snapshot(void)
{
    IVssBackupComponents *backup;
    VSS_SNAPSHOT_PROP prop;
    IVssAsync *snapshot = NULL, *async;
    struct events events;
    VSS_ID id;
    HRESULT hr;

    events_create(&events);
    if (!(backup = prepare("", &snapshot, &id))) return;
    ok(WaitForSingleObject(events.frozen, 10000) == WAIT_OBJECT_0, "the provider signalled frozen");
    hr = IVssBackupComponents_AbortBackup(backup);
    ok(hr == VSS_E_BAD_STATE, "AbortBackup while DoSnapshotSet runs: hr %#lx", hr);
    SetEvent(events.thaw);
    ok(wait_async(snapshot) == VSS_S_ASYNC_FINISHED, "DoSnapshotSet finished after thaw");
    ok(WaitForSingleObject(events.timeout, 0) == WAIT_TIMEOUT, "no provider timeout");
    hr = IVssBackupComponents_GetSnapshotProperties(backup, id, &prop);
    ok(hr == S_OK && prop.m_pwszOriginalVolumeName && prop.m_lSnapshotsCount == 1, "GetSnapshotProperties: hr %#lx",
       hr);
    if (SUCCEEDED(hr)) p_free_properties(&prop);
    ok(!prop.m_pwszOriginalVolumeName, "VssFreeSnapshotProperties cleared it");
    ok(IVssBackupComponents_BackupComplete(backup, &async) == S_OK && wait_async(async) == VSS_S_ASYNC_FINISHED,
       "BackupComplete");
    hr = IVssBackupComponents_BackupComplete(backup, &async);
    ok(hr == VSS_E_BAD_STATE, "BackupComplete twice: hr %#lx", hr);
    IVssBackupComponents_Release(backup);
    events_close(&events);
}

static void test_hold_window(void)
{
    IVssBackupComponents *backup;
    IVssAsync *snapshot = NULL;
    struct events events;
    VSS_ID id;
    HRESULT status;

    /* Nobody thaws: the provider gives up after QGA_PROVIDER_HOLD_MS, past the 100 ms window. */
    events_create(&events);
    if (!(backup = prepare("hold-writes-ms 100\nprovider-hold-ms 500\n", &snapshot, &id))) return;
    ok(WaitForSingleObject(events.frozen, 10000) == WAIT_OBJECT_0, "frozen");
    status = wait_async(snapshot);
    ok(status == VSS_E_HOLD_WRITES_TIMEOUT, "DoSnapshotSet fails with VSS_E_HOLD_WRITES_TIMEOUT: %#lx", status);
    ok(WaitForSingleObject(events.timeout, 0) == WAIT_OBJECT_0, "the provider signalled its timeout");
    ok(count_in_trace("\"call\": \"AbortSnapshots\"") >= 1, "the provider's snapshots were aborted");
    IVssBackupComponents_AbortBackup(backup);
    IVssBackupComponents_Release(backup);
    events_close(&events);
}

static void test_service_death(void)
{
    IVssBackupComponents *backup;
    VSS_ID id;
    HRESULT hr;

    write_scenario("die-at StartSnapshotSet\n");
    if (!(backup = create())) return;
    IVssBackupComponents_InitializeForBackup(backup, NULL);
    hr = IVssBackupComponents_StartSnapshotSet(backup, &id);
    ok(hr == HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE), "the service died: hr %#lx", hr);
    hr = IVssBackupComponents_AbortBackup(backup);
    ok(hr == HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE), "later calls fail too: hr %#lx", hr);
    IVssBackupComponents_Release(backup);
    write_scenario("");
    if (!(backup = create())) return;
    ok(IVssBackupComponents_InitializeForBackup(backup, NULL) == S_OK, "a new service starts on demand");
    IVssBackupComponents_Release(backup);
}

int wmain(int argc, WCHAR **argv);
int wmain(int argc, WCHAR **argv)
{
    WCHAR temp[MAX_PATH];
    HMODULE vssapi;

    (void)argc; (void)argv;
    GetTempPathW(MAX_PATH, temp);
    _snwprintf(scenario_path, MAX_PATH, L"%lsqga-test-fake-vss-%lu.scenario", temp, GetCurrentProcessId());
    _snwprintf(trace_path, MAX_PATH, L"%lsqga-test-fake-vss-%lu.trace", temp, GetCurrentProcessId());
    SetEnvironmentVariableW(L"QGA_FAKE_VSS_SCENARIO", scenario_path);
    SetEnvironmentVariableW(L"QGA_FAKE_VSS_TRACE", trace_path);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);

    vssapi = LoadLibraryW(L"vssapi.dll");
    ok(vssapi && GetProcAddress(vssapi, "FakeVssMarker"), "the fake vssapi.dll is loaded (WINEDLLOVERRIDES)");
    if (!vssapi || !GetProcAddress(vssapi, "FakeVssMarker")) goto done;
    p_create = (void *)GetProcAddress(vssapi, "CreateVssBackupComponentsInternal");
    p_free_properties = (void *)GetProcAddress(vssapi, "VssFreeSnapshotProperties");
    ok(p_create && p_free_properties, "exports");
    if (!p_create || !p_free_properties) goto done;

    run_test(test_misuse);
    run_test(test_metadata);
    run_test(test_volumes);
    run_test(test_snapshot);
    run_test(test_hold_window);
    run_test(test_service_death);
done:
    DeleteFileW(scenario_path);
    DeleteFileW(trace_path);
    return test_finish();
}
