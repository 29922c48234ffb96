/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fake VSS service's provider side: one single-threaded apartment thread that loads our
 * real provider through COM and makes every call to it, and the DoSnapshotSet sequence in the
 * order Windows documents (vsprov.h, "Overview of Shadow Copy Creation"): writers prepare,
 * BeginPrepareSnapshot per volume, EndPrepareSnapshots, writers freeze, PreCommitSnapshots,
 * CommitSnapshots inside the flush-and-hold window, PostCommitSnapshots, writers thaw and
 * post-snapshot; AbortSnapshots on any failure.  Test-only. */
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "fake-vss-service.h"
#include "guids.h"

#define TRACE_HR(hr) ((int64_t)(uint32_t)(hr))
#define NO_HR (-1)
#define PROVIDER_IDLE_WAKE_MS 60000
#define WATCHDOG_JOIN_MS      10000
#define RUNNING_JOB_WAIT_MS   600000  /* a job already running when its caller gave up */

enum { JOB_QUEUED, JOB_RUNNING, JOB_CANCELLED };

struct provider_job
{
    void (*fn)(void *);
    void *arg;
    HANDLE done;                      /* NULL: nobody waits */
    volatile LONG state;              /* JOB_QUEUED, JOB_RUNNING, JOB_CANCELLED */
    volatile LONG refcount;
    struct provider_job *next;
};

static SRWLOCK queue_lock = SRWLOCK_INIT;
static struct provider_job *queue_head, *queue_tail;
static HANDLE queue_event;
static DWORD provider_thread_id;

static void job_release(struct provider_job *job)
{
    if (InterlockedDecrement(&job->refcount)) return;
    if (job->done) CloseHandle(job->done);
    free(job);
}

static DWORD WINAPI provider_thread(void *arg)
{
    (void)arg;
    /* The provider registers ThreadingModel Apartment or Both: an STA gets it in-process. */
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    for (;;)
    {
        struct provider_job *job;
        MSG msg;

        MsgWaitForMultipleObjects(1, &queue_event, FALSE, PROVIDER_IDLE_WAKE_MS, QS_ALLINPUT);
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
        for (;;)
        {
            AcquireSRWLockExclusive(&queue_lock);
            if ((job = queue_head) && !(queue_head = job->next)) queue_tail = NULL;
            ReleaseSRWLockExclusive(&queue_lock);
            if (!job) break;
            /* A caller that gave up waiting may have cancelled it (its arguments are gone). */
            if (InterlockedCompareExchange(&job->state, JOB_RUNNING, JOB_QUEUED) == JOB_QUEUED) job->fn(job->arg);
            if (job->done) SetEvent(job->done);
            job_release(job);
        }
    }
    return 0;
}

int provider_thread_start(void)
{
    HANDLE thread;

    if (!(queue_event = CreateEventW(NULL, FALSE, FALSE, NULL))) return -1;
    if (!(thread = CreateThread(NULL, 0, provider_thread, NULL, 0, &provider_thread_id))) return -1;
    CloseHandle(thread);
    return 0;
}

static bool provider_post(void (*fn)(void *), void *arg, DWORD timeout_ms, bool wait)
{
    struct provider_job *job = calloc(1, sizeof(*job));
    bool ok = true;

    if (!job) return false;
    job->fn = fn;
    job->arg = arg;
    job->refcount = wait ? 2 : 1;
    if (wait && !(job->done = CreateEventW(NULL, TRUE, FALSE, NULL)))
    {
        free(job);
        return false;
    }
    AcquireSRWLockExclusive(&queue_lock);
    if (queue_tail) queue_tail->next = job;
    else queue_head = job;
    queue_tail = job;
    ReleaseSRWLockExclusive(&queue_lock);
    SetEvent(queue_event);
    if (wait)
    {
        ok = WaitForSingleObject(job->done, timeout_ms) == WAIT_OBJECT_0;
        if (!ok && InterlockedCompareExchange(&job->state, JOB_CANCELLED, JOB_QUEUED) != JOB_QUEUED &&
            WaitForSingleObject(job->done, RUNNING_JOB_WAIT_MS) != WAIT_OBJECT_0)
        {
            /* The provider is stuck inside a call that uses our caller's stack: nothing sane is left. */
            trace_event(0, "coordinator", "provider-hung", NO_HR, NO_HR, NULL);
            ExitProcess(4);
        }
        job_release(job);
    }
    return ok;
}

