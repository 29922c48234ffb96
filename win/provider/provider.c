/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VSS software provider object: holds a snapshot set at CommitSnapshots while our requester
 * has the system frozen, and creates no shadow copy. */
#include <stdlib.h>

#include "provider.h"
#include "guids.h"
#include "names.h"
#include "trace.h"

/* Tests may shorten the hold (never lengthen it beyond QGA_PROVIDER_HOLD_MS) with this
 * environment variable, so the timeout path runs in milliseconds. */
#define HOLD_MS_ENV_W L"QGA_PROVIDER_HOLD_MS"

/* One snapshot that VSS asked us to prepare (BeginPrepareSnapshot), remembered so that
 * GetSnapshotProperties can answer for it: VSS asks after the commit, and an unknown id makes it
 * log "snapshot not found" errors (qga-reference.md §5). */
struct snapshot
{
    VSS_ID id;
    WCHAR *volume;                   /* owned */
};

struct provider
{
    IVssSoftwareSnapshotProvider IVssSoftwareSnapshotProvider_iface;
    IVssProviderCreateSnapshotSet IVssProviderCreateSnapshotSet_iface;
    IVssProviderNotifications IVssProviderNotifications_iface;
    LONG refcount;

    SRWLOCK lock;                    /* guards everything below */
    LONG context;                    /* VSS_SNAPSHOT_CONTEXT from SetContext/BeginPrepareSnapshot */
    VSS_ID set_id;                   /* the current (or last) snapshot set */
    VSS_SNAPSHOT_STATE state;
    VSS_TIMESTAMP commit_time;       /* FILETIME of the commit, 0 before it */
    struct snapshot *snapshots;      /* owned */
    size_t snapshot_count, snapshot_capacity;
};

static inline struct provider *impl_from_IVssSoftwareSnapshotProvider(IVssSoftwareSnapshotProvider *iface)
{
    return CONTAINING_RECORD(iface, struct provider, IVssSoftwareSnapshotProvider_iface);
}

static inline struct provider *impl_from_IVssProviderCreateSnapshotSet(IVssProviderCreateSnapshotSet *iface)
{
    return CONTAINING_RECORD(iface, struct provider, IVssProviderCreateSnapshotSet_iface);
}

static inline struct provider *impl_from_IVssProviderNotifications(IVssProviderNotifications *iface)
{
    return CONTAINING_RECORD(iface, struct provider, IVssProviderNotifications_iface);
}

static void snapshots_clear(struct provider *provider)
{
    size_t i;

    for (i = 0; i < provider->snapshot_count; i++) free(provider->snapshots[i].volume);
    provider->snapshot_count = 0;
}

static void provider_destroy(struct provider *provider)
{
    snapshots_clear(provider);
    free(provider->snapshots);
    free(provider);
    com_server_object_destroyed();
}

/* Opens one of the requester's named events; NULL if it does not exist. */
static HANDLE open_event(const WCHAR *name, DWORD access)
{
    return OpenEventW(access, FALSE, name);
}

static DWORD hold_ms(void)
{
    WCHAR value[16];
    DWORD len = GetEnvironmentVariableW(HOLD_MS_ENV_W, value, ARRAYSIZE(value));
    unsigned long ms;
    WCHAR *end;

    if (!len || len >= ARRAYSIZE(value)) return QGA_PROVIDER_HOLD_MS;
    ms = wcstoul(value, &end, 10);
    if (*end || end == value || ms > QGA_PROVIDER_HOLD_MS) return QGA_PROVIDER_HOLD_MS;
    return (DWORD)ms;
}

/* ---- IVssSoftwareSnapshotProvider (the primary interface: QueryInterface lives here) ---- */

