/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test double of the COM+ catalog, ICOMAdminCatalog2 (fake.h; collections in collection.c).
 * Contract enforced: string arguments are BSTRs; CreateServiceForApplication,
 * DeleteServiceForApplication and InstallComponent need an existing application (by ID or by
 * unambiguous name); a service takes valid start and error-control tokens, LocalSystem takes no
 * password, an application gets one service; InstallComponent loads the DLL, calls its
 * DllRegisterServer and DllGetClassObject for every class of the type library and refuses a class
 * another application already has. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

struct catalog
{
    ICOMAdminCatalog2 ICOMAdminCatalog2_iface;
    LONG refcount;
};

static inline struct catalog *impl_from_ICOMAdminCatalog2(ICOMAdminCatalog2 *iface)
{
    return CONTAINING_RECORD(iface, struct catalog, ICOMAdminCatalog2_iface);
}

/* ---- ICOMAdminCatalog2 ---- */

static HRESULT WINAPI catalog_QueryInterface(ICOMAdminCatalog2 *iface, REFIID riid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch)
        || IsEqualIID(riid, &IID_ICOMAdminCatalog) || IsEqualIID(riid, &IID_ICOMAdminCatalog2))
    {
        *out = iface;
        ICOMAdminCatalog2_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI catalog_AddRef(ICOMAdminCatalog2 *iface)
{
    struct catalog *catalog = impl_from_ICOMAdminCatalog2(iface);
    return InterlockedIncrement(&catalog->refcount);
}

static ULONG WINAPI catalog_Release(ICOMAdminCatalog2 *iface)
{
    struct catalog *catalog = impl_from_ICOMAdminCatalog2(iface);
    ULONG refcount = InterlockedDecrement(&catalog->refcount);

    if (!refcount)
    {
        free(catalog);
        com_server_object_destroyed();
    }
    return refcount;
}

static HRESULT WINAPI catalog_GetTypeInfoCount(ICOMAdminCatalog2 *iface, UINT *count)
{
    (void)iface;
    if (count) *count = 0;
    return E_NOTIMPL;
}

static HRESULT WINAPI catalog_GetTypeInfo(ICOMAdminCatalog2 *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    (void)iface; (void)index; (void)lcid;
    if (info) *info = NULL;
    return E_NOTIMPL;
}

static HRESULT WINAPI catalog_GetIDsOfNames(ICOMAdminCatalog2 *iface, REFIID riid, LPOLESTR *names,
                                            UINT count,
                                            LCID lcid, DISPID *ids)
{
    (void)iface; (void)riid; (void)names; (void)count; (void)lcid; (void)ids;
    return E_NOTIMPL;
}

static HRESULT WINAPI catalog_Invoke(ICOMAdminCatalog2 *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                     DISPPARAMS *params, VARIANT *result, EXCEPINFO *info, UINT *arg_err)
{
    (void)iface; (void)id; (void)riid; (void)lcid; (void)flags;
    (void)params; (void)result; (void)info; (void)arg_err;
    return E_NOTIMPL;
}

static HRESULT WINAPI catalog_GetCollection(ICOMAdminCatalog2 *iface, BSTR name, IDispatch **out)
{
    struct json args;
    HRESULT hr;

    (void)iface;
    json_init(&args);
    json_begin(&args, '{');
    json_key(&args, "name");
    json_string(&args, name);
    if (!out) return fake_finish("catalog", "GetCollection", &args, E_POINTER);
    *out = NULL;
    if (!is_bstr(name)) return fake_finish("catalog", "GetCollection", &args, E_INVALIDARG);
    if ((hr = fake_fault("GetCollection"))) return fake_finish("catalog", "GetCollection", &args, hr);
    if (!name || wcscmp(name, L"Applications"))
    {
        fake_note("catalog", "GetCollection", "the double has no top-level collection %ls", name);
        return fake_finish("catalog", "GetCollection", &args, E_NOTIMPL);
    }
    hr = collection_create(FAKE_APPLICATIONS, FAKE_APPS_W, NULL, (ICatalogCollection **)out);
    return fake_finish("catalog", "GetCollection", &args, hr);
}

#define NOT_IMPLEMENTED(name) do { fake_note("catalog", name, "not implemented by the double"); \
    return E_NOTIMPL; } while (0)

static HRESULT WINAPI catalog_Connect(ICOMAdminCatalog2 *iface, BSTR server, IDispatch **out)
{
    (void)iface; (void)server;
    if (out) *out = NULL;
    NOT_IMPLEMENTED("Connect");
}

