/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-get-fsinfo: every ready volume with its mount point, file system, usage and disks. */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>
#include <winioctl.h>

#include "commands/commands.h"
#include "commands/disk.h"
#include "core/inventory.h"
#include "core/platform.h"
#include "platform/error.h"
#include "platform/utf.h"

#define VOLUME_NAME_CHARS   64     /* "\\?\Volume{GUID}\" is 49 */
#define PATH_NAMES_ATTEMPTS 4      /* mount points can be added between sizing and reading */
#define EXTENTS_MAX         1024   /* bound on the extents of one volume */

/* compat: qemu-ga's mount point for a volume without drive letter or folder. */
#define NO_MOUNTPOINT "System Reserved"

/* The first mount point of a volume, without trailing backslash; NO_MOUNTPOINT when it has none.
 * Returns 0 or QGA_ENOMEM. */
static int get_mountpoint(const WCHAR *volume_w, char **out)
{
    WCHAR *paths_w = NULL;
    DWORD size = MAX_PATH, needed;
    int attempt, ret = 0;

    *out = NULL;
    for (attempt = 0; attempt < PATH_NAMES_ATTEMPTS; attempt++)
    {
        free(paths_w);
        if (!(paths_w = malloc(size * sizeof(WCHAR))))
            return QGA_ENOMEM;
        needed = 0;
        if (GetVolumePathNamesForVolumeNameW(volume_w, paths_w, size, &needed))
        {
            if (*paths_w && (ret = utf16_to_utf8(paths_w, out)) == 0)
                fsinfo_strip_mountpoint(*out);
            break;
        }
        if (GetLastError() != ERROR_MORE_DATA || needed <= size)
            break;
        size = needed;
    }
    free(paths_w);
    if (ret == QGA_ENOMEM)
        return ret;
    if (!*out && !(*out = _strdup(NO_MOUNTPOINT)))
        return QGA_ENOMEM;
    return 0;
}

/* The disks under a volume: one address per disk its extents lie on.  A volume that is not on a
 * disk (CD-ROM, some virtual drives) answers the storage queries itself. */
static int add_volume_disks(struct disk_index *index, HANDLE volume, const char *volume_dev,
                            struct json_value *disks)
{
    VOLUME_DISK_EXTENTS *extents;
    DWORD size = sizeof(*extents) + 15 * sizeof(DISK_EXTENT), bytes, i, j;
    struct json_value *address;
    int ret = 0;

    if (!(extents = malloc(size)))
        return QGA_ENOMEM;
    if (!DeviceIoControl(volume, IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS, NULL, 0, extents, size, &bytes, NULL))
    {
        DWORD error = GetLastError();

        if (error == ERROR_MORE_DATA && extents->NumberOfDiskExtents <= EXTENTS_MAX)
        {
            size = sizeof(*extents) + extents->NumberOfDiskExtents * sizeof(DISK_EXTENT);
            free(extents);
            if (!(extents = malloc(size)))
                return QGA_ENOMEM;
            if (!DeviceIoControl(volume, IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS, NULL, 0, extents, size, &bytes,
                                 NULL))
                extents->NumberOfDiskExtents = 0;
        }
        else
        {
            free(extents);
            if (error != ERROR_INVALID_FUNCTION)
                return 0;   /* no disk information: an empty list */
            if ((ret = disk_address(index, volume, volume_dev, &address)) == 0 && address)
                ret = json_array_append(disks, address);
            return ret == QGA_ENOMEM ? ret : 0;
        }
    }

