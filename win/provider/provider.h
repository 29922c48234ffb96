/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals shared by the files of qga-vss.dll's COM side (not an ABI: nothing here is exported
 * except through qga-vss.def). */
#ifndef QGA_PROVIDER_H
#define QGA_PROVIDER_H

#define COBJMACROS
#define CONST_VTABLE    /* vtables are static const (style.md §3) */
#include <windows.h>
#include <objbase.h>
#include <vss.h>
#include <vsprov.h>
#include <stdbool.h>

/* The module handle and live-object count (DllCanUnloadNow) are com-server.h's. */
#include "com-server.h"

/* provider.c: creates the provider object and returns the interface riid on it in *out (one
 * reference, owned by the caller).  *out is NULL on failure (E_NOINTERFACE, E_OUTOFMEMORY). */
HRESULT provider_create(REFIID riid, void **out);

/* enum.c: an IVssEnumObject that enumerates nothing (the provider keeps no shadow copies). */
HRESULT empty_enum_create(REFIID riid, void **out);

/* register.c: the HKCR entries of our class (CLSID, InprocServer32, ProgID).  Idempotent;
 * removing absent keys succeeds. */
HRESULT class_register(void);
HRESULT class_unregister(void);
/* True while COMRegister() runs in this or another process: COM+'s InstallComponent then calls
 * our DllRegisterServer back, which must only register the class. */
bool com_register_in_progress(void);

/* register.c: the whole registration (COM+ application, its service, the component, the role,
 * the VSS provider, VssOption) and its removal.  Exported (PRIVATE) for the agent's
 * `-s vss-install` / `-s vss-uninstall`.  S_OK or the HRESULT that failed, after printing a
 * message to stderr and the log and rolling back.  Call from any thread; they initialise COM
 * for themselves (multithreaded) and balance it. */
HRESULT WINAPI COMRegister(void);
HRESULT WINAPI COMUnregister(void);

#endif
