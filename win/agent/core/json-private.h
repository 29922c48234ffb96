/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internals shared by json.c and json-parse.c (not for other modules). */
#ifndef QGA_CORE_JSON_PRIVATE_H
#define QGA_CORE_JSON_PRIVATE_H

#include "core/json.h"

/* Appends a member without looking for an existing key (the parser checks duplicates itself).
 * Takes ownership of key (malloc'd) and value, also on failure.  Returns 0 or QGA_ENOMEM. */
int json_object_append_owned(struct json_value *object, char *key, struct json_value *value);

/* A string value that takes ownership of data (malloc'd, len bytes plus a NUL), also on failure
 * (NULL returned).  For big strings that should not be copied. */
struct json_value *json_string_adopt(char *data, size_t len);

#endif
