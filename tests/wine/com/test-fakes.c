/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The test doubles of the COM+ catalog and IVssAdmin (tests/fakes/admin) reject what the real ones
 * reject: a double that accepts anything proves nothing (style.md §1).  Run under Wine with the
 * doubles registered and an empty store; argv[1] is the Windows path of qga-vss.dll (with its tlb
 * next to it), used as a real component.  Prints TAP (wine-test.h). */
#define COBJMACROS
#include <windows.h>
#include <objbase.h>
#include <oleauto.h>
#include <string.h>
#include <comadmin.h>
#include <vss.h>
#include <vsadmin.h>
#include <vsserror.h>

#include "guids.h"
#include "wine-test.h"

#define TEST_APP_W L"fake-contract-test"
#define OTHER_APP_W L"fake-contract-other"
/* Makes qga-vss.dll's DllRegisterServer register its class only (win/provider/register.c). */
#define REGISTERING_EVENT_W L"Global\\QgaWinVss-registering"

static const GUID test_provider_id = { 0x0badc0de, 0x1234, 0x5678, { 1, 2, 3, 4, 5, 6, 7, 8 } };
static WCHAR dll_path[MAX_PATH], tlb_path[MAX_PATH];
static ICOMAdminCatalog2 *catalog;
static IVssAdmin *vss_admin;

static HRESULT get_collection(const WCHAR *name, ICatalogCollection **out)
{
    BSTR name_b = SysAllocString(name);
    IDispatch *dispatch = NULL;
    HRESULT hr = ICOMAdminCatalog2_GetCollection(catalog, name_b, &dispatch);

    SysFreeString(name_b);
    *out = NULL;
    if (SUCCEEDED(hr))
    {
        hr = IDispatch_QueryInterface(dispatch, &IID_ICatalogCollection, (void **)out);
        IDispatch_Release(dispatch);
    }
    return hr;
}

static HRESULT related(ICatalogCollection *parent, const WCHAR *name, VARIANT key, ICatalogCollection **out)
{
    BSTR name_b = SysAllocString(name);
    IDispatch *dispatch = NULL;
    HRESULT hr = ICatalogCollection_GetCollection(parent, name_b, key, &dispatch);

    SysFreeString(name_b);
    *out = NULL;
    if (SUCCEEDED(hr))
    {
        hr = IDispatch_QueryInterface(dispatch, &IID_ICatalogCollection, (void **)out);
        IDispatch_Release(dispatch);
    }
    return hr;
}

static ICatalogObject *add(ICatalogCollection *collection)
{
    IDispatch *dispatch = NULL;
    ICatalogObject *object = NULL;
    HRESULT hr = ICatalogCollection_Add(collection, &dispatch);

    ok(hr == S_OK, "Add: got hr %#lx", hr);
    if (dispatch)
    {
        IDispatch_QueryInterface(dispatch, &IID_ICatalogObject, (void **)&object);
        IDispatch_Release(dispatch);
    }
    return object;
}

static HRESULT put(ICatalogObject *object, const WCHAR *property, VARIANT value)
{
    BSTR property_b = SysAllocString(property);
    HRESULT hr = ICatalogObject_put_Value(object, property_b, value);

    SysFreeString(property_b);
    return hr;
}

static HRESULT put_string(ICatalogObject *object, const WCHAR *property, const WCHAR *text)
{
    VARIANT value;
    HRESULT hr;

    V_VT(&value) = VT_BSTR;
    V_BSTR(&value) = SysAllocString(text);
    hr = put(object, property, value);
    VariantClear(&value);
    return hr;
}

static HRESULT put_long(ICatalogObject *object, const WCHAR *property, LONG number)
{
    VARIANT value;

    V_VT(&value) = VT_I4;
    V_I4(&value) = number;
    return put(object, property, value);
}

static HRESULT save(ICatalogCollection *collection)
{
    LONG changes;

    return ICatalogCollection_SaveChanges(collection, &changes);
}

