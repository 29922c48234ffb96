/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent's error codes, their wire classes and default texts (one X-macro, as libuv's UV_ERRNO_MAP). */
#ifndef QGA_CORE_ERROR_H
#define QGA_CORE_ERROR_H

/* X(name, wire class, default text) */
#define QGA_ERRNO_MAP(X) \
    X(GENERIC,     "GenericError",    "an error occurred") \
    X(CMDNOTFOUND, "CommandNotFound", "command not found") \
    X(NOMEM,       "GenericError",    "out of memory") \
    X(INVAL,       "GenericError",    "invalid argument") \
    X(NOTSUP,      "GenericError",    "this feature or command is not currently supported") \
    X(TIMEDOUT,    "GenericError",    "operation timed out") \
    X(IO,          "GenericError",    "input/output error") \
    X(ACCES,       "GenericError",    "access denied") \
    X(NOENT,       "GenericError",    "not found") \
    X(BUSY,        "GenericError",    "resource busy") \
    X(EXIST,       "GenericError",    "already exists") \
    X(RANGE,       "GenericError",    "value out of range") \
    X(CLOSED,      "GenericError",    "channel closed")

enum qga_errno_index
{
#define X(name, cls, text) QGA_ERRNO_INDEX_##name,
    QGA_ERRNO_MAP(X)
#undef X
    QGA_ERRNO_COUNT
};

/* Codes are negative: QGA_EGENERIC == -1, QGA_ECMDNOTFOUND == -2, ... */
enum qga_errno
{
    QGA_OK = 0,
#define X(name, cls, text) QGA_E##name = -1 - QGA_ERRNO_INDEX_##name,
    QGA_ERRNO_MAP(X)
#undef X
};

/* Wire class ("GenericError", "CommandNotFound") and default text of a negative code. */
const char *qga_error_class(int code);
const char *qga_error_text(int code);

#endif
