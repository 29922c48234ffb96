/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OpenSSH authorized_keys handling for guest-ssh-*-authorized-keys: key validation and the
 * line-level edits (add with de-duplication, reset, remove), independent of where the file
 * lives and of its ACL (portable core). */
#ifndef QGA_CORE_SSH_KEYS_H
#define QGA_CORE_SSH_KEYS_H

#include <stdbool.h>
#include <stddef.h>

/* compat: qemu-ga's sanity check (commands-common-ssh.c) -- not empty, not a comment, one line --
 * plus no NUL or CR, which would corrupt the file in the same way as a newline.  Returns 0 or
 * QGA_EINVAL (the caller says "invalid OpenSSH public key: '%s'"). */
int ssh_key_check(const char *key, size_t len);

/* The file as lines, in order, without line ends (LF or CRLF on input). */
struct ssh_key_file
{
    char **lines;            /* owned */
    size_t count, capacity;
};

/* Parses file contents (out must be zeroed or cleared).  Returns 0 or QGA_ENOMEM. */
int ssh_key_file_parse(const char *data, size_t len, struct ssh_key_file *out);
/* Appends key unless a line equal to it (ignoring surrounding blanks) is there.  0 or QGA_ENOMEM. */
int ssh_key_file_add(struct ssh_key_file *file, const char *key);
/* Removes every line equal to key (ignoring surrounding blanks); comments stay. */
void ssh_key_file_remove(struct ssh_key_file *file, const char *key);
/* The lines that are keys: blank and '#' lines skipped, surrounding blanks trimmed.  Calls
 * fn for each in file order; stops and returns fn's first non-zero result. */
int ssh_key_file_for_each_key(const struct ssh_key_file *file,
                              int (*fn)(void *opaque, const char *key, size_t len), void *opaque);
/* Every line followed by "\n".  *out is malloc'd (owned by the caller).  0 or QGA_ENOMEM. */
int ssh_key_file_serialize(const struct ssh_key_file *file, char **out, size_t *len);
void ssh_key_file_clear(struct ssh_key_file *file);   /* frees the lines; reusable after */

#endif
