/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Our CLSID, provider and type-library GUIDs: declared here, defined once in guids.c.
 * Deliberately not qemu-ga's, so both providers can be registered side by side. */
#ifndef QGA_COMMON_GUIDS_H
#define QGA_COMMON_GUIDS_H

#include <guiddef.h>

/* {63C1E77D-D80D-4D7F-8217-DD37576644A4} the provider's COM class */
extern const GUID CLSID_QgaWinVssProvider;
/* {3CCF047A-D450-4BAE-82B7-F639060B497C} VSS provider id (IVssAdmin::RegisterProvider) */
extern const GUID QGA_VSS_PROVIDER_ID;
/* {B47BE827-1260-41C4-862D-E7830A7B2BBD} VSS provider version id */
extern const GUID QGA_VSS_PROVIDER_VERSION_ID;
/* {78868DC1-7DE9-4FA8-B109-3A267B318F2A} type library (tlb/qga-vss.idl) */
extern const GUID LIBID_QgaWinVssLib;
/* {794AE6E7-9681-466D-A443-1729A9334F1D} MSI UpgradeCode (documented here; used by the .wxs) */

#define QGA_VSS_PROVIDER_CLSID_STR_W L"{63C1E77D-D80D-4D7F-8217-DD37576644A4}"
#define QGA_VSS_PROVIDER_ID_STR_W    L"{3CCF047A-D450-4BAE-82B7-F639060B497C}"

#endif