static HRESULT WINAPI provider_QueryInterface(IVssSoftwareSnapshotProvider *iface, REFIID riid, void **out)
{
    struct provider *provider = impl_from_IVssSoftwareSnapshotProvider(iface);

    TRACE("%p, %s, %p.", provider, debugstr_guid(riid), out);
    if (!out) return E_POINTER;

    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IVssSoftwareSnapshotProvider))
        *out = &provider->IVssSoftwareSnapshotProvider_iface;
    else if (IsEqualIID(riid, &IID_IVssProviderCreateSnapshotSet))
        *out = &provider->IVssProviderCreateSnapshotSet_iface;
    else if (IsEqualIID(riid, &IID_IVssProviderNotifications))
        *out = &provider->IVssProviderNotifications_iface;
    else
    {
        *out = NULL;
        TRACE("%s not supported.", debugstr_guid(riid));
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*out);
    return S_OK;
}

static ULONG WINAPI provider_AddRef(IVssSoftwareSnapshotProvider *iface)
{
    struct provider *provider = impl_from_IVssSoftwareSnapshotProvider(iface);
    ULONG refcount = InterlockedIncrement(&provider->refcount);

    TRACE("%p, refcount %lu.", provider, refcount);
    return refcount;
}

static ULONG WINAPI provider_Release(IVssSoftwareSnapshotProvider *iface)
{
    struct provider *provider = impl_from_IVssSoftwareSnapshotProvider(iface);
    ULONG refcount = InterlockedDecrement(&provider->refcount);

    TRACE("%p, refcount %lu.", provider, refcount);
    if (!refcount) provider_destroy(provider);
    return refcount;
}

static HRESULT WINAPI provider_SetContext(IVssSoftwareSnapshotProvider *iface, LONG context)
{
    struct provider *provider = impl_from_IVssSoftwareSnapshotProvider(iface);

    TRACE("%p, %#lx.", provider, (unsigned long)context);
    AcquireSRWLockExclusive(&provider->lock);
    provider->context = context;
    ReleaseSRWLockExclusive(&provider->lock);
    return S_OK;
}

static WCHAR *cotask_strdup(const WCHAR *text)
{
    size_t size = (wcslen(text) + 1) * sizeof(WCHAR);
    WCHAR *copy = CoTaskMemAlloc(size);

    if (copy) memcpy(copy, text, size);
    return copy;
}

/* Answers for the snapshots of the current set (VSS frees the strings with CoTaskMemFree through
 * VssFreeSnapshotProperties).  compat: qemu-ga returned VSS_E_OBJECT_NOT_FOUND for every id,
 * which made VSS log errors after each freeze; we describe what we were asked to prepare. */
static HRESULT WINAPI provider_GetSnapshotProperties(IVssSoftwareSnapshotProvider *iface, VSS_ID snapshot_id,
                                                     VSS_SNAPSHOT_PROP *prop)
{
    struct provider *provider = impl_from_IVssSoftwareSnapshotProvider(iface);
    HRESULT hr = VSS_E_OBJECT_NOT_FOUND;
    size_t i;

    TRACE("%p, %s, %p.", provider, debugstr_guid(&snapshot_id), prop);
    if (!prop) return E_POINTER;
    memset(prop, 0, sizeof(*prop));

    AcquireSRWLockShared(&provider->lock);
    for (i = 0; i < provider->snapshot_count; i++)
    {
        if (!IsEqualGUID(&provider->snapshots[i].id, &snapshot_id)) continue;
        if (!(prop->m_pwszOriginalVolumeName = cotask_strdup(provider->snapshots[i].volume)))
        {
            hr = E_OUTOFMEMORY;
            break;
        }
        prop->m_SnapshotId = snapshot_id;
        prop->m_SnapshotSetId = provider->set_id;
        prop->m_lSnapshotsCount = (LONG)provider->snapshot_count;
        prop->m_ProviderId = QGA_VSS_PROVIDER_ID;
        prop->m_lSnapshotAttributes = provider->context;
        prop->m_tsCreationTimestamp = provider->commit_time;
        prop->m_eStatus = provider->state;
        hr = S_OK;
        break;
    }
    ReleaseSRWLockShared(&provider->lock);
    if (hr != S_OK) TRACE("%s: %#lx.", debugstr_guid(&snapshot_id), (unsigned long)hr);
    return hr;
}