bool provider_run(void (*fn)(void *), void *arg, DWORD timeout_ms)
{
    /* The sequence itself runs on the provider thread (it may end a session there). */
    if (GetCurrentThreadId() == provider_thread_id)
    {
        fn(arg);
        return true;
    }
    return provider_post(fn, arg, timeout_ms, true);
}

static void trace_provider(struct session *session, const char *call, HRESULT hr, int64_t start, const char *args)
{
    trace_event(session->id, "provider", call, TRACE_HR(hr), trace_now_us() - start, args);
}

/* VSS passes on what a provider may return and turns the rest into VSS_E_UNEXPECTED_PROVIDER_ERROR. */
static HRESULT provider_result(HRESULT hr)
{
    if (SUCCEEDED(hr) || hr == VSS_E_PROVIDER_VETO || hr == E_OUTOFMEMORY || hr == VSS_E_OBJECT_NOT_FOUND) return hr;
    return VSS_E_UNEXPECTED_PROVIDER_ERROR;
}

/* Where VSS finds a provider's class: the registration IVssAdmin::RegisterProvider made.  Under
 * Wine that is the store of the IVssAdmin test double (tests/fakes/admin/fake.h); without it, our
 * provider id maps to our CLSID (tests that register only the COM class). */
#define ADMIN_FAKE_PROVIDERS_W L"Software\\QgaWinTests\\Fakes\\Vss\\Providers"

static const char *provider_class(const GUID *provider_id, CLSID *clsid)
{
    WCHAR key[128], id_text[40], class_text[40];
    DWORD size = sizeof(class_text);

    StringFromGUID2(provider_id, id_text, ARRAYSIZE(id_text));
    _snwprintf(key, ARRAYSIZE(key), L"%ls\\%ls", ADMIN_FAKE_PROVIDERS_W, id_text);
    key[ARRAYSIZE(key) - 1] = 0;
    if (!RegGetValueW(HKEY_LOCAL_MACHINE, key, L"Class", RRF_RT_REG_SZ, NULL, class_text, &size) &&
        SUCCEEDED(CLSIDFromString(class_text, clsid)))
        return "registered";
    *clsid = CLSID_QgaWinVssProvider;
    return "built-in";
}

struct load_call
{
    struct session *session;
    HRESULT hr;
};

static void load_on_thread(void *arg)
{
    struct load_call *call = arg;
    struct session *session = call->session;
    int64_t start = trace_now_us();
    const char *source;
    char args[192] = "\"clsid\": ";
    CLSID clsid;
    HRESULT hr;

    source = provider_class(&QGA_VSS_PROVIDER_ID, &clsid);
    json_append_guid(args, sizeof(args), &clsid);
    snprintf(args + strlen(args), sizeof(args) - strlen(args), ", \"source\": \"%s\"", source);
    hr = CoCreateInstance(&clsid, NULL, CLSCTX_INPROC_SERVER, &IID_IVssSoftwareSnapshotProvider,
                          (void **)&session->provider);
    trace_provider(session, "CoCreateInstance", hr, start, args);
    if (FAILED(hr))
    {
        session->provider = NULL;
        call->hr = VSS_E_PROVIDER_NOT_REGISTERED;
        return;
    }
    hr = IVssSoftwareSnapshotProvider_QueryInterface(session->provider, &IID_IVssProviderCreateSnapshotSet,
                                                     (void **)&session->provider_create);
    trace_provider(session, "QueryInterface(IVssProviderCreateSnapshotSet)", hr, start, NULL);
    if (FAILED(hr))
    {
        session->provider_create = NULL;
        IVssSoftwareSnapshotProvider_Release(session->provider);
        session->provider = NULL;
        call->hr = VSS_E_UNEXPECTED_PROVIDER_ERROR;
        return;
    }
    if (SUCCEEDED(IVssSoftwareSnapshotProvider_QueryInterface(session->provider, &IID_IVssProviderNotifications,
                                                              (void **)&session->provider_notify)))
    {
        start = trace_now_us();
        hr = IVssProviderNotifications_OnLoad(session->provider_notify, NULL);
        trace_provider(session, "OnLoad", hr, start, NULL);
    }
    else
        session->provider_notify = NULL;
    start = trace_now_us();
    hr = IVssSoftwareSnapshotProvider_SetContext(session->provider, session->context);
    snprintf(args, sizeof(args), "\"context\": \"0x%08lx\"", (unsigned long)session->context);
    trace_provider(session, "SetContext", hr, start, args);
    call->hr = FAILED(hr) ? provider_result(hr) : S_OK;
}

