/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An IVssEnumObject with nothing in it: the answer to every IVssSoftwareSnapshotProvider::Query,
 * since the provider leaves no shadow copy behind. */
#include <stdlib.h>

#include "provider.h"
#include "trace.h"

struct empty_enum
{
    IVssEnumObject IVssEnumObject_iface;
    LONG refcount;
};

static inline struct empty_enum *impl_from_IVssEnumObject(IVssEnumObject *iface)
{
    return CONTAINING_RECORD(iface, struct empty_enum, IVssEnumObject_iface);
}

static void empty_enum_destroy(struct empty_enum *object)
{
    free(object);
    com_server_object_destroyed();
}

static HRESULT WINAPI empty_enum_QueryInterface(IVssEnumObject *iface, REFIID riid, void **out)
{
    struct empty_enum *object = impl_from_IVssEnumObject(iface);

    TRACE("%p, %s, %p.", object, debugstr_guid(riid), out);
    if (!out) return E_POINTER;
    if (!IsEqualIID(riid, &IID_IUnknown) && !IsEqualIID(riid, &IID_IVssEnumObject))
    {
        *out = NULL;
        return E_NOINTERFACE;
    }
    *out = &object->IVssEnumObject_iface;
    IVssEnumObject_AddRef(&object->IVssEnumObject_iface);
    return S_OK;
}

static ULONG WINAPI empty_enum_AddRef(IVssEnumObject *iface)
{
    struct empty_enum *object = impl_from_IVssEnumObject(iface);
    ULONG refcount = InterlockedIncrement(&object->refcount);

    TRACE("%p, refcount %lu.", object, refcount);
    return refcount;
}

static ULONG WINAPI empty_enum_Release(IVssEnumObject *iface)
{
    struct empty_enum *object = impl_from_IVssEnumObject(iface);
    ULONG refcount = InterlockedDecrement(&object->refcount);

    TRACE("%p, refcount %lu.", object, refcount);
    if (!refcount) empty_enum_destroy(object);
    return refcount;
}

/* IEnum* rules: fetched may be NULL only when asking for one element. */
static HRESULT WINAPI empty_enum_Next(IVssEnumObject *iface, ULONG count, VSS_OBJECT_PROP *elements,
                                      ULONG *fetched)
{
    TRACE("%p, %lu, %p, %p.", iface, count, elements, fetched);
    if (!elements || (!fetched && count != 1)) return E_POINTER;
    if (fetched) *fetched = 0;
    return count ? S_FALSE : S_OK;
}

static HRESULT WINAPI empty_enum_Skip(IVssEnumObject *iface, ULONG count)
{
    TRACE("%p, %lu.", iface, count);
    return count ? S_FALSE : S_OK;
}

static HRESULT WINAPI empty_enum_Reset(IVssEnumObject *iface)
{
    TRACE("%p.", iface);
    return S_OK;
}

static HRESULT WINAPI empty_enum_Clone(IVssEnumObject *iface, IVssEnumObject **out)
{
    TRACE("%p, %p.", iface, out);
    if (!out) return E_POINTER;
    return empty_enum_create(&IID_IVssEnumObject, (void **)out);
}

static const IVssEnumObjectVtbl empty_enum_vtbl =
{
    empty_enum_QueryInterface,
    empty_enum_AddRef,
    empty_enum_Release,
    empty_enum_Next,
    empty_enum_Skip,
    empty_enum_Reset,
    empty_enum_Clone,
};

HRESULT empty_enum_create(REFIID riid, void **out)
{
    struct empty_enum *object;
    HRESULT hr;

    if (!out) return E_POINTER;
    *out = NULL;
    if (!(object = calloc(1, sizeof(*object)))) return E_OUTOFMEMORY;
    object->IVssEnumObject_iface.lpVtbl = &empty_enum_vtbl;
    object->refcount = 1;
    com_server_object_created();

    hr = IVssEnumObject_QueryInterface(&object->IVssEnumObject_iface, riid, out);
    IVssEnumObject_Release(&object->IVssEnumObject_iface);
    return hr;
}
