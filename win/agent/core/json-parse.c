/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The streaming JSON lexer, message framer and parser with qemu-ga's semantics (portable core).
 *
 * compat: qobject/json-lexer.c, json-streamer.c and json-parser.c of QEMU 3.0 to 10.0
 * (qga-reference.md §8): the same token grammar (single-quoted strings, \' escapes, lower-case
 * keywords, no leading zeros), the same framing (a message ends when its brace and bracket counts
 * drop back, so a syntax error is reported once, when the message ends), the same limits and
 * error texts, and the same lexer recovery (after a stray byte, skip to a structural character, a
 * control character or 0xFE/0xFF).
 *
 * Where we differ on purpose:
 * - Values are built incrementally, token by token, instead of queueing every token and parsing
 *   the whole message at its end; the first error found is the same one qemu reports.
 * - After a limit violation qemu resets its counts and goes on, so the rest of the oversized
 *   message produces a burst of further errors.  We report the violation once and drop the rest
 *   of the message until its brackets balance (as newer QEMU does); 0xFE/0xFF still reset at once.
 * - An oversized token is detected while it is lexed, so at most 64 MiB is ever buffered.
 * - The text of a stray-byte error is capped (qemu quotes the whole partial token, possibly
 *   megabytes). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "core/json-private.h"
#include "core/utf8.h"


#define STRAY_TEXT_HEAD     512     /* bytes of a long partial token quoted in a stray error */
#define STRING_HANDOVER_MIN 4096    /* decoded strings this long take over the token buffer */
#define OBJECT_INDEX_MIN    16      /* objects this big get a hash index for duplicate keys */
#define TOKEN_KEEP_MAX      (1u << 20)  /* a bigger token buffer is freed after use */

enum lex_state
{
    LEX_START,
    LEX_RECOVERY,
    LEX_DQ,             /* in "string" */
    LEX_DQ_ESC,
    LEX_SQ,             /* in 'string' */
    LEX_SQ_ESC,
    LEX_ZERO,
    LEX_SIGN,
    LEX_DIGITS,
    LEX_MANTISSA,
    LEX_MANTISSA_DIGITS,
    LEX_EXP_E,
    LEX_EXP_SIGN,
    LEX_EXP_DIGITS,
    LEX_KEYWORD,
};

enum token_type
{
    TOK_LCURLY,
    TOK_RCURLY,
    TOK_LSQUARE,
    TOK_RSQUARE,
    TOK_COLON,
    TOK_COMMA,
    TOK_INTEGER,
    TOK_FLOAT,
    TOK_KEYWORD,
    TOK_STRING,
};

enum frame_state
{
    ARRAY_FIRST,        /* after '[': a value or ']' */
    ARRAY_VALUE,        /* after ',': a value */
    ARRAY_SEP,          /* after a value: ',' or ']' */
    OBJECT_FIRST,       /* after '{': a key or '}' */
    OBJECT_KEY,         /* after ',': a key */
    OBJECT_COLON,       /* after a key: ':' */
    OBJECT_VALUE,       /* after ':': a value */
    OBJECT_SEP,         /* after a value: ',' or '}' */
};

struct frame
{
    struct json_value *container;
    enum frame_state state;
    char *key;              /* pending key of an object, owned */
    uint32_t *index;        /* open-addressing hash of member positions + 1 (large objects) */
    size_t index_size;      /* power of two, or 0 */
};

struct json_stream
{
    json_stream_cb callback;
    void *opaque;

    /* lexer */
    enum lex_state lex;
    char *tok;              /* current token text, NUL-terminated when complete */
    size_t tok_len, tok_cap;

    /* current message */
    int64_t brace_count, bracket_count;
    uint64_t msg_size, msg_tokens;
    bool eating;            /* after a limit violation: drop tokens until the message ends */
    char *parse_error;      /* first syntax error of the message, reported when it ends */

    /* parser */
    struct frame *frames;
    size_t depth, frames_cap;
};

static bool is_structural(unsigned c)
{
    return c == '[' || c == ']' || c == '{' || c == '}' || c == ':' || c == ',';
}

/* ---- parser ---------------------------------------------------------------------------------- */

static void frame_clear(struct frame *frame)
{
    json_free(frame->container);
    free(frame->key);
    free(frame->index);
    memset(frame, 0, sizeof(*frame));
}

static void parser_reset(struct json_stream *stream)
{
    while (stream->depth) frame_clear(&stream->frames[--stream->depth]);
}

