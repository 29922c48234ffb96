/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The main loop: channel (re)open with backoff, read, parse, dispatch, reply. */
#include <windows.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/error.h"
#include "core/json.h"
#include "platform/channel.h"
#include "platform/error.h"
#include "platform/log.h"
#include "platform/serve.h"

struct connection
{
    struct agent *agent;
    struct json_stream *stream;
    struct json_sink sink;
    int write_error;            /* first write failure since the port was (re)opened */
    size_t out_len;
    char out[SERVE_REPLY_BUFFER];
};

static int flush_replies(struct connection *connection)
{
    int ret;

    if (!connection->out_len) return 0;
    ret = channel_write(connection->agent->channel, connection->out, connection->out_len,
                        connection->agent->stop_event);
    connection->out_len = 0;
    return ret;
}

/* json_sink.write: replies are gathered and written in large pieces (bounded by the stall timeout). */
static int sink_write(void *opaque, const char *data, size_t len)
{
    struct connection *connection = opaque;
    int ret;

    if (connection->write_error) return connection->write_error;
    if (len > sizeof(connection->out) - connection->out_len)
    {
        if ((ret = flush_replies(connection)) < 0) return connection->write_error = ret;
        if (len >= sizeof(connection->out))
        {
            ret = channel_write(connection->agent->channel, data, len, connection->agent->stop_event);
            if (ret < 0) connection->write_error = ret;
            return ret;
        }
    }
    memcpy(connection->out + connection->out_len, data, len);
    connection->out_len += len;
    return 0;
}

/* Commands that answer at once from memory.  Replies to them (and error replies) wait in the
 * buffer until the rest of what arrived in the same read is handled, so pipelined requests cost
 * one channel write per read instead of one per reply (a write is the expensive part).  Before
 * any other command what is pending goes out first: a reply never waits behind a slow request. */
static const char *const quick_commands[] =
{
    "guest-fsfreeze-status", "guest-info", "guest-ping", "guest-sync", "guest-sync-delimited",
};

static bool answers_at_once(const struct dispatcher *dispatcher, const struct json_value *request)
{
    const char *name = request && request->type == JSON_OBJECT ? json_object_get_string(request, "execute")
                                                                : NULL;
    const struct command *command;
    size_t i;

    if (!name || !(command = dispatch_find(dispatcher, name))
        || !dispatch_command_enabled(dispatcher, command))
        return true;    /* an error reply */
    for (i = 0; i < sizeof(quick_commands) / sizeof(*quick_commands); i++)
    {
        if (!strcmp(name, quick_commands[i])) return true;
    }
    return false;
}

static void on_message(void *opaque, struct json_value *request, const char *parse_error)
{
    struct connection *connection = opaque;
    int ret = 0;

    if (connection->write_error)
    {
        /* The host is not reading: do not run commands whose replies cannot be delivered. */
        json_free(request);
        return;
    }
    if (log_enabled(LOG_DEBUG))
    {
        /* The command name only: arguments may hold passwords or file contents. */
        const char *name = request && request->type == JSON_OBJECT
                           ? json_object_get_string(request, "execute") : NULL;
        if (parse_error) platform_log(LOG_DEBUG, "received malformed input: %s", parse_error);
        else platform_log(LOG_DEBUG, "received request: %s", name ? name : "(no command)");
    }
    if (answers_at_once(&connection->agent->dispatcher, request))
        log_hold();
    else
    {
        log_release();
        if (connection->out_len) ret = flush_replies(connection);
    }
    if (ret >= 0)
        ret = dispatch_request(&connection->agent->dispatcher, request, parse_error, &connection->sink);
    else
        json_free(request);
    if (ret < 0 && !connection->write_error) connection->write_error = ret;
}

/* Wait up to ms for stop (returns true) or a device arrival / the timeout (false). */
static bool wait_or_stop(struct agent *agent, DWORD ms)
{
    HANDLE events[2] = { agent->stop_event, agent->wakeup_event };
    DWORD wait = WaitForMultipleObjects(agent->wakeup_event ? 2 : 1, events, FALSE, ms);

    if (wait == WAIT_OBJECT_0) return true;
    if (wait == WAIT_OBJECT_0 + 1) ResetEvent(agent->wakeup_event);
    return false;
}

/* For leak hunting (tests watch these over many reconnects): the handle count, and the value a
 * new handle gets.  Handle slots are reused lowest first, so a leak pushes the value up; Wine 8
 * reports a count of 0, the probe still works there. */
static void log_handle_usage(void)
{
    DWORD count = 0;
    HANDLE probe = CreateEventW(NULL, FALSE, FALSE, NULL);

    GetProcessHandleCount(GetCurrentProcess(), &count);
    platform_log(LOG_DEBUG, "process handles: count %lu, next value %lu", (unsigned long)count,
                 (unsigned long)(ULONG_PTR)probe);
    if (probe) CloseHandle(probe);
}

