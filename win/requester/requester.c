/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The VSS requester: freeze and thaw through IVssBackupComponents, talking to our provider through
 * the named events of win/common/names.h.  Exported from qga-vss.dll; the ABI is requester.h. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "guids.h"
#include "names.h"
#include "requester-private.h"

#include <sddl.h>

typedef HRESULT (STDAPICALLTYPE *create_backup_components_fn)(IVssBackupComponents **out);

/* The events may be opened by the provider (LocalSystem, in its COM+ process) and Administrators
 * only: anyone else could end a freeze early. */
#define EVENT_SDDL_W L"D:P(A;;GA;;;SY)(A;;GA;;;BA)"

/* DoSnapshotSet runs until thaw; a thread waits on it so that the freeze can wait for "frozen"
 * or "finished", whichever comes first, on two events instead of polling QueryStatus.  Shared by
 * the session and that thread (refcount), so an abandoned wait never touches freed memory. */
struct snapshot_wait
{
    LONG refcount;
    SRWLOCK async_lock;               /* guards async: the thread releases it, the session may cancel */
    IVssAsync *async;                 /* released by the thread before done is set */
    HANDLE done;                      /* manual-reset; set once hr is final */
    HRESULT hr;                       /* async_wait() result */
    DWORD timeout_ms;
};

struct session
{
    IVssBackupComponents *backup;
    struct snapshot_wait *snapshot;   /* NULL until DoSnapshotSet started */
    HANDLE frozen_event;
    HANDLE thaw_event;
    HANDLE timeout_event;
    HANDLE hold_timer;                /* timer-queue timer that signals "thaw" at the hold limit */
    volatile LONG hold_expired;
    DWORD hold_timeout_ms;
    bool initialized;                 /* InitializeForBackup succeeded: AbortBackup is valid */
    struct volume_list volumes;
    struct requester_report report;   /* working copy, published under requester->report_lock */
};

struct requester
{
    SRWLOCK lock;                     /* serialises freeze, thaw and deinit */
    SRWLOCK report_lock;              /* guards report only; never held across a VSS call */
    HMODULE vssapi;
    create_backup_components_fn create_backup_components;
    struct session *session;          /* non-NULL while frozen */
    struct requester_report report;
};

static uint64_t now_filetime(void)
{
    FILETIME ft;

    GetSystemTimeAsFileTime(&ft);
    return ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

static void error_clear(struct requester_error *err)
{
    if (!err) return;
    err->hr = S_OK;
    err->message[0] = 0;
}

static void publish(struct requester *requester, const struct session *session)
{
    AcquireSRWLockExclusive(&requester->report_lock);
    requester->report = session->report;
    ReleaseSRWLockExclusive(&requester->report_lock);
}

static void phase(struct requester *requester, struct session *session, enum requester_phase which)
{
    session->report.phase_time[which] = now_filetime();
    publish(requester, session);
}

/* Options: take what the caller's struct version has, defaults for the rest. */
static void options_read(const struct requester_options *in, struct requester_options *out)
{
    memset(out, 0, sizeof(*out));
    if (in && in->size >= sizeof(uint32_t))
        memcpy(out, in, min((size_t)in->size, sizeof(*out)));
    out->size = sizeof(*out);
    if (!out->hold_timeout_ms) out->hold_timeout_ms = QGA_PROVIDER_HOLD_MS;
    if (!out->freeze_wait_ms) out->freeze_wait_ms = QGA_REQUESTER_FREEZE_WAIT_MS;
    if (!out->writers_include) out->writers_include_count = 0;
    if (!out->writers_exclude) out->writers_exclude_count = 0;
}

/* compat: VssOption (DWORD 1..5) where qemu-ga users set it.  Our default is COPY, not qemu-ga's
 * FULL: a copy backup never truncates SQL/Exchange logs or resets other backup chains. */
static VSS_BACKUP_TYPE backup_type(const struct requester_options *options)
{
    DWORD value = 0, size = sizeof(value);

    if (options->backup_type >= VSS_BT_FULL && options->backup_type <= VSS_BT_COPY)
        return (VSS_BACKUP_TYPE)options->backup_type;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, QGA_VSS_OPTION_KEY_W, QGA_VSS_OPTION_VALUE_W, RRF_RT_REG_DWORD, NULL,
                     &value, &size) == ERROR_SUCCESS && value >= VSS_BT_FULL && value <= VSS_BT_COPY)
        return (VSS_BACKUP_TYPE)value;
    return VSS_BT_COPY;
}