static void set_parse_error(struct json_stream *stream, const char *fmt, ...) QGA_PRINTF(2, 3);
static void set_parse_error(struct json_stream *stream, const char *fmt, ...)
{
    static const char prefix[] = "JSON parse error, ";
    va_list ap;
    char *text;
    int len;

    if (stream->parse_error) return;
    parser_reset(stream);     /* nothing more is built for this message */
    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0) len = 0;
    if (!(text = malloc(sizeof(prefix) + (size_t)len)))
    {
        /* Still report an error (with a fixed text) rather than accepting the message. */
        stream->parse_error = NULL;
        text = malloc(sizeof(prefix) + 16);
        if (text) snprintf(text, sizeof(prefix) + 16, "%sout of memory", prefix);
        stream->parse_error = text;
        return;
    }
    memcpy(text, prefix, sizeof(prefix) - 1);
    va_start(ap, fmt);
    vsnprintf(text + sizeof(prefix) - 1, (size_t)len + 1, fmt, ap);
    va_end(ap);
    stream->parse_error = text;
}

static void set_nomem(struct json_stream *stream)
{
    set_parse_error(stream, "out of memory");
}

static int hex_digit(unsigned c)
{
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    return -1;
}

/* compat: cvt4hex(): four hex digits or -1, never reading past end. */
static int32_t hex4(const unsigned char *p, const unsigned char *end)
{
    int32_t cp = 0;
    int i, digit;

    for (i = 0; i < 4; i++)
    {
        if (p + i >= end || (digit = hex_digit(p[i])) < 0) return -1;
        cp = (cp << 4) | digit;
    }
    return cp;
}

/* Decodes the complete string token in stream->tok in place (the result is never longer than the
 * token).  Returns the decoded length, or SIZE_MAX after setting the parse error.  NUL (from \u0000
 * or C0 80) is stored as a real NUL byte. */
static size_t decode_string(struct json_stream *stream)
{
    unsigned char *tok = (unsigned char *)stream->tok;
    const unsigned char *p = tok + 1, *end = tok + stream->tok_len - 1, *tok_end = tok + stream->tok_len;
    unsigned char *out = tok;

    while (p < end)
    {
        const unsigned char *run = p, *beg;
        int32_t cp, trailing;

        /* fast path: printable ASCII other than the backslash */
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '\\') p++;
        if (p > run)
        {
            memmove(out, run, (size_t)(p - run));
            out += p - run;
            if (p == end) break;
        }
        if (*p != '\\')
        {
            cp = utf8_decode(&p, end);
            if (cp < 0)
            {
                set_parse_error(stream, "invalid UTF-8 sequence in string");
                return SIZE_MAX;
            }
            out += utf8_encode((char *)out, (unsigned)cp);
            continue;
        }
        beg = p++;
        switch (*p++)
        {
        case '"':  *out++ = '"'; break;
        case '\'': *out++ = '\''; break;
        case '\\': *out++ = '\\'; break;
        case '/':  *out++ = '/'; break;
        case 'b':  *out++ = '\b'; break;
        case 'f':  *out++ = '\f'; break;
        case 'n':  *out++ = '\n'; break;
        case 'r':  *out++ = '\r'; break;
        case 't':  *out++ = '\t'; break;
        case 'u':
            cp = hex4(p, end);
            p = (size_t)(tok_end - p) < 4 ? tok_end : p + 4;     /* compat: qemu skips 4 regardless */
            /* compat: a leading surrogate must be followed by a trailing one in a second \u */
            if (cp >= 0xD800 && cp <= 0xDBFF && p + 1 < end && p[0] == '\\' && p[1] == 'u')
            {
                cp = 0x10000 + ((cp & 0x3FF) << 10);
                trailing = hex4(p + 2, end);
                if (trailing >= 0xDC00 && trailing <= 0xDFFF)
                {
                    cp |= trailing & 0x3FF;
                    p += 6;
                }
                else
                {
                    cp = -1;
                }
            }
            if (!utf8_valid_codepoint(cp))
            {
                /* compat: quotes the escape as far as qemu read it (possibly the closing quote) */
                size_t shown = (size_t)(p - beg);
                if (shown > (size_t)(tok_end - beg)) shown = (size_t)(tok_end - beg);
                set_parse_error(stream, "%.*s is not a valid Unicode character", (int)shown, (const char *)beg);
                return SIZE_MAX;
            }
            out += utf8_encode((char *)out, (unsigned)cp);
            break;
        default:
            set_parse_error(stream, "invalid escape sequence in string");
            return SIZE_MAX;
        }
    }
    return (size_t)(out - tok);
}

