/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test double of the COM+ catalog: ICOMAdminCatalog2, and the Applications, Roles and
 * UsersInRole collections with their objects, kept in the registry (fake.h).
 *
 * It enforces the contract our installer relies on, as COM+ documents it: string arguments are
 * BSTRs; a collection is empty until Populate; changes exist only after SaveChanges; a related
 * collection needs a saved parent; CreateServiceForApplication, InstallComponent and
 * DeleteServiceForApplication need an existing application; InstallComponent loads the DLL,
 * calls its DllRegisterServer and DllGetClassObject for every class of the type library and
 * refuses a class another application already has; role names are unique in an application and
 * role members must be real accounts; removing an application removes its service and classes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define MAX_PROPERTIES 12

enum kind
{
    KIND_APPLICATIONS,
    KIND_ROLES,
    KIND_USERS,
};

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
    [KIND_APPLICATIONS] = { "Applications", app_properties, ARRAYSIZE(app_properties) },
    [KIND_ROLES]        = { "Roles", role_properties, ARRAYSIZE(role_properties) },
    [KIND_USERS]        = { "UsersInRole", user_properties, ARRAYSIZE(user_properties) },
};

struct catalog_object
{
    ICatalogObject ICatalogObject_iface;
    LONG refcount;
    enum kind kind;
    WCHAR key[256];
    bool is_new, dirty;
    VARIANT values[MAX_PROPERTIES];
};

struct collection
{
    ICatalogCollection ICatalogCollection_iface;
    LONG refcount;
    enum kind kind;
    WCHAR path[512];             /* the store key holding the objects (KIND_USERS: the role's key) */
    WCHAR parent[512];           /* the parent object's store key ("" for Applications) */
    struct catalog_object **objects;
    size_t count, capacity;
    WCHAR **removed;             /* keys of saved objects removed since Populate */
    size_t removed_count;
};

struct catalog
{
    ICOMAdminCatalog2 ICOMAdminCatalog2_iface;
    LONG refcount;
};

static inline struct catalog_object *impl_from_ICatalogObject(ICatalogObject *iface)
{
    return CONTAINING_RECORD(iface, struct catalog_object, ICatalogObject_iface);
}

static inline struct collection *impl_from_ICatalogCollection(ICatalogCollection *iface)
{
    return CONTAINING_RECORD(iface, struct collection, ICatalogCollection_iface);
}

static inline struct catalog *impl_from_ICOMAdminCatalog2(ICOMAdminCatalog2 *iface)
{
    return CONTAINING_RECORD(iface, struct catalog, ICOMAdminCatalog2_iface);
}

static HRESULT finish(const char *object, const char *call, struct json *args, HRESULT hr)
{
    if (args) json_end(args, '}');
    fake_trace(object, call, args, hr);
    if (args) json_free(args);
    return hr;
}

static void call_name(char *out, size_t size, enum kind kind, const char *method)
{
    snprintf(out, size, "%s.%s", kinds[kind].name, method);
}

static int property_index(enum kind kind, const WCHAR *name)
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
        fake_object_destroyed();
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
    if (!value) return finish("catalog", call, &args, E_POINTER);
    VariantInit(value);
    if (!is_bstr(name)) return finish("catalog", call, &args, E_INVALIDARG);
    if ((hr = fake_fault(call))) return finish("catalog", call, &args, hr);
    if ((i = property_index(object->kind, name)) < 0) return finish("catalog", call, &args, E_INVALIDARG);
    if (kinds[object->kind].properties[i].flags & PROP_WRITEONLY) return finish("catalog", call, &args,
                                                                                E_ACCESSDENIED);
    if (V_VT(&object->values[i]) == VT_EMPTY && kinds[object->kind].properties[i].type == VT_BSTR)
    {
        V_VT(value) = VT_BSTR;
        hr = (V_BSTR(value) = SysAllocString(L"")) ? S_OK : E_OUTOFMEMORY;
    }
    else hr = VariantCopy(value, &object->values[i]);
    json_key(&args, "value");
    json_variant(&args, value);
    return finish("catalog", call, &args, hr);
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
    if (!is_bstr(name)) return finish("catalog", call, &args, E_INVALIDARG);
    if ((hr = fake_fault(call))) return finish("catalog", call, &args, hr);
    if ((i = property_index(object->kind, name)) < 0)
    {
        fake_note("catalog", call, "no property %ls in %s", name, kinds[object->kind].name);
        return finish("catalog", call, &args, E_INVALIDARG);
    }
    property = &kinds[object->kind].properties[i];
    if (property->flags & PROP_READONLY) return finish("catalog", call, &args, E_ACCESSDENIED);
    VariantInit(&converted);
    if (FAILED(hr = VariantChangeType(&converted, &value, 0, property->type)))
        return finish("catalog", call, &args, DISP_E_TYPEMISMATCH);
    if (property->type == VT_I4 && (V_I4(&converted) < property->min || V_I4(&converted) > property->max))
    {
        fake_note("catalog", call, "%ls = %ld out of range", name, (long)V_I4(&converted));
        VariantClear(&converted);
        return finish("catalog", call, &args, E_INVALIDARG);
    }
    VariantClear(&object->values[i]);
    object->values[i] = converted;
    object->dirty = true;
    if (object->kind == KIND_USERS) wcsncpy(object->key, object_string(object, L"User"),
                                            ARRAYSIZE(object->key) - 1);
    return finish("catalog", call, &args, S_OK);
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
    V_BSTR(name) = SysAllocString(object_string(object, object->kind == KIND_USERS ? L"User" : L"Name"));
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

