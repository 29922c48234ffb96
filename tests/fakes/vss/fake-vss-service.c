/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fake-vss-service.exe: the "VSS service" half of the fake coordinator.  The fake vssapi.dll in
 * the requester's process forwards IVssBackupComponents calls here over a named pipe; this
 * process keeps the writers, enforces the call order of a real coordinator (misuse gets
 * VSS_E_BAD_STATE and a "misuse" trace line), and drives our real provider, loaded through COM
 * in this process, as VSS drives a provider in its COM+ process: so the provider outlives a
 * killed agent exactly as it would on Windows.  Test-only. */
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "fake-vss-service.h"
#include "guids.h"

#define TRACE_HR(hr) ((int64_t)(uint32_t)(hr))
#define NO_HR (-1)

DWORD service_pid;
static WCHAR startup_hold_ms[16];        /* QGA_PROVIDER_HOLD_MS as the service was started with */
static bool startup_hold_ms_set;
static volatile LONG live_sessions;
static volatile LONG snapshot_busy;
static volatile LONG next_session_id;
static HANDLE activity_event;            /* set when a session ends, to re-arm the idle timer */

void service_set_busy(bool busy)
{
    InterlockedExchange(&snapshot_busy, busy);
}

static HRESULT misuse(struct session *session, const char *call, const char *why)
{
    char args[512] = "\"method\": ";
    size_t len;

    session->misuse_count++;
    len = strlen(args);
    snprintf(args + len, sizeof(args) - len, "\"%s\", \"why\": \"%s\"", call, why);
    trace_event(session->id, "coordinator", "misuse", TRACE_HR(VSS_E_BAD_STATE), NO_HR, args);
    return VSS_E_BAD_STATE;
}

bool step_hook(struct session *session, const char *step)
{
    WCHAR step_w[STEP_NAME_CHARS];
    uint32_t i;

    MultiByteToWideChar(CP_UTF8, 0, step, -1, step_w, STEP_NAME_CHARS);
    for (i = 0; i < session->scenario.slow_count; i++)
    {
        if (wcscmp(session->scenario.slow[i].step, step_w)) continue;
        trace_event(session->id, "coordinator", "slow", NO_HR, NO_HR, NULL);
        /* The scenario asks this step to take longer: the delay is the simulation itself. */
        Sleep(session->scenario.slow[i].ms);
    }
    if (!wcscmp(session->scenario.die_at, step_w))
    {
        char args[128];

        snprintf(args, sizeof(args), "\"step\": \"%s\"", step);
        trace_event(session->id, "coordinator", "die", NO_HR, NO_HR, args);
        ExitProcess(3);
    }
    return true;
}

/* Writer events: every writer that has not failed yet takes part; a scenario fault fails it. */
static const struct
{
    const char *event;
    enum writer_fail fail;
    VSS_WRITER_STATE ok_state, failed_state;
}
writer_events[] =
{
    { "Identify",        FAIL_IDENTIFY,         VSS_WS_STABLE,                      VSS_WS_FAILED_AT_IDENTIFY },
    { "PrepareBackup",   FAIL_PREPARE,          VSS_WS_STABLE,                      VSS_WS_FAILED_AT_PREPARE_BACKUP },
    { "PrepareSnapshot", FAIL_PREPARE_SNAPSHOT, VSS_WS_WAITING_FOR_FREEZE,          VSS_WS_FAILED_AT_PREPARE_SNAPSHOT },
    { "Freeze",          FAIL_FREEZE,           VSS_WS_WAITING_FOR_THAW,            VSS_WS_FAILED_AT_FREEZE },
    { "Thaw",            FAIL_THAW,             VSS_WS_WAITING_FOR_POST_SNAPSHOT,   VSS_WS_FAILED_AT_THAW },
    { "PostSnapshot",    FAIL_POST_SNAPSHOT,    VSS_WS_WAITING_FOR_BACKUP_COMPLETE, VSS_WS_FAILED_AT_POST_SNAPSHOT },
    { "BackupComplete",  FAIL_NONE,             VSS_WS_STABLE,                      VSS_WS_STABLE },
    { "Abort",           FAIL_NONE,             VSS_WS_STABLE,                      VSS_WS_STABLE },
};

static bool writer_failed(const struct writer *writer)
{
    return writer->state >= VSS_WS_FAILED_AT_IDENTIFY;
}

