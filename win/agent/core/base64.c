/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Base64 (RFC 4648 alphabet, padding required) for file and exec payloads (portable core). */
#include <stdlib.h>
#include <string.h>

#include "core/base64.h"
#include "core/error.h"

static const char alphabet[64] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0..63 for alphabet characters, 64 for '=', 0xFF for everything else. */
static const uint8_t decode_table[256] =
{
#define I 0xFF
    I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I,  I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I,
    I, I, I, I, I, I, I, I, I, I, I, 62, I, I, I, 63,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, I, I, I, 64, I, I,
    I, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, I, I, I, I, I,
    I, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, I, I, I, I, I,
    I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I,  I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I,
    I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I,  I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I,
    I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I,  I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I,
    I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I,  I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I,
#undef I
};

size_t base64_encoded_len(size_t len)
{
    size_t groups = len / 3 + (len % 3 != 0);

    if (groups > SIZE_MAX / 4) return SIZE_MAX;
    return groups * 4;
}

void base64_encode(const uint8_t *in, size_t len, char *out)
{
    size_t i = 0;

    for (; i + 3 <= len; i += 3)
    {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[0] = alphabet[v >> 18];
        out[1] = alphabet[(v >> 12) & 63];
        out[2] = alphabet[(v >> 6) & 63];
        out[3] = alphabet[v & 63];
        out += 4;
    }
    if (len - i == 1)
    {
        uint32_t v = (uint32_t)in[i] << 16;
        out[0] = alphabet[v >> 18];
        out[1] = alphabet[(v >> 12) & 63];
        out[2] = '=';
        out[3] = '=';
    }
    else if (len - i == 2)
    {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[0] = alphabet[v >> 18];
        out[1] = alphabet[(v >> 12) & 63];
        out[2] = alphabet[(v >> 6) & 63];
        out[3] = '=';
    }
}

static int decode_strict(const char *text, size_t text_len, uint8_t **out, size_t *out_len);

/* compat: qemu's qbase64_decode() accepts '\n' (line-wrapped output of base64(1)); it is skipped.
 * Everything else is strict RFC 4648. */
int base64_decode(const char *text, size_t text_len, uint8_t **out, size_t *out_len)
{
    size_t i, len = 0;
    char *compact;
    int ret;

    if (!memchr(text, '\n', text_len)) return decode_strict(text, text_len, out, out_len);
    *out = NULL;
    *out_len = 0;
    if (!(compact = malloc(text_len ? text_len : 1))) return QGA_ENOMEM;
    for (i = 0; i < text_len; i++)
    {
        if (text[i] != '\n') compact[len++] = text[i];
    }
    ret = decode_strict(compact, len, out, out_len);
    free(compact);
    return ret;
}

/* Strict RFC 4648: length a multiple of 4, '=' only as one or two final padding characters,
 * and the unused bits before the padding zero (so every byte string has one encoding). */
static int decode_strict(const char *text, size_t text_len, uint8_t **out, size_t *out_len)
{
    const uint8_t *in = (const uint8_t *)text;
    size_t groups, i, pad = 0, len;
    uint8_t *data, *pos;

    *out = NULL;
    *out_len = 0;
    if (text_len % 4) return QGA_EINVAL;
    groups = text_len / 4;
    if (text_len && in[text_len - 1] == '=') pad = in[text_len - 2] == '=' ? 2 : 1;
    len = groups * 3 - pad;
    if (!(data = malloc(len + 1))) return QGA_ENOMEM;
    pos = data;
    for (i = 0; i < groups; i++)
    {
        const uint8_t *g = in + i * 4;
        uint8_t a = decode_table[g[0]], b = decode_table[g[1]], c = decode_table[g[2]], d = decode_table[g[3]];

        if ((a | b | c | d) & 0xC0)
        {
            /* an invalid character or '=' somewhere: only a valid final group may have padding */
            if (i != groups - 1 || a > 63 || b > 63) goto invalid;
            if (pad == 2 && c == 64 && d == 64)
            {
                if (b & 0x0F) goto invalid;
                *pos++ = (uint8_t)(a << 2 | b >> 4);
                break;
            }
            if (pad == 1 && c <= 63 && d == 64)
            {
                if (c & 0x03) goto invalid;
                *pos++ = (uint8_t)(a << 2 | b >> 4);
                *pos++ = (uint8_t)(b << 4 | c >> 2);
                break;
            }
            goto invalid;
        }
        pos[0] = (uint8_t)(a << 2 | b >> 4);
        pos[1] = (uint8_t)(b << 4 | c >> 2);
        pos[2] = (uint8_t)(c << 6 | d);
        pos += 3;
    }
    *pos = 0;
    *out = data;
    *out_len = len;
    return 0;
invalid:
    free(data);
    return QGA_EINVAL;
}
