/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host channel: virtio-serial port or COM port, opened exclusively, overlapped I/O with one
 * read outstanding and bounded writes (compat: qga/channel-win32.c, qga-reference.md §4). */
#ifndef QGA_PLATFORM_CHANNEL_H
#define QGA_PLATFORM_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>

#define CHANNEL_READ_SIZE        4096      /* compat: QGA_READ_COUNT_DEFAULT */
#define CHANNEL_WRITE_STALL_MS   15000     /* a write making no progress this long resets the channel */
/* Writes go out in pieces, each of which must complete within CHANNEL_WRITE_STALL_MS: an
 * overlapped write reports nothing until it is done, so the piece size is what turns "no
 * progress" into something measurable.  A host reading at 4.4 KB/s (virtio) or 280 B/s (a COM
 * port) still counts as reading with the smallest pieces; a 1 MiB piece would reset any host
 * slower than 70 KB/s.  The piece adapts to the host (channel_write): it doubles, up to
 * CHANNEL_WRITE_PIECE_MAX, while pieces complete within 1/16 of the stall bound, and halves when
 * one takes more than 1/4 of it; a host may slow down 8 times between pieces and keep its
 * connection.  Small pieces cost a round of waits each (48 MiB in 4 KiB pieces took seconds). */
#define CHANNEL_WRITE_PIECE      (64u << 10)
#define CHANNEL_WRITE_PIECE_SERIAL (4u << 10)
#define CHANNEL_WRITE_PIECE_MAX  (1u << 20)
#define CHANNEL_WAIT_SLICE_MS    60000     /* the longest single wait for data (then waits again) */

struct channel;

enum channel_status
{
    CHANNEL_DATA,           /* data and len hold what arrived (valid until the next read) */
    CHANNEL_HOST_GONE,      /* 0-byte read: no host on the other end; the port stays usable */
    CHANNEL_FAILED,         /* the port failed (e.g. ERROR_BROKEN_PIPE): close and reopen it */
    CHANNEL_STOPPED,        /* stop_event was signalled */
};

/* Resolve the path for method ("virtio-serial" default \\.\Global\org.qemu.guest_agent.0,
 * "isa-serial" default COM1 prefixed with \\.\) without opening.  0, QGA_EINVAL, QGA_ENOMEM. */
int channel_create(const char *method, const char *path, struct channel **out);

/* The device path in UTF-8 (borrowed), for messages. */
const char *channel_path(const struct channel *channel);

/* Open exclusively.  On failure returns a negative QGA_E* and *error (malloc'd) is
 * "error opening path <path>: <system text> (error N)"; *win32_error gets the code. */
int channel_open(struct channel *channel, char **error, unsigned long *win32_error);
bool channel_is_open(const struct channel *channel);

/* Wait for data, the host going away or stop_event (a HANDLE).  Never blocks past stop_event.
 * *win32_error gets the failure code for CHANNEL_FAILED. */
enum channel_status channel_read(struct channel *channel, void *stop_event, const char **data, size_t *len,
                                 unsigned long *win32_error);

/* Write everything or fail: QGA_ETIMEDOUT when no progress for CHANNEL_WRITE_STALL_MS or when
 * stop_event fires, QGA_ECLOSED / other QGA_E* on a port error.  The caller then reopens. */
int channel_write(struct channel *channel, const void *data, size_t len, void *stop_event);

/* Cancel outstanding I/O and close the port (every handle is released; reopen with
 * channel_open()).  Accepts a closed channel. */
void channel_close(struct channel *channel);
void channel_free(struct channel *channel);     /* closes; accepts NULL */

#endif
