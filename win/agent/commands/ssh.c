/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-ssh-get/add/remove-authorized-keys for Win32-OpenSSH: administrators share
 * %ProgramData%\ssh\administrators_authorized_keys, other users have <profile>\.ssh\authorized_keys.
 * Every location is resolved through the system's own records (the user's profile path from the
 * ProfileList, ProgramData from the shell's folder API), so nothing a request carries picks a path. */
#include <windows.h>
#include <lm.h>
#include <sddl.h>
#include <shlobj.h>
#include <userenv.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "core/platform.h"
#include "core/ssh-keys.h"
#include "platform/error.h"
#include "platform/utf.h"

#define ADMIN_KEYS_NAME_W  L"administrators_authorized_keys"
#define USER_KEYS_NAME_W   L"authorized_keys"
#define PROFILE_LIST_KEY_W L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList"
/* authorized_keys files are small; a bigger one is not a key file we should rewrite. */
#define SSH_KEYS_FILE_MAX  (4 * 1024 * 1024)

/* sshd (Win32-OpenSSH) ignores a key file that anyone but SYSTEM, Administrators and the user may
 * write; a protected DACL with just those three is what it expects.  %ls is the user's SID. */
#define ADMIN_DIR_SDDL_W   L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"
#define ADMIN_FILE_SDDL_W  L"D:P(A;;FA;;;SY)(A;;FA;;;BA)"
#define USER_DIR_SDDL_W    L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;%ls)"
#define USER_FILE_SDDL_W   L"D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;%ls)"

struct ssh_user
{
    bool admin;
    wchar_t *sid;          /* string SID, LocalFree */
    wchar_t *dir;          /* the key file's directory, malloc'd */
    wchar_t *file;         /* the key file, malloc'd */
};

static void user_clear(struct ssh_user *user)
{
    if (user->sid) LocalFree(user->sid);
    free(user->dir);
    free(user->file);
    memset(user, 0, sizeof(*user));
}

static wchar_t *join_path(const wchar_t *dir, const wchar_t *name)
{
    size_t len = wcslen(dir) + 1 + wcslen(name) + 1;
    wchar_t *path = malloc(len * sizeof(*path));

    if (path) _snwprintf(path, len, L"%ls%ls%ls", dir, dir[0] && dir[wcslen(dir) - 1] == L'\\' ? L"" : L"\\", name);
    return path;
}

/* The profile directory Windows recorded for this SID, else <ProfilesDirectory>\<name> (a user
 * who never logged on has no profile yet; sshd then uses that path too). */
static wchar_t *profile_dir(const wchar_t *sid, const wchar_t *username)
{
    wchar_t key_path[256], raw[MAX_PATH], expanded[MAX_PATH], profiles[MAX_PATH];
    DWORD size = sizeof(raw), type = 0, len = MAX_PATH;
    HKEY key = NULL;
    LONG status;

    _snwprintf(key_path, sizeof(key_path) / sizeof(key_path[0]), L"%ls\\%ls", PROFILE_LIST_KEY_W, sid);
    status = RegOpenKeyExW(HKEY_LOCAL_MACHINE, key_path, 0, KEY_QUERY_VALUE, &key);
    if (status == ERROR_SUCCESS)
    {
        status = RegQueryValueExW(key, L"ProfileImagePath", NULL, &type, (BYTE *)raw, &size);
        RegCloseKey(key);
        if (status == ERROR_SUCCESS && (type == REG_SZ || type == REG_EXPAND_SZ) && size >= sizeof(wchar_t))
        {
            raw[sizeof(raw) / sizeof(raw[0]) - 1] = 0;
            raw[size / sizeof(wchar_t) < MAX_PATH ? size / sizeof(wchar_t) : MAX_PATH - 1] = 0;
            len = ExpandEnvironmentStringsW(raw, expanded, MAX_PATH);
            if (len && len <= MAX_PATH && expanded[0]) return _wcsdup(expanded);
        }
    }
    len = MAX_PATH;
    if (!GetProfilesDirectoryW(profiles, &len)) return NULL;
    return join_path(profiles, username);
}