static HRESULT create_service(const WCHAR *app, const WCHAR *start, const WCHAR *account,
                              const WCHAR *password)
{
    BSTR app_b = SysAllocString(app), name = SysAllocString(L"fake contract service");
    BSTR start_b = SysAllocString(start), error = SysAllocString(L"SERVICE_ERROR_NORMAL");
    BSTR deps = SysAllocString(L""), account_b = SysAllocString(account);
    BSTR password_b = SysAllocString(password);
    HRESULT hr = ICOMAdminCatalog2_CreateServiceForApplication(catalog, app_b, name, start_b, error, deps,
                                                               account_b, password_b, VARIANT_FALSE);

    SysFreeString(app_b); SysFreeString(name); SysFreeString(start_b); SysFreeString(error);
    SysFreeString(deps); SysFreeString(account_b); SysFreeString(password_b);
    return hr;
}

static HRESULT delete_service(const WCHAR *app)
{
    BSTR app_b = SysAllocString(app);
    HRESULT hr = ICOMAdminCatalog2_DeleteServiceForApplication(catalog, app_b);

    SysFreeString(app_b);
    return hr;
}

static HRESULT install_component(const WCHAR *app, const WCHAR *dll, const WCHAR *tlb)
{
    BSTR app_b = SysAllocString(app), dll_b = SysAllocString(dll), tlb_b = SysAllocString(tlb);
    BSTR proxy = SysAllocString(L"");
    HANDLE marker = CreateEventW(NULL, TRUE, FALSE, REGISTERING_EVENT_W);
    HRESULT hr = ICOMAdminCatalog2_InstallComponent(catalog, app_b, dll_b, tlb_b, proxy);

    if (marker) CloseHandle(marker);
    SysFreeString(app_b); SysFreeString(dll_b); SysFreeString(tlb_b); SysFreeString(proxy);
    return hr;
}

static HRESULT register_provider(const GUID *clsid, VSS_PROVIDER_TYPE type)
{
    WCHAR name[] = L"fake contract provider", version[] = L"1.0";

    return IVssAdmin_RegisterProvider(vss_admin, test_provider_id, *clsid, name, type, version, GUID_NULL);
}

/* Creates and saves an application; returns its key (a BSTR VARIANT). */
static VARIANT create_app(ICatalogCollection *apps, const WCHAR *name)
{
    ICatalogObject *app = add(apps);
    VARIANT key;
    HRESULT hr;

    VariantInit(&key);
    if (!app) return key;
    put_string(app, L"Name", name);
    hr = save(apps);
    ok(hr == S_OK, "saving application %ls: got hr %#lx", name, hr);
    ICatalogObject_get_Key(app, &key);
    ICatalogObject_Release(app);
    return key;
}

static void test_arguments_are_bstrs(void)
{
    struct { DWORD bytes; WCHAR text[16]; } not_a_bstr = { 999, L"Applications" };
    IDispatch *dispatch = (IDispatch *)0xdeadbeef;
    HRESULT hr;

    hr = ICOMAdminCatalog2_GetCollection(catalog, not_a_bstr.text, &dispatch);
    ok(hr == E_INVALIDARG, "a plain string where a BSTR belongs: got hr %#lx, expected E_INVALIDARG", hr);
}

