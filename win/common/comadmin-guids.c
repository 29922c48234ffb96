/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Definitions of the COM+ admin GUIDs that mingw-w64's libuuid lacks (CLSID_COMAdminCatalog,
 * IID_ICOMAdminCatalog2, IID_ICatalogCollection, IID_ICatalogObject, ...): comadmin.h declares
 * them, and this one file defines them. */
#include <windows.h>
#include <initguid.h>
#include <comadmin.h>
