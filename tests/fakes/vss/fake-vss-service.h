/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals of fake-vss-service.exe: the scenario, the trace, sessions (one per requester
 * IVssBackupComponents) and the snapshot sequence that drives our real provider.  Test-only. */
#ifndef QGA_FAKE_VSS_SERVICE_H
#define QGA_FAKE_VSS_SERVICE_H

#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <vss.h>
#include <vswriter.h>
#include <vsbackup.h>
#include <vsprov.h>
#include <stdbool.h>
#include <stdint.h>

#include "fake-vss.h"

#define MAX_WRITERS        16
#define MAX_UNSUPPORTED    8
#define MAX_SLOW           16
#define MAX_VOLUMES        64
#define MAX_COMPONENTS     128
#define MAX_ASYNC          64
#define STEP_NAME_CHARS    48

/* compat: Windows cancels the flush-and-hold after 10 s (VSS_E_HOLD_WRITES_TIMEOUT). */
#define DEFAULT_HOLD_WRITES_MS   10000
/* How long the fake waits for CommitSnapshots to return at all before failing the set. */
#define DEFAULT_COMMIT_LIMIT_MS  120000
#define DEFAULT_IDLE_EXIT_MS     60000
#define PROVIDER_CALL_WAIT_MS    30000   /* a connection thread waiting for the provider thread */

enum writer_fail
{
    FAIL_NONE,
    FAIL_IDENTIFY,
    FAIL_PREPARE,          /* OnPrepareBackup */
    FAIL_PREPARE_SNAPSHOT, /* OnPrepareSnapshot */
    FAIL_FREEZE,
    FAIL_THAW,
    FAIL_POST_SNAPSHOT,
};

struct writer
{
    WCHAR name[64];
    GUID class_id;
    GUID instance_id;
    uint32_t components;
    bool selectable;
    enum writer_fail fail;
    HRESULT fail_hr;
    /* per session */
    VSS_WRITER_STATE state;
    HRESULT failure;
};

struct scenario
{
    DWORD hold_writes_ms;
    DWORD commit_limit_ms;
    struct writer writers[MAX_WRITERS];
    uint32_t writer_count;
    WCHAR unsupported[MAX_UNSUPPORTED][MAX_PATH];   /* volume GUID paths AddToSnapshotSet refuses */
    uint32_t unsupported_count;
    bool set_context_unsupported;    /* SetContext with TRANSPORTABLE fails (client SKU) */
    bool object_not_found_at_commit; /* DoSnapshotSet ends with VSS_E_OBJECT_NOT_FOUND (old Windows) */
    bool provider_not_registered;    /* as if our provider were not registered with VSS */
    WCHAR die_at[STEP_NAME_CHARS];   /* the service exits just before this step */
    DWORD die_during_hold_ms;        /* 0, or exit this long after CommitSnapshots began */
    struct { WCHAR step[STEP_NAME_CHARS]; DWORD ms; } slow[MAX_SLOW];
    uint32_t slow_count;
    DWORD provider_hold_ms;          /* 0, or QGA_PROVIDER_HOLD_MS for the provider in this process */
    WCHAR trace[MAX_PATH];
};

/* scenario.c: parse a scenario file (NULL or "" = defaults).  Returns 0, or -1 with *error set. */
int scenario_load(const WCHAR *path, struct scenario *scenario, WCHAR *error, size_t error_chars);

/* service.c: what VSS accepts as a volume: drive letters, mounted folders and volume GUID paths,
 * with or without the trailing backslash.  Writes the volume GUID path; false if not a volume. */
bool resolve_volume(const WCHAR *given, WCHAR *volume /* MAX_PATH */);

/* trace.c: JSON lines, one per event, appended and flushed.  Thread-safe. */
void trace_open(const WCHAR *path);   /* NULL/"" = no trace; reopens only when the path changes */
/* args_json: the inside of a JSON object ("\"volume\": \"C:\\\\\"") or NULL.  hr/dur_us < 0 omitted. */
void trace_event(uint32_t session, const char *actor, const char *call, int64_t hr, int64_t dur_us,
                 const char *args_json);
/* Appends a JSON string literal for a UTF-16 string to buf (always NUL-terminated). */
void json_append_wstr(char *buf, size_t size, const WCHAR *text);
void json_append_guid(char *buf, size_t size, const GUID *guid);
int64_t trace_now_us(void);           /* monotonic, for durations */

struct async_op
{
    uint32_t id;
    HANDLE event;                     /* manual-reset, named for the client */
    volatile LONG status;             /* VSS_S_ASYNC_PENDING, VSS_S_ASYNC_FINISHED, or a failure */
    volatile LONG cancel;
    const char *call;
};

struct volume_entry
{
    WCHAR volume[MAX_PATH];           /* volume GUID path */
    GUID snapshot_id;
};

struct component_entry
{
    GUID instance_id;
    WCHAR name[FAKE_VSS_STR];
};

struct session
{
    uint32_t id;
    HANDLE pipe;
    DWORD client_pid;
    struct scenario scenario;
    SRWLOCK lock;
    LONG refcount;                    /* connection thread + a running operation */

    /* IVssBackupComponents state machine */
    bool initialized, backup_state_set, select_components, context_set, metadata_gathering, metadata_ready;
    bool metadata_freed, set_started, preparing, prepared, status_ready, snapshot_running, snapshot_done;
    bool snapshot_ok, completed, aborted, closed;
    LONG context;
    VSS_BACKUP_TYPE backup_type;
    GUID set_id;
    struct volume_entry volumes[MAX_VOLUMES];
    uint32_t volume_count;
    struct component_entry components[MAX_COMPONENTS];
    uint32_t component_count;
    uint32_t misuse_count;

    struct async_op asyncs[MAX_ASYNC];
    uint32_t async_count;

    /* provider (used on the provider thread only) */
    IVssSoftwareSnapshotProvider *provider;
    IVssProviderCreateSnapshotSet *provider_create;
    IVssProviderNotifications *provider_notify;
};

/* service.c */
extern DWORD service_pid;
void session_release(struct session *session);
void async_finish(struct session *session, struct async_op *op, HRESULT status);
/* Runs a writer event (Identify, PrepareBackup, PrepareSnapshot, Freeze, Thaw, PostSnapshot,
 * BackupComplete, Abort) on every writer still standing; returns the first failure. */
HRESULT writers_event(struct session *session, const char *event);
bool step_hook(struct session *session, const char *step);        /* slow / die-at; false: cancelled */
void service_set_busy(bool busy);

/* snapshot.c: provider thread and the DoSnapshotSet sequence */
int provider_thread_start(void);
/* Runs fn(arg) on the provider thread (STA); waits at most timeout_ms.  Returns false on timeout. */
bool provider_run(void (*fn)(void *), void *arg, DWORD timeout_ms);
/* Loads the provider for the session (on the provider thread).  Returns S_OK or
 * VSS_E_PROVIDER_NOT_REGISTERED. */
HRESULT provider_load(struct session *session);
void provider_unload(struct session *session);
/* Asks the provider about a volume (on the provider thread). */
HRESULT provider_is_volume_supported(struct session *session, const WCHAR *volume, BOOL *supported);
/* Starts the DoSnapshotSet sequence for op on the provider thread (returns at once). */
void snapshot_start(struct session *session, struct async_op *op);

#endif