static struct catalog_object *object_new(enum kind kind, const WCHAR *key)
{
    struct catalog_object *object = calloc(1, sizeof(*object));

    if (!object) return NULL;
    object->ICatalogObject_iface.lpVtbl = &object_vtbl;
    object->refcount = 1;
    object->kind = kind;
    wcsncpy(object->key, key, ARRAYSIZE(object->key) - 1);
    fake_object_created();
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
        fake_object_destroyed();
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
    if (index < 0 || (size_t)index >= collection->count) return finish("catalog", call, &args, E_INVALIDARG);
    object = collection->objects[index];
    json_key(&args, "key");
    json_string(&args, object->key);
    if ((hr = fake_fault(call))) return finish("catalog", call, &args, hr);
    if (!object->is_new)
    {
        if (!(removed = realloc(collection->removed, (collection->removed_count + 1) * sizeof(*removed))))
            return finish("catalog", call, &args, E_OUTOFMEMORY);
        collection->removed = removed;
        if (!(removed[collection->removed_count] = _wcsdup(object->key)))
            return finish("catalog", call, &args, E_OUTOFMEMORY);
        collection->removed_count++;
    }
    memmove(&collection->objects[index], &collection->objects[index + 1],
            (collection->count - (size_t)index - 1) * sizeof(*collection->objects));
    collection->count--;
    ICatalogObject_Release(&object->ICatalogObject_iface);
    return finish("catalog", call, &args, S_OK);
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
    if (!out) return finish("catalog", call, NULL, E_POINTER);
    *out = NULL;
    if ((hr = fake_fault(call))) return finish("catalog", call, NULL, hr);
    if (collection->kind != KIND_USERS)
    {
        if (FAILED(hr = CoCreateGuid(&guid))) return finish("catalog", call, NULL, hr);
        guid_to_string(&guid, key);
    }
    if (!(object = object_new(collection->kind, key))) return finish("catalog", call, NULL, E_OUTOFMEMORY);
    object->is_new = object->dirty = true;
    if (collection->kind == KIND_APPLICATIONS) object_set_string(object, L"ID", key);
    if (!collection_append(collection, object))
    {
        ICatalogObject_Release(&object->ICatalogObject_iface);
        return finish("catalog", call, NULL, E_OUTOFMEMORY);
    }
    *out = (IDispatch *)&object->ICatalogObject_iface;
    IDispatch_AddRef(*out);
    return finish("catalog", call, NULL, S_OK);
}

