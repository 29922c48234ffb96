/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON values, the streaming parser that frames them and the writer (portable core). */
#ifndef QGA_CORE_JSON_H
#define QGA_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/compiler.h"

/* compat: qemu-ga's limits (qobject/json-streamer.c); see qga-reference.md §8. */
#define JSON_MAX_TOKEN_SIZE   (64ULL << 20)   /* bytes per token and per message */
#define JSON_MAX_TOKEN_COUNT  (2ULL << 20)    /* tokens per message */
#define JSON_MAX_NESTING      1024

enum json_type
{
    JSON_NULL,
    JSON_BOOL,
    JSON_INT,       /* fits int64_t */
    JSON_UINT,      /* > INT64_MAX, fits uint64_t */
    JSON_DOUBLE,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
};

struct json_value;

struct json_member
{
    char *key;                  /* UTF-8, NUL-terminated, owned (a parsed \u0000 is kept as C0 80) */
    struct json_value *value;   /* owned */
};

struct json_value
{
    enum json_type type;
    union
    {
        bool boolean;
        int64_t integer;
        uint64_t uinteger;
        double number;
        struct { char *data; size_t len; } string;   /* UTF-8, NUL-terminated, may contain NUL */
        struct { struct json_value **items; size_t count, capacity; } array;
        struct { struct json_member *members; size_t count, capacity; } object;  /* insertion order */
    } u;
};

/* Constructors return NULL when out of memory.  Containers take ownership of what is added.
 * json_null() and json_bool() return shared values (never NULL; json_free ignores them): values
 * are never changed in place. */
struct json_value *json_null(void);
struct json_value *json_bool(bool value);
struct json_value *json_int(int64_t value);
struct json_value *json_uint(uint64_t value);
struct json_value *json_double(double value);
struct json_value *json_string(const char *utf8);                /* copies */
struct json_value *json_string_len(const char *utf8, size_t len); /* copies */
struct json_value *json_stringf(const char *fmt, ...) QGA_PRINTF(1, 2);
/* A string of len bytes to be filled by the caller (e.g. base64 encoded in place, so a 48 MiB
 * file read is never copied a second time).  *buffer gets len + 1 bytes, NUL already placed. */
struct json_value *json_string_buffer(size_t len, char **buffer);
struct json_value *json_array(void);
struct json_value *json_object(void);
void json_free(struct json_value *value);                          /* accepts NULL */
struct json_value *json_clone(const struct json_value *value);

/* Append/set take ownership of item/value even on failure (it is freed); return 0 or QGA_ENOMEM. */
int json_array_append(struct json_value *array, struct json_value *item);
int json_object_set(struct json_value *object, const char *key, struct json_value *value);
/* Convenience setters; return 0 or QGA_ENOMEM. */
int json_object_set_string(struct json_value *object, const char *key, const char *utf8);
int json_object_set_int(struct json_value *object, const char *key, int64_t value);
int json_object_set_bool(struct json_value *object, const char *key, bool value);
int json_object_set_double(struct json_value *object, const char *key, double value);

/* Lookups return borrowed pointers or NULL. */
const struct json_value *json_object_get(const struct json_value *object, const char *key);
const char *json_object_get_string(const struct json_value *object, const char *key);

/* Streaming parser.  Feed arbitrary chunks; each complete top-level value, or each error, is
 * delivered to the callback in input order.  The callback owns value.  On error value is NULL
 * and error is the full reply text, e.g. "JSON parse error, stray '\xff'"; the parser has
 * already recovered (qemu-ga semantics: skip to the next structural character; 0xFE/0xFF
 * reset).  Not thread-safe; one stream per channel. */
typedef void (*json_stream_cb)(void *opaque, struct json_value *value, const char *error);

struct json_stream;
struct json_stream *json_stream_new(json_stream_cb callback, void *opaque);
void json_stream_feed(struct json_stream *stream, const char *data, size_t len);
void json_stream_reset(struct json_stream *stream);   /* drop any partial message */
/* End of input (a file, not a channel): completes a pending token and reports an unfinished
 * message ("JSON parse error, premature EOI").  The stream can be fed again afterwards. */
void json_stream_flush(struct json_stream *stream);
void json_stream_free(struct json_stream *stream);    /* accepts NULL */

/* Parse exactly one complete value from a buffer (tests, config).  Returns 0 or QGA_EINVAL
 * with *error (owned by caller, may be NULL) describing the failure. */
int json_parse(const char *data, size_t len, struct json_value **out, char **error);

/* Writer.  Output is compact with ": " and ", " separators (as qemu's json-writer), every
 * non-ASCII and control character escaped as \uXXXX (surrogate pairs beyond the BMP), invalid
 * UTF-8 as \uFFFD, integers exact, doubles %.17g.  Long runs that need no escaping are passed
 * to the sink without copying. */
struct json_sink
{
    /* returns 0 or a negative QGA_E* code; the writer stops at the first failure */
    int (*write)(void *opaque, const char *data, size_t len);
    void *opaque;
};

int json_write(const struct json_value *value, const struct json_sink *sink);
/* One protocol line: an optional 0xFF byte (guest-sync-delimited), the value and "\n", batched so
 * that a small reply reaches the sink in one write.  Returns 0 or the sink's error. */
int json_write_line(const struct json_value *value, bool leading_ff, const struct json_sink *sink);
/* Serialises into a NUL-terminated malloc'd string (*out owned by caller). */
int json_to_string(const struct json_value *value, char **out, size_t *len);

#endif
