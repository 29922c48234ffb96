/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging for the Windows agent: platform_log() (core/platform.h) goes to the log file or stderr
 * with a timestamp and level, and INFO and above to the Event Log source "qemu-ga".  While the
 * file systems are frozen nothing is written: lines wait in a bounded memory buffer. */
#ifndef QGA_PLATFORM_LOG_H
#define QGA_PLATFORM_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/platform.h"

/* Lines kept while frozen; beyond this they are counted and reported after thaw. */
#define LOG_FROZEN_BUFFER_BYTES  (1u << 20)

/* Open the destinations.  logfile (UTF-8) NULL = stderr; the file is opened for append, created
 * with an ACL for SYSTEM and Administrators only.  event_log: also report INFO+ to the Event Log.
 * Returns 0 or a negative QGA_E* (the file could not be opened; *error malloc'd describes it).
 * May be called again to reopen; any thread. */
int log_open(const char *logfile, bool verbose, bool event_log, char **error);

/* Frozen: buffer lines in memory (called by the freeze code right after the freeze begins and
 * right after thaw; thawing writes the buffered lines out, in order).  Any thread. */
void log_set_frozen(bool frozen);

/* Hold: lines for the file or stderr gather in memory (up to LOG_HELD_BYTES, then they are
 * written) until log_release(), which writes them with one write, in order.  The serve loop
 * holds the log while it answers the quick requests of one read (guest-ping logs a line each:
 * one write per line was most of what a pipelined ping cost) and releases it before anything
 * slow and before the replies go out.  The Event Log still gets each line at once.  Any thread;
 * a hold is not nested. */
#define LOG_HELD_BYTES  (16u << 10)
void log_hold(void);
void log_release(void);

/* True when level passes the current filter (callers may skip building expensive messages). */
bool log_enabled(enum log_level level);

/* Flush and close everything (buffered frozen lines are written first). */
void log_close(void);

#endif
