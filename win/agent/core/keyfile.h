/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The configuration file format: GKeyFile's "[group] / key=value" syntax as qemu-ga reads it
 * (qga-reference.md §3), parsed without GLib (portable core). */
#ifndef QGA_CORE_KEYFILE_H
#define QGA_CORE_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>

struct keyfile_entry
{
    char *group;        /* owned */
    char *key;          /* owned */
    char *value;        /* owned, unescaped */
    char *raw;          /* owned, as written (blanks trimmed; quotes removed when quoted) */
    bool quoted;        /* the value was written in double quotes (value == raw, literal) */
    unsigned line;      /* 1-based line of the last assignment */
};

struct keyfile
{
    struct keyfile_entry *entries;   /* in order of first appearance */
    size_t count, capacity;
};

/* Parse a whole file.  Accepted:
 * - an optional UTF-8 byte order mark; LF or CRLF line ends; blank lines;
 * - comments: lines starting with '#' (GKeyFile) or ';' (INI habit), after leading blanks;
 * - "[group]" lines; "key = value" lines inside a group (blanks around key and value trimmed);
 * - compat: GKeyFile escapes in values: \s \n \t \r \\ (plus our \"); any other backslash is
 *   kept as is (GKeyFile rejects it), so a path without doubled backslashes still reads sensibly;
 * - extension: a value wholly inside double quotes is taken literally, without escapes
 *   ("\\.\COM1" is the device path); GKeyFile would keep the quotes, which no valid path has.
 * A key repeated in a group: the last assignment wins (GKeyFile).  Group names repeat: merged.
 * Errors (QGA_EINVAL, *error = "line N: ..." malloc'd): a key outside a group, a line that is
 * neither, an empty key or group name, junk after "]", a NUL byte, an unterminated quote.
 * *out is cleared on entry and holds the entries on success only.  QGA_ENOMEM possible. */
int keyfile_parse(const char *text, size_t len, struct keyfile *out, char **error);

/* Unescape a raw value that is a Windows path: only "\\" means one backslash (compat: qemu-ga
 * configs double them), every other backslash is literal.  GKeyFile's \s \t \n \r would turn
 * C:\state into "C: tate"; no valid path contains those characters after a backslash anyway.
 * malloc'd; NULL when out of memory. */
char *keyfile_unescape_path(const char *raw);

/* Value of group/key (borrowed) or NULL. */
const char *keyfile_get(const struct keyfile *keyfile, const char *group, const char *key);

/* GKeyFile booleans: "true"/"false"/"1"/"0".  Returns 0 or QGA_EINVAL. */
int keyfile_parse_bool(const char *text, bool *out);

/* Escape a value for writing back (GKeyFile's g_key_file_set_string: \\ \n \t \r, a leading
 * blank as \s), so that keyfile_parse() reads the same string.  malloc'd; NULL when out of memory. */
char *keyfile_escape(const char *value);

void keyfile_clear(struct keyfile *keyfile);   /* accepts a cleared or NULL keyfile */

#endif
