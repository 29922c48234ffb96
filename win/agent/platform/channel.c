/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host channel over overlapped I/O (virtio-serial port or COM port). */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "core/config.h"
#include "core/error.h"
#include "platform/channel.h"
#include "platform/error.h"
#include "platform/utf.h"

struct channel
{
    HANDLE handle;              /* NULL when closed */
    bool serial;
    WCHAR *path_w;
    char *path;
    OVERLAPPED read_ov;         /* read_ov.hEvent lives as long as the channel */
    bool read_pending;
    unsigned read_index;        /* the buffer the pending (or next) read fills */
    OVERLAPPED write_ov;
    /* Two buffers: while the caller handles what one holds, the next read fills the other. */
    char read_buffer[2][CHANNEL_READ_SIZE];
};

int channel_create(const char *method, const char *path, struct channel **out)
{
    struct channel *channel;
    WCHAR *path_w = NULL;
    bool serial;
    int ret;

    *out = NULL;
    if (!method || !strcmp(method, CONFIG_METHOD_VIRTIO))
        serial = false;
    else if (!strcmp(method, CONFIG_METHOD_SERIAL))
        serial = true;
    else
        return QGA_EINVAL;

    if (path && (ret = utf8_to_utf16(path, &path_w)) < 0) return ret;
    if (!path_w) path_w = _wcsdup(serial ? QGA_DEFAULT_SERIAL_PATH_W : QGA_DEFAULT_VIRTIO_PATH_W);
    if (!path_w) return QGA_ENOMEM;
    if (serial && wcsncmp(path_w, L"\\\\", 2))
    {
        /* compat: isa-serial names a COM port, opened as \\.\COMn; a full device path is kept
         * (qemu-ga would prefix it twice). */
        size_t len = wcslen(path_w) + 5;
        WCHAR *full = malloc(len * sizeof(WCHAR));
        if (!full)
        {
            free(path_w);
            return QGA_ENOMEM;
        }
        swprintf(full, len, L"\\\\.\\%ls", path_w);
        free(path_w);
        path_w = full;
    }

    if (!(channel = calloc(1, sizeof(*channel))))
    {
        free(path_w);
        return QGA_ENOMEM;
    }
    channel->serial = serial;
    channel->path_w = path_w;
    channel->read_ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    channel->write_ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!channel->read_ov.hEvent || !channel->write_ov.hEvent
        || utf16_to_utf8(path_w, &channel->path) < 0)
    {
        channel_free(channel);
        return QGA_ENOMEM;
    }
    *out = channel;
    return 0;
}

const char *channel_path(const struct channel *channel)
{
    return channel->path;
}

bool channel_is_open(const struct channel *channel)
{
    return channel->handle != NULL;
}

int channel_open(struct channel *channel, char **error, unsigned long *win32_error)
{
    HANDLE handle;
    DWORD err;
    char text[1100];
    size_t size;

    *error = NULL;
    *win32_error = 0;
    if (channel->handle) return 0;
    /* Exclusive (share 0): a second agent must not read half of our requests. */
    handle = CreateFileW(channel->path_w, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                         FILE_FLAG_OVERLAPPED, NULL);
    if (handle == INVALID_HANDLE_VALUE)
    {
        err = GetLastError();
        goto fail;
    }
    {
        /* compat: ReadIntervalTimeout 1, all else 0: a read waits for the first byte and then
         * returns what has arrived (wine-notes.md §7; 0 would wait for a full buffer).  A virtio
         * port is no COM port on Windows (the call fails and is ignored), but under Wine a
         * character device standing in for it is one and needs the same timeouts. */
        COMMTIMEOUTS timeouts = { 1, 0, 0, 0, 0 };
        if (!SetCommTimeouts(handle, &timeouts) && channel->serial)
        {
            err = GetLastError();
            CloseHandle(handle);
            goto fail;
        }
    }
    channel->handle = handle;
    channel->read_pending = false;
    return 0;

fail:
    *win32_error = err;
    size = strlen(channel->path) + 1200;
    if ((*error = malloc(size)))
        snprintf(*error, size, "error opening path %s: %s", channel->path,
                 win32_error_text_buf(err, text, sizeof(text)));
    return win32_error_to_qga(err);
}

/* Start a read.  Returns true when one is pending (or completed at once: the event is set). */
static bool start_read(struct channel *channel, DWORD *err)
{
    ResetEvent(channel->read_ov.hEvent);
    channel->read_ov.Offset = channel->read_ov.OffsetHigh = 0;
    if (ReadFile(channel->handle, channel->read_buffer[channel->read_index], CHANNEL_READ_SIZE, NULL,
                 &channel->read_ov)
        || GetLastError() == ERROR_IO_PENDING)
    {
        channel->read_pending = true;
        return true;
    }
    *err = GetLastError();
    return false;
}

