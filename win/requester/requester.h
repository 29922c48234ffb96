/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The C ABI of the VSS requester inside qga-vss.dll, which the agent resolves with GetProcAddress
 * (win/agent/platform/vss.c).  Plain C types only: the DLL and the exe each link their own static
 * C runtime, so nothing allocated on one side is freed on the other. */
#ifndef QGA_REQUESTER_H
#define QGA_REQUESTER_H

#include <windows.h>
#include <stdint.h>

/* Exported names (qga-vss.def, PRIVATE), for GetProcAddress. */
#define REQUESTER_INIT_NAME   "requester_init"
#define REQUESTER_DEINIT_NAME "requester_deinit"
#define REQUESTER_FREEZE_NAME "requester_freeze"
#define REQUESTER_THAW_NAME   "requester_thaw"
#define REQUESTER_REPORT_NAME "requester_report"
#define REQUESTER_ERROR_TEXT_NAME "requester_error_text"   /* optional: older DLLs lack it */

/* Bumped when a function's meaning changes; growing a struct only grows its size field. */
#define REQUESTER_ABI_VERSION 1

/* Backup types: compat: the values of VSS_BACKUP_TYPE and of qemu-ga's VssOption (1..5). */
enum requester_backup_type
{
    REQUESTER_BT_DEFAULT      = 0,   /* VssOption from the registry, else COPY */
    REQUESTER_BT_FULL         = 1,
    REQUESTER_BT_INCREMENTAL  = 2,
    REQUESTER_BT_DIFFERENTIAL = 3,
    REQUESTER_BT_LOG          = 4,
    REQUESTER_BT_COPY         = 5,
};

enum requester_option_flags
{
    REQUESTER_FS_ONLY = 1 << 0,      /* no writers: context gets VSS_VOLSNAP_ATTR_NO_WRITERS */
};

/* Per-call options (issue 12).  The caller zeroes the struct and sets size = sizeof(it); the
 * DLL reads only the first `size` bytes, so an older agent works with a newer DLL and back.
 * Writer lists match a writer's name (case-insensitive) or its class or instance id written as
 * "{xxxxxxxx-...}".  All pointers are borrowed for the duration of the call. */
struct requester_options
{
    uint32_t size;
    uint32_t backup_type;                    /* enum requester_backup_type */
    uint32_t flags;                          /* enum requester_option_flags */
    uint32_t hold_timeout_ms;                /* 0 = QGA_PROVIDER_HOLD_MS; the DLL signals "thaw" itself
                                                when the freeze has been held this long */
    uint32_t freeze_wait_ms;                 /* 0 = QGA_REQUESTER_FREEZE_WAIT_MS: bound on DoSnapshotSet
                                                reaching "frozen" */
    uint32_t writers_include_count;          /* 0 = every writer */
    const WCHAR *const *writers_include;
    uint32_t writers_exclude_count;          /* exclusion wins over inclusion */
    const WCHAR *const *writers_exclude;
};

#define REQUESTER_MESSAGE_CHARS 512

/* Filled on failure: the HRESULT that failed and a UTF-16 message naming the step, e.g.
 * "failed to add Q:\ to snapshot set: VSS_E_OBJECT_NOT_FOUND: ... (0x80042308)".  Callers set
 * size; the message is always NUL-terminated and empty on success. */
struct requester_error
{
    uint32_t size;
    HRESULT hr;
    WCHAR message[REQUESTER_MESSAGE_CHARS];
};

/* The structured report of the last freeze (issue 12).  Timestamps are FILETIME units (100 ns
 * since 1601, UTC); 0 = the phase was not reached. */
enum requester_phase
{
    REQUESTER_PHASE_BEGIN,           /* requester_freeze entered */
    REQUESTER_PHASE_METADATA,        /* GatherWriterMetadata finished */
    REQUESTER_PHASE_PREPARED,        /* PrepareForBackup + GatherWriterStatus finished */
    REQUESTER_PHASE_SNAPSHOT_START,  /* DoSnapshotSet called */
    REQUESTER_PHASE_FROZEN,          /* the provider signalled "frozen" */
    REQUESTER_PHASE_THAW,            /* "thaw" signalled (by requester_thaw or the hold timer) */
    REQUESTER_PHASE_SNAPSHOT_DONE,   /* DoSnapshotSet finished */
    REQUESTER_PHASE_END,             /* BackupComplete or AbortBackup done, everything released */
    REQUESTER_PHASE_COUNT,
};

enum requester_hold_outcome
{
    REQUESTER_HOLD_NONE,             /* never frozen */
    REQUESTER_HOLD_PENDING,          /* frozen now */
    REQUESTER_HOLD_OK,               /* thawed in time */
    REQUESTER_HOLD_WRITES_TIMEOUT,   /* VSS_E_HOLD_WRITES_TIMEOUT: the 10 s flush-and-hold was exceeded */
    REQUESTER_HOLD_PROVIDER_TIMEOUT, /* the provider stopped holding by itself */
    REQUESTER_HOLD_TIMER_EXPIRED,    /* hold_timeout_ms expired and the DLL released the freeze */
};

