/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UTF-8 <-> UTF-16 conversion: the one place the Windows layer crosses encodings (style.md §4). */
#ifndef QGA_PLATFORM_UTF_H
#define QGA_PLATFORM_UTF_H

#include <stddef.h>
#include <wchar.h>

/* Convert a NUL-terminated string.  *out is malloc'd (owned by the caller, free()), NULL on error.
 * Returns 0, QGA_EINVAL (invalid UTF-8, or a lone surrogate in UTF-16) or QGA_ENOMEM.
 * NULL input gives *out == NULL and 0.  Thread-safe. */
int utf8_to_utf16(const char *in, wchar_t **out);
int utf16_to_utf8(const wchar_t *in, char **out);

/* Same with explicit lengths (in code units, may contain NUL); the output is still NUL-terminated
 * and *out_len (optional) receives its length without the terminator. */
int utf8_to_utf16_len(const char *in, size_t len, wchar_t **out, size_t *out_len);
int utf16_to_utf8_len(const wchar_t *in, size_t len, char **out, size_t *out_len);

#endif
