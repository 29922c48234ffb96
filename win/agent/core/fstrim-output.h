/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading the result of "defrag.exe /L <volume>" for guest-fstrim (portable core). */
#ifndef QGA_CORE_FSTRIM_OUTPUT_H
#define QGA_CORE_FSTRIM_OUTPUT_H

#include <stddef.h>

/* compat: defrag reports a failure as a line carrying the HRESULT, e.g. "The operation failed
 * (0x89000020)"; qemu-ga takes the first line containing "(0x" as the volume's error.  On a hit
 * *error is that line without its line end and surrounding blanks (malloc'd, owned by the
 * caller); otherwise NULL.  Returns 0 or QGA_ENOMEM. */
int fstrim_output_error(const char *output, size_t len, char **error);

#endif
