/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fsfreeze in the agent: COM security for VSS, qga-vss.dll loaded on first use, the frozen state
 * (dispatcher filter, buffered logging, marker file) and the auto-thaw watchdog.
 * Whatever happens, a freeze ends thawed: by the host's thaw, by the watchdog, or at shutdown. */
#define COBJMACROS
#include <windows.h>
#include <objidl.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/error.h"
#include "names.h"
#include "core/freeze-options.h"
#include "core/freeze-report.h"
#include "core/platform.h"
#include "platform/error.h"
#include "platform/freeze-story.h"
#include "platform/hooks.h"
#include "platform/log.h"
#include "platform/state.h"
#include "platform/utf.h"
#include "platform/vss.h"
#include "../../requester/requester.h"   /* the ABI of qga-vss.dll */

/* COM access for callers into our process: SYSTEM, Administrators, Backup Operators, NETWORK
 * SERVICE and LOCAL SERVICE may execute (COM_RIGHTS_EXECUTE | COM_RIGHTS_EXECUTE_LOCAL); VSS
 * writers run under these accounts and call back into the requester. */
#define COM_ACCESS_SDDL_W L"O:BAG:BAD:(A;;0x3;;;SY)(A;;0x3;;;BA)(A;;0x3;;;BO)(A;;0x3;;;NS)(A;;0x3;;;LS)"
/* The watchdog may be inside requester_thaw, which is bounded by the DLL's own waits. */
#define WATCHDOG_JOIN_MS  130000
/* The DLL's hold timer backs the watchdog up: a little later, so the watchdog normally wins. */
#define DLL_HOLD_MARGIN_MS 2000
/* Start-up recovery runs at most HOOK_MAX_COUNT thaw hooks, each bounded by its timeout. */
#define RECOVERY_JOIN_MARGIN_MS 10000

struct freeze_state
{
    SRWLOCK lock;                     /* freeze, thaw, status, the watchdog, hook recovery and cleanup */
    HMODULE dll;
    struct requester *requester;
    requester_init_fn init;
    requester_deinit_fn deinit;
    requester_freeze_fn freeze;
    requester_thaw_fn thaw;
    requester_report_fn report;       /* for the freeze report */
    requester_error_text_fn error_text;   /* optional (older DLLs): writer failures as hex only */
    bool load_failure_logged;

    bool frozen;
    uint32_t volumes;
    DWORD auto_thaw_ms;               /* fsfreeze-auto-thaw: the default limit */
    DWORD limit_ms;                   /* this freeze's limit (hold-timeout, else auto_thaw_ms) */
    HANDLE watchdog;                  /* thread-pool wait, while frozen (and until joined) */
    HANDLE watchdog_cancel;           /* manual-reset: thawed by someone else */
    HANDLE watchdog_done;             /* auto-reset: set once an unregistered watchdog's callback ended */
    struct watchdog
    {
        struct agent *agent;
        uint64_t generation;          /* which freeze the watchdog belongs to */
        DWORD limit_ms;
    } watchdog_args;                  /* written before the wait is registered, read by its callback */
    uint64_t generation;
    char *auto_thaw_report;           /* the next thaw's error after an auto-thaw (malloc'd) */

    /* The hooks this freeze started: the thaw runs them in reverse (issue 12). */
    char *hook_dir;
    struct name_list hooks_ran;
    uint32_t hook_timeout_ms;
    bool hook_continue;

    struct freeze_story *story;       /* the report; its own lock */
    HANDLE recovery;                  /* start-up thread running an interrupted freeze's thaw hooks */
};

/* Defined here rather than taken from libuuid, whose object holding them also defines the
 * GUID_DEVINTERFACE_* that commands/disk.c defines (duplicate symbols). */
static const GUID global_options_clsid =
    { 0x0000034b, 0x0000, 0x0000, { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 } };
static const GUID global_options_iid =
    { 0x0000015b, 0x0000, 0x0000, { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 } };

static void *com_security_sd;         /* absolute SD pieces, alive while COM may use them */
static void *com_security_parts[4];
static bool com_initialised;