static struct json_value *string_value(struct json_stream *stream, size_t len)
{
    char *data;

    if (len < STRING_HANDOVER_MIN) return json_string_len(stream->tok, len);
    /* A big string (a guest-file-write payload) keeps the token buffer: no second copy. */
    data = stream->tok;
    data[len] = 0;
    if (stream->tok_cap > len + 1 + STRING_HANDOVER_MIN)
    {
        char *shrunk = realloc(data, len + 1);
        if (shrunk) data = shrunk;
    }
    stream->tok = NULL;
    stream->tok_cap = 0;
    stream->tok_len = 0;
    return json_string_adopt(data, len);
}

/* compat: keys are C strings; a NUL in a key is kept as C0 80 (modified UTF-8, as qemu stores
 * it), so "a\u0000b" stays distinct from "a" and is written back as "a\u0000b". */
static char *key_from_string(const char *data, size_t len)
{
    size_t i, nuls = 0, pos = 0;
    char *key;

    for (i = 0; i < len; i++) nuls += !data[i];
    if (!(key = malloc(len + nuls + 1))) return NULL;
    for (i = 0; i < len; i++)
    {
        if (data[i]) key[pos++] = data[i];
        else
        {
            key[pos++] = (char)0xC0;
            key[pos++] = (char)0x80;
        }
    }
    key[pos] = 0;
    return key;
}

static struct json_value *number_value(struct json_stream *stream, enum token_type type)
{
    const char *text = stream->tok;
    bool negative = text[0] == '-';
    const char *digit = text + negative;
    uint64_t magnitude = 0;

    if (type == TOK_INTEGER)
    {
        /* compat: int64 if it fits, else uint64, else double */
        for (; *digit; digit++)
        {
            unsigned d = (unsigned)(*digit - '0');
            if (magnitude > (UINT64_MAX - d) / 10) goto as_double;
            magnitude = magnitude * 10 + d;
        }
        if (!negative) return magnitude <= INT64_MAX ? json_int((int64_t)magnitude) : json_uint(magnitude);
        if (magnitude <= (uint64_t)INT64_MAX) return json_int(-(int64_t)magnitude);
        if (magnitude == (uint64_t)INT64_MAX + 1) return json_int(INT64_MIN);
    }
as_double:
#if defined(__MINGW32__)
    /* mingw-w64's own strtod is correctly rounded; msvcrt's is not always */
    return json_double(__mingw_strtod(text, NULL));
#else
    return json_double(strtod(text, NULL));
#endif
}

static uint32_t key_hash(const char *key)
{
    uint32_t hash = 2166136261u;

    while (*key) hash = (hash ^ (unsigned char)*key++) * 16777619u;
    return hash;
}

static int index_insert(struct frame *frame, size_t position)
{
    const struct json_member *members = frame->container->u.object.members;
    size_t mask = frame->index_size - 1, slot = key_hash(members[position].key) & mask;

    while (frame->index[slot]) slot = (slot + 1) & mask;
    frame->index[slot] = (uint32_t)(position + 1);
    return 0;
}

static int index_rebuild(struct frame *frame, size_t size)
{
    size_t i;

    free(frame->index);
    frame->index_size = 0;
    if (!(frame->index = calloc(size, sizeof(*frame->index)))) return QGA_ENOMEM;
    frame->index_size = size;
    for (i = 0; i < frame->container->u.object.count; i++) index_insert(frame, i);
    return 0;
}

static bool object_has_key(struct frame *frame, const char *key)
{
    const struct json_value *object = frame->container;
    size_t i, mask, slot;

    if (!frame->index)
    {
        for (i = 0; i < object->u.object.count; i++)
        {
            if (!strcmp(object->u.object.members[i].key, key)) return true;
        }
        return false;
    }
    mask = frame->index_size - 1;
    for (slot = key_hash(key) & mask; frame->index[slot]; slot = (slot + 1) & mask)
    {
        if (!strcmp(object->u.object.members[frame->index[slot] - 1].key, key)) return true;
    }
    return false;
}

/* Adds a complete value to the innermost container, or returns it when it is the top-level
 * value.  Takes ownership of value. */
