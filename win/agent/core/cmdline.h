/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Windows command-line quoting and splitting (the rules of CommandLineToArgvW and the MSVC C
 * runtime), for guest-exec, helper processes and the service's ImagePath (portable core). */
#ifndef QGA_CORE_CMDLINE_H
#define QGA_CORE_CMDLINE_H

#include <stddef.h>

/* Joins argv[0..argc) into one UTF-8 command line that a child parses back into exactly the same
 * strings.  argv[0] (the program) is always quoted, so a path with spaces can never be read as
 * a shorter program name plus arguments (the CreateProcess "C:\Program.exe" ambiguity); it must
 * not be empty or contain '"' (Windows file names cannot).  Other arguments are quoted only
 * when needed, with backslashes doubled before a quote and at the end.
 * *out is malloc'd (owned by the caller).  Returns 0, QGA_EINVAL (bad argv[0], argc == 0) or
 * QGA_ENOMEM.  Thread-safe. */
int cmdline_build(const char *const *argv, size_t argc, char **out);

/* Splits a command line as CommandLineToArgvW does (argv[0] by the program-name rule: up to the
 * next quote if it starts with one, else up to white space, no escapes).  *argv is a malloc'd
 * NULL-terminated array of malloc'd strings; free it with cmdline_free_argv().  Returns 0 or
 * QGA_ENOMEM.  An empty or all-blank line gives argc 0. */
int cmdline_split(const char *cmdline, char ***argv, size_t *argc);
void cmdline_free_argv(char **argv);   /* accepts NULL */

#endif