int vss_com_init(void)
{
    PSECURITY_DESCRIPTOR relative = NULL;
    DWORD sd_size = 0, dacl_size = 0, sacl_size = 0, owner_size = 0, group_size = 0;
    IGlobalOptions *options = NULL;
    HRESULT hr;
    int ret = 0;

    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (FAILED(hr))
    {
        platform_log(LOG_WARNING, "COM initialisation failed (0x%08lx): fsfreeze will not work", (unsigned long)hr);
        return QGA_EGENERIC;
    }
    com_initialised = true;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(COM_ACCESS_SDDL_W, SDDL_REVISION_1, &relative, NULL))
    {
        platform_log(LOG_WARNING, "COM security descriptor: error %lu", GetLastError());
        return QGA_EGENERIC;
    }
    /* CoInitializeSecurity wants an absolute security descriptor. */
    MakeAbsoluteSD(relative, NULL, &sd_size, NULL, &dacl_size, NULL, &sacl_size, NULL, &owner_size, NULL,
                   &group_size);
    com_security_sd = calloc(1, sd_size ? sd_size : 1);
    com_security_parts[0] = calloc(1, dacl_size ? dacl_size : 1);
    com_security_parts[1] = calloc(1, sacl_size ? sacl_size : 1);
    com_security_parts[2] = calloc(1, owner_size ? owner_size : 1);
    com_security_parts[3] = calloc(1, group_size ? group_size : 1);
    if (!com_security_sd || !com_security_parts[0] || !com_security_parts[1] || !com_security_parts[2] ||
        !com_security_parts[3] ||
        !MakeAbsoluteSD(relative, com_security_sd, &sd_size, com_security_parts[0], &dacl_size,
                        com_security_parts[1], &sacl_size, com_security_parts[2], &owner_size,
                        com_security_parts[3], &group_size))
    {
        platform_log(LOG_WARNING, "COM security descriptor: error %lu", GetLastError());
        ret = QGA_EGENERIC;
        goto out;
    }
    hr = CoInitializeSecurity(com_security_sd, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
                              RPC_C_IMP_LEVEL_IDENTIFY, NULL, EOAC_NONE, NULL);
    if (FAILED(hr))
    {
        platform_log(LOG_WARNING, "CoInitializeSecurity failed (0x%08lx): VSS writers may be denied access",
                     (unsigned long)hr);
        ret = QGA_EGENERIC;
        goto out;
    }
    /* Microsoft's advice for requesters: COM must not swallow exceptions that would leave VSS in
     * an undefined state. */
    if (SUCCEEDED(CoCreateInstance(&global_options_clsid, NULL, CLSCTX_INPROC_SERVER, &global_options_iid,
                                   (void **)&options)))
    {
        IGlobalOptions_Set(options, COMGLB_EXCEPTION_HANDLING, COMGLB_EXCEPTION_DONOT_HANDLE_ANY);
        IGlobalOptions_Release(options);
    }
out:
    LocalFree(relative);
    return ret;
}

void vss_com_cleanup(void)
{
    size_t i;

    if (com_initialised) CoUninitialize();
    com_initialised = false;
    free(com_security_sd);
    com_security_sd = NULL;
    for (i = 0; i < ARRAYSIZE(com_security_parts); i++)
    {
        free(com_security_parts[i]);
        com_security_parts[i] = NULL;
    }
}

/* ---- loading the DLL ---- */

static int error_from_requester(const struct requester_error *err, HRESULT hr, char **error)
{
    if (utf16_to_utf8(err->message[0] ? err->message : L"VSS error", error) < 0 || !*error)
        *error = strdup("VSS error");
    platform_log(LOG_DEBUG, "requester: 0x%08lx: %s", (unsigned long)hr, *error ? *error : "");
    return QGA_EGENERIC;
}