HRESULT writers_event(struct session *session, const char *event)
{
    HRESULT result = S_OK;
    unsigned e;
    uint32_t i;

    if (session->context & VSS_VOLSNAP_ATTR_NO_WRITERS) return S_OK;
    for (e = 0; e < ARRAYSIZE(writer_events); e++)
        if (!strcmp(writer_events[e].event, event)) break;
    if (e == ARRAYSIZE(writer_events)) return E_INVALIDARG;
    step_hook(session, event);
    for (i = 0; i < session->scenario.writer_count; i++)
    {
        struct writer *writer = &session->scenario.writers[i];
        char args[256] = "\"writer\": ";
        bool fails;

        if (writer_failed(writer)) continue;
        fails = writer->fail != FAIL_NONE && writer->fail == writer_events[e].fail;
        json_append_wstr(args, sizeof(args), writer->name);
        trace_event(session->id, "writer", event, TRACE_HR(fails ? writer->fail_hr : S_OK), NO_HR, args);
        AcquireSRWLockExclusive(&session->lock);
        if (fails)
        {
            writer->state = writer_events[e].failed_state;
            writer->failure = writer->fail_hr;
            if (SUCCEEDED(result)) result = writer->fail_hr;
        }
        else
            writer->state = writer_events[e].ok_state;
        ReleaseSRWLockExclusive(&session->lock);
    }
    return result;
}

static struct async_op *async_new(struct session *session, const char *call)
{
    WCHAR name[96];
    struct async_op *op;

    if (session->async_count >= MAX_ASYNC) return NULL;
    op = &session->asyncs[session->async_count];
    op->id = session->id * 1000 + session->async_count + 1;
    fake_vss_async_event_name(name, ARRAYSIZE(name), service_pid, op->id);
    if (!(op->event = CreateEventW(NULL, TRUE, FALSE, name))) return NULL;
    op->status = VSS_S_ASYNC_PENDING;
    op->call = call;
    session->async_count++;
    return op;
}

static struct async_op *async_find(struct session *session, uint32_t id)
{
    uint32_t i;

    for (i = 0; i < session->async_count; i++)
        if (session->asyncs[i].id == id) return &session->asyncs[i];
    return NULL;
}

void async_finish(struct session *session, struct async_op *op, HRESULT status)
{
    char args[64];

    snprintf(args, sizeof(args), "\"async\": %u", op->id);
    if (op->cancel && SUCCEEDED(status)) status = VSS_S_ASYNC_CANCELLED;
    if (status == S_OK) status = VSS_S_ASYNC_FINISHED;
    trace_event(session->id, "coordinator", op->call, TRACE_HR(status), NO_HR, args);
    InterlockedExchange(&op->status, status);
    SetEvent(op->event);
}

void session_release(struct session *session)
{
    uint32_t i;

    if (InterlockedDecrement(&session->refcount)) return;
    if (session->provider) provider_unload(session);
    for (i = 0; i < session->async_count; i++) CloseHandle(session->asyncs[i].event);
    trace_event(session->id, "coordinator", "session-end", NO_HR, NO_HR, NULL);
    free(session);
    InterlockedDecrement(&live_sessions);
    SetEvent(activity_event);
}

/* The quick asynchronous operations run on their own thread, as the VSS service does. */
struct async_job
{
    struct session *session;
    struct async_op *op;
    const char *step;
    const char *writer_event;         /* NULL: no writer event */
    void (*after)(struct session *session, HRESULT hr);
};

static void after_metadata(struct session *session, HRESULT hr)
{
    (void)hr;
    AcquireSRWLockExclusive(&session->lock);
    session->metadata_gathering = false;
    session->metadata_ready = true;
    ReleaseSRWLockExclusive(&session->lock);
}

static void after_prepare(struct session *session, HRESULT hr)
{
    (void)hr;
    AcquireSRWLockExclusive(&session->lock);
    session->preparing = false;
    session->prepared = true;
    ReleaseSRWLockExclusive(&session->lock);
}

static void after_status(struct session *session, HRESULT hr)
{
    (void)hr;
    AcquireSRWLockExclusive(&session->lock);
    session->status_ready = true;
    ReleaseSRWLockExclusive(&session->lock);
}

static void after_complete(struct session *session, HRESULT hr)
{
    (void)hr;
    AcquireSRWLockExclusive(&session->lock);
    session->completed = true;
    ReleaseSRWLockExclusive(&session->lock);
}

