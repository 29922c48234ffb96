/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state directory (-t, default %ProgramData%\qemu-ga): persistent counters (qga.state, the
 * guest-file handle counter) and the frozen marker (qga.state.isfrozen), compat with qemu-ga's
 * file names.  All functions use agent->state_dir and may be called from the agent thread. */
#ifndef QGA_PLATFORM_STATE_H
#define QGA_PLATFORM_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/agent.h"

#define STATE_COUNTER_GROUP   "global"         /* compat: qga.state's GKeyFile group */
#define STATE_FROZEN_MARKER   "qga.state.isfrozen"

/* The platform default, "%ProgramData%\qemu-ga" (UTF-8, malloc'd) or NULL when out of memory. */
char *state_default_dir(void);

/* Create the directory and its parents; a directory we create gets an ACL for SYSTEM and
 * Administrators only (an existing one is left as the administrator set it, with a warning
 * logged when it grants anything to anyone else).
 * Returns 0 or a negative QGA_E*; *error (malloc'd) describes a failure. */
int state_dir_create(const char *dir, char **error);

/* Read a counter from qga.state ([global] name=<int>).  A missing file or key gives fallback. */
int state_read_counter(struct agent *agent, const char *name, int64_t fallback, int64_t *out);
/* Write it (other keys kept), atomically: a temporary file renamed over qga.state. */
int state_write_counter(struct agent *agent, const char *name, int64_t value);

/* A small file of our own in the state directory (the fsfreeze record, issue 12): written
 * atomically (a temporary file renamed over it; not flushed: it must outlive the process, not a
 * power loss), read whole up to max_bytes (larger: QGA_ERANGE;
 * missing: QGA_ENOENT; *text malloc'd, NUL-terminated), removed (a missing file is fine). */
int state_write_file(struct agent *agent, const char *name, const char *text, size_t len);
int state_read_file(struct agent *agent, const char *name, size_t max_bytes, char **text, size_t *len);
int state_remove_file(struct agent *agent, const char *name);

/* The frozen marker: created when a freeze begins (before VSS), removed after thaw. */
int state_set_frozen_marker(struct agent *agent, bool frozen);
bool state_frozen_marker_present(struct agent *agent);

/* At start-up: a marker left by an agent that died while frozen is reported, and removed when no
 * VSS freeze is still held (our provider's "frozen" event does not exist). */
void state_check_stale_marker(struct agent *agent);

#endif
