/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Security descriptors for what the agent creates: it runs as SYSTEM and takes input from the
 * host, so its state and logs are readable by SYSTEM and Administrators only (issue 11). */
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <stdlib.h>

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

/* The account of this process (LocalSystem as a service); malloc'd, NULL on failure. */
static TOKEN_USER *process_user(void)
{
    HANDLE token = NULL;
    TOKEN_USER *user = NULL;
    DWORD size = 0;

    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return NULL;
    GetTokenInformation(token, TokenUser, NULL, 0, &size);
    if (size && (user = malloc(size)) && !GetTokenInformation(token, TokenUser, user, size, &size))
    {
        free(user);
        user = NULL;
    }
    CloseHandle(token);
    return user;
}

bool security_is_admin_only(const wchar_t *path_w)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    TOKEN_USER *user = NULL;
    ACL *dacl = NULL;
    BYTE system_sid[SECURITY_MAX_SID_SIZE], admins_sid[SECURITY_MAX_SID_SIZE];
    DWORD system_size = sizeof(system_sid), admins_size = sizeof(admins_sid);
    bool admin_only = false;
    WORD i;

    if (GetNamedSecurityInfoW(path_w, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, &dacl, NULL, &sd)
        != ERROR_SUCCESS || !dacl)
        goto out;
    if (!CreateWellKnownSid(WinLocalSystemSid, NULL, system_sid, &system_size)
        || !CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, admins_sid, &admins_size)
        || !(user = process_user()))
        goto out;
    admin_only = true;
    for (i = 0; i < dacl->AceCount && admin_only; i++)
    {
        ACE_HEADER *header;
        PSID sid;

        if (!GetAce(dacl, i, (void **)&header))
        {
            admin_only = false;
            break;
        }
        if (header->AceType == ACCESS_DENIED_ACE_TYPE) continue;
        if (header->AceType != ACCESS_ALLOWED_ACE_TYPE)
        {
            admin_only = false;     /* callback and object ACEs: not ours, so not admin-only */
            break;
        }
        if (!((ACCESS_ALLOWED_ACE *)header)->Mask) continue;
        sid = &((ACCESS_ALLOWED_ACE *)header)->SidStart;
        admin_only = EqualSid(sid, system_sid) || EqualSid(sid, admins_sid) || EqualSid(sid, user->User.Sid);
    }
out:
    free(user);
    LocalFree(sd);
    return admin_only;
}
