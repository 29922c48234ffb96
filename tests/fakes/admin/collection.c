/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test double of the COM+ catalog's collections (Applications, Roles, UsersInRole) and their
 * objects, kept in the registry (fake.h).  Contract enforced: string arguments are BSTRs; a
 * collection is empty until Populate; changes exist only after SaveChanges; properties must
 * exist, be writable and in range; a related collection needs a saved parent; role names are
 * unique in an application; role members are real accounts, each once; removing an application
 * removes its service and its classes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define MAX_PROPERTIES 12

enum property_flags
{
    PROP_REQUIRED  = 1 << 0,     /* SaveChanges refuses the object without a non-empty value */
    PROP_READONLY  = 1 << 1,
    PROP_WRITEONLY = 1 << 2,
    PROP_STORED    = 1 << 3,     /* persisted in the store */
};

struct property
{
    const WCHAR *name;
    VARTYPE type;
    unsigned flags;
    LONG min, max;               /* for VT_I4 */
};

static const struct property app_properties[] =
{
    { L"ID",                             VT_BSTR, PROP_READONLY, 0, 0 },
    { L"Name",                           VT_BSTR, PROP_REQUIRED | PROP_STORED, 0, 0 },
    { L"Description",                    VT_BSTR, PROP_STORED, 0, 0 },
    { L"ApplicationAccessChecksEnabled", VT_BOOL, PROP_STORED, 0, 0 },
    { L"Authentication",                 VT_I4,   PROP_STORED, 0, 6 },
    { L"AuthenticationCapability",       VT_I4,   PROP_STORED, 0, 0x62 },
    { L"ImpersonationLevel",             VT_I4,   PROP_STORED, 1, 4 },
    { L"Activation",                     VT_I4,   PROP_STORED, 0, 1 },
    { L"Identity",                       VT_BSTR, PROP_STORED, 0, 0 },
    { L"Password",                       VT_BSTR, PROP_WRITEONLY, 0, 0 },
    { L"ServiceName",                    VT_BSTR, PROP_READONLY | PROP_STORED, 0, 0 },
};

static const struct property role_properties[] =
{
    { L"Name",        VT_BSTR, PROP_REQUIRED | PROP_STORED, 0, 0 },
    { L"Description", VT_BSTR, PROP_STORED, 0, 0 },
};

static const struct property user_properties[] =
{
    { L"User", VT_BSTR, PROP_REQUIRED, 0, 0 },
};

static const struct
{
    const char *name;
    const struct property *properties;
    size_t count;
}
kinds[] =
{
    [FAKE_APPLICATIONS] = { "Applications", app_properties, ARRAYSIZE(app_properties) },
    [FAKE_ROLES]        = { "Roles", role_properties, ARRAYSIZE(role_properties) },
    [FAKE_USERS]        = { "UsersInRole", user_properties, ARRAYSIZE(user_properties) },
};

struct catalog_object
{
    ICatalogObject ICatalogObject_iface;
    LONG refcount;
    enum fake_kind kind;
    WCHAR key[256];
    bool is_new, dirty;
    VARIANT values[MAX_PROPERTIES];
};

struct collection
{
    ICatalogCollection ICatalogCollection_iface;
    LONG refcount;
    enum fake_kind kind;
    WCHAR path[512];             /* the store key holding the objects (FAKE_USERS: the role's key) */
    WCHAR parent[512];           /* the parent object's store key ("" for Applications) */
    struct catalog_object **objects;
    size_t count, capacity;
    WCHAR **removed;             /* keys of saved objects removed since Populate */
    size_t removed_count;
};

static inline struct catalog_object *impl_from_ICatalogObject(ICatalogObject *iface)
{
    return CONTAINING_RECORD(iface, struct catalog_object, ICatalogObject_iface);
}

static inline struct collection *impl_from_ICatalogCollection(ICatalogCollection *iface)
{
    return CONTAINING_RECORD(iface, struct collection, ICatalogCollection_iface);
}

static void call_name(char *out, size_t size, enum fake_kind kind, const char *method)
{
    snprintf(out, size, "%s.%s", kinds[kind].name, method);
}

static int property_index(enum fake_kind kind, const WCHAR *name)
{
    size_t i;

    for (i = 0; i < kinds[kind].count; i++)
        if (name && !_wcsicmp(kinds[kind].properties[i].name, name)) return (int)i;
    return -1;
}

