/* SPDX-License-Identifier: GPL-2.0-or-later */
/* COM test of qga-vss.dll's provider, run under Wine after regsvr32 registered it: creation
 * through COM, interface and QueryInterface rules, reference counting, the class factory,
 * DllCanUnloadNow, every provider method, CommitSnapshots' hold/thaw/timeout protocol, and the
 * type library next to the DLL.  Prints TAP (wine-test.h). */
#define COBJMACROS
#include <windows.h>
#include <objbase.h>
#include <oleauto.h>
#include <string.h>
#include <vss.h>
#include <vsprov.h>
#include <vsserror.h>

#include "guids.h"
#include "names.h"
#include "wine-test.h"

#define WAIT_MS 10000           /* bound on every wait in this test: a hang fails, never blocks */
#define HOLD_CHECK_MS 200       /* how long the test watches CommitSnapshots keep holding */

static HMODULE provider_module;

static ULONG get_refcount(void *iface)
{
    IUnknown *unknown = iface;

    IUnknown_AddRef(unknown);
    return IUnknown_Release(unknown);
}

static HRESULT dll_can_unload_now(void)
{
    HRESULT (WINAPI *can_unload)(void) = (void *)GetProcAddress(provider_module, "DllCanUnloadNow");

    return can_unload ? can_unload() : E_NOTIMPL;
}

static IVssSoftwareSnapshotProvider *create_provider(void)
{
    IVssSoftwareSnapshotProvider *provider = NULL;
    HRESULT hr = CoCreateInstance(&CLSID_QgaWinVssProvider, NULL, CLSCTX_INPROC_SERVER,
                                  &IID_IVssSoftwareSnapshotProvider, (void **)&provider);

    ok(hr == S_OK, "CoCreateInstance: got hr %#lx", hr);
    return provider;
}

static void test_create(void)
{
    IVssSoftwareSnapshotProvider *provider;
    IUnknown *unknown = NULL;
    HRESULT hr;

    hr = CoCreateInstance(&CLSID_QgaWinVssProvider, NULL, CLSCTX_INPROC_SERVER, &IID_IUnknown,
                          (void **)&unknown);
    ok(hr == S_OK, "CoCreateInstance(IUnknown): got hr %#lx", hr);
    if (!unknown) return;
    provider_module = GetModuleHandleW(L"qga-vss.dll");
    ok(provider_module != NULL, "qga-vss.dll is loaded in-process");
    ok(get_refcount(unknown) == 1, "refcount after creation: got %lu, expected 1", get_refcount(unknown));
    ok(IUnknown_Release(unknown) == 0, "last Release returns 0");

    /* An interface the object does not have: E_NOINTERFACE, nothing leaked. */
    unknown = (IUnknown *)0xdeadbeef;
    hr = CoCreateInstance(&CLSID_QgaWinVssProvider, NULL, CLSCTX_INPROC_SERVER, &IID_IDispatch,
                          (void **)&unknown);
    ok(hr == E_NOINTERFACE, "CoCreateInstance(IDispatch): got hr %#lx, expected E_NOINTERFACE", hr);
    ok(unknown == NULL, "out pointer cleared on failure: got %p", unknown);
    hr = dll_can_unload_now();
    ok(hr == S_OK, "DllCanUnloadNow with no objects: got hr %#lx, expected S_OK", hr);

    provider = create_provider();
    if (!provider) return;
    hr = dll_can_unload_now();
    ok(hr == S_FALSE, "DllCanUnloadNow with a live provider: got hr %#lx, expected S_FALSE", hr);
    IVssSoftwareSnapshotProvider_Release(provider);
    hr = dll_can_unload_now();
    ok(hr == S_OK, "DllCanUnloadNow after the last Release: got hr %#lx", hr);
}