static void test_collections(void)
{
    ICatalogCollection *apps = NULL, *roles = NULL;
    ICatalogObject *app, *item = NULL;
    IDispatch *dispatch = NULL;
    VARIANT key, bad;
    LONG count = -1;
    HRESULT hr;

    hr = get_collection(L"NoSuchCollection", &apps);
    ok(FAILED(hr) && !apps, "unknown top-level collection: got hr %#lx", hr);
    hr = get_collection(L"Applications", &apps);
    ok(hr == S_OK, "Applications: got hr %#lx", hr);
    if (!apps) return;
    hr = ICatalogCollection_get_Count(apps, &count);
    ok(hr == S_OK && count == 0, "empty until Populate: got hr %#lx, count %ld", hr, count);
    hr = ICatalogCollection_get_Item(apps, 0, &dispatch);
    ok(hr == E_INVALIDARG && !dispatch, "Item(0) before Populate: got hr %#lx", hr);

    app = add(apps);
    if (!app) goto out;
    hr = put_string(app, L"NoSuchProperty", L"x");
    ok(hr == E_INVALIDARG, "unknown property: got hr %#lx", hr);
    hr = put_string(app, L"ID", L"{00000000-0000-0000-0000-000000000000}");
    ok(hr == E_ACCESSDENIED, "read-only ID: got hr %#lx", hr);
    hr = put_long(app, L"Authentication", 7);
    ok(hr == E_INVALIDARG, "Authentication out of range: got hr %#lx", hr);
    hr = put_string(app, L"Authentication", L"not a number");
    ok(hr == DISP_E_TYPEMISMATCH, "Authentication as text: got hr %#lx", hr);
    hr = save(apps);
    ok(hr == COMADMIN_E_OBJECTINVALID, "an application without a name: got hr %#lx", hr);

    /* Related collections need a saved parent. */
    ICatalogObject_get_Key(app, &key);
    hr = related(apps, L"Roles", key, &roles);
    ok(hr == COMADMIN_E_OBJECT_PARENT_MISSING && !roles, "Roles of an unsaved application: got hr %#lx", hr);
    V_VT(&bad) = VT_I4;
    V_I4(&bad) = 1;
    hr = related(apps, L"Roles", bad, &roles);
    ok(hr == E_INVALIDARG, "a key that is not a string: got hr %#lx", hr);
    VariantClear(&key);
    ICatalogObject_Release(app);

    hr = ICatalogCollection_Populate(apps);
    ok(hr == S_OK, "Populate: got hr %#lx", hr);
    ICatalogCollection_get_Count(apps, &count);
    ok(count == 0, "unsaved changes are gone after Populate: count %ld", count);
    if (item) ICatalogObject_Release(item);
out:
    ICatalogCollection_Release(apps);
}

static void test_roles(void)
{
    ICatalogCollection *apps = NULL, *roles = NULL, *users = NULL;
    ICatalogObject *role, *role2, *user;
    VARIANT app_key, role_key;
    HRESULT hr;

    VariantInit(&role_key);
    if (FAILED(get_collection(L"Applications", &apps))) return;
    ICatalogCollection_Populate(apps);
    app_key = create_app(apps, TEST_APP_W);
    hr = related(apps, L"Roles", app_key, &roles);
    ok(hr == S_OK, "Roles of a saved application: got hr %#lx", hr);
    if (!roles) goto out;
    ICatalogCollection_Populate(roles);
    role = add(roles);
    role2 = add(roles);
    put_string(role, L"Name", L"Same");
    put_string(role2, L"Name", L"same");
    hr = save(roles);
    ok(hr == COMADMIN_E_ROLEEXISTS, "two roles with one name: got hr %#lx", hr);
    ICatalogObject_Release(role2);
    ICatalogCollection_Remove(roles, 1);
    hr = save(roles);
    ok(hr == S_OK, "one role: got hr %#lx", hr);
    ICatalogObject_get_Key(role, &role_key);
    ICatalogObject_Release(role);

    hr = related(roles, L"UsersInRole", role_key, &users);
    ok(hr == S_OK, "UsersInRole: got hr %#lx", hr);
    if (!users) goto out;
    ICatalogCollection_Populate(users);
    user = add(users);
    put_string(user, L"User", L"NoSuchDomain\\nobody");
    hr = save(users);
    ok(hr == COMADMIN_E_NOUSER, "an account that does not exist: got hr %#lx", hr);
    put_string(user, L"User", L"NT AUTHORITY\\SYSTEM");
    ICatalogObject_Release(user);
    user = add(users);
    put_string(user, L"User", L"nt authority\\system");
    hr = save(users);
    ok(hr == COMADMIN_E_OBJECTEXISTS, "the same account twice: got hr %#lx", hr);
    ICatalogObject_Release(user);
    ICatalogCollection_Remove(users, 1);
    hr = save(users);
    ok(hr == S_OK, "SYSTEM in the role: got hr %#lx", hr);
out:
    VariantClear(&app_key);
    VariantClear(&role_key);
    if (users) ICatalogCollection_Release(users);
    if (roles) ICatalogCollection_Release(roles);
    ICatalogCollection_Release(apps);
}

