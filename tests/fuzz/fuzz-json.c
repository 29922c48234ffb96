/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzzes the streaming JSON parser and the writer.  Properties: feeding the same bytes in any
 * chunking gives the same events; every value written and parsed back is written identically. */
#include <string.h>

#include "core/json.h"
#include "fuzz.h"

struct events
{
    char *text;
    size_t len, capacity;
};

static void append(struct events *events, const char *data, size_t len)
{
    if (events->len + len + 1 > events->capacity)
    {
        size_t capacity = events->capacity ? events->capacity : 1024;
        while (events->len + len + 1 > capacity) capacity *= 2;
        events->text = realloc(events->text, capacity);
        FUZZ_ASSERT(events->text);
        events->capacity = capacity;
    }
    memcpy(events->text + events->len, data, len);
    events->len += len;
    events->text[events->len] = 0;
}

/* Written JSON parses back, and writing that again is stable (not always byte-identical to the
 * first text: a double -0 is written "-0", as qemu does, and reads back as the integer 0). */
static void check_round_trip(const char *text, size_t len)
{
    struct json_value *again = NULL, *third = NULL;
    char *error = NULL, *text2 = NULL, *text3 = NULL;
    size_t len2 = 0, len3 = 0;

    FUZZ_ASSERT(json_parse(text, len, &again, &error) == 0);
    FUZZ_ASSERT(json_to_string(again, &text2, &len2) == 0);
    FUZZ_ASSERT(json_parse(text2, len2, &third, &error) == 0);
    FUZZ_ASSERT(json_to_string(third, &text3, &len3) == 0);
    FUZZ_ASSERT(len2 == len3 && !memcmp(text2, text3, len2));
    json_free(again);
    json_free(third);
    free(text2);
    free(text3);
}

static void on_event(void *opaque, struct json_value *value, const char *error)
{
    struct events *events = opaque;
    char *text;
    size_t len;

    FUZZ_ASSERT(!value != !error);
    if (value)
    {
        struct json_value *copy = json_clone(value);
        char *copy_text;
        size_t copy_len;

        FUZZ_ASSERT(json_to_string(value, &text, &len) == 0);
        FUZZ_ASSERT(json_to_string(copy, &copy_text, &copy_len) == 0);
        FUZZ_ASSERT(copy_len == len && !memcmp(text, copy_text, len));
        check_round_trip(text, len);
        append(events, "V:", 2);
        append(events, text, len);
        free(text);
        free(copy_text);
        json_free(copy);
        json_free(value);
    }
    else
    {
        FUZZ_ASSERT(!strncmp(error, "JSON ", 5));
        append(events, "E:", 2);
        append(events, error, strlen(error));
    }
    append(events, "\n", 1);
}

static char *run(const uint8_t *data, size_t size, uint32_t seed, size_t *len)
{
    struct events events = { NULL, 0, 0 };
    struct json_stream *stream = json_stream_new(on_event, &events);
    size_t pos = 0;

    FUZZ_ASSERT(stream);
    while (pos < size)
    {
        size_t chunk = seed ? 1 + fuzz_next(&seed) % 17 : size;
        if (chunk > size - pos) chunk = size - pos;
        json_stream_feed(stream, (const char *)data + pos, chunk);
        pos += chunk;
    }
    json_stream_flush(stream);
    json_stream_free(stream);
    append(&events, "", 0);
    *len = events.len;
    return events.text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t whole_len, chunked_len;
    char *whole, *chunked;
    uint32_t seed = 1;

    if (size) seed = (uint32_t)data[0] * 2654435761u | 1;
    whole = run(data, size, 0, &whole_len);
    chunked = run(data, size, seed, &chunked_len);
    FUZZ_ASSERT(whole_len == chunked_len && !memcmp(whole, chunked, whole_len));
    free(whole);
    free(chunked);
    return 0;
}