/* We keep no shadow copies: every query is answered with an empty list. */
static HRESULT WINAPI provider_Query(IVssSoftwareSnapshotProvider *iface, VSS_ID queried_id,
                                     VSS_OBJECT_TYPE queried_type, VSS_OBJECT_TYPE returned_type,
                                     IVssEnumObject **out)
{
    struct provider *provider = impl_from_IVssSoftwareSnapshotProvider(iface);

    TRACE("%p, %s, %d, %d, %p.", provider, debugstr_guid(&queried_id), queried_type, returned_type, out);
    if (!out) return E_POINTER;
    return empty_enum_create(&IID_IVssEnumObject, (void **)out);
}

/* Nothing to delete; succeeding with 0 keeps VSS from logging errors (qga-reference.md §5, 2.0). */
static HRESULT WINAPI provider_DeleteSnapshots(IVssSoftwareSnapshotProvider *iface, VSS_ID source_id,
                                               VSS_OBJECT_TYPE source_type, BOOL force, LONG *deleted,
                                               VSS_ID *not_deleted)
{
    struct provider *provider = impl_from_IVssSoftwareSnapshotProvider(iface);

    TRACE("%p, %s, %d, %d, %p, %p.", provider, debugstr_guid(&source_id), source_type, force, deleted,
          not_deleted);
    if (!deleted || !not_deleted) return E_POINTER;
    *deleted = 0;
    *not_deleted = GUID_NULL;
    return S_OK;
}

static HRESULT WINAPI provider_BeginPrepareSnapshot(IVssSoftwareSnapshotProvider *iface, VSS_ID set_id,
                                                    VSS_ID snapshot_id, VSS_PWSZ volume_name,
                                                    LONG new_context)
{
    struct provider *provider = impl_from_IVssSoftwareSnapshotProvider(iface);
    struct snapshot *snapshots;
    HRESULT hr = S_OK;
    WCHAR *volume;

    TRACE("%p, %s, %s, %ls, %#lx.", provider, debugstr_guid(&set_id), debugstr_guid(&snapshot_id),
          volume_name, (unsigned long)new_context);
    if (!volume_name) return E_INVALIDARG;
    if (!(volume = _wcsdup(volume_name))) return E_OUTOFMEMORY;

    AcquireSRWLockExclusive(&provider->lock);
    if (!IsEqualGUID(&provider->set_id, &set_id))
    {
        /* A new set: forget the previous one. */
        snapshots_clear(provider);
        provider->set_id = set_id;
        provider->commit_time = 0;
    }
    provider->context = new_context;
    provider->state = VSS_SS_PREPARING;
    if (provider->snapshot_count == provider->snapshot_capacity)
    {
        size_t capacity = provider->snapshot_capacity ? provider->snapshot_capacity * 2 : 8;

        if (!(snapshots = realloc(provider->snapshots, capacity * sizeof(*snapshots))))
        {
            hr = E_OUTOFMEMORY;
            goto out;
        }
        provider->snapshots = snapshots;
        provider->snapshot_capacity = capacity;
    }
    provider->snapshots[provider->snapshot_count].id = snapshot_id;
    provider->snapshots[provider->snapshot_count].volume = volume;
    provider->snapshot_count++;
    volume = NULL;
out:
    ReleaseSRWLockExclusive(&provider->lock);
    free(volume);
    return hr;
}

/* TRUE only while our requester holds a freeze (its "frozen" event exists), so we never take
 * another backup product's snapshot (qga-reference.md §5, 2.0). */
static HRESULT WINAPI provider_IsVolumeSupported(IVssSoftwareSnapshotProvider *iface, VSS_PWSZ volume_name,
                                                 BOOL *supported)
{
    struct provider *provider = impl_from_IVssSoftwareSnapshotProvider(iface);
    HANDLE frozen;

    TRACE("%p, %ls, %p.", provider, volume_name, supported);
    if (!supported) return E_POINTER;
    frozen = open_event(QGA_EVENT_FROZEN_W, SYNCHRONIZE);
    *supported = frozen != NULL;
    if (frozen) CloseHandle(frozen);
    TRACE("%ls: %s.", volume_name, *supported ? "supported" : "not ours");
    return S_OK;
}

