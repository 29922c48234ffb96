/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Native stand-ins for the Windows command handlers, generated from WINDOWS_COMMAND_HANDLERS so
 * that commands/table.c links into the unit tests and fuzzers. */
#include "commands/commands.h"

#define X(fn) \
    int cmd_##fn(struct command_call *call) \
    { \
        return call_errorf(call, QGA_ENOTSUP, "stub: %s is not available in native tests", call->command->name); \
    }
WINDOWS_COMMAND_HANDLERS(X)
#undef X