static DWORD remaining_ms(ULONGLONG deadline)
{
    ULONGLONG now = GetTickCount64();

    return now >= deadline ? 0 : (DWORD)min(deadline - now, (ULONGLONG)INFINITE - 1);
}

static HRESULT create_event(const WCHAR *name, SECURITY_ATTRIBUTES *sa, HANDLE *out)
{
    HANDLE event;

    *out = NULL;
    event = CreateEventW(sa, TRUE, FALSE, name);
    if (!event) return HRESULT_FROM_WIN32(GetLastError());
    if (GetLastError() == ERROR_ALREADY_EXISTS)
    {
        /* Another requester (or a provider still holding a dead agent's freeze) owns it. */
        CloseHandle(event);
        return VSS_E_SNAPSHOT_SET_IN_PROGRESS;
    }
    *out = event;
    return S_OK;
}

static HRESULT create_events(struct session *session, struct requester_error *err)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
    PSECURITY_DESCRIPTOR sd = NULL;
    HRESULT hr;

    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(EVENT_SDDL_W, SDDL_REVISION_1, &sd, NULL))
        return requester_fail(err, HRESULT_FROM_WIN32(GetLastError()), L"failed to create event security");
    sa.lpSecurityDescriptor = sd;
    if (FAILED(hr = create_event(QGA_EVENT_FROZEN_W, &sa, &session->frozen_event)))
        requester_fail(err, hr, L"failed to create event %ls", QGA_EVENT_FROZEN_W);
    else if (FAILED(hr = create_event(QGA_EVENT_THAW_W, &sa, &session->thaw_event)))
        requester_fail(err, hr, L"failed to create event %ls", QGA_EVENT_THAW_W);
    else if (FAILED(hr = create_event(QGA_EVENT_TIMEOUT_W, &sa, &session->timeout_event)))
        requester_fail(err, hr, L"failed to create event %ls", QGA_EVENT_TIMEOUT_W);
    LocalFree(sd);
    return hr;
}

static void snapshot_wait_release(struct snapshot_wait *wait)
{
    if (!wait || InterlockedDecrement(&wait->refcount)) return;
    if (wait->async) IVssAsync_Release(wait->async);
    if (wait->done) CloseHandle(wait->done);
    free(wait);
}

/* Cancels DoSnapshotSet if its wait thread still holds the operation. */
static void snapshot_wait_cancel(struct snapshot_wait *wait)
{
    AcquireSRWLockExclusive(&wait->async_lock);
    if (wait->async) IVssAsync_Cancel(wait->async);
    ReleaseSRWLockExclusive(&wait->async_lock);
}

static DWORD WINAPI snapshot_wait_thread(void *arg)
{
    struct snapshot_wait *wait = arg;
    HMODULE self = NULL, vssapi;
    HRESULT com;

    /* Keep our DLL and vssapi loaded while this thread runs, even if the agent unloads us. */
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, (const WCHAR *)(void *)snapshot_wait_thread, &self);
    vssapi = LoadLibraryW(L"vssapi.dll");
    com = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    wait->hr = async_wait(wait->async, wait->timeout_ms);
    /* The operation's last reference goes before "done": once the session sees done it may
     * release the backup components, and VSS expects no IVssAsync of the set to outlive them. */
    AcquireSRWLockExclusive(&wait->async_lock);
    IVssAsync_Release(wait->async);
    wait->async = NULL;
    ReleaseSRWLockExclusive(&wait->async_lock);
    SetEvent(wait->done);
    snapshot_wait_release(wait);
    if (SUCCEEDED(com)) CoUninitialize();
    if (vssapi) FreeLibrary(vssapi);
    if (self) FreeLibraryAndExitThread(self, 0);
    return 0;
}