static struct json_value *deliver(struct json_stream *stream, struct json_value *value)
{
    struct frame *frame;
    size_t count;

    if (!value)
    {
        set_nomem(stream);
        return NULL;
    }
    if (!stream->depth) return value;
    frame = &stream->frames[stream->depth - 1];
    switch (frame->state)
    {
    case ARRAY_FIRST:
    case ARRAY_VALUE:
        if (json_array_append(frame->container, value) < 0)
        {
            set_nomem(stream);
            return NULL;
        }
        frame->state = ARRAY_SEP;
        return NULL;
    case OBJECT_FIRST:
    case OBJECT_KEY:
        if (value->type != JSON_STRING)
        {
            json_free(value);
            set_parse_error(stream, "key is not a string in object");
            return NULL;
        }
        frame->key = key_from_string(value->u.string.data, value->u.string.len);
        json_free(value);
        if (!frame->key)
        {
            set_nomem(stream);
            return NULL;
        }
        frame->state = OBJECT_COLON;
        return NULL;
    case OBJECT_VALUE:
        if (object_has_key(frame, frame->key))
        {
            json_free(value);
            set_parse_error(stream, "duplicate key");
            return NULL;
        }
        if (json_object_append_owned(frame->container, frame->key, value) < 0)
        {
            frame->key = NULL;
            set_nomem(stream);
            return NULL;
        }
        frame->key = NULL;
        count = frame->container->u.object.count;
        if (frame->index && count * 2 > frame->index_size)
        {
            if (index_rebuild(frame, frame->index_size * 2) < 0) set_nomem(stream);
        }
        else if (frame->index)
        {
            index_insert(frame, count - 1);
        }
        else if (count >= OBJECT_INDEX_MIN && index_rebuild(frame, OBJECT_INDEX_MIN * 4) < 0)
        {
            set_nomem(stream);
        }
        if (!stream->parse_error) frame->state = OBJECT_SEP;
        return NULL;
    default:
        json_free(value);
        set_parse_error(stream, "expecting value");
        return NULL;
    }
}

static bool push_frame(struct json_stream *stream, struct json_value *container, enum frame_state state)
{
    struct frame *frame;

    if (!container) return false;
    if (stream->depth == stream->frames_cap)
    {
        size_t capacity = stream->frames_cap ? stream->frames_cap * 2 : 16;
        struct frame *frames = realloc(stream->frames, capacity * sizeof(*frames));
        if (!frames)
        {
            json_free(container);
            return false;
        }
        stream->frames = frames;
        stream->frames_cap = capacity;
    }
    frame = &stream->frames[stream->depth++];
    memset(frame, 0, sizeof(*frame));
    frame->container = container;
    frame->state = state;
    return true;
}

/* Completes the innermost container and delivers it to its parent. */
static struct json_value *pop_frame(struct json_stream *stream)
{
    struct frame *frame = &stream->frames[--stream->depth];
    struct json_value *container = frame->container;

    frame->container = NULL;
    frame_clear(frame);
    return deliver(stream, container);
}

/* A token where a value (or an object key, which qemu parses as a value first) starts. */
static struct json_value *begin_value(struct json_stream *stream, enum token_type type)
{
    size_t len;

    switch (type)
    {
    case TOK_LCURLY:
        if (!push_frame(stream, json_object(), OBJECT_FIRST)) set_nomem(stream);
        return NULL;
    case TOK_LSQUARE:
        if (!push_frame(stream, json_array(), ARRAY_FIRST)) set_nomem(stream);
        return NULL;
    case TOK_STRING:
        if ((len = decode_string(stream)) == SIZE_MAX) return NULL;
        return deliver(stream, string_value(stream, len));
    case TOK_INTEGER:
    case TOK_FLOAT:
        return deliver(stream, number_value(stream, type));
    case TOK_KEYWORD:
        if (!strcmp(stream->tok, "true")) return deliver(stream, json_bool(true));
        if (!strcmp(stream->tok, "false")) return deliver(stream, json_bool(false));
        if (!strcmp(stream->tok, "null")) return deliver(stream, json_null());
        set_parse_error(stream, "invalid keyword '%s'", stream->tok);
        return NULL;
    default:
        set_parse_error(stream, "expecting value");
        return NULL;
    }
}

