/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Registration of the provider: the COM class, the COM+ application VSS loads it in (with its
 * service, component and role), the VSS provider entry and VssOption; and their removal.
 *
 * Rules (issue 6, users-and-clients.md §1.7): registering over an existing registration repairs
 * it (remove, then register) instead of failing "already installed"; removing what is absent
 * succeeds; a failure prints one clear line on stderr (also to the debugger and the Event Log),
 * undoes what this run did, and returns the HRESULT; there is never any UI. */
#include <stdarg.h>
#include <stdio.h>

#include "provider.h"
#include <comadmin.h>
#include <vsadmin.h>
#include <vsserror.h>

#include "guids.h"
#include "names.h"
#include "trace.h"
#include "version.h"

/* The Event Log message that carries its text as %1: QGA_EVENTLOG_GENERAL in
 * win/agent/platform/messages.mc (the "qemu-ga" source's message table). */
#define EVENTLOG_GENERAL_ID 1

/* Exists while COMRegister runs (any process): COM+ calls our DllRegisterServer back from
 * InstallComponent, and that call must only register the class (provider.h). */
#define REGISTERING_EVENT_W L"Global\\QgaWinVss-registering"

/* COM+ application settings (qga-reference.md §5; the VSS SDK's register_app.vbs does the same):
 * only callers in our role get in, calls are encrypted, the provider cannot impersonate. */
#define APP_AUTHENTICATION             6    /* COMAdminAuthenticationPacketPrivacy */
#define APP_AUTHENTICATION_CAPABILITY  2    /* COMAdminAuthenticationCapabilitiesSecureReference */
#define APP_IMPERSONATION_LEVEL        2    /* COMAdminImpersonationIdentify */
/* Its service: started by VSS when it loads the provider, run as LocalSystem. */
#define SERVICE_START_TYPE_W           L"SERVICE_DEMAND_START"
#define SERVICE_ERROR_CONTROL_W        L"SERVICE_ERROR_NORMAL"
#define SERVICE_ACCOUNT_W              L".\\LocalSystem"
#define ROLE_DESCRIPTION_W             L"Administrators group"
/* VssOption when absent: VSS_BT_COPY, which truncates no application's logs (users-and-clients.md §1.4). */
#define VSS_OPTION_DEFAULT             5

#define MESSAGE_CHARS 1024

static LONG registering;                 /* in-process part of com_register_in_progress() */

/* What one registration run holds and did, so a failure can undo exactly that. */
struct registration
{
    ICOMAdminCatalog2 *catalog;
    IVssAdmin *vss_admin;
    WCHAR dll_path[MAX_PATH];
    WCHAR tlb_path[MAX_PATH];
    bool vss_key_created;                /* we created QGA_VSS_OPTION_KEY_W */
    bool vss_option_written;             /* we wrote VssOption (it was absent) */
};

/* ---- messages ---- */

/* The codes registration meets that the system's message tables do not describe. */
#define KNOWN_ERROR(hr, text) { hr, L"" #hr ": " text }
static const struct
{
    HRESULT hr;
    const WCHAR *text;
}
known_errors[] =
{
    KNOWN_ERROR(VSS_E_PROVIDER_ALREADY_REGISTERED, "the provider is already registered"),
    KNOWN_ERROR(VSS_E_PROVIDER_NOT_REGISTERED, "the provider is not registered"),
    KNOWN_ERROR(VSS_E_PROVIDER_IN_USE, "the provider is in use"),
    KNOWN_ERROR(VSS_E_BAD_STATE, "VSS is busy with another operation"),
    KNOWN_ERROR(VSS_E_UNEXPECTED, "unexpected VSS error"),
    KNOWN_ERROR(REGDB_E_CLASSNOTREG, "class not registered"),
    KNOWN_ERROR(COMADMIN_E_OBJECTERRORS, "errors occurred accessing one or more objects"),
    KNOWN_ERROR(COMADMIN_E_OBJECTINVALID, "an object property is missing or invalid"),
    KNOWN_ERROR(COMADMIN_E_KEYMISSING, "the object was not found in the catalog"),
    KNOWN_ERROR(COMADMIN_E_ALREADYINSTALLED, "the object is already registered"),
    KNOWN_ERROR(COMADMIN_E_APPLICATIONEXISTS, "the application already exists"),
    KNOWN_ERROR(COMADMIN_E_ROLEEXISTS, "the role already exists"),
    KNOWN_ERROR(COMADMIN_E_NOUSER, "one or more users are not valid"),
    KNOWN_ERROR(COMADMIN_E_NOREGISTRYCLSID, "the component registered no class"),
    KNOWN_ERROR(COMADMIN_E_DLLREGISTERSERVER, "DllRegisterServer failed"),
    KNOWN_ERROR(COMADMIN_E_DLLLOADFAILED, "the DLL could not be loaded"),
    KNOWN_ERROR(COMADMIN_E_COMPFILE_DOESNOTEXIST, "the component file does not exist"),
    KNOWN_ERROR(COMADMIN_E_COMPFILE_LOADDLLFAIL, "the DLL could not be loaded"),
    KNOWN_ERROR(COMADMIN_E_COMPFILE_GETCLASSOBJ, "DllGetClassObject failed"),
    KNOWN_ERROR(COMADMIN_E_COMPFILE_CLASSNOTAVAIL, "the DLL does not support a class in the type library"),
    KNOWN_ERROR(COMADMIN_E_COMPFILE_BADTLB, "the type library is not valid"),
    KNOWN_ERROR(COMADMIN_E_COMPFILE_NOTINSTALLABLE, "the file has no installable component"),
    KNOWN_ERROR(COMADMIN_E_COMPFILE_NOREGISTRAR, "the DLL has no DllRegisterServer"),
    KNOWN_ERROR(COMADMIN_E_SERVICENOTINSTALLED, "the application has no service"),
    KNOWN_ERROR(COMADMIN_E_OBJECTEXISTS, "the object already exists"),
    KNOWN_ERROR(COMADMIN_E_OBJECT_PARENT_MISSING, "the parent object does not exist"),
    KNOWN_ERROR(COMADMIN_E_OBJECT_DOES_NOT_EXIST, "the object does not exist"),
    KNOWN_ERROR(COMADMIN_E_AMBIGUOUS_APPLICATION_NAME, "several applications have this name"),
};
#undef KNOWN_ERROR