static HRESULT snapshot_wait_start(struct session *session, IVssAsync *async, DWORD timeout_ms)
{
    struct snapshot_wait *wait;
    HANDLE thread;

    if (!(wait = calloc(1, sizeof(*wait))))
    {
        IVssAsync_Release(async);
        return E_OUTOFMEMORY;
    }
    wait->refcount = 1;
    InitializeSRWLock(&wait->async_lock);
    wait->async = async;
    wait->timeout_ms = timeout_ms;
    if (!(wait->done = CreateEventW(NULL, TRUE, FALSE, NULL)))
    {
        HRESULT hr = HRESULT_FROM_WIN32(GetLastError());

        snapshot_wait_release(wait);
        return hr;
    }
    session->snapshot = wait;
    InterlockedIncrement(&wait->refcount);
    if (!(thread = CreateThread(NULL, 0, snapshot_wait_thread, wait, 0, NULL)))
    {
        HRESULT hr = HRESULT_FROM_WIN32(GetLastError());

        InterlockedDecrement(&wait->refcount);
        /* Nobody waits on DoSnapshotSet: cancel it and let the abort path go straight on. */
        IVssAsync_Cancel(async);
        wait->hr = hr;
        SetEvent(wait->done);
        return hr;
    }
    CloseHandle(thread);
    return S_OK;
}

static void CALLBACK hold_timer_expired(void *arg, BOOLEAN timer_fired)
{
    struct session *session = arg;

    (void)timer_fired;
    InterlockedExchange(&session->hold_expired, 1);
    SetEvent(session->thaw_event);
}

static void hold_timer_stop(struct session *session)
{
    if (!session->hold_timer) return;
    /* INVALID_HANDLE_VALUE: wait for a running callback, so the session outlives it. */
    DeleteTimerQueueTimer(NULL, session->hold_timer, INVALID_HANDLE_VALUE);
    session->hold_timer = NULL;
}

static void session_destroy(struct session *session)
{
    if (!session) return;
    hold_timer_stop(session);
    snapshot_wait_release(session->snapshot);
    if (session->backup) IVssBackupComponents_Release(session->backup);
    if (session->frozen_event) CloseHandle(session->frozen_event);
    if (session->thaw_event) CloseHandle(session->thaw_event);
    if (session->timeout_event) CloseHandle(session->timeout_event);
    volume_list_free(&session->volumes);
    free(session);
}

/* Ends a failed or abandoned backup: releases the provider (thaw), lets DoSnapshotSet finish
 * (bounded) and aborts.  call_abort is false after a hold-writes timeout: compat: qemu-ga 2.11
 * stopped calling AbortBackup there because it could hang under heavy I/O. */
static void session_abort(struct session *session, bool call_abort)
{
    hold_timer_stop(session);
    if (session->thaw_event) SetEvent(session->thaw_event);
    if (session->snapshot && WaitForSingleObject(session->snapshot->done, REQUESTER_THAW_WAIT_MS) != WAIT_OBJECT_0)
        snapshot_wait_cancel(session->snapshot);
    if (session->initialized && call_abort) IVssBackupComponents_AbortBackup(session->backup);
}

/* Completes one asynchronous step: hr is the call's result, async its operation (released). */
static HRESULT step_async(HRESULT hr, IVssAsync *async, DWORD timeout_ms, struct requester_error *err,
                          const WCHAR *what)
{
    if (SUCCEEDED(hr))
    {
        hr = async_wait(async, timeout_ms);
        IVssAsync_Release(async);
    }
    if (FAILED(hr)) requester_fail(err, hr, L"%ls", what);
    return hr;
}

static HRESULT set_context(struct session *session, const struct requester_options *options,
                           struct requester_error *err)
{
    LONG context = VSS_CTX_APP_ROLLBACK | VSS_VOLSNAP_ATTR_NO_AUTORECOVERY | VSS_VOLSNAP_ATTR_TRANSPORTABLE;
    HRESULT hr;