/* qga-vss.dll from the exe's folder (never the search path), on first use; agent thread, lock held. */
static int load_requester(struct freeze_state *state)
{
    struct requester_error err = { .size = sizeof(err) };
    WCHAR path[MAX_PATH], *slash;
    char *message = NULL;
    HRESULT hr;
    DWORD len;

    if (state->requester) return 0;
    len = GetModuleFileNameW(NULL, path, ARRAYSIZE(path));
    if (!len || len >= ARRAYSIZE(path) - 16 || !(slash = wcsrchr(path, L'\\'))) return QGA_EGENERIC;
    wcscpy(slash + 1, QGA_VSS_DLL_NAME_W);
    if (!state->dll && !(state->dll = LoadLibraryExW(path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH)))
    {
        DWORD load_error = GetLastError();

        if (!state->load_failure_logged)
        {
            char text[512];

            utf16_to_utf8(path, &message);
            platform_log(LOG_WARNING, "failed to load %s: %s; fsfreeze is disabled", message ? message : "qga-vss.dll",
                         win32_error_text_buf(load_error, text, sizeof(text)));
            free(message);
            state->load_failure_logged = true;
        }
        return QGA_EGENERIC;
    }
    state->init = (requester_init_fn)(void *)GetProcAddress(state->dll, REQUESTER_INIT_NAME);
    state->deinit = (requester_deinit_fn)(void *)GetProcAddress(state->dll, REQUESTER_DEINIT_NAME);
    state->freeze = (requester_freeze_fn)(void *)GetProcAddress(state->dll, REQUESTER_FREEZE_NAME);
    state->thaw = (requester_thaw_fn)(void *)GetProcAddress(state->dll, REQUESTER_THAW_NAME);
    state->report = (requester_report_fn)(void *)GetProcAddress(state->dll, REQUESTER_REPORT_NAME);
    state->error_text = (requester_error_text_fn)(void *)GetProcAddress(state->dll, REQUESTER_ERROR_TEXT_NAME);
    if (!state->init || !state->deinit || !state->freeze || !state->thaw || !state->report)
    {
        if (!state->load_failure_logged) platform_log(LOG_WARNING, "qga-vss.dll lacks the requester; fsfreeze is disabled");
        state->load_failure_logged = true;
        FreeLibrary(state->dll);
        state->dll = NULL;
        return QGA_EGENERIC;
    }
    hr = state->init(REQUESTER_ABI_VERSION, &state->requester, &err);
    if (FAILED(hr))
    {
        if (!state->load_failure_logged)
        {
            error_from_requester(&err, hr, &message);
            platform_log(LOG_WARNING, "VSS requester: %s; fsfreeze is disabled", message ? message : "");
            free(message);
        }
        state->load_failure_logged = true;
        state->requester = NULL;
        return QGA_EGENERIC;
    }
    platform_log(LOG_DEBUG, "qga-vss.dll loaded");
    return 0;
}

/* ---- frozen state ---- */

static void set_frozen(struct agent *agent, bool frozen)
{
    if (frozen)
    {
        /* compat: the marker first, then silence the log, then VSS (qemu-ga's ga_set_frozen). */
        if (state_set_frozen_marker(agent, true) < 0)
            platform_log(LOG_WARNING, "unable to create the frozen marker in the state directory");
        log_set_frozen(true);
        __atomic_store_n(&agent->dispatcher.frozen, true, __ATOMIC_SEQ_CST);
        return;
    }
    /* The dispatcher's flag may be cleared by the watchdog thread while the agent thread reads it
     * between requests: an atomic store, read as a plain byte. */
    __atomic_store_n(&agent->dispatcher.frozen, false, __ATOMIC_SEQ_CST);
    log_set_frozen(false);
    if (state_set_frozen_marker(agent, false) < 0)
        platform_log(LOG_WARNING, "unable to remove the frozen marker from the state directory");
}

/* The requester's report into the story (phases, volumes, writers, hold).  Lock held. */
static void import_report(struct freeze_state *state)
{
    struct requester_report *report = calloc(1, sizeof(*report));

    if (!report) return;
    report->size = sizeof(*report);
    if (state->report && SUCCEEDED(state->report(state->requester, report)))
        freeze_story_import(state->story, report, state->error_text);
    free(report);
}

/* The thaw hooks of the hooks this freeze started, in reverse; then they are forgotten.  Lock held. */
static void run_thaw_hooks(struct freeze_state *state)
{
    if (state->hook_dir && state->hooks_ran.count)
    {
        hooks_run_thaw(state->hook_dir, &state->hooks_ran, state->hook_timeout_ms, false, state->story);
        freeze_story_phase(state->story, FREEZE_PHASE_THAW_HOOKS_DONE);
    }
    name_list_clear(&state->hooks_ran);
    free(state->hook_dir);
    state->hook_dir = NULL;
}