static void hresult_text(HRESULT hr, WCHAR *buffer, size_t chars)
{
    size_t i, len;

    for (i = 0; i < ARRAYSIZE(known_errors); i++)
    {
        if (known_errors[i].hr != hr) continue;
        _snwprintf(buffer, chars, L"%ls (0x%08lx)", known_errors[i].text, (unsigned long)hr);
        buffer[chars - 1] = 0;
        return;
    }
    len = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, (DWORD)hr, 0,
                         buffer, (DWORD)chars, NULL);
    while (len && (buffer[len - 1] == L'\r' || buffer[len - 1] == L'\n' || buffer[len - 1] == L' '
                   || buffer[len - 1] == L'.'))
        buffer[--len] = 0;
    if (!len) len = (size_t)_snwprintf(buffer, chars, L"error");
    _snwprintf(buffer + len, chars - len, L" (0x%08lx)", (unsigned long)hr);
    buffer[chars - 1] = 0;
}

static void emit(WORD event_type, const WCHAR *line)
{
    HANDLE source;

    OutputDebugStringW(line);
    trace_write_stderr(line);
    if (event_type == EVENTLOG_SUCCESS) return;
    if ((source = RegisterEventSourceW(NULL, QGA_EVENTLOG_SOURCE_W)))
    {
        const WCHAR *strings[1] = { line };

        ReportEventW(source, event_type, 0, EVENTLOG_GENERAL_ID, NULL, 1, 0, strings, NULL);
        DeregisterEventSource(source);
    }
}

/* "qga-vss: <what>: <text of hr> (0x...)" on stderr, the debugger and the Event Log.  Returns hr. */
static HRESULT report(HRESULT hr, const WCHAR *fmt, ...)
{
    WCHAR what[MESSAGE_CHARS], text[MESSAGE_CHARS / 2], line[MESSAGE_CHARS * 2];
    va_list args;

    va_start(args, fmt);
    _vsnwprintf(what, ARRAYSIZE(what), fmt, args);
    va_end(args);
    what[ARRAYSIZE(what) - 1] = 0;
    hresult_text(hr, text, ARRAYSIZE(text));
    _snwprintf(line, ARRAYSIZE(line), L"qga-vss: %ls: %ls\r\n", what, text);
    line[ARRAYSIZE(line) - 1] = 0;
    emit(EVENTLOG_ERROR_TYPE, line);
    return hr;
}

/* A plain line (no HRESULT), e.g. the outcome of a rollback; warning = Event Log warning too. */
static void note(bool warning, const WCHAR *fmt, ...)
{
    WCHAR what[MESSAGE_CHARS], line[MESSAGE_CHARS + 16];
    va_list args;

    va_start(args, fmt);
    _vsnwprintf(what, ARRAYSIZE(what), fmt, args);
    va_end(args);
    what[ARRAYSIZE(what) - 1] = 0;
    _snwprintf(line, ARRAYSIZE(line), L"qga-vss: %ls\r\n", what);
    line[ARRAYSIZE(line) - 1] = 0;
    emit(warning ? EVENTLOG_WARNING_TYPE : EVENTLOG_SUCCESS, line);
}

/* ---- the class's own registry entries (what regsvr32 writes for a plain in-proc server) ---- */

static LSTATUS set_string(HKEY root, const WCHAR *path, const WCHAR *name, const WCHAR *value)
{
    return RegSetKeyValueW(root, path, name, REG_SZ, value, (DWORD)((wcslen(value) + 1) * sizeof(WCHAR)));
}

