/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Texts for HRESULTs and writer states, and the requester's error reports.  The system's message
 * tables do not describe VSS_E_* codes, so the VSS codes requesters meet are named here. */
#include <stdarg.h>
#include <stdio.h>
#include <wchar.h>

#include "requester-private.h"

static const struct
{
    HRESULT hr;
    const WCHAR *name;
    const WCHAR *text;
}
vss_errors[] =
{
    { VSS_E_BAD_STATE,                      L"VSS_E_BAD_STATE",
      L"the call is not valid in the backup's current state" },
    { VSS_E_UNEXPECTED,                     L"VSS_E_UNEXPECTED", L"unexpected VSS error" },
    { VSS_E_PROVIDER_NOT_REGISTERED,        L"VSS_E_PROVIDER_NOT_REGISTERED",
      L"the VSS provider is not registered" },
    { VSS_E_PROVIDER_VETO,                  L"VSS_E_PROVIDER_VETO", L"the VSS provider vetoed the operation" },
    { VSS_E_PROVIDER_IN_USE,                L"VSS_E_PROVIDER_IN_USE", L"the VSS provider is in use" },
    { VSS_E_OBJECT_NOT_FOUND,               L"VSS_E_OBJECT_NOT_FOUND", L"the object was not found" },
    { VSS_E_VOLUME_NOT_SUPPORTED,           L"VSS_E_VOLUME_NOT_SUPPORTED",
      L"shadow copies are not supported on this volume" },
    { VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER, L"VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER",
      L"the VSS provider does not support this volume" },
    { VSS_E_OBJECT_ALREADY_EXISTS,          L"VSS_E_OBJECT_ALREADY_EXISTS", L"the object already exists" },
    { VSS_E_UNEXPECTED_PROVIDER_ERROR,      L"VSS_E_UNEXPECTED_PROVIDER_ERROR",
      L"unexpected error in the VSS provider" },
    { VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED, L"VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED",
      L"too many volumes in the snapshot set" },
    { VSS_E_FLUSH_WRITES_TIMEOUT,           L"VSS_E_FLUSH_WRITES_TIMEOUT",
      L"the system could not flush I/O writes" },
    { VSS_E_HOLD_WRITES_TIMEOUT,            L"VSS_E_HOLD_WRITES_TIMEOUT",
      L"the system could not hold I/O writes long enough" },
    { VSS_E_UNEXPECTED_WRITER_ERROR,        L"VSS_E_UNEXPECTED_WRITER_ERROR", L"unexpected writer error" },
    { VSS_E_SNAPSHOT_SET_IN_PROGRESS,       L"VSS_E_SNAPSHOT_SET_IN_PROGRESS",
      L"another shadow copy creation is already in progress" },
    { VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED, L"VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED",
      L"the volume has reached its maximum number of shadow copies" },
    { VSS_E_WRITER_INFRASTRUCTURE,          L"VSS_E_WRITER_INFRASTRUCTURE",
      L"the writer infrastructure is not operating properly" },
    { VSS_E_WRITER_NOT_RESPONDING,          L"VSS_E_WRITER_NOT_RESPONDING", L"a writer is not responding" },
    { VSS_E_UNSUPPORTED_CONTEXT,            L"VSS_E_UNSUPPORTED_CONTEXT",
      L"the snapshot context is not supported" },
    { VSS_E_VOLUME_IN_USE,                  L"VSS_E_VOLUME_IN_USE", L"the volume is in use" },
    { VSS_E_INSUFFICIENT_STORAGE,           L"VSS_E_INSUFFICIENT_STORAGE",
      L"not enough storage for the shadow copy" },
    { VSS_E_TRANSACTION_FREEZE_TIMEOUT,     L"VSS_E_TRANSACTION_FREEZE_TIMEOUT",
      L"the transaction manager timed out freezing" },
    { VSS_E_TRANSACTION_THAW_TIMEOUT,       L"VSS_E_TRANSACTION_THAW_TIMEOUT",
      L"the transaction manager timed out thawing" },
    { VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT, L"VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT",
      L"the shadow copy holds only part of the writer's volumes" },
    { VSS_E_WRITERERROR_OUTOFRESOURCES,     L"VSS_E_WRITERERROR_OUTOFRESOURCES", L"the writer ran out of resources" },
    { VSS_E_WRITERERROR_TIMEOUT,            L"VSS_E_WRITERERROR_TIMEOUT",
      L"the writer timed out between freeze and thaw" },
    { VSS_E_WRITERERROR_RETRYABLE,          L"VSS_E_WRITERERROR_RETRYABLE",
      L"the writer failed; retrying may succeed" },
    { VSS_E_WRITERERROR_NONRETRYABLE,       L"VSS_E_WRITERERROR_NONRETRYABLE",
      L"the writer failed; retrying will not help" },
    { VSS_E_WRITERERROR_PARTIAL_FAILURE,    L"VSS_E_WRITERERROR_PARTIAL_FAILURE",
      L"the writer failed for some components" },
    { VSS_E_WRITER_STATUS_NOT_AVAILABLE,    L"VSS_E_WRITER_STATUS_NOT_AVAILABLE",
      L"the writer status is not available" },
};