#define REQUESTER_MAX_WRITERS      64
#define REQUESTER_MAX_VOLUMES      64
#define REQUESTER_NAME_CHARS       128

struct requester_writer_report
{
    GUID class_id;
    GUID instance_id;
    WCHAR name[REQUESTER_NAME_CHARS];
    uint32_t state;                  /* VSS_WRITER_STATE at the last GatherWriterStatus */
    HRESULT failure;                 /* its hrFailure */
    uint32_t components_added;
    uint32_t excluded;               /* 1 when the options left it out */
};

struct requester_report
{
    uint32_t size;                   /* set by the caller */
    uint32_t valid;                  /* 0 = no freeze since requester_init */
    uint64_t phase_time[REQUESTER_PHASE_COUNT];
    uint32_t backup_type;            /* the one used */
    uint32_t context;                /* VSS_SNAPSHOT_CONTEXT used (after any fallback) */
    uint32_t hold_outcome;           /* enum requester_hold_outcome */
    HRESULT freeze_hr;
    HRESULT thaw_hr;
    uint32_t volume_count;
    WCHAR volumes[REQUESTER_MAX_VOLUMES][MAX_PATH];  /* as given, or the volume GUID path */
    uint32_t writer_count;           /* may exceed REQUESTER_MAX_WRITERS; only that many are kept */
    struct requester_writer_report writers[REQUESTER_MAX_WRITERS];
};

struct requester;

/* Creates the requester.  COM must already be initialised in the process (the agent does it in
 * its main thread, with the security descriptor VSS writers need); the DLL initialises COM
 * (multithreaded) in each thread that calls it, balanced before it returns.  Loads vssapi.dll.
 * Returns S_OK and *out (owned; free with requester_deinit), or a failure with err filled. */
typedef HRESULT (WINAPI *requester_init_fn)(uint32_t abi_version, struct requester **out,
                                            struct requester_error *err);
HRESULT WINAPI requester_init(uint32_t abi_version, struct requester **out, struct requester_error *err);

/* Thaws first if frozen (errors ignored), then frees everything.  Accepts NULL. */
typedef void (WINAPI *requester_deinit_fn)(struct requester *requester);
void WINAPI requester_deinit(struct requester *requester);

/* Freezes: returns once the provider holds the snapshot ("frozen"), with *volumes = the number
 * of volumes in the snapshot set.  mountpoints: NULL/0 = every fixed volume; else drive letters,
 * mounted folders or volume GUID paths, each checked, deduplicated by volume.  options may be
 * NULL (defaults).  On failure everything is aborted and released (the system is thawed) and err
 * names the step.  Already frozen: VSS_E_BAD_STATE.  Thread-safe (calls are serialised). */
typedef HRESULT (WINAPI *requester_freeze_fn)(struct requester *requester, const WCHAR *const *mountpoints,
                                              uint32_t mountpoint_count, const struct requester_options *options,
                                              uint32_t *volumes, struct requester_error *err);
HRESULT WINAPI requester_freeze(struct requester *requester, const WCHAR *const *mountpoints,
                                uint32_t mountpoint_count, const struct requester_options *options,
                                uint32_t *volumes, struct requester_error *err);

/* Thaws: signals "thaw", waits (bounded) for DoSnapshotSet, completes the backup and releases
 * everything.  *volumes = the frozen volume count, also when the thaw reports an error (the
 * system is thawed either way); 0 and S_OK when not frozen.  A hold-writes timeout or a provider
 * timeout gives VSS_E_HOLD_WRITES_TIMEOUT with the message clients match.  Thread-safe. */
typedef HRESULT (WINAPI *requester_thaw_fn)(struct requester *requester, uint32_t *volumes,
                                            struct requester_error *err);
HRESULT WINAPI requester_thaw(struct requester *requester, uint32_t *volumes, struct requester_error *err);

/* Copies the report of the current or last freeze into *report (report->size set by the
 * caller; S_OK, or E_INVALIDARG for a bad size).  Thread-safe. */
typedef HRESULT (WINAPI *requester_report_fn)(struct requester *requester, struct requester_report *report);
HRESULT WINAPI requester_report(struct requester *requester, struct requester_report *report);

/* The text of an HRESULT as the requester's messages give it: VSS codes named ("the writer timed
 * out between freeze and thaw (VSS_E_WRITERERROR_TIMEOUT, 0x800423f2)"), others the system's text.
 * Writes at most chars WCHARs, always NUL-terminated.  Thread-safe.  (For the writers' failures
 * in the agent's freeze report.) */
typedef void (WINAPI *requester_error_text_fn)(HRESULT hr, WCHAR *buffer, uint32_t chars);
void WINAPI requester_error_text(HRESULT hr, WCHAR *buffer, uint32_t chars);

#endif