static void test_query_interface(void)
{
    IVssSoftwareSnapshotProvider *provider = create_provider();
    IVssProviderCreateSnapshotSet *create_set = NULL;
    IVssProviderNotifications *notify = NULL;
    IUnknown *unknown = NULL, *unknown2 = NULL;
    void *out;
    HRESULT hr;

    if (!provider) return;
    hr = IVssSoftwareSnapshotProvider_QueryInterface(provider, &IID_IVssProviderCreateSnapshotSet,
                                                     (void **)&create_set);
    ok(hr == S_OK, "QI(IVssProviderCreateSnapshotSet): got hr %#lx", hr);
    hr = IVssSoftwareSnapshotProvider_QueryInterface(provider, &IID_IVssProviderNotifications,
                                                     (void **)&notify);
    ok(hr == S_OK, "QI(IVssProviderNotifications): got hr %#lx", hr);
    ok(get_refcount(provider) == 3, "one refcount for the object: got %lu, expected 3",
       get_refcount(provider));
    if (!create_set || !notify) goto out;
    ok(get_refcount(create_set) == 3 && get_refcount(notify) == 3, "every interface shares the refcount");

    /* Identity: IUnknown is the same pointer from every interface. */
    hr = IVssProviderCreateSnapshotSet_QueryInterface(create_set, &IID_IUnknown, (void **)&unknown);
    ok(hr == S_OK, "QI(IUnknown) from IVssProviderCreateSnapshotSet: got hr %#lx", hr);
    hr = IVssProviderNotifications_QueryInterface(notify, &IID_IUnknown, (void **)&unknown2);
    ok(hr == S_OK, "QI(IUnknown) from IVssProviderNotifications: got hr %#lx", hr);
    ok(unknown == unknown2 && unknown == (IUnknown *)provider, "one IUnknown: %p, %p, provider %p", unknown,
       unknown2, provider);
    if (unknown) IUnknown_Release(unknown);
    if (unknown2) IUnknown_Release(unknown2);

    /* Symmetry and transitivity. */
    out = NULL;
    hr = IVssProviderNotifications_QueryInterface(notify, &IID_IVssProviderCreateSnapshotSet, &out);
    ok(hr == S_OK && out == create_set, "QI notify -> create set: got hr %#lx, %p", hr, out);
    if (out) IUnknown_Release((IUnknown *)out);
    out = NULL;
    hr = IVssProviderCreateSnapshotSet_QueryInterface(create_set, &IID_IVssSoftwareSnapshotProvider, &out);
    ok(hr == S_OK && out == provider, "QI create set -> provider: got hr %#lx, %p", hr, out);
    if (out) IUnknown_Release((IUnknown *)out);

    /* Interfaces it does not have, and a NULL out pointer. */
    out = (void *)0xdeadbeef;
    hr = IVssSoftwareSnapshotProvider_QueryInterface(provider, &IID_IClassFactory, &out);
    ok(hr == E_NOINTERFACE && out == NULL, "QI(IClassFactory): got hr %#lx, %p", hr, out);
    out = (void *)0xdeadbeef;
    hr = IVssProviderNotifications_QueryInterface(notify, &IID_IVssHardwareSnapshotProvider, &out);
    ok(hr == E_NOINTERFACE && out == NULL, "QI(IVssHardwareSnapshotProvider): got hr %#lx, %p", hr, out);
    hr = IVssSoftwareSnapshotProvider_QueryInterface(provider, &IID_IUnknown, NULL);
    ok(hr == E_POINTER, "QI with NULL out: got hr %#lx, expected E_POINTER", hr);
    ok(get_refcount(provider) == 3, "failed QIs took no reference: got %lu", get_refcount(provider));

out:
    if (create_set) ok(IVssProviderCreateSnapshotSet_Release(create_set) == 2, "Release via create set");
    if (notify) ok(IVssProviderNotifications_Release(notify) == 1, "Release via notifications");
    ok(IVssSoftwareSnapshotProvider_Release(provider) == 0, "last Release returns 0");
}