static HRESULT WINAPI catalog_get_MajorVersion(ICOMAdminCatalog2 *iface, LONG *version)
{
    (void)iface;
    if (!version) return E_POINTER;
    *version = 1;
    return S_OK;
}

static HRESULT WINAPI catalog_get_MinorVersion(ICOMAdminCatalog2 *iface, LONG *version)
{
    (void)iface;
    if (!version) return E_POINTER;
    *version = 10;
    return S_OK;
}

static HRESULT WINAPI catalog_GetCollectionByQuery(ICOMAdminCatalog2 *iface, BSTR name, SAFEARRAY **query,
                                                   IDispatch **out)
{
    (void)iface; (void)name; (void)query;
    if (out) *out = NULL;
    NOT_IMPLEMENTED("GetCollectionByQuery");
}

static HRESULT WINAPI catalog_ImportComponent(ICOMAdminCatalog2 *iface, BSTR app, BSTR clsid)
{
    (void)iface; (void)app; (void)clsid;
    NOT_IMPLEMENTED("ImportComponent");
}

/* The classes (coclasses) a type library describes. */
static HRESULT typelib_classes(const WCHAR *path, GUID *classes, size_t max, size_t *count)
{
    ITypeLib *typelib;
    UINT i, infos;
    HRESULT hr;

    *count = 0;
    if (FAILED(hr = LoadTypeLibEx(path, REGKIND_NONE, &typelib))) return hr;
    infos = ITypeLib_GetTypeInfoCount(typelib);
    for (i = 0; i < infos && *count < max; i++)
    {
        ITypeInfo *info;
        TYPEATTR *attr;

        if (FAILED(ITypeLib_GetTypeInfo(typelib, i, &info))) continue;
        if (SUCCEEDED(ITypeInfo_GetTypeAttr(info, &attr)))
        {
            if (attr->typekind == TKIND_COCLASS) classes[(*count)++] = attr->guid;
            ITypeInfo_ReleaseTypeAttr(info, attr);
        }
        ITypeInfo_Release(info);
    }
    ITypeLib_Release(typelib);
    return S_OK;
}

static HRESULT install_component(const WCHAR *app_id, const WCHAR *dll, const WCHAR *tlb)
{
    HRESULT (WINAPI *register_server)(void);
    HRESULT (WINAPI *get_class_object)(REFCLSID, REFIID, void **);
    WCHAR path[768], owner[40], clsid_text[40], key[64];
    GUID classes[8];
    size_t count, i;
    HMODULE module = NULL;
    HRESULT hr;
    HKEY inproc;

    if (GetFileAttributesW(dll) == INVALID_FILE_ATTRIBUTES)
    {
        fake_note("catalog", "InstallComponent", "%ls does not exist", dll);
        return COMADMIN_E_COMPFILE_DOESNOTEXIST;
    }
    /* Without a separate type library COM+ reads one embedded in the DLL. */
    if (FAILED(typelib_classes(tlb && *tlb ? tlb : dll, classes, ARRAYSIZE(classes), &count)))
    {
        fake_note("catalog", "InstallComponent", "no usable type library in '%ls'", tlb && *tlb ? tlb : dll);
        return COMADMIN_E_COMPFILE_BADTLB;
    }
    if (!count) return COMADMIN_E_COMPFILE_NOTINSTALLABLE;
    for (i = 0; i < count; i++)
    {
        if (store_component_app(&classes[i], owner))
        {
            guid_to_string(&classes[i], clsid_text);
            fake_note("catalog", "InstallComponent", "class %ls is already installed in application %ls",
                      clsid_text,
                      owner);
            return COMADMIN_E_ALREADYINSTALLED;
        }
    }
    if (!(module = LoadLibraryW(dll))) return COMADMIN_E_COMPFILE_LOADDLLFAIL;
    register_server = (void *)GetProcAddress(module, "DllRegisterServer");
    get_class_object = (void *)GetProcAddress(module, "DllGetClassObject");
    if (!register_server || !get_class_object)
    {
        hr = COMADMIN_E_COMPFILE_NOREGISTRAR;
        goto out;
    }
    /* COM+ lets the DLL register itself, then takes the classes over. */
    hr = register_server();
    fake_trace("catalog", "InstallComponent.DllRegisterServer", NULL, hr);
    if (FAILED(hr))
    {
        hr = COMADMIN_E_DLLREGISTERSERVER;
        goto out;
    }
    for (i = 0; i < count; i++)
    {
        IClassFactory *factory;

        guid_to_string(&classes[i], clsid_text);
        _snwprintf(key, ARRAYSIZE(key), L"CLSID\\%ls\\InprocServer32", clsid_text);
        if (RegOpenKeyExW(HKEY_CLASSES_ROOT, key, 0, KEY_READ, &inproc))
        {
            fake_note("catalog", "InstallComponent", "DllRegisterServer did not register class %ls",
                      clsid_text);
            hr = COMADMIN_E_NOREGISTRYCLSID;
            goto out;
        }
        RegCloseKey(inproc);
        if (FAILED(hr = get_class_object(&classes[i], &IID_IClassFactory, (void **)&factory)))
        {
            fake_note("catalog", "InstallComponent", "DllGetClassObject(%ls) failed: %#lx", clsid_text,
                      (unsigned long)hr);
            hr = COMADMIN_E_COMPFILE_CLASSNOTAVAIL;
            goto out;
        }
        IClassFactory_Release(factory);
    }
    for (i = 0; i < count && SUCCEEDED(hr); i++)
    {
        guid_to_string(&classes[i], clsid_text);
        _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls\\Components\\%ls", FAKE_APPS_W, app_id, clsid_text);
        hr = HRESULT_FROM_WIN32(store_set_string(path, L"DLL", dll));
        if (SUCCEEDED(hr)) hr = HRESULT_FROM_WIN32(store_set_string(path, L"TypeLib", tlb ? tlb : L""));
    }
out:
    if (module) FreeLibrary(module);
    return hr;
}

