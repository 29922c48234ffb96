/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The structured report of the last freeze (__org.qga-win_fsfreeze-report), its one-line summary
 * for the log and Event Log, and the freeze record kept in the state directory so that a
 * restarted agent knows a freeze was interrupted (portable; docs/freeze-hooks.md). */
#ifndef QGA_CORE_FREEZE_REPORT_H
#define QGA_CORE_FREEZE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dispatch.h"
#include "core/freeze-hooks.h"
#include "core/freeze-options.h"
#include "core/json.h"

/* The file in the state directory (next to qemu-ga's qga.state.isfrozen marker). */
#define FREEZE_RECORD_FILE      "qga-win.freeze"
#define FREEZE_RECORD_MAX_BYTES (64u * 1024)

/* Phases in time order.  The VSS ones are the requester's (win/requester/requester.h,
 * enum requester_phase, same order from FREEZE_PHASE_VSS_BEGIN). */
enum freeze_phase
{
    FREEZE_PHASE_REQUESTED,        /* the freeze command arrived */
    FREEZE_PHASE_FREEZE_HOOKS_DONE,
    FREEZE_PHASE_VSS_BEGIN,
    FREEZE_PHASE_WRITER_METADATA,
    FREEZE_PHASE_PREPARED,
    FREEZE_PHASE_SNAPSHOT_STARTED,
    FREEZE_PHASE_FROZEN,
    FREEZE_PHASE_THAW,
    FREEZE_PHASE_SNAPSHOT_DONE,
    FREEZE_PHASE_VSS_END,
    FREEZE_PHASE_THAW_HOOKS_DONE,
    FREEZE_PHASE_COUNT,
};

const char *freeze_phase_name(enum freeze_phase phase);

enum freeze_result
{
    FREEZE_RESULT_NONE,            /* no freeze since the agent started */
    FREEZE_RESULT_FROZEN,
    FREEZE_RESULT_THAWED,
    FREEZE_RESULT_FREEZE_FAILED,
    FREEZE_RESULT_THAW_FAILED,     /* thawed, but the thaw reported an error (e.g. hold-writes timeout) */
    FREEZE_RESULT_AUTO_THAWED,     /* the agent thawed by itself: the host's snapshot is not consistent */
};

const char *freeze_result_name(enum freeze_result result);

/* compat: the values of enum requester_hold_outcome. */
enum freeze_hold
{
    FREEZE_HOLD_NONE,
    FREEZE_HOLD_PENDING,
    FREEZE_HOLD_OK,
    FREEZE_HOLD_WRITES_TIMEOUT,
    FREEZE_HOLD_PROVIDER_TIMEOUT,
    FREEZE_HOLD_TIMER_EXPIRED,
};

const char *freeze_hold_name(uint32_t hold);

/* VSS_WRITER_STATE 0..15 as words ("stable", "failed-at-freeze"); "unknown" beyond. */
const char *freeze_writer_state_name(uint32_t state);

struct freeze_writer
{
    char *name;                    /* owned */
    char class_id[40];             /* "{xxxxxxxx-xxxx-...}" */
    char instance_id[40];
    uint32_t state;                /* VSS_WRITER_STATE */
    uint32_t failure;              /* HRESULT, 0 = none */
    char *failure_text;            /* owned or NULL */
    uint32_t components;           /* components added to the backup */
    bool excluded;
};

/* A freeze a previous agent did not finish (from its record, found at start-up). */
struct freeze_interrupted
{
    bool present;
    char *command;                 /* owned */
    int64_t start_ns;
    uint32_t limit_ms;
    uint32_t pid;
    int64_t detected_ns;
};

struct freeze_report
{
    enum freeze_result result;
    char *command;                 /* owned: "guest-fsfreeze-freeze", ... */
    struct name_list mountpoints;  /* as requested; empty = every volume */
    struct freeze_options options; /* what the freeze ran with */
    int64_t phase_ns[FREEZE_PHASE_COUNT];   /* Unix time; 0 = not reached */

    bool vss;                      /* the requester ran: the fields below are valid */
    uint32_t backup_type;          /* enum freeze_backup_type used */
    uint32_t context;              /* VSS_SNAPSHOT_CONTEXT used */
    uint32_t hold;                 /* enum freeze_hold */
    uint32_t freeze_hr, thaw_hr;
    char **volumes;                /* owned */
    size_t volume_count;
    struct freeze_writer *writers; /* owned */
    size_t writer_count;           /* kept */
    size_t writers_total;          /* seen (may exceed writer_count) */

    char *error;                   /* the freeze's error reply, owned or NULL */
    char *thaw_error;              /* the thaw's error, owned or NULL */
    struct hook_result *hooks;     /* every hook run, in run order; owned */
    size_t hook_count, hook_capacity;
    bool auto_thawed;
    int64_t auto_thaw_ns;
    struct freeze_interrupted interrupted;
};

/* Frees everything and zeroes (result NONE).  Accepts a zeroed report. */
void freeze_report_clear(struct freeze_report *report);
void freeze_interrupted_clear(struct freeze_interrupted *interrupted);
/* Frees the VSS part only (volumes, writers) and clears vss. */
void freeze_report_clear_vss(struct freeze_report *report);

/* Appends a hook result, taking ownership of its strings (*result is zeroed).  0 or QGA_ENOMEM. */
int freeze_report_add_hook(struct freeze_report *report, struct hook_result *result);

/* The report as the command's reply.  now_ns: for the time frozen so far.  *out owned. */
int freeze_report_to_json(const struct freeze_report *report, int64_t now_ns, struct json_value **out);

/* One line for the log and the Event Log (at most about 3 KiB: long lists are cut), e.g.
 * "fsfreeze report: guest-fsfreeze-freeze thawed; 1 volume (C:\); backup type copy; hold ok;
 * frozen 1204 ms; writers 3, none failed; hooks: 10-db.cmd freeze ok, 10-db.cmd thaw ok".
 * *out malloc'd.  0 or QGA_ENOMEM. */
int freeze_report_summary(const struct freeze_report *report, int64_t now_ns, char **out);

/* The freeze record: written before the first hook or VSS call of a freeze, removed after its
 * thaw.  Found at start-up, it means the agent stopped (was killed) during that freeze. */
struct freeze_record
{
    char *command;                 /* owned */
    int64_t start_ns;
    uint32_t limit_ms;             /* the auto-thaw limit it ran under */
    uint32_t pid;
    char *hook_dir;                /* owned; NULL when the freeze ran no hooks */
    struct name_list hooks;        /* the hooks its freeze ran (thaw runs them in reverse) */
};

void freeze_record_clear(struct freeze_record *record);
/* JSON text (one line); *out malloc'd.  0 or QGA_ENOMEM. */
int freeze_record_format(const struct freeze_record *record, char **out);
/* Parses what freeze_record_format wrote.  0, QGA_ENOMEM, or QGA_EINVAL for anything else
 * (record cleared). */
int freeze_record_parse(const char *text, size_t len, struct freeze_record *record);

#endif
