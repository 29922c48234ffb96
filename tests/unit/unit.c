/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the native unit tests: checks, a capturing sink, stream and dispatch drivers. */
#include <stdlib.h>

#include "commands/commands.h"
#include "core/options.h"
#include "unit.h"

static void print_escaped(const char *data, size_t len)
{
    size_t i;

    for (i = 0; i < len && i < 400; i++)
    {
        unsigned char c = (unsigned char)data[i];
        if (c >= 0x20 && c < 0x7F && c != '\\') putchar(c);
        else printf("\\x%02x", c);
    }
    if (len > 400) printf("...(%zu bytes)", len);
}

void check_mem(const char *file, int line, const char *expr, const void *got, size_t got_len,
               const void *want, size_t want_len)
{
    if (got && want && got_len == want_len && !memcmp(got, want, got_len)) return;
    if (!got && !want) return;
    check_failed++;
    printf("# %s:%d: %s = ", file, line, expr);
    if (got)
    {
        putchar('"');
        print_escaped(got, got_len);
        putchar('"');
    }
    else printf("NULL");
    printf("\n#   want ");
    if (want)
    {
        putchar('"');
        print_escaped(want, want_len);
        putchar('"');
    }
    else printf("NULL");
    putchar('\n');
}

void check_str(const char *file, int line, const char *expr, const char *got, const char *want)
{
    check_mem(file, line, expr, got, got ? strlen(got) : 0, want, want ? strlen(want) : 0);
}

static int capture_write(void *opaque, const char *data, size_t len)
{
    struct capture *capture = opaque;

    if (capture->len + len + 1 > capture->capacity)
    {
        size_t capacity = capture->capacity ? capture->capacity : 256;
        char *grown;

        while (capture->len + len + 1 > capacity) capacity *= 2;
        if (!(grown = realloc(capture->data, capacity))) return QGA_ENOMEM;
        capture->data = grown;
        capture->capacity = capacity;
    }
    memcpy(capture->data + capture->len, data, len);
    capture->len += len;
    capture->data[capture->len] = 0;
    capture->writes++;
    return 0;
}

struct json_sink capture_sink(struct capture *capture)
{
    struct json_sink sink = { capture_write, capture };
    return sink;
}

void capture_clear(struct capture *capture)
{
    free(capture->data);
    memset(capture, 0, sizeof(*capture));
}

static void events_cb(void *opaque, struct json_value *value, const char *error)
{
    struct capture *capture = opaque;
    char *text;
    size_t len;

    if (value)
    {
        capture_write(capture, "V:", 2);
        if (json_to_string(value, &text, &len) == 0)
        {
            capture_write(capture, text, len);
            free(text);
        }
        json_free(value);
    }
    else
    {
        capture_write(capture, "E:", 2);
        capture_write(capture, error, strlen(error));
    }
    capture_write(capture, "\n", 1);
}

static void feed_chunks(struct json_stream *stream, const char *input, size_t len, size_t chunk)
{
    size_t pos;

    if (!chunk) chunk = len ? len : 1;
    for (pos = 0; pos < len; pos += chunk) json_stream_feed(stream, input + pos, len - pos < chunk ? len - pos : chunk);
}

char *stream_events(const char *input, size_t len, size_t chunk)
{
    struct capture capture = { 0 };
    struct json_stream *stream = json_stream_new(events_cb, &capture);

    feed_chunks(stream, input, len, chunk);
    json_stream_free(stream);
    if (!capture.data) capture_write(&capture, "", 0);
    return capture.data;
}

char *stream_events_split(const char *input, size_t len, size_t split)
{
    struct capture capture = { 0 };
    struct json_stream *stream = json_stream_new(events_cb, &capture);

    json_stream_feed(stream, input, split);
    json_stream_feed(stream, input + split, len - split);
    json_stream_free(stream);
    if (!capture.data) capture_write(&capture, "", 0);
    return capture.data;
}

void test_dispatcher_init(struct dispatcher *dispatcher)
{
    memset(dispatcher, 0, sizeof(*dispatcher));
    dispatcher->commands = command_table;
    dispatcher->command_count = command_table_len;
    dispatcher->version = "test-version";
}

struct exchange
{
    struct dispatcher *dispatcher;
    struct json_sink sink;
};

static void exchange_cb(void *opaque, struct json_value *value, const char *error)
{
    struct exchange *exchange = opaque;

    dispatch_request(exchange->dispatcher, value, error, &exchange->sink);
}

char *exchange(struct dispatcher *dispatcher, const char *input, size_t input_len, size_t chunk, size_t *len)
{
    struct capture capture = { 0 };
    struct exchange ex = { dispatcher, capture_sink(&capture) };
    struct json_stream *stream = json_stream_new(exchange_cb, &ex);

    feed_chunks(stream, input, input_len, chunk);
    json_stream_free(stream);
    if (!capture.data) capture_write(&capture, "", 0);
    if (len) *len = capture.len;
    return capture.data;
}

char *exchange_str(struct dispatcher *dispatcher, const char *input)
{
    return exchange(dispatcher, input, strlen(input), 0, NULL);
}

int parse_test_args(struct options *options, const char *const *args)
{
    char *argv[32];
    int argc = 0;

    argv[argc++] = (char *)"qemu-ga";
    while (*args && argc < 31) argv[argc++] = (char *)*args++;
    argv[argc] = NULL;
    return options_parse(options, argc, argv);
}