static HRESULT WINAPI catalog_InstallComponent(ICOMAdminCatalog2 *iface, BSTR app, BSTR dll, BSTR tlb,
                                               BSTR proxy)
{
    WCHAR app_id[40];
    struct json args;
    HRESULT hr;

    (void)iface;
    json_init(&args);
    json_begin(&args, '{');
    json_key(&args, "app");
    json_string(&args, app);
    json_key(&args, "dll");
    json_string(&args, dll);
    json_key(&args, "tlb");
    json_string(&args, tlb);
    json_key(&args, "proxy");
    json_string(&args, proxy);
    if (!is_bstr(app) || !is_bstr(dll) || !is_bstr(tlb) || !is_bstr(proxy) || !app || !dll)
        return fake_finish("catalog", "InstallComponent", &args, E_INVALIDARG);
    if ((hr = fake_fault("InstallComponent"))) return fake_finish("catalog", "InstallComponent", &args, hr);
    if (FAILED(hr = store_find_app(app, app_id)))
    {
        fake_note("catalog", "InstallComponent", "no application '%ls'", app);
        return fake_finish("catalog", "InstallComponent", &args, hr);
    }
    if (proxy && *proxy && GetFileAttributesW(proxy) == INVALID_FILE_ATTRIBUTES)
        return fake_finish("catalog", "InstallComponent", &args, COMADMIN_E_COMPFILE_DOESNOTEXIST);
    hr = install_component(app_id, dll, tlb);
    return fake_finish("catalog", "InstallComponent", &args, hr);
}

static HRESULT WINAPI catalog_ShutdownApplication(ICOMAdminCatalog2 *iface, BSTR app)
{
    (void)iface; (void)app;
    NOT_IMPLEMENTED("ShutdownApplication");
}

static HRESULT WINAPI catalog_ExportApplication(ICOMAdminCatalog2 *iface, BSTR app, BSTR file, LONG options)
{
    (void)iface; (void)app; (void)file; (void)options;
    NOT_IMPLEMENTED("ExportApplication");
}

static HRESULT WINAPI catalog_InstallApplication(ICOMAdminCatalog2 *iface, BSTR file, BSTR dir, LONG options,
                                                 BSTR user, BSTR password, BSTR rsn)
{
    (void)iface; (void)file; (void)dir; (void)options; (void)user; (void)password; (void)rsn;
    NOT_IMPLEMENTED("InstallApplication");
}

static HRESULT WINAPI catalog_StopRouter(ICOMAdminCatalog2 *iface)
{
    (void)iface;
    NOT_IMPLEMENTED("StopRouter");
}

static HRESULT WINAPI catalog_RefreshRouter(ICOMAdminCatalog2 *iface)
{
    (void)iface;
    NOT_IMPLEMENTED("RefreshRouter");
}

static HRESULT WINAPI catalog_StartRouter(ICOMAdminCatalog2 *iface)
{
    (void)iface;
    NOT_IMPLEMENTED("StartRouter");
}

static HRESULT WINAPI catalog_Reserved1(ICOMAdminCatalog2 *iface)
{
    (void)iface;
    NOT_IMPLEMENTED("Reserved1");
}

