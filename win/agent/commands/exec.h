/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running a system program to completion with its output captured, for commands that drive a
 * Windows tool (w32tm for guest-set-time, defrag for guest-fstrim); implemented in exec.c. */
#ifndef QGA_COMMANDS_EXEC_H
#define QGA_COMMANDS_EXEC_H

#include <stdint.h>

#include "core/exec-output.h"

/* Runs <system directory>\<program> (e.g. "w32tm.exe": never searched for on PATH) with args,
 * stdin and stderr on NUL and stdout captured into *out (which the caller clears), and waits at
 * most timeout_ms; then the process is terminated and QGA_ETIMEDOUT returned.  On success
 * *status is its exit code.  On a failure to start, *win32_error is the Win32 error (else 0).
 * Returns 0 or a negative QGA_E*.  Blocks the calling thread; any thread. */
int exec_run_system_program(const char *program, const char *const *args, size_t arg_count,
                            uint32_t timeout_ms, struct exec_output *out, uint32_t *status,
                            uint32_t *win32_error);

#endif
