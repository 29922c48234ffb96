/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UTF-8 decoding and encoding with qemu's validity rules (portable core). */
#include "core/utf8.h"

int utf8_decode(const unsigned char **p, const unsigned char *end)
{
    static const int64_t min_cp[5] = { 0x80, 0x800, 0x10000, 0x200000, 0x4000000 };
    const unsigned char *s = *p;
    unsigned byte = *s++, mask, len, i;
    int64_t cp;

    if (byte < 0x80)
    {
        *p = s;
        return (int)byte;
    }
    if (byte >= 0xFE || !(byte & 0x40))
    {
        *p = s;
        return -1;
    }
    len = 0;
    for (mask = 0x80; byte & mask; mask >>= 1) len++;
    cp = byte & (mask - 1);
    for (i = 1; i < len; i++)
    {
        if (s == end || (*s & 0xC0) != 0x80)
        {
            *p = s;
            return -1;
        }
        cp = (cp << 6) | (*s++ & 0x3F);
    }
    *p = s;
    if (!utf8_valid_codepoint(cp)) return -1;
    if (cp < min_cp[len - 2] && !(cp == 0 && len == 2)) return -1;
    return (int)cp;
}

size_t utf8_encode(char *out, unsigned cp)
{
    if (cp < 0x80)
    {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800)
    {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000)
    {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}