static DWORD WINAPI async_job_thread(void *arg)
{
    struct async_job *job = arg;

    step_hook(job->session, job->step);
    /* Writer failures are reported through the writers' states, not the operation's status. */
    if (job->writer_event) writers_event(job->session, job->writer_event);
    if (job->after) job->after(job->session, S_OK);
    async_finish(job->session, job->op, S_OK);
    session_release(job->session);
    free(job);
    return 0;
}

static HRESULT async_start(struct session *session, const char *step, const char *writer_event,
                           void (*after)(struct session *, HRESULT), uint32_t *id)
{
    struct async_job *job;
    struct async_op *op;
    HANDLE thread;

    if (!(op = async_new(session, step))) return E_OUTOFMEMORY;
    if (!(job = calloc(1, sizeof(*job)))) return E_OUTOFMEMORY;
    job->session = session;
    job->op = op;
    job->step = step;
    job->writer_event = writer_event;
    job->after = after;
    InterlockedIncrement(&session->refcount);
    if (!(thread = CreateThread(NULL, 0, async_job_thread, job, 0, NULL)))
    {
        session_release(session);
        free(job);
        return HRESULT_FROM_WIN32(GetLastError());
    }
    CloseHandle(thread);
    *id = op->id;
    return S_OK;
}

static struct writer *metadata_writer(struct session *session, uint32_t index)
{
    uint32_t i, n = 0;

    for (i = 0; i < session->scenario.writer_count; i++)
    {
        if (session->scenario.writers[i].state == VSS_WS_FAILED_AT_IDENTIFY) continue;
        if (n++ == index) return &session->scenario.writers[i];
    }
    return NULL;
}

static uint32_t metadata_count(struct session *session)
{
    uint32_t i, n = 0;

    for (i = 0; i < session->scenario.writer_count; i++)
        if (session->scenario.writers[i].state != VSS_WS_FAILED_AT_IDENTIFY) n++;
    return n;
}

static void component_name(const struct writer *writer, uint32_t index, WCHAR *name)
{
    _snwprintf(name, FAKE_VSS_STR, L"%ls component %u", writer->name, (unsigned)index + 1);
    name[FAKE_VSS_STR - 1] = 0;
}

static HRESULT add_component(struct session *session, struct fake_vss_msg *msg, char *args, size_t size)
{
    WCHAR name[FAKE_VSS_STR];
    struct writer *writer = NULL;
    uint32_t i;

    json_append_wstr(args, size, msg->s[1]);
    if (!session->metadata_ready || session->metadata_freed)
        return misuse(session, "AddComponent", "writer metadata not gathered");
    if (!session->backup_state_set || !session->select_components)
        return misuse(session, "AddComponent", "SetBackupState did not select components");
    if (session->preparing || session->prepared) return misuse(session, "AddComponent", "after PrepareForBackup");
    for (i = 0; i < session->scenario.writer_count; i++)
        if (IsEqualGUID(&session->scenario.writers[i].instance_id, &msg->g[0])) writer = &session->scenario.writers[i];
    if (!writer || !IsEqualGUID(&writer->class_id, &msg->g[1])) return VSS_E_OBJECT_NOT_FOUND;
    for (i = 0; i < writer->components; i++)
    {
        component_name(writer, i, name);
        if (!wcscmp(name, msg->s[1])) break;
    }
    if (i == writer->components || wcscmp(msg->s[0], L"FakeData")) return VSS_E_OBJECT_NOT_FOUND;
    if (!writer->selectable) return misuse(session, "AddComponent", "component is not selectable");
    for (i = 0; i < session->component_count; i++)
        if (IsEqualGUID(&session->components[i].instance_id, &msg->g[0]) && !wcscmp(session->components[i].name, name))
            return VSS_E_OBJECT_ALREADY_EXISTS;
    if (session->component_count >= MAX_COMPONENTS) return E_OUTOFMEMORY;
    session->components[session->component_count].instance_id = msg->g[0];
    wcscpy(session->components[session->component_count++].name, name);
    return S_OK;
}

bool resolve_volume(const WCHAR *given, WCHAR *volume)
{
    WCHAR path[MAX_PATH + 1], names[MAX_PATH];
    size_t len = wcslen(given);
    DWORD length;

    if (!len || len >= MAX_PATH) return false;
    wcscpy(path, given);
    if (path[len - 1] != L'\\') wcscat(path, L"\\");
    if (_wcsnicmp(path, L"\\\\?\\Volume{", 11))
        return GetVolumeNameForVolumeMountPointW(path, volume, MAX_PATH);
    /* A GUID path names itself if the volume exists (Wine 8's GetVolumeNameForVolumeMountPointW
     * refuses GUID paths; Windows returns them unchanged). */
    if (!GetVolumePathNamesForVolumeNameW(path, names, ARRAYSIZE(names), &length) && GetLastError() != ERROR_MORE_DATA)
        return false;
    wcscpy(volume, path);
    return true;
}

