/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The floor programs' one rule, shared by the Wine and the native echo: a line is sent back as it
 * came, except "!N" (spaces may pad it) which is answered with N bytes, N-1 'x' and a newline.
 * The benchmark pads "!N" to the length of the agent's request and sets N to the length of the
 * agent's reply, so a floor moves exactly the bytes an agent moves and does nothing else. */
#ifndef QGA_BENCH_ECHO_LINES_H
#define QGA_BENCH_ECHO_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ECHO_OUT_SIZE   (1u << 20)      /* replies are gathered up to this much, then written */
#define ECHO_READ_SIZE  4096            /* as the agent reads (CHANNEL_READ_SIZE) */

/* Writes all of data or returns false (the port failed). */
typedef bool (*echo_write_fn)(void *opaque, const char *data, size_t len);

struct echo_lines
{
    bool mid_line;          /* inside a line (not at its first byte) */
    bool synth;             /* this line started with '!' */
    uint64_t count;         /* N of a "!N" line so far */
    size_t out_len;
    char out[ECHO_OUT_SIZE];
};

static bool echo_flush(struct echo_lines *e, echo_write_fn write, void *opaque)
{
    bool ok = !e->out_len || write(opaque, e->out, e->out_len);

    e->out_len = 0;
    return ok;
}

static bool echo_put(struct echo_lines *e, char c, echo_write_fn write, void *opaque)
{
    if (e->out_len == sizeof(e->out) && !echo_flush(e, write, opaque)) return false;
    e->out[e->out_len++] = c;
    return true;
}

static bool echo_synth(struct echo_lines *e, uint64_t n, echo_write_fn write, void *opaque)
{
    while (n > 1)
    {
        size_t room = sizeof(e->out) - e->out_len;
        size_t chunk = n - 1 < room ? (size_t)(n - 1) : room;

        if (!chunk)
        {
            if (!echo_flush(e, write, opaque)) return false;
            continue;
        }
        memset(e->out + e->out_len, 'x', chunk);
        e->out_len += chunk;
        n -= chunk;
    }
    return n ? echo_put(e, '\n', write, opaque) : true;
}

/* Handle one chunk read from the port; replies are written before returning. */
static bool echo_feed(struct echo_lines *e, const char *data, size_t len, echo_write_fn write, void *opaque)
{
    size_t i;

    for (i = 0; i < len; i++)
    {
        char c = data[i];

        if (!e->mid_line)
        {
            e->mid_line = true;
            e->synth = c == '!';
            e->count = 0;
            if (e->synth) continue;
        }
        if (e->synth)
        {
            if (c >= '0' && c <= '9') e->count = e->count * 10 + (uint64_t)(c - '0');
            else if (c == '\n')
            {
                e->mid_line = false;
                if (!echo_synth(e, e->count, write, opaque)) return false;
            }
            continue;
        }
        if (!echo_put(e, c, write, opaque)) return false;
        if (c == '\n') e->mid_line = false;
    }
    return echo_flush(e, write, opaque);
}

#endif
