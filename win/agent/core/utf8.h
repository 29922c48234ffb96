/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UTF-8 decoding and encoding with qemu's rules (compat: util/unicode.c, "modified UTF-8"). */
#ifndef QGA_CORE_UTF8_H
#define QGA_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Surrogates and code points beyond U+10FFFF are invalid, both as raw UTF-8 and as \u escapes.
 * Deliberate difference: qemu also rejects the noncharacters (U+FDD0..U+FDEF, U+xxFFFE/U+xxFFFF);
 * RFC 8259 and Unicode (Corrigendum #9) allow them in interchange, and a client sending one in an
 * id or a path deserves an answer, so they are accepted here and written back as themselves. */
static inline bool utf8_valid_codepoint(int64_t cp)
{
    if (cp < 0 || cp > 0x10FFFF) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    return true;
}

/* Decodes one code point at *p (p < end) and advances *p.  Returns -1 for an invalid sequence:
 * a stray continuation byte or 0xFE/0xFF (one byte consumed), a missing continuation byte
 * (consumed up to it), an overlong form or a surrogate (whole sequence consumed).
 * C0 80 decodes to U+0000 (modified UTF-8), as qemu's mod_utf8_codepoint(). */
int utf8_decode(const unsigned char **p, const unsigned char *end);

/* Encodes cp (which must be valid) into out (4 bytes max); returns the length. */
size_t utf8_encode(char *out, unsigned cp);

#endif
