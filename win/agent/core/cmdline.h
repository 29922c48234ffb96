/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Windows command lines: quoting one argument so that CommandLineToArgvW and the C runtime give
 * it back unchanged, and the matching splitter (portable; used for the service command line). */
#ifndef QGA_CORE_CMDLINE_H
#define QGA_CORE_CMDLINE_H

#include <stddef.h>

/* Append arg to the command line *line (malloc'd, NUL-terminated, may start NULL), separated by
 * one space, quoted only when needed: blanks, quotes, or empty.  Backslashes are doubled only
 * where they precede a quote (MSVCRT rules).  Returns 0 or QGA_ENOMEM (line unchanged). */
int cmdline_append(char **line, const char *arg);

/* Append the program name: always quoted (it may contain spaces; it cannot contain quotes, so a
 * path with a quote is refused with QGA_EINVAL).  A program name does not follow the backslash
 * rules above: CreateProcess takes everything up to the closing quote. */
int cmdline_append_program(char **line, const char *program);

/* Split a command line the way the MSVCRT/CommandLineToArgvW does for arguments after the first
 * (2N backslashes + quote -> N backslashes and a quote toggle, 2N+1 -> N and a literal quote,
 * "" inside quotes -> a literal quote).  The first argument uses the program-name rule.
 * *argv (NULL-terminated) and its strings are malloc'd; free with cmdline_free_argv().
 * Returns 0 or QGA_ENOMEM. */
int cmdline_split(const char *line, char ***argv, size_t *argc);
void cmdline_free_argv(char **argv);

#endif