/* The end of a freeze's story (its outcome already set): the summary in the log (and Event
 * Log), the record gone.  Lock held. */
static void story_end(struct agent *agent)
{
    freeze_story_log_summary(agent->freeze->story);
    freeze_record_remove(agent);
}

/* Thaw with the lock held: the requester, then the agent's state, then the thaw hooks.  Returns
 * like vss_thaw. */
static int thaw_locked(struct agent *agent, int64_t *volumes, char **error, bool automatic)
{
    struct freeze_state *state = agent->freeze;
    struct requester_error err = { .size = sizeof(err) };
    uint32_t thawed = 0;
    HRESULT hr;
    int ret = 0;

    SetEvent(state->watchdog_cancel);
    hr = state->thaw(state->requester, &thawed, &err);
    __atomic_store_n(&state->frozen, false, __ATOMIC_SEQ_CST);
    state->generation++;
    set_frozen(agent, false);
    *volumes = thawed;
    if (FAILED(hr)) ret = error_from_requester(&err, hr, error);
    /* Thawed now: the log writes again, the hooks' output reaches it at once. */
    import_report(state);
    if (automatic) freeze_story_auto_thawed(state->story);
    freeze_story_result(state->story, automatic ? FREEZE_RESULT_AUTO_THAWED
                                      : ret < 0 ? FREEZE_RESULT_THAW_FAILED : FREEZE_RESULT_THAWED,
                        ret < 0 ? *error : NULL);
    run_thaw_hooks(state);
    story_end(agent);
    return ret;
}

/* The watchdog is a thread-pool wait on watchdog_cancel with the auto-thaw limit as its timeout:
 * arming it costs no thread creation on the way to the freeze reply (a new thread is the most
 * expensive thing there after VSS itself).  Runs on a pool thread; timed_out is false when
 * watchdog_cancel was set (thawed by someone else). */
static VOID CALLBACK watchdog_expired(void *arg, BOOLEAN timed_out)
{
    const struct watchdog *watchdog = arg;
    struct agent *agent = watchdog->agent;
    struct freeze_state *state = agent->freeze;
    char *error = NULL, report[1024];
    int64_t volumes = 0;
    int ret;

    if (!timed_out) return;
    AcquireSRWLockExclusive(&state->lock);
    if (state->frozen && state->generation == watchdog->generation)
    {
        platform_log(LOG_WARNING, "no guest-fsfreeze-thaw within %lu ms: thawing the file systems automatically",
                     (unsigned long)watchdog->limit_ms);
        ret = thaw_locked(agent, &volumes, &error, true);
        snprintf(report, sizeof(report), "the file systems were thawed automatically: no guest-fsfreeze-thaw within "
                 "%lu ms (the auto-thaw limit)%s%s", (unsigned long)watchdog->limit_ms, ret < 0 ? "; " : "",
                 ret < 0 && error ? error : "");
        free(state->auto_thaw_report);
        state->auto_thaw_report = strdup(report);
        platform_log(LOG_WARNING, "%s", report);
        free(error);
    }
    ReleaseSRWLockExclusive(&state->lock);
}

static void watchdog_join(struct freeze_state *state)
{
    if (!state->watchdog) return;
    SetEvent(state->watchdog_cancel);
    /* Returns at once; watchdog_done is set when a callback still running has finished. */
    UnregisterWaitEx(state->watchdog, state->watchdog_done);
    /* A callback that is thawing also runs the thaw hooks, each bounded by its timeout. */
    if (WaitForSingleObject(state->watchdog_done, WATCHDOG_JOIN_MS + HOOK_MAX_COUNT * state->hook_timeout_ms)
        != WAIT_OBJECT_0)
        platform_log(LOG_ERROR, "the auto-thaw watchdog did not stop");
    state->watchdog = NULL;
}

static void watchdog_start(struct agent *agent)
{
    struct freeze_state *state = agent->freeze;

    ResetEvent(state->watchdog_cancel);
    state->watchdog_args.agent = agent;
    state->watchdog_args.generation = state->generation;
    state->watchdog_args.limit_ms = state->limit_ms;
    /* WT_EXECUTELONGFUNCTION: the callback thaws and runs the thaw hooks. */
    if (RegisterWaitForSingleObject(&state->watchdog, state->watchdog_cancel, watchdog_expired,
                                    &state->watchdog_args, state->limit_ms,
                                    WT_EXECUTEONLYONCE | WT_EXECUTELONGFUNCTION))
        return;
    state->watchdog = NULL;
    /* The DLL's own hold limit (the same auto-thaw time) still releases VSS. */
    platform_log(LOG_ERROR, "unable to start the auto-thaw watchdog");
}