HRESULT class_register(void)
{
    static const WCHAR clsid_key[] = L"CLSID\\" QGA_VSS_PROVIDER_CLSID_STR_W;
    static const WCHAR inproc_key[] = L"CLSID\\" QGA_VSS_PROVIDER_CLSID_STR_W L"\\InprocServer32";
    static const WCHAR progid_key[] = L"CLSID\\" QGA_VSS_PROVIDER_CLSID_STR_W L"\\ProgID";
    static const WCHAR progid_clsid_key[] = QGA_VSS_PROGID_W L"\\CLSID";
    WCHAR path[MAX_PATH];
    DWORD len = GetModuleFileNameW(com_server_module(), path, ARRAYSIZE(path));
    LSTATUS status;

    TRACE(".");
    if (!len || len >= ARRAYSIZE(path))
        return report(HRESULT_FROM_WIN32(GetLastError()), L"cannot find our own path");
    /* Apartment, as VSS providers have always been registered: COM serialises VSS's calls. */
    if ((status = set_string(HKEY_CLASSES_ROOT, clsid_key, NULL, QGA_VSS_PROVIDER_NAME_W))
        || (status = set_string(HKEY_CLASSES_ROOT, inproc_key, NULL, path))
        || (status = set_string(HKEY_CLASSES_ROOT, inproc_key, L"ThreadingModel", L"Apartment"))
        || (status = set_string(HKEY_CLASSES_ROOT, progid_key, NULL, QGA_VSS_PROGID_W))
        || (status = set_string(HKEY_CLASSES_ROOT, QGA_VSS_PROGID_W, NULL, QGA_VSS_PROVIDER_NAME_W))
        || (status = set_string(HKEY_CLASSES_ROOT, progid_clsid_key, NULL, QGA_VSS_PROVIDER_CLSID_STR_W)))
    {
        HRESULT hr = report(HRESULT_FROM_WIN32(status), L"cannot register class %ls in HKEY_CLASSES_ROOT",
                            QGA_VSS_PROVIDER_CLSID_STR_W);
        class_unregister();
        return hr;
    }
    return S_OK;
}

static HRESULT delete_tree(HKEY root, const WCHAR *path)
{
    LSTATUS status = RegDeleteTreeW(root, path);

    if (status == ERROR_SUCCESS || status == ERROR_FILE_NOT_FOUND) return S_OK;
    return report(HRESULT_FROM_WIN32(status), L"cannot delete HKEY_CLASSES_ROOT\\%ls", path);
}

HRESULT class_unregister(void)
{
    HRESULT hr, hr2;

    TRACE(".");
    hr = delete_tree(HKEY_CLASSES_ROOT, L"CLSID\\" QGA_VSS_PROVIDER_CLSID_STR_W);
    hr2 = delete_tree(HKEY_CLASSES_ROOT, QGA_VSS_PROGID_W);
    return FAILED(hr) ? hr : hr2;
}

bool com_register_in_progress(void)
{
    HANDLE event;

    if (registering) return true;
    if (!(event = OpenEventW(SYNCHRONIZE, FALSE, REGISTERING_EVENT_W))) return false;
    CloseHandle(event);
    return true;
}

/* ---- small COM+ catalog helpers (BSTR in, typed interfaces out) ---- */

static HRESULT query_dispatch(IDispatch *dispatch, REFIID riid, void **out)
{
    HRESULT hr = IDispatch_QueryInterface(dispatch, riid, out);

    IDispatch_Release(dispatch);
    return hr;
}

static HRESULT catalog_collection(ICOMAdminCatalog2 *catalog, const WCHAR *name, ICatalogCollection **out)
{
    BSTR name_b = SysAllocString(name);
    IDispatch *dispatch = NULL;
    HRESULT hr;

    *out = NULL;
    if (!name_b) return E_OUTOFMEMORY;
    hr = ICOMAdminCatalog2_GetCollection(catalog, name_b, &dispatch);
    SysFreeString(name_b);
    if (FAILED(hr)) return hr;
    if (!dispatch) return E_POINTER;
    return query_dispatch(dispatch, &IID_ICatalogCollection, (void **)out);
}

static HRESULT related_collection(ICatalogCollection *parent, const WCHAR *name, VARIANT key,
                                  ICatalogCollection **out)
{
    BSTR name_b = SysAllocString(name);
    IDispatch *dispatch = NULL;
    HRESULT hr;

    *out = NULL;
    if (!name_b) return E_OUTOFMEMORY;
    hr = ICatalogCollection_GetCollection(parent, name_b, key, &dispatch);
    SysFreeString(name_b);
    if (FAILED(hr)) return hr;
    if (!dispatch) return E_POINTER;
    return query_dispatch(dispatch, &IID_ICatalogCollection, (void **)out);
}

static HRESULT collection_add(ICatalogCollection *collection, ICatalogObject **out)
{
    IDispatch *dispatch = NULL;
    HRESULT hr;

    *out = NULL;
    if (FAILED(hr = ICatalogCollection_Add(collection, &dispatch))) return hr;
    if (!dispatch) return E_POINTER;
    return query_dispatch(dispatch, &IID_ICatalogObject, (void **)out);
}

static HRESULT collection_item(ICatalogCollection *collection, LONG index, ICatalogObject **out)
{
    IDispatch *dispatch = NULL;
    HRESULT hr;

    *out = NULL;
    if (FAILED(hr = ICatalogCollection_get_Item(collection, index, &dispatch))) return hr;
    if (!dispatch) return E_POINTER;
    return query_dispatch(dispatch, &IID_ICatalogObject, (void **)out);
}

