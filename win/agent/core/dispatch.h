/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Request validation, generic argument checking from the command table, command filtering and
 * replies (portable core; compat: qapi/qmp-dispatch.c wording, qga-reference.md §2 and §8). */
#ifndef QGA_CORE_DISPATCH_H
#define QGA_CORE_DISPATCH_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/compiler.h"
#include "core/json.h"
#include "core/error.h"

/* Accepted JSON types of an argument; several bits make a QAPI "alternate". */
enum arg_type
{
    ARG_INT       = 1 << 0,   /* JSON integer within int64 */
    ARG_NUMBER    = 1 << 1,   /* any JSON number */
    ARG_BOOL      = 1 << 2,
    ARG_STRING    = 1 << 3,
    ARG_ENUM      = 1 << 4,   /* string that must be one of arg_spec.enum_values */
    ARG_STR_LIST  = 1 << 5,   /* array of strings */
    ARG_ANY       = 1 << 6,   /* any value, checked by the handler */
};

enum arg_flags
{
    ARG_REQUIRED = 0,
    ARG_OPTIONAL = 1 << 0,
};

struct arg_spec
{
    const char *name;
    unsigned types;                   /* enum arg_type bits */
    unsigned flags;                   /* enum arg_flags */
    const char *const *enum_values;   /* NULL-terminated, for ARG_ENUM */
    const char *type_name;            /* for "expected: X" of alternates, e.g. "GuestExecCaptureOutput" */
};

enum command_flags
{
    CMD_ALLOWED_FROZEN   = 1 << 0,   /* on the frozen allow-list */
    CMD_NO_SUCCESS_REPLY = 1 << 1,   /* compat: 'success-response': false, nothing sent on success */
};

struct command_call;
typedef int (*command_handler)(struct command_call *call);

struct command
{
    const char *name;
    const struct arg_spec *args;      /* terminated by an entry with name NULL; NULL = no arguments */
    command_handler handler;
    unsigned flags;                   /* enum command_flags */
};

/* Name lists for --allow-rpcs / --block-rpcs.  Names are owned copies. */
struct name_list
{
    char **names;
    size_t count;
};
int name_list_add(struct name_list *list, const char *name);        /* 0 or QGA_ENOMEM; dedups */
int name_list_add_split(struct name_list *list, const char *text);  /* split on ',' and ';', trims */
bool name_list_contains(const struct name_list *list, const char *name);
void name_list_clear(struct name_list *list);

struct dispatcher
{
    const struct command *commands;   /* the table (sorted by name), borrowed */
    size_t command_count;
    const char *version;              /* guest-info "version", borrowed */
    struct name_list allow_rpcs;      /* empty = allow all */
    struct name_list block_rpcs;      /* block wins over allow */
    bool frozen;                      /* frozen allow-list applies */
    void *context;                    /* Windows layer state for handlers, borrowed */
    /* guest-info's reply, reused while the version and the enabled flags it was built for hold
     * (commands/protocol.c); owned, freed by dispatcher_clear(). */
    struct json_value *info_reply;
    bool *info_enabled;               /* command_count flags */
    const char *info_version;
};

/* The one place that decides whether a command may run now (compat: ga_command_is_allowed). */
bool dispatch_command_enabled(const struct dispatcher *dispatcher, const struct command *command);
const struct command *dispatch_find(const struct dispatcher *dispatcher, const char *name);

/* Handler context.  args is validated against the table (never NULL: an empty object when the
 * request had none).  A handler returns 0 and optionally sets result (NULL = {}), or returns a
 * negative QGA_E* code after call_error()/call_errorf() set the text; a code returned without a
 * text replies with the code's default text (error.h), e.g. "out of memory" for QGA_ENOMEM. */
struct command_call
{
    struct dispatcher *dispatcher;
    const struct command *command;
    const struct json_value *args;
    struct json_value *result;        /* owned by the call; freed by the dispatcher */
    int error_code;
    char *error_desc;                 /* owned */
    bool delimit_reply;               /* guest-sync-delimited: prefix the reply with 0xFF */
    bool result_borrowed;             /* result is not the call's (a reply kept for reuse): not freed */
    bool suppress_reply;              /* handler decided to send nothing (e.g. shutdown) */
};

int call_error(struct command_call *call, int code, const char *desc);
int call_errorf(struct command_call *call, int code, const char *fmt, ...) QGA_PRINTF(3, 4);
int call_verrorf(struct command_call *call, int code, const char *fmt, va_list ap);

/* Argument accessors for validated args (the dispatcher already checked types). */
bool arg_present(const struct command_call *call, const char *name);
int64_t arg_int(const struct command_call *call, const char *name, int64_t fallback);
double arg_number(const struct command_call *call, const char *name, double fallback);
bool arg_bool(const struct command_call *call, const char *name, bool fallback);
const char *arg_string(const struct command_call *call, const char *name, const char *fallback);
const struct json_value *arg_value(const struct command_call *call, const char *name);

/* Handle one parsed request (ownership of request passes in; NULL plus parse_error for a parse
 * error) and write the reply line, if any, to sink.  Returns 0 or the sink's error. */
int dispatch_request(struct dispatcher *dispatcher, struct json_value *request, const char *parse_error,
                     const struct json_sink *sink);

/* Builds {"error": {"class": ..., "desc": ...}} (+ "id" when id != NULL). */
struct json_value *dispatch_error_reply(int code, const char *desc, const struct json_value *id);

void dispatcher_clear(struct dispatcher *dispatcher);   /* frees the name lists and the kept guest-info */

#endif
