/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DllMain, the module's object and lock counts, and the class factory of our in-proc COM
 * servers (com-server.h). */
#include "com-server.h"
#include "trace.h"

static HMODULE module;
static LONG object_count;           /* live COM objects of this DLL */
static LONG lock_count;             /* IClassFactory::LockServer(TRUE) minus (FALSE) */

HMODULE com_server_module(void)
{
    return module;
}

void com_server_object_created(void)
{
    InterlockedIncrement(&object_count);
}

void com_server_object_destroyed(void)
{
    InterlockedDecrement(&object_count);
}

static inline struct com_class *impl_from_IClassFactory(IClassFactory *iface)
{
    return CONTAINING_RECORD(iface, struct com_class, IClassFactory_iface);
}

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID riid, void **out)
{
    TRACE("%p, %s, %p.", iface, debugstr_guid(riid), out);
    if (!out) return E_POINTER;
    if (!IsEqualIID(riid, &IID_IUnknown) && !IsEqualIID(riid, &IID_IClassFactory))
    {
        *out = NULL;
        return E_NOINTERFACE;
    }
    *out = iface;
    IClassFactory_AddRef(iface);
    return S_OK;
}

static ULONG WINAPI factory_AddRef(IClassFactory *iface)
{
    (void)iface;
    return 2;
}

static ULONG WINAPI factory_Release(IClassFactory *iface)
{
    (void)iface;
    return 1;
}

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **out)
{
    struct com_class *class = impl_from_IClassFactory(iface);

    TRACE("%p, %p, %s, %p.", iface, outer, debugstr_guid(riid), out);
    if (!out) return E_POINTER;
    *out = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    return class->create(riid, out);
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock)
{
    LONG count = lock ? InterlockedIncrement(&lock_count) : InterlockedDecrement(&lock_count);

    TRACE("%p, %d: lock count %ld.", iface, lock, count);
    return S_OK;
}

const IClassFactoryVtbl com_class_factory_vtbl =
{
    factory_QueryInterface,
    factory_AddRef,
    factory_Release,
    factory_CreateInstance,
    factory_LockServer,
};

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved);

/* Nothing else here: no COM, no loading, no waits under the loader lock. */
BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH)
    {
        module = instance;
        DisableThreadLibraryCalls(instance);
    }
    return TRUE;
}

HRESULT com_server_get_class_object(struct com_class *classes, size_t count, REFCLSID clsid, REFIID riid,
                                    void **out)
{
    size_t i;

    TRACE("%s, %s, %p.", debugstr_guid(clsid), debugstr_guid(riid), out);
    if (!out) return E_POINTER;
    *out = NULL;
    for (i = 0; i < count; i++)
    {
        if (IsEqualCLSID(clsid, classes[i].clsid))
            return IClassFactory_QueryInterface(&classes[i].IClassFactory_iface, riid, out);
    }
    return CLASS_E_CLASSNOTAVAILABLE;
}

HRESULT com_server_can_unload(void)
{
    LONG objects = object_count, locks = lock_count;

    TRACE("objects %ld, locks %ld.", objects, locks);
    return objects || locks ? S_FALSE : S_OK;
}
