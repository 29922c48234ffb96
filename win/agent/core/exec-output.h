/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-exec's pure parts: the capture-output choice, the captured-stream buffer with its
 * 16 MiB cap, and the exit-code/NTSTATUS split of guest-exec-status (portable core). */
#ifndef QGA_CORE_EXEC_OUTPUT_H
#define QGA_CORE_EXEC_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/json.h"

/* compat: qemu-ga keeps at most 16 MiB per stream, then reports *-truncated (qga/commands.c). */
#define EXEC_OUTPUT_MAX (16 * 1024 * 1024)

enum exec_capture
{
    EXEC_CAPTURE_NONE,
    EXEC_CAPTURE_STDOUT,
    EXEC_CAPTURE_STDERR,
    EXEC_CAPTURE_SEPARATED,
};

/* The argument values, in the order of enum exec_capture.  compat: "merged" (and Linux's
 * "interactive") are not in the Windows schema, so the dispatcher rejects them exactly as
 * qemu-ga for Windows does ("Parameter 'capture-output' does not accept value 'merged'"). */
extern const char *const exec_capture_names[];

/* capture-output is absent (NULL), a bool (true = separated) or one of exec_capture_names.
 * Returns 0 or QGA_EINVAL. */
int exec_capture_parse(const struct json_value *value, enum exec_capture *out);

/* One captured stream.  Grows on demand; bytes past its limit (EXEC_OUTPUT_MAX by default) are
 * dropped and mark it truncated.  Not thread-safe: owned by the thread that reads the pipe until it finishes. */
struct exec_output
{
    uint8_t *data;       /* owned */
    size_t len, capacity;
    bool truncated;
    size_t limit;        /* bytes kept; 0 = EXEC_OUTPUT_MAX (a smaller cap: freeze hooks' output) */
    uint64_t total;      /* bytes offered, kept or not */
};

/* Returns 0, or QGA_ENOMEM (the data so far is kept and the stream marked truncated). */
int exec_output_append(struct exec_output *output, const void *data, size_t len);
void exec_output_clear(struct exec_output *output);

/* compat: Windows has no separate signal status: a process status below 0xC0000000 is an exit
 * code, anything else an NTSTATUS (e.g. 0xC0000005 for an access violation) reported as
 * "signal".  Both are qemu-ga's values: the status read as a signed 32-bit number (GLib's gint),
 * so NTSTATUS 0xC0000005 is -1073741819 and exit code 0x80070005 is -2147024891. */
void exec_status_split(uint32_t status, bool *is_signal, int64_t *value);

#endif
