/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qga-fake-admin.dll: the classes of the COM+ catalog and VSS coordinator doubles, their
 * registration under the real CLSIDs (regsvr32), and FakeDumpState for tests (fake.h). */
#include <stdio.h>
#include <stdlib.h>

#include "fake.h"

static struct com_class classes[] =
{
    COM_CLASS(&CLSID_COMAdminCatalog, fake_catalog_create),
    COM_CLASS(&CLSID_VSSCoordinator, fake_vss_admin_create),
};

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **out);
HRESULT WINAPI DllCanUnloadNow(void);
HRESULT WINAPI DllRegisterServer(void);
HRESULT WINAPI DllUnregisterServer(void);
void CALLBACK FakeDumpState(HWND window, HINSTANCE instance, LPSTR command_line, int show);

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **out)
{
    return com_server_get_class_object(classes, ARRAYSIZE(classes), clsid, riid, out);
}

HRESULT WINAPI DllCanUnloadNow(void)
{
    return com_server_can_unload();
}

/* In-proc, both threading models: Wine has neither server, so the real CLSIDs are free
 * (wine-notes.md §5); CLSCTX_LOCAL_SERVER callers would still fail, as they should notice. */
HRESULT WINAPI DllRegisterServer(void)
{
    WCHAR path[MAX_PATH], key[128], clsid[40];
    LSTATUS status = ERROR_SUCCESS;
    size_t i;

    if (!GetModuleFileNameW(com_server_module(), path, ARRAYSIZE(path))) return HRESULT_FROM_WIN32(GetLastError());
    for (i = 0; i < ARRAYSIZE(classes) && !status; i++)
    {
        guid_to_string(classes[i].clsid, clsid);
        _snwprintf(key, ARRAYSIZE(key), L"CLSID\\%ls\\InprocServer32", clsid);
        status = RegSetKeyValueW(HKEY_CLASSES_ROOT, key, NULL, REG_SZ, path,
                                 (DWORD)((wcslen(path) + 1) * sizeof(WCHAR)));
        if (!status)
            status = RegSetKeyValueW(HKEY_CLASSES_ROOT, key, L"ThreadingModel", REG_SZ, L"Both",
                                     sizeof(L"Both"));
    }
    return HRESULT_FROM_WIN32(status);
}

HRESULT WINAPI DllUnregisterServer(void)
{
    WCHAR key[128], clsid[40];
    size_t i;

    for (i = 0; i < ARRAYSIZE(classes); i++)
    {
        guid_to_string(classes[i].clsid, clsid);
        _snwprintf(key, ARRAYSIZE(key), L"CLSID\\%ls", clsid);
        RegDeleteTreeW(HKEY_CLASSES_ROOT, key);
        RegDeleteKeyW(HKEY_CLASSES_ROOT, key);
    }
    return S_OK;
}