/* Feeds one token (text in stream->tok for scalars); returns a complete top-level value. */
static struct json_value *parser_token(struct json_stream *stream, enum token_type type)
{
    struct frame *frame = stream->depth ? &stream->frames[stream->depth - 1] : NULL;

    if (!frame) return begin_value(stream, type);
    switch (frame->state)
    {
    case ARRAY_FIRST:
        if (type == TOK_RSQUARE) return pop_frame(stream);
        return begin_value(stream, type);
    case ARRAY_SEP:
        if (type == TOK_COMMA)
        {
            frame->state = ARRAY_VALUE;
            return NULL;
        }
        if (type == TOK_RSQUARE) return pop_frame(stream);
        set_parse_error(stream, "expected separator in list");
        return NULL;
    case OBJECT_FIRST:
        if (type == TOK_RCURLY) return pop_frame(stream);
        return begin_value(stream, type);
    case OBJECT_COLON:
        if (type == TOK_COLON)
        {
            frame->state = OBJECT_VALUE;
            return NULL;
        }
        set_parse_error(stream, "missing : in object pair");
        return NULL;
    case OBJECT_SEP:
        if (type == TOK_COMMA)
        {
            frame->state = OBJECT_KEY;
            return NULL;
        }
        if (type == TOK_RCURLY) return pop_frame(stream);
        set_parse_error(stream, "expected separator in dict");
        return NULL;
    default:    /* ARRAY_VALUE, OBJECT_KEY, OBJECT_VALUE */
        return begin_value(stream, type);
    }
}

/* ---- framing --------------------------------------------------------------------------------- */

static void reset_message(struct json_stream *stream)
{
    parser_reset(stream);
    free(stream->parse_error);
    stream->parse_error = NULL;
    stream->brace_count = stream->bracket_count = 0;
    stream->msg_size = stream->msg_tokens = 0;
    stream->eating = false;
}

/* compat: json-streamer.c considers a message complete unless it has an open brace or bracket
 * (its check tests bracket_count >= 0 twice and never brace_count >= 0; kept as is). */
static bool message_complete(const struct json_stream *stream)
{
    return !((stream->brace_count > 0 || stream->bracket_count > 0) && stream->bracket_count >= 0);
}

static void emit_error(struct json_stream *stream, const char *text)
{
    stream->callback(stream->opaque, NULL, text);
}

static void limit_error(struct json_stream *stream, const char *text)
{
    parser_reset(stream);
    free(stream->parse_error);
    stream->parse_error = NULL;
    stream->eating = true;
    if (message_complete(stream)) reset_message(stream);
    emit_error(stream, text);
}

static void process_token(struct json_stream *stream, enum token_type type, size_t len)
{
    struct json_value *value;
    char *error;

    switch (type)
    {
    case TOK_LCURLY:  stream->brace_count++; break;
    case TOK_RCURLY:  stream->brace_count--; break;
    case TOK_LSQUARE: stream->bracket_count++; break;
    case TOK_RSQUARE: stream->bracket_count--; break;
    default: break;
    }
    if (stream->eating)
    {
        if (message_complete(stream)) reset_message(stream);
        return;
    }
    /* compat: the limits are checked for each token, before it is parsed */
    if (stream->msg_size + len + 1 > JSON_MAX_TOKEN_SIZE)
    {
        limit_error(stream, "JSON token size limit exceeded");
        return;
    }
    if (stream->msg_tokens + 1 > JSON_MAX_TOKEN_COUNT)
    {
        limit_error(stream, "JSON token count limit exceeded");
        return;
    }
    if (stream->bracket_count + stream->brace_count > JSON_MAX_NESTING)
    {
        limit_error(stream, "JSON nesting depth limit exceeded");
        return;
    }
    stream->msg_size += len;
    stream->msg_tokens++;

    value = stream->parse_error ? NULL : parser_token(stream, type);
    if (value)
    {
        reset_message(stream);
        stream->callback(stream->opaque, value, NULL);
        return;
    }
    if (!message_complete(stream)) return;
    error = stream->parse_error;
    stream->parse_error = NULL;
    reset_message(stream);
    emit_error(stream, error ? error : "JSON parse error, premature EOI");
    free(error);
}

/* ---- lexer ----------------------------------------------------------------------------------- */

/* Gives back a token buffer that a big token grew (the agent idles between requests). */
static void tok_trim(struct json_stream *stream)
{
    if (stream->tok_cap > TOKEN_KEEP_MAX)
    {
        free(stream->tok);
        stream->tok = NULL;
        stream->tok_cap = 0;
    }
    stream->tok_len = 0;
}