static bool volume_unsupported(struct session *session, const WCHAR *volume)
{
    uint32_t i;

    for (i = 0; i < session->scenario.unsupported_count; i++)
        if (!_wcsicmp(session->scenario.unsupported[i], volume)) return true;
    return false;
}

static HRESULT add_to_snapshot_set(struct session *session, struct fake_vss_msg *msg, char *args, size_t size)
{
    WCHAR volume[MAX_PATH];
    BOOL supported = FALSE;
    HRESULT hr;
    uint32_t i;

    json_append_wstr(args, size, msg->s[0]);
    strncat(args, ", \"provider\": ", size - strlen(args) - 1);
    json_append_guid(args, size, &msg->g[0]);
    if (!session->set_started) return misuse(session, "AddToSnapshotSet", "no StartSnapshotSet");
    if (session->snapshot_running || session->snapshot_done)
        return misuse(session, "AddToSnapshotSet", "after DoSnapshotSet");
    if (!IsEqualGUID(&msg->g[0], &QGA_VSS_PROVIDER_ID) && !IsEqualGUID(&msg->g[0], &GUID_NULL))
        return VSS_E_PROVIDER_NOT_REGISTERED;
    if (!resolve_volume(msg->s[0], volume)) return VSS_E_OBJECT_NOT_FOUND;
    if (volume_unsupported(session, volume)) return VSS_E_VOLUME_NOT_SUPPORTED;
    for (i = 0; i < session->volume_count; i++)
        if (!_wcsicmp(session->volumes[i].volume, volume)) return VSS_E_OBJECT_ALREADY_EXISTS;
    if (session->volume_count >= MAX_VOLUMES) return VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED;
    if (session->scenario.provider_not_registered) return VSS_E_PROVIDER_NOT_REGISTERED;
    if (FAILED(hr = provider_load(session))) return hr;
    if (FAILED(hr = provider_is_volume_supported(session, volume, &supported))) return hr;
    if (!supported) return VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER;
    wcscpy(session->volumes[session->volume_count].volume, volume);
    CoCreateGuid(&session->volumes[session->volume_count].snapshot_id);
    msg->g[0] = session->volumes[session->volume_count++].snapshot_id;
    return S_OK;
}

static HRESULT get_snapshot_properties(struct session *session, struct fake_vss_msg *msg)
{
    uint32_t i;

    if (!session->snapshot_done || !session->snapshot_ok)
        return misuse(session, "GetSnapshotProperties", "no snapshot set created");
    for (i = 0; i < session->volume_count; i++)
    {
        if (!IsEqualGUID(&session->volumes[i].snapshot_id, &msg->g[0])) continue;
        msg->g[0] = session->set_id;
        lstrcpynW(msg->s[0], session->volumes[i].volume, FAKE_VSS_STR);
        _snwprintf(msg->s[1], FAKE_VSS_STR, L"\\\\?\\GLOBALROOT\\Device\\FakeShadowCopy%u", (unsigned)i + 1);
        msg->u[0] = session->volume_count;
        msg->u[1] = (uint32_t)session->context;
        return S_OK;
    }
    return VSS_E_OBJECT_NOT_FOUND;
}

