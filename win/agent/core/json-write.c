/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON writer: compact output in qemu's json-writer format through a sink (portable core). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "core/utf8.h"

/* Small pieces are batched here; a clean run at least this long goes straight to the sink. */
#define WRITER_BUFFER_SIZE 4096
#define WRITER_DIRECT_RUN  1024

struct writer
{
    const struct json_sink *sink;
    int error;
    size_t used;
    char buffer[WRITER_BUFFER_SIZE];
};

static void writer_flush(struct writer *writer)
{
    if (writer->used && !writer->error) writer->error = writer->sink->write(writer->sink->opaque, writer->buffer,
                                                                             writer->used);
    writer->used = 0;
}

static void writer_put_slow(struct writer *writer, const char *data, size_t len)
{
    if (writer->error) return;
    if (len >= WRITER_DIRECT_RUN)
    {
        writer_flush(writer);
        if (!writer->error) writer->error = writer->sink->write(writer->sink->opaque, data, len);
        return;
    }
    if (writer->used + len > sizeof(writer->buffer)) writer_flush(writer);
    memcpy(writer->buffer + writer->used, data, len);
    writer->used += len;
}

/* Most pieces are a few bytes that fit: copied inline (after an error nothing is flushed). */
static inline void writer_put(struct writer *writer, const char *data, size_t len)
{
    if (len < WRITER_DIRECT_RUN && len <= sizeof(writer->buffer) - writer->used)
    {
        memcpy(writer->buffer + writer->used, data, len);
        writer->used += len;
        return;
    }
    writer_put_slow(writer, data, len);
}

static inline void writer_putc(struct writer *writer, char c)
{
    if (writer->used == sizeof(writer->buffer)) writer_flush(writer);
    writer->buffer[writer->used++] = c;
}

/* Bytes written as themselves inside a string: printable ASCII except '"' and '\\'. */
#define ROW(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
static const unsigned char plain_bytes[256] =
{
    ROW(0), ROW(0),                                         /* 0x00-0x1F: control characters */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,         /* 0x20-0x2F: '"' */
    ROW(1), ROW(1),                                         /* 0x30-0x4F */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,         /* 0x50-0x5F: '\\' */
    ROW(1),                                                 /* 0x60-0x6F */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,         /* 0x70-0x7F: DEL */
    ROW(0), ROW(0), ROW(0), ROW(0), ROW(0), ROW(0), ROW(0), ROW(0),    /* 0x80-0xFF: non-ASCII */
};
#undef ROW

static inline bool plain_byte(unsigned char c)
{
    return plain_bytes[c];
}

/* Eight bytes at a time (a 48 MiB file read is 64 MiB of base64 to look at): any byte below
 * 0x20, above 0x7E, '"' or '\\' (the word tests of "Bit Twiddling Hacks", exact for "is there
 * one"); then byte by byte up to the first byte that is not plain, or end. */
#define BYTES(n)        (0x0101010101010101ULL * (n))
#define HAS_ZERO(v)     (((v) - BYTES(1)) & ~(v) & BYTES(0x80))
#define HAS_LESS(x, n)  (((x) - BYTES(n)) & ~(x) & BYTES(0x80))
#define HAS_MORE(x, n)  ((((x) + BYTES(127 - (n))) | (x)) & BYTES(0x80))

static const unsigned char *skip_plain(const unsigned char *p, const unsigned char *end)
{
    while (end - p >= 8)
    {
        uint64_t x;

        memcpy(&x, p, sizeof(x));
        if (HAS_LESS(x, 0x20) | HAS_MORE(x, 0x7E) | HAS_ZERO(x ^ BYTES('"')) | HAS_ZERO(x ^ BYTES('\\')))
            break;
        p += 8;
    }
    while (p < end && plain_byte(*p)) p++;
    return p;
}

static void write_escape_u(struct writer *writer, unsigned cp)
{
    static const char hex[] = "0123456789ABCDEF";
    char text[6] = { '\\', 'u', hex[(cp >> 12) & 0xF], hex[(cp >> 8) & 0xF], hex[(cp >> 4) & 0xF], hex[cp & 0xF] };

    writer_put(writer, text, sizeof(text));
}

/* compat: qemu's quoted_str(): the short escapes for " \ \b \f \n \r \t, every other control
 * character, DEL and non-ASCII as \uXXXX (upper-case hex, surrogate pairs beyond the BMP), an
 * invalid sequence as \uFFFD (qemu also turns noncharacters into \uFFFD; we keep them).  C0 80 (modified UTF-8) and NUL are U+0000. */
static void write_string(struct writer *writer, const char *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data, *end = p + len;

    writer_putc(writer, '"');
    while (p < end && !writer->error)
    {
        const unsigned char *run = p;
        int cp;

        p = skip_plain(p, end);
        if (p > run) writer_put(writer, (const char *)run, (size_t)(p - run));
        if (p == end) break;
        switch (*p)
        {
        case '"':  writer_put(writer, "\\\"", 2); p++; continue;
        case '\\': writer_put(writer, "\\\\", 2); p++; continue;
        case '\b': writer_put(writer, "\\b", 2); p++; continue;
        case '\f': writer_put(writer, "\\f", 2); p++; continue;
        case '\n': writer_put(writer, "\\n", 2); p++; continue;
        case '\r': writer_put(writer, "\\r", 2); p++; continue;
        case '\t': writer_put(writer, "\\t", 2); p++; continue;
        default: break;
        }
        cp = utf8_decode(&p, end);
        if (cp < 0) cp = 0xFFFD;
        if (cp > 0xFFFF)
        {
            write_escape_u(writer, 0xD800 + ((unsigned)(cp - 0x10000) >> 10));
            write_escape_u(writer, 0xDC00 + ((unsigned)(cp - 0x10000) & 0x3FF));
        }
        else
        {
            write_escape_u(writer, (unsigned)cp);
        }
    }
    writer_putc(writer, '"');
}