static HRESULT collection_save(ICatalogCollection *collection)
{
    LONG changes = 0;

    return ICatalogCollection_SaveChanges(collection, &changes);
}

static HRESULT object_put(ICatalogObject *object, const WCHAR *property, VARIANT value)
{
    BSTR property_b = SysAllocString(property);
    HRESULT hr;

    if (!property_b) return E_OUTOFMEMORY;
    hr = ICatalogObject_put_Value(object, property_b, value);
    SysFreeString(property_b);
    return hr;
}

static HRESULT object_put_string(ICatalogObject *object, const WCHAR *property, const WCHAR *value)
{
    VARIANT variant;
    HRESULT hr;

    V_VT(&variant) = VT_BSTR;
    if (!(V_BSTR(&variant) = SysAllocString(value))) return E_OUTOFMEMORY;
    hr = object_put(object, property, variant);
    VariantClear(&variant);
    return hr;
}

static HRESULT object_put_long(ICatalogObject *object, const WCHAR *property, LONG value)
{
    VARIANT variant;

    V_VT(&variant) = VT_I4;
    V_I4(&variant) = value;
    return object_put(object, property, variant);
}

static HRESULT object_put_bool(ICatalogObject *object, const WCHAR *property, bool value)
{
    VARIANT variant;

    V_VT(&variant) = VT_BOOL;
    V_BOOL(&variant) = value ? VARIANT_TRUE : VARIANT_FALSE;
    return object_put(object, property, variant);
}

/* *out = the property as a string (BSTR, caller frees), or NULL when it is empty or not a string. */
static HRESULT object_get_string(ICatalogObject *object, const WCHAR *property, BSTR *out)
{
    BSTR property_b = SysAllocString(property);
    VARIANT variant;
    HRESULT hr;

    *out = NULL;
    if (!property_b) return E_OUTOFMEMORY;
    VariantInit(&variant);
    hr = ICatalogObject_get_Value(object, property_b, &variant);
    SysFreeString(property_b);
    if (FAILED(hr)) return hr;
    if (V_VT(&variant) == VT_BSTR && V_BSTR(&variant) && *V_BSTR(&variant))
    {
        *out = V_BSTR(&variant);
        return S_OK;
    }
    VariantClear(&variant);
    return S_OK;
}

/* The object's key (its ID) as a BSTR VARIANT, which GetCollection and the catalog's
 * application methods take. */
static HRESULT object_key(ICatalogObject *object, VARIANT *key)
{
    HRESULT hr;

    VariantInit(key);
    if (FAILED(hr = ICatalogObject_get_Key(object, key))) return hr;
    if (V_VT(key) != VT_BSTR || !V_BSTR(key))
    {
        VariantClear(key);
        return E_UNEXPECTED;
    }
    return S_OK;
}

/* ---- account names ---- */

/* "DOMAIN\name" of a well-known SID, in the system's language (the Administrators group is
 * "Administratoren" on German Windows): roles hold accounts by name. */
static HRESULT well_known_account(WELL_KNOWN_SID_TYPE type, WCHAR *name, DWORD name_chars, WCHAR *full,
                                  DWORD full_chars)
{
    BYTE sid[SECURITY_MAX_SID_SIZE];
    DWORD sid_size = sizeof(sid), chars = name_chars, domain_chars;
    WCHAR domain[256];
    SID_NAME_USE use;

    domain_chars = ARRAYSIZE(domain);
    if (!CreateWellKnownSid(type, NULL, sid, &sid_size)
        || !LookupAccountSidW(NULL, sid, name, &chars, domain, &domain_chars, &use))
        return HRESULT_FROM_WIN32(GetLastError());
    if (*domain) _snwprintf(full, full_chars, L"%ls\\%ls", domain, name);
    else _snwprintf(full, full_chars, L"%ls", name);
    full[full_chars - 1] = 0;
    return S_OK;
}

/* ---- registration steps ---- */

static HRESULT open_catalog(struct registration *reg)
{
    HRESULT hr = CoCreateInstance(&CLSID_COMAdminCatalog, NULL, CLSCTX_INPROC_SERVER, &IID_ICOMAdminCatalog2,
                                  (void **)&reg->catalog);

    if (FAILED(hr)) return report(hr, L"the COM+ catalog (COMAdmin.COMAdminCatalog) is not available");
    return S_OK;
}

static HRESULT open_vss_admin(struct registration *reg)
{
    HRESULT hr;

    if (reg->vss_admin) return S_OK;
    hr = CoCreateInstance(&CLSID_VSSCoordinator, NULL, CLSCTX_ALL, &IID_IVssAdmin, (void **)&reg->vss_admin);
    if (FAILED(hr)) return report(hr, L"the VSS coordinator (IVssAdmin) is not available");
    return S_OK;
}