static void test_class_factory(void)
{
    HRESULT (WINAPI *get_class_object)(REFCLSID, REFIID, void **);
    IClassFactory *factory = NULL;
    void *out;
    HRESULT hr;

    if (!provider_module) return;
    get_class_object = (void *)GetProcAddress(provider_module, "DllGetClassObject");
    ok(get_class_object != NULL, "DllGetClassObject is exported");
    if (!get_class_object) return;

    out = (void *)0xdeadbeef;
    hr = get_class_object(&CLSID_StdGlobalInterfaceTable, &IID_IClassFactory, &out);
    ok(hr == CLASS_E_CLASSNOTAVAILABLE && out == NULL, "another CLSID: got hr %#lx, %p", hr, out);
    hr = get_class_object(&CLSID_QgaWinVssProvider, &IID_IClassFactory, (void **)&factory);
    ok(hr == S_OK, "DllGetClassObject: got hr %#lx", hr);
    if (!factory) return;

    out = (void *)0xdeadbeef;
    hr = IClassFactory_CreateInstance(factory, (IUnknown *)factory, &IID_IUnknown, &out);
    ok(hr == CLASS_E_NOAGGREGATION && out == NULL, "aggregation: got hr %#lx, %p", hr, out);
    hr = IClassFactory_CreateInstance(factory, NULL, &IID_IUnknown, NULL);
    ok(hr == E_POINTER, "CreateInstance with NULL out: got hr %#lx", hr);
    out = (void *)0xdeadbeef;
    hr = IClassFactory_CreateInstance(factory, NULL, &IID_IDispatch, &out);
    ok(hr == E_NOINTERFACE && out == NULL, "CreateInstance(IDispatch): got hr %#lx, %p", hr, out);
    ok(dll_can_unload_now() == S_OK, "a failed CreateInstance leaks no object");

    hr = IClassFactory_LockServer(factory, TRUE);
    ok(hr == S_OK, "LockServer(TRUE): got hr %#lx", hr);
    ok(dll_can_unload_now() == S_FALSE, "DllCanUnloadNow while locked: got hr %#lx", dll_can_unload_now());
    hr = IClassFactory_LockServer(factory, FALSE);
    ok(hr == S_OK, "LockServer(FALSE): got hr %#lx", hr);
    ok(dll_can_unload_now() == S_OK, "DllCanUnloadNow after unlock: got hr %#lx", dll_can_unload_now());
    IClassFactory_Release(factory);
}

static void test_volumes(void)
{
    IVssSoftwareSnapshotProvider *provider = create_provider();
    WCHAR volume[] = L"\\\\?\\Volume{00000000-0000-0000-0000-000000000001}\\";
    HANDLE frozen;
    LONG compatibility = -1;
    BOOL value = -1;
    HRESULT hr;

    if (!provider) return;
    hr = IVssSoftwareSnapshotProvider_SetContext(provider, VSS_CTX_BACKUP);
    ok(hr == S_OK, "SetContext: got hr %#lx", hr);

    hr = IVssSoftwareSnapshotProvider_IsVolumeSupported(provider, volume, &value);
    ok(hr == S_OK && value == FALSE, "no requester: got hr %#lx, supported %d, expected FALSE", hr, value);
    frozen = CreateEventW(NULL, TRUE, FALSE, QGA_EVENT_FROZEN_W);
    ok(frozen != NULL, "CreateEvent(frozen): error %lu", GetLastError());
    hr = IVssSoftwareSnapshotProvider_IsVolumeSupported(provider, volume, &value);
    ok(hr == S_OK && value == TRUE, "our requester active: got hr %#lx, supported %d, expected TRUE", hr,
       value);
    CloseHandle(frozen);
    hr = IVssSoftwareSnapshotProvider_IsVolumeSupported(provider, volume, &value);
    ok(hr == S_OK && value == FALSE, "requester gone: got hr %#lx, supported %d", hr, value);
    hr = IVssSoftwareSnapshotProvider_IsVolumeSupported(provider, volume, NULL);
    ok(hr == E_POINTER, "IsVolumeSupported(NULL): got hr %#lx", hr);

    hr = IVssSoftwareSnapshotProvider_IsVolumeSnapshotted(provider, volume, &value, &compatibility);
    ok(hr == S_OK && value == FALSE && compatibility == 0, "IsVolumeSnapshotted: got hr %#lx, %d, %ld", hr,
       value,
       compatibility);
    ok(IVssSoftwareSnapshotProvider_Release(provider) == 0, "released");
}