static HRESULT WINAPI provider_IsVolumeSnapshotted(IVssSoftwareSnapshotProvider *iface, VSS_PWSZ volume_name,
                                                   BOOL *present, LONG *compatibility)
{
    struct provider *provider = impl_from_IVssSoftwareSnapshotProvider(iface);

    TRACE("%p, %ls, %p, %p.", provider, volume_name, present, compatibility);
    if (!present || !compatibility) return E_POINTER;
    *present = FALSE;
    *compatibility = 0;
    return S_OK;
}

static HRESULT WINAPI provider_SetSnapshotProperty(IVssSoftwareSnapshotProvider *iface, VSS_ID snapshot_id,
                                                   VSS_SNAPSHOT_PROPERTY_ID property_id, VARIANT value)
{
    (void)value;
    WARN_ONCE("%p, %s, %d: not implemented.", iface, debugstr_guid(&snapshot_id), property_id);
    return E_NOTIMPL;
}

static HRESULT WINAPI provider_RevertToSnapshot(IVssSoftwareSnapshotProvider *iface, VSS_ID snapshot_id)
{
    WARN_ONCE("%p, %s: not implemented.", iface, debugstr_guid(&snapshot_id));
    return E_NOTIMPL;
}

static HRESULT WINAPI provider_QueryRevertStatus(IVssSoftwareSnapshotProvider *iface, VSS_PWSZ volume,
                                                 IVssAsync **out)
{
    WARN_ONCE("%p, %ls, %p: not implemented.", iface, volume, out);
    if (out) *out = NULL;
    return E_NOTIMPL;
}

static const IVssSoftwareSnapshotProviderVtbl provider_vtbl =
{
    provider_QueryInterface,
    provider_AddRef,
    provider_Release,
    provider_SetContext,
    provider_GetSnapshotProperties,
    provider_Query,
    provider_DeleteSnapshots,
    provider_BeginPrepareSnapshot,
    provider_IsVolumeSupported,
    provider_IsVolumeSnapshotted,
    provider_SetSnapshotProperty,
    provider_RevertToSnapshot,
    provider_QueryRevertStatus,
};

/* ---- IVssProviderCreateSnapshotSet ---- */

static HRESULT WINAPI provider_create_QueryInterface(IVssProviderCreateSnapshotSet *iface, REFIID riid,
                                                     void **out)
{
    struct provider *provider = impl_from_IVssProviderCreateSnapshotSet(iface);
    return IVssSoftwareSnapshotProvider_QueryInterface(&provider->IVssSoftwareSnapshotProvider_iface, riid,
                                                       out);
}

static ULONG WINAPI provider_create_AddRef(IVssProviderCreateSnapshotSet *iface)
{
    struct provider *provider = impl_from_IVssProviderCreateSnapshotSet(iface);
    return IVssSoftwareSnapshotProvider_AddRef(&provider->IVssSoftwareSnapshotProvider_iface);
}

static ULONG WINAPI provider_create_Release(IVssProviderCreateSnapshotSet *iface)
{
    struct provider *provider = impl_from_IVssProviderCreateSnapshotSet(iface);
    return IVssSoftwareSnapshotProvider_Release(&provider->IVssSoftwareSnapshotProvider_iface);
}

static void set_state(struct provider *provider, VSS_SNAPSHOT_STATE state)
{
    AcquireSRWLockExclusive(&provider->lock);
    provider->state = state;
    ReleaseSRWLockExclusive(&provider->lock);
}

static HRESULT WINAPI provider_create_EndPrepareSnapshots(IVssProviderCreateSnapshotSet *iface, VSS_ID set_id)
{
    struct provider *provider = impl_from_IVssProviderCreateSnapshotSet(iface);

    TRACE("%p, %s.", provider, debugstr_guid(&set_id));
    set_state(provider, VSS_SS_PREPARED);
    return S_OK;
}

