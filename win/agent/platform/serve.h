/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent's main loop: keep the channel open, feed what the host sends to the JSON stream,
 * dispatch each request and write the reply; survive host disconnects and port failures. */
#ifndef QGA_PLATFORM_SERVE_H
#define QGA_PLATFORM_SERVE_H

#include "platform/agent.h"

#define SERVE_RETRY_MIN_MS     50      /* first wait before reopening a failed port */
#define SERVE_RETRY_MAX_MS     1000    /* backoff cap while waiting for the port (console mode) */
#define SERVE_RETRY_MAX_SERVICE_MS 5000 /* the cap as a service: device arrival also wakes us */
#define SERVE_IDLE_MIN_MS      100     /* no host connected (0-byte reads): first pause */
#define SERVE_IDLE_MAX_MS      1000
#define SERVE_REPLY_BUFFER     (64u << 10)

/* Runs until agent->stop_event is signalled (returns 0), or until the channel cannot be opened
 * the first time without --retry-path (returns a negative QGA_E*, logged).  Agent thread. */
int agent_serve(struct agent *agent);

#endif