/* One requester call.  Returns the HRESULT for the reply; fills msg's outputs; args for the trace. */
static HRESULT handle(struct session *session, struct fake_vss_msg *msg, const char **call, char *args, size_t size)
{
    struct writer *writer;
    struct async_op *op;

    switch (msg->op)
    {
    case OP_INITIALIZE_FOR_BACKUP:
        *call = "InitializeForBackup";
        if (session->initialized) return misuse(session, *call, "already initialized");
        session->initialized = true;
        return S_OK;
    case OP_SET_BACKUP_STATE:
        *call = "SetBackupState";
        snprintf(args, size, "\"select_components\": %u, \"bootable\": %u, \"type\": %u, \"partial\": %u",
                 msg->u[0], msg->u[1], msg->u[2], msg->u[3]);
        if (!session->initialized) return misuse(session, *call, "no InitializeForBackup");
        if (session->preparing || session->prepared) return misuse(session, *call, "after PrepareForBackup");
        if (msg->u[2] < VSS_BT_FULL || msg->u[2] > VSS_BT_OTHER) return E_INVALIDARG;
        session->backup_state_set = true;
        session->select_components = msg->u[0];
        session->backup_type = (VSS_BACKUP_TYPE)msg->u[2];
        return S_OK;
    case OP_SET_CONTEXT:
        *call = "SetContext";
        snprintf(args, size, "\"context\": \"0x%08x\"", msg->u[0]);
        if (!session->initialized) return misuse(session, *call, "no InitializeForBackup");
        if (session->context_set) return misuse(session, *call, "context already set");
        if (session->set_started || session->metadata_gathering || session->metadata_ready)
            return misuse(session, *call, "too late: after GatherWriterMetadata or StartSnapshotSet");
        if (session->scenario.set_context_unsupported && (msg->u[0] & VSS_VOLSNAP_ATTR_TRANSPORTABLE))
            return VSS_E_UNSUPPORTED_CONTEXT;
        session->context_set = true;
        session->context = (LONG)msg->u[0];
        return S_OK;
    case OP_GATHER_WRITER_METADATA:
        *call = "GatherWriterMetadata";
        if (!session->initialized) return misuse(session, *call, "no InitializeForBackup");
        if (session->metadata_gathering || session->metadata_ready) return misuse(session, *call, "gathered twice");
        session->metadata_gathering = true;
        return async_start(session, *call, "Identify", after_metadata, &msg->u[0]);
    case OP_GET_WRITER_METADATA_COUNT:
        *call = "GetWriterMetadataCount";
        if (!session->metadata_ready || session->metadata_freed)
            return misuse(session, *call, "writer metadata not gathered");
        msg->u[0] = metadata_count(session);
        return S_OK;
    case OP_GET_WRITER_METADATA:
    case OP_GET_COMPONENT:
        *call = msg->op == OP_GET_COMPONENT ? "GetComponent" : "GetWriterMetadata";
        snprintf(args, size, "\"index\": %u", msg->u[0]);
        if (!session->metadata_ready || session->metadata_freed)
            return misuse(session, *call, "writer metadata not gathered");
        if (!(writer = metadata_writer(session, msg->u[0]))) return E_INVALIDARG;
        if (msg->op == OP_GET_COMPONENT)
        {
            if (msg->u[1] >= writer->components) return E_INVALIDARG;
            component_name(writer, msg->u[1], msg->s[1]);
            wcscpy(msg->s[0], L"FakeData");
            lstrcpynW(msg->s[2], msg->s[1], FAKE_VSS_STR);
            msg->u[0] = VSS_CT_FILEGROUP;
            msg->u[1] = writer->selectable;
            return S_OK;
        }
        msg->g[0] = writer->instance_id;
        msg->g[1] = writer->class_id;
        lstrcpynW(msg->s[0], writer->name, FAKE_VSS_STR);
        msg->u[0] = VSS_UT_USERDATA;
        msg->u[1] = VSS_ST_TRANSACTEDDB;
        msg->u[2] = writer->components;
        return S_OK;
    case OP_FREE_WRITER_METADATA:
        *call = "FreeWriterMetadata";
        if (!session->metadata_ready) return misuse(session, *call, "writer metadata not gathered");
        session->metadata_freed = true;
        return S_OK;
    case OP_ADD_COMPONENT:
        *call = "AddComponent";
        strncat(args, "\"component\": ", size - 1);
        return add_component(session, msg, args, size);
    case OP_START_SNAPSHOT_SET:
        *call = "StartSnapshotSet";
        if (!session->initialized) return misuse(session, *call, "no InitializeForBackup");
        if (session->set_started) return misuse(session, *call, "snapshot set already started");
        if (snapshot_busy) return VSS_E_SNAPSHOT_SET_IN_PROGRESS;
        session->set_started = true;
        CoCreateGuid(&session->set_id);
        msg->g[0] = session->set_id;
        return S_OK;
    case OP_ADD_TO_SNAPSHOT_SET:
        *call = "AddToSnapshotSet";
        strncat(args, "\"volume\": ", size - 1);
        return add_to_snapshot_set(session, msg, args, size);
    case OP_PREPARE_FOR_BACKUP:
        *call = "PrepareForBackup";
        if (!session->backup_state_set) return misuse(session, *call, "no SetBackupState");
        if (!(session->context & VSS_VOLSNAP_ATTR_NO_WRITERS) && !session->metadata_ready)
            return misuse(session, *call, "no GatherWriterMetadata");
        if (session->preparing || session->prepared) return misuse(session, *call, "prepared twice");
        session->preparing = true;
        return async_start(session, *call, "PrepareBackup", after_prepare, &msg->u[0]);
    case OP_GATHER_WRITER_STATUS:
        *call = "GatherWriterStatus";
        if (!session->initialized) return misuse(session, *call, "no InitializeForBackup");
        if (session->metadata_gathering || session->preparing || session->snapshot_running)
            return misuse(session, *call, "while another operation is pending");
        session->status_ready = false;
        return async_start(session, *call, NULL, after_status, &msg->u[0]);
    case OP_GET_WRITER_STATUS_COUNT:
        *call = "GetWriterStatusCount";
        if (!session->status_ready) return misuse(session, *call, "no GatherWriterStatus");
        msg->u[0] = (session->context & VSS_VOLSNAP_ATTR_NO_WRITERS) ? 0 : session->scenario.writer_count;
        return S_OK;
    case OP_GET_WRITER_STATUS:
        *call = "GetWriterStatus";
        snprintf(args, size, "\"index\": %u", msg->u[0]);
        if (!session->status_ready) return misuse(session, *call, "no GatherWriterStatus");
        if (msg->u[0] >= session->scenario.writer_count) return E_INVALIDARG;
        writer = &session->scenario.writers[msg->u[0]];
        msg->g[0] = writer->instance_id;
        msg->g[1] = writer->class_id;
        lstrcpynW(msg->s[0], writer->name, FAKE_VSS_STR);
        msg->u[0] = writer->state;
        msg->u[1] = (uint32_t)writer->failure;
        return S_OK;
    case OP_FREE_WRITER_STATUS:
        *call = "FreeWriterStatus";
        if (!session->status_ready) return misuse(session, *call, "no GatherWriterStatus");
        session->status_ready = false;
        return S_OK;
    case OP_DO_SNAPSHOT_SET:
        *call = "DoSnapshotSet";
        if (!session->prepared) return misuse(session, *call, "no PrepareForBackup");
        if (!session->volume_count) return misuse(session, *call, "empty snapshot set");
        if (session->snapshot_running || session->snapshot_done) return misuse(session, *call, "called twice");
        if (InterlockedCompareExchange(&snapshot_busy, 1, 0)) return VSS_E_SNAPSHOT_SET_IN_PROGRESS;
        if (!(op = async_new(session, *call)))
        {
            service_set_busy(false);
            return E_OUTOFMEMORY;
        }
        session->snapshot_running = true;
        InterlockedIncrement(&session->refcount);
        snapshot_start(session, op);
        msg->u[0] = op->id;
        return S_OK;
    case OP_BACKUP_COMPLETE:
        *call = "BackupComplete";
        if (!session->snapshot_done || !session->snapshot_ok)
            return misuse(session, *call, "no successful DoSnapshotSet");
        if (session->completed || session->aborted) return misuse(session, *call, "backup already ended");
        return async_start(session, *call, "BackupComplete", after_complete, &msg->u[0]);
    case OP_ABORT_BACKUP:
        *call = "AbortBackup";
        if (!session->initialized) return misuse(session, *call, "no InitializeForBackup");
        if (session->completed) return misuse(session, *call, "after BackupComplete");
        if (session->snapshot_running) return misuse(session, *call, "while DoSnapshotSet is running");
        if (session->aborted) return misuse(session, *call, "aborted twice");
        session->aborted = true;
        writers_event(session, "Abort");
        return S_OK;
    case OP_GET_SNAPSHOT_PROPERTIES:
        *call = "GetSnapshotProperties";
        return get_snapshot_properties(session, msg);
    case OP_ASYNC_STATUS:
        *call = "IVssAsync::QueryStatus";
        snprintf(args, size, "\"async\": %u", msg->u[0]);
        if (!(op = async_find(session, msg->u[0]))) return E_INVALIDARG;
        msg->u[0] = (uint32_t)op->status;
        return S_OK;
    case OP_ASYNC_CANCEL:
        *call = "IVssAsync::Cancel";
        snprintf(args, size, "\"async\": %u", msg->u[0]);
        if (!(op = async_find(session, msg->u[0]))) return E_INVALIDARG;
        if (op->status != VSS_S_ASYNC_PENDING) return VSS_S_ASYNC_FINISHED;
        InterlockedExchange(&op->cancel, 1);
        return S_OK;
    case OP_UNIMPLEMENTED:
        *call = "unimplemented";
        strncat(args, "\"method\": ", size - 1);
        json_append_wstr(args, size, msg->s[0]);
        return E_NOTIMPL;
    default:
        *call = "unknown-op";
        return E_INVALIDARG;
    }
}