/* compat: qemu-ga's "User %s was not found"; an administrator (USER_PRIV_ADMIN) uses the shared
 * administrators file, as Win32-OpenSSH's default sshd_config does. */
static int lookup_user(struct command_call *call, const char *username, struct ssh_user *user)
{
    USER_INFO_1 *info = NULL;
    wchar_t *username_w = NULL, *dir = NULL, domain[256], program_data[MAX_PATH];
    BYTE sid[SECURITY_MAX_SID_SIZE];
    DWORD sid_size = sizeof(sid), domain_len = sizeof(domain) / sizeof(domain[0]);
    SID_NAME_USE use;
    NET_API_STATUS status;
    int ret;

    memset(user, 0, sizeof(*user));
    if (utf8_to_utf16(username, &username_w) < 0 || !username_w[0] || wcspbrk(username_w, L"\\/:*?\"<>|"))
    {
        ret = call_errorf(call, QGA_EINVAL, "User %s was not found", username);
        goto out;
    }
    status = NetUserGetInfo(NULL, username_w, 1, (BYTE **)&info);
    if (status == NERR_UserNotFound)
    {
        ret = call_errorf(call, QGA_ENOENT, "User %s was not found", username);
        goto out;
    }
    if (status != NERR_Success)
    {
        ret = call_win32_error(call, status, "failed to look up user '%s'", username);
        goto out;
    }
    user->admin = info->usri1_priv == USER_PRIV_ADMIN;
    if (!LookupAccountNameW(NULL, username_w, sid, &sid_size, domain, &domain_len, &use) ||
        !ConvertSidToStringSidW((PSID)sid, &user->sid))
    {
        user->sid = NULL;
        ret = call_win32_error(call, GetLastError(), "failed to get the SID of user '%s'", username);
        goto out;
    }
    if (user->admin)
    {
        /* CSIDL_COMMON_APPDATA is FOLDERID_ProgramData; the CSIDL form needs no GUID from
         * libuuid (whose object also defines the GUID_DEVINTERFACE_* that disk.c defines). */
        if (FAILED(SHGetFolderPathW(NULL, CSIDL_COMMON_APPDATA, NULL, SHGFP_TYPE_CURRENT, program_data)))
        {
            ret = call_errorf(call, QGA_EGENERIC, "Failed to retrieve ProgramData folder");
            goto out;
        }
        dir = join_path(program_data, L"ssh");
        user->file = dir ? join_path(dir, ADMIN_KEYS_NAME_W) : NULL;
    }
    else
    {
        wchar_t *profile = profile_dir(user->sid, username_w);
        if (!profile)
        {
            ret = call_win32_error(call, GetLastError(), "failed to retrieve profiles directory");
            goto out;
        }
        dir = join_path(profile, L".ssh");
        free(profile);
        user->file = dir ? join_path(dir, USER_KEYS_NAME_W) : NULL;
    }
    if (!dir || !user->file)
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    user->dir = dir;
    dir = NULL;
    ret = 0;
out:
    if (ret < 0) user_clear(user);
    if (info) NetApiBufferFree(info);
    free(dir);
    free(username_w);
    return ret;
}

/* Reads the key file; a missing file (or directory) is an empty one. */
static int read_keys(struct command_call *call, const struct ssh_user *user, struct ssh_key_file *keys)
{
    LARGE_INTEGER size;
    char *data = NULL;
    DWORD got = 0;
    HANDLE file;
    int ret;

    file = CreateFileW(user->file, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE)
    {
        DWORD error = GetLastError();
        char *path = NULL;
        if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) return 0;
        utf16_to_utf8(user->file, &path);
        ret = call_win32_error(call, error, "failed to read '%s'", path ? path : "?");
        free(path);
        return ret;
    }
    if (!GetFileSizeEx(file, &size) || size.QuadPart > SSH_KEYS_FILE_MAX)
    {
        ret = call_errorf(call, QGA_EINVAL, "the authorized keys file is larger than %d bytes", SSH_KEYS_FILE_MAX);
        goto out;
    }
    if (!(data = malloc((size_t)size.QuadPart + 1)))
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    if (!ReadFile(file, data, (DWORD)size.QuadPart, &got, NULL))
    {
        ret = call_win32_error(call, GetLastError(), "failed to read the authorized keys file");
        goto out;
    }
    if (ssh_key_file_parse(data, got, keys) < 0)
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    ret = 0;
out:
    free(data);
    CloseHandle(file);
    return ret;
}

