/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Security descriptors the agent puts on what it creates (state directory, log file). */
#ifndef QGA_PLATFORM_SECURITY_H
#define QGA_PLATFORM_SECURITY_H

/* A protected DACL granting full access to SYSTEM and Administrators only (inherited by files a
 * directory holds).  *out is a PSECURITY_DESCRIPTOR to free with LocalFree().  0 or QGA_E*. */
#define SECURITY_ADMIN_ONLY_SDDL_W L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
int security_admin_only(void **out);

#endif
