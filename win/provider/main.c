/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qga-vss.dll's COM entry points: DllGetClassObject, DllCanUnloadNow, DllRegisterServer and
 * DllUnregisterServer (DllMain and the class factory: win/common/com-server.c). */
#include "provider.h"
#include "com-server.h"
#include "guids.h"
#include "trace.h"

static struct com_class classes[] =
{
    COM_CLASS(&CLSID_QgaWinVssProvider, provider_create),
};

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **out);
HRESULT WINAPI DllCanUnloadNow(void);
HRESULT WINAPI DllRegisterServer(void);
HRESULT WINAPI DllUnregisterServer(void);

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID riid, void **out)
{
    return com_server_get_class_object(classes, ARRAYSIZE(classes), clsid, riid, out);
}

HRESULT WINAPI DllCanUnloadNow(void)
{
    return com_server_can_unload();
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