static HRESULT WINAPI catalog_Reserved2(ICOMAdminCatalog2 *iface)
{
    (void)iface;
    NOT_IMPLEMENTED("Reserved2");
}

static HRESULT WINAPI catalog_InstallMultipleComponents(ICOMAdminCatalog2 *iface, BSTR app, SAFEARRAY **files,
                                                        SAFEARRAY **clsids)
{
    (void)iface; (void)app; (void)files; (void)clsids;
    NOT_IMPLEMENTED("InstallMultipleComponents");
}

static HRESULT WINAPI catalog_GetMultipleComponentsInfo(ICOMAdminCatalog2 *iface, BSTR app, SAFEARRAY **files,
                                                        SAFEARRAY **clsids, SAFEARRAY **names,
                                                        SAFEARRAY **file_flags, SAFEARRAY **component_flags)
{
    (void)iface; (void)app; (void)files; (void)clsids; (void)names; (void)file_flags; (void)component_flags;
    NOT_IMPLEMENTED("GetMultipleComponentsInfo");
}

static HRESULT WINAPI catalog_RefreshComponents(ICOMAdminCatalog2 *iface)
{
    (void)iface;
    NOT_IMPLEMENTED("RefreshComponents");
}

static HRESULT WINAPI catalog_BackupREGDB(ICOMAdminCatalog2 *iface, BSTR path)
{
    (void)iface; (void)path;
    NOT_IMPLEMENTED("BackupREGDB");
}

static HRESULT WINAPI catalog_RestoreREGDB(ICOMAdminCatalog2 *iface, BSTR path)
{
    (void)iface; (void)path;
    NOT_IMPLEMENTED("RestoreREGDB");
}

static HRESULT WINAPI catalog_QueryApplicationFile(ICOMAdminCatalog2 *iface, BSTR file, BSTR *name,
                                                   BSTR *description, VARIANT_BOOL *has_users,
                                                   VARIANT_BOOL *is_proxy, SAFEARRAY **files)
{
    (void)iface; (void)file; (void)name; (void)description; (void)has_users; (void)is_proxy; (void)files;
    NOT_IMPLEMENTED("QueryApplicationFile");
}

static HRESULT WINAPI catalog_StartApplication(ICOMAdminCatalog2 *iface, BSTR app)
{
    (void)iface; (void)app;
    NOT_IMPLEMENTED("StartApplication");
}

static HRESULT WINAPI catalog_ServiceCheck(ICOMAdminCatalog2 *iface, LONG service, LONG *status)
{
    (void)iface; (void)service; (void)status;
    NOT_IMPLEMENTED("ServiceCheck");
}

static HRESULT WINAPI catalog_InstallMultipleEventClasses(ICOMAdminCatalog2 *iface, BSTR app,
                                                          SAFEARRAY **files,
                                                          SAFEARRAY **clsids)
{
    (void)iface; (void)app; (void)files; (void)clsids;
    NOT_IMPLEMENTED("InstallMultipleEventClasses");
}

static HRESULT WINAPI catalog_InstallEventClass(ICOMAdminCatalog2 *iface, BSTR app, BSTR dll, BSTR tlb,
                                                BSTR proxy)
{
    (void)iface; (void)app; (void)dll; (void)tlb; (void)proxy;
    NOT_IMPLEMENTED("InstallEventClass");
}

static HRESULT WINAPI catalog_GetEventClassesForIID(ICOMAdminCatalog2 *iface, BSTR iid, SAFEARRAY **clsids,
                                                    SAFEARRAY **progids, SAFEARRAY **descriptions)
{
    (void)iface; (void)iid; (void)clsids; (void)progids; (void)descriptions;
    NOT_IMPLEMENTED("GetEventClassesForIID");
}

static HRESULT WINAPI catalog_GetCollectionByQuery2(ICOMAdminCatalog2 *iface, BSTR name, VARIANT *query,
                                                    IDispatch **out)
{
    (void)iface; (void)name; (void)query;
    if (out) *out = NULL;
    NOT_IMPLEMENTED("GetCollectionByQuery2");
}

static HRESULT WINAPI catalog_GetApplicationInstanceIDFromProcessID(ICOMAdminCatalog2 *iface, LONG pid,
                                                                    BSTR *id)
{
    (void)iface; (void)pid; (void)id;
    NOT_IMPLEMENTED("GetApplicationInstanceIDFromProcessID");
}

