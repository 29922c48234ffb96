/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qga-vss.dll's COM entry points: DllMain, the class factory, DllGetClassObject, DllCanUnloadNow,
 * DllRegisterServer and DllUnregisterServer. */
#include "provider.h"
#include "guids.h"
#include "trace.h"

static HMODULE module;
static LONG object_count;           /* live COM objects of this DLL */
static LONG lock_count;             /* IClassFactory::LockServer(TRUE) minus (FALSE) */

HMODULE dll_module(void)
{
    return module;
}

void dll_object_created(void)
{
    InterlockedIncrement(&object_count);
}

void dll_object_destroyed(void)
{
    InterlockedDecrement(&object_count);
}

/* ---- the class factory: one static object whose lifetime is the module's ---- */

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
    TRACE("%p, %p, %s, %p.", iface, outer, debugstr_guid(riid), out);
    if (!out) return E_POINTER;
    *out = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    return provider_create(riid, out);
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock)
{
    LONG count = lock ? InterlockedIncrement(&lock_count) : InterlockedDecrement(&lock_count);

    TRACE("%p, %d: lock count %ld.", iface, lock, count);
    return S_OK;
}

static const IClassFactoryVtbl factory_vtbl =
{
    factory_QueryInterface,
    factory_AddRef,
    factory_Release,
    factory_CreateInstance,
    factory_LockServer,
};

static IClassFactory provider_factory = { &factory_vtbl };

/* ---- exports ---- */

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved);
HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **out);
HRESULT WINAPI DllCanUnloadNow(void);
HRESULT WINAPI DllRegisterServer(void);
HRESULT WINAPI DllUnregisterServer(void);

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

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **out)
{
    TRACE("%s, %s, %p.", debugstr_guid(clsid), debugstr_guid(riid), out);
    if (!out) return E_POINTER;
    *out = NULL;
    if (!IsEqualCLSID(clsid, &CLSID_QgaWinVssProvider)) return CLASS_E_CLASSNOTAVAILABLE;
    return IClassFactory_QueryInterface(&provider_factory, riid, out);
}

HRESULT WINAPI DllCanUnloadNow(void)
{
    LONG objects = object_count, locks = lock_count;

    TRACE("objects %ld, locks %ld.", objects, locks);
    return objects || locks ? S_FALSE : S_OK;
}

/* regsvr32 gets the whole registration (COM+ application, VSS provider), like rundll32's
 * DLLCOMRegister.  COM+ itself calls DllRegisterServer while it installs our component
 * (InstallComponent, inside COMRegister): that call only registers the class. */
HRESULT WINAPI DllRegisterServer(void)
{
    TRACE(".");
    if (com_register_in_progress()) return class_register();
    return COMRegister();
}

HRESULT WINAPI DllUnregisterServer(void)
{
    TRACE(".");
    if (com_register_in_progress()) return class_unregister();
    return COMUnregister();
}
