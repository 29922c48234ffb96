/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals shared by the requester's files (volumes, writers, error texts); not part of the ABI. */
#ifndef QGA_REQUESTER_PRIVATE_H
#define QGA_REQUESTER_PRIVATE_H

#define COBJMACROS
#include <windows.h>
#include <vss.h>
#include <vswriter.h>
#include <vsbackup.h>
#include <stdbool.h>
#include <stdint.h>

#include "requester.h"

/* Bounds (style.md §5: every wait has a named limit). */
#define REQUESTER_THAW_WAIT_MS     60000   /* thaw: DoSnapshotSet finishing after "thaw" */
#define REQUESTER_STEP_WAIT_MS     60000   /* BackupComplete and the abort path's waits */

/* Error texts (hresult.c). */

/* Text of an HRESULT: our VSS table ("the object was not found (VSS_E_OBJECT_NOT_FOUND,
 * 0x80042308)") or the system text ("Access is denied. (0x80070005)").  Always NUL-terminated. */
void hresult_text(HRESULT hr, WCHAR *buffer, size_t chars);
/* err->message = printf(fmt, ...) + ": " + hresult_text(hr); err->hr = hr.  Returns hr.
 * err may be NULL. */
HRESULT requester_fail(struct requester_error *err, HRESULT hr, const WCHAR *fmt, ...);
/* Like requester_fail without the ": text" suffix (texts clients match verbatim). */
HRESULT requester_fail_plain(struct requester_error *err, HRESULT hr, const WCHAR *fmt, ...);
const WCHAR *writer_state_name(VSS_WRITER_STATE state);   /* "freeze", "prepare backup", ... */

/* Volumes (volumes.c). */

struct volume_list
{
    WCHAR **names;      /* volume GUID paths, "\\?\Volume{...}\", owned */
    WCHAR **given;      /* what the caller wrote (for messages), owned; == names for "all" */
    uint32_t count;
};

/* Every fixed volume, or each mount point resolved to its volume (deduplicated).  A mount point
 * that is not a volume fails with "failed to add X to snapshot set: ...". */
HRESULT volume_list_build(const WCHAR *const *mountpoints, uint32_t mountpoint_count, struct volume_list *list,
                          struct requester_error *err);
void volume_list_free(struct volume_list *list);

/* Writers (writers.c). */

/* After GatherWriterMetadata: adds every selectable component of every writer the options keep
 * (include/exclude by name or "{class or instance id}") and records the writers in report. */
HRESULT writers_select(IVssBackupComponents *backup, const struct requester_options *options,
                       struct requester_report *report, struct requester_error *err);
/* After GatherWriterStatus: updates report's writer states; fails naming the first writer that
 * is in a failed state and was selected.  what: "prepare backup", "snapshot", for messages. */
HRESULT writers_check(IVssBackupComponents *backup, struct requester_report *report, struct requester_error *err);

/* Waits (bounded) for an IVssAsync and returns its final status: S_OK when finished, the
 * operation's failure, or HRESULT_FROM_WIN32(ERROR_TIMEOUT) after cancelling it. */
HRESULT async_wait(IVssAsync *async, DWORD timeout_ms);

#endif