static bool tok_reserve(struct json_stream *stream, size_t extra)
{
    size_t need = stream->tok_len + extra + 1, capacity;
    char *tok;

    if (need <= stream->tok_cap) return true;
    capacity = stream->tok_cap ? stream->tok_cap : 64;
    while (capacity < need) capacity *= 2;
    if (!(tok = realloc(stream->tok, capacity))) return false;
    stream->tok = tok;
    stream->tok_cap = capacity;
    return true;
}

/* Appends to the current token, enforcing the per-message size limit while the token grows. */
static void tok_append(struct json_stream *stream, const unsigned char *data, size_t len)
{
    if (stream->eating || !len) return;
    if (stream->msg_size + stream->tok_len + len + 1 > JSON_MAX_TOKEN_SIZE)
    {
        tok_trim(stream);
        limit_error(stream, "JSON token size limit exceeded");
        /* The rest of this token, and of its message, is dropped.  A top-level token's message
         * ends with the token itself. */
        stream->eating = true;
        return;
    }
    if (!tok_reserve(stream, len))
    {
        stream->tok_len = 0;
        limit_error(stream, "JSON parse error, out of memory");
        stream->eating = true;
        return;
    }
    memcpy(stream->tok + stream->tok_len, data, len);
    stream->tok_len += len;
}

static void tok_append_char(struct json_stream *stream, unsigned char c)
{
    if (!stream->eating && stream->tok_len + 1 < stream->tok_cap
        && stream->msg_size + stream->tok_len + 2 <= JSON_MAX_TOKEN_SIZE)
    {
        stream->tok[stream->tok_len++] = (char)c;
        return;
    }
    tok_append(stream, &c, 1);
}

/* A complete token of the given type: frame and parse it. */
static void tok_complete(struct json_stream *stream, enum token_type type)
{
    size_t len = stream->tok_len;

    stream->lex = LEX_START;
    if (stream->eating || !tok_reserve(stream, 0))
    {
        stream->tok_len = 0;
        process_token(stream, type, 0);
        return;
    }
    stream->tok[len] = 0;
    process_token(stream, type, len);
    tok_trim(stream);
}

static void structural(struct json_stream *stream, enum token_type type)
{
    stream->tok_len = 0;
    process_token(stream, type, 1);
}

/* A byte that cannot continue the current token (consumed), or NULL at end of input.
 * compat: one "stray" error quoting the partial token, then recovery. */
static void lex_error(struct json_stream *stream, const unsigned char *c)
{
    static const char head[] = "JSON parse error, stray '";
    char *text, *pos;
    size_t shown = stream->eating ? 0 : stream->tok_len, cut = 0;

    stream->lex = LEX_RECOVERY;
    if (stream->eating && !(c && *c >= 0xFE))
    {
        /* inside a message being dropped: only 0xFE/0xFF reset (and are reported); an abandoned
         * oversized top-level token ends its message */
        tok_trim(stream);
        if (message_complete(stream)) reset_message(stream);
        return;
    }
    if (shown > STRAY_TEXT_HEAD * 2)
    {
        cut = shown;
        shown = STRAY_TEXT_HEAD;
    }
    text = malloc(sizeof(head) + shown + 3 + 1 + 2);
    stream->tok_len = 0;
    reset_message(stream);
    if (!text)
    {
        emit_error(stream, "JSON parse error, stray byte");
        return;
    }
    pos = text;
    memcpy(pos, head, sizeof(head) - 1);
    pos += sizeof(head) - 1;
    /* compat: qemu prints the token with %s, so a NUL byte ends it */
    if (shown) shown = strnlen(stream->tok, shown);
    memcpy(pos, stream->tok ? stream->tok : "", shown);
    pos += shown;
    if (cut)
    {
        memcpy(pos, "...", 3);
        pos += 3;
    }
    if (c && *c) *pos++ = (char)*c;
    *pos++ = '\'';
    *pos = 0;
    tok_trim(stream);
    emit_error(stream, text);
    free(text);
}

static bool string_byte(unsigned c, unsigned quote)
{
    return c >= 0x20 && c <= 0xFD && c != '\\' && c != quote;
}

