/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent's side of fsfreeze: COM set up for VSS, qga-vss.dll loaded on first use from the
 * exe's folder, the frozen state (dispatcher filter, log buffering, state-dir marker) and the
 * auto-thaw watchdog.  The requester itself lives in the DLL (win/requester/requester.h). */
#ifndef QGA_PLATFORM_VSS_H
#define QGA_PLATFORM_VSS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/json.h"
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

/* One freeze as a command asked for it. */
struct freeze_request
{
    const char *command;                 /* its wire name, for the report */
    const char *const *mountpoints;      /* UTF-8; NULL/0 = every fixed volume */
    size_t count;
    const struct json_value *args;       /* __org.qga-win_fsfreeze-freeze's options (checked against
                                            freeze_ext_args), or NULL: the config's defaults */
};

/* The results of the freeze commands: 0 and *volumes, or a negative QGA_E* with *error (UTF-8,
 * malloc'd) holding the reply text.  Around VSS: the freeze hooks (in name order, "freeze")
 * before, and after a failure or at thaw the thaw hooks (reverse order, "thaw", also after an
 * auto-thaw).  Agent thread (the auto-thaw watchdog takes the same lock). */
int vss_freeze(struct agent *agent, const struct freeze_request *request, int64_t *volumes, char **error);
int vss_thaw(struct agent *agent, int64_t *volumes, char **error);
int vss_status(struct agent *agent, enum freeze_status *status, char **error);

/* The extensions' replies (__org.qga-win_fsfreeze-report and -status): answered at once, also
 * while frozen or while the watchdog thaws.  0 and *out, or a negative QGA_E* with *error. */
int vss_report(struct agent *agent, struct json_value **out, char **error);
int vss_status_ext(struct agent *agent, struct json_value **out, char **error);

#endif