HRESULT provider_load(struct session *session)
{
    struct load_call call = { session, S_OK };

    if (session->provider) return S_OK;
    if (!provider_run(load_on_thread, &call, PROVIDER_CALL_WAIT_MS)) return VSS_E_SNAPSHOT_SET_IN_PROGRESS;
    return call.hr;
}

static void unload_on_thread(void *arg)
{
    struct session *session = arg;
    int64_t start = trace_now_us();
    HRESULT hr;
    ULONG refs;

    if (session->provider_notify)
    {
        hr = IVssProviderNotifications_OnUnload(session->provider_notify, TRUE);
        trace_provider(session, "OnUnload", hr, start, NULL);
        IVssProviderNotifications_Release(session->provider_notify);
    }
    if (session->provider_create) IVssProviderCreateSnapshotSet_Release(session->provider_create);
    refs = IVssSoftwareSnapshotProvider_Release(session->provider);
    {
        char args[64];

        snprintf(args, sizeof(args), "\"refcount\": %lu", (unsigned long)refs);
        trace_provider(session, "Release", S_OK, start, args);
    }
    session->provider = NULL;
    session->provider_create = NULL;
    session->provider_notify = NULL;
}

void provider_unload(struct session *session)
{
    provider_run(unload_on_thread, session, PROVIDER_CALL_WAIT_MS);
}

struct volume_call
{
    struct session *session;
    const WCHAR *volume;
    BOOL supported;
    HRESULT hr;
};

static void is_supported_on_thread(void *arg)
{
    struct volume_call *call = arg;
    int64_t start = trace_now_us();
    char args[512] = "\"volume\": ";

    call->supported = FALSE;
    call->hr = IVssSoftwareSnapshotProvider_IsVolumeSupported(call->session->provider, (WCHAR *)call->volume,
                                                              &call->supported);
    json_append_wstr(args, sizeof(args), call->volume);
    snprintf(args + strlen(args), sizeof(args) - strlen(args), ", \"supported\": %d", call->supported ? 1 : 0);
    trace_provider(call->session, "IsVolumeSupported", call->hr, start, args);
}

HRESULT provider_is_volume_supported(struct session *session, const WCHAR *volume, BOOL *supported)
{
    struct volume_call call = { session, volume, FALSE, S_OK };

    *supported = FALSE;
    if (!provider_run(is_supported_on_thread, &call, PROVIDER_CALL_WAIT_MS)) return VSS_E_SNAPSHOT_SET_IN_PROGRESS;
    if (FAILED(call.hr)) return provider_result(call.hr);
    *supported = call.supported;
    return S_OK;
}

static void abort_snapshots(struct session *session)
{
    int64_t start = trace_now_us();
    HRESULT hr;

    if (!session->provider_create) return;
    hr = IVssProviderCreateSnapshotSet_AbortSnapshots(session->provider_create, session->set_id);
    trace_provider(session, "AbortSnapshots", hr, start, NULL);
}

/* The flush-and-hold window around CommitSnapshots.  A watchdog thread marks the moment Windows
 * would release the held writes, may kill the service (a coordinator dying mid-freeze), and gives
 * up on a provider that never returns. */
struct hold
{
    struct session *session;
    struct async_op *op;
    HANDLE committed;
    DWORD hold_ms, limit_ms, die_ms;
    volatile LONG expired;
    volatile LONG gave_up;
};

