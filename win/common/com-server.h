/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every in-proc COM server DLL of ours shares (qga-vss.dll and the test doubles): DllMain,
 * the module handle, the live-object and lock counts DllCanUnloadNow reads, and one static class
 * factory per class (style.md §3).  Each DLL lists its classes and exports its own
 * DllGetClassObject/DllCanUnloadNow through com_server_get_class_object()/com_server_can_unload(). */
#ifndef QGA_COMMON_COM_SERVER_H
#define QGA_COMMON_COM_SERVER_H

#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <objbase.h>

/* The DLL's module handle, stored by DllMain (defined in com-server.c). */
HMODULE com_server_module(void);

/* Every COM object of the DLL calls com_server_object_created() in its constructor and
 * com_server_object_destroyed() in its destructor.  Thread-safe. */
void com_server_object_created(void);
void com_server_object_destroyed(void);

/* One class of the DLL: its factory is a static object whose lifetime is the module's.  create
 * returns the interface riid on a new object (one reference, owned by the caller), *out NULL on
 * failure. */
struct com_class
{
    IClassFactory IClassFactory_iface;
    const CLSID *clsid;
    HRESULT (*create)(REFIID riid, void **out);
};
#define COM_CLASS(clsid, create) { { &com_class_factory_vtbl }, (clsid), (create) }
extern const IClassFactoryVtbl com_class_factory_vtbl;

/* DllGetClassObject over the DLL's classes: CLASS_E_CLASSNOTAVAILABLE for any other CLSID. */
HRESULT com_server_get_class_object(struct com_class *classes, size_t count, REFCLSID clsid, REFIID riid,
                                    void **out);
/* DllCanUnloadNow: S_OK when no object is alive and no IClassFactory::LockServer lock is held. */
HRESULT com_server_can_unload(void);

#endif