static HRESULT WINAPI catalog_ShutdownApplicationInstances(ICOMAdminCatalog2 *iface, VARIANT *ids)
{
    (void)iface; (void)ids;
    NOT_IMPLEMENTED("ShutdownApplicationInstances");
}

static HRESULT WINAPI catalog_PauseApplicationInstances(ICOMAdminCatalog2 *iface, VARIANT *ids)
{
    (void)iface; (void)ids;
    NOT_IMPLEMENTED("PauseApplicationInstances");
}

static HRESULT WINAPI catalog_ResumeApplicationInstances(ICOMAdminCatalog2 *iface, VARIANT *ids)
{
    (void)iface; (void)ids;
    NOT_IMPLEMENTED("ResumeApplicationInstances");
}

static HRESULT WINAPI catalog_RecycleApplicationInstances(ICOMAdminCatalog2 *iface, VARIANT *ids, LONG reason)
{
    (void)iface; (void)ids; (void)reason;
    NOT_IMPLEMENTED("RecycleApplicationInstances");
}

static HRESULT WINAPI catalog_AreApplicationInstancesPaused(ICOMAdminCatalog2 *iface, VARIANT *ids,
                                                            VARIANT_BOOL *paused)
{
    (void)iface; (void)ids; (void)paused;
    NOT_IMPLEMENTED("AreApplicationInstancesPaused");
}

static HRESULT WINAPI catalog_DumpApplicationInstance(ICOMAdminCatalog2 *iface, BSTR id, BSTR dir, LONG max,
                                                      BSTR *file)
{
    (void)iface; (void)id; (void)dir; (void)max; (void)file;
    NOT_IMPLEMENTED("DumpApplicationInstance");
}

static HRESULT WINAPI catalog_get_IsApplicationInstanceDumpSupported(ICOMAdminCatalog2 *iface,
                                                                     VARIANT_BOOL *supported)
{
    (void)iface; (void)supported;
    NOT_IMPLEMENTED("get_IsApplicationInstanceDumpSupported");
}

static bool is_local_system(const WCHAR *account)
{
    return !_wcsicmp(account, L"LocalSystem") || !_wcsicmp(account, L".\\LocalSystem")
        || !_wcsicmp(account, L"NT AUTHORITY\\SYSTEM");
}

static bool parse_token(const WCHAR *text, const WCHAR *const *tokens, const DWORD *values, size_t count,
                        DWORD *out)
{
    size_t i;

    for (i = 0; i < count; i++)
    {
        if (_wcsicmp(text, tokens[i])) continue;
        *out = values[i];
        return true;
    }
    return false;
}