static bool is_hangup(DWORD err)
{
    /* compat: channel-win32.c treats these as the host hanging up. */
    return err == ERROR_HANDLE_EOF || err == ERROR_NO_SYSTEM_RESOURCES || err == ERROR_OPERATION_ABORTED;
}

enum channel_status channel_read(struct channel *channel, void *stop_event, const char **data, size_t *len,
                                 unsigned long *win32_error)
{
    HANDLE events[2] = { channel->read_ov.hEvent, stop_event };
    DWORD err = 0, count = 0, wait;

    *data = NULL;
    *len = 0;
    *win32_error = 0;
    if (!channel->handle)
    {
        *win32_error = ERROR_INVALID_HANDLE;
        return CHANNEL_FAILED;
    }
    for (;;)
    {
        if (!channel->read_pending && !start_read(channel, &err)) break;
        wait = WaitForMultipleObjects(2, events, FALSE, CHANNEL_WAIT_SLICE_MS);
        if (wait == WAIT_OBJECT_0 + 1) return CHANNEL_STOPPED;   /* the read stays pending */
        if (wait == WAIT_TIMEOUT) continue;
        if (wait != WAIT_OBJECT_0)
        {
            err = GetLastError();
            break;
        }
        channel->read_pending = false;
        if (GetOverlappedResult(channel->handle, &channel->read_ov, &count, FALSE))
        {
            if (!count) return CHANNEL_HOST_GONE;
            *data = channel->read_buffer[channel->read_index];
            *len = count;
            /* Read ahead into the other buffer while the caller handles this one, so pipelined
             * input never waits for the next read to be issued.  A read that cannot start is
             * retried, and its error reported, by the next call. */
            channel->read_index ^= 1;
            start_read(channel, &err);
            return CHANNEL_DATA;
        }
        err = GetLastError();
        /* Wine's pty-backed COM port can end a read with ERROR_TIMEOUT and no data while a write
         * waits for the host to drain (wine-notes.md "Later findings"): not fatal, read again. */
        if (err == ERROR_TIMEOUT || err == ERROR_SEM_TIMEOUT) continue;
        if (is_hangup(err)) return CHANNEL_HOST_GONE;
        break;
    }
    *win32_error = err;
    return CHANNEL_FAILED;
}

/* Cancel the outstanding write and wait for the cancellation to complete (the OVERLAPPED must
 * outlive the I/O; cancelled I/O completes promptly). */
static void cancel_write(struct channel *channel)
{
    DWORD count;

    CancelIoEx(channel->handle, &channel->write_ov);
    GetOverlappedResult(channel->handle, &channel->write_ov, &count, TRUE);
}

int channel_write(struct channel *channel, const void *data, size_t len, void *stop_event)
{
    HANDLE events[2] = { channel->write_ov.hEvent, stop_event };
    const char *p = data;
    DWORD count, wait, err;

    if (!channel->handle) return QGA_ECLOSED;
    while (len)
    {
        DWORD piece = channel->serial ? CHANNEL_WRITE_PIECE_SERIAL : CHANNEL_WRITE_PIECE;
        DWORD chunk = len > piece ? piece : (DWORD)len;

        ResetEvent(channel->write_ov.hEvent);
        channel->write_ov.Offset = channel->write_ov.OffsetHigh = 0;
        if (!WriteFile(channel->handle, p, chunk, NULL, &channel->write_ov)
            && GetLastError() != ERROR_IO_PENDING)
            return win32_error_to_qga(GetLastError());
        wait = WaitForMultipleObjects(stop_event ? 2 : 1, events, FALSE, CHANNEL_WRITE_STALL_MS);
        if (wait != WAIT_OBJECT_0)
        {
            cancel_write(channel);
            return QGA_ETIMEDOUT;
        }
        if (!GetOverlappedResult(channel->handle, &channel->write_ov, &count, FALSE))
        {
            err = GetLastError();
            return win32_error_to_qga(err);
        }
        if (!count) return QGA_EIO;
        p += count;
        len -= count;
    }
    return 0;
}

void channel_close(struct channel *channel)
{
    DWORD count;

    if (!channel || !channel->handle) return;
    if (channel->read_pending)
    {
        CancelIoEx(channel->handle, &channel->read_ov);
        GetOverlappedResult(channel->handle, &channel->read_ov, &count, TRUE);
        channel->read_pending = false;
    }
    CloseHandle(channel->handle);
    channel->handle = NULL;
}

void channel_free(struct channel *channel)
{
    if (!channel) return;
    channel_close(channel);
    if (channel->read_ov.hEvent) CloseHandle(channel->read_ov.hEvent);
    if (channel->write_ov.hEvent) CloseHandle(channel->write_ov.hEvent);
    free(channel->path_w);
    free(channel->path);
    free(channel);
}
