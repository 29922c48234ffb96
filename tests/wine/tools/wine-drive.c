/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Adds or removes a drive letter in a running Wine prefix through Wine's mount manager extension
 * (IOCTL_MOUNTMGR_DEFINE_UNIX_DRIVE, what winecfg uses), so tests need no wineserver restart.
 *   wine-drive add LETTER TYPE [UNIX-DEVICE [UNIX-MOUNTPOINT]]   (TYPE: GetDriveType value, 5 = CD-ROM)
 *   wine-drive remove LETTER
 * Wine only: Windows has no such control code.  Exit status 0 on success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>
#include <winioctl.h>

/* include/ddk/mountmgr.h of Wine 8 (WINE_MOUNTMGR_EXTENSIONS). */
#define MOUNTMGR_CONTROL_TYPE 0x6d
#define IOCTL_MOUNTMGR_DEFINE_UNIX_DRIVE \
    CTL_CODE(MOUNTMGR_CONTROL_TYPE, 32, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)

struct mountmgr_unix_drive
{
    ULONG size;
    ULONG type;
    ULONG fs_type;
    DWORD serial;
    ULONGLONG unix_dev;
    WCHAR letter;
    USHORT mount_point_offset;
    USHORT device_offset;
    USHORT label_offset;
};

#define UNIX_PATH_MAX 1024

int wmain(int argc, WCHAR **argv);

/* Appends a unix path (UTF-8) after the structure; returns its offset, 0 for none. */
static USHORT append_path(char *buffer, size_t *used, const WCHAR *path_w)
{
    int len;
    USHORT offset = (USHORT)*used;

    if (!path_w || !*path_w)
        return 0;
    len = WideCharToMultiByte(CP_UTF8, 0, path_w, -1, buffer + *used, UNIX_PATH_MAX, NULL, NULL);
    if (len <= 0)
        return 0;
    *used += (size_t)len;
    return offset;
}

int wmain(int argc, WCHAR **argv)
{
    char buffer[sizeof(struct mountmgr_unix_drive) + 2 * UNIX_PATH_MAX];
    struct mountmgr_unix_drive *drive = (struct mountmgr_unix_drive *)buffer;
    size_t used = sizeof(*drive);
    HANDLE manager;
    DWORD bytes;
    BOOL ok;

    if (argc < 3 || (wcscmp(argv[1], L"add") && wcscmp(argv[1], L"remove"))
        || (!wcscmp(argv[1], L"add") && argc < 4))
    {
        printf("usage: wine-drive add LETTER TYPE [DEVICE [MOUNTPOINT]] | remove LETTER\n");
        return 2;
    }
    memset(buffer, 0, sizeof(buffer));
    drive->letter = towlower(argv[2][0]);
    if (!wcscmp(argv[1], L"add"))
    {
        drive->type = (ULONG)wcstoul(argv[3], NULL, 10);
        drive->device_offset = append_path(buffer, &used, argc > 4 ? argv[4] : NULL);
        drive->mount_point_offset = append_path(buffer, &used, argc > 5 ? argv[5] : NULL);
    }
    else
        drive->type = DRIVE_NO_ROOT_DIR;   /* Wine's way of deleting a drive */
    drive->size = (ULONG)used;

    manager = CreateFileW(L"\\\\.\\MountPointManager", GENERIC_READ | GENERIC_WRITE,
                          FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    if (manager == INVALID_HANDLE_VALUE)
    {
        printf("opening the mount manager failed: %lu\n", GetLastError());
        return 1;
    }
    ok = DeviceIoControl(manager, IOCTL_MOUNTMGR_DEFINE_UNIX_DRIVE, drive, (DWORD)used, NULL, 0, &bytes,
                         NULL);
    if (!ok)
        printf("IOCTL_MOUNTMGR_DEFINE_UNIX_DRIVE failed: %lu\n", GetLastError());
    CloseHandle(manager);
    return !ok;
}