/* ---- freeze ---- */

/* UTF-8 names as the UTF-16 array the requester takes (*out: count entries, each malloc'd). */
static int names_to_utf16(const struct name_list *names, WCHAR ***out)
{
    size_t i;
    int ret;

    *out = NULL;
    if (!names->count) return 0;
    if (!(*out = calloc(names->count, sizeof(**out)))) return QGA_ENOMEM;
    for (i = 0; i < names->count; i++)
        if ((ret = utf8_to_utf16(names->names[i], &(*out)[i])) < 0) return ret;
    return 0;
}

static void free_utf16_array(WCHAR **array, size_t count)
{
    size_t i;

    for (i = 0; array && i < count; i++) free(array[i]);
    free(array);
}

/* The freeze hooks: listed, recorded (so a restarted agent can run their thaw), run.  0, or a
 * negative QGA_E* with *error: the freeze must not go on.  Lock held. */
static int freeze_hooks(struct agent *agent, const struct freeze_options *options, struct freeze_record *record,
                        char **error)
{
    struct freeze_state *state = agent->freeze;
    const struct freeze_config *config = &agent->config->fsfreeze;
    struct hook_set set = { 0 };
    int ret = 0;

    state->hook_timeout_ms = config->hook_timeout_ms ? config->hook_timeout_ms : FREEZE_HOOK_TIMEOUT_DEFAULT_MS;
    state->hook_continue = config->hook_continue_on_failure;
    if (options->hooks)
    {
        char *dir = config->hook_dir ? strdup(config->hook_dir) : hooks_default_dir();

        if (!dir) return QGA_ENOMEM;
        ret = hooks_scan(dir, &set, error);
        free(dir);
        if (ret < 0 && state->hook_continue)
        {
            platform_log(LOG_WARNING, "fsfreeze: %s; freezing without hooks", *error ? *error : "no hooks");
            free(*error);
            *error = NULL;
            ret = 0;
        }
        if (ret < 0) return ret;
    }
    if (set.count)
    {
        record->hook_dir = strdup(set.dir);
        for (size_t i = 0; i < set.count; i++) name_list_add(&record->hooks, set.names[i]);
    }
    /* Before the first hook runs: a freeze interrupted from here on is found at the next start. */
    freeze_record_save(agent, record);
    if (set.count)
    {
        state->hook_dir = strdup(set.dir);
        ret = hooks_run_freeze(&set, state->hook_timeout_ms, state->hook_continue, state->story, &state->hooks_ran,
                               error);
        freeze_story_phase(state->story, FREEZE_PHASE_FREEZE_HOOKS_DONE);
    }
    hooks_set_clear(&set);
    return ret;
}