    for (i = 0; ret == 0 && i < extents->NumberOfDiskExtents; i++)
    {
        DWORD number = extents->Extents[i].DiskNumber;
        WCHAR path_w[32];
        char dev[32];
        HANDLE disk;

        for (j = 0; j < i && extents->Extents[j].DiskNumber != number; j++)
            ;
        if (j < i)
            continue;   /* another extent on a disk already listed */
        swprintf(path_w, ARRAYSIZE(path_w), L"\\\\.\\PhysicalDrive%lu", number);
        snprintf(dev, sizeof(dev), "\\\\.\\PhysicalDrive%lu", number);
        disk = CreateFileW(path_w, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
        if (disk == INVALID_HANDLE_VALUE)
            continue;
        if ((ret = disk_address(index, disk, dev, &address)) == 0 && address)
            ret = json_array_append(disks, address);
        CloseHandle(disk);
        if (ret != QGA_ENOMEM)
            ret = 0;
    }
    free(extents);
    return ret;
}

/* One GuestFilesystemInfo.  A volume that is not ready (empty drive) or cannot be opened is
 * skipped: 0 and nothing added. */
static int add_volume(struct disk_index *index, WCHAR *volume_w, struct json_value *list)
{
    WCHAR fs_type_w[MAX_PATH + 1];
    ULARGE_INTEGER free_to_caller, total, total_free;
    struct json_value *info = NULL, *disks = NULL;
    char *name = NULL, *mountpoint = NULL, *fs_type = NULL, *device = NULL;
    size_t len = wcslen(volume_w);
    HANDLE volume;
    bool have_sizes;
    int ret;

    if (!len || volume_w[len - 1] != L'\\')
        return 0;
    /* The volume device is the GUID path without its trailing backslash. */
    volume_w[len - 1] = 0;
    volume = CreateFileW(volume_w, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    ret = utf16_to_utf8(volume_w, &device);
    volume_w[len - 1] = L'\\';
    if (volume == INVALID_HANDLE_VALUE)
    {
        platform_log(LOG_DEBUG, "guest-get-fsinfo: skipping volume %s (error %lu)", device ? device : "?",
                     GetLastError());
        free(device);
        return 0;
    }
    if (ret < 0)
        goto out;
    if (!GetVolumeInformationByHandleW(volume, NULL, 0, NULL, NULL, NULL, fs_type_w, ARRAYSIZE(fs_type_w)))
    {
        /* ERROR_NOT_READY: a drive without medium.  Anything else: not a file system we can name. */
        platform_log(LOG_DEBUG, "guest-get-fsinfo: skipping volume %s (error %lu)", device, GetLastError());
        ret = 0;
        goto out;
    }
    if ((ret = utf16_to_utf8(volume_w, &name)) < 0 || (ret = utf16_to_utf8(fs_type_w, &fs_type)) < 0
        || (ret = get_mountpoint(volume_w, &mountpoint)) < 0)
        goto out;
    have_sizes = GetDiskFreeSpaceExW(volume_w, &free_to_caller, &total, &total_free);

    ret = QGA_ENOMEM;
    if (!(disks = json_array()) || add_volume_disks(index, volume, device, disks) < 0)
        goto out;

    /* Member order of GuestFilesystemInfo: name, mountpoint, type, used-bytes, total-bytes, disk. */
    if (!(info = json_object())
        || json_object_set_string(info, "name", name) < 0
        || json_object_set_string(info, "mountpoint", mountpoint) < 0
        || json_object_set_string(info, "type", fs_type) < 0
        || (have_sizes && json_object_set_int(info, "used-bytes",
                                              (int64_t)(total.QuadPart - total_free.QuadPart)) < 0)
        || (have_sizes && json_object_set_int(info, "total-bytes", (int64_t)total.QuadPart) < 0))
        goto out;
    ret = json_object_set(info, "disk", disks);   /* owns disks, even on failure */
    disks = NULL;
    if (ret == 0)
    {
        ret = json_array_append(list, info);
        info = NULL;
    }
out:
    CloseHandle(volume);
    json_free(disks);
    json_free(info);
    free(name);
    free(mountpoint);
    free(fs_type);
    free(device);
    return ret == QGA_ENOMEM ? ret : 0;
}

int cmd_guest_get_fsinfo(struct command_call *call)
{
    struct disk_index index = { 0 };
    WCHAR volume_w[VOLUME_NAME_CHARS];
    struct json_value *list = NULL;
    HANDLE search;
    DWORD error;
    int ret;

    search = FindFirstVolumeW(volume_w, ARRAYSIZE(volume_w));
    if (search == INVALID_HANDLE_VALUE)
        return call_win32_error(call, GetLastError(), "failed to find the first volume");
    if (!(list = json_array()))
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    for (;;)
    {
        if ((ret = add_volume(&index, volume_w, list)) < 0)
        {
            ret = ret;
            goto out;
        }
        if (!FindNextVolumeW(search, volume_w, ARRAYSIZE(volume_w)))
        {
            if ((error = GetLastError()) != ERROR_NO_MORE_FILES)
            {
                ret = call_win32_error(call, error, "failed to find the next volume");
                goto out;
            }
            break;
        }
    }
    call->result = list;
    list = NULL;
    ret = 0;
out:
    json_free(list);
    disk_index_clear(&index);
    FindVolumeClose(search);
    return ret;
}