static HRESULT WINAPI catalog_CreateServiceForApplication(ICOMAdminCatalog2 *iface, BSTR app,
                                                          BSTR service_name, BSTR start_type,
                                                          BSTR error_control, BSTR dependencies, BSTR run_as,
                                                          BSTR password, VARIANT_BOOL desktop_ok)
{
    static const WCHAR *const start_tokens[] =
        { L"SERVICE_BOOT_START", L"SERVICE_SYSTEM_START", L"SERVICE_AUTO_START", L"SERVICE_DEMAND_START",
          L"SERVICE_DISABLED" };
    static const DWORD start_values[] =
        { SERVICE_BOOT_START, SERVICE_SYSTEM_START, SERVICE_AUTO_START, SERVICE_DEMAND_START,
          SERVICE_DISABLED };
    static const WCHAR *const error_tokens[] =
        { L"SERVICE_ERROR_IGNORE", L"SERVICE_ERROR_NORMAL", L"SERVICE_ERROR_SEVERE",
          L"SERVICE_ERROR_CRITICAL" };
    static const DWORD error_values[] =
        { SERVICE_ERROR_IGNORE, SERVICE_ERROR_NORMAL, SERVICE_ERROR_SEVERE, SERVICE_ERROR_CRITICAL };
    WCHAR app_id[40], path[512], command[128], *existing;
    SC_HANDLE manager = NULL, service = NULL;
    DWORD start, error;
    struct json args;
    HRESULT hr;
    const WCHAR *account;
    bool system;

    (void)iface;
    json_init(&args);
    json_begin(&args, '{');
    json_key(&args, "app");
    json_string(&args, app);
    json_key(&args, "service");
    json_string(&args, service_name);
    json_key(&args, "start");
    json_string(&args, start_type);
    json_key(&args, "error_control");
    json_string(&args, error_control);
    json_key(&args, "dependencies");
    json_string(&args, dependencies);
    json_key(&args, "run_as");
    json_string(&args, run_as);
    json_key(&args, "password_empty");
    json_bool(&args, !password || !*password);
    json_key(&args, "desktop_ok");
    json_bool(&args, desktop_ok != VARIANT_FALSE);
    if (!is_bstr(app) || !is_bstr(service_name) || !is_bstr(start_type) || !is_bstr(error_control)
        || !is_bstr(dependencies) || !is_bstr(run_as) || !is_bstr(password) || !app || !service_name
        || !*service_name || !start_type || !error_control)
        return fake_finish("catalog", "CreateServiceForApplication", &args, E_INVALIDARG);
    if ((hr = fake_fault("CreateServiceForApplication")))
        return fake_finish("catalog", "CreateServiceForApplication", &args, hr);
    if (FAILED(hr = store_find_app(app, app_id)))
    {
        fake_note("catalog", "CreateServiceForApplication", "no application '%ls'", app);
        return fake_finish("catalog", "CreateServiceForApplication", &args, hr);
    }
    if (!parse_token(start_type, start_tokens, start_values, ARRAYSIZE(start_tokens), &start)
        || !parse_token(error_control, error_tokens, error_values, ARRAYSIZE(error_tokens), &error))
        return fake_finish("catalog", "CreateServiceForApplication", &args, E_INVALIDARG);
    system = run_as && is_local_system(run_as);
    /* No account means LocalService (the method's documentation). */
    account = run_as && *run_as ? run_as : L"NT AUTHORITY\\LocalService";
    /* LocalSystem takes no password; desktop interaction only for local accounts. */
    if ((system && password && *password) || (desktop_ok && !system))
        return fake_finish("catalog", "CreateServiceForApplication", &args, E_INVALIDARG);
    _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", FAKE_APPS_W, app_id);
    if ((existing = store_get_string(path, L"ServiceName")))
    {
        fake_note("catalog", "CreateServiceForApplication", "application already runs as service '%ls'",
                  existing);
        free(existing);
        return fake_finish("catalog", "CreateServiceForApplication", &args,
                      HRESULT_FROM_WIN32(ERROR_SERVICE_EXISTS));
    }
    _snwprintf(command, ARRAYSIZE(command), L"C:\\windows\\system32\\dllhost.exe /Processid:%ls", app_id);
    if (!(manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS))
        || !(service = CreateServiceW(manager, service_name, service_name, SERVICE_ALL_ACCESS,
                                      SERVICE_WIN32_OWN_PROCESS, start, error, command, NULL, NULL,
                                      dependencies && *dependencies ? dependencies : NULL,
                                      system ? NULL : account,
                                      system ? NULL : password)))
        hr = HRESULT_FROM_WIN32(GetLastError());
    else
        hr = HRESULT_FROM_WIN32(store_set_string(path, L"ServiceName", service_name));
    if (service) CloseServiceHandle(service);
    if (manager) CloseServiceHandle(manager);
    return fake_finish("catalog", "CreateServiceForApplication", &args, hr);
}

static HRESULT WINAPI catalog_DeleteServiceForApplication(ICOMAdminCatalog2 *iface, BSTR app)
{
    WCHAR app_id[40], path[512], *service_name = NULL;
    SC_HANDLE manager = NULL, service = NULL;
    struct json args;
    HRESULT hr;

    (void)iface;
    json_init(&args);
    json_begin(&args, '{');
    json_key(&args, "app");
    json_string(&args, app);
    if (!is_bstr(app) || !app)
        return fake_finish("catalog", "DeleteServiceForApplication", &args, E_INVALIDARG);
    if ((hr = fake_fault("DeleteServiceForApplication")))
        return fake_finish("catalog", "DeleteServiceForApplication", &args, hr);
    if (FAILED(hr = store_find_app(app, app_id)))
        return fake_finish("catalog", "DeleteServiceForApplication", &args, hr);
    _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", FAKE_APPS_W, app_id);
    if (!(service_name = store_get_string(path, L"ServiceName")))
        return fake_finish("catalog", "DeleteServiceForApplication", &args, COMADMIN_E_SERVICENOTINSTALLED);
    if (!(manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS))
        || !(service = OpenServiceW(manager, service_name, DELETE))
        || (!DeleteService(service) && GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE))
        hr = HRESULT_FROM_WIN32(GetLastError());
    else
        hr = HRESULT_FROM_WIN32(store_delete_value(path, L"ServiceName"));
    if (service) CloseServiceHandle(service);
    if (manager) CloseServiceHandle(manager);
    free(service_name);
    return fake_finish("catalog", "DeleteServiceForApplication", &args, hr);
}

