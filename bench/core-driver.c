/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Native driver of the portable core for profiling (make bench-profile): pipelined requests fed
 * in 4 KiB pieces through the stream parser, the dispatcher and the reply writer, as the agent's
 * serve loop does, and a guest-file-read-sized base64 reply; prints ns per unit of work.
 * Usage: core-driver [ping|info|mix|read] [count]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands/commands.h"
#include "core/base64.h"
#include "core/json.h"
#include "core/platform.h"

#define FEED_CHUNK  4096        /* the agent reads its channel 4 KiB at a time */

void platform_log(enum log_level level, const char *fmt, ...)
{
    (void)level;
    (void)fmt;
}

int64_t platform_time_ns(void)
{
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static int64_t monotonic_ns(void)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

struct run
{
    struct dispatcher dispatcher;
    struct json_sink sink;
    size_t replies, reply_bytes;
    unsigned checksum;      /* reads the replies, so nothing is optimised away */
};

static int sink_write(void *opaque, const char *data, size_t len)
{
    struct run *run = opaque;

    run->reply_bytes += len;
    if (len) run->checksum += (unsigned char)data[len - 1];
    return 0;
}

static void on_message(void *opaque, struct json_value *request, const char *parse_error)
{
    struct run *run = opaque;

    dispatch_request(&run->dispatcher, request, parse_error, &run->sink);
    run->replies++;
}

static const char *const requests[] =
{
    "{\"execute\": \"guest-ping\", \"id\": 1700000000000}\n",
    "{\"execute\": \"guest-sync\", \"arguments\": {\"id\": 7}, \"id\": 1700000000000}\n",
    "{\"execute\": \"guest-info\", \"id\": 1700000000000}\n",
    "{\"execute\": \"guest-bench-none\", \"id\": 1700000000000}\n",
};

static int run_requests(const char *which, size_t count)
{
    struct run run = { .dispatcher = { command_table, command_table_len, "bench", { NULL, 0 }, { NULL, 0 },
                                       false, NULL } };
    struct json_stream *stream;
    size_t i, len = 0, cap = 0, off;
    char *input = NULL;
    int64_t start;

    run.sink.write = sink_write;
    run.sink.opaque = &run;
    for (i = 0; i < count; i++)
    {
        const char *r = !strcmp(which, "ping") ? requests[0] : !strcmp(which, "info") ? requests[2]
                      : requests[i % 4];
        size_t n = strlen(r);

        if (len + n > cap)
        {
            cap = (cap + n) * 2;
            if (!(input = realloc(input, cap))) return 1;
        }
        memcpy(input + len, r, n);
        len += n;
    }
    if (!(stream = json_stream_new(on_message, &run))) return 1;
    start = monotonic_ns();
    for (off = 0; off < len; off += FEED_CHUNK)
        json_stream_feed(stream, input + off, len - off < FEED_CHUNK ? len - off : FEED_CHUNK);
    printf("%s: %zu requests, %zu replies, %zu reply bytes, %.0f ns per request\n", which, count, run.replies,
           run.reply_bytes, (double)(monotonic_ns() - start) / (double)count);
    json_stream_free(stream);
    free(input);
    return run.replies == count ? 0 : 1;
}

/* guest-file-read's reply: count bytes base64-encoded into one string, written as a reply line. */
static int run_read(size_t count, size_t rounds)
{
    struct run run = { .dispatcher = { 0 } };
    uint8_t *data = malloc(count);
    size_t i, round;
    int64_t start;

    if (!data) return 1;
    for (i = 0; i < count; i++) data[i] = (uint8_t)(i * 2654435761u >> 13);
    run.sink.write = sink_write;
    run.sink.opaque = &run;
    start = monotonic_ns();
    for (round = 0; round < rounds; round++)
    {
        struct json_value *reply = json_object(), *ret = json_object(), *text;
        char *buffer;

        if (!reply || !ret || !(text = json_string_buffer(base64_encoded_len(count), &buffer))) return 1;
        base64_encode(data, count, buffer);
        json_object_set_int(ret, "count", (int64_t)count);
        json_object_set(ret, "buf-b64", text);
        json_object_set_bool(ret, "eof", false);
        json_object_set(reply, "return", ret);
        json_object_set_int(reply, "id", 1700000000000);
        json_write_line(reply, false, &run.sink);
        json_free(reply);
    }
    printf("read: %zu bytes x%zu, %.1f MiB/s (encode + write)\n", count, rounds,
           (double)count * (double)rounds / (1 << 20) / ((double)(monotonic_ns() - start) / 1e9));
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "mix";
    size_t count = argc > 2 ? strtoull(argv[2], NULL, 10) : 200000;

    if (!strcmp(which, "read")) return run_read(48u << 20, count ? count : 4);
    return run_requests(which, count);
}
