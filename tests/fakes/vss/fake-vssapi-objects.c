/* SPDX-License-Identifier: GPL-2.0-or-later */
/* COM objects of the fake vssapi.dll (Wine style, style.md §3): IVssBackupComponents forwarding
 * to the fake service, IVssAsync, and the writer metadata (IVssExamineWriterMetadata,
 * IVssWMComponent) built from what the service reports.  Test-only. */
#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <vss.h>
#include <vswriter.h>
#include <vsbackup.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "fake-vssapi.h"

/* ---- IVssAsync ---- */

struct async
{
    IVssAsync IVssAsync_iface;
    LONG refcount;
    struct client *client;
    uint32_t id;
    HANDLE event;
    WCHAR call[40];
};

static inline struct async *impl_from_IVssAsync(IVssAsync *iface)
{
    return CONTAINING_RECORD(iface, struct async, IVssAsync_iface);
}

static HRESULT WINAPI async_QueryInterface(IVssAsync *iface, REFIID riid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IVssAsync))
    {
        *out = iface;
        IVssAsync_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI async_AddRef(IVssAsync *iface)
{
    return InterlockedIncrement(&impl_from_IVssAsync(iface)->refcount);
}

static ULONG WINAPI async_Release(IVssAsync *iface)
{
    struct async *async = impl_from_IVssAsync(iface);
    ULONG refcount = InterlockedDecrement(&async->refcount);

    if (!refcount)
    {
        if (async->event) CloseHandle(async->event);
        InterlockedDecrement(&async->client->live_objects);
        client_release(async->client);
        free(async);
    }
    return refcount;
}

static HRESULT WINAPI async_Cancel(IVssAsync *iface)
{
    struct async *async = impl_from_IVssAsync(iface);
    struct fake_vss_msg msg = { .op = OP_ASYNC_CANCEL };

    msg.u[0] = async->id;
    return client_call(async->client, &msg);
}

static HRESULT WINAPI async_Wait(IVssAsync *iface, DWORD timeout_ms)
{
    struct async *async = impl_from_IVssAsync(iface);
    HANDLE handles[2] = { async->event, async->client->service };
    WCHAR detail[64];
    DWORD ret;
    HRESULT hr;

    ret = WaitForMultipleObjects(2, handles, FALSE, timeout_ms);
    if (ret == WAIT_OBJECT_0) hr = S_OK;
    else if (ret == WAIT_TIMEOUT) hr = HRESULT_FROM_WIN32(ERROR_TIMEOUT);
    else hr = FAKE_VSS_E_GONE;
    _snwprintf(detail, ARRAYSIZE(detail), L"%ls %u %lu ms", async->call, (unsigned)async->id,
               (unsigned long)timeout_ms);
    detail[ARRAYSIZE(detail) - 1] = 0;
    client_trace(async->client, L"IVssAsync::Wait", hr, detail);
    return hr;
}

static HRESULT WINAPI async_QueryStatus(IVssAsync *iface, HRESULT *status, INT *reserved)
{
    struct async *async = impl_from_IVssAsync(iface);
    struct fake_vss_msg msg = { .op = OP_ASYNC_STATUS };
    HRESULT hr;

    if (!status) return E_INVALIDARG;
    if (reserved) *reserved = 0;
    msg.u[0] = async->id;
    hr = client_call(async->client, &msg);
    *status = SUCCEEDED(hr) ? (HRESULT)msg.u[0] : hr;
    return SUCCEEDED(hr) ? S_OK : hr;
}

static const IVssAsyncVtbl async_vtbl =
{
    async_QueryInterface,
    async_AddRef,
    async_Release,
    async_Cancel,
    async_Wait,
    async_QueryStatus,
};

static HRESULT async_create(struct client *client, uint32_t id, const WCHAR *call, IVssAsync **out)
{
    WCHAR name[96];
    struct async *async;

    *out = NULL;
    if (!(async = calloc(1, sizeof(*async)))) return E_OUTOFMEMORY;
    fake_vss_async_event_name(name, ARRAYSIZE(name), client->service_pid, id);
    if (!(async->event = OpenEventW(SYNCHRONIZE, FALSE, name)))
    {
        free(async);
        return FAKE_VSS_E_GONE;
    }
    async->IVssAsync_iface.lpVtbl = &async_vtbl;
    async->refcount = 1;
    async->client = client;
    async->id = id;
    lstrcpynW(async->call, call, ARRAYSIZE(async->call));
    client_addref(client);
    InterlockedIncrement(&client->live_objects);
    *out = &async->IVssAsync_iface;
    return S_OK;
}

/* ---- IVssWMComponent ---- */

struct component
{
    IVssWMComponent IVssWMComponent_iface;
    LONG refcount;
    struct client *client;
    VSS_COMPONENT_TYPE type;
    bool selectable;
    WCHAR logical_path[FAKE_VSS_STR];
    WCHAR name[FAKE_VSS_STR];
    WCHAR caption[FAKE_VSS_STR];
    LONG infos;                       /* GetComponentInfo results not yet freed */
};

static inline struct component *impl_from_IVssWMComponent(IVssWMComponent *iface)
{
    return CONTAINING_RECORD(iface, struct component, IVssWMComponent_iface);
}

static HRESULT WINAPI component_QueryInterface(IVssWMComponent *iface, REFIID riid, void **out)
{
    if (!out) return E_POINTER;
    /* IID_IVssWMComponent is all zeros in the SDK headers: it is not a registered interface. */
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IVssWMComponent))
    {
        *out = iface;
        IVssWMComponent_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI component_AddRef(IVssWMComponent *iface)
{
    return InterlockedIncrement(&impl_from_IVssWMComponent(iface)->refcount);
}

static ULONG WINAPI component_Release(IVssWMComponent *iface)
{
    struct component *component = impl_from_IVssWMComponent(iface);
    ULONG refcount = InterlockedDecrement(&component->refcount);

    if (!refcount)
    {
        if (component->infos) client_trace(component->client, L"IVssWMComponent::Release", E_UNEXPECTED,
                                           L"component info leaked (no FreeComponentInfo)");
        InterlockedDecrement(&component->client->live_objects);
        client_release(component->client);
        free(component);
    }
    return refcount;
}

static HRESULT WINAPI component_GetComponentInfo(IVssWMComponent *iface, PVSSCOMPONENTINFO *out)
{
    struct component *component = impl_from_IVssWMComponent(iface);
    VSS_COMPONENTINFO *info;

    if (!out) return E_INVALIDARG;
    *out = NULL;
    if (!(info = CoTaskMemAlloc(sizeof(*info)))) return E_OUTOFMEMORY;
    memset(info, 0, sizeof(*info));
    info->type = component->type;
    info->bstrLogicalPath = SysAllocString(component->logical_path);
    info->bstrComponentName = SysAllocString(component->name);
    info->bstrCaption = SysAllocString(component->caption);
    info->bSelectable = component->selectable;
    InterlockedIncrement(&component->infos);
    client_trace(component->client, L"IVssWMComponent::GetComponentInfo", S_OK, component->name);
    *out = info;
    return S_OK;
}

static HRESULT WINAPI component_FreeComponentInfo(IVssWMComponent *iface, PVSSCOMPONENTINFO info)
{
    struct component *component = impl_from_IVssWMComponent(iface);
    VSS_COMPONENTINFO *mutable_info = (VSS_COMPONENTINFO *)info;

    if (!info) return S_OK;
    SysFreeString(mutable_info->bstrLogicalPath);
    SysFreeString(mutable_info->bstrComponentName);
    SysFreeString(mutable_info->bstrCaption);
    CoTaskMemFree(mutable_info);
    InterlockedDecrement(&component->infos);
    return S_OK;
}

static HRESULT WINAPI component_GetFile(IVssWMComponent *iface, UINT index, IVssWMFiledesc **out)
{
    (void)iface; (void)index;
    if (out) *out = NULL;
    return E_INVALIDARG;              /* our components list no files */
}

static HRESULT WINAPI component_GetDatabaseFile(IVssWMComponent *iface, UINT index, IVssWMFiledesc **out)
{
    (void)iface; (void)index;
    if (out) *out = NULL;
    return E_INVALIDARG;
}

static HRESULT WINAPI component_GetDatabaseLogFile(IVssWMComponent *iface, UINT index, IVssWMFiledesc **out)
{
    (void)iface; (void)index;
    if (out) *out = NULL;
    return E_INVALIDARG;
}

static HRESULT WINAPI component_GetDependency(IVssWMComponent *iface, UINT index, IVssWMDependency **out)
{
    (void)iface; (void)index;
    if (out) *out = NULL;
    return E_INVALIDARG;
}

static const IVssWMComponentVtbl component_vtbl =
{
    component_QueryInterface,
    component_AddRef,
    component_Release,
    component_GetComponentInfo,
    component_FreeComponentInfo,
    component_GetFile,
    component_GetDatabaseFile,
    component_GetDatabaseLogFile,
    component_GetDependency,
};

/* ---- IVssExamineWriterMetadata ---- */

struct metadata
{
    IVssExamineWriterMetadata IVssExamineWriterMetadata_iface;
    LONG refcount;
    struct client *client;
    uint32_t index;                   /* the writer's index for OP_GET_COMPONENT */
    GUID instance_id, class_id;
    WCHAR name[FAKE_VSS_STR];
    VSS_USAGE_TYPE usage;
    VSS_SOURCE_TYPE source;
    UINT components;
};

static inline struct metadata *impl_from_IVssExamineWriterMetadata(IVssExamineWriterMetadata *iface)
{
    return CONTAINING_RECORD(iface, struct metadata, IVssExamineWriterMetadata_iface);
}

static HRESULT WINAPI metadata_QueryInterface(IVssExamineWriterMetadata *iface, REFIID riid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IVssExamineWriterMetadata))
    {
        *out = iface;
        IVssExamineWriterMetadata_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI metadata_AddRef(IVssExamineWriterMetadata *iface)
{
    return InterlockedIncrement(&impl_from_IVssExamineWriterMetadata(iface)->refcount);
}

static ULONG WINAPI metadata_Release(IVssExamineWriterMetadata *iface)
{
    struct metadata *metadata = impl_from_IVssExamineWriterMetadata(iface);
    ULONG refcount = InterlockedDecrement(&metadata->refcount);

    if (!refcount)
    {
        InterlockedDecrement(&metadata->client->live_objects);
        client_release(metadata->client);
        free(metadata);
    }
    return refcount;
}

static HRESULT WINAPI metadata_GetIdentity(IVssExamineWriterMetadata *iface, VSS_ID *instance_id, VSS_ID *class_id,
                                           BSTR *name, VSS_USAGE_TYPE *usage, VSS_SOURCE_TYPE *source)
{
    struct metadata *metadata = impl_from_IVssExamineWriterMetadata(iface);

    if (!instance_id || !class_id || !name || !usage || !source) return E_INVALIDARG;
    *instance_id = metadata->instance_id;
    *class_id = metadata->class_id;
    *usage = metadata->usage;
    *source = metadata->source;
    if (!(*name = SysAllocString(metadata->name))) return E_OUTOFMEMORY;
    client_trace(metadata->client, L"IVssExamineWriterMetadata::GetIdentity", S_OK, metadata->name);
    return S_OK;
}

static HRESULT WINAPI metadata_GetFileCounts(IVssExamineWriterMetadata *iface, UINT *include_files,
                                             UINT *exclude_files, UINT *components)
{
    struct metadata *metadata = impl_from_IVssExamineWriterMetadata(iface);

    if (!include_files || !exclude_files || !components) return E_INVALIDARG;
    *include_files = *exclude_files = 0;
    *components = metadata->components;
    return S_OK;
}

static HRESULT WINAPI metadata_GetIncludeFile(IVssExamineWriterMetadata *iface, UINT index, IVssWMFiledesc **out)
{
    (void)iface; (void)index;
    if (out) *out = NULL;
    return E_INVALIDARG;
}

static HRESULT WINAPI metadata_GetExcludeFile(IVssExamineWriterMetadata *iface, UINT index, IVssWMFiledesc **out)
{
    (void)iface; (void)index;
    if (out) *out = NULL;
    return E_INVALIDARG;
}

static HRESULT WINAPI metadata_GetComponent(IVssExamineWriterMetadata *iface, UINT index, IVssWMComponent **out)
{
    struct metadata *metadata = impl_from_IVssExamineWriterMetadata(iface);
    struct fake_vss_msg msg = { .op = OP_GET_COMPONENT };
    struct component *component;
    HRESULT hr;

    if (!out) return E_INVALIDARG;
    *out = NULL;
    msg.u[0] = metadata->index;
    msg.u[1] = index;
    if (FAILED(hr = client_call(metadata->client, &msg))) return hr;
    if (!(component = calloc(1, sizeof(*component)))) return E_OUTOFMEMORY;
    component->IVssWMComponent_iface.lpVtbl = &component_vtbl;
    component->refcount = 1;
    component->client = metadata->client;
    component->type = (VSS_COMPONENT_TYPE)msg.u[0];
    component->selectable = msg.u[1];
    wcscpy(component->logical_path, msg.s[0]);
    wcscpy(component->name, msg.s[1]);
    wcscpy(component->caption, msg.s[2]);
    client_addref(component->client);
    InterlockedIncrement(&component->client->live_objects);
    *out = &component->IVssWMComponent_iface;
    return S_OK;
}

static HRESULT WINAPI metadata_GetRestoreMethod(IVssExamineWriterMetadata *iface, VSS_RESTOREMETHOD_ENUM *method,
                                                BSTR *service, BSTR *user_procedure, VSS_WRITERRESTORE_ENUM *restore,
                                                boolean *reboot, UINT *mappings)
{
    (void)iface; (void)method; (void)service; (void)user_procedure; (void)restore; (void)reboot; (void)mappings;
    return E_NOTIMPL;
}

static HRESULT WINAPI metadata_GetAlternateLocationMapping(IVssExamineWriterMetadata *iface, UINT index,
                                                           IVssWMFiledesc **out)
{
    (void)iface; (void)index;
    if (out) *out = NULL;
    return E_NOTIMPL;
}

static HRESULT WINAPI metadata_GetBackupSchema(IVssExamineWriterMetadata *iface, DWORD *schema)
{
    (void)iface;
    if (!schema) return E_INVALIDARG;
    *schema = 0;
    return S_OK;
}

static HRESULT WINAPI metadata_GetDocument(IVssExamineWriterMetadata *iface, IXMLDOMDocument **out)
{
    (void)iface;
    if (out) *out = NULL;
    return E_NOTIMPL;
}

static HRESULT WINAPI metadata_SaveAsXML(IVssExamineWriterMetadata *iface, BSTR *out)
{
    (void)iface;
    if (out) *out = NULL;
    return E_NOTIMPL;
}

static HRESULT WINAPI metadata_LoadFromXML(IVssExamineWriterMetadata *iface, BSTR xml)
{
    (void)iface; (void)xml;
    return E_NOTIMPL;
}

static const IVssExamineWriterMetadataVtbl metadata_vtbl =
{
    metadata_QueryInterface,
    metadata_AddRef,
    metadata_Release,
    metadata_GetIdentity,
    metadata_GetFileCounts,
    metadata_GetIncludeFile,
    metadata_GetExcludeFile,
    metadata_GetComponent,
    metadata_GetRestoreMethod,
    metadata_GetAlternateLocationMapping,
    metadata_GetBackupSchema,
    metadata_GetDocument,
    metadata_SaveAsXML,
    metadata_LoadFromXML,
};

/* ---- IVssBackupComponents ---- */

struct backup
{
    IVssBackupComponents IVssBackupComponents_iface;
    LONG refcount;
    struct client *client;
};

static inline struct backup *impl_from_IVssBackupComponents(IVssBackupComponents *iface)
{
    return CONTAINING_RECORD(iface, struct backup, IVssBackupComponents_iface);
}

static struct client *client_of(IVssBackupComponents *iface)
{
    return impl_from_IVssBackupComponents(iface)->client;
}

static HRESULT call_simple(IVssBackupComponents *iface, enum fake_vss_op op)
{
    struct fake_vss_msg msg = { .op = op };

    return client_call(client_of(iface), &msg);
}

static HRESULT call_async(IVssBackupComponents *iface, enum fake_vss_op op, const WCHAR *name, IVssAsync **out)
{
    struct fake_vss_msg msg = { .op = op };
    HRESULT hr;

    if (!out) return E_INVALIDARG;
    *out = NULL;
    if (FAILED(hr = client_call(client_of(iface), &msg))) return hr;
    return async_create(client_of(iface), msg.u[0], name, out);
}

static HRESULT unimplemented(IVssBackupComponents *iface, const WCHAR *method)
{
    struct fake_vss_msg msg = { .op = OP_UNIMPLEMENTED };

    lstrcpynW(msg.s[0], method, FAKE_VSS_STR);
    client_call(client_of(iface), &msg);
    return E_NOTIMPL;
}

static HRESULT WINAPI backup_QueryInterface(IVssBackupComponents *iface, REFIID riid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IVssBackupComponents))
    {
        *out = iface;
        IVssBackupComponents_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI backup_AddRef(IVssBackupComponents *iface)
{
    return InterlockedIncrement(&impl_from_IVssBackupComponents(iface)->refcount);
}

static ULONG WINAPI backup_Release(IVssBackupComponents *iface)
{
    struct backup *backup = impl_from_IVssBackupComponents(iface);
    ULONG refcount = InterlockedDecrement(&backup->refcount);

    if (!refcount)
    {
        struct fake_vss_msg msg = { .op = OP_CLOSE };

        msg.u[0] = (uint32_t)backup->client->live_objects;
        client_call(backup->client, &msg);
        client_release(backup->client);
        free(backup);
    }
    return refcount;
}

static HRESULT WINAPI backup_GetWriterComponentsCount(IVssBackupComponents *iface, UINT *count)
{
    (void)count;
    return unimplemented(iface, L"GetWriterComponentsCount");
}

static HRESULT WINAPI backup_GetWriterComponents(IVssBackupComponents *iface, UINT index,
                                                 IVssWriterComponentsExt **out)
{
    (void)index;
    if (out) *out = NULL;
    return unimplemented(iface, L"GetWriterComponents");
}

static HRESULT WINAPI backup_InitializeForBackup(IVssBackupComponents *iface, BSTR xml)
{
    struct fake_vss_msg msg = { .op = OP_INITIALIZE_FOR_BACKUP };

    msg.u[0] = xml != NULL;
    return client_call(client_of(iface), &msg);
}

static HRESULT WINAPI backup_SetBackupState(IVssBackupComponents *iface, boolean select_components, boolean bootable,
                                            VSS_BACKUP_TYPE type, boolean partial)
{
    struct fake_vss_msg msg = { .op = OP_SET_BACKUP_STATE };

    msg.u[0] = select_components;
    msg.u[1] = bootable;
    msg.u[2] = type;
    msg.u[3] = partial;
    return client_call(client_of(iface), &msg);
}

static HRESULT WINAPI backup_InitializeForRestore(IVssBackupComponents *iface, BSTR xml)
{
    (void)xml;
    return unimplemented(iface, L"InitializeForRestore");
}

static HRESULT WINAPI backup_SetRestoreState(IVssBackupComponents *iface, VSS_RESTORE_TYPE type)
{
    (void)type;
    return unimplemented(iface, L"SetRestoreState");
}

static HRESULT WINAPI backup_GatherWriterMetadata(IVssBackupComponents *iface, IVssAsync **out)
{
    return call_async(iface, OP_GATHER_WRITER_METADATA, L"GatherWriterMetadata", out);
}

static HRESULT WINAPI backup_GetWriterMetadataCount(IVssBackupComponents *iface, UINT *count)
{
    struct fake_vss_msg msg = { .op = OP_GET_WRITER_METADATA_COUNT };
    HRESULT hr;

    if (!count) return E_INVALIDARG;
    *count = 0;
    if (SUCCEEDED(hr = client_call(client_of(iface), &msg))) *count = msg.u[0];
    return hr;
}

static HRESULT WINAPI backup_GetWriterMetadata(IVssBackupComponents *iface, UINT index, VSS_ID *instance_id,
                                               IVssExamineWriterMetadata **out)
{
    struct fake_vss_msg msg = { .op = OP_GET_WRITER_METADATA };
    struct metadata *metadata;
    HRESULT hr;

    if (!instance_id || !out) return E_INVALIDARG;
    *out = NULL;
    msg.u[0] = index;
    if (FAILED(hr = client_call(client_of(iface), &msg))) return hr;
    if (!(metadata = calloc(1, sizeof(*metadata)))) return E_OUTOFMEMORY;
    metadata->IVssExamineWriterMetadata_iface.lpVtbl = &metadata_vtbl;
    metadata->refcount = 1;
    metadata->client = client_of(iface);
    metadata->index = index;
    metadata->instance_id = msg.g[0];
    metadata->class_id = msg.g[1];
    wcscpy(metadata->name, msg.s[0]);
    metadata->usage = (VSS_USAGE_TYPE)msg.u[0];
    metadata->source = (VSS_SOURCE_TYPE)msg.u[1];
    metadata->components = msg.u[2];
    client_addref(metadata->client);
    InterlockedIncrement(&metadata->client->live_objects);
    *instance_id = msg.g[0];
    *out = &metadata->IVssExamineWriterMetadata_iface;
    return S_OK;
}

static HRESULT WINAPI backup_FreeWriterMetadata(IVssBackupComponents *iface)
{
    return call_simple(iface, OP_FREE_WRITER_METADATA);
}

static HRESULT WINAPI backup_AddComponent(IVssBackupComponents *iface, VSS_ID instance_id, VSS_ID writer_id,
                                          VSS_COMPONENT_TYPE type, LPCWSTR logical_path, LPCWSTR name)
{
    struct fake_vss_msg msg = { .op = OP_ADD_COMPONENT };

    msg.g[0] = instance_id;
    msg.g[1] = writer_id;
    msg.u[0] = type;
    if (logical_path) lstrcpynW(msg.s[0], logical_path, FAKE_VSS_STR);
    if (name) lstrcpynW(msg.s[1], name, FAKE_VSS_STR);
    return client_call(client_of(iface), &msg);
}

static HRESULT WINAPI backup_PrepareForBackup(IVssBackupComponents *iface, IVssAsync **out)
{
    return call_async(iface, OP_PREPARE_FOR_BACKUP, L"PrepareForBackup", out);
}

static HRESULT WINAPI backup_AbortBackup(IVssBackupComponents *iface)
{
    return call_simple(iface, OP_ABORT_BACKUP);
}

static HRESULT WINAPI backup_GatherWriterStatus(IVssBackupComponents *iface, IVssAsync **out)
{
    return call_async(iface, OP_GATHER_WRITER_STATUS, L"GatherWriterStatus", out);
}

static HRESULT WINAPI backup_GetWriterStatusCount(IVssBackupComponents *iface, UINT *count)
{
    struct fake_vss_msg msg = { .op = OP_GET_WRITER_STATUS_COUNT };
    HRESULT hr;

    if (!count) return E_INVALIDARG;
    *count = 0;
    if (SUCCEEDED(hr = client_call(client_of(iface), &msg))) *count = msg.u[0];
    return hr;
}

static HRESULT WINAPI backup_FreeWriterStatus(IVssBackupComponents *iface)
{
    return call_simple(iface, OP_FREE_WRITER_STATUS);
}

static HRESULT WINAPI backup_GetWriterStatus(IVssBackupComponents *iface, UINT index, VSS_ID *instance_id,
                                             VSS_ID *writer_id, BSTR *name, VSS_WRITER_STATE *state, HRESULT *failure)
{
    struct fake_vss_msg msg = { .op = OP_GET_WRITER_STATUS };
    HRESULT hr;

    if (!instance_id || !writer_id || !name || !state || !failure) return E_INVALIDARG;
    *name = NULL;
    msg.u[0] = index;
    if (FAILED(hr = client_call(client_of(iface), &msg))) return hr;
    *instance_id = msg.g[0];
    *writer_id = msg.g[1];
    *state = (VSS_WRITER_STATE)msg.u[0];
    *failure = (HRESULT)msg.u[1];
    if (!(*name = SysAllocString(msg.s[0]))) return E_OUTOFMEMORY;
    return S_OK;
}

static HRESULT WINAPI backup_SetBackupSucceeded(IVssBackupComponents *iface, VSS_ID instance_id, VSS_ID writer_id,
                                                VSS_COMPONENT_TYPE type, LPCWSTR logical_path, LPCWSTR name,
                                                boolean succeeded)
{
    (void)instance_id; (void)writer_id; (void)type; (void)logical_path; (void)name; (void)succeeded;
    return unimplemented(iface, L"SetBackupSucceeded");
}

static HRESULT WINAPI backup_SetBackupOptions(IVssBackupComponents *iface, VSS_ID writer_id, VSS_COMPONENT_TYPE type,
                                              LPCWSTR logical_path, LPCWSTR name, LPCWSTR options)
{
    (void)writer_id; (void)type; (void)logical_path; (void)name; (void)options;
    return unimplemented(iface, L"SetBackupOptions");
}

static HRESULT WINAPI backup_SetSelectedForRestore(IVssBackupComponents *iface, VSS_ID writer_id,
                                                   VSS_COMPONENT_TYPE type, LPCWSTR logical_path, LPCWSTR name,
                                                   boolean selected)
{
    (void)writer_id; (void)type; (void)logical_path; (void)name; (void)selected;
    return unimplemented(iface, L"SetSelectedForRestore");
}

static HRESULT WINAPI backup_SetRestoreOptions(IVssBackupComponents *iface, VSS_ID writer_id, VSS_COMPONENT_TYPE type,
                                               LPCWSTR logical_path, LPCWSTR name, LPCWSTR options)
{
    (void)writer_id; (void)type; (void)logical_path; (void)name; (void)options;
    return unimplemented(iface, L"SetRestoreOptions");
}

static HRESULT WINAPI backup_SetAdditionalRestores(IVssBackupComponents *iface, VSS_ID writer_id,
                                                   VSS_COMPONENT_TYPE type, LPCWSTR logical_path, LPCWSTR name,
                                                   boolean additional)
{
    (void)writer_id; (void)type; (void)logical_path; (void)name; (void)additional;
    return unimplemented(iface, L"SetAdditionalRestores");
}

static HRESULT WINAPI backup_SetPreviousBackupStamp(IVssBackupComponents *iface, VSS_ID writer_id,
                                                    VSS_COMPONENT_TYPE type, LPCWSTR logical_path, LPCWSTR name,
                                                    LPCWSTR stamp)
{
    (void)writer_id; (void)type; (void)logical_path; (void)name; (void)stamp;
    return unimplemented(iface, L"SetPreviousBackupStamp");
}

static HRESULT WINAPI backup_SaveAsXML(IVssBackupComponents *iface, BSTR *xml)
{
    if (xml) *xml = NULL;
    return unimplemented(iface, L"SaveAsXML");
}

static HRESULT WINAPI backup_BackupComplete(IVssBackupComponents *iface, IVssAsync **out)
{
    return call_async(iface, OP_BACKUP_COMPLETE, L"BackupComplete", out);
}

static HRESULT WINAPI backup_AddAlternativeLocationMapping(IVssBackupComponents *iface, VSS_ID writer_id,
                                                           VSS_COMPONENT_TYPE type, LPCWSTR logical_path,
                                                           LPCWSTR name, LPCWSTR path, LPCWSTR filespec,
                                                           boolean recursive, LPCWSTR destination)
{
    (void)writer_id; (void)type; (void)logical_path; (void)name; (void)path; (void)filespec; (void)recursive;
    (void)destination;
    return unimplemented(iface, L"AddAlternativeLocationMapping");
}

static HRESULT WINAPI backup_AddRestoreSubcomponent(IVssBackupComponents *iface, VSS_ID writer_id,
                                                    VSS_COMPONENT_TYPE type, LPCWSTR logical_path, LPCWSTR name,
                                                    LPCWSTR sub_logical_path, LPCWSTR sub_name, boolean repair)
{
    (void)writer_id; (void)type; (void)logical_path; (void)name; (void)sub_logical_path; (void)sub_name;
    (void)repair;
    return unimplemented(iface, L"AddRestoreSubcomponent");
}

static HRESULT WINAPI backup_SetFileRestoreStatus(IVssBackupComponents *iface, VSS_ID writer_id,
                                                  VSS_COMPONENT_TYPE type, LPCWSTR logical_path, LPCWSTR name,
                                                  VSS_FILE_RESTORE_STATUS status)
{
    (void)writer_id; (void)type; (void)logical_path; (void)name; (void)status;
    return unimplemented(iface, L"SetFileRestoreStatus");
}

static HRESULT WINAPI backup_AddNewTarget(IVssBackupComponents *iface, VSS_ID writer_id, VSS_COMPONENT_TYPE type,
                                          LPCWSTR logical_path, LPCWSTR name, LPCWSTR path, LPCWSTR file_name,
                                          boolean recursive, LPCWSTR alternate_path)
{
    (void)writer_id; (void)type; (void)logical_path; (void)name; (void)path; (void)file_name; (void)recursive;
    (void)alternate_path;
    return unimplemented(iface, L"AddNewTarget");
}

static HRESULT WINAPI backup_SetRangesFilePath(IVssBackupComponents *iface, VSS_ID writer_id, VSS_COMPONENT_TYPE type,
                                               LPCWSTR logical_path, LPCWSTR name, UINT partial_file,
                                               LPCWSTR ranges_file)
{
    (void)writer_id; (void)type; (void)logical_path; (void)name; (void)partial_file; (void)ranges_file;
    return unimplemented(iface, L"SetRangesFilePath");
}

static HRESULT WINAPI backup_PreRestore(IVssBackupComponents *iface, IVssAsync **out)
{
    if (out) *out = NULL;
    return unimplemented(iface, L"PreRestore");
}

static HRESULT WINAPI backup_PostRestore(IVssBackupComponents *iface, IVssAsync **out)
{
    if (out) *out = NULL;
    return unimplemented(iface, L"PostRestore");
}

static HRESULT WINAPI backup_SetContext(IVssBackupComponents *iface, LONG context)
{
    struct fake_vss_msg msg = { .op = OP_SET_CONTEXT };

    msg.u[0] = (uint32_t)context;
    return client_call(client_of(iface), &msg);
}

static HRESULT WINAPI backup_StartSnapshotSet(IVssBackupComponents *iface, VSS_ID *set_id)
{
    struct fake_vss_msg msg = { .op = OP_START_SNAPSHOT_SET };
    HRESULT hr;

    if (!set_id) return E_INVALIDARG;
    if (SUCCEEDED(hr = client_call(client_of(iface), &msg))) *set_id = msg.g[0];
    return hr;
}

static HRESULT WINAPI backup_AddToSnapshotSet(IVssBackupComponents *iface, VSS_PWSZ volume, VSS_ID provider_id,
                                              VSS_ID *snapshot_id)
{
    struct fake_vss_msg msg = { .op = OP_ADD_TO_SNAPSHOT_SET };
    HRESULT hr;

    if (!volume || !snapshot_id) return E_INVALIDARG;
    if (wcslen(volume) >= FAKE_VSS_STR) return VSS_E_OBJECT_NOT_FOUND;
    wcscpy(msg.s[0], volume);
    msg.g[0] = provider_id;
    if (SUCCEEDED(hr = client_call(client_of(iface), &msg))) *snapshot_id = msg.g[0];
    return hr;
}

static HRESULT WINAPI backup_DoSnapshotSet(IVssBackupComponents *iface, IVssAsync **out)
{
    return call_async(iface, OP_DO_SNAPSHOT_SET, L"DoSnapshotSet", out);
}

static HRESULT WINAPI backup_DeleteSnapshots(IVssBackupComponents *iface, VSS_ID source_id, VSS_OBJECT_TYPE type,
                                             WINBOOL force, LONG *deleted, VSS_ID *nondeleted)
{
    (void)source_id; (void)type; (void)force; (void)deleted; (void)nondeleted;
    return unimplemented(iface, L"DeleteSnapshots");
}

static HRESULT WINAPI backup_ImportSnapshots(IVssBackupComponents *iface, IVssAsync **out)
{
    if (out) *out = NULL;
    return unimplemented(iface, L"ImportSnapshots");
}

static HRESULT WINAPI backup_BreakSnapshotSet(IVssBackupComponents *iface, VSS_ID set_id)
{
    (void)set_id;
    return unimplemented(iface, L"BreakSnapshotSet");
}

static WCHAR *task_strdup(const WCHAR *text)
{
    size_t size = (wcslen(text) + 1) * sizeof(WCHAR);
    WCHAR *copy = CoTaskMemAlloc(size);

    if (copy) memcpy(copy, text, size);
    return copy;
}

static HRESULT WINAPI backup_GetSnapshotProperties(IVssBackupComponents *iface, VSS_ID snapshot_id,
                                                   VSS_SNAPSHOT_PROP *prop)
{
    struct fake_vss_msg msg = { .op = OP_GET_SNAPSHOT_PROPERTIES };
    HRESULT hr;

    if (!prop) return E_INVALIDARG;
    memset(prop, 0, sizeof(*prop));
    msg.g[0] = snapshot_id;
    if (FAILED(hr = client_call(client_of(iface), &msg))) return hr;
    prop->m_SnapshotId = snapshot_id;
    prop->m_SnapshotSetId = msg.g[0];
    prop->m_lSnapshotsCount = (LONG)msg.u[0];
    prop->m_lSnapshotAttributes = (LONG)msg.u[1];
    prop->m_pwszOriginalVolumeName = task_strdup(msg.s[0]);
    prop->m_pwszSnapshotDeviceObject = task_strdup(msg.s[1]);
    prop->m_eStatus = VSS_SS_CREATED;
    if (!prop->m_pwszOriginalVolumeName || !prop->m_pwszSnapshotDeviceObject)
    {
        VssFreeSnapshotPropertiesInternal(prop);
        return E_OUTOFMEMORY;
    }
    return S_OK;
}

static HRESULT WINAPI backup_Query(IVssBackupComponents *iface, VSS_ID queried_id, VSS_OBJECT_TYPE queried_type,
                                   VSS_OBJECT_TYPE returned_type, IVssEnumObject **out)
{
    (void)queried_id; (void)queried_type; (void)returned_type;
    if (out) *out = NULL;
    return unimplemented(iface, L"Query");
}

static HRESULT WINAPI backup_IsVolumeSupported(IVssBackupComponents *iface, VSS_ID provider_id, VSS_PWSZ volume,
                                               WINBOOL *supported)
{
    (void)provider_id; (void)volume;
    if (supported) *supported = FALSE;
    return unimplemented(iface, L"IsVolumeSupported");
}

static HRESULT WINAPI backup_DisableWriterClasses(IVssBackupComponents *iface, const VSS_ID *class_ids, UINT count)
{
    (void)class_ids; (void)count;
    return unimplemented(iface, L"DisableWriterClasses");
}

static HRESULT WINAPI backup_EnableWriterClasses(IVssBackupComponents *iface, const VSS_ID *class_ids, UINT count)
{
    (void)class_ids; (void)count;
    return unimplemented(iface, L"EnableWriterClasses");
}

static HRESULT WINAPI backup_DisableWriterInstances(IVssBackupComponents *iface, const VSS_ID *instance_ids,
                                                    UINT count)
{
    (void)instance_ids; (void)count;
    return unimplemented(iface, L"DisableWriterInstances");
}

static HRESULT WINAPI backup_ExposeSnapshot(IVssBackupComponents *iface, VSS_ID snapshot_id, VSS_PWSZ path_from_root,
                                            LONG attributes, VSS_PWSZ expose, VSS_PWSZ *exposed)
{
    (void)snapshot_id; (void)path_from_root; (void)attributes; (void)expose;
    if (exposed) *exposed = NULL;
    return unimplemented(iface, L"ExposeSnapshot");
}

static HRESULT WINAPI backup_RevertToSnapshot(IVssBackupComponents *iface, VSS_ID snapshot_id, WINBOOL force)
{
    (void)snapshot_id; (void)force;
    return unimplemented(iface, L"RevertToSnapshot");
}

static HRESULT WINAPI backup_QueryRevertStatus(IVssBackupComponents *iface, VSS_PWSZ volume, IVssAsync **out)
{
    (void)volume;
    if (out) *out = NULL;
    return unimplemented(iface, L"QueryRevertStatus");
}

static const IVssBackupComponentsVtbl backup_vtbl =
{
    backup_QueryInterface,
    backup_AddRef,
    backup_Release,
    backup_GetWriterComponentsCount,
    backup_GetWriterComponents,
    backup_InitializeForBackup,
    backup_SetBackupState,
    backup_InitializeForRestore,
    backup_SetRestoreState,
    backup_GatherWriterMetadata,
    backup_GetWriterMetadataCount,
    backup_GetWriterMetadata,
    backup_FreeWriterMetadata,
    backup_AddComponent,
    backup_PrepareForBackup,
    backup_AbortBackup,
    backup_GatherWriterStatus,
    backup_GetWriterStatusCount,
    backup_FreeWriterStatus,
    backup_GetWriterStatus,
    backup_SetBackupSucceeded,
    backup_SetBackupOptions,
    backup_SetSelectedForRestore,
    backup_SetRestoreOptions,
    backup_SetAdditionalRestores,
    backup_SetPreviousBackupStamp,
    backup_SaveAsXML,
    backup_BackupComplete,
    backup_AddAlternativeLocationMapping,
    backup_AddRestoreSubcomponent,
    backup_SetFileRestoreStatus,
    backup_AddNewTarget,
    backup_SetRangesFilePath,
    backup_PreRestore,
    backup_PostRestore,
    backup_SetContext,
    backup_StartSnapshotSet,
    backup_AddToSnapshotSet,
    backup_DoSnapshotSet,
    backup_DeleteSnapshots,
    backup_ImportSnapshots,
    backup_BreakSnapshotSet,
    backup_GetSnapshotProperties,
    backup_Query,
    backup_IsVolumeSupported,
    backup_DisableWriterClasses,
    backup_EnableWriterClasses,
    backup_DisableWriterInstances,
    backup_ExposeSnapshot,
    backup_RevertToSnapshot,
    backup_QueryRevertStatus,
};

HRESULT backup_create(struct client *client, IVssBackupComponents **out)
{
    struct backup *backup;

    *out = NULL;
    if (!(backup = calloc(1, sizeof(*backup)))) return E_OUTOFMEMORY;
    backup->IVssBackupComponents_iface.lpVtbl = &backup_vtbl;
    backup->refcount = 1;
    backup->client = client;
    client_addref(client);
    *out = &backup->IVssBackupComponents_iface;
    return S_OK;
}
