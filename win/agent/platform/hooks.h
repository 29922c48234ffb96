/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Freeze hooks on Windows: finding them in their folder, checking that only administrators can
 * change them, and running one with its timeout, its process tree in a job object and its output
 * in the log.  The portable rules (kinds, order, command lines) are core/freeze-hooks.h; when
 * hooks run around a freeze is platform/vss.c; docs/freeze-hooks.md for users. */
#ifndef QGA_PLATFORM_HOOKS_H
#define QGA_PLATFORM_HOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "core/dispatch.h"
#include "core/freeze-hooks.h"
#include "platform/freeze-story.h"

/* After a hook exits, how long a background child that inherited its output may hold the pipe
 * before we stop reading (the child keeps running). */
#define HOOKS_OUTPUT_WAIT_MS  2000

/* The hooks of one folder, in run order. */
struct hook_set
{
    char *dir;                  /* UTF-8, owned */
    char **names;               /* file names, owned, sorted with hook_sort() */
    size_t count;
};

/* <folder of qemu-ga.exe>\hooks, UTF-8, malloc'd; NULL when out of memory. */
char *hooks_default_dir(void);

/* Lists the hooks of dir: files whose extension is a hook kind (not folders, not reparse points),
 * at most HOOK_MAX_COUNT (the rest logged and ignored).  A folder that does not exist has no hooks
 * (0, empty set).  Returns 0 or a negative QGA_E* with *error (malloc'd).  Any thread. */
int hooks_scan(const char *dir, struct hook_set *set, char **error);
void hooks_set_clear(struct hook_set *set);

/* Whether the folder may hold hooks: see security_check_admin_only().  0, or a negative QGA_E*
 * with *why (malloc'd: "C:\x is writable by BUILTIN\Users").  Any thread. */
int hooks_check_dir(const char *dir, char **why);

/* Runs dir\name with its one argument phase ("freeze" or "thaw") and fills *result (cleared by
 * the caller; owns what it gets): refused when the file may be changed by others or cmd.exe
 * cannot run its name safely; else started, bounded by timeout_ms (then its whole process tree is
 * ended), its output (stdout and stderr) logged, bounded.  Blocks; any thread. */
void hooks_run_one(const char *dir, const char *name, const char *phase, uint32_t timeout_ms,
                   struct hook_result *result);

/* The freeze phase: set's hooks in order with "freeze", results into story.  A hook that was
 * started (whatever its outcome) is added to *ran, so the thaw phase undoes it.  On the first
 * failure, unless continue_on_failure, stops and returns QGA_EGENERIC with *error (malloc'd) its
 * text ("freeze hook '30-fail.cmd' failed with exit code 3"); else 0 (or QGA_ENOMEM). */
int hooks_run_freeze(const struct hook_set *set, uint32_t timeout_ms, bool continue_on_failure,
                     struct freeze_story *story, struct name_list *ran, char **error);

/* The thaw phase: names (those the freeze phase started) in reverse order with "thaw", each
 * whatever the others did; failures are logged and reported, nothing else.  recovery: for the
 * freeze a previous agent did not finish (marked so in the report). */
void hooks_run_thaw(const char *dir, const struct name_list *names, uint32_t timeout_ms, bool recovery,
                    struct freeze_story *story);

#endif