static void reset_connection(struct connection *connection)
{
    json_stream_reset(connection->stream);    /* a partial request from the old host is dropped */
    connection->out_len = 0;
    connection->write_error = 0;
}

int agent_serve(struct agent *agent)
{
    struct connection *connection;
    DWORD retry_ms = SERVE_RETRY_MIN_MS, idle_ms = SERVE_IDLE_MIN_MS;
    DWORD retry_max_ms = agent->service ? SERVE_RETRY_MAX_SERVICE_MS : SERVE_RETRY_MAX_MS;
    bool opened_once = false, waiting_logged = false, idle_logged = false;
    int ret = 0;

    if (!(connection = calloc(1, sizeof(*connection)))) return QGA_ENOMEM;
    connection->agent = agent;
    connection->sink.write = sink_write;
    connection->sink.opaque = connection;
    if (!(connection->stream = json_stream_new(on_message, connection)))
    {
        free(connection);
        return QGA_ENOMEM;
    }

    for (;;)
    {
        const char *data;
        size_t len;
        unsigned long win32_error;
        int write_ret;
        char text[1100];
        bool closed;

        if (!channel_is_open(agent->channel))
        {
            char *error = NULL;

            if (WaitForSingleObject(agent->stop_event, 0) == WAIT_OBJECT_0) break;
            if ((ret = channel_open(agent->channel, &error, &win32_error)) < 0)
            {
                if (!opened_once && !agent->config->retry_path)
                {
                    /* compat: qemu-ga's message; fatal without --retry-path */
                    platform_log(LOG_ERROR, "%s", error ? error : "error opening channel");
                    free(error);
                    break;
                }
                if (!waiting_logged)
                    platform_log(LOG_WARNING, "%s; waiting for channel path...", error ? error : "");
                waiting_logged = true;
                free(error);
                ret = 0;
                if (wait_or_stop(agent, retry_ms)) break;
                retry_ms = retry_ms * 2 > retry_max_ms ? retry_max_ms : retry_ms * 2;
                continue;
            }
            platform_log(LOG_INFO, "channel %s opened", channel_path(agent->channel));
            if (log_enabled(LOG_DEBUG)) log_handle_usage();
            opened_once = true;
            waiting_logged = idle_logged = false;
            retry_ms = SERVE_RETRY_MIN_MS;
            idle_ms = SERVE_IDLE_MIN_MS;
            reset_connection(connection);
        }

        switch (channel_read(agent->channel, agent->stop_event, &data, &len, &win32_error))
        {
        case CHANNEL_DATA:
            idle_ms = SERVE_IDLE_MIN_MS;
            idle_logged = false;
            json_stream_feed(connection->stream, data, len);
            log_release();      /* the log lines of these requests are written before their replies */
            if (!connection->write_error && (write_ret = flush_replies(connection)) < 0)
                connection->write_error = write_ret;
            if (connection->write_error)
            {
                platform_log(LOG_WARNING, "unable to write to channel %s (%s); reopening it",
                             channel_path(agent->channel), qga_error_text(connection->write_error));
                channel_close(agent->channel);
                reset_connection(connection);
            }
            continue;
        case CHANNEL_HOST_GONE:
            /* virtio-serial: no host connected.  Keep the port open (the host's "agent connected"
             * state follows it) and look again shortly. */
            if (!idle_logged) platform_log(LOG_DEBUG, "no host on channel %s", channel_path(agent->channel));
            idle_logged = true;
            reset_connection(connection);
            if (wait_or_stop(agent, idle_ms)) goto out;
            idle_ms = idle_ms * 2 > SERVE_IDLE_MAX_MS ? SERVE_IDLE_MAX_MS : idle_ms * 2;
            continue;
        case CHANNEL_FAILED:
            /* A pty-backed COM port reports the host closing it as ERROR_BROKEN_PIPE: routine. */
            closed = win32_error == ERROR_BROKEN_PIPE;
            platform_log(closed ? LOG_INFO : LOG_WARNING, "channel %s %s: %s; reopening it",
                         channel_path(agent->channel), closed ? "closed by the host" : "failed",
                         win32_error_text_buf((uint32_t)win32_error, text, sizeof(text)));
            channel_close(agent->channel);
            reset_connection(connection);
            if (wait_or_stop(agent, SERVE_RETRY_MIN_MS)) goto out;
            continue;
        case CHANNEL_STOPPED:
            goto out;
        }
    }
out:
    channel_close(agent->channel);
    json_stream_free(connection->stream);
    free(connection);
    return ret;
}