static HRESULT find_paths(struct registration *reg)
{
    DWORD len = GetModuleFileNameW(com_server_module(), reg->dll_path, ARRAYSIZE(reg->dll_path));
    WCHAR *slash;

    if (!len || len >= ARRAYSIZE(reg->dll_path))
        return report(HRESULT_FROM_WIN32(len ? ERROR_INSUFFICIENT_BUFFER : GetLastError()),
                      L"cannot find the path of qga-vss.dll");
    wcscpy(reg->tlb_path, reg->dll_path);
    if (!(slash = wcsrchr(reg->tlb_path, L'\\'))
        || (size_t)(slash + 1 - reg->tlb_path) + wcslen(QGA_VSS_TLB_NAME_W) >= ARRAYSIZE(reg->tlb_path))
        return report(E_UNEXPECTED, L"cannot derive the type library's path from %ls", reg->dll_path);
    wcscpy(slash + 1, QGA_VSS_TLB_NAME_W);
    /* COM+ needs the type library to install the component: say so plainly if it is missing. */
    if (GetFileAttributesW(reg->tlb_path) == INVALID_FILE_ATTRIBUTES)
        return report(HRESULT_FROM_WIN32(GetLastError()), L"the type library %ls must sit next to %ls",
                      reg->tlb_path, reg->dll_path);
    return S_OK;
}

static HRESULT unregister_vss_provider(struct registration *reg)
{
    HRESULT hr;

    if (FAILED(hr = open_vss_admin(reg))) return hr;
    hr = IVssAdmin_UnregisterProvider(reg->vss_admin, QGA_VSS_PROVIDER_ID);
    TRACE("UnregisterProvider: %#lx.", (unsigned long)hr);
    if (hr == VSS_E_PROVIDER_NOT_REGISTERED) return S_OK;
    if (FAILED(hr)) return report(hr, L"cannot unregister VSS provider %ls", QGA_VSS_PROVIDER_ID_STR_W);
    return S_OK;
}

/* Removes every COM+ application with our name (there should be at most one), with its service. */
static HRESULT remove_applications(struct registration *reg)
{
    ICatalogCollection *apps = NULL;
    ICatalogObject *app = NULL;
    BSTR name = NULL, service = NULL;
    VARIANT key;
    LONG count = 0, i, removed = 0;
    HRESULT hr;

    VariantInit(&key);
    if (FAILED(hr = catalog_collection(reg->catalog, L"Applications", &apps)))
    {
        report(hr, L"cannot open the COM+ Applications collection");
        goto out;
    }
    if (FAILED(hr = ICatalogCollection_Populate(apps))
        || FAILED(hr = ICatalogCollection_get_Count(apps, &count)))
    {
        report(hr, L"cannot read the COM+ Applications collection");
        goto out;
    }
    for (i = count - 1; i >= 0; i--)
    {
        if (FAILED(hr = collection_item(apps, i, &app))
            || FAILED(hr = object_get_string(app, L"Name", &name)))
        {
            report(hr, L"cannot read COM+ application %ld", (long)i);
            goto out;
        }
        if (name && !_wcsicmp(name, QGA_VSS_APP_NAME_W))
        {
            /* Delete the service explicitly rather than trust the application's removal to. */
            if (SUCCEEDED(object_get_string(app, L"ServiceName", &service)) && service)
            {
                if (FAILED(hr = object_key(app, &key)))
                {
                    report(hr, L"cannot read the key of COM+ application '%ls'", name);
                    goto out;
                }
                hr = ICOMAdminCatalog2_DeleteServiceForApplication(reg->catalog, V_BSTR(&key));
                VariantClear(&key);
                if (FAILED(hr))
                {
                    report(hr, L"cannot delete service '%ls' of COM+ application '%ls'", service, name);
                    goto out;
                }
            }
            if (FAILED(hr = ICatalogCollection_Remove(apps, i)))
            {
                report(hr, L"cannot remove COM+ application '%ls'", name);
                goto out;
            }
            removed++;
        }
        SysFreeString(name);
        SysFreeString(service);
        name = service = NULL;
        ICatalogObject_Release(app);
        app = NULL;
    }
    if (removed && FAILED(hr = collection_save(apps)))
        report(hr, L"cannot save the removal of COM+ application '%ls'", QGA_VSS_APP_NAME_W);
out:
    VariantClear(&key);
    SysFreeString(name);
    SysFreeString(service);
    if (app) ICatalogObject_Release(app);
    if (apps) ICatalogCollection_Release(apps);
    return hr;
}

static HRESULT remove_vss_option(struct registration *reg)
{
    LSTATUS status;

    if (reg->vss_option_written)
    {
        status = RegDeleteKeyValueW(HKEY_LOCAL_MACHINE, QGA_VSS_OPTION_KEY_W, QGA_VSS_OPTION_VALUE_W);
        if (status && status != ERROR_FILE_NOT_FOUND)
            return report(HRESULT_FROM_WIN32(status), L"cannot delete %ls\\%ls", QGA_VSS_OPTION_KEY_W,
                          QGA_VSS_OPTION_VALUE_W);
        reg->vss_option_written = false;
    }
    if (reg->vss_key_created)
    {
        /* Only if still empty: never take away what someone else put there meanwhile. */
        RegDeleteKeyW(HKEY_LOCAL_MACHINE, QGA_VSS_OPTION_KEY_W);
        reg->vss_key_created = false;
    }
    return S_OK;
}

