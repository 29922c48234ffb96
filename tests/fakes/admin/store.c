/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fakes' persistent state: registry helpers over HKLM\Software\QgaWinTests\Fakes (fake.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

void guid_to_string(const GUID *guid, WCHAR out[40])
{
    if (!StringFromGUID2(guid, out, 40)) out[0] = 0;
}

bool is_bstr(BSTR value)
{
    return !value || SysStringLen(value) == wcslen(value);
}

bool store_key_exists(const WCHAR *path)
{
    HKEY key;

    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_READ, &key)) return false;
    RegCloseKey(key);
    return true;
}

WCHAR *store_get_string(const WCHAR *path, const WCHAR *name)
{
    DWORD size = 0;
    WCHAR *value;

    if (RegGetValueW(HKEY_LOCAL_MACHINE, path, name, RRF_RT_REG_SZ, NULL, NULL, &size)) return NULL;
    if (!(value = malloc(size + sizeof(WCHAR)))) return NULL;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, path, name, RRF_RT_REG_SZ, NULL, value, &size))
    {
        free(value);
        return NULL;
    }
    return value;
}

bool store_get_dword(const WCHAR *path, const WCHAR *name, DWORD *value)
{
    DWORD size = sizeof(*value);

    return !RegGetValueW(HKEY_LOCAL_MACHINE, path, name, RRF_RT_REG_DWORD, NULL, value, &size);
}

LSTATUS store_set_string(const WCHAR *path, const WCHAR *name, const WCHAR *value)
{
    return RegSetKeyValueW(HKEY_LOCAL_MACHINE, path, name, REG_SZ, value,
                           (DWORD)((wcslen(value) + 1) * sizeof(WCHAR)));
}

LSTATUS store_set_dword(const WCHAR *path, const WCHAR *name, DWORD value)
{
    return RegSetKeyValueW(HKEY_LOCAL_MACHINE, path, name, REG_DWORD, &value, sizeof(value));
}

LSTATUS store_delete_value(const WCHAR *path, const WCHAR *name)
{
    LSTATUS status = RegDeleteKeyValueW(HKEY_LOCAL_MACHINE, path, name);

    return status == ERROR_FILE_NOT_FOUND ? ERROR_SUCCESS : status;
}

LSTATUS store_delete_tree(const WCHAR *path)
{
    LSTATUS status = RegDeleteTreeW(HKEY_LOCAL_MACHINE, path);

    if (status == ERROR_FILE_NOT_FOUND) return ERROR_SUCCESS;
    if (!status) status = RegDeleteKeyW(HKEY_LOCAL_MACHINE, path);
    return status == ERROR_FILE_NOT_FOUND ? ERROR_SUCCESS : status;
}

void store_free_list(WCHAR **list)
{
    size_t i;

    if (!list) return;
    for (i = 0; list[i]; i++) free(list[i]);
    free(list);
}

WCHAR **store_subkeys(const WCHAR *path)
{
    WCHAR name[256], **list = calloc(1, sizeof(*list)), **grown;
    size_t count = 0;
    DWORD index, len;
    HKEY key;

    if (!list) return NULL;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_READ, &key)) return list;
    for (index = 0;; index++)
    {
        len = ARRAYSIZE(name);
        if (RegEnumKeyExW(key, index, name, &len, NULL, NULL, NULL, NULL)) break;
        if (!(grown = realloc(list, (count + 2) * sizeof(*list)))) break;
        list = grown;
        if (!(list[count] = _wcsdup(name))) break;
        list[++count] = NULL;
    }
    RegCloseKey(key);
    return list;
}

WCHAR **store_get_multi(const WCHAR *path, const WCHAR *name)
{
    WCHAR *data = NULL, *p, **list = calloc(1, sizeof(*list)), **grown;
    DWORD size = 0;
    size_t count = 0;

    if (!list) return NULL;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, path, name, RRF_RT_REG_MULTI_SZ, NULL, NULL, &size)) return list;
    if (!(data = calloc(1, size + 2 * sizeof(WCHAR)))) return list;
    if (!RegGetValueW(HKEY_LOCAL_MACHINE, path, name, RRF_RT_REG_MULTI_SZ, NULL, data, &size))
    {
        for (p = data; *p; p += wcslen(p) + 1)
        {
            if (!(grown = realloc(list, (count + 2) * sizeof(*list)))) break;
            list = grown;
            if (!(list[count] = _wcsdup(p))) break;
            list[++count] = NULL;
        }
    }
    free(data);
    return list;
}