static void write_uint(struct writer *writer, uint64_t value, bool negative)
{
    char text[24];
    size_t pos = sizeof(text);

    do
    {
        text[--pos] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    if (negative) text[--pos] = '-';
    writer_put(writer, text + pos, sizeof(text) - pos);
}

/* qemu writes %.17g, which gives "nan" and "inf" (not JSON).  We never emit invalid JSON:
 * infinities become 1e999 / -1e999 (valid JSON that every parser reads back as infinity) and
 * NaN becomes null. */
static void write_double(struct writer *writer, double value)
{
    char text[40];
    int len;

    if (isnan(value))
    {
        writer_put(writer, "null", 4);
        return;
    }
    if (isinf(value))
    {
        if (value < 0) writer_put(writer, "-1e999", 6);
        else writer_put(writer, "1e999", 5);
        return;
    }
    len = snprintf(text, sizeof(text), "%.17g", value);
    if (len > 0) writer_put(writer, text, (size_t)len < sizeof(text) ? (size_t)len : sizeof(text) - 1);
}

static void write_value(struct writer *writer, const struct json_value *value)
{
    size_t i;

    if (writer->error) return;
    if (!value)
    {
        writer_put(writer, "null", 4);
        return;
    }
    switch (value->type)
    {
    case JSON_NULL:
        writer_put(writer, "null", 4);
        break;
    case JSON_BOOL:
        if (value->u.boolean) writer_put(writer, "true", 4);
        else writer_put(writer, "false", 5);
        break;
    case JSON_INT:
        if (value->u.integer < 0) write_uint(writer, 0 - (uint64_t)value->u.integer, true);
        else write_uint(writer, (uint64_t)value->u.integer, false);
        break;
    case JSON_UINT:
        write_uint(writer, value->u.uinteger, false);
        break;
    case JSON_DOUBLE:
        write_double(writer, value->u.number);
        break;
    case JSON_STRING:
        write_string(writer, value->u.string.data, value->u.string.len);
        break;
    case JSON_ARRAY:
        writer_putc(writer, '[');
        for (i = 0; i < value->u.array.count; i++)
        {
            if (i) writer_put(writer, ", ", 2);
            write_value(writer, value->u.array.items[i]);
        }
        writer_putc(writer, ']');
        break;
    case JSON_OBJECT:
        writer_putc(writer, '{');
        for (i = 0; i < value->u.object.count; i++)
        {
            const struct json_member *member = &value->u.object.members[i];

            if (i) writer_put(writer, ", ", 2);
            write_string(writer, member->key, strlen(member->key));
            writer_put(writer, ": ", 2);
            write_value(writer, member->value);
        }
        writer_putc(writer, '}');
        break;
    }
}

/* The buffer lives on the heap (the agent may write from threads with small stacks).  One spare
 * is kept for the next reply, so writing a reply allocates nothing; a writer used meanwhile by
 * another thread comes from malloc. */
static struct writer *spare_writer;

static struct writer *writer_take(void)
{
    struct writer *writer = __atomic_exchange_n(&spare_writer, NULL, __ATOMIC_ACQUIRE);

    return writer ? writer : malloc(sizeof(*writer));
}

static void writer_give_back(struct writer *writer)
{
    free(__atomic_exchange_n(&spare_writer, writer, __ATOMIC_ACQ_REL));
}

static int write_framed(const struct json_value *value, bool leading_ff, bool newline,
                        const struct json_sink *sink)
{
    struct writer *writer;
    int ret;

    if (!(writer = writer_take())) return QGA_ENOMEM;
    writer->sink = sink;
    writer->error = 0;
    writer->used = 0;
    if (leading_ff) writer_putc(writer, (char)0xFF);
    write_value(writer, value);
    if (newline) writer_putc(writer, '\n');
    writer_flush(writer);
    ret = writer->error;
    writer_give_back(writer);
    return ret;
}

int json_write(const struct json_value *value, const struct json_sink *sink)
{
    return write_framed(value, false, false, sink);
}

int json_write_line(const struct json_value *value, bool leading_ff, const struct json_sink *sink)
{
    return write_framed(value, leading_ff, true, sink);
}

struct string_sink
{
    char *data;
    size_t len, capacity;
};

static int string_sink_write(void *opaque, const char *data, size_t len)
{
    struct string_sink *string = opaque;

    if (len + 1 > string->capacity - string->len)
    {
        size_t capacity = string->capacity ? string->capacity : 256;
        char *grown;

        while (len + 1 > capacity - string->len)
        {
            if (capacity > SIZE_MAX / 2) return QGA_ENOMEM;
            capacity *= 2;
        }
        if (!(grown = realloc(string->data, capacity))) return QGA_ENOMEM;
        string->data = grown;
        string->capacity = capacity;
    }
    memcpy(string->data + string->len, data, len);
    string->len += len;
    string->data[string->len] = 0;
    return 0;
}

int json_to_string(const struct json_value *value, char **out, size_t *len)
{
    struct string_sink string = { NULL, 0, 0 };
    struct json_sink sink = { string_sink_write, &string };
    int ret;

    *out = NULL;
    if (len) *len = 0;
    if ((ret = json_write(value, &sink)) < 0)
    {
        free(string.data);
        return ret;
    }
    if (!string.data && (ret = string_sink_write(&string, "", 0)) < 0) return ret;
    *out = string.data;
    if (len) *len = string.len;
    return 0;
}