    if (options->flags & REQUESTER_FS_ONLY) context |= VSS_VOLSNAP_ATTR_NO_WRITERS;
    hr = IVssBackupComponents_SetContext(session->backup, context);
    /* Client SKUs have no transportable shadow copies. */
    if (hr == VSS_E_UNSUPPORTED_CONTEXT)
    {
        context &= ~VSS_VOLSNAP_ATTR_TRANSPORTABLE;
        hr = IVssBackupComponents_SetContext(session->backup, context);
    }
    if (FAILED(hr)) return requester_fail(err, hr, L"failed to set backup context");
    session->report.context = (uint32_t)context;
    return S_OK;
}

static HRESULT add_volumes(struct session *session, const WCHAR *const *mountpoints, uint32_t mountpoint_count,
                           struct requester_error *err)
{
    VSS_ID snapshot_id;
    HRESULT hr;
    uint32_t i;

    if (FAILED(hr = volume_list_build(mountpoints, mountpoint_count, &session->volumes, err))) return hr;
    for (i = 0; i < session->volumes.count; i++)
    {
        hr = IVssBackupComponents_AddToSnapshotSet(session->backup, session->volumes.names[i], QGA_VSS_PROVIDER_ID,
                                                   &snapshot_id);
        if (FAILED(hr))
            return requester_fail(err, hr, L"failed to add %ls to snapshot set", session->volumes.given[i]);
        if (i < REQUESTER_MAX_VOLUMES)
            lstrcpynW(session->report.volumes[i], session->volumes.given[i], MAX_PATH);
        session->report.volume_count = i + 1;
    }
    return S_OK;
}

/* After a failed DoSnapshotSet: append the writer that made it fail, if one did. */
static void name_failed_writer(struct session *session, struct requester_error *err)
{
    struct requester_error writer_err = { .size = sizeof(writer_err) };
    IVssAsync *async = NULL;
    size_t len;
    HRESULT hr;

    hr = IVssBackupComponents_GatherWriterStatus(session->backup, &async);
    if (FAILED(step_async(hr, async, REQUESTER_STEP_WAIT_MS, NULL, L""))) return;
    if (SUCCEEDED(writers_check(session->backup, &session->report, &writer_err)) || !err) return;
    len = wcslen(err->message);
    swprintf(err->message + len, REQUESTER_MESSAGE_CHARS - len, L" (%ls)", writer_err.message);
    err->message[REQUESTER_MESSAGE_CHARS - 1] = 0;
}

/* DoSnapshotSet is running: wait for the provider's "frozen" or for the operation to end. */
static HRESULT wait_frozen(struct session *session, DWORD timeout_ms, struct requester_error *err)
{
    HANDLE handles[2] = { session->frozen_event, session->snapshot->done };
    DWORD ret;
    HRESULT hr;

    ret = WaitForMultipleObjects(2, handles, FALSE, timeout_ms);
    if (ret == WAIT_OBJECT_0) return S_OK;
    if (ret == WAIT_OBJECT_0 + 1)
    {
        hr = session->snapshot->hr;
        if (SUCCEEDED(hr))
            return requester_fail(err, VSS_E_UNEXPECTED_PROVIDER_ERROR,
                                  L"DoSnapshotSet finished without the provider freezing");
        requester_fail(err, hr, L"failed to do snapshot set");
        name_failed_writer(session, err);
        return hr;
    }
    if (ret == WAIT_TIMEOUT)
        return requester_fail(err, HRESULT_FROM_WIN32(ERROR_TIMEOUT),
                              L"timeout when waiting for the VSS provider to freeze (%lu ms)",
                              (unsigned long)timeout_ms);
    return requester_fail(err, HRESULT_FROM_WIN32(GetLastError()), L"failed to wait for the VSS provider");
}