/* The requester let go of IVssBackupComponents (Release or a dead process): as VSS does, abort
 * a backup that was started and never completed or aborted. */
static void session_close(struct session *session, const char *how, uint32_t live_objects)
{
    char args[128];

    snprintf(args, sizeof(args), "\"how\": \"%s\", \"live_objects\": %u, \"misuse\": %u", how, live_objects,
             session->misuse_count);
    trace_event(session->id, "coordinator", "release", NO_HR, NO_HR, args);
    AcquireSRWLockExclusive(&session->lock);
    session->closed = true;
    ReleaseSRWLockExclusive(&session->lock);
    if (session->initialized && !session->completed && !session->aborted && !session->snapshot_running)
    {
        trace_event(session->id, "coordinator", "auto-abort", NO_HR, NO_HR, NULL);
        if (!session->snapshot_done) writers_event(session, "Abort");
    }
}

/* The provider, loaded in this process, reads its test hold limit from the environment. */
static void provider_environment(const struct scenario *scenario)
{
    WCHAR value[16];

    if (scenario->provider_hold_ms)
    {
        _snwprintf(value, ARRAYSIZE(value), L"%lu", (unsigned long)scenario->provider_hold_ms);
        value[ARRAYSIZE(value) - 1] = 0;
        SetEnvironmentVariableW(L"QGA_PROVIDER_HOLD_MS", value);
    }
    else
        SetEnvironmentVariableW(L"QGA_PROVIDER_HOLD_MS", startup_hold_ms_set ? startup_hold_ms : NULL);
}