void json_stream_feed(struct json_stream *stream, const char *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data, *end = p + len;

    while (p < end)
    {
        unsigned c = *p;

        switch (stream->lex)
        {
        case LEX_START:
            p++;
            switch (c)
            {
            case ' ': case '\t': case '\r': case '\n':
                break;
            case '{': structural(stream, TOK_LCURLY); break;
            case '}': structural(stream, TOK_RCURLY); break;
            case '[': structural(stream, TOK_LSQUARE); break;
            case ']': structural(stream, TOK_RSQUARE); break;
            case ':': structural(stream, TOK_COLON); break;
            case ',': structural(stream, TOK_COMMA); break;
            case '"':  stream->lex = LEX_DQ; tok_append_char(stream, c); break;
            case '\'': stream->lex = LEX_SQ; tok_append_char(stream, c); break;
            case '0':  stream->lex = LEX_ZERO; tok_append_char(stream, c); break;
            case '-':  stream->lex = LEX_SIGN; tok_append_char(stream, c); break;
            default:
                if (c >= '1' && c <= '9')
                {
                    stream->lex = LEX_DIGITS;
                    tok_append_char(stream, c);
                }
                else if (c >= 'a' && c <= 'z')
                {
                    stream->lex = LEX_KEYWORD;
                    tok_append_char(stream, c);
                }
                else
                {
                    lex_error(stream, p - 1);
                }
                break;
            }
            break;

        case LEX_RECOVERY:
            /* compat: skip to a structural character, a control character other than tab, or an
             * impossible UTF-8 byte; that byte is then lexed normally */
            while (p < end && !is_structural(*p) && !(*p < 0x20 && *p != '\t') && *p < 0xFE) p++;
            if (p < end) stream->lex = LEX_START;
            break;

        case LEX_DQ:
        case LEX_SQ:
        {
            unsigned quote = stream->lex == LEX_DQ ? '"' : '\'';
            const unsigned char *run = p;

            while (p < end && string_byte(*p, quote)) p++;
            tok_append(stream, run, (size_t)(p - run));
            if (p == end) break;
            c = *p++;
            if (c == '\\')
            {
                stream->lex = stream->lex == LEX_DQ ? LEX_DQ_ESC : LEX_SQ_ESC;
                tok_append_char(stream, c);
            }
            else if (c == quote)
            {
                tok_append_char(stream, c);
                tok_complete(stream, TOK_STRING);
            }
            else
            {
                lex_error(stream, p - 1);
            }
            break;
        }

        case LEX_DQ_ESC:
        case LEX_SQ_ESC:
            p++;
            if (c >= 0x20 && c <= 0xFD)
            {
                stream->lex = stream->lex == LEX_DQ_ESC ? LEX_DQ : LEX_SQ;
                tok_append_char(stream, c);
            }
            else
            {
                lex_error(stream, p - 1);
            }
            break;

        case LEX_ZERO:
            if (c == '.')
            {
                p++;
                stream->lex = LEX_MANTISSA;
                tok_append_char(stream, c);
            }
            else if ((c >= '0' && c <= '9') || c >= 0x80)
            {
                p++;
                lex_error(stream, p - 1);
            }
            else
            {
                tok_complete(stream, TOK_INTEGER);     /* c is looked at again */
            }
            break;

        case LEX_SIGN:
            p++;
            if (c == '0') stream->lex = LEX_ZERO;
            else if (c >= '1' && c <= '9') stream->lex = LEX_DIGITS;
            else
            {
                lex_error(stream, p - 1);
                break;
            }
            tok_append_char(stream, c);
            break;

        case LEX_DIGITS:
        {
            const unsigned char *run = p;

            while (p < end && *p >= '0' && *p <= '9') p++;
            tok_append(stream, run, (size_t)(p - run));
            if (p == end) break;
            c = *p;
            if (c == '.' || c == 'e' || c == 'E')
            {
                p++;
                stream->lex = c == '.' ? LEX_MANTISSA : LEX_EXP_E;
                tok_append_char(stream, c);
            }
            else if (c >= 0x80)
            {
                p++;
                lex_error(stream, p - 1);
            }
            else
            {
                tok_complete(stream, TOK_INTEGER);
            }
            break;
        }

        case LEX_MANTISSA:
        case LEX_EXP_SIGN:
            p++;
            if (c >= '0' && c <= '9')
            {
                stream->lex = stream->lex == LEX_MANTISSA ? LEX_MANTISSA_DIGITS : LEX_EXP_DIGITS;
                tok_append_char(stream, c);
            }
            else
            {
                lex_error(stream, p - 1);
            }
            break;

        case LEX_EXP_E:
            p++;
            if (c == '+' || c == '-') stream->lex = LEX_EXP_SIGN;
            else if (c >= '0' && c <= '9') stream->lex = LEX_EXP_DIGITS;
            else
            {
                lex_error(stream, p - 1);
                break;
            }
            tok_append_char(stream, c);
            break;

        case LEX_MANTISSA_DIGITS:
        case LEX_EXP_DIGITS:
        {
            const unsigned char *run = p;

            while (p < end && *p >= '0' && *p <= '9') p++;
            tok_append(stream, run, (size_t)(p - run));
            if (p == end) break;
            c = *p;
            if (stream->lex == LEX_MANTISSA_DIGITS && (c == 'e' || c == 'E'))
            {
                p++;
                stream->lex = LEX_EXP_E;
                tok_append_char(stream, c);
            }
            else if (c >= 0x80)
            {
                p++;
                lex_error(stream, p - 1);
            }
            else
            {
                tok_complete(stream, TOK_FLOAT);
            }
            break;
        }

        case LEX_KEYWORD:
        {
            const unsigned char *run = p;

            while (p < end && *p >= 'a' && *p <= 'z') p++;
            tok_append(stream, run, (size_t)(p - run));
            if (p == end) break;
            if (*p >= 0x80)
            {
                p++;
                lex_error(stream, p - 1);
            }
            else
            {
                tok_complete(stream, TOK_KEYWORD);
            }
            break;
        }
        }
    }
}