static void dump_applications(struct json *json)
{
    WCHAR **apps = store_subkeys(FAKE_APPS_W), path[512], sub[768], **items, **users, *text;
    static const WCHAR *const app_strings[] = { L"Name", L"Description", L"Identity", L"ServiceName" };
    static const WCHAR *const app_numbers[] =
        { L"ApplicationAccessChecksEnabled", L"Authentication", L"AuthenticationCapability",
          L"ImpersonationLevel",
          L"Activation" };
    size_t i, j, k;
    DWORD number;
    char name[64];

    json_begin(json, '[');
    for (i = 0; apps && apps[i]; i++)
    {
        _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", FAKE_APPS_W, apps[i]);
        json_begin(json, '{');
        json_key(json, "ID");
        json_string(json, apps[i]);
        for (j = 0; j < ARRAYSIZE(app_strings); j++)
        {
            if (!(text = store_get_string(path, app_strings[j]))) continue;
            WideCharToMultiByte(CP_UTF8, 0, app_strings[j], -1, name, sizeof(name), NULL, NULL);
            json_key(json, name);
            json_string(json, text);
            free(text);
        }
        for (j = 0; j < ARRAYSIZE(app_numbers); j++)
        {
            if (!store_get_dword(path, app_numbers[j], &number)) continue;
            WideCharToMultiByte(CP_UTF8, 0, app_numbers[j], -1, name, sizeof(name), NULL, NULL);
            json_key(json, name);
            json_int(json, number);
        }
        json_key(json, "components");
        json_begin(json, '[');
        _snwprintf(sub, ARRAYSIZE(sub), L"%ls\\Components", path);
        items = store_subkeys(sub);
        for (j = 0; items && items[j]; j++)
        {
            WCHAR component[900];

            _snwprintf(component, ARRAYSIZE(component), L"%ls\\%ls", sub, items[j]);
            json_begin(json, '{');
            json_key(json, "CLSID");
            json_string(json, items[j]);
            json_key(json, "DLL");
            text = store_get_string(component, L"DLL");
            json_string(json, text);
            free(text);
            json_key(json, "TypeLib");
            text = store_get_string(component, L"TypeLib");
            json_string(json, text);
            free(text);
            json_end(json, '}');
        }
        store_free_list(items);
        json_end(json, ']');
        json_key(json, "roles");
        json_begin(json, '[');
        _snwprintf(sub, ARRAYSIZE(sub), L"%ls\\Roles", path);
        items = store_subkeys(sub);
        for (j = 0; items && items[j]; j++)
        {
            WCHAR role[900];

            _snwprintf(role, ARRAYSIZE(role), L"%ls\\%ls", sub, items[j]);
            json_begin(json, '{');
            json_key(json, "key");
            json_string(json, items[j]);
            json_key(json, "Name");
            text = store_get_string(role, L"Name");
            json_string(json, text);
            free(text);
            json_key(json, "Description");
            text = store_get_string(role, L"Description");
            json_string(json, text);
            free(text);
            json_key(json, "users");
            json_begin(json, '[');
            users = store_get_multi(role, L"Users");
            for (k = 0; users && users[k]; k++) json_string(json, users[k]);
            store_free_list(users);
            json_end(json, ']');
            json_end(json, '}');
        }
        store_free_list(items);
        json_end(json, ']');
        json_end(json, '}');
    }
    store_free_list(apps);
    json_end(json, ']');
}

static void dump_providers(struct json *json)
{
    static const WCHAR *const strings[] = { L"Name", L"Class", L"Version", L"VersionId" };
    WCHAR **providers = store_subkeys(FAKE_PROVIDERS_W), path[256], *text;
    size_t i, j;
    DWORD type;
    char name[32];

    json_begin(json, '[');
    for (i = 0; providers && providers[i]; i++)
    {
        _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", FAKE_PROVIDERS_W, providers[i]);
        json_begin(json, '{');
        json_key(json, "ID");
        json_string(json, providers[i]);
        for (j = 0; j < ARRAYSIZE(strings); j++)
        {
            WideCharToMultiByte(CP_UTF8, 0, strings[j], -1, name, sizeof(name), NULL, NULL);
            json_key(json, name);
            text = store_get_string(path, strings[j]);
            json_string(json, text);
            free(text);
        }
        if (store_get_dword(path, L"Type", &type))
        {
            json_key(json, "Type");
            json_int(json, type);
        }
        json_end(json, '}');
    }
    store_free_list(providers);
    json_end(json, ']');
}

/* rundll32 qga-fake-admin.dll,FakeDumpState <path>: the whole store as one JSON object
 * {"applications": [...], "providers": [...]} in <path>, for tests to assert on. */
void CALLBACK FakeDumpState(HWND window, HINSTANCE instance, LPSTR command_line, int show)
{
    struct json json;
    HANDLE file;
    DWORD written;
    const char *text;

    (void)window; (void)instance; (void)show;
    json_init(&json);
    json_begin(&json, '{');
    json_key(&json, "applications");
    dump_applications(&json);
    json_key(&json, "providers");
    dump_providers(&json);
    json_end(&json, '}');
    text = json_text(&json);
    file = CreateFileA(command_line, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE || !WriteFile(file, text, (DWORD)strlen(text), &written, NULL))
    {
        fprintf(stderr, "FakeDumpState: cannot write '%s' (error %lu)\n", command_line, GetLastError());
        ExitProcess(1);
    }
    CloseHandle(file);
    json_free(&json);
}
