/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Security descriptors for what the agent creates: it runs as SYSTEM and takes input from the
 * host, so its state and logs are readable by SYSTEM and Administrators only (issue 11). */
#include <windows.h>
#include <sddl.h>

#include "platform/error.h"
#include "platform/security.h"

int security_admin_only(void **out)
{
    PSECURITY_DESCRIPTOR sd = NULL;

    *out = NULL;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(SECURITY_ADMIN_ONLY_SDDL_W, SDDL_REVISION_1,
                                                              &sd, NULL))
        return win32_error_to_qga(GetLastError());
    *out = sd;
    return 0;
}