static HRESULT load_object(struct collection *collection, const WCHAR *key, const WCHAR *path)
{
    const struct property *properties = kinds[collection->kind].properties;
    struct catalog_object *object = object_new(collection->kind, key);
    size_t i;

    if (!object) return E_OUTOFMEMORY;
    if (collection->kind == KIND_APPLICATIONS) object_set_string(object, L"ID", key);
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
    if ((hr = fake_fault(call))) return finish("catalog", call, NULL, hr);
    collection_clear(collection);
    if (collection->kind == KIND_USERS)
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
    return finish("catalog", call, NULL, hr);
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
        if (collection->kind == KIND_USERS && object->dirty && !account_exists(object->key))
        {
            fake_note("catalog", call, "no account named '%ls'", object->key);
            return COMADMIN_E_NOUSER;
        }
        for (j = 0; j < i; j++)
        {
            if (collection->kind == KIND_ROLES
                && !_wcsicmp(object_string(object, L"Name"), object_string(collection->objects[j], L"Name")))
            {
                fake_note("catalog", call, "two roles named '%ls'", object_string(object, L"Name"));
                return COMADMIN_E_ROLEEXISTS;
            }
            if (collection->kind == KIND_USERS && !_wcsicmp(object->key, collection->objects[j]->key))
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
    if (!changes) return finish("catalog", call, &args, E_POINTER);
    *changes = 0;
    if ((hr = fake_fault(call))) return finish("catalog", call, &args, hr);
    if (FAILED(hr = collection_validate(collection, call))) return finish("catalog", call, &args, hr);
    if (collection->parent[0] && !store_key_exists(collection->parent))
    {
        fake_note("catalog", call, "the parent object was removed");
        return finish("catalog", call, &args, COMADMIN_E_OBJECT_PARENT_MISSING);
    }

    for (i = 0; i < collection->removed_count && SUCCEEDED(hr); i++, count++)
    {
        if (collection->kind == KIND_APPLICATIONS) hr = store_delete_app(collection->removed[i]);
        else if (collection->kind == KIND_ROLES)
        {
            _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", collection->path, collection->removed[i]);
            hr = HRESULT_FROM_WIN32(store_delete_tree(path));
        }
    }
    if (collection->kind == KIND_USERS)
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
    return finish("catalog", call, &args, hr);
}

static HRESULT collection_create(enum kind kind, const WCHAR *parent, const WCHAR *path,
                                 ICatalogCollection **out);

static HRESULT WINAPI collection_GetCollection(ICatalogCollection *iface, BSTR name, VARIANT key,
                                               IDispatch **out)
{
    struct collection *collection = impl_from_ICatalogCollection(iface);
    WCHAR path[768];
    enum kind kind;
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
    if (!out) return finish("catalog", call, &args, E_POINTER);
    *out = NULL;
    if (!is_bstr(name) || V_VT(&key) != VT_BSTR || !is_bstr(V_BSTR(&key)))
        return finish("catalog", call, &args, E_INVALIDARG);
    if ((hr = fake_fault(call))) return finish("catalog", call, &args, hr);
    if (collection->kind == KIND_APPLICATIONS && name && !wcscmp(name, L"Roles")) kind = KIND_ROLES;
    else if (collection->kind == KIND_ROLES && name && !wcscmp(name, L"UsersInRole")) kind = KIND_USERS;
    else
    {
        fake_note("catalog", call, "the double has no related collection %ls", name);
        return finish("catalog", call, &args, E_NOTIMPL);
    }
    _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", collection->path, V_BSTR(&key));
    if (!store_key_exists(path))
    {
        fake_note("catalog", call, "parent %ls is not saved", V_BSTR(&key));
        return finish("catalog", call, &args, COMADMIN_E_OBJECT_PARENT_MISSING);
    }
    hr = collection_create(kind, path, kind == KIND_ROLES ? L"Roles" : NULL, (ICatalogCollection **)out);
    return finish("catalog", call, &args, hr);
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
static HRESULT collection_create(enum kind kind, const WCHAR *parent, const WCHAR *child,
                                 ICatalogCollection **out)
{
    struct collection *collection = calloc(1, sizeof(*collection));

    *out = NULL;
    if (!collection) return E_OUTOFMEMORY;
    collection->ICatalogCollection_iface.lpVtbl = &collection_vtbl;
    collection->refcount = 1;
    collection->kind = kind;
    if (kind == KIND_APPLICATIONS) wcsncpy(collection->path, parent, ARRAYSIZE(collection->path) - 1);
    else
    {
        wcsncpy(collection->parent, parent, ARRAYSIZE(collection->parent) - 1);
        if (child) _snwprintf(collection->path, ARRAYSIZE(collection->path), L"%ls\\%ls", parent, child);
        else wcsncpy(collection->path, parent, ARRAYSIZE(collection->path) - 1);
    }
    fake_object_created();
    *out = &collection->ICatalogCollection_iface;
    return S_OK;
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
        fake_object_destroyed();
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
    if (!out) return finish("catalog", "GetCollection", &args, E_POINTER);
    *out = NULL;
    if (!is_bstr(name)) return finish("catalog", "GetCollection", &args, E_INVALIDARG);
    if ((hr = fake_fault("GetCollection"))) return finish("catalog", "GetCollection", &args, hr);
    if (!name || wcscmp(name, L"Applications"))
    {
        fake_note("catalog", "GetCollection", "the double has no top-level collection %ls", name);
        return finish("catalog", "GetCollection", &args, E_NOTIMPL);
    }
    hr = collection_create(KIND_APPLICATIONS, FAKE_APPS_W, NULL, (ICatalogCollection **)out);
    return finish("catalog", "GetCollection", &args, hr);
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
        return finish("catalog", "InstallComponent", &args, E_INVALIDARG);
    if ((hr = fake_fault("InstallComponent"))) return finish("catalog", "InstallComponent", &args, hr);
    if (FAILED(hr = store_find_app(app, app_id)))
    {
        fake_note("catalog", "InstallComponent", "no application '%ls'", app);
        return finish("catalog", "InstallComponent", &args, hr);
    }
    if (proxy && *proxy && GetFileAttributesW(proxy) == INVALID_FILE_ATTRIBUTES)
        return finish("catalog", "InstallComponent", &args, COMADMIN_E_COMPFILE_DOESNOTEXIST);
    hr = install_component(app_id, dll, tlb);
    return finish("catalog", "InstallComponent", &args, hr);
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
        return finish("catalog", "CreateServiceForApplication", &args, E_INVALIDARG);
    if ((hr = fake_fault("CreateServiceForApplication")))
        return finish("catalog", "CreateServiceForApplication", &args, hr);
    if (FAILED(hr = store_find_app(app, app_id)))
    {
        fake_note("catalog", "CreateServiceForApplication", "no application '%ls'", app);
        return finish("catalog", "CreateServiceForApplication", &args, hr);
    }
    if (!parse_token(start_type, start_tokens, start_values, ARRAYSIZE(start_tokens), &start)
        || !parse_token(error_control, error_tokens, error_values, ARRAYSIZE(error_tokens), &error))
        return finish("catalog", "CreateServiceForApplication", &args, E_INVALIDARG);
    system = run_as && is_local_system(run_as);
    /* No account means LocalService (the method's documentation). */
    account = run_as && *run_as ? run_as : L"NT AUTHORITY\\LocalService";
    /* LocalSystem takes no password; desktop interaction only for local accounts. */
    if ((system && password && *password) || (desktop_ok && !system))
        return finish("catalog", "CreateServiceForApplication", &args, E_INVALIDARG);
    _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", FAKE_APPS_W, app_id);
    if ((existing = store_get_string(path, L"ServiceName")))
    {
        fake_note("catalog", "CreateServiceForApplication", "application already runs as service '%ls'",
                  existing);
        free(existing);
        return finish("catalog", "CreateServiceForApplication", &args,
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
    return finish("catalog", "CreateServiceForApplication", &args, hr);
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
    if (!is_bstr(app) || !app) return finish("catalog", "DeleteServiceForApplication", &args, E_INVALIDARG);
    if ((hr = fake_fault("DeleteServiceForApplication")))
        return finish("catalog", "DeleteServiceForApplication", &args, hr);
    if (FAILED(hr = store_find_app(app, app_id)))
        return finish("catalog", "DeleteServiceForApplication", &args, hr);
    _snwprintf(path, ARRAYSIZE(path), L"%ls\\%ls", FAKE_APPS_W, app_id);
    if (!(service_name = store_get_string(path, L"ServiceName")))
        return finish("catalog", "DeleteServiceForApplication", &args, COMADMIN_E_SERVICENOTINSTALLED);
    if (!(manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS))
        || !(service = OpenServiceW(manager, service_name, DELETE))
        || (!DeleteService(service) && GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE))
        hr = HRESULT_FROM_WIN32(GetLastError());
    else
        hr = HRESULT_FROM_WIN32(store_delete_value(path, L"ServiceName"));
    if (service) CloseServiceHandle(service);
    if (manager) CloseServiceHandle(manager);
    free(service_name);
    return finish("catalog", "DeleteServiceForApplication", &args, hr);
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
        return finish("catalog", "CreateInstance.COMAdminCatalog", NULL, hr);
    if (!(catalog = calloc(1, sizeof(*catalog)))) return E_OUTOFMEMORY;
    catalog->ICOMAdminCatalog2_iface.lpVtbl = &catalog_vtbl;
    catalog->refcount = 1;
    fake_object_created();
    hr = ICOMAdminCatalog2_QueryInterface(&catalog->ICOMAdminCatalog2_iface, riid, out);
    ICOMAdminCatalog2_Release(&catalog->ICOMAdminCatalog2_iface);
    return finish("catalog", "CreateInstance.COMAdminCatalog", NULL, hr);
}
