/* SPDX-License-Identifier: GPL-2.0-or-later */
/* State directory: creation with a restrictive ACL, counters and the frozen marker. */
#include <windows.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "core/config.h"
#include "core/error.h"
#include "core/keyfile.h"
#include "core/platform.h"
#include "platform/error.h"
#include "platform/security.h"
#include "platform/state.h"
#include "platform/utf.h"

#define STATE_FILE_MAX_BYTES  (64u << 10)

char *state_default_dir(void)
{
    WCHAR base[MAX_PATH];
    DWORD len = GetEnvironmentVariableW(L"ProgramData", base, MAX_PATH);
    char *base_utf8 = NULL, *dir;
    size_t size;

    if (!len || len >= MAX_PATH) wcscpy(base, L"C:\\ProgramData");
    if (utf16_to_utf8(base, &base_utf8) < 0) return NULL;
    size = strlen(base_utf8) + sizeof("\\qemu-ga");
    if ((dir = malloc(size))) snprintf(dir, size, "%s\\qemu-ga", base_utf8);
    free(base_utf8);
    return dir;
}

static int make_error(char **error, const char *what, const char *path, DWORD err)
{
    char text[1100];
    size_t size;

    if (error && (size = strlen(path) + strlen(what) + 1200) && (*error = malloc(size)))
        snprintf(*error, size, "%s '%s': %s", what, path, win32_error_text_buf(err, text, sizeof(text)));
    return win32_error_to_qga(err);
}

static int create_dirs(WCHAR *path_w, SECURITY_ATTRIBUTES *sa)
{
    WCHAR *slash;
    DWORD attributes = GetFileAttributesW(path_w);

    if (attributes != INVALID_FILE_ATTRIBUTES)
    {
        if (attributes & FILE_ATTRIBUTE_DIRECTORY) return 0;
        SetLastError(ERROR_DIRECTORY);
        return -1;
    }
    if (CreateDirectoryW(path_w, sa) || GetLastError() == ERROR_ALREADY_EXISTS) return 0;
    if (GetLastError() != ERROR_PATH_NOT_FOUND) return -1;
    /* Parents first (they get default ACLs: only our own directory is restricted). */
    if (!(slash = wcsrchr(path_w, L'\\')) || slash == path_w) return -1;
    *slash = 0;
    if (create_dirs(path_w, NULL) < 0)
    {
        *slash = L'\\';
        return -1;
    }
    *slash = L'\\';
    if (CreateDirectoryW(path_w, sa) || GetLastError() == ERROR_ALREADY_EXISTS) return 0;
    return -1;
}

int state_dir_create(const char *dir, char **error)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
    WCHAR *dir_w = NULL;
    bool existed;
    size_t len;
    int ret;

    if (error) *error = NULL;
    if ((ret = utf8_to_utf16(dir, &dir_w)) < 0) return ret;
    len = wcslen(dir_w);
    while (len > 3 && (dir_w[len - 1] == L'\\' || dir_w[len - 1] == L'/')) dir_w[--len] = 0;
    if ((ret = security_admin_only(&sa.lpSecurityDescriptor)) < 0) goto out;
    existed = GetFileAttributesW(dir_w) != INVALID_FILE_ATTRIBUTES;
    if (create_dirs(dir_w, &sa) < 0)
        ret = make_error(error, "unable to create state directory", dir, GetLastError());
    else if (existed && !security_is_admin_only(dir_w))
        /* Any user may create a folder in %ProgramData%: one made before the agent's first start
         * keeps its ACL, and whoever can write there can plant files (or links) that SYSTEM then
         * writes through.  Not changed behind the administrator's back, but said. */
        platform_log(LOG_WARNING, "state directory '%s' grants access to others than SYSTEM and "
                     "Administrators; restrict it (icacls \"%s\" /inheritance:r /grant:r "
                     "SYSTEM:(OI)(CI)F Administrators:(OI)(CI)F) or remove it and let the agent create it",
                     dir, dir);
out:
    LocalFree(sa.lpSecurityDescriptor);
    free(dir_w);
    return ret;
}

/* <state_dir>\<name> as UTF-16 (malloc'd). */
static int state_path(struct agent *agent, const char *name, WCHAR **out)
{
    size_t size = strlen(agent->state_dir) + strlen(name) + 2;
    char *path = malloc(size);
    int ret;

    *out = NULL;
    if (!path) return QGA_ENOMEM;
    snprintf(path, size, "%s\\%s", agent->state_dir, name);
    ret = utf8_to_utf16(path, out);
    free(path);
    return ret;
}

