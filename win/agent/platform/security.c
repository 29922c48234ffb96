/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Security descriptors for what the agent creates: it runs as SYSTEM and takes input from the
 * host, so its state and logs are readable by SYSTEM and Administrators only (issue 11). */
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "platform/error.h"
#include "platform/security.h"
#include "platform/utf.h"

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

/* ---- what the agent runs: freeze hooks (issue 12) ---- */

/* Rights that let someone change what runs: the data, children, deletion, the DACL, the owner.
 * FILE_WRITE_ATTRIBUTES and FILE_WRITE_EA change nothing that executes. */
#define UNSAFE_RIGHTS (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_DELETE_CHILD | DELETE | WRITE_DAC | WRITE_OWNER | \
                       GENERIC_WRITE | GENERIC_ALL)
/* NT SERVICE\TrustedInstaller, which owns what Windows installs. */
#define TRUSTED_INSTALLER_SID_W L"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"

static bool sid_trusted(PSID sid, PSID self, PSID trusted_installer)
{
    if (IsWellKnownSid(sid, WinLocalSystemSid) || IsWellKnownSid(sid, WinBuiltinAdministratorsSid)) return true;
    /* CREATOR OWNER only means something in inheritable ACEs, which are skipped. */
    if (IsWellKnownSid(sid, WinCreatorOwnerSid)) return true;
    if (trusted_installer && EqualSid(sid, trusted_installer)) return true;
    return self && EqualSid(sid, self);
}

static char *sid_text(PSID sid)
{
    WCHAR name[256], domain[256], *string = NULL, *full;
    DWORD name_len = ARRAYSIZE(name), domain_len = ARRAYSIZE(domain);
    SID_NAME_USE use;
    char *text = NULL;

    if (LookupAccountSidW(NULL, sid, name, &name_len, domain, &domain_len, &use))
    {
        if ((full = malloc((wcslen(domain) + wcslen(name) + 2) * sizeof(WCHAR))))
        {
            swprintf(full, wcslen(domain) + wcslen(name) + 2, L"%ls%ls%ls", domain, *domain ? L"\\" : L"", name);
            utf16_to_utf8(full, &text);
            free(full);
        }
        return text;
    }
    if (ConvertSidToStringSidW(sid, &string))
    {
        utf16_to_utf8(string, &text);
        LocalFree(string);
    }
    return text;
}

int security_check_admin_only(const wchar_t *path, char **who)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    PACL dacl = NULL;
    PSID trusted_installer = NULL;
    TOKEN_USER *self = NULL;
    DWORD err;
    int ret = 0;
    WORD i;

    *who = NULL;
    err = GetNamedSecurityInfoW(path, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, &dacl, NULL, &sd);
    if (err != ERROR_SUCCESS) return win32_error_to_qga(err);
    if (!dacl)
    {
        *who = strdup("Everyone (no access list at all)");
        ret = QGA_EACCES;
        goto out;
    }
    ConvertStringSidToSidW(TRUSTED_INSTALLER_SID_W, &trusted_installer);
    /* The account the agent runs as (SYSTEM as a service) can do what the hooks do anyway. */
    self = process_user();
    for (i = 0; i < dacl->AceCount; i++)
    {
        ACE_HEADER *header;
        ACCESS_ALLOWED_ACE *ace;

        if (!GetAce(dacl, i, (void **)&header) || header->AceType != ACCESS_ALLOWED_ACE_TYPE) continue;
        if (header->AceFlags & INHERIT_ONLY_ACE) continue;
        ace = (ACCESS_ALLOWED_ACE *)header;
        if (!(ace->Mask & UNSAFE_RIGHTS)) continue;
        if (sid_trusted(&ace->SidStart, self ? self->User.Sid : NULL, trusted_installer)) continue;
        *who = sid_text(&ace->SidStart);
        if (!*who) *who = strdup("an account that is not an administrator");
        ret = QGA_EACCES;
        break;
    }
out:
    free(self);
    LocalFree(trusted_installer);
    LocalFree(sd);
    return ret;
}
