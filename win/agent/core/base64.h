/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Base64 (RFC 4648, with padding) for guest-file-read/write, exec input and passwords. */
#ifndef QGA_CORE_BASE64_H
#define QGA_CORE_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Encoded length of len bytes, or SIZE_MAX on overflow. */
size_t base64_encoded_len(size_t len);
/* Writes exactly base64_encoded_len(len) characters to out (no NUL). */
void base64_encode(const uint8_t *in, size_t len, char *out);
/* Decodes text (strict RFC 4648: padding required, no other characters; '\n' line breaks are
 * skipped for compatibility with qemu, which accepts line-wrapped input).  *out is malloc'd
 * (owned by caller; len + 1 bytes, NUL-terminated for convenience).  Returns 0, QGA_EINVAL
 * ("base64 string is invalid") or QGA_ENOMEM. */
int base64_decode(const char *text, size_t text_len, uint8_t **out, size_t *out_len);

#endif