static void test_snapshots(void)
{
    static const GUID set_id = { 0x11111111, 0x2222, 0x3333, { 4, 4, 4, 4, 4, 4, 4, 4 } };
    static const GUID snapshot_id = { 0x55555555, 0x6666, 0x7777, { 8, 8, 8, 8, 8, 8, 8, 8 } };
    IVssSoftwareSnapshotProvider *provider = create_provider();
    IVssProviderCreateSnapshotSet *create_set = NULL;
    WCHAR volume[] = L"C:\\";
    IVssEnumObject *enumerator = NULL, *clone = NULL;
    IVssAsync *async = (IVssAsync *)0xdeadbeef;
    VSS_OBJECT_PROP object;
    VSS_SNAPSHOT_PROP prop;
    VSS_ID not_deleted;
    LONG deleted = -1;
    ULONG fetched = 99;
    VARIANT variant;
    HRESULT hr;

    if (!provider) return;
    IVssSoftwareSnapshotProvider_QueryInterface(provider, &IID_IVssProviderCreateSnapshotSet,
                                                (void **)&create_set);

    memset(&prop, 0xcc, sizeof(prop));
    hr = IVssSoftwareSnapshotProvider_GetSnapshotProperties(provider, snapshot_id, &prop);
    ok(hr == VSS_E_OBJECT_NOT_FOUND, "unknown snapshot: got hr %#lx", hr);
    ok(prop.m_pwszOriginalVolumeName == NULL && prop.m_lSnapshotsCount == 0, "prop cleared on failure");

    hr = IVssSoftwareSnapshotProvider_BeginPrepareSnapshot(provider, set_id, snapshot_id, volume,
                                                           VSS_CTX_BACKUP);
    ok(hr == S_OK, "BeginPrepareSnapshot: got hr %#lx", hr);
    hr = IVssProviderCreateSnapshotSet_EndPrepareSnapshots(create_set, set_id);
    ok(hr == S_OK, "EndPrepareSnapshots: got hr %#lx", hr);
    hr = IVssProviderCreateSnapshotSet_PreCommitSnapshots(create_set, set_id);
    ok(hr == S_OK, "PreCommitSnapshots: got hr %#lx", hr);
    /* No requester events: nothing to hold for, returns at once. */
    hr = IVssProviderCreateSnapshotSet_CommitSnapshots(create_set, set_id);
    ok(hr == S_OK, "CommitSnapshots without a requester: got hr %#lx", hr);
    hr = IVssProviderCreateSnapshotSet_PostCommitSnapshots(create_set, set_id, 1);
    ok(hr == S_OK, "PostCommitSnapshots: got hr %#lx", hr);
    hr = IVssProviderCreateSnapshotSet_PreFinalCommitSnapshots(create_set, set_id);
    ok(hr == S_OK, "PreFinalCommitSnapshots: got hr %#lx", hr);
    hr = IVssProviderCreateSnapshotSet_PostFinalCommitSnapshots(create_set, set_id);
    ok(hr == S_OK, "PostFinalCommitSnapshots: got hr %#lx", hr);

    /* VSS asks for the snapshot's properties after the commit: answered, not "not found". */
    memset(&prop, 0, sizeof(prop));
    hr = IVssSoftwareSnapshotProvider_GetSnapshotProperties(provider, snapshot_id, &prop);
    ok(hr == S_OK, "GetSnapshotProperties: got hr %#lx", hr);
    ok(IsEqualGUID(&prop.m_SnapshotId, &snapshot_id) && IsEqualGUID(&prop.m_SnapshotSetId, &set_id),
       "ids filled in");
    ok(IsEqualGUID(&prop.m_ProviderId, &QGA_VSS_PROVIDER_ID), "provider id is ours");
    ok(prop.m_lSnapshotsCount == 1, "snapshot count: got %ld", prop.m_lSnapshotsCount);
    ok(prop.m_pwszOriginalVolumeName && !wcscmp(prop.m_pwszOriginalVolumeName, volume),
       "original volume: %ls",
       prop.m_pwszOriginalVolumeName ? prop.m_pwszOriginalVolumeName : L"(null)");
    ok(prop.m_eStatus == VSS_SS_CREATED, "status: got %d, expected VSS_SS_CREATED", prop.m_eStatus);
    ok(prop.m_tsCreationTimestamp != 0, "creation time set");
    CoTaskMemFree(prop.m_pwszOriginalVolumeName);
    hr = IVssSoftwareSnapshotProvider_GetSnapshotProperties(provider, snapshot_id, NULL);
    ok(hr == E_POINTER, "GetSnapshotProperties(NULL): got hr %#lx", hr);

    /* No shadow copies: an empty enumerator, and nothing to delete. */
    hr = IVssSoftwareSnapshotProvider_Query(provider, GUID_NULL, VSS_OBJECT_NONE, VSS_OBJECT_SNAPSHOT,
                                            &enumerator);
    ok(hr == S_OK && enumerator != NULL, "Query: got hr %#lx", hr);
    if (enumerator)
    {
        ok(dll_can_unload_now() == S_FALSE, "the enumerator counts as a live object");
        hr = IVssEnumObject_Next(enumerator, 1, &object, &fetched);
        ok(hr == S_FALSE && fetched == 0, "Next: got hr %#lx, fetched %lu", hr, fetched);
        hr = IVssEnumObject_Next(enumerator, 2, &object, NULL);
        ok(hr == E_POINTER, "Next(2) without fetched: got hr %#lx", hr);
        ok(IVssEnumObject_Skip(enumerator, 1) == S_FALSE, "Skip(1) on empty");
        ok(IVssEnumObject_Reset(enumerator) == S_OK, "Reset");
        hr = IVssEnumObject_Clone(enumerator, &clone);
        ok(hr == S_OK && clone != NULL, "Clone: got hr %#lx", hr);
        if (clone) ok(IVssEnumObject_Release(clone) == 0, "clone released");
        ok(IVssEnumObject_Release(enumerator) == 0, "enumerator released");
    }
    hr = IVssSoftwareSnapshotProvider_DeleteSnapshots(provider, set_id, VSS_OBJECT_SNAPSHOT_SET, TRUE,
                                                      &deleted,
                                                      &not_deleted);
    ok(hr == S_OK && deleted == 0 && IsEqualGUID(&not_deleted, &GUID_NULL),
       "DeleteSnapshots: got hr %#lx, %ld", hr,
       deleted);

    /* What we do not implement says so, and clears its out pointer. */
    VariantInit(&variant);
    hr = IVssSoftwareSnapshotProvider_SetSnapshotProperty(provider, snapshot_id, VSS_SPROPID_EXPOSED_NAME,
                                                          variant);
    ok(hr == E_NOTIMPL, "SetSnapshotProperty: got hr %#lx", hr);
    hr = IVssSoftwareSnapshotProvider_RevertToSnapshot(provider, snapshot_id);
    ok(hr == E_NOTIMPL, "RevertToSnapshot: got hr %#lx", hr);
    hr = IVssSoftwareSnapshotProvider_QueryRevertStatus(provider, volume, &async);
    ok(hr == E_NOTIMPL && async == NULL, "QueryRevertStatus: got hr %#lx, %p", hr, async);

    /* AbortSnapshots forgets the set. */
    hr = IVssProviderCreateSnapshotSet_AbortSnapshots(create_set, set_id);
    ok(hr == S_OK, "AbortSnapshots: got hr %#lx", hr);
    hr = IVssSoftwareSnapshotProvider_GetSnapshotProperties(provider, snapshot_id, &prop);
    ok(hr == VSS_E_OBJECT_NOT_FOUND, "after abort: got hr %#lx", hr);

    if (create_set) IVssProviderCreateSnapshotSet_Release(create_set);
    ok(IVssSoftwareSnapshotProvider_Release(provider) == 0, "released");
}