/* Everything that makes us a registered provider, in reverse order of registration.  Every part
 * is attempted; the first failure is returned. */
static HRESULT remove_registration(struct registration *reg)
{
    HRESULT hr = S_OK, step;

    if (FAILED(step = unregister_vss_provider(reg)) && SUCCEEDED(hr)) hr = step;
    if (FAILED(step = remove_applications(reg)) && SUCCEEDED(hr)) hr = step;
    if (FAILED(step = class_unregister()) && SUCCEEDED(hr)) hr = step;
    return hr;
}

static HRESULT create_application(struct registration *reg, ICatalogCollection **apps_out, VARIANT *app_key)
{
    ICatalogCollection *apps = NULL;
    ICatalogObject *app = NULL;
    HRESULT hr;

    *apps_out = NULL;
    VariantInit(app_key);
    if (FAILED(hr = catalog_collection(reg->catalog, L"Applications", &apps))
        || FAILED(hr = ICatalogCollection_Populate(apps)))
    {
        report(hr, L"cannot open the COM+ Applications collection");
        goto out;
    }
    if (FAILED(hr = collection_add(apps, &app))
        || FAILED(hr = object_put_string(app, L"Name", QGA_VSS_APP_NAME_W))
        || FAILED(hr = object_put_string(app, L"Description", QGA_VSS_PROVIDER_NAME_W))
        || FAILED(hr = object_put_bool(app, L"ApplicationAccessChecksEnabled", true))
        || FAILED(hr = object_put_long(app, L"Authentication", APP_AUTHENTICATION))
        || FAILED(hr = object_put_long(app, L"AuthenticationCapability", APP_AUTHENTICATION_CAPABILITY))
        || FAILED(hr = object_put_long(app, L"ImpersonationLevel", APP_IMPERSONATION_LEVEL)))
    {
        report(hr, L"cannot set up COM+ application '%ls'", QGA_VSS_APP_NAME_W);
        goto out;
    }
    if (FAILED(hr = collection_save(apps)))
    {
        report(hr, L"cannot create COM+ application '%ls'", QGA_VSS_APP_NAME_W);
        goto out;
    }
    if (FAILED(hr = object_key(app, app_key)))
    {
        report(hr, L"cannot read the ID of COM+ application '%ls'", QGA_VSS_APP_NAME_W);
        goto out;
    }
    TRACE("application %ls.", V_BSTR(app_key));
    *apps_out = apps;
    apps = NULL;
out:
    if (app) ICatalogObject_Release(app);
    if (apps) ICatalogCollection_Release(apps);
    return hr;
}

static HRESULT create_service(struct registration *reg, BSTR app_id)
{
    BSTR service = SysAllocString(QGA_VSS_APP_NAME_W), start = SysAllocString(SERVICE_START_TYPE_W);
    BSTR error_control = SysAllocString(SERVICE_ERROR_CONTROL_W), dependencies = SysAllocString(L"");
    BSTR account = SysAllocString(SERVICE_ACCOUNT_W), password = SysAllocString(L"");
    HRESULT hr = E_OUTOFMEMORY;

    if (service && start && error_control && dependencies && account && password)
        hr = ICOMAdminCatalog2_CreateServiceForApplication(reg->catalog, app_id, service, start,
                                                           error_control, dependencies, account, password,
                                                           VARIANT_FALSE);
    if (FAILED(hr))
        report(hr, L"cannot create service '%ls' (LocalSystem) for COM+ application '%ls'",
               QGA_VSS_APP_NAME_W, QGA_VSS_APP_NAME_W);
    SysFreeString(service);
    SysFreeString(start);
    SysFreeString(error_control);
    SysFreeString(dependencies);
    SysFreeString(account);
    SysFreeString(password);
    return hr;
}

static HRESULT install_component(struct registration *reg, BSTR app_id)
{
    BSTR dll = SysAllocString(reg->dll_path), tlb = SysAllocString(reg->tlb_path);
    BSTR proxy = SysAllocString(L"");
    HRESULT hr = E_OUTOFMEMORY;

    if (dll && tlb && proxy)
        hr = ICOMAdminCatalog2_InstallComponent(reg->catalog, app_id, dll, tlb, proxy);
    if (FAILED(hr))
        report(hr, L"cannot install component %ls (type library %ls) into COM+ application '%ls'",
               reg->dll_path, reg->tlb_path, QGA_VSS_APP_NAME_W);
    SysFreeString(dll);
    SysFreeString(tlb);
    SysFreeString(proxy);
    return hr;
}

/* One role, named after the local Administrators group, holding that group and SYSTEM: VSS runs
 * as SYSTEM, and administrators may drive VSS by hand. */