static HRESULT WINAPI catalog_GetPartitionID(ICOMAdminCatalog2 *iface, BSTR app, BSTR *id)
{
    (void)iface; (void)app; (void)id;
    NOT_IMPLEMENTED("GetPartitionID");
}

static HRESULT WINAPI catalog_GetPartitionName(ICOMAdminCatalog2 *iface, BSTR app, BSTR *name)
{
    (void)iface; (void)app; (void)name;
    NOT_IMPLEMENTED("GetPartitionName");
}

static HRESULT WINAPI catalog_put_CurrentPartition(ICOMAdminCatalog2 *iface, BSTR partition)
{
    (void)iface; (void)partition;
    NOT_IMPLEMENTED("put_CurrentPartition");
}

static HRESULT WINAPI catalog_get_CurrentPartitionID(ICOMAdminCatalog2 *iface, BSTR *id)
{
    (void)iface; (void)id;
    NOT_IMPLEMENTED("get_CurrentPartitionID");
}

static HRESULT WINAPI catalog_get_CurrentPartitionName(ICOMAdminCatalog2 *iface, BSTR *name)
{
    (void)iface; (void)name;
    NOT_IMPLEMENTED("get_CurrentPartitionName");
}

static HRESULT WINAPI catalog_get_GlobalPartitionID(ICOMAdminCatalog2 *iface, BSTR *id)
{
    (void)iface; (void)id;
    NOT_IMPLEMENTED("get_GlobalPartitionID");
}

static HRESULT WINAPI catalog_FlushPartitionCache(ICOMAdminCatalog2 *iface)
{
    (void)iface;
    NOT_IMPLEMENTED("FlushPartitionCache");
}

static HRESULT WINAPI catalog_CopyApplications(ICOMAdminCatalog2 *iface, BSTR source, VARIANT *ids, BSTR dest)
{
    (void)iface; (void)source; (void)ids; (void)dest;
    NOT_IMPLEMENTED("CopyApplications");
}

static HRESULT WINAPI catalog_CopyComponents(ICOMAdminCatalog2 *iface, BSTR source, VARIANT *ids, BSTR dest)
{
    (void)iface; (void)source; (void)ids; (void)dest;
    NOT_IMPLEMENTED("CopyComponents");
}

static HRESULT WINAPI catalog_MoveComponents(ICOMAdminCatalog2 *iface, BSTR source, VARIANT *ids, BSTR dest)
{
    (void)iface; (void)source; (void)ids; (void)dest;
    NOT_IMPLEMENTED("MoveComponents");
}

static HRESULT WINAPI catalog_AliasComponent(ICOMAdminCatalog2 *iface, BSTR source, BSTR clsid, BSTR dest,
                                             BSTR progid, BSTR new_clsid)
{
    (void)iface; (void)source; (void)clsid; (void)dest; (void)progid; (void)new_clsid;
    NOT_IMPLEMENTED("AliasComponent");
}

static HRESULT WINAPI catalog_IsSafeToDelete(ICOMAdminCatalog2 *iface, BSTR dll, COMAdminInUse *in_use)
{
    (void)iface; (void)dll; (void)in_use;
    NOT_IMPLEMENTED("IsSafeToDelete");
}

static HRESULT WINAPI catalog_ImportUnconfiguredComponents(ICOMAdminCatalog2 *iface, BSTR app, VARIANT *ids,
                                                           VARIANT *type)
{
    (void)iface; (void)app; (void)ids; (void)type;
    NOT_IMPLEMENTED("ImportUnconfiguredComponents");
}

static HRESULT WINAPI catalog_PromoteUnconfiguredComponents(ICOMAdminCatalog2 *iface, BSTR app, VARIANT *ids,
                                                            VARIANT *type)
{
    (void)iface; (void)app; (void)ids; (void)type;
    NOT_IMPLEMENTED("PromoteUnconfiguredComponents");
}

static HRESULT WINAPI catalog_ImportComponents(ICOMAdminCatalog2 *iface, BSTR app, VARIANT *ids,
                                               VARIANT *type)
{
    (void)iface; (void)app; (void)ids; (void)type;
    NOT_IMPLEMENTED("ImportComponents");
}

static HRESULT WINAPI catalog_get_Is64BitCatalogServer(ICOMAdminCatalog2 *iface, VARIANT_BOOL *is64)
{
    (void)iface;
    if (!is64) return E_POINTER;
    *is64 = VARIANT_TRUE;
    return S_OK;
}

static HRESULT WINAPI catalog_ExportPartition(ICOMAdminCatalog2 *iface, BSTR partition, BSTR file,
                                              LONG options)
{
    (void)iface; (void)partition; (void)file; (void)options;
    NOT_IMPLEMENTED("ExportPartition");
}