static DWORD WINAPI hold_watchdog(void *arg)
{
    struct hold *hold = arg;
    int64_t start = trace_now_us();
    bool die_pending = hold->die_ms != 0, hold_pending = true;
    char args[64];

    for (;;)
    {
        DWORD elapsed = (DWORD)((trace_now_us() - start) / 1000), next = hold->limit_ms;

        if (hold_pending && hold->hold_ms < next) next = hold->hold_ms;
        if (die_pending && hold->die_ms < next) next = hold->die_ms;
        if (WaitForSingleObject(hold->committed, next > elapsed ? next - elapsed : 0) == WAIT_OBJECT_0) return 0;
        elapsed = (DWORD)((trace_now_us() - start) / 1000);
        if (die_pending && elapsed >= hold->die_ms)
        {
            trace_event(hold->session->id, "coordinator", "die", NO_HR, NO_HR, "\"step\": \"hold\"");
            ExitProcess(3);
        }
        if (hold_pending && elapsed >= hold->hold_ms)
        {
            hold_pending = false;
            InterlockedExchange(&hold->expired, 1);
            snprintf(args, sizeof(args), "\"window_ms\": %lu", (unsigned long)hold->hold_ms);
            trace_event(hold->session->id, "coordinator", "hold-writes-expired", TRACE_HR(VSS_E_HOLD_WRITES_TIMEOUT),
                        NO_HR, args);
        }
        if (elapsed >= hold->limit_ms)
        {
            InterlockedExchange(&hold->gave_up, 1);
            trace_event(hold->session->id, "coordinator", "provider-hung", TRACE_HR(VSS_E_HOLD_WRITES_TIMEOUT), NO_HR,
                        "\"call\": \"CommitSnapshots\"");
            async_finish(hold->session, hold->op, VSS_E_HOLD_WRITES_TIMEOUT);
            service_set_busy(false);
            return 0;
        }
    }
}

static bool cancelled(struct session *session, struct async_op *op)
{
    if (!op->cancel) return false;
    trace_event(session->id, "coordinator", "cancelled", TRACE_HR(VSS_S_ASYNC_CANCELLED), NO_HR, NULL);
    return true;
}

