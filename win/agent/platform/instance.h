/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Single-instance guard: one agent per machine (one statedir, one freeze), enforced with a named
 * mutex; the holder publishes who it is so a second instance can say so. */
#ifndef QGA_PLATFORM_INSTANCE_H
#define QGA_PLATFORM_INSTANCE_H

#include <stdbool.h>

struct instance;

/* Take the guard.  On QGA_EBUSY *holder (malloc'd) describes the running instance, e.g.
 * "the QEMU-GA service (pid 1234) on \\.\COM9"; other errors leave it NULL.
 * channel_path (UTF-8) and service describe us for the next one. */
int instance_acquire(const char *channel_path, bool service, struct instance **out, char **holder);
void instance_release(struct instance *instance);     /* accepts NULL */

#endif
