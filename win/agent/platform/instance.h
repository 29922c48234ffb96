/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Single-instance guard: one agent per channel, enforced with a named mutex (qemu-ga users meet
 * only "Access is denied" from the port, users-and-clients.md §1.6); the holder publishes who it
 * is so a second instance can say so. */
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