/* Returns the DoSnapshotSet status, or S_FALSE when the watchdog already finished the operation. */
static HRESULT run_sequence(struct session *session, struct async_op *op)
{
    struct hold hold = { session, op, NULL, session->scenario.hold_writes_ms, session->scenario.commit_limit_ms,
                         session->scenario.die_during_hold_ms, 0, 0 };
    IVssProviderCreateSnapshotSet *create = session->provider_create;
    HANDLE watchdog;
    int64_t start;
    uint32_t i;
    HRESULT hr;

    if (FAILED(hr = writers_event(session, "PrepareSnapshot")) || cancelled(session, op))
    {
        writers_event(session, "Abort");
        return FAILED(hr) ? hr : VSS_S_ASYNC_CANCELLED;
    }
    for (i = 0; i < session->volume_count; i++)
    {
        char args[512] = "\"volume\": ";

        step_hook(session, "BeginPrepareSnapshot");
        start = trace_now_us();
        hr = IVssSoftwareSnapshotProvider_BeginPrepareSnapshot(session->provider, session->set_id,
                                                               session->volumes[i].snapshot_id,
                                                               session->volumes[i].volume, session->context);
        json_append_wstr(args, sizeof(args), session->volumes[i].volume);
        trace_provider(session, "BeginPrepareSnapshot", hr, start, args);
        if (FAILED(hr)) goto abort;
    }
    step_hook(session, "EndPrepareSnapshots");
    start = trace_now_us();
    hr = IVssProviderCreateSnapshotSet_EndPrepareSnapshots(create, session->set_id);
    trace_provider(session, "EndPrepareSnapshots", hr, start, NULL);
    if (FAILED(hr)) goto abort;

    if (cancelled(session, op)) { hr = VSS_S_ASYNC_CANCELLED; goto abort; }
    if (FAILED(hr = writers_event(session, "Freeze")))
    {
        abort_snapshots(session);
        writers_event(session, "Abort");
        return hr;
    }
    step_hook(session, "PreCommitSnapshots");
    start = trace_now_us();
    hr = IVssProviderCreateSnapshotSet_PreCommitSnapshots(create, session->set_id);
    trace_provider(session, "PreCommitSnapshots", hr, start, NULL);
    if (FAILED(hr)) goto abort;

    step_hook(session, "CommitSnapshots");
    if (!(hold.committed = CreateEventW(NULL, TRUE, FALSE, NULL))) { hr = E_OUTOFMEMORY; goto abort; }
    trace_event(session->id, "coordinator", "hold-writes-begin", NO_HR, NO_HR, NULL);
    watchdog = CreateThread(NULL, 0, hold_watchdog, &hold, 0, NULL);
    start = trace_now_us();
    hr = IVssProviderCreateSnapshotSet_CommitSnapshots(create, session->set_id);
    SetEvent(hold.committed);
    trace_provider(session, "CommitSnapshots", hr, start, NULL);
    if (watchdog)
    {
        WaitForSingleObject(watchdog, WATCHDOG_JOIN_MS);
        CloseHandle(watchdog);
    }
    CloseHandle(hold.committed);
    trace_event(session->id, "coordinator", "hold-writes-end", NO_HR, trace_now_us() - start, NULL);
    if (hold.gave_up)
    {
        abort_snapshots(session);
        writers_event(session, "Abort");
        return S_FALSE;
    }
    if (hold.expired)
    {
        /* compat: what Windows does when the release comes after the 10 s window. */
        abort_snapshots(session);
        writers_event(session, "Abort");
        return VSS_E_HOLD_WRITES_TIMEOUT;
    }
    if (FAILED(hr)) goto abort;

    step_hook(session, "PostCommitSnapshots");
    start = trace_now_us();
    hr = IVssProviderCreateSnapshotSet_PostCommitSnapshots(create, session->set_id, session->volume_count);
    trace_provider(session, "PostCommitSnapshots", hr, start, NULL);
    if (FAILED(hr)) goto abort;
    /* A writer failing at thaw or post-snapshot does not undo the snapshot; its state reports it. */
    writers_event(session, "Thaw");
    writers_event(session, "PostSnapshot");
    if (session->scenario.object_not_found_at_commit) return VSS_E_OBJECT_NOT_FOUND;
    return S_OK;

abort:
    abort_snapshots(session);
    writers_event(session, "Abort");
    return hr == VSS_S_ASYNC_CANCELLED ? hr : provider_result(hr);
}

struct sequence
{
    struct session *session;
    struct async_op *op;
};

static void sequence_on_thread(void *arg)
{
    struct sequence *sequence = arg;
    struct session *session = sequence->session;
    HRESULT hr;

    trace_event(session->id, "coordinator", "snapshot-begin", NO_HR, NO_HR, NULL);
    step_hook(session, "DoSnapshotSet");
    hr = run_sequence(session, sequence->op);
    AcquireSRWLockExclusive(&session->lock);
    session->snapshot_running = false;
    session->snapshot_done = true;
    session->snapshot_ok = hr == S_OK;
    ReleaseSRWLockExclusive(&session->lock);
    if (session->closed && hr == S_OK)
    {
        /* The requester went away while the set was being made: nobody will complete it. */
        trace_event(session->id, "coordinator", "auto-abort", NO_HR, NO_HR, NULL);
        writers_event(session, "Abort");
    }
    if (hr != S_FALSE)
    {
        async_finish(session, sequence->op, hr);
        service_set_busy(false);
    }
    session_release(session);
    free(sequence);
}

void snapshot_start(struct session *session, struct async_op *op)
{
    struct sequence *sequence = calloc(1, sizeof(*sequence));

    if (sequence)
    {
        sequence->session = session;
        sequence->op = op;
    }
    if (!sequence || !provider_post(sequence_on_thread, sequence, 0, false))
    {
        free(sequence);
        session->snapshot_running = false;
        session->snapshot_done = true;
        async_finish(session, op, E_OUTOFMEMORY);
        service_set_busy(false);
        session_release(session);
    }
}
