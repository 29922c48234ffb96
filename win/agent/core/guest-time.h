/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-set-time's validation and the Unix-nanoseconds -> FILETIME conversion (portable core). */
#ifndef QGA_CORE_GUEST_TIME_H
#define QGA_CORE_GUEST_TIME_H

#include <stdint.h>

/* 100-ns intervals between 1601-01-01 (FILETIME's epoch) and 1970-01-01. */
#define FILETIME_UNIX_EPOCH 116444736000000000LL

/* Converts nanoseconds since the Unix epoch to FILETIME ticks (sub-100-ns digits truncated, as
 * qemu-ga).  Returns 0 or QGA_EINVAL for a negative time or one whose tick count would not fit
 * a signed 64-bit FILETIME (the caller says "Time <n> is invalid"). */
int guest_time_to_filetime(int64_t time_ns, uint64_t *filetime);

#endif