/* Everything after the DLL is loaded.  Lock held. */
static int freeze_locked(struct agent *agent, const struct freeze_request *request,
                         const struct freeze_options *options, int64_t *volumes, char **error)
{
    struct freeze_state *state = agent->freeze;
    struct requester_options requester_options = { .size = sizeof(requester_options) };
    struct requester_error err = { .size = sizeof(err) };
    struct freeze_record record = { 0 };
    WCHAR **mountpoints_w = NULL, **include_w = NULL, **exclude_w = NULL;
    uint32_t frozen_volumes = 0;
    HRESULT hr;
    size_t i;
    int ret;

    if (request->count && !(mountpoints_w = calloc(request->count, sizeof(*mountpoints_w))))
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    for (i = 0; i < request->count; i++)
    {
        if ((ret = utf8_to_utf16(request->mountpoints[i], &mountpoints_w[i])) < 0)
        {
            *error = strdup("invalid mount point");
            goto out;
        }
    }
    if ((ret = names_to_utf16(&options->include_writers, &include_w)) < 0 ||
        (ret = names_to_utf16(&options->exclude_writers, &exclude_w)) < 0)
        goto out;
    requester_options.backup_type = options->backup_type;
    requester_options.flags = options->fs_only ? REQUESTER_FS_ONLY : 0;
    requester_options.hold_timeout_ms = options->hold_timeout_ms + DLL_HOLD_MARGIN_MS;
    requester_options.writers_include_count = (uint32_t)options->include_writers.count;
    requester_options.writers_include = (const WCHAR *const *)include_w;
    requester_options.writers_exclude_count = (uint32_t)options->exclude_writers.count;
    requester_options.writers_exclude = (const WCHAR *const *)exclude_w;

    record.command = strdup(request->command);
    record.start_ns = platform_time_ns();
    record.limit_ms = options->hold_timeout_ms;
    record.pid = GetCurrentProcessId();
    if ((ret = freeze_hooks(agent, options, &record, error)) < 0)
    {
        /* A freeze hook failed: what the hooks already froze is thawed; VSS was never asked. */
        if (!*error) *error = strdup("fsfreeze hooks could not run");
        freeze_story_result(state->story, FREEZE_RESULT_FREEZE_FAILED, *error);
        run_thaw_hooks(state);
        story_end(agent);
        goto out;
    }

    set_frozen(agent, true);
    hr = state->freeze(state->requester, (const WCHAR *const *)mountpoints_w, (uint32_t)request->count,
                       &requester_options, &frozen_volumes, &err);
    import_report(state);
    if (FAILED(hr))
    {
        set_frozen(agent, false);
        ret = error_from_requester(&err, hr, error);
        freeze_story_result(state->story, FREEZE_RESULT_FREEZE_FAILED, *error);
        run_thaw_hooks(state);
        story_end(agent);
        goto out;
    }
    __atomic_store_n(&state->frozen, true, __ATOMIC_SEQ_CST);
    state->volumes = frozen_volumes;
    state->limit_ms = options->hold_timeout_ms;
    state->generation++;
    watchdog_start(agent);
    freeze_story_result(state->story, FREEZE_RESULT_FROZEN, NULL);
    *volumes = frozen_volumes;
    ret = 0;
out:
    freeze_record_clear(&record);
    free_utf16_array(mountpoints_w, request->count);
    free_utf16_array(include_w, options->include_writers.count);
    free_utf16_array(exclude_w, options->exclude_writers.count);
    return ret;
}

int vss_freeze(struct agent *agent, const struct freeze_request *request, int64_t *volumes, char **error)
{
    struct freeze_state *state = agent->freeze;
    struct freeze_options options;
    int ret;

    *volumes = 0;
    *error = NULL;
    if (!state) return (*error = strdup(VSS_UNAVAILABLE_TEXT)) ? QGA_EGENERIC : QGA_ENOMEM;
    if ((ret = freeze_options_defaults(&options, &agent->config->fsfreeze, state->auto_thaw_ms)) < 0) return ret;
    if ((ret = freeze_options_apply_args(&options, request->args, error)) < 0) goto out;

    /* The last freeze's watchdog has been told to stop (thawed): join it before taking the lock
     * it may be waiting for.  Only this thread starts and joins watchdogs. */
    watchdog_join(state);
    AcquireSRWLockExclusive(&state->lock);
    if (load_requester(state) < 0)
    {
        ReleaseSRWLockExclusive(&state->lock);
        *error = strdup(VSS_UNAVAILABLE_TEXT);
        ret = QGA_EGENERIC;
        goto out;
    }
    free(state->auto_thaw_report);     /* a new freeze starts a new story */
    state->auto_thaw_report = NULL;
    freeze_story_begin(state->story, request->command, request->mountpoints, request->count, &options);
    ret = freeze_locked(agent, request, &options, volumes, error);
    ReleaseSRWLockExclusive(&state->lock);
out:
    freeze_options_clear(&options);
    return ret;
}