static int make_security(const struct ssh_user *user, bool directory, PSECURITY_DESCRIPTOR *sd)
{
    wchar_t sddl[256];

    if (user->admin) wcscpy(sddl, directory ? ADMIN_DIR_SDDL_W : ADMIN_FILE_SDDL_W);
    else _snwprintf(sddl, sizeof(sddl) / sizeof(sddl[0]), directory ? USER_DIR_SDDL_W : USER_FILE_SDDL_W, user->sid);
    sddl[sizeof(sddl) / sizeof(sddl[0]) - 1] = 0;
    return ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, sd, NULL) ? 0 : -1;
}

/* The user owns their profile: a .ssh that is a junction or symbolic link could send the agent
 * (SYSTEM) to write elsewhere.  Refuse to follow one, for the directory and the file. */
static int refuse_links(struct command_call *call, const struct ssh_user *user)
{
    const wchar_t *paths[] = { user->dir, user->file };

    for (int i = 0; i < 2; i++)
    {
        DWORD attributes = GetFileAttributesW(paths[i]);
        if (attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_REPARSE_POINT))
        {
            char *path = NULL;
            int ret;
            utf16_to_utf8(paths[i], &path);
            ret = call_errorf(call, QGA_EACCES, "refusing to write through the link '%s'", path ? path : "?");
            free(path);
            return ret;
        }
    }
    return 0;
}

/* Writes the file through a temporary in the same directory that carries the ACL from birth, then
 * replaces the old file: sshd never sees a half-written file or one with inherited permissions. */