/* The requester's side of the freeze, on another thread (it is another process in real life):
 * wait for "frozen", check that CommitSnapshots is still holding, then say "thaw". */
struct requester_args
{
    HANDLE events[3];           /* frozen, thaw, timeout */
    HANDLE returned;            /* set by the main thread once CommitSnapshots returned */
    DWORD frozen_wait, returned_wait;
};

static DWORD WINAPI requester_thread(void *arg)
{
    struct requester_args *args = arg;

    args->frozen_wait = WaitForSingleObject(args->events[0], WAIT_MS);
    /* A bounded look, not a synchronisation: the provider must not let go before "thaw". */
    args->returned_wait = WaitForSingleObject(args->returned, HOLD_CHECK_MS);
    SetEvent(args->events[1]);
    return 0;
}

static void create_requester_events(HANDLE events[3])
{
    events[0] = CreateEventW(NULL, TRUE, FALSE, QGA_EVENT_FROZEN_W);
    events[1] = CreateEventW(NULL, TRUE, FALSE, QGA_EVENT_THAW_W);
    events[2] = CreateEventW(NULL, TRUE, FALSE, QGA_EVENT_TIMEOUT_W);
    ok(events[0] && events[1] && events[2], "requester events created: error %lu", GetLastError());
}

static void close_events(HANDLE events[3])
{
    int i;

    for (i = 0; i < 3; i++) if (events[i]) CloseHandle(events[i]);
}

