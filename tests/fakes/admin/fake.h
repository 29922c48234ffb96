/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals of qga-fake-admin.dll: the test doubles of the COM+ catalog (CLSID_COMAdminCatalog)
 * and of the VSS coordinator's IVssAdmin (CLSID_VSSCoordinator), registered in a test Wine
 * prefix (wine-notes.md §5).  Never linked into a shipped binary.
 *
 * State persists across processes in the registry under FAKE_STORE_W (the "catalog"), so
 * rundll32, regsvr32 and the agent each see what the previous one did.  Every call is appended
 * as one JSON line to the trace file named by QGA_FAKE_TRACE (or the registry value Trace under
 * FAKE_CONFIG_W).  QGA_FAKE_FAIL (or the value Fail) makes chosen calls fail:
 *     "Call[#n][=0xHRESULT],..."   e.g. "InstallComponent", "Roles.SaveChanges#2=0x80110401"
 * Call names are the trace's "call" values; #n fails only the n-th such call of the process;
 * the default HRESULT is E_FAIL. */
#ifndef QGA_FAKE_ADMIN_H
#define QGA_FAKE_ADMIN_H

#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <objbase.h>
#include <oleauto.h>
#include <comadmin.h>
#include <vss.h>
#include <vsadmin.h>
#include <vsserror.h>
#include <stdbool.h>
#include <stddef.h>

#define FAKE_CONFIG_W     L"Software\\QgaWinTests\\Fakes"
#define FAKE_STORE_W      L"Software\\QgaWinTests\\Fakes\\ComPlus"       /* HKLM */
#define FAKE_APPS_W       FAKE_STORE_W L"\\Applications"
#define FAKE_PROVIDERS_W  L"Software\\QgaWinTests\\Fakes\\Vss\\Providers"  /* HKLM */

#include "com-server.h"

/* main.c */
HRESULT fake_catalog_create(REFIID riid, void **out);
HRESULT fake_vss_admin_create(REFIID riid, void **out);

/* collection.c: the catalog's collections.  parent: the parent object's store key (FAKE_APPS_W
 * for Applications); child: the subkey of parent that holds the objects, or NULL when they live in
 * parent itself (UsersInRole) or for Applications. */
enum fake_kind
{
    FAKE_APPLICATIONS,
    FAKE_ROLES,
    FAKE_USERS,
};
HRESULT collection_create(enum fake_kind kind, const WCHAR *parent, const WCHAR *child,
                          ICatalogCollection **out);

/* json.c: a growing UTF-8 buffer for JSON text.  On allocation failure the text is dropped and
 * the result is "null". */
struct json
{
    char *text;
    size_t len, capacity;
    bool failed;
    bool need_comma;
};
void json_init(struct json *json);
void json_free(struct json *json);
const char *json_text(struct json *json);
void json_begin(struct json *json, char bracket);     /* '{' or '[' */
void json_end(struct json *json, char bracket);       /* '}' or ']' */
void json_key(struct json *json, const char *key);    /* inside an object, before a value */
void json_string(struct json *json, const WCHAR *value);   /* NULL gives null */
void json_string_a(struct json *json, const char *value);
void json_int(struct json *json, long long value);
void json_bool(struct json *json, bool value);
void json_guid(struct json *json, const GUID *guid);
void json_hresult(struct json *json, HRESULT hr);
void json_variant(struct json *json, const VARIANT *value);
void json_raw(struct json *json, const char *value);                 /* a complete JSON value */
void json_append(struct json *json, const char *data, size_t len);   /* raw bytes, no comma logic */

/* trace.c: fault injection and the call trace. */
/* The failure configured for this call (counting it), or S_OK. */
HRESULT fake_fault(const char *call);
/* Appends {"pid":..,"object":..,"call":..,"args":<args>,"hr":"0x..."} (args may be NULL). */
void fake_trace(const char *object, const char *call, struct json *args, HRESULT hr);
/* Ends args (an open JSON object, or NULL), traces the call with hr, frees args; returns hr. */
HRESULT fake_finish(const char *object, const char *call, struct json *args, HRESULT hr);
/* A failure noted in the trace as "note" (why the double refused a call) and on stderr. */
void fake_note(const char *object, const char *call, const char *fmt, ...)
    __attribute__((format(gnu_printf, 3, 4)));

/* store.c: registry helpers (HKLM).  Strings returned are malloc'd (caller frees). */
bool store_key_exists(const WCHAR *path);
WCHAR *store_get_string(const WCHAR *path, const WCHAR *name);
bool store_get_dword(const WCHAR *path, const WCHAR *name, DWORD *value);
LSTATUS store_set_string(const WCHAR *path, const WCHAR *name, const WCHAR *value);
LSTATUS store_set_dword(const WCHAR *path, const WCHAR *name, DWORD value);
LSTATUS store_delete_value(const WCHAR *path, const WCHAR *name);
LSTATUS store_delete_tree(const WCHAR *path);
/* Subkey names of path, in a NULL-terminated malloc'd array (free with store_free_list). */
WCHAR **store_subkeys(const WCHAR *path);
/* A REG_MULTI_SZ as a NULL-terminated array; a missing value gives an empty array. */
WCHAR **store_get_multi(const WCHAR *path, const WCHAR *name);
LSTATUS store_set_multi(const WCHAR *path, const WCHAR *name, WCHAR *const *values, size_t count);
void store_free_list(WCHAR **list);
/* The application whose ID ("{...}") or Name is id_or_name: its ID into id (39 chars + NUL).
 * COMADMIN_E_OBJECT_DOES_NOT_EXIST, COMADMIN_E_AMBIGUOUS_APPLICATION_NAME, or S_OK. */
HRESULT store_find_app(const WCHAR *id_or_name, WCHAR id[40]);
/* The application whose Components include clsid, or false. */
bool store_component_app(const GUID *clsid, WCHAR app_id[40]);
/* Deletes an application: its service, its components' class registrations, its key. */
HRESULT store_delete_app(const WCHAR *app_id);
void guid_to_string(const GUID *guid, WCHAR out[40]);

/* True if value looks like a BSTR (the length prefix matches); NULL counts as an empty BSTR.
 * Real COM+ marshals BSTRs; passing a plain string is a bug the double reports. */
bool is_bstr(BSTR value);

#endif
