/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Enabling a privilege in the agent's own token (SE_SHUTDOWN_NAME, SE_SYSTEMTIME_NAME, ...). */
#ifndef QGA_PLATFORM_PRIVILEGE_H
#define QGA_PLATFORM_PRIVILEGE_H

#include <stdint.h>
#include <wchar.h>

/* Enables name (e.g. L"SeShutdownPrivilege") for the process.  A privilege the account does not
 * hold is a failure (ERROR_NOT_ALL_ASSIGNED), not the silent success AdjustTokenPrivileges gives.
 * Returns 0 or a negative QGA_E* with *win32_error set for the message.  Any thread. */
int privilege_enable(const wchar_t *name, uint32_t *win32_error);

#endif