static HRESULT WINAPI provider_create_PreCommitSnapshots(IVssProviderCreateSnapshotSet *iface, VSS_ID set_id)
{
    struct provider *provider = impl_from_IVssProviderCreateSnapshotSet(iface);

    TRACE("%p, %s.", provider, debugstr_guid(&set_id));
    set_state(provider, VSS_SS_PRECOMMITTED);
    return S_OK;
}

/* VSS calls this while it holds writes on the volumes: the moment the system is consistent.
 * Tell the requester ("frozen"), hold until it says "thaw", or give up after the hold limit and
 * say "timeout".  Always S_OK: a failure here makes VSS log event 12293 and gains nothing
 * (qga-reference.md §5, 2.10).  One bounded wait, no polling. */
static HRESULT WINAPI provider_create_CommitSnapshots(IVssProviderCreateSnapshotSet *iface, VSS_ID set_id)
{
    struct provider *provider = impl_from_IVssProviderCreateSnapshotSet(iface);
    HANDLE frozen = NULL, thaw = NULL, timeout = NULL;
    FILETIME now;
    DWORD limit_ms = hold_ms(), wait;

    TRACE("%p, %s.", provider, debugstr_guid(&set_id));
    GetSystemTimeAsFileTime(&now);
    AcquireSRWLockExclusive(&provider->lock);
    provider->commit_time = ((VSS_TIMESTAMP)now.dwHighDateTime << 32) | now.dwLowDateTime;
    provider->state = VSS_SS_COMMITTED;
    ReleaseSRWLockExclusive(&provider->lock);

    frozen = open_event(QGA_EVENT_FROZEN_W, EVENT_MODIFY_STATE);
    thaw = open_event(QGA_EVENT_THAW_W, SYNCHRONIZE);
    timeout = open_event(QGA_EVENT_TIMEOUT_W, EVENT_MODIFY_STATE);
    if (!frozen || !thaw || !timeout)
    {
        /* The requester went away between IsVolumeSupported and now: nothing to hold for. */
        WARN("requester events missing (frozen %p, thaw %p, timeout %p): not holding.", frozen, thaw,
             timeout);
        goto out;
    }

    if (!SetEvent(frozen))
    {
        ERR("SetEvent(frozen) failed, error %lu: not holding.", GetLastError());
        goto out;
    }
    wait = WaitForSingleObject(thaw, limit_ms);
    if (wait == WAIT_OBJECT_0)
        TRACE("thawed.");
    else
    {
        WARN("no thaw within %lu ms (wait %#lx, error %lu): releasing the hold.", limit_ms, wait,
             wait == WAIT_FAILED ? GetLastError() : 0);
        if (!SetEvent(timeout)) ERR("SetEvent(timeout) failed, error %lu.", GetLastError());
    }
out:
    if (frozen) CloseHandle(frozen);
    if (thaw) CloseHandle(thaw);
    if (timeout) CloseHandle(timeout);
    return S_OK;
}

static HRESULT WINAPI provider_create_PostCommitSnapshots(IVssProviderCreateSnapshotSet *iface, VSS_ID set_id,
                                                          LONG snapshot_count)
{
    struct provider *provider = impl_from_IVssProviderCreateSnapshotSet(iface);

    TRACE("%p, %s, %ld.", provider, debugstr_guid(&set_id), (long)snapshot_count);
    set_state(provider, VSS_SS_CREATED);
    return S_OK;
}

static HRESULT WINAPI provider_create_PreFinalCommitSnapshots(IVssProviderCreateSnapshotSet *iface,
                                                              VSS_ID set_id)
{
    TRACE("%p, %s.", iface, debugstr_guid(&set_id));
    return S_OK;
}

static HRESULT WINAPI provider_create_PostFinalCommitSnapshots(IVssProviderCreateSnapshotSet *iface,
                                                               VSS_ID set_id)
{
    TRACE("%p, %s.", iface, debugstr_guid(&set_id));
    return S_OK;
}

