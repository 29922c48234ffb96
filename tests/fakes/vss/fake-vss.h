/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fake VSS coordinator's wire between its two halves: vssapi.dll (loaded by the requester,
 * like Windows' vssapi.dll) and fake-vss-service.exe (the "VSS service" that holds the writers
 * and loads the provider in its own process, as vssvc.exe and COM+ do).  Test-only code. */
#ifndef QGA_FAKE_VSS_H
#define QGA_FAKE_VSS_H

#include <windows.h>
#include <stdint.h>

#define FAKE_VSS_PIPE_W          L"\\\\.\\pipe\\qga-fake-vss"
#define FAKE_VSS_READY_EVENT_W   L"Local\\qga-fake-vss-ready"
#define FAKE_VSS_SERVICE_EXE_W   L"fake-vss-service.exe"
#define FAKE_VSS_SCENARIO_ENV_W  L"QGA_FAKE_VSS_SCENARIO"
#define FAKE_VSS_TRACE_ENV_W     L"QGA_FAKE_VSS_TRACE"
/* Defaults for processes without those variables (a service, a VM guest's init): REG_SZ values
 * "Scenario" and "Trace" under HKLM\<this key>. */
#define FAKE_VSS_DEFAULTS_KEY_W  L"Software\\qga-win\\FakeVss"

#define FAKE_VSS_START_WAIT_MS   10000   /* client: the service starting */
#define FAKE_VSS_CALL_WAIT_MS    120000  /* client: one request's reply (slow steps included) */

/* Status the client reports when the service is gone: what a requester sees when VSS dies. */
#define FAKE_VSS_E_GONE          HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE)

#define FAKE_VSS_STR 300

enum fake_vss_op
{
    OP_HELLO = 1,                 /* s0 scenario path (may be empty), u0 client pid, u1/u2 (low/high
                                   * 32 bits) the QPC microseconds at CreateVssBackupComponents' entry
                                   * -> u0 service pid */
    OP_CLOSE,                     /* u0 live client objects (leak check) */
    OP_TRACE,                     /* s0 call, s1 detail: a client-side call, for the trace */
    OP_INITIALIZE_FOR_BACKUP,     /* u0 1 if an XML document was given */
    OP_SET_BACKUP_STATE,          /* u0 select components, u1 bootable, u2 type, u3 partial */
    OP_SET_CONTEXT,               /* u0 context */
    OP_GATHER_WRITER_METADATA,    /* -> u0 async id */
    OP_GET_WRITER_METADATA_COUNT, /* -> u0 */
    OP_GET_WRITER_METADATA,       /* u0 index -> g0 instance, g1 class, s0 name, u0 usage, u1 source,
                                     u2 component count */
    OP_GET_COMPONENT,             /* u0 writer, u1 component -> u0 type, u1 selectable, s0 logical path,
                                     s1 name, s2 caption */
    OP_FREE_WRITER_METADATA,
    OP_ADD_COMPONENT,             /* g0 instance, g1 class, u0 type, s0 logical path, s1 name */
    OP_PREPARE_FOR_BACKUP,        /* -> u0 async id */
    OP_ABORT_BACKUP,
    OP_GATHER_WRITER_STATUS,      /* -> u0 async id */
    OP_GET_WRITER_STATUS_COUNT,   /* -> u0 */
    OP_GET_WRITER_STATUS,         /* u0 index -> g0 instance, g1 class, s0 name, u0 state, u1 failure */
    OP_FREE_WRITER_STATUS,
    OP_BACKUP_COMPLETE,           /* -> u0 async id */
    OP_START_SNAPSHOT_SET,        /* -> g0 set id */
    OP_ADD_TO_SNAPSHOT_SET,       /* s0 volume, g0 provider -> g0 snapshot id */
    OP_DO_SNAPSHOT_SET,           /* -> u0 async id */
    OP_GET_SNAPSHOT_PROPERTIES,   /* g0 snapshot id -> g0 set id, s0 original volume, s1 device, u0 count,
                                     u1 attributes */
    OP_ASYNC_STATUS,              /* u0 async id -> u0 status HRESULT */
    OP_ASYNC_CANCEL,              /* u0 async id */
    OP_UNIMPLEMENTED,             /* s0 method name: the requester called something we do not model */
};

/* One fixed-size message each way (message-mode pipe); strings are NUL-terminated UTF-16. */
struct fake_vss_msg
{
    uint32_t op;
    int32_t hr;                   /* reply: the call's HRESULT */
    uint32_t u[4];
    GUID g[2];
    WCHAR s[3][FAKE_VSS_STR];
};

/* Name of the event an async operation signals when it finishes (created by the service). */
static inline void fake_vss_async_event_name(WCHAR *buffer, size_t chars, DWORD service_pid, uint32_t id)
{
    _snwprintf(buffer, chars, L"Local\\qga-fake-vss-async-%lu-%u", (unsigned long)service_pid, (unsigned)id);
    buffer[chars - 1] = 0;
}

#endif