static int write_keys(struct command_call *call, const struct ssh_user *user, const struct ssh_key_file *keys)
{
    SECURITY_ATTRIBUTES attributes = { sizeof(attributes), NULL, FALSE };
    PSECURITY_DESCRIPTOR sd = NULL;
    wchar_t *temp = NULL;
    char *text = NULL;
    size_t len = 0;
    DWORD written = 0;
    HANDLE file = INVALID_HANDLE_VALUE;
    int ret;

    if ((ret = refuse_links(call, user)) < 0) goto out;
    if (GetFileAttributesW(user->dir) == INVALID_FILE_ATTRIBUTES)
    {
        if (make_security(user, true, &sd) < 0)
        {
            ret = call_win32_error(call, GetLastError(), "failed to build the key directory's ACL");
            goto out;
        }
        attributes.lpSecurityDescriptor = sd;
        if (!CreateDirectoryW(user->dir, &attributes))
        {
            ret = call_win32_error(call, GetLastError(), "failed to create the key directory");
            goto out;
        }
        LocalFree(sd);
        sd = NULL;
    }
    if (make_security(user, false, &sd) < 0)
    {
        ret = call_win32_error(call, GetLastError(), "failed to build the key file's ACL");
        goto out;
    }
    attributes.lpSecurityDescriptor = sd;
    if (ssh_key_file_serialize(keys, &text, &len) < 0 || !(temp = join_path(user->dir, L"authorized_keys.qga-tmp")))
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    /* A leftover temporary would keep its old descriptor: CREATE_ALWAYS applies ours only to a
     * file it creates. */
    DeleteFileW(temp);
    file = CreateFileW(temp, GENERIC_WRITE, 0, &attributes, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE ||
        !WriteFile(file, text, (DWORD)len, &written, NULL) || written != len || !FlushFileBuffers(file))
    {
        ret = call_win32_error(call, GetLastError(), "failed to write the authorized keys file");
        goto out;
    }
    CloseHandle(file);
    file = INVALID_HANDLE_VALUE;
    if (!MoveFileExW(temp, user->file, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
    {
        ret = call_win32_error(call, GetLastError(), "failed to replace the authorized keys file");
        goto out;
    }
    /* A replaced file keeps the temporary's descriptor on NTFS; set it anyway for file systems
     * and older files that kept an inherited one. */
    SetFileSecurityW(user->file, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, sd);
    ret = 0;
out:
    if (file != INVALID_HANDLE_VALUE)
    {
        CloseHandle(file);
        DeleteFileW(temp);
    }
    if (sd) LocalFree(sd);
    free(temp);
    free(text);
    return ret;
}

/* compat: every key is checked before anything is read or written. */
static int check_keys(struct command_call *call, const struct json_value *keys)
{
    for (size_t i = 0; i < keys->u.array.count; i++)
    {
        const struct json_value *key = keys->u.array.items[i];
        if (ssh_key_check(key->u.string.data, key->u.string.len) < 0)
            return call_errorf(call, QGA_EINVAL, "invalid OpenSSH public key: '%s'", key->u.string.data);
    }
    return 0;
}

static int add_key_to_list(void *opaque, const char *key, size_t len)
{
    struct json_value *item = json_string_len(key, len);
    return item ? json_array_append(opaque, item) : QGA_ENOMEM;
}

int cmd_guest_ssh_get_authorized_keys(struct command_call *call)
{
    struct ssh_key_file keys = { 0 };
    struct ssh_user user;
    struct json_value *list = NULL;
    int ret;

    if ((ret = lookup_user(call, arg_string(call, "username", ""), &user)) < 0) return ret;
    /* A user without a key file has no keys (qemu-ga answers "failed to read"; docs/compat.md). */
    if ((ret = read_keys(call, &user, &keys)) < 0) goto out;
    if (!(list = json_array()) || ssh_key_file_for_each_key(&keys, add_key_to_list, list) < 0 ||
        !(call->result = json_object()))
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    ret = json_object_set(call->result, "keys", list);   /* takes list, even on failure */
    list = NULL;
    if (ret < 0) ret = QGA_ENOMEM;
out:
    json_free(list);
    ssh_key_file_clear(&keys);
    user_clear(&user);
    return ret;
}

int cmd_guest_ssh_add_authorized_keys(struct command_call *call)
{
    const struct json_value *new_keys = arg_value(call, "keys");
    struct ssh_key_file keys = { 0 };
    struct ssh_user user;
    int ret;

    if ((ret = check_keys(call, new_keys)) < 0) return ret;
    if ((ret = lookup_user(call, arg_string(call, "username", ""), &user)) < 0) return ret;
    if (!arg_bool(call, "reset", false) && (ret = read_keys(call, &user, &keys)) < 0) goto out;
    for (size_t i = 0; i < new_keys->u.array.count; i++)
    {
        if (ssh_key_file_add(&keys, new_keys->u.array.items[i]->u.string.data) < 0)
        {
            ret = QGA_ENOMEM;
            goto out;
        }
    }
    ret = write_keys(call, &user, &keys);
out:
    ssh_key_file_clear(&keys);
    user_clear(&user);
    return ret;
}

int cmd_guest_ssh_remove_authorized_keys(struct command_call *call)
{
    const struct json_value *old_keys = arg_value(call, "keys");
    struct ssh_key_file keys = { 0 };
    struct ssh_user user;
    size_t before;
    int ret;

    if ((ret = check_keys(call, old_keys)) < 0) return ret;
    if ((ret = lookup_user(call, arg_string(call, "username", ""), &user)) < 0) return ret;
    if ((ret = read_keys(call, &user, &keys)) < 0) goto out;
    before = keys.count;
    for (size_t i = 0; i < old_keys->u.array.count; i++)
        ssh_key_file_remove(&keys, old_keys->u.array.items[i]->u.string.data);
    /* Nothing removed (or no file at all): leave the file, its time and its ACL alone. */
    ret = keys.count == before ? 0 : write_keys(call, &user, &keys);
out:
    ssh_key_file_clear(&keys);
    user_clear(&user);
    return ret;
}