static void test_services(void)
{
    HRESULT hr;

    hr = create_service(L"no such application", L"SERVICE_DEMAND_START", L".\\LocalSystem", L"");
    ok(hr == COMADMIN_E_OBJECT_DOES_NOT_EXIST, "service for a missing application: got hr %#lx", hr);
    hr = create_service(TEST_APP_W, L"SOMETIMES", L".\\LocalSystem", L"");
    ok(hr == E_INVALIDARG, "unknown start type: got hr %#lx", hr);
    hr = create_service(TEST_APP_W, L"SERVICE_DEMAND_START", L"LocalSystem", L"secret");
    ok(hr == E_INVALIDARG, "LocalSystem with a password: got hr %#lx", hr);
    hr = delete_service(TEST_APP_W);
    ok(hr == COMADMIN_E_SERVICENOTINSTALLED, "deleting a service never created: got hr %#lx", hr);
    hr = create_service(TEST_APP_W, L"SERVICE_DEMAND_START", L".\\LocalSystem", L"");
    ok(hr == S_OK, "service by application name: got hr %#lx", hr);
    hr = create_service(TEST_APP_W, L"SERVICE_DEMAND_START", L".\\LocalSystem", L"");
    ok(hr == HRESULT_FROM_WIN32(ERROR_SERVICE_EXISTS), "a second service: got hr %#lx", hr);
    hr = delete_service(TEST_APP_W);
    ok(hr == S_OK, "DeleteServiceForApplication: got hr %#lx", hr);
}

static void test_components_and_providers(void)
{
    ICatalogCollection *apps = NULL;
    VARIANT other_key;
    HRESULT hr;

    hr = register_provider(&CLSID_QgaWinVssProvider, VSS_PROV_SOFTWARE);
    ok(hr == E_INVALIDARG, "a provider whose class is in no COM+ application: got hr %#lx", hr);
    hr = IVssAdmin_UnregisterProvider(vss_admin, test_provider_id);
    ok(hr == VSS_E_PROVIDER_NOT_REGISTERED, "unregistering an unknown provider: got hr %#lx", hr);

    hr = install_component(L"no such application", dll_path, tlb_path);
    ok(hr == COMADMIN_E_OBJECT_DOES_NOT_EXIST, "component for a missing application: got hr %#lx", hr);
    hr = install_component(TEST_APP_W, L"C:\\no\\such.dll", tlb_path);
    ok(hr == COMADMIN_E_COMPFILE_DOESNOTEXIST, "a missing DLL: got hr %#lx", hr);
    hr = install_component(TEST_APP_W, dll_path, L"");
    ok(hr == COMADMIN_E_COMPFILE_BADTLB, "no type library anywhere: got hr %#lx", hr);
    hr = install_component(TEST_APP_W, dll_path, tlb_path);
    ok(hr == S_OK, "InstallComponent: got hr %#lx", hr);

    if (SUCCEEDED(get_collection(L"Applications", &apps)))
    {
        ICatalogCollection_Populate(apps);
        other_key = create_app(apps, OTHER_APP_W);
        hr = install_component(OTHER_APP_W, dll_path, tlb_path);
        ok(hr == COMADMIN_E_ALREADYINSTALLED, "the same class in a second application: got hr %#lx", hr);
        VariantClear(&other_key);
        ICatalogCollection_Release(apps);
    }

    hr = register_provider(&CLSID_QgaWinVssProvider, VSS_PROV_SYSTEM);
    ok(hr == E_INVALIDARG, "a system provider: got hr %#lx", hr);
    hr = register_provider(&CLSID_QgaWinVssProvider, VSS_PROV_SOFTWARE);
    ok(hr == S_OK, "RegisterProvider: got hr %#lx", hr);
    hr = register_provider(&CLSID_QgaWinVssProvider, VSS_PROV_SOFTWARE);
    ok(hr == VSS_E_PROVIDER_ALREADY_REGISTERED, "registering twice: got hr %#lx", hr);
    hr = IVssAdmin_UnregisterProvider(vss_admin, test_provider_id);
    ok(hr == S_OK, "UnregisterProvider: got hr %#lx", hr);
}