static HRESULT freeze_steps(struct requester *requester, struct session *session,
                            const WCHAR *const *mountpoints, uint32_t mountpoint_count,
                            const struct requester_options *options, struct requester_error *err)
{
    ULONGLONG deadline = GetTickCount64() + options->freeze_wait_ms;
    bool fs_only = options->flags & REQUESTER_FS_ONLY;
    VSS_BACKUP_TYPE type = backup_type(options);
    IVssAsync *async = NULL;
    VSS_ID set_id;
    HRESULT hr;

    session->report.backup_type = type;
    if (FAILED(hr = create_events(session, err))) return hr;
    if (FAILED(hr = requester->create_backup_components(&session->backup)))
    {
        session->backup = NULL;
        return requester_fail(err, hr, L"failed to create VSS backup components");
    }
    if (FAILED(hr = IVssBackupComponents_InitializeForBackup(session->backup, NULL)))
        return requester_fail(err, hr, L"failed to initialize for backup");
    session->initialized = true;
    /* Bootable system state only when every volume is in the set. */
    hr = IVssBackupComponents_SetBackupState(session->backup, !fs_only, !mountpoint_count, type, FALSE);
    if (FAILED(hr)) return requester_fail(err, hr, L"failed to set backup state");
    if (FAILED(hr = set_context(session, options, err))) return hr;

    if (!fs_only)
    {
        hr = IVssBackupComponents_GatherWriterMetadata(session->backup, &async);
        if (FAILED(hr = step_async(hr, async, remaining_ms(deadline), err,
                                   L"failed to gather writer metadata")))
            return hr;
        hr = writers_select(session->backup, options, &session->report, err);
        IVssBackupComponents_FreeWriterMetadata(session->backup);
        if (FAILED(hr)) return hr;
        phase(requester, session, REQUESTER_PHASE_METADATA);
    }

    if (FAILED(hr = IVssBackupComponents_StartSnapshotSet(session->backup, &set_id)))
        return requester_fail(err, hr, L"failed to start snapshot set");
    if (FAILED(hr = add_volumes(session, mountpoints, mountpoint_count, err))) return hr;

    hr = IVssBackupComponents_PrepareForBackup(session->backup, &async);
    if (FAILED(hr = step_async(hr, async, remaining_ms(deadline), err, L"failed to prepare for backup")))
        return hr;
    hr = IVssBackupComponents_GatherWriterStatus(session->backup, &async);
    if (FAILED(hr = step_async(hr, async, remaining_ms(deadline), err, L"failed to gather writer status")))
        return hr;
    hr = writers_check(session->backup, &session->report, err);
    phase(requester, session, REQUESTER_PHASE_PREPARED);
    if (FAILED(hr)) return hr;

    if (FAILED(hr = IVssBackupComponents_DoSnapshotSet(session->backup, &async)))
        return requester_fail(err, hr, L"failed to do snapshot set");
    /* The wait thread's bound covers the whole life of the snapshot: freeze, hold and thaw. */
    hr = snapshot_wait_start(session, async, remaining_ms(deadline) + session->hold_timeout_ms +
                             REQUESTER_THAW_WAIT_MS);
    if (FAILED(hr)) return requester_fail(err, hr, L"failed to do snapshot set");
    phase(requester, session, REQUESTER_PHASE_SNAPSHOT_START);

    if (FAILED(hr = wait_frozen(session, remaining_ms(deadline), err))) return hr;

    if (!CreateTimerQueueTimer(&session->hold_timer, NULL, hold_timer_expired, session, session->hold_timeout_ms,
                               0, WT_EXECUTEONLYONCE))
    {
        session->hold_timer = NULL;
        return requester_fail(err, HRESULT_FROM_WIN32(GetLastError()), L"failed to start the hold timer");
    }
    session->report.hold_outcome = REQUESTER_HOLD_PENDING;
    phase(requester, session, REQUESTER_PHASE_FROZEN);
    return S_OK;
}