static void strip_trailing_space(WCHAR *text)
{
    size_t len = wcslen(text);

    while (len && (text[len - 1] == L'\r' || text[len - 1] == L'\n' || text[len - 1] == L' '))
        text[--len] = 0;
}

void hresult_text(HRESULT hr, WCHAR *buffer, size_t chars)
{
    WCHAR system[256];
    DWORD code = (DWORD)hr;
    size_t i;

    if (!chars) return;
    buffer[0] = 0;
    for (i = 0; i < ARRAYSIZE(vss_errors); i++)
    {
        if (vss_errors[i].hr != hr) continue;
        swprintf(buffer, chars, L"%ls (%ls, 0x%08lx)", vss_errors[i].text, vss_errors[i].name, (unsigned long)code);
        return;
    }
    /* HRESULT_FROM_WIN32 codes are described by their Win32 code. */
    if (HRESULT_FACILITY(hr) == FACILITY_WIN32) code = HRESULT_CODE(hr);
    if (!FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
                        MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), system, ARRAYSIZE(system), NULL))
        wcscpy(system, L"unknown error");
    strip_trailing_space(system);
    swprintf(buffer, chars, L"%ls (0x%08lx)", system, (unsigned long)(DWORD)hr);
}

static HRESULT fail_va(struct requester_error *err, HRESULT hr, bool with_text, const WCHAR *fmt, va_list ap)
{
    WCHAR text[256];
    size_t len;

    if (!err) return hr;
    err->hr = hr;
    vswprintf(err->message, REQUESTER_MESSAGE_CHARS, fmt, ap);
    err->message[REQUESTER_MESSAGE_CHARS - 1] = 0;
    if (!with_text) return hr;
    hresult_text(hr, text, ARRAYSIZE(text));
    len = wcslen(err->message);
    swprintf(err->message + len, REQUESTER_MESSAGE_CHARS - len, L": %ls", text);
    err->message[REQUESTER_MESSAGE_CHARS - 1] = 0;
    return hr;
}

HRESULT requester_fail(struct requester_error *err, HRESULT hr, const WCHAR *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fail_va(err, hr, true, fmt, ap);
    va_end(ap);
    return hr;
}

HRESULT requester_fail_plain(struct requester_error *err, HRESULT hr, const WCHAR *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fail_va(err, hr, false, fmt, ap);
    va_end(ap);
    return hr;
}

const WCHAR *writer_state_name(VSS_WRITER_STATE state)
{
    switch (state)
    {
    case VSS_WS_STABLE:                      return L"stable";
    case VSS_WS_WAITING_FOR_FREEZE:          return L"waiting for freeze";
    case VSS_WS_WAITING_FOR_THAW:            return L"waiting for thaw";
    case VSS_WS_WAITING_FOR_POST_SNAPSHOT:   return L"waiting for post-snapshot";
    case VSS_WS_WAITING_FOR_BACKUP_COMPLETE: return L"waiting for backup complete";
    case VSS_WS_FAILED_AT_IDENTIFY:          return L"identify";
    case VSS_WS_FAILED_AT_PREPARE_BACKUP:    return L"prepare backup";
    case VSS_WS_FAILED_AT_PREPARE_SNAPSHOT:  return L"prepare snapshot";
    case VSS_WS_FAILED_AT_FREEZE:            return L"freeze";
    case VSS_WS_FAILED_AT_THAW:              return L"thaw";
    case VSS_WS_FAILED_AT_POST_SNAPSHOT:     return L"post-snapshot";
    case VSS_WS_FAILED_AT_BACKUP_COMPLETE:   return L"backup complete";
    case VSS_WS_FAILED_AT_PRE_RESTORE:       return L"pre-restore";
    case VSS_WS_FAILED_AT_POST_RESTORE:      return L"post-restore";
    case VSS_WS_FAILED_AT_BACKUPSHUTDOWN:    return L"backup shutdown";
    default:                                 return L"unknown state";
    }
}