/* Removing an application takes its service and its classes with it, as COM+ does. */
static void test_remove_applications(void)
{
    ICatalogCollection *apps = NULL;
    ICatalogObject *app;
    LONG count = 0, i;
    VARIANT name;
    HKEY key;
    HRESULT hr;

    hr = create_service(TEST_APP_W, L"SERVICE_DEMAND_START", L".\\LocalSystem", L"");
    ok(hr == S_OK, "service again: got hr %#lx", hr);
    if (FAILED(get_collection(L"Applications", &apps))) return;
    ICatalogCollection_Populate(apps);
    ICatalogCollection_get_Count(apps, &count);
    for (i = count - 1; i >= 0; i--)
    {
        IDispatch *dispatch = NULL;

        if (FAILED(ICatalogCollection_get_Item(apps, i, &dispatch))) continue;
        IDispatch_QueryInterface(dispatch, &IID_ICatalogObject, (void **)&app);
        IDispatch_Release(dispatch);
        ICatalogObject_get_Name(app, &name);
        if (!wcscmp(V_BSTR(&name), TEST_APP_W) || !wcscmp(V_BSTR(&name), OTHER_APP_W))
            ok(ICatalogCollection_Remove(apps, i) == S_OK, "Remove %ls", V_BSTR(&name));
        VariantClear(&name);
        ICatalogObject_Release(app);
    }
    hr = save(apps);
    ok(hr == S_OK, "saving the removal: got hr %#lx", hr);
    ICatalogCollection_Release(apps);
    ok(RegOpenKeyExW(HKEY_CLASSES_ROOT, L"CLSID\\" QGA_VSS_PROVIDER_CLSID_STR_W, 0, KEY_READ, &key)
       == ERROR_FILE_NOT_FOUND, "the component's class went with its application");
    hr = delete_service(TEST_APP_W);
    ok(hr == COMADMIN_E_OBJECT_DOES_NOT_EXIST, "the application is gone: got hr %#lx", hr);
}

int wmain(int argc, WCHAR **argv);
int wmain(int argc, WCHAR **argv)
{
    WCHAR *dot;
    HRESULT hr;

    test_name = "init";
    ok(argc == 2, "usage: test-fakes.exe <path of qga-vss.dll>");
    if (argc != 2) return test_finish();
    wcsncpy(dll_path, argv[1], ARRAYSIZE(dll_path) - 1);
    wcscpy(tlb_path, dll_path);
    if ((dot = wcsrchr(tlb_path, L'.'))) wcscpy(dot, L".tlb");
    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    ok(hr == S_OK, "CoInitializeEx: got hr %#lx", hr);
    hr = CoCreateInstance(&CLSID_COMAdminCatalog, NULL, CLSCTX_INPROC_SERVER, &IID_ICOMAdminCatalog2,
                          (void **)&catalog);
    ok(hr == S_OK, "the catalog double: got hr %#lx", hr);
    hr = CoCreateInstance(&CLSID_VSSCoordinator, NULL, CLSCTX_ALL, &IID_IVssAdmin, (void **)&vss_admin);
    ok(hr == S_OK, "the IVssAdmin double: got hr %#lx", hr);
    if (catalog && vss_admin)
    {
        run_test(test_arguments_are_bstrs);
        run_test(test_collections);
        run_test(test_roles);
        run_test(test_services);
        run_test(test_components_and_providers);
        run_test(test_remove_applications);
    }
    if (vss_admin) IVssAdmin_Release(vss_admin);
    if (catalog) ICOMAdminCatalog2_Release(catalog);
    CoUninitialize();
    return test_finish();
}