static HRESULT WINAPI provider_create_AbortSnapshots(IVssProviderCreateSnapshotSet *iface, VSS_ID set_id)
{
    struct provider *provider = impl_from_IVssProviderCreateSnapshotSet(iface);

    TRACE("%p, %s.", provider, debugstr_guid(&set_id));
    AcquireSRWLockExclusive(&provider->lock);
    snapshots_clear(provider);
    provider->state = VSS_SS_ABORTED;
    ReleaseSRWLockExclusive(&provider->lock);
    return S_OK;
}

static const IVssProviderCreateSnapshotSetVtbl provider_create_vtbl =
{
    provider_create_QueryInterface,
    provider_create_AddRef,
    provider_create_Release,
    provider_create_EndPrepareSnapshots,
    provider_create_PreCommitSnapshots,
    provider_create_CommitSnapshots,
    provider_create_PostCommitSnapshots,
    provider_create_PreFinalCommitSnapshots,
    provider_create_PostFinalCommitSnapshots,
    provider_create_AbortSnapshots,
};

/* ---- IVssProviderNotifications ---- */

static HRESULT WINAPI provider_notify_QueryInterface(IVssProviderNotifications *iface, REFIID riid,
                                                     void **out)
{
    struct provider *provider = impl_from_IVssProviderNotifications(iface);
    return IVssSoftwareSnapshotProvider_QueryInterface(&provider->IVssSoftwareSnapshotProvider_iface, riid,
                                                       out);
}

static ULONG WINAPI provider_notify_AddRef(IVssProviderNotifications *iface)
{
    struct provider *provider = impl_from_IVssProviderNotifications(iface);
    return IVssSoftwareSnapshotProvider_AddRef(&provider->IVssSoftwareSnapshotProvider_iface);
}

static ULONG WINAPI provider_notify_Release(IVssProviderNotifications *iface)
{
    struct provider *provider = impl_from_IVssProviderNotifications(iface);
    return IVssSoftwareSnapshotProvider_Release(&provider->IVssSoftwareSnapshotProvider_iface);
}

static HRESULT WINAPI provider_notify_OnLoad(IVssProviderNotifications *iface, IUnknown *callback)
{
    TRACE("%p, %p.", iface, callback);
    return S_OK;
}

static HRESULT WINAPI provider_notify_OnUnload(IVssProviderNotifications *iface, BOOL force)
{
    TRACE("%p, %d.", iface, force);
    return S_OK;
}

static const IVssProviderNotificationsVtbl provider_notify_vtbl =
{
    provider_notify_QueryInterface,
    provider_notify_AddRef,
    provider_notify_Release,
    provider_notify_OnLoad,
    provider_notify_OnUnload,
};

HRESULT provider_create(REFIID riid, void **out)
{
    struct provider *provider;
    HRESULT hr;

    TRACE("%s, %p.", debugstr_guid(riid), out);
    if (!out) return E_POINTER;
    *out = NULL;
    if (!(provider = calloc(1, sizeof(*provider)))) return E_OUTOFMEMORY;

    provider->IVssSoftwareSnapshotProvider_iface.lpVtbl = &provider_vtbl;
    provider->IVssProviderCreateSnapshotSet_iface.lpVtbl = &provider_create_vtbl;
    provider->IVssProviderNotifications_iface.lpVtbl = &provider_notify_vtbl;
    provider->refcount = 1;
    InitializeSRWLock(&provider->lock);
    provider->state = VSS_SS_UNKNOWN;
    com_server_object_created();

    /* The QueryInterface takes its own reference; the Release drops ours, so a failed
     * QueryInterface frees the object. */
    hr = IVssSoftwareSnapshotProvider_QueryInterface(&provider->IVssSoftwareSnapshotProvider_iface, riid,
                                                     out);
    IVssSoftwareSnapshotProvider_Release(&provider->IVssSoftwareSnapshotProvider_iface);
    return hr;
}