HRESULT WINAPI requester_init(uint32_t abi_version, struct requester **out, struct requester_error *err)
{
    struct requester *requester;

    error_clear(err);
    if (!out) return requester_fail_plain(err, E_POINTER, L"no requester pointer");
    *out = NULL;
    if (abi_version != REQUESTER_ABI_VERSION)
        return requester_fail_plain(err, E_INVALIDARG, L"qga-vss.dll speaks requester ABI %u, not %u",
                                    (unsigned)REQUESTER_ABI_VERSION, (unsigned)abi_version);
    if (!(requester = calloc(1, sizeof(*requester)))) return requester_fail(err, E_OUTOFMEMORY, L"requester_init");
    InitializeSRWLock(&requester->lock);
    InitializeSRWLock(&requester->report_lock);
    requester->report.size = sizeof(requester->report);
    /* mingw's vsbackup.h maps CreateVssBackupComponents to the exported ...Internal name. */
    if (!(requester->vssapi = LoadLibraryW(L"vssapi.dll")))
    {
        HRESULT hr = HRESULT_FROM_WIN32(GetLastError());

        free(requester);
        return requester_fail(err, hr, L"failed to load vssapi.dll");
    }
    requester->create_backup_components = (create_backup_components_fn)(void *)
        GetProcAddress(requester->vssapi, "CreateVssBackupComponentsInternal");
    if (!requester->create_backup_components)
    {
        HRESULT hr = HRESULT_FROM_WIN32(GetLastError());

        FreeLibrary(requester->vssapi);
        free(requester);
        return requester_fail(err, hr, L"failed to find CreateVssBackupComponents in vssapi.dll");
    }
    *out = requester;
    return S_OK;
}

HRESULT WINAPI requester_freeze(struct requester *requester, const WCHAR *const *mountpoints,
                                uint32_t mountpoint_count, const struct requester_options *options_in,
                                uint32_t *volumes, struct requester_error *err)
{
    struct requester_options options;
    struct session *session = NULL;
    HRESULT hr, com;

    error_clear(err);
    if (volumes) *volumes = 0;
    if (!requester) return requester_fail_plain(err, E_INVALIDARG, L"no requester");
    options_read(options_in, &options);
    com = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    AcquireSRWLockExclusive(&requester->lock);
    if (requester->session)
    {
        hr = requester_fail_plain(err, VSS_E_BAD_STATE, L"the file systems are already frozen");
        goto out;
    }
    if (!(session = calloc(1, sizeof(*session))))
    {
        hr = requester_fail(err, E_OUTOFMEMORY, L"requester_freeze");
        goto out;
    }
    session->hold_timeout_ms = options.hold_timeout_ms;
    session->report.size = sizeof(session->report);
    session->report.valid = 1;
    session->report.hold_outcome = REQUESTER_HOLD_NONE;
    phase(requester, session, REQUESTER_PHASE_BEGIN);

    hr = freeze_steps(requester, session, mountpoints, mountpoint_count, &options, err);
    if (FAILED(hr))
    {
        session->report.freeze_hr = hr;
        session_abort(session, true);
        if (session->snapshot) session->report.phase_time[REQUESTER_PHASE_SNAPSHOT_DONE] = now_filetime();
        phase(requester, session, REQUESTER_PHASE_END);
        session_destroy(session);
        goto out;
    }
    requester->session = session;
    if (volumes) *volumes = session->volumes.count;
out:
    ReleaseSRWLockExclusive(&requester->lock);
    if (SUCCEEDED(com)) CoUninitialize();
    return hr;
}

/* The hold was lost: VSS's 10 s flush-and-hold window or the provider's own limit expired. */
static HRESULT hold_lost(struct session *session, enum requester_hold_outcome outcome, struct requester_error *err)
{
    session->report.hold_outcome = outcome;
    /* compat: the text clients (KubeVirt, Proxmox) match. */
    return requester_fail_plain(err, VSS_E_HOLD_WRITES_TIMEOUT,
                                L"couldn't hold writes: fsfreeze is limited up to 10 seconds");
}

