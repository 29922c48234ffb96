/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whole-file helpers for cross-built test programs: the scenario files they write for the fakes
 * and the traces the fakes append, which the programs read back. */
#ifndef QGA_TEST_FILES_H
#define QGA_TEST_FILES_H

#include <windows.h>

/* Creates or truncates path and writes text (no terminator).  FALSE on failure. */
BOOL test_file_write(const WCHAR *path, const char *text);

/* The whole file as a NUL-terminated string (caller frees); "" when it is absent or unreadable.
 * Opened shared, so another process may keep appending to it. */
char *test_file_read(const WCHAR *path);

#endif