int vss_thaw(struct agent *agent, int64_t *volumes, char **error)
{
    struct freeze_state *state = agent->freeze;
    int ret = 0;

    *volumes = 0;
    *error = NULL;
    if (!state) return (*error = strdup(VSS_UNAVAILABLE_TEXT)) ? QGA_EGENERIC : QGA_ENOMEM;
    AcquireSRWLockExclusive(&state->lock);
    if (!state->requester && load_requester(state) < 0)
    {
        *error = strdup(VSS_UNAVAILABLE_TEXT);
        ret = QGA_EGENERIC;
    }
    else if (state->frozen)
        ret = thaw_locked(agent, volumes, error, false);
    else if (state->auto_thaw_report)
    {
        /* The host's thaw after our auto-thaw: its snapshot was not taken while frozen; say so once. */
        *error = state->auto_thaw_report;
        state->auto_thaw_report = NULL;
        ret = QGA_EGENERIC;
    }
    ReleaseSRWLockExclusive(&state->lock);
    return ret;
}

int vss_status(struct agent *agent, enum freeze_status *status, char **error)
{
    struct freeze_state *state = agent->freeze;
    int ret = 0;

    *status = FREEZE_THAWED;
    *error = NULL;
    if (!state) return (*error = strdup(VSS_UNAVAILABLE_TEXT)) ? QGA_EGENERIC : QGA_ENOMEM;
    if (!__atomic_load_n(&state->requester, __ATOMIC_ACQUIRE))
    {
        /* Nothing frozen yet: say whether fsfreeze can work at all (compat: an error without VSS).
         * Not while the start-up recovery runs hooks under the lock: that is no answer "at once". */
        if (!TryAcquireSRWLockExclusive(&state->lock)) return 0;
        if (load_requester(state) < 0)
        {
            *error = strdup(VSS_UNAVAILABLE_TEXT);
            ret = QGA_EGENERIC;
        }
        ReleaseSRWLockExclusive(&state->lock);
        return ret;
    }
    /* No lock: status answers at once, even while the watchdog is thawing. */
    *status = __atomic_load_n(&state->frozen, __ATOMIC_ACQUIRE) ? FREEZE_FROZEN : FREEZE_THAWED;
    return 0;
}

int vss_report(struct agent *agent, struct json_value **out, char **error)
{
    struct freeze_state *state = agent->freeze;

    *out = NULL;
    *error = NULL;
    if (!state) return (*error = strdup(VSS_UNAVAILABLE_TEXT)) ? QGA_EGENERIC : QGA_ENOMEM;
    return freeze_story_report_json(state->story, out);
}

int vss_status_ext(struct agent *agent, struct json_value **out, char **error)
{
    struct freeze_state *state = agent->freeze;

    *out = NULL;
    *error = NULL;
    if (!state) return (*error = strdup(VSS_UNAVAILABLE_TEXT)) ? QGA_EGENERIC : QGA_ENOMEM;
    return freeze_story_status_json(state->story, __atomic_load_n(&state->frozen, __ATOMIC_ACQUIRE), out);
}

/* ---- an interrupted freeze ---- */

struct recovery
{
    struct agent *agent;
    struct freeze_record record;
};

/* A previous agent stopped during a freeze whose hooks it had started: their thaw runs now (in a
 * thread, so that start-up stays fast; a freeze waits for it on the lock). */
static DWORD WINAPI recovery_thread(void *arg)
{
    struct recovery *recovery = arg;
    struct agent *agent = recovery->agent;
    struct freeze_state *state = agent->freeze;

    AcquireSRWLockExclusive(&state->lock);
    platform_log(LOG_WARNING, "fsfreeze: running the thaw hooks of the interrupted freeze");
    hooks_run_thaw(recovery->record.hook_dir, &recovery->record.hooks, state->hook_timeout_ms, true, state->story);
    freeze_record_remove(agent);
    ReleaseSRWLockExclusive(&state->lock);
    freeze_record_clear(&recovery->record);
    free(recovery);
    return 0;
}

static void recover_interrupted(struct agent *agent)
{
    struct freeze_state *state = agent->freeze;
    struct recovery *recovery;
    struct freeze_record record;
    int64_t ago_s;

    if (freeze_record_load(agent, &record) < 0) return;
    ago_s = (platform_time_ns() - record.start_ns) / 1000000000;
    platform_log(LOG_WARNING, "fsfreeze: the previous agent (pid %lu) stopped during %s begun %lld s ago "
                 "(auto-thaw limit %lu ms)%s", (unsigned long)record.pid, record.command ? record.command : "a freeze",
                 (long long)ago_s, (unsigned long)record.limit_ms,
                 record.hooks.count ? "; its thaw hooks run now" : "");
    freeze_story_set_interrupted(state->story, &record);
    if (!record.hook_dir || !record.hooks.count || !(recovery = calloc(1, sizeof(*recovery))))
    {
        freeze_record_remove(agent);
        freeze_record_clear(&record);
        return;
    }
    recovery->agent = agent;
    recovery->record = record;
    if (!(state->recovery = CreateThread(NULL, 0, recovery_thread, recovery, 0, NULL)))
    {
        platform_log(LOG_ERROR, "fsfreeze: unable to run the thaw hooks of the interrupted freeze");
        freeze_record_remove(agent);
        freeze_record_clear(&recovery->record);
        free(recovery);
    }
}

