/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals of the fake vssapi.dll: the pipe connection and the objects' constructors. */
#ifndef QGA_FAKE_VSSAPI_H
#define QGA_FAKE_VSSAPI_H

#include <stdbool.h>

#include "fake-vss.h"

/* The connection to fake-vss-service.exe, shared (refcounted) by the backup components object
 * and everything it hands out. */
struct client
{
    LONG refcount;
    CRITICAL_SECTION lock;            /* one request at a time */
    HANDLE pipe;
    HANDLE io_event;
    HANDLE service;                   /* process handle: signalled when the service dies */
    DWORD service_pid;
    bool gone;
    volatile LONG live_objects;       /* asyncs, metadata, components: reported at Release */
};

void client_addref(struct client *client);
void client_release(struct client *client);
/* Sends msg, receives the reply into msg.  Returns the reply's HRESULT, or FAKE_VSS_E_GONE. */
HRESULT client_call(struct client *client, struct fake_vss_msg *msg);
/* Records a call handled inside this DLL (no service state) in the trace. */
void client_trace(struct client *client, const WCHAR *call, HRESULT hr, const WCHAR *detail);

/* fake-vssapi-objects.c */
HRESULT backup_create(struct client *client, IVssBackupComponents **out);

#endif