static HRESULT thaw_steps(struct requester *requester, struct session *session, struct requester_error *err)
{
    bool provider_timeout;
    IVssAsync *async = NULL;
    HRESULT hr;

    hold_timer_stop(session);
    if (session->hold_expired)
        session->report.phase_time[REQUESTER_PHASE_THAW] = now_filetime();
    else
    {
        SetEvent(session->thaw_event);
        phase(requester, session, REQUESTER_PHASE_THAW);
    }
    if (WaitForSingleObject(session->snapshot->done, REQUESTER_THAW_WAIT_MS) != WAIT_OBJECT_0)
    {
        hr = requester_fail(err, HRESULT_FROM_WIN32(ERROR_TIMEOUT),
                            L"timeout when waiting for the snapshot set to finish");
        session_abort(session, true);
        return hr;
    }
    session->report.phase_time[REQUESTER_PHASE_SNAPSHOT_DONE] = now_filetime();
    hr = session->snapshot->hr;
    provider_timeout = WaitForSingleObject(session->timeout_event, 0) == WAIT_OBJECT_0;

    if (hr == VSS_E_HOLD_WRITES_TIMEOUT)
        return hold_lost(session, REQUESTER_HOLD_WRITES_TIMEOUT, err);
    if (provider_timeout)
    {
        hr = hold_lost(session, REQUESTER_HOLD_PROVIDER_TIMEOUT, err);
        session_abort(session, true);
        return hr;
    }
    if (hr == VSS_E_OBJECT_NOT_FOUND)
    {
        /* compat: the final commit of Windows before 2008 SP2; the volumes were frozen until thaw. */
        session->report.hold_outcome = REQUESTER_HOLD_OK;
        session_abort(session, true);
        return S_OK;
    }
    if (FAILED(hr))
    {
        requester_fail(err, hr, hr == VSS_E_UNEXPECTED_PROVIDER_ERROR ? L"unexpected error in VSS provider"
                                                                      : L"failed to do snapshot set");
        session_abort(session, true);
        return hr;
    }
    if (session->hold_expired)
    {
        session->report.hold_outcome = REQUESTER_HOLD_TIMER_EXPIRED;
        hr = requester_fail_plain(err, HRESULT_FROM_WIN32(ERROR_TIMEOUT),
                                  L"the freeze was released after its hold timeout of %lu ms, before thaw",
                                  (unsigned long)session->hold_timeout_ms);
        session_abort(session, true);
        return hr;
    }
    session->report.hold_outcome = REQUESTER_HOLD_OK;

    hr = IVssBackupComponents_GatherWriterStatus(session->backup, &async);
    if (SUCCEEDED(hr = step_async(hr, async, REQUESTER_STEP_WAIT_MS, err, L"failed to gather writer status")))
        hr = writers_check(session->backup, &session->report, err);
    if (FAILED(hr))
    {
        session_abort(session, true);
        return hr;
    }
    hr = IVssBackupComponents_BackupComplete(session->backup, &async);
    if (FAILED(hr = step_async(hr, async, REQUESTER_STEP_WAIT_MS, err, L"failed to complete backup")))
        session_abort(session, true);
    return hr;
}

HRESULT WINAPI requester_thaw(struct requester *requester, uint32_t *volumes, struct requester_error *err)
{
    struct session *session;
    HRESULT hr = S_OK, com;

    error_clear(err);
    if (volumes) *volumes = 0;
    if (!requester) return requester_fail_plain(err, E_INVALIDARG, L"no requester");
    com = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    AcquireSRWLockExclusive(&requester->lock);
    if ((session = requester->session))
    {
        requester->session = NULL;
        hr = thaw_steps(requester, session, err);
        session->report.thaw_hr = hr;
        phase(requester, session, REQUESTER_PHASE_END);
        /* The volumes were frozen until now, whatever the thaw reports. */
        if (volumes) *volumes = session->volumes.count;
        session_destroy(session);
    }
    ReleaseSRWLockExclusive(&requester->lock);
    if (SUCCEEDED(com)) CoUninitialize();
    return hr;
}

HRESULT WINAPI requester_report(struct requester *requester, struct requester_report *report)
{
    uint32_t size;

    if (!requester || !report || report->size < offsetof(struct requester_report, phase_time)) return E_INVALIDARG;
    size = min(report->size, (uint32_t)sizeof(*report));
    AcquireSRWLockShared(&requester->report_lock);
    memcpy(report, &requester->report, size);
    ReleaseSRWLockShared(&requester->report_lock);
    report->size = size;
    return S_OK;
}

void WINAPI requester_error_text(HRESULT hr, WCHAR *buffer, uint32_t chars)
{
    if (buffer && chars) hresult_text(hr, buffer, chars);
}

void WINAPI requester_deinit(struct requester *requester)
{
    uint32_t volumes;

    if (!requester) return;
    requester_thaw(requester, &volumes, NULL);
    if (requester->vssapi) FreeLibrary(requester->vssapi);
    free(requester);
}