/* ---- public ---------------------------------------------------------------------------------- */

struct json_stream *json_stream_new(json_stream_cb callback, void *opaque)
{
    struct json_stream *stream = calloc(1, sizeof(*stream));

    if (!stream) return NULL;
    stream->callback = callback;
    stream->opaque = opaque;
    stream->lex = LEX_START;
    return stream;
}

void json_stream_reset(struct json_stream *stream)
{
    stream->lex = LEX_START;
    tok_trim(stream);
    reset_message(stream);
}

void json_stream_flush(struct json_stream *stream)
{
    switch (stream->lex)
    {
    case LEX_START:
    case LEX_RECOVERY:
        break;
    case LEX_ZERO:
    case LEX_DIGITS:
        tok_complete(stream, TOK_INTEGER);
        break;
    case LEX_MANTISSA_DIGITS:
    case LEX_EXP_DIGITS:
        tok_complete(stream, TOK_FLOAT);
        break;
    case LEX_KEYWORD:
        tok_complete(stream, TOK_KEYWORD);
        break;
    default:
        lex_error(stream, NULL);
        break;
    }
    stream->lex = LEX_START;
    stream->tok_len = 0;
    if (stream->eating || !stream->msg_tokens)
    {
        reset_message(stream);
        return;
    }
    {
        char *error = stream->parse_error;
        stream->parse_error = NULL;
        reset_message(stream);
        emit_error(stream, error ? error : "JSON parse error, premature EOI");
        free(error);
    }
}

void json_stream_free(struct json_stream *stream)
{
    if (!stream) return;
    reset_message(stream);
    free(stream->frames);
    free(stream->tok);
    free(stream);
}

struct parse_one
{
    struct json_value *value;
    char *error;
    unsigned results;
};

static void parse_one_cb(void *opaque, struct json_value *value, const char *error)
{
    struct parse_one *one = opaque;

    if (one->results++)
    {
        json_free(value);
        if (one->value)
        {
            json_free(one->value);
            one->value = NULL;
            one->error = strdup("Expecting at most one JSON value");
        }
        return;
    }
    one->value = value;
    if (error) one->error = strdup(error);
}

int json_parse(const char *data, size_t len, struct json_value **out, char **error)
{
    struct parse_one one = { NULL, NULL, 0 };
    struct json_stream *stream;

    *out = NULL;
    if (error) *error = NULL;
    if (!(stream = json_stream_new(parse_one_cb, &one))) return QGA_ENOMEM;
    json_stream_feed(stream, data, len);
    json_stream_flush(stream);
    json_stream_free(stream);
    if (one.value)
    {
        *out = one.value;
        return 0;
    }
    if (!one.results && !one.error) one.error = strdup("Expecting a JSON value");
    if (error) *error = one.error;
    else free(one.error);
    return QGA_EINVAL;
}