static HRESULT create_role(ICatalogCollection *apps, VARIANT app_key)
{
    WCHAR admins_name[256], admins[512], system_name[256], system[512];
    ICatalogCollection *roles = NULL, *users = NULL;
    ICatalogObject *role = NULL, *user = NULL;
    VARIANT role_key;
    HRESULT hr;

    VariantInit(&role_key);
    if (FAILED(hr = well_known_account(WinBuiltinAdministratorsSid, admins_name, ARRAYSIZE(admins_name),
                                       admins, ARRAYSIZE(admins))))
    {
        report(hr, L"cannot look up the name of the Administrators group (S-1-5-32-544)");
        goto out;
    }
    if (FAILED(hr = well_known_account(WinLocalSystemSid, system_name, ARRAYSIZE(system_name), system,
                                       ARRAYSIZE(system))))
    {
        report(hr, L"cannot look up the name of the SYSTEM account (S-1-5-18)");
        goto out;
    }
    if (FAILED(hr = related_collection(apps, L"Roles", app_key, &roles))
        || FAILED(hr = ICatalogCollection_Populate(roles))
        || FAILED(hr = collection_add(roles, &role))
        || FAILED(hr = object_put_string(role, L"Name", admins_name))
        || FAILED(hr = object_put_string(role, L"Description", ROLE_DESCRIPTION_W))
        || FAILED(hr = collection_save(roles)) || FAILED(hr = object_key(role, &role_key)))
    {
        report(hr, L"cannot create role '%ls' in COM+ application '%ls'", admins_name, QGA_VSS_APP_NAME_W);
        goto out;
    }
    if (FAILED(hr = related_collection(roles, L"UsersInRole", role_key, &users))
        || FAILED(hr = ICatalogCollection_Populate(users)))
    {
        report(hr, L"cannot open the users of role '%ls'", admins_name);
        goto out;
    }
    if (FAILED(hr = collection_add(users, &user)) || FAILED(hr = object_put_string(user, L"User", admins)))
    {
        report(hr, L"cannot add '%ls' to role '%ls'", admins, admins_name);
        goto out;
    }
    ICatalogObject_Release(user);
    user = NULL;
    if (FAILED(hr = collection_add(users, &user)) || FAILED(hr = object_put_string(user, L"User", system)))
    {
        report(hr, L"cannot add '%ls' to role '%ls'", system, admins_name);
        goto out;
    }
    if (FAILED(hr = collection_save(users)))
        report(hr, L"cannot save the users ('%ls', '%ls') of role '%ls'", admins, system, admins_name);
out:
    VariantClear(&role_key);
    if (user) ICatalogObject_Release(user);
    if (users) ICatalogCollection_Release(users);
    if (role) ICatalogObject_Release(role);
    if (roles) ICatalogCollection_Release(roles);
    return hr;
}

/* compat: VssOption where qemu-ga users set it.  Created when absent, never overwritten, so an
 * upgrade or a repair keeps the administrator's choice. */
static HRESULT ensure_vss_option(struct registration *reg)
{
    DWORD disposition, type, size = 0, value = VSS_OPTION_DEFAULT;
    HKEY key = NULL;
    LSTATUS status;
    HRESULT hr = S_OK;

    status = RegCreateKeyExW(HKEY_LOCAL_MACHINE, QGA_VSS_OPTION_KEY_W, 0, NULL, 0,
                             KEY_QUERY_VALUE | KEY_SET_VALUE, NULL, &key, &disposition);
    if (status)
        return report(HRESULT_FROM_WIN32(status), L"cannot open HKEY_LOCAL_MACHINE\\%ls",
                      QGA_VSS_OPTION_KEY_W);
    reg->vss_key_created = disposition == REG_CREATED_NEW_KEY;
    status = RegQueryValueExW(key, QGA_VSS_OPTION_VALUE_W, NULL, &type, NULL, &size);
    if (status == ERROR_FILE_NOT_FOUND)
    {
        status = RegSetValueExW(key, QGA_VSS_OPTION_VALUE_W, 0, REG_DWORD, (const BYTE *)&value,
                                sizeof(value));
        if (status)
            hr = report(HRESULT_FROM_WIN32(status), L"cannot write %ls\\%ls", QGA_VSS_OPTION_KEY_W,
                        QGA_VSS_OPTION_VALUE_W);
        else
            reg->vss_option_written = true;
    }
    else if (status)
        hr = report(HRESULT_FROM_WIN32(status), L"cannot read %ls\\%ls", QGA_VSS_OPTION_KEY_W,
                    QGA_VSS_OPTION_VALUE_W);
    else
        TRACE("VssOption present (type %lu); kept.", type);
    RegCloseKey(key);
    return hr;
}

