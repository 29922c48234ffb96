/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test double of the VSS coordinator's IVssAdmin (provider registration), kept in the registry
 * (fake.h).  Contract: a provider id is registered at most once (VSS_E_PROVIDER_ALREADY_REGISTERED),
 * unregistering an unknown id fails with VSS_E_PROVIDER_NOT_REGISTERED, only software, hardware
 * and file-share providers can be registered, and a provider's class must already be installed in
 * a COM+ application (VSS activates providers through COM+). */
#include <stdio.h>
#include <stdlib.h>

#include "fake.h"

struct vss_admin
{
    IVssAdmin IVssAdmin_iface;
    LONG refcount;
};

static inline struct vss_admin *impl_from_IVssAdmin(IVssAdmin *iface)
{
    return CONTAINING_RECORD(iface, struct vss_admin, IVssAdmin_iface);
}

static HRESULT finish(const char *call, struct json *args, HRESULT hr)
{
    if (args) json_end(args, '}');
    fake_trace("vss_admin", call, args, hr);
    if (args) json_free(args);
    return hr;
}

static HRESULT WINAPI vss_admin_QueryInterface(IVssAdmin *iface, REFIID riid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IVssAdmin))
    {
        *out = iface;
        IVssAdmin_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI vss_admin_AddRef(IVssAdmin *iface)
{
    struct vss_admin *admin = impl_from_IVssAdmin(iface);
    return InterlockedIncrement(&admin->refcount);
}

static ULONG WINAPI vss_admin_Release(IVssAdmin *iface)
{
    struct vss_admin *admin = impl_from_IVssAdmin(iface);
    ULONG refcount = InterlockedDecrement(&admin->refcount);

    if (!refcount)
    {
        free(admin);
        com_server_object_destroyed();
    }
    return refcount;
}

static HRESULT WINAPI vss_admin_RegisterProvider(IVssAdmin *iface, VSS_ID provider_id, CLSID class_id,
                                                 VSS_PWSZ name, VSS_PROVIDER_TYPE type, VSS_PWSZ version,
                                                 VSS_ID version_id)
{
    WCHAR path[256], id_text[40], app_id[40];
    struct json args;
    HRESULT hr;

    (void)iface;
    json_init(&args);
    json_begin(&args, '{');
    json_key(&args, "provider_id");
    json_guid(&args, &provider_id);
    json_key(&args, "class_id");
    json_guid(&args, &class_id);
    json_key(&args, "name");
    json_string(&args, name);
    json_key(&args, "type");
    json_int(&args, type);
    json_key(&args, "version");
    json_string(&args, version);
    json_key(&args, "version_id");
    json_guid(&args, &version_id);
    if ((hr = fake_fault("RegisterProvider"))) return finish("RegisterProvider", &args, hr);
    if (IsEqualGUID(&provider_id, &GUID_NULL) || IsEqualGUID(&class_id, &GUID_NULL)
        || !name || !*name || !version || !*version
        || (type != VSS_PROV_SOFTWARE && type != VSS_PROV_HARDWARE && type != VSS_PROV_FILESHARE))
        return finish("RegisterProvider", &args, E_INVALIDARG);
    guid_to_string(&provider_id, id_text);
    _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", FAKE_PROVIDERS_W, id_text);
    if (store_key_exists(path)) return finish("RegisterProvider", &args, VSS_E_PROVIDER_ALREADY_REGISTERED);
    if (!store_component_app(&class_id, app_id))
    {
        fake_note("vss_admin", "RegisterProvider",
                  "the provider's class is not installed in a COM+ application");
        return finish("RegisterProvider", &args, E_INVALIDARG);
    }
    guid_to_string(&class_id, id_text);
    if (!(hr = HRESULT_FROM_WIN32(store_set_string(path, L"Name", name)))
        && !(hr = HRESULT_FROM_WIN32(store_set_string(path, L"Class", id_text)))
        && !(hr = HRESULT_FROM_WIN32(store_set_dword(path, L"Type", type)))
        && !(hr = HRESULT_FROM_WIN32(store_set_string(path, L"Version", version))))
    {
        guid_to_string(&version_id, id_text);
        hr = HRESULT_FROM_WIN32(store_set_string(path, L"VersionId", id_text));
    }
    return finish("RegisterProvider", &args, hr);
}

static HRESULT WINAPI vss_admin_UnregisterProvider(IVssAdmin *iface, VSS_ID provider_id)
{
    WCHAR path[256], id_text[40];
    struct json args;
    HRESULT hr;

    (void)iface;
    json_init(&args);
    json_begin(&args, '{');
    json_key(&args, "provider_id");
    json_guid(&args, &provider_id);
    if ((hr = fake_fault("UnregisterProvider"))) return finish("UnregisterProvider", &args, hr);
    guid_to_string(&provider_id, id_text);
    _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", FAKE_PROVIDERS_W, id_text);
    if (!store_key_exists(path)) return finish("UnregisterProvider", &args, VSS_E_PROVIDER_NOT_REGISTERED);
    hr = HRESULT_FROM_WIN32(store_delete_tree(path));
    return finish("UnregisterProvider", &args, hr);
}

static HRESULT WINAPI vss_admin_QueryProviders(IVssAdmin *iface, IVssEnumObject **out)
{
    (void)iface;
    if (out) *out = NULL;
    fake_note("vss_admin", "QueryProviders", "not implemented by the double");
    return E_NOTIMPL;
}

static HRESULT WINAPI vss_admin_AbortAllSnapshotsInProgress(IVssAdmin *iface)
{
    (void)iface;
    fake_note("vss_admin", "AbortAllSnapshotsInProgress", "not implemented by the double");
    return E_NOTIMPL;
}

static const IVssAdminVtbl vss_admin_vtbl =
{
    vss_admin_QueryInterface,
    vss_admin_AddRef,
    vss_admin_Release,
    vss_admin_RegisterProvider,
    vss_admin_UnregisterProvider,
    vss_admin_QueryProviders,
    vss_admin_AbortAllSnapshotsInProgress,
};

HRESULT fake_vss_admin_create(REFIID riid, void **out)
{
    struct vss_admin *admin;
    HRESULT hr;

    *out = NULL;
    if ((hr = fake_fault("CreateInstance.VSSCoordinator")))
        return finish("CreateInstance.VSSCoordinator", NULL, hr);
    if (!(admin = calloc(1, sizeof(*admin)))) return E_OUTOFMEMORY;
    admin->IVssAdmin_iface.lpVtbl = &vss_admin_vtbl;
    admin->refcount = 1;
    com_server_object_created();
    hr = IVssAdmin_QueryInterface(&admin->IVssAdmin_iface, riid, out);
    IVssAdmin_Release(&admin->IVssAdmin_iface);
    return finish("CreateInstance.VSSCoordinator", NULL, hr);
}