static DWORD WINAPI connection_thread(void *arg)
{
    struct session *session = arg;
    struct fake_vss_msg msg;
    WCHAR error[512];
    DWORD got, written;
    bool closed = false;

    while (ReadFile(session->pipe, &msg, sizeof(msg), &got, NULL) && got == sizeof(msg))
    {
        char args[1024] = "";
        const char *call = "?";
        int64_t start = trace_now_us();
        HRESULT hr;

        msg.s[0][FAKE_VSS_STR - 1] = msg.s[1][FAKE_VSS_STR - 1] = msg.s[2][FAKE_VSS_STR - 1] = 0;
        if (msg.op == OP_HELLO)
        {
            session->client_pid = msg.u[0];
            if (scenario_load(msg.s[0], &session->scenario, error, ARRAYSIZE(error)) < 0)
            {
                hr = E_INVALIDARG;
                trace_open(msg.s[1]);
            }
            else
            {
                hr = S_OK;
                trace_open(*session->scenario.trace ? session->scenario.trace : msg.s[1]);
                provider_environment(&session->scenario);
            }
            snprintf(args, sizeof(args), "\"client_pid\": %u, \"client_start_us\": %lld, \"scenario\": ",
                     msg.u[0], (long long)((uint64_t)msg.u[2] << 32 | msg.u[1]));
            json_append_wstr(args, sizeof(args), msg.s[0]);
            if (FAILED(hr))
            {
                strncat(args, ", \"error\": ", sizeof(args) - strlen(args) - 1);
                json_append_wstr(args, sizeof(args), error);
            }
            trace_event(session->id, "requester", "CreateVssBackupComponents", TRACE_HR(hr), NO_HR, args);
            msg.u[0] = service_pid;
        }
        else if (msg.op == OP_TRACE)
        {
            char call_utf8[64];

            WideCharToMultiByte(CP_UTF8, 0, msg.s[0], -1, call_utf8, sizeof(call_utf8), NULL, NULL);
            call_utf8[sizeof(call_utf8) - 1] = 0;
            if (*msg.s[1])
            {
                strcpy(args, "\"detail\": ");
                json_append_wstr(args, sizeof(args), msg.s[1]);
            }
            trace_event(session->id, "requester", call_utf8, TRACE_HR((HRESULT)msg.hr), NO_HR, args);
            hr = S_OK;
        }
        else if (msg.op == OP_CLOSE)
        {
            session_close(session, "Release", msg.u[0]);
            closed = true;
            hr = S_OK;
        }
        else
        {
            hr = handle(session, &msg, &call, args, sizeof(args));
            /* Asynchronous operations meet slow/die-at on their own thread. */
            if (msg.op != OP_GATHER_WRITER_METADATA && msg.op != OP_PREPARE_FOR_BACKUP &&
                msg.op != OP_GATHER_WRITER_STATUS && msg.op != OP_BACKUP_COMPLETE && msg.op != OP_DO_SNAPSHOT_SET)
                step_hook(session, call);
            trace_event(session->id, "requester", call, TRACE_HR(hr), trace_now_us() - start, args);
        }
        msg.hr = hr;
        if (!WriteFile(session->pipe, &msg, sizeof(msg), &written, NULL)) break;
    }
    if (!closed) session_close(session, "disconnected", 0);
    DisconnectNamedPipe(session->pipe);
    CloseHandle(session->pipe);
    session_release(session);
    return 0;
}