/* ---- module ---- */

/* A previous agent died while frozen and our provider still holds VSS (its "frozen" event lives
 * on in the provider's process): signal "thaw" so it lets go now instead of at its timeout. */
static void release_stale_hold(struct agent *agent)
{
    HANDLE thaw;

    if (!state_frozen_marker_present(agent)) return;
    if (!(thaw = OpenEventW(EVENT_MODIFY_STATE, FALSE, QGA_EVENT_THAW_W))) return;
    SetEvent(thaw);
    CloseHandle(thaw);
    platform_log(LOG_WARNING, "released the VSS freeze left by a previous agent");
    state_set_frozen_marker(agent, false);
}

int freeze_init(struct agent *agent)
{
    struct freeze_state *state;

    release_stale_hold(agent);
    if (!(state = calloc(1, sizeof(*state)))) return QGA_ENOMEM;
    InitializeSRWLock(&state->lock);
    if (!(state->watchdog_cancel = CreateEventW(NULL, TRUE, FALSE, NULL))
        || !(state->watchdog_done = CreateEventW(NULL, FALSE, FALSE, NULL)) || freeze_story_create(&state->story) < 0)
    {
        if (state->watchdog_cancel) CloseHandle(state->watchdog_cancel);
        if (state->watchdog_done) CloseHandle(state->watchdog_done);
        free(state);
        return QGA_ENOMEM;
    }
    state->auto_thaw_ms = agent->config && agent->config->fsfreeze_auto_thaw_ms ? agent->config->fsfreeze_auto_thaw_ms
                                                                              : FREEZE_AUTO_THAW_DEFAULT_MS;
    state->hook_timeout_ms = agent->config && agent->config->fsfreeze.hook_timeout_ms
                             ? agent->config->fsfreeze.hook_timeout_ms : FREEZE_HOOK_TIMEOUT_DEFAULT_MS;
    agent->freeze = state;
    /* A freeze a previous agent did not finish: reported, and its thaw hooks run. */
    recover_interrupted(agent);
    /* qga-vss.dll is loaded by the first fsfreeze command: start-up stays fast (users §5.5). */
    return 0;
}

void freeze_cleanup(struct agent *agent)
{
    struct freeze_state *state = agent->freeze;
    int64_t volumes;
    char *error = NULL;

    if (!state) return;
    AcquireSRWLockExclusive(&state->lock);
    if (state->frozen)
    {
        platform_log(LOG_WARNING, "thawing the file systems before stopping");
        if (thaw_locked(agent, &volumes, &error, false) < 0) platform_log(LOG_WARNING, "thaw: %s", error ? error : "");
        free(error);
    }
    ReleaseSRWLockExclusive(&state->lock);
    watchdog_join(state);
    if (state->recovery)
    {
        /* It may still be running hooks: each is bounded by its timeout. */
        if (WaitForSingleObject(state->recovery, HOOK_MAX_COUNT * state->hook_timeout_ms + RECOVERY_JOIN_MARGIN_MS)
            != WAIT_OBJECT_0)
            platform_log(LOG_ERROR, "fsfreeze: the thaw hooks of the interrupted freeze did not finish");
        CloseHandle(state->recovery);
    }
    if (state->requester) state->deinit(state->requester);
    /* The DLL stays loaded: a thread of it may still be finishing a bounded wait. */
    CloseHandle(state->watchdog_cancel);
    CloseHandle(state->watchdog_done);
    free(state->auto_thaw_report);
    free(state->hook_dir);
    name_list_clear(&state->hooks_ran);
    freeze_story_free(state->story);
    free(state);
    agent->freeze = NULL;
}
