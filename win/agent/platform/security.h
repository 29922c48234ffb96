/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Security descriptors the agent puts on what it creates (state directory, log file). */
#ifndef QGA_PLATFORM_SECURITY_H
#define QGA_PLATFORM_SECURITY_H

#include <stdbool.h>
#include <wchar.h>

/* A protected DACL granting full access to SYSTEM and Administrators only (inherited by files a
 * directory holds).  *out is a PSECURITY_DESCRIPTOR to free with LocalFree().  0 or QGA_E*. */
#define SECURITY_ADMIN_ONLY_SDDL_W L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
int security_admin_only(void **out);

/* True when the DACL of path_w (a file or directory) allows nothing to anyone but SYSTEM, the
 * Administrators group and the account the agent runs as; false for a NULL DACL (everyone), any
 * other grantee (Users, CREATOR OWNER, Everyone...) or when it cannot be read.  Any thread. */
bool security_is_admin_only(const wchar_t *path_w);

/* Whether only SYSTEM, Administrators, TrustedInstaller and the agent's own account may change
 * path (a file or folder the agent runs as SYSTEM): no allow-ACE that applies to the object grants
 * anyone else write, append, delete, delete-child, change-permissions or take-ownership.  Returns
 * 0 (safe), QGA_EACCES with *who (malloc'd, e.g. "BUILTIN\Users" or "Everyone") naming the first
 * other account that may, or another negative QGA_E* when the security cannot be read.  Any thread. */
int security_check_admin_only(const wchar_t *path, char **who);

#endif
