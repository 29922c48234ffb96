/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent's side of fsfreeze: COM set up for VSS, qga-vss.dll loaded on first use from the
 * exe's folder, the frozen state (dispatcher filter, log buffering, state-dir marker) and the
 * auto-thaw watchdog.  The requester itself lives in the DLL (win/requester/requester.h). */
#ifndef QGA_PLATFORM_VSS_H
#define QGA_PLATFORM_VSS_H

#include <stdbool.h>
#include <stdint.h>

#include "platform/agent.h"

/* compat: qemu-ga's text when the DLL is missing or cannot start (all four commands). */
#define VSS_UNAVAILABLE_TEXT "fsfreeze not possible as VSS failed to initialize"

/* Thaw by ourselves when the host has not thawed after this long (config: fsfreeze-auto-thaw,
 * seconds).  VSS releases the writes after 10 s and our provider gives up at QGA_PROVIDER_HOLD_MS
 * anyway; the auto-thaw also ends the agent's frozen state (filter, log buffering). */
#define FREEZE_AUTO_THAW_DEFAULT_MS 60000

/* Process-wide COM for VSS, before any VSS call, in the main thread: multithreaded apartment, and
 * a security descriptor that lets VSS writers running as other accounts (NETWORK SERVICE, LOCAL
 * SERVICE, Backup Operators) call back into the requester (the access-denied event 8194 users
 * report, users-and-clients.md §1.5).  Returns 0 or a negative QGA_E* (logged; fsfreeze then
 * fails cleanly).  vss_com_cleanup() balances it. */
int vss_com_init(void);
void vss_com_cleanup(void);

enum freeze_status
{
    FREEZE_THAWED,
    FREEZE_FROZEN,
};

/* The results of the freeze commands: 0 and *volumes, or a negative QGA_E* with *error (UTF-8,
 * malloc'd) holding the reply text.  mountpoints (UTF-8) NULL/0 = every fixed volume.
 * Agent thread (the auto-thaw watchdog takes the same lock). */
int vss_freeze(struct agent *agent, const char *const *mountpoints, size_t count, int64_t *volumes, char **error);
int vss_thaw(struct agent *agent, int64_t *volumes, char **error);
int vss_status(struct agent *agent, enum freeze_status *status, char **error);

#endif