/* The freeze protocol with the requester: "frozen" once VSS holds writes, hold until "thaw". */
static void test_commit_thaw(void)
{
    IVssSoftwareSnapshotProvider *provider = create_provider();
    IVssProviderCreateSnapshotSet *create_set = NULL;
    struct requester_args args = { { NULL }, NULL, WAIT_FAILED, WAIT_FAILED };
    HANDLE thread;
    DWORD wait;
    HRESULT hr;

    if (!provider) return;
    IVssSoftwareSnapshotProvider_QueryInterface(provider, &IID_IVssProviderCreateSnapshotSet,
                                                (void **)&create_set);
    create_requester_events(args.events);
    args.returned = CreateEventW(NULL, TRUE, FALSE, NULL);
    thread = CreateThread(NULL, 0, requester_thread, &args, 0, NULL);
    ok(thread != NULL, "CreateThread: error %lu", GetLastError());
    if (!thread) goto out;
    hr = IVssProviderCreateSnapshotSet_CommitSnapshots(create_set, GUID_NULL);
    SetEvent(args.returned);
    ok(hr == S_OK, "CommitSnapshots: got hr %#lx", hr);
    wait = WaitForSingleObject(thread, WAIT_MS);
    ok(wait == WAIT_OBJECT_0, "requester thread finished: wait %#lx", wait);
    ok(args.frozen_wait == WAIT_OBJECT_0, "frozen signalled: wait %#lx", args.frozen_wait);
    ok(args.returned_wait == WAIT_TIMEOUT, "CommitSnapshots held until thaw: wait %#lx", args.returned_wait);
    ok(WaitForSingleObject(args.events[2], 0) == WAIT_TIMEOUT, "timeout not signalled");
    CloseHandle(thread);
out:
    close_events(args.events);
    if (args.returned) CloseHandle(args.returned);
    if (create_set) IVssProviderCreateSnapshotSet_Release(create_set);
    ok(IVssSoftwareSnapshotProvider_Release(provider) == 0, "released");
}

/* No thaw within the hold limit (shortened for the test): the provider lets go, says "timeout",
 * and still returns S_OK so VSS logs nothing (qga-reference.md §5). */
