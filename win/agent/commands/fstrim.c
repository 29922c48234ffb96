/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-fstrim: "defrag /L" (retrim) on every fixed volume that has a mount path, with a result
 * (and error, if any) per path. */
#include <windows.h>

#include <inttypes.h>
#include <stdlib.h>

#include "commands/commands.h"
#include "commands/exec.h"
#include "core/fstrim-output.h"
#include "core/platform.h"
#include "platform/error.h"
#include "platform/utf.h"

/* Retrim of a large thin-provisioned volume can take minutes; beyond this it is abandoned and
 * reported for that path, so one stuck volume cannot hold the agent forever. */
#define FSTRIM_VOLUME_TIMEOUT_MS (10 * 60 * 1000)
#define VOLUME_NAME_LEN          64     /* \\?\Volume{GUID}\ is 49 characters */
#define MOUNT_PATHS_LEN          1024

/* Retrim ("defrag /L") exists from Windows 8 (6.2); VerifyVersionInfo answers truthfully up to
 * that version even without a manifest. */
static bool is_windows8_or_later(void)
{
    OSVERSIONINFOEXW version = { .dwOSVersionInfoSize = sizeof(version), .dwMajorVersion = 6, .dwMinorVersion = 2 };
    DWORDLONG mask = VerSetConditionMask(VerSetConditionMask(0, VER_MAJORVERSION, VER_GREATER_EQUAL),
                                         VER_MINORVERSION, VER_GREATER_EQUAL);
    return VerifyVersionInfoW(&version, VER_MAJORVERSION | VER_MINORVERSION, mask);
}

/* The error text for one path, or NULL when defrag reported success. */
static struct json_value *trim_path(const char *path)
{
    const char *args[] = { "/L", path };
    struct exec_output output = { 0 };
    struct json_value *error = NULL;
    uint32_t status = 0, win32_error = 0;
    char *line = NULL, *text;
    int ret;

    ret = exec_run_system_program("defrag.exe", args, 2, FSTRIM_VOLUME_TIMEOUT_MS, &output, &status, &win32_error);
    if (ret == QGA_ETIMEDOUT)
    {
        error = json_stringf("defrag did not finish within %d minutes", FSTRIM_VOLUME_TIMEOUT_MS / 60000);
    }
    else if (ret < 0)
    {
        text = win32_error ? win32_error_text(win32_error) : NULL;
        error = json_stringf("failed to run defrag: %s", text ? text : qga_error_text(ret));
        free(text);
    }
    else if (fstrim_output_error((const char *)output.data, output.len, &line) < 0)
    {
        error = json_string("out of memory");
    }
    else if (line)
    {
        /* compat: defrag's own line carrying "(0x...)" is the error, as in qemu-ga. */
        error = json_string(line);
    }
    else if (status)
    {
        error = json_stringf("defrag failed with exit code %" PRIu32, status);
    }
    free(line);
    exec_output_clear(&output);
    return error;
}

static int add_volume(struct json_value *paths, const wchar_t *volume)
{
    wchar_t mounts[MOUNT_PATHS_LEN];
    DWORD len = 0;
    struct json_value *entry, *error;
    char *path = NULL;
    int ret;

    /* compat: a volume without a mount path is skipped, and only the first path is trimmed. */
    if (!GetVolumePathNamesForVolumeNameW(volume, mounts, MOUNT_PATHS_LEN, &len) || !mounts[0]) return 0;
    if (GetDriveTypeW(mounts) != DRIVE_FIXED) return 0;
    if ((ret = utf16_to_utf8(mounts, &path)) < 0) return ret;
    if (!(entry = json_object()) || json_object_set_string(entry, "path", path) < 0)
    {
        json_free(entry);
        free(path);
        return QGA_ENOMEM;
    }
    if ((error = trim_path(path)) && json_object_set(entry, "error", error) < 0)
    {
        json_free(entry);
        free(path);
        return QGA_ENOMEM;
    }
    free(path);
    return json_array_append(paths, entry);
}

int cmd_guest_fstrim(struct command_call *call)
{
    wchar_t volume[VOLUME_NAME_LEN];
    struct json_value *paths = NULL;
    HANDLE find;
    int ret = 0;

    /* compat: "minimum" is accepted and ignored: defrag has no such knob. */
    if (!is_windows8_or_later()) return call_errorf(call, QGA_ENOTSUP, "fstrim is only supported for Win8+");
    if (!(paths = json_array())) return QGA_ENOMEM;
    find = FindFirstVolumeW(volume, VOLUME_NAME_LEN);
    if (find == INVALID_HANDLE_VALUE)
    {
        json_free(paths);
        return call_win32_error(call, GetLastError(), "failed to find any volume");
    }
    do
    {
        if ((ret = add_volume(paths, volume)) < 0) break;
    } while (FindNextVolumeW(find, volume, VOLUME_NAME_LEN));
    FindVolumeClose(find);
    if (ret < 0 || !(call->result = json_object()))
    {
        json_free(paths);
        return QGA_ENOMEM;
    }
    ret = json_object_set(call->result, "paths", paths);
    return ret < 0 ? QGA_ENOMEM : 0;
}