static HANDLE create_pipe(bool first)
{
    HANDLE pipe = CreateNamedPipeW(FAKE_VSS_PIPE_W,
                                   PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
                                   PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT, PIPE_UNLIMITED_INSTANCES,
                                   sizeof(struct fake_vss_msg), sizeof(struct fake_vss_msg), 0, NULL);
    return pipe == INVALID_HANDLE_VALUE ? NULL : pipe;
}

static void start_session(HANDLE pipe)
{
    struct session *session;
    HANDLE thread;

    if (!(session = calloc(1, sizeof(*session))))
    {
        CloseHandle(pipe);
        return;
    }
    session->id = (uint32_t)InterlockedIncrement(&next_session_id);
    session->pipe = pipe;
    session->refcount = 1;
    InitializeSRWLock(&session->lock);
    InterlockedIncrement(&live_sessions);
    if (!(thread = CreateThread(NULL, 0, connection_thread, session, 0, NULL)))
    {
        CloseHandle(pipe);
        free(session);
        InterlockedDecrement(&live_sessions);
        return;
    }
    CloseHandle(thread);
}

int wmain(int argc, WCHAR **argv);
int wmain(int argc, WCHAR **argv)
{
    const WCHAR *ready_name = NULL;
    DWORD idle_ms = DEFAULT_IDLE_EXIT_MS;
    HANDLE ready = NULL, pipe, connected;
    OVERLAPPED ov;
    DWORD n;
    int i;

    for (i = 1; i < argc; i++)
    {
        if (!wcscmp(argv[i], L"--ready-event") && i + 1 < argc) ready_name = argv[++i];
        else if (!wcscmp(argv[i], L"--idle-ms") && i + 1 < argc) idle_ms = wcstoul(argv[++i], NULL, 10);
    }
    service_pid = GetCurrentProcessId();
    n = GetEnvironmentVariableW(L"QGA_PROVIDER_HOLD_MS", startup_hold_ms, ARRAYSIZE(startup_hold_ms));
    startup_hold_ms_set = n > 0 && n < ARRAYSIZE(startup_hold_ms);
    if (ready_name) ready = OpenEventW(EVENT_MODIFY_STATE, FALSE, ready_name);
    if (!(activity_event = CreateEventW(NULL, FALSE, FALSE, NULL))) return 1;
    if (!(connected = CreateEventW(NULL, TRUE, FALSE, NULL))) return 1;

    if (!(pipe = create_pipe(true)))
    {
        /* Another service instance already listens: the client will connect to it. */
        if (ready) SetEvent(ready);
        return 0;
    }
    if (provider_thread_start() < 0) return 1;
    if (ready)
    {
        SetEvent(ready);
        CloseHandle(ready);
    }

    for (;;)
    {
        HANDLE handles[2] = { connected, activity_event };
        DWORD ret;

        memset(&ov, 0, sizeof(ov));
        ov.hEvent = connected;
        ResetEvent(connected);
        if (!ConnectNamedPipe(pipe, &ov))
        {
            DWORD error = GetLastError();

            if (error == ERROR_PIPE_CONNECTED) SetEvent(connected);
            else if (error != ERROR_IO_PENDING) return 1;
        }
        for (;;)
        {
            ret = WaitForMultipleObjects(2, handles, FALSE, idle_ms);
            if (ret != WAIT_TIMEOUT && ret != WAIT_OBJECT_0 + 1) break;
            /* Idle: no requester connected and no snapshot running for idle_ms. */
            if (ret == WAIT_TIMEOUT && !live_sessions) ExitProcess(0);
        }
        if (ret != WAIT_OBJECT_0) return 1;
        start_session(pipe);
        if (!(pipe = create_pipe(false))) return 1;
    }
}