static void test_commit_timeout(void)
{
    IVssSoftwareSnapshotProvider *provider = create_provider();
    IVssProviderCreateSnapshotSet *create_set = NULL;
    HANDLE events[3];
    HRESULT hr;

    if (!provider) return;
    IVssSoftwareSnapshotProvider_QueryInterface(provider, &IID_IVssProviderCreateSnapshotSet,
                                                (void **)&create_set);
    SetEnvironmentVariableW(L"QGA_PROVIDER_HOLD_MS", L"100");
    create_requester_events(events);
    hr = IVssProviderCreateSnapshotSet_CommitSnapshots(create_set, GUID_NULL);
    ok(hr == S_OK, "CommitSnapshots after the hold limit: got hr %#lx", hr);
    ok(WaitForSingleObject(events[0], 0) == WAIT_OBJECT_0, "frozen signalled");
    ok(WaitForSingleObject(events[2], 0) == WAIT_OBJECT_0, "timeout signalled");
    ok(WaitForSingleObject(events[1], 0) == WAIT_TIMEOUT, "thaw untouched");
    close_events(events);
    SetEnvironmentVariableW(L"QGA_PROVIDER_HOLD_MS", NULL);
    IVssProviderCreateSnapshotSet_Release(create_set);
    ok(IVssSoftwareSnapshotProvider_Release(provider) == 0, "released");
}

static void test_notifications(void)
{
    IVssSoftwareSnapshotProvider *provider = create_provider();
    IVssProviderNotifications *notify = NULL;
    HRESULT hr;

    if (!provider) return;
    IVssSoftwareSnapshotProvider_QueryInterface(provider, &IID_IVssProviderNotifications, (void **)&notify);
    if (!notify) goto out;
    hr = IVssProviderNotifications_OnLoad(notify, NULL);
    ok(hr == S_OK, "OnLoad: got hr %#lx", hr);
    hr = IVssProviderNotifications_OnUnload(notify, TRUE);
    ok(hr == S_OK, "OnUnload: got hr %#lx", hr);
    IVssProviderNotifications_Release(notify);
out:
    ok(IVssSoftwareSnapshotProvider_Release(provider) == 0, "released");
}

/* COM+ reads the type library next to the DLL: it must describe our class. */
static void test_type_library(void)
{
    WCHAR path[MAX_PATH], *dot;
    ITypeLib *typelib = NULL;
    ITypeInfo *info = NULL;
    TLIBATTR *lib_attr;
    TYPEATTR *attr;
    HRESULT hr;

    if (!provider_module || !GetModuleFileNameW(provider_module, path, ARRAYSIZE(path))) return;
    if ((dot = wcsrchr(path, L'.'))) wcscpy(dot, L".tlb");
    hr = LoadTypeLibEx(path, REGKIND_NONE, &typelib);
    ok(hr == S_OK, "LoadTypeLibEx(%ls): got hr %#lx", path, hr);
    if (!typelib) return;
    if (SUCCEEDED(ITypeLib_GetLibAttr(typelib, &lib_attr)))
    {
        ok(IsEqualGUID(&lib_attr->guid, &LIBID_QgaWinVssLib), "LIBID is ours");
        ITypeLib_ReleaseTLibAttr(typelib, lib_attr);
    }
    hr = ITypeLib_GetTypeInfoOfGuid(typelib, &CLSID_QgaWinVssProvider, &info);
    ok(hr == S_OK, "the type library describes CLSID_QgaWinVssProvider: got hr %#lx", hr);
    if (info && SUCCEEDED(ITypeInfo_GetTypeAttr(info, &attr)))
    {
        ok(attr->typekind == TKIND_COCLASS, "it is a coclass: got kind %d", attr->typekind);
        ITypeInfo_ReleaseTypeAttr(info, attr);
    }
    if (info) ITypeInfo_Release(info);
    ITypeLib_Release(typelib);
}

int main(void)
{
    /* Single-threaded, like the COM+ surrogate's threads: the class is apartment-threaded, and
     * Wine has no proxies for the VSS interfaces to cross apartments. */
    HRESULT hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);

    test_name = "init";
    ok(hr == S_OK, "CoInitializeEx: got hr %#lx", hr);
    run_test(test_create);
    run_test(test_query_interface);
    run_test(test_class_factory);
    run_test(test_volumes);
    run_test(test_snapshots);
    run_test(test_commit_thaw);
    run_test(test_commit_timeout);
    run_test(test_notifications);
    run_test(test_type_library);
    test_name = "end";
    ok(dll_can_unload_now() == S_OK, "no object left alive: DllCanUnloadNow got hr %#lx",
       dll_can_unload_now());
    CoUninitialize();
    return test_finish();
}