static HRESULT WINAPI catalog_InstallPartition(ICOMAdminCatalog2 *iface, BSTR file, BSTR dir, LONG options,
                                               BSTR user, BSTR password, BSTR rsn)
{
    (void)iface; (void)file; (void)dir; (void)options; (void)user; (void)password; (void)rsn;
    NOT_IMPLEMENTED("InstallPartition");
}

static HRESULT WINAPI catalog_QueryApplicationFile2(ICOMAdminCatalog2 *iface, BSTR file, IDispatch **out)
{
    (void)iface; (void)file;
    if (out) *out = NULL;
    NOT_IMPLEMENTED("QueryApplicationFile2");
}

static HRESULT WINAPI catalog_GetComponentVersionCount(ICOMAdminCatalog2 *iface, BSTR clsid, LONG *count)
{
    (void)iface; (void)clsid; (void)count;
    NOT_IMPLEMENTED("GetComponentVersionCount");
}

static const ICOMAdminCatalog2Vtbl catalog_vtbl =
{
    catalog_QueryInterface,
    catalog_AddRef,
    catalog_Release,
    catalog_GetTypeInfoCount,
    catalog_GetTypeInfo,
    catalog_GetIDsOfNames,
    catalog_Invoke,
    catalog_GetCollection,
    catalog_Connect,
    catalog_get_MajorVersion,
    catalog_get_MinorVersion,
    catalog_GetCollectionByQuery,
    catalog_ImportComponent,
    catalog_InstallComponent,
    catalog_ShutdownApplication,
    catalog_ExportApplication,
    catalog_InstallApplication,
    catalog_StopRouter,
    catalog_RefreshRouter,
    catalog_StartRouter,
    catalog_Reserved1,
    catalog_Reserved2,
    catalog_InstallMultipleComponents,
    catalog_GetMultipleComponentsInfo,
    catalog_RefreshComponents,
    catalog_BackupREGDB,
    catalog_RestoreREGDB,
    catalog_QueryApplicationFile,
    catalog_StartApplication,
    catalog_ServiceCheck,
    catalog_InstallMultipleEventClasses,
    catalog_InstallEventClass,
    catalog_GetEventClassesForIID,
    catalog_GetCollectionByQuery2,
    catalog_GetApplicationInstanceIDFromProcessID,
    catalog_ShutdownApplicationInstances,
    catalog_PauseApplicationInstances,
    catalog_ResumeApplicationInstances,
    catalog_RecycleApplicationInstances,
    catalog_AreApplicationInstancesPaused,
    catalog_DumpApplicationInstance,
    catalog_get_IsApplicationInstanceDumpSupported,
    catalog_CreateServiceForApplication,
    catalog_DeleteServiceForApplication,
    catalog_GetPartitionID,
    catalog_GetPartitionName,
    catalog_put_CurrentPartition,
    catalog_get_CurrentPartitionID,
    catalog_get_CurrentPartitionName,
    catalog_get_GlobalPartitionID,
    catalog_FlushPartitionCache,
    catalog_CopyApplications,
    catalog_CopyComponents,
    catalog_MoveComponents,
    catalog_AliasComponent,
    catalog_IsSafeToDelete,
    catalog_ImportUnconfiguredComponents,
    catalog_PromoteUnconfiguredComponents,
    catalog_ImportComponents,
    catalog_get_Is64BitCatalogServer,
    catalog_ExportPartition,
    catalog_InstallPartition,
    catalog_QueryApplicationFile2,
    catalog_GetComponentVersionCount,
};

HRESULT fake_catalog_create(REFIID riid, void **out)
{
    struct catalog *catalog;
    HRESULT hr;

    *out = NULL;
    if ((hr = fake_fault("CreateInstance.COMAdminCatalog")))
        return fake_finish("catalog", "CreateInstance.COMAdminCatalog", NULL, hr);
    if (!(catalog = calloc(1, sizeof(*catalog)))) return E_OUTOFMEMORY;
    catalog->ICOMAdminCatalog2_iface.lpVtbl = &catalog_vtbl;
    catalog->refcount = 1;
    com_server_object_created();
    hr = ICOMAdminCatalog2_QueryInterface(&catalog->ICOMAdminCatalog2_iface, riid, out);
    ICOMAdminCatalog2_Release(&catalog->ICOMAdminCatalog2_iface);
    return fake_finish("catalog", "CreateInstance.COMAdminCatalog", NULL, hr);
}
