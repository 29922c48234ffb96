/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Windows service: -s install/uninstall/vss-install/vss-uninstall and running under the
 * service control manager with -d (compat: service name, display name and messages of qemu-ga,
 * qga-reference.md §4; we add --retry-path and quote every argument). */
#ifndef QGA_PLATFORM_SERVICE_H
#define QGA_PLATFORM_SERVICE_H

#include <stdbool.h>

#include "core/options.h"

#define SERVICE_STOP_WAIT_HINT_MS   20000   /* STOP/SHUTDOWN: thaw (if frozen) and exit within this */
#define SERVICE_STOP_TIMEOUT_MS     30000   /* -s uninstall waits this long for a running agent to stop */
#define VSS_COM_REGISTER            "COMRegister"
#define VSS_COM_UNREGISTER          "COMUnregister"

/* The -s commands.  Messages go to stdout/stderr; return the process exit code (0 or 1).
 * exe_path_w: this executable's full path. */
int service_command(const struct options *options, const wchar_t *exe_path_w);

/* Build the service command line: "<exe>" -d --retry-path <options given, paths made absolute>.
 * *out (UTF-16, malloc'd).  Returns 0 or a negative QGA_E*. */
int service_command_line(const struct options *options, const wchar_t *exe_path_w, wchar_t **out);

/* Run under the SCM: StartServiceCtrlDispatcherW, then run(context) on the service thread while
 * the service is RUNNING.  STOP/SHUTDOWN set stop_event; device arrival sets wakeup_event.
 * Returns run()'s result, or a negative QGA_E* when not started by the SCM (*not_service set). */
int service_run(int (*run)(void *context), void *context, void *stop_event, void *wakeup_event,
                bool *not_service);

#endif
