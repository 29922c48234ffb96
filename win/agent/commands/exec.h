/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running a program to completion with its output captured, for commands that drive a Windows
 * tool (w32tm for guest-set-time, defrag for guest-fstrim) and for the freeze hooks; exec.c. */
#ifndef QGA_COMMANDS_EXEC_H
#define QGA_COMMANDS_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/exec-output.h"

/* Runs a program to its end with its output captured: the freeze hooks (platform/hooks.c) and
 * the system tools below. */
struct exec_run_request
{
    const char *application;      /* UTF-8 full path of the program: never searched for */
    const char *command_line;     /* UTF-8, quoted with core/cmdline.h, program name included */
    const char *directory;        /* UTF-8 working directory; NULL = the agent's */
    uint32_t timeout_ms;          /* then it is terminated (with kill_tree: every process it started) */
    bool merge_stderr;            /* stderr into the captured stdout; else stderr goes to NUL */
    bool kill_tree;               /* run in a job object, so a timeout ends its whole process tree; a
                                     child left running after a normal exit is not touched */
    uint32_t output_wait_ms;      /* after the exit, how long a child that inherited the output pipe
                                     may keep it open before we stop reading */
    size_t output_limit;          /* bytes of output kept (0 = EXEC_OUTPUT_MAX); the rest is counted */
};

struct exec_run_result
{
    uint32_t status;              /* exit code, when it ended by itself */
    bool timed_out;               /* terminated at timeout_ms */
    bool output_incomplete;       /* a child still held the pipe after output_wait_ms */
    uint32_t win32_error;         /* could not start: the Win32 error (0 = out of memory) */
};

/* stdin is NUL; *out (cleared by the caller) gets the output.  Returns 0 when it ran to its end,
 * QGA_ETIMEDOUT when it was terminated at the limit (*out has what it wrote until then), or
 * another negative QGA_E* when it could not start.  Blocks the calling thread; any thread. */
int exec_run(const struct exec_run_request *request, struct exec_output *out, struct exec_run_result *result);

/* Runs <system directory>\<program> (e.g. "w32tm.exe": never searched for on PATH) with args,
 * stdin and stderr on NUL and stdout captured into *out (which the caller clears), and waits at
 * most timeout_ms; then the process is terminated and QGA_ETIMEDOUT returned.  On success
 * *status is its exit code.  On a failure to start, *win32_error is the Win32 error (else 0).
 * Returns 0 or a negative QGA_E*.  Blocks the calling thread; any thread. */
int exec_run_system_program(const char *program, const char *const *args, size_t arg_count,
                            uint32_t timeout_ms, struct exec_output *out, uint32_t *status,
                            uint32_t *win32_error);

#endif