LSTATUS store_set_multi(const WCHAR *path, const WCHAR *name, WCHAR *const *values, size_t count)
{
    size_t i, chars = 1;
    WCHAR *data, *p;
    LSTATUS status;

    for (i = 0; i < count; i++) chars += wcslen(values[i]) + 1;
    if (!(data = calloc(chars + 1, sizeof(WCHAR)))) return ERROR_OUTOFMEMORY;
    for (i = 0, p = data; i < count; i++)
    {
        wcscpy(p, values[i]);
        p += wcslen(values[i]) + 1;
    }
    status = RegSetKeyValueW(HKEY_LOCAL_MACHINE, path, name, REG_MULTI_SZ, data,
                             (DWORD)(chars * sizeof(WCHAR)));
    free(data);
    return status;
}

HRESULT store_find_app(const WCHAR *id_or_name, WCHAR id[40])
{
    WCHAR **apps = store_subkeys(FAKE_APPS_W), path[512], *name;
    unsigned matches = 0;
    size_t i;

    id[0] = 0;
    for (i = 0; apps && apps[i]; i++)
    {
        if (!_wcsicmp(apps[i], id_or_name))
        {
            wcscpy(id, apps[i]);
            matches = 1;
            break;
        }
        _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", FAKE_APPS_W, apps[i]);
        if ((name = store_get_string(path, L"Name")) && !_wcsicmp(name, id_or_name))
        {
            if (!matches++) wcscpy(id, apps[i]);
        }
        free(name);
    }
    store_free_list(apps);
    if (!matches) return COMADMIN_E_OBJECT_DOES_NOT_EXIST;
    return matches > 1 ? COMADMIN_E_AMBIGUOUS_APPLICATION_NAME : S_OK;
}

bool store_component_app(const GUID *clsid, WCHAR app_id[40])
{
    WCHAR **apps = store_subkeys(FAKE_APPS_W), path[512], clsid_text[40];
    bool found = false;
    size_t i;

    guid_to_string(clsid, clsid_text);
    for (i = 0; apps && apps[i] && !found; i++)
    {
        _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls\\Components\\%ls", FAKE_APPS_W, apps[i], clsid_text);
        if ((found = store_key_exists(path))) wcscpy(app_id, apps[i]);
    }
    store_free_list(apps);
    return found;
}

static HRESULT delete_service(const WCHAR *name)
{
    SC_HANDLE manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS), service = NULL;
    HRESULT hr = S_OK;

    if (!manager) return HRESULT_FROM_WIN32(GetLastError());
    if (!(service = OpenServiceW(manager, name, DELETE)))
    {
        if (GetLastError() != ERROR_SERVICE_DOES_NOT_EXIST) hr = HRESULT_FROM_WIN32(GetLastError());
    }
    else if (!DeleteService(service) && GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE)
        hr = HRESULT_FROM_WIN32(GetLastError());
    if (service) CloseServiceHandle(service);
    CloseServiceHandle(manager);
    return hr;
}

/* COM+ removes what it registered for the application: its service and its classes. */
HRESULT store_delete_app(const WCHAR *app_id)
{
    WCHAR path[512], components[512], clsid_key[64], **clsids, *service;
    HRESULT hr = S_OK;
    size_t i;

    _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", FAKE_APPS_W, app_id);
    if ((service = store_get_string(path, L"ServiceName")))
    {
        hr = delete_service(service);
        free(service);
        if (FAILED(hr)) return hr;
    }
    _snwprintf(components, ARRAYSIZE(components), L"%ls\\Components", path);
    clsids = store_subkeys(components);
    for (i = 0; clsids && clsids[i]; i++)
    {
        LSTATUS status;

        _snwprintf(clsid_key, ARRAYSIZE(clsid_key), L"CLSID\\%ls", clsids[i]);
        status = RegDeleteTreeW(HKEY_CLASSES_ROOT, clsid_key);
        if (status && status != ERROR_FILE_NOT_FOUND) hr = HRESULT_FROM_WIN32(status);
        else RegDeleteKeyW(HKEY_CLASSES_ROOT, clsid_key);
    }
    store_free_list(clsids);
    if (FAILED(hr)) return hr;
    return HRESULT_FROM_WIN32(store_delete_tree(path));
}