static const WCHAR *object_string(struct catalog_object *object, const WCHAR *name)
{
    int i = property_index(object->kind, name);

    if (i < 0 || V_VT(&object->values[i]) != VT_BSTR || !V_BSTR(&object->values[i])) return L"";
    return V_BSTR(&object->values[i]);
}

/* ---- ICatalogObject ---- */

static HRESULT WINAPI object_QueryInterface(ICatalogObject *iface, REFIID riid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch)
        || IsEqualIID(riid, &IID_ICatalogObject))
    {
        *out = iface;
        ICatalogObject_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI object_AddRef(ICatalogObject *iface)
{
    struct catalog_object *object = impl_from_ICatalogObject(iface);
    return InterlockedIncrement(&object->refcount);
}

static ULONG WINAPI object_Release(ICatalogObject *iface)
{
    struct catalog_object *object = impl_from_ICatalogObject(iface);
    ULONG refcount = InterlockedDecrement(&object->refcount);
    size_t i;

    if (!refcount)
    {
        for (i = 0; i < MAX_PROPERTIES; i++) VariantClear(&object->values[i]);
        free(object);
        com_server_object_destroyed();
    }
    return refcount;
}

static HRESULT WINAPI object_GetTypeInfoCount(ICatalogObject *iface, UINT *count)
{
    (void)iface;
    if (count) *count = 0;
    return E_NOTIMPL;
}

static HRESULT WINAPI object_GetTypeInfo(ICatalogObject *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    (void)iface; (void)index; (void)lcid;
    if (info) *info = NULL;
    return E_NOTIMPL;
}

static HRESULT WINAPI object_GetIDsOfNames(ICatalogObject *iface, REFIID riid, LPOLESTR *names, UINT count,
                                           LCID lcid, DISPID *ids)
{
    (void)iface; (void)riid; (void)names; (void)count; (void)lcid; (void)ids;
    return E_NOTIMPL;
}

static HRESULT WINAPI object_Invoke(ICatalogObject *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                    DISPPARAMS *params, VARIANT *result, EXCEPINFO *info, UINT *arg_err)
{
    (void)iface; (void)id; (void)riid; (void)lcid; (void)flags;
    (void)params; (void)result; (void)info; (void)arg_err;
    return E_NOTIMPL;
}

static HRESULT WINAPI object_get_Value(ICatalogObject *iface, BSTR name, VARIANT *value)
{
    struct catalog_object *object = impl_from_ICatalogObject(iface);
    char call[64];
    struct json args;
    HRESULT hr;
    int i;

    call_name(call, sizeof(call), object->kind, "get_Value");
    json_init(&args);
    json_begin(&args, '{');
    json_key(&args, "key");
    json_string(&args, object->key);
    json_key(&args, "property");
    json_string(&args, name);
    if (!value) return fake_finish("catalog", call, &args, E_POINTER);
    VariantInit(value);
    if (!is_bstr(name)) return fake_finish("catalog", call, &args, E_INVALIDARG);
    if ((hr = fake_fault(call))) return fake_finish("catalog", call, &args, hr);
    if ((i = property_index(object->kind, name)) < 0)
        return fake_finish("catalog", call, &args, E_INVALIDARG);
    if (kinds[object->kind].properties[i].flags & PROP_WRITEONLY) return fake_finish("catalog", call, &args,
                                                                                E_ACCESSDENIED);
    if (V_VT(&object->values[i]) == VT_EMPTY && kinds[object->kind].properties[i].type == VT_BSTR)
    {
        V_VT(value) = VT_BSTR;
        hr = (V_BSTR(value) = SysAllocString(L"")) ? S_OK : E_OUTOFMEMORY;
    }
    else hr = VariantCopy(value, &object->values[i]);
    json_key(&args, "value");
    json_variant(&args, value);
    return fake_finish("catalog", call, &args, hr);
}

static HRESULT WINAPI object_put_Value(ICatalogObject *iface, BSTR name, VARIANT value)
{
    struct catalog_object *object = impl_from_ICatalogObject(iface);
    const struct property *property;
    char call[64];
    struct json args;
    VARIANT converted;
    HRESULT hr;
    int i;

    call_name(call, sizeof(call), object->kind, "put_Value");
    json_init(&args);
    json_begin(&args, '{');
    json_key(&args, "key");
    json_string(&args, object->key);
    json_key(&args, "property");
    json_string(&args, name);
    json_key(&args, "value");
    json_variant(&args, &value);
    if (!is_bstr(name)) return fake_finish("catalog", call, &args, E_INVALIDARG);
    if ((hr = fake_fault(call))) return fake_finish("catalog", call, &args, hr);
    if ((i = property_index(object->kind, name)) < 0)
    {
        fake_note("catalog", call, "no property %ls in %s", name, kinds[object->kind].name);
        return fake_finish("catalog", call, &args, E_INVALIDARG);
    }
    property = &kinds[object->kind].properties[i];
    if (property->flags & PROP_READONLY) return fake_finish("catalog", call, &args, E_ACCESSDENIED);
    VariantInit(&converted);
    if (FAILED(hr = VariantChangeType(&converted, &value, 0, property->type)))
        return fake_finish("catalog", call, &args, DISP_E_TYPEMISMATCH);
    if (property->type == VT_I4 && (V_I4(&converted) < property->min || V_I4(&converted) > property->max))
    {
        fake_note("catalog", call, "%ls = %ld out of range", name, (long)V_I4(&converted));
        VariantClear(&converted);
        return fake_finish("catalog", call, &args, E_INVALIDARG);
    }
    VariantClear(&object->values[i]);
    object->values[i] = converted;
    object->dirty = true;
    if (object->kind == FAKE_USERS) wcsncpy(object->key, object_string(object, L"User"),
                                            ARRAYSIZE(object->key) - 1);
    return fake_finish("catalog", call, &args, S_OK);
}

static HRESULT WINAPI object_get_Key(ICatalogObject *iface, VARIANT *key)
{
    struct catalog_object *object = impl_from_ICatalogObject(iface);

    if (!key) return E_POINTER;
    V_VT(key) = VT_BSTR;
    return (V_BSTR(key) = SysAllocString(object->key)) ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI object_get_Name(ICatalogObject *iface, VARIANT *name)
{
    struct catalog_object *object = impl_from_ICatalogObject(iface);

    if (!name) return E_POINTER;
    V_VT(name) = VT_BSTR;
    V_BSTR(name) = SysAllocString(object_string(object, object->kind == FAKE_USERS ? L"User" : L"Name"));
    return V_BSTR(name) ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI object_IsPropertyReadOnly(ICatalogObject *iface, BSTR name, VARIANT_BOOL *result)
{
    struct catalog_object *object = impl_from_ICatalogObject(iface);
    int i = property_index(object->kind, name);

    if (!result) return E_POINTER;
    if (i < 0) return E_INVALIDARG;
    *result = kinds[object->kind].properties[i].flags & PROP_READONLY ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT WINAPI object_get_Valid(ICatalogObject *iface, VARIANT_BOOL *result)
{
    (void)iface;
    if (!result) return E_POINTER;
    *result = VARIANT_TRUE;
    return S_OK;
}

static HRESULT WINAPI object_IsPropertyWriteOnly(ICatalogObject *iface, BSTR name, VARIANT_BOOL *result)
{
    struct catalog_object *object = impl_from_ICatalogObject(iface);
    int i = property_index(object->kind, name);

    if (!result) return E_POINTER;
    if (i < 0) return E_INVALIDARG;
    *result = kinds[object->kind].properties[i].flags & PROP_WRITEONLY ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static const ICatalogObjectVtbl object_vtbl =
{
    object_QueryInterface,
    object_AddRef,
    object_Release,
    object_GetTypeInfoCount,
    object_GetTypeInfo,
    object_GetIDsOfNames,
    object_Invoke,
    object_get_Value,
    object_put_Value,
    object_get_Key,
    object_get_Name,
    object_IsPropertyReadOnly,
    object_get_Valid,
    object_IsPropertyWriteOnly,
};

static struct catalog_object *object_new(enum fake_kind kind, const WCHAR *key)
{
    struct catalog_object *object = calloc(1, sizeof(*object));

    if (!object) return NULL;
    object->ICatalogObject_iface.lpVtbl = &object_vtbl;
    object->refcount = 1;
    object->kind = kind;
    wcsncpy(object->key, key, ARRAYSIZE(object->key) - 1);
    com_server_object_created();
    return object;
}

static HRESULT object_set_string(struct catalog_object *object, const WCHAR *name, const WCHAR *value)
{
    int i = property_index(object->kind, name);

    if (i < 0) return E_INVALIDARG;
    VariantClear(&object->values[i]);
    V_VT(&object->values[i]) = VT_BSTR;
    return (V_BSTR(&object->values[i]) = SysAllocString(value)) ? S_OK : E_OUTOFMEMORY;
}

/* ---- ICatalogCollection ---- */

static void collection_clear(struct collection *collection)
{
    size_t i;

    for (i = 0; i < collection->count; i++)
        ICatalogObject_Release(&collection->objects[i]->ICatalogObject_iface);
    collection->count = 0;
    for (i = 0; i < collection->removed_count; i++) free(collection->removed[i]);
    free(collection->removed);
    collection->removed = NULL;
    collection->removed_count = 0;
}

static bool collection_append(struct collection *collection, struct catalog_object *object)
{
    struct catalog_object **objects;

    if (collection->count == collection->capacity)
    {
        size_t capacity = collection->capacity ? collection->capacity * 2 : 8;

        if (!(objects = realloc(collection->objects, capacity * sizeof(*objects)))) return false;
        collection->objects = objects;
        collection->capacity = capacity;
    }
    collection->objects[collection->count++] = object;
    return true;
}

static HRESULT WINAPI collection_QueryInterface(ICatalogCollection *iface, REFIID riid, void **out)
{
    if (!out) return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IDispatch)
        || IsEqualIID(riid, &IID_ICatalogCollection))
    {
        *out = iface;
        ICatalogCollection_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI collection_AddRef(ICatalogCollection *iface)
{
    struct collection *collection = impl_from_ICatalogCollection(iface);
    return InterlockedIncrement(&collection->refcount);
}

static ULONG WINAPI collection_Release(ICatalogCollection *iface)
{
    struct collection *collection = impl_from_ICatalogCollection(iface);
    ULONG refcount = InterlockedDecrement(&collection->refcount);

    if (!refcount)
    {
        collection_clear(collection);
        free(collection->objects);
        free(collection);
        com_server_object_destroyed();
    }
    return refcount;
}

static HRESULT WINAPI collection_GetTypeInfoCount(ICatalogCollection *iface, UINT *count)
{
    (void)iface;
    if (count) *count = 0;
    return E_NOTIMPL;
}

static HRESULT WINAPI collection_GetTypeInfo(ICatalogCollection *iface, UINT index, LCID lcid,
                                             ITypeInfo **info)
{
    (void)iface; (void)index; (void)lcid;
    if (info) *info = NULL;
    return E_NOTIMPL;
}

static HRESULT WINAPI collection_GetIDsOfNames(ICatalogCollection *iface, REFIID riid, LPOLESTR *names,
                                               UINT count, LCID lcid, DISPID *ids)
{
    (void)iface; (void)riid; (void)names; (void)count; (void)lcid; (void)ids;
    return E_NOTIMPL;
}

static HRESULT WINAPI collection_Invoke(ICatalogCollection *iface, DISPID id, REFIID riid, LCID lcid,
                                        WORD flags,
                                        DISPPARAMS *params, VARIANT *result, EXCEPINFO *info, UINT *arg_err)
{
    (void)iface; (void)id; (void)riid; (void)lcid; (void)flags;
    (void)params; (void)result; (void)info; (void)arg_err;
    return E_NOTIMPL;
}

static HRESULT WINAPI collection_get__NewEnum(ICatalogCollection *iface, IUnknown **out)
{
    (void)iface;
    if (out) *out = NULL;
    return E_NOTIMPL;
}

static HRESULT WINAPI collection_get_Item(ICatalogCollection *iface, LONG index, IDispatch **out)
{
    struct collection *collection = impl_from_ICatalogCollection(iface);
    char call[64];

    call_name(call, sizeof(call), collection->kind, "get_Item");
    if (!out) return E_POINTER;
    *out = NULL;
    if (index < 0 || (size_t)index >= collection->count)
    {
        fake_note("catalog", call, "index %ld out of range (%zu objects; Populate first?)", (long)index,
                  collection->count);
        return E_INVALIDARG;
    }
    *out = (IDispatch *)&collection->objects[index]->ICatalogObject_iface;
    IDispatch_AddRef(*out);
    return S_OK;
}

static HRESULT WINAPI collection_get_Count(ICatalogCollection *iface, LONG *count)
{
    struct collection *collection = impl_from_ICatalogCollection(iface);

    if (!count) return E_POINTER;
    *count = (LONG)collection->count;
    return S_OK;
}

static HRESULT WINAPI collection_Remove(ICatalogCollection *iface, LONG index)
{
    struct collection *collection = impl_from_ICatalogCollection(iface);
    struct catalog_object *object;
    WCHAR **removed;
    char call[64];
    struct json args;
    HRESULT hr;

    call_name(call, sizeof(call), collection->kind, "Remove");
    json_init(&args);
    json_begin(&args, '{');
    json_key(&args, "index");
    json_int(&args, index);
    if (index < 0 || (size_t)index >= collection->count)
        return fake_finish("catalog", call, &args, E_INVALIDARG);
    object = collection->objects[index];
    json_key(&args, "key");
    json_string(&args, object->key);
    if ((hr = fake_fault(call))) return fake_finish("catalog", call, &args, hr);
    if (!object->is_new)
    {
        if (!(removed = realloc(collection->removed, (collection->removed_count + 1) * sizeof(*removed))))
            return fake_finish("catalog", call, &args, E_OUTOFMEMORY);
        collection->removed = removed;
        if (!(removed[collection->removed_count] = _wcsdup(object->key)))
            return fake_finish("catalog", call, &args, E_OUTOFMEMORY);
        collection->removed_count++;
    }
    memmove(&collection->objects[index], &collection->objects[index + 1],
            (collection->count - (size_t)index - 1) * sizeof(*collection->objects));
    collection->count--;
    ICatalogObject_Release(&object->ICatalogObject_iface);
    return fake_finish("catalog", call, &args, S_OK);
}

static HRESULT WINAPI collection_Add(ICatalogCollection *iface, IDispatch **out)
{
    struct collection *collection = impl_from_ICatalogCollection(iface);
    struct catalog_object *object;
    WCHAR key[40] = L"";
    char call[64];
    GUID guid;
    HRESULT hr;

    call_name(call, sizeof(call), collection->kind, "Add");
    if (!out) return fake_finish("catalog", call, NULL, E_POINTER);
    *out = NULL;
    if ((hr = fake_fault(call))) return fake_finish("catalog", call, NULL, hr);
    if (collection->kind != FAKE_USERS)
    {
        if (FAILED(hr = CoCreateGuid(&guid))) return fake_finish("catalog", call, NULL, hr);
        guid_to_string(&guid, key);
    }
    if (!(object = object_new(collection->kind, key)))
        return fake_finish("catalog", call, NULL, E_OUTOFMEMORY);
    object->is_new = object->dirty = true;
    if (collection->kind == FAKE_APPLICATIONS) object_set_string(object, L"ID", key);
    if (!collection_append(collection, object))
    {
        ICatalogObject_Release(&object->ICatalogObject_iface);
        return fake_finish("catalog", call, NULL, E_OUTOFMEMORY);
    }
    *out = (IDispatch *)&object->ICatalogObject_iface;
    IDispatch_AddRef(*out);
    return fake_finish("catalog", call, NULL, S_OK);
}

static HRESULT load_object(struct collection *collection, const WCHAR *key, const WCHAR *path)
{
    const struct property *properties = kinds[collection->kind].properties;
    struct catalog_object *object = object_new(collection->kind, key);
    size_t i;

    if (!object) return E_OUTOFMEMORY;
    if (collection->kind == FAKE_APPLICATIONS) object_set_string(object, L"ID", key);
    for (i = 0; i < kinds[collection->kind].count; i++)
    {
        WCHAR *text;
        DWORD number;

        if (!(properties[i].flags & PROP_STORED)) continue;
        if (properties[i].type == VT_BSTR && (text = store_get_string(path, properties[i].name)))
        {
            V_VT(&object->values[i]) = VT_BSTR;
            V_BSTR(&object->values[i]) = SysAllocString(text);
            free(text);
        }
        else if (properties[i].type != VT_BSTR && store_get_dword(path, properties[i].name, &number))
        {
            V_VT(&object->values[i]) = properties[i].type;
            if (properties[i].type == VT_BOOL)
                V_BOOL(&object->values[i]) = number ? VARIANT_TRUE : VARIANT_FALSE;
            else V_I4(&object->values[i]) = (LONG)number;
        }
    }
    if (!collection_append(collection, object))
    {
        ICatalogObject_Release(&object->ICatalogObject_iface);
        return E_OUTOFMEMORY;
    }
    return S_OK;
}

static HRESULT WINAPI collection_Populate(ICatalogCollection *iface)
{
    struct collection *collection = impl_from_ICatalogCollection(iface);
    WCHAR **keys, path[768];
    char call[64];
    HRESULT hr;
    size_t i;

    call_name(call, sizeof(call), collection->kind, "Populate");
    if ((hr = fake_fault(call))) return fake_finish("catalog", call, NULL, hr);
    collection_clear(collection);
    if (collection->kind == FAKE_USERS)
    {
        keys = store_get_multi(collection->path, L"Users");
        for (i = 0; keys && keys[i] && SUCCEEDED(hr); i++)
        {
            if (SUCCEEDED(hr = load_object(collection, keys[i], collection->path)))
                hr = object_set_string(collection->objects[collection->count - 1], L"User", keys[i]);
        }
    }
    else
    {
        keys = store_subkeys(collection->path);
        for (i = 0; keys && keys[i] && SUCCEEDED(hr); i++)
        {
            _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", collection->path, keys[i]);
            hr = load_object(collection, keys[i], path);
        }
    }
    store_free_list(keys);
    return fake_finish("catalog", call, NULL, hr);
}

static bool account_exists(const WCHAR *name)
{
    BYTE sid[SECURITY_MAX_SID_SIZE];
    WCHAR domain[256];
    DWORD sid_size = sizeof(sid), domain_chars = ARRAYSIZE(domain);
    SID_NAME_USE use;

    return LookupAccountNameW(NULL, name, sid, &sid_size, domain, &domain_chars, &use);
}

/* The contract checks of SaveChanges, before anything is written. */
static HRESULT collection_validate(struct collection *collection, const char *call)
{
    size_t i, j;

    for (i = 0; i < collection->count; i++)
    {
        struct catalog_object *object = collection->objects[i];
        const struct property *properties = kinds[collection->kind].properties;
        size_t p;

        for (p = 0; p < kinds[collection->kind].count; p++)
        {
            if ((properties[p].flags & PROP_REQUIRED) && !*object_string(object, properties[p].name))
            {
                fake_note("catalog", call, "object %ls has no %ls", object->key, properties[p].name);
                return COMADMIN_E_OBJECTINVALID;
            }
        }
        if (collection->kind == FAKE_USERS && object->dirty && !account_exists(object->key))
        {
            fake_note("catalog", call, "no account named '%ls'", object->key);
            return COMADMIN_E_NOUSER;
        }
        for (j = 0; j < i; j++)
        {
            if (collection->kind == FAKE_ROLES
                && !_wcsicmp(object_string(object, L"Name"), object_string(collection->objects[j], L"Name")))
            {
                fake_note("catalog", call, "two roles named '%ls'", object_string(object, L"Name"));
                return COMADMIN_E_ROLEEXISTS;
            }
            if (collection->kind == FAKE_USERS && !_wcsicmp(object->key, collection->objects[j]->key))
            {
                fake_note("catalog", call, "'%ls' is in the role twice", object->key);
                return COMADMIN_E_OBJECTEXISTS;
            }
        }
    }
    return S_OK;
}

static HRESULT save_object(struct collection *collection, struct catalog_object *object)
{
    const struct property *properties = kinds[collection->kind].properties;
    WCHAR path[768];
    LSTATUS status = ERROR_SUCCESS;
    size_t i;

    _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", collection->path, object->key);
    for (i = 0; i < kinds[collection->kind].count && !status; i++)
    {
        const VARIANT *value = &object->values[i];

        if (!(properties[i].flags & PROP_STORED) || V_VT(value) == VT_EMPTY) continue;
        if (V_VT(value) == VT_BSTR) status = store_set_string(path, properties[i].name,
                                                              V_BSTR(value) ? V_BSTR(value) : L"");
        else if (V_VT(value) == VT_BOOL) status = store_set_dword(path, properties[i].name,
                                                                  V_BOOL(value) != VARIANT_FALSE);
        else status = store_set_dword(path, properties[i].name, (DWORD)V_I4(value));
    }
    return HRESULT_FROM_WIN32(status);
}

static void describe_object(struct json *json, struct catalog_object *object)
{
    const struct property *properties = kinds[object->kind].properties;
    size_t i;

    json_begin(json, '{');
    json_key(json, "key");
    json_string(json, object->key);
    for (i = 0; i < kinds[object->kind].count; i++)
    {
        char name[64];

        if (V_VT(&object->values[i]) == VT_EMPTY || (properties[i].flags & PROP_WRITEONLY)) continue;
        WideCharToMultiByte(CP_UTF8, 0, properties[i].name, -1, name, sizeof(name), NULL, NULL);
        json_key(json, name);
        json_variant(json, &object->values[i]);
    }
    json_end(json, '}');
}

static HRESULT WINAPI collection_SaveChanges(ICatalogCollection *iface, LONG *changes)
{
    struct collection *collection = impl_from_ICatalogCollection(iface);
    WCHAR path[768], **users = NULL;
    LONG count = 0;
    char call[64];
    struct json args;
    HRESULT hr;
    size_t i;

    call_name(call, sizeof(call), collection->kind, "SaveChanges");
    json_init(&args);
    json_begin(&args, '{');
    json_key(&args, "removed");
    json_begin(&args, '[');
    for (i = 0; i < collection->removed_count; i++) json_string(&args, collection->removed[i]);
    json_end(&args, ']');
    json_key(&args, "saved");
    json_begin(&args, '[');
    for (i = 0; i < collection->count; i++)
        if (collection->objects[i]->dirty) describe_object(&args, collection->objects[i]);
    json_end(&args, ']');
    if (!changes) return fake_finish("catalog", call, &args, E_POINTER);
    *changes = 0;
    if ((hr = fake_fault(call))) return fake_finish("catalog", call, &args, hr);
    if (FAILED(hr = collection_validate(collection, call))) return fake_finish("catalog", call, &args, hr);
    if (collection->parent[0] && !store_key_exists(collection->parent))
    {
        fake_note("catalog", call, "the parent object was removed");
        return fake_finish("catalog", call, &args, COMADMIN_E_OBJECT_PARENT_MISSING);
    }

    for (i = 0; i < collection->removed_count && SUCCEEDED(hr); i++, count++)
    {
        if (collection->kind == FAKE_APPLICATIONS) hr = store_delete_app(collection->removed[i]);
        else if (collection->kind == FAKE_ROLES)
        {
            _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", collection->path, collection->removed[i]);
            hr = HRESULT_FROM_WIN32(store_delete_tree(path));
        }
    }
    if (collection->kind == FAKE_USERS)
    {
        if (!(users = calloc(collection->count + 1, sizeof(*users)))) hr = E_OUTOFMEMORY;
        for (i = 0; users && i < collection->count; i++)
        {
            users[i] = collection->objects[i]->key;
            if (collection->objects[i]->dirty) count++;
        }
        if (users) hr = HRESULT_FROM_WIN32(store_set_multi(collection->path, L"Users", users,
                                                           collection->count));
        free(users);
    }
    else
    {
        for (i = 0; i < collection->count && SUCCEEDED(hr); i++)
        {
            if (!collection->objects[i]->dirty) continue;
            hr = save_object(collection, collection->objects[i]);
            count++;
        }
    }
    if (SUCCEEDED(hr))
    {
        for (i = 0; i < collection->count; i++)
            collection->objects[i]->is_new = collection->objects[i]->dirty = false;
        for (i = 0; i < collection->removed_count; i++) free(collection->removed[i]);
        collection->removed_count = 0;
        *changes = count;
    }
    json_key(&args, "changes");
    json_int(&args, count);
    return fake_finish("catalog", call, &args, hr);
}


static HRESULT WINAPI collection_GetCollection(ICatalogCollection *iface, BSTR name, VARIANT key,
                                               IDispatch **out)
{
    struct collection *collection = impl_from_ICatalogCollection(iface);
    WCHAR path[768];
    enum fake_kind kind;
    char call[64];
    struct json args;
    HRESULT hr;

    call_name(call, sizeof(call), collection->kind, "GetCollection");
    json_init(&args);
    json_begin(&args, '{');
    json_key(&args, "name");
    json_string(&args, name);
    json_key(&args, "key");
    json_variant(&args, &key);
    if (!out) return fake_finish("catalog", call, &args, E_POINTER);
    *out = NULL;
    if (!is_bstr(name) || V_VT(&key) != VT_BSTR || !is_bstr(V_BSTR(&key)))
        return fake_finish("catalog", call, &args, E_INVALIDARG);
    if ((hr = fake_fault(call))) return fake_finish("catalog", call, &args, hr);
    if (collection->kind == FAKE_APPLICATIONS && name && !wcscmp(name, L"Roles")) kind = FAKE_ROLES;
    else if (collection->kind == FAKE_ROLES && name && !wcscmp(name, L"UsersInRole")) kind = FAKE_USERS;
    else
    {
        fake_note("catalog", call, "the double has no related collection %ls", name);
        return fake_finish("catalog", call, &args, E_NOTIMPL);
    }
    _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", collection->path, V_BSTR(&key));
    if (!store_key_exists(path))
    {
        fake_note("catalog", call, "parent %ls is not saved", V_BSTR(&key));
        return fake_finish("catalog", call, &args, COMADMIN_E_OBJECT_PARENT_MISSING);
    }
    hr = collection_create(kind, path, kind == FAKE_ROLES ? L"Roles" : NULL, (ICatalogCollection **)out);
    return fake_finish("catalog", call, &args, hr);
}

static HRESULT WINAPI collection_get_Name(ICatalogCollection *iface, VARIANT *name)
{
    struct collection *collection = impl_from_ICatalogCollection(iface);
    WCHAR text[32];

    if (!name) return E_POINTER;
    MultiByteToWideChar(CP_UTF8, 0, kinds[collection->kind].name, -1, text, ARRAYSIZE(text));
    V_VT(name) = VT_BSTR;
    return (V_BSTR(name) = SysAllocString(text)) ? S_OK : E_OUTOFMEMORY;
}

static HRESULT WINAPI collection_get_AddEnabled(ICatalogCollection *iface, VARIANT_BOOL *result)
{
    (void)iface;
    if (!result) return E_POINTER;
    *result = VARIANT_TRUE;
    return S_OK;
}

static HRESULT WINAPI collection_get_RemoveEnabled(ICatalogCollection *iface, VARIANT_BOOL *result)
{
    (void)iface;
    if (!result) return E_POINTER;
    *result = VARIANT_TRUE;
    return S_OK;
}

static HRESULT WINAPI collection_GetUtilInterface(ICatalogCollection *iface, IDispatch **out)
{
    (void)iface;
    if (out) *out = NULL;
    return E_NOTIMPL;
}

static HRESULT WINAPI collection_get_DataStoreMajorVersion(ICatalogCollection *iface, LONG *version)
{
    (void)iface;
    if (!version) return E_POINTER;
    *version = 3;
    return S_OK;
}

static HRESULT WINAPI collection_get_DataStoreMinorVersion(ICatalogCollection *iface, LONG *version)
{
    (void)iface;
    if (!version) return E_POINTER;
    *version = 0;
    return S_OK;
}

static HRESULT WINAPI collection_PopulateByKey(ICatalogCollection *iface, SAFEARRAY *keys)
{
    (void)iface; (void)keys;
    fake_note("catalog", "PopulateByKey", "not implemented by the double");
    return E_NOTIMPL;
}

static HRESULT WINAPI collection_PopulateByQuery(ICatalogCollection *iface, BSTR query, LONG type)
{
    (void)iface; (void)query; (void)type;
    fake_note("catalog", "PopulateByQuery", "not implemented by the double");
    return E_NOTIMPL;
}

static const ICatalogCollectionVtbl collection_vtbl =
{
    collection_QueryInterface,
    collection_AddRef,
    collection_Release,
    collection_GetTypeInfoCount,
    collection_GetTypeInfo,
    collection_GetIDsOfNames,
    collection_Invoke,
    collection_get__NewEnum,
    collection_get_Item,
    collection_get_Count,
    collection_Remove,
    collection_Add,
    collection_Populate,
    collection_SaveChanges,
    collection_GetCollection,
    collection_get_Name,
    collection_get_AddEnabled,
    collection_get_RemoveEnabled,
    collection_GetUtilInterface,
    collection_get_DataStoreMajorVersion,
    collection_get_DataStoreMinorVersion,
    collection_PopulateByKey,
    collection_PopulateByQuery,
};

/* parent: the parent object's store key, or NULL; child: the subkey of parent holding the
 * objects, or NULL when they live in parent itself (UsersInRole) or parent is NULL (path = parent). */
HRESULT collection_create(enum fake_kind kind, const WCHAR *parent, const WCHAR *child,
                          ICatalogCollection **out)
{
    struct collection *collection = calloc(1, sizeof(*collection));

    *out = NULL;
    if (!collection) return E_OUTOFMEMORY;
    collection->ICatalogCollection_iface.lpVtbl = &collection_vtbl;
    collection->refcount = 1;
    collection->kind = kind;
    if (kind == FAKE_APPLICATIONS) wcsncpy(collection->path, parent, ARRAYSIZE(collection->path) - 1);
    else
    {
        wcsncpy(collection->parent, parent, ARRAYSIZE(collection->parent) - 1);
        if (child) _snwprintf(collection->path, ARRAYSIZE(collection->path), L"%ls\\%ls", parent, child);
        else wcsncpy(collection->path, parent, ARRAYSIZE(collection->path) - 1);
    }
    com_server_object_created();
    *out = &collection->ICatalogCollection_iface;
    return S_OK;
}