/* Read the whole state file into *out (keyfile); a missing file gives an empty keyfile. */
static int load_state(struct agent *agent, struct keyfile *out)
{
    WCHAR *path_w = NULL;
    HANDLE file = INVALID_HANDLE_VALUE;
    char *text = NULL;
    DWORD size, got = 0;
    int ret = 0;

    memset(out, 0, sizeof(*out));
    if ((ret = state_path(agent, CONFIG_STATE_FILE, &path_w)) < 0) return ret;
    file = CreateFileW(path_w, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (file == INVALID_HANDLE_VALUE)
    {
        DWORD err = GetLastError();
        ret = err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND ? 0 : win32_error_to_qga(err);
        goto out;
    }
    size = GetFileSize(file, NULL);
    if (size == INVALID_FILE_SIZE || size > STATE_FILE_MAX_BYTES)
    {
        ret = QGA_ERANGE;
        goto out;
    }
    if (!(text = malloc(size + 1)))
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    if (!ReadFile(file, text, size, &got, NULL))
    {
        ret = win32_error_to_qga(GetLastError());
        goto out;
    }
    ret = keyfile_parse(text, got, out, NULL);
out:
    if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
    free(text);
    free(path_w);
    return ret;
}

int state_read_counter(struct agent *agent, const char *name, int64_t fallback, int64_t *out)
{
    struct keyfile keyfile;
    const char *value;
    char *end;
    long long number;
    int ret;

    *out = fallback;
    if ((ret = load_state(agent, &keyfile)) < 0)
    {
        platform_log(LOG_WARNING, "state file unreadable, using %s=%" PRId64, name, fallback);
        return ret;
    }
    if ((value = keyfile_get(&keyfile, STATE_COUNTER_GROUP, name)))
    {
        number = strtoll(value, &end, 10);
        if (end != value && !*end) *out = number;
    }
    keyfile_clear(&keyfile);
    return 0;
}

/* flush: make the content durable before returning (a counter must survive a power loss). */
static int write_file(const WCHAR *path_w, const char *text, size_t len, bool flush)
{
    HANDLE file = CreateFileW(path_w, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    DWORD written = 0;
    int ret = 0;

    if (file == INVALID_HANDLE_VALUE) return win32_error_to_qga(GetLastError());
    if (!WriteFile(file, text, (DWORD)len, &written, NULL) || written != len
        || (flush && !FlushFileBuffers(file)))
        ret = win32_error_to_qga(GetLastError());
    CloseHandle(file);
    return ret;
}

int state_write_counter(struct agent *agent, const char *name, int64_t value)
{
    struct keyfile keyfile;
    WCHAR *path_w = NULL, *temp_w = NULL;
    char *text = NULL, line[128];
    size_t i, len = 0, size = 0;
    bool written = false;
    int ret;

    if ((ret = load_state(agent, &keyfile)) < 0) memset(&keyfile, 0, sizeof(keyfile));
    size = sizeof("[" STATE_COUNTER_GROUP "]\r\n") + sizeof(line);
    for (i = 0; i < keyfile.count; i++) size += strlen(keyfile.entries[i].key) + 40;
    if (!(text = malloc(size)))
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    len = (size_t)snprintf(text, size, "[" STATE_COUNTER_GROUP "]\r\n");
    for (i = 0; i < keyfile.count; i++)
    {
        const struct keyfile_entry *entry = &keyfile.entries[i];
        if (strcmp(entry->group, STATE_COUNTER_GROUP)) continue;
        if (!strcmp(entry->key, name))
        {
            len += (size_t)snprintf(text + len, size - len, "%s=%" PRId64 "\r\n", name, value);
            written = true;
        }
        else
        {
            /* other counters keep their value (numbers only: anything else is dropped) */
            char *end;
            long long number = strtoll(entry->value, &end, 10);
            if (end != entry->value && !*end)
                len += (size_t)snprintf(text + len, size - len, "%s=%lld\r\n", entry->key, number);
        }
    }
    if (!written) len += (size_t)snprintf(text + len, size - len, "%s=%" PRId64 "\r\n", name, value);

    if ((ret = state_path(agent, CONFIG_STATE_FILE, &path_w)) < 0) goto out;
    if ((ret = state_path(agent, CONFIG_STATE_FILE ".tmp", &temp_w)) < 0) goto out;
    if ((ret = write_file(temp_w, text, len, true)) < 0) goto out;
    if (!MoveFileExW(temp_w, path_w, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
    {
        ret = win32_error_to_qga(GetLastError());
        DeleteFileW(temp_w);
    }
out:
    if (ret < 0) platform_log(LOG_ERROR, "unable to save %s=%" PRId64 " in the state directory", name, value);
    keyfile_clear(&keyfile);
    free(text);
    free(path_w);
    free(temp_w);
    return ret;
}

int state_write_file(struct agent *agent, const char *name, const char *text, size_t len)
{
    WCHAR *path_w = NULL, *temp_w = NULL;
    size_t temp_len = strlen(name) + sizeof(".tmp");
    char *temp = malloc(temp_len);
    int ret;

    if (!temp) return QGA_ENOMEM;
    snprintf(temp, temp_len, "%s.tmp", name);
    if ((ret = state_path(agent, name, &path_w)) < 0 || (ret = state_path(agent, temp, &temp_w)) < 0) goto out;
    /* Like the frozen marker, our files only have to outlive the agent's process (a reboot ends
     * every freeze), and they are written on the way to a freeze: no flush. */
    if ((ret = write_file(temp_w, text, len, false)) < 0) goto out;
    if (!MoveFileExW(temp_w, path_w, MOVEFILE_REPLACE_EXISTING))
    {
        ret = win32_error_to_qga(GetLastError());
        DeleteFileW(temp_w);
    }
out:
    free(temp);
    free(path_w);
    free(temp_w);
    return ret;
}

int state_read_file(struct agent *agent, const char *name, size_t max_bytes, char **text, size_t *len)
{
    WCHAR *path_w = NULL;
    HANDLE file;
    DWORD size, got = 0;
    int ret;

    *text = NULL;
    *len = 0;
    if ((ret = state_path(agent, name, &path_w)) < 0) return ret;
    file = CreateFileW(path_w, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    free(path_w);
    if (file == INVALID_HANDLE_VALUE)
    {
        DWORD err = GetLastError();
        return err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND ? QGA_ENOENT : win32_error_to_qga(err);
    }
    size = GetFileSize(file, NULL);
    if (size == INVALID_FILE_SIZE || size > max_bytes) ret = QGA_ERANGE;
    else if (!(*text = malloc((size_t)size + 1))) ret = QGA_ENOMEM;
    else if (!ReadFile(file, *text, size, &got, NULL)) ret = win32_error_to_qga(GetLastError());
    CloseHandle(file);
    if (ret < 0)
    {
        free(*text);
        *text = NULL;
        return ret;
    }
    (*text)[got] = 0;
    *len = got;
    return 0;
}

int state_remove_file(struct agent *agent, const char *name)
{
    WCHAR *path_w = NULL;
    int ret;

    if ((ret = state_path(agent, name, &path_w)) < 0) return ret;
    if (!DeleteFileW(path_w) && GetLastError() != ERROR_FILE_NOT_FOUND) ret = win32_error_to_qga(GetLastError());
    free(path_w);
    return ret;
}

int state_set_frozen_marker(struct agent *agent, bool frozen)
{
    WCHAR *path_w = NULL;
    int ret;

    if ((ret = state_path(agent, STATE_FROZEN_MARKER, &path_w)) < 0) return ret;
    /* The marker only has to outlive the agent's process, not the machine (a reboot ends every
     * freeze), and the system's file cache keeps it: no flush, which would cost a disk round trip
     * on the way to the freeze.  compat: qemu-ga does not flush it either. */
    if (frozen)
        ret = write_file(path_w, "", 0, false);
    else if (!DeleteFileW(path_w) && GetLastError() != ERROR_FILE_NOT_FOUND)
        ret = win32_error_to_qga(GetLastError());
    free(path_w);
    return ret;
}

bool state_frozen_marker_present(struct agent *agent)
{
    WCHAR *path_w = NULL;
    bool present;

    if (state_path(agent, STATE_FROZEN_MARKER, &path_w) < 0) return false;
    present = GetFileAttributesW(path_w) != INVALID_FILE_ATTRIBUTES;
    free(path_w);
    return present;
}

void state_check_stale_marker(struct agent *agent)
{
    HANDLE frozen_event;

    if (!state_frozen_marker_present(agent)) return;
    /* The provider holds VSS's writes while our "frozen" event exists; then a freeze is still
     * being held by someone (e.g. a requester of a previous agent still exiting). */
    frozen_event = OpenEventW(SYNCHRONIZE, FALSE, QGA_EVENT_FROZEN_W);
    if (frozen_event)
    {
        CloseHandle(frozen_event);
        platform_log(LOG_WARNING, "frozen marker found in the state directory: the agent stopped while "
                     "frozen and a VSS freeze is still held");
        return;
    }
    platform_log(LOG_WARNING, "stale frozen marker found in the state directory (the agent stopped while "
                 "frozen); no VSS freeze is held, removing it");
    state_set_frozen_marker(agent, false);
}