static HRESULT register_vss_provider(struct registration *reg)
{
    BSTR name = SysAllocString(QGA_VSS_PROVIDER_NAME_W), version = SysAllocString(L"" QGA_VERSION);
    HRESULT hr = E_OUTOFMEMORY;
    int attempt;

    if (FAILED(hr = open_vss_admin(reg))) goto out;
    hr = E_OUTOFMEMORY;
    for (attempt = 0; name && version && attempt < 2; attempt++)
    {
        hr = IVssAdmin_RegisterProvider(reg->vss_admin, QGA_VSS_PROVIDER_ID, CLSID_QgaWinVssProvider, name,
                                        VSS_PROV_SOFTWARE, version, QGA_VSS_PROVIDER_VERSION_ID);
        TRACE("RegisterProvider: %#lx.", (unsigned long)hr);
        /* Someone registered it between our cleanup and now: replace that registration once. */
        if (hr != VSS_E_PROVIDER_ALREADY_REGISTERED || attempt) break;
        if (FAILED(unregister_vss_provider(reg))) break;
    }
    if (FAILED(hr))
        report(hr, L"cannot register VSS provider '%ls' %ls", QGA_VSS_PROVIDER_NAME_W,
               QGA_VSS_PROVIDER_ID_STR_W);
out:
    SysFreeString(name);
    SysFreeString(version);
    return hr;
}

static HRESULT install(struct registration *reg)
{
    ICatalogCollection *apps = NULL;
    VARIANT app_key;
    HRESULT hr;

    if (FAILED(hr = create_application(reg, &apps, &app_key))) goto out;
    if (FAILED(hr = create_service(reg, V_BSTR(&app_key)))) goto out;
    if (FAILED(hr = install_component(reg, V_BSTR(&app_key)))) goto out;
    if (FAILED(hr = create_role(apps, app_key))) goto out;
    if (FAILED(hr = ensure_vss_option(reg))) goto out;
    hr = register_vss_provider(reg);
out:
    VariantClear(&app_key);
    if (apps) ICatalogCollection_Release(apps);
    return hr;
}

static void registration_close(struct registration *reg)
{
    if (reg->vss_admin) IVssAdmin_Release(reg->vss_admin);
    if (reg->catalog) ICOMAdminCatalog2_Release(reg->catalog);
    reg->vss_admin = NULL;
    reg->catalog = NULL;
}

/* COM for this thread: S_OK when we must CoUninitialize, S_FALSE when the caller's apartment is
 * used as it is, or a failure. */
static HRESULT com_enter(void)
{
    HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);

    if (hr == RPC_E_CHANGED_MODE) return S_FALSE;
    if (FAILED(hr)) return report(hr, L"cannot initialise COM");
    return S_OK;    /* S_FALSE from CoInitializeEx still needs its CoUninitialize */
}

HRESULT WINAPI COMRegister(void)
{
    struct registration reg = { 0 };
    HANDLE marker = NULL;
    HRESULT com, hr;

    TRACE(".");
    if (FAILED(com = com_enter())) return com;
    InterlockedIncrement(&registering);
    marker = CreateEventW(NULL, TRUE, FALSE, REGISTERING_EVENT_W);

    if (FAILED(hr = find_paths(&reg)) || FAILED(hr = open_catalog(&reg)) || FAILED(hr = open_vss_admin(&reg)))
        goto out;
    /* Repair: whatever is registered now (complete, partial, or an older version) goes first. */
    if (FAILED(hr = remove_registration(&reg)))
    {
        note(true, L"registration failed: the previous registration could not be removed");
        goto out;
    }
    if (FAILED(hr = install(&reg)))
    {
        HRESULT undo = remove_registration(&reg), undo_option = remove_vss_option(&reg);

        if (SUCCEEDED(undo) && SUCCEEDED(undo_option))
            note(true, L"registration failed; everything it did was undone");
        else note(true, L"registration failed, and undoing it failed too: run DLLCOMUnregister");
        goto out;
    }
    TRACE("registered.");
out:
    if (marker) CloseHandle(marker);
    InterlockedDecrement(&registering);
    registration_close(&reg);
    if (com == S_OK) CoUninitialize();
    return hr;
}

HRESULT WINAPI COMUnregister(void)
{
    struct registration reg = { 0 };
    HRESULT com, hr;

    TRACE(".");
    if (FAILED(com = com_enter())) return com;
    if (SUCCEEDED(hr = open_catalog(&reg)) && SUCCEEDED(hr = open_vss_admin(&reg)))
        hr = remove_registration(&reg);
    if (FAILED(hr)) note(true, L"unregistration failed");
    registration_close(&reg);
    if (com == S_OK) CoUninitialize();
    return hr;
}

/* rundll32 entry points (the MSI's custom actions): rundll32 itself always exits 0, so a failure
 * ends the process with the HRESULT as its exit code (compat: qemu-ga 10.1). */
void CALLBACK DLLCOMRegister(HWND window, HINSTANCE instance, LPSTR command_line, int show);
void CALLBACK DLLCOMUnregister(HWND window, HINSTANCE instance, LPSTR command_line, int show);

void CALLBACK DLLCOMRegister(HWND window, HINSTANCE instance, LPSTR command_line, int show)
{
    HRESULT hr;

    (void)window; (void)instance; (void)command_line; (void)show;
    if (FAILED(hr = COMRegister())) ExitProcess((UINT)hr);
}

void CALLBACK DLLCOMUnregister(HWND window, HINSTANCE instance, LPSTR command_line, int show)
{
    HRESULT hr;

    (void)window; (void)instance; (void)command_line; (void)show;
    if (FAILED(hr = COMUnregister())) ExitProcess((UINT)hr);
}
