/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Disk addresses shared by guest-get-disks (disk.c) and guest-get-fsinfo (fsinfo.c). */
#ifndef QGA_COMMANDS_DISK_H
#define QGA_COMMANDS_DISK_H

#include <windows.h>

#include "core/json.h"

/* Storage devices of the system, by device type and number (PhysicalDriveN, CdRomN), with their
 * device-tree nodes.  Built on first use within one command and freed by disk_index_clear(), so
 * nothing outlives the reply. */
struct disk_entry
{
    DWORD device_type;   /* FILE_DEVICE_DISK or FILE_DEVICE_CD_ROM */
    DWORD number;
    DWORD devinst;       /* DEVINST */
};

struct disk_index
{
    struct disk_entry *entries;   /* sorted by (device_type, number) */
    size_t count;
    bool built;
};

/* Enumerates disk and CD-ROM interfaces once; later calls return at once.  A failed enumeration
 * leaves the index empty (the addresses then lack their PCI controller).  Returns 0 or QGA_ENOMEM. */
int disk_index_build(struct disk_index *index);
void disk_index_clear(struct disk_index *index);

/* GuestDiskAddress of an open storage device (PhysicalDriveN, or a volume that is not on a disk):
 * bus type and serial from IOCTL_STORAGE_QUERY_PROPERTY, bus/target/unit from
 * IOCTL_SCSI_GET_ADDRESS where the bus has them, the PCI controller from the device tree.  dev
 * is the name to report.  Returns 0, QGA_ENOMEM, or QGA_EIO when the device does not answer
 * (*out NULL: callers omit that address). */
int disk_address(struct disk_index *index, HANDLE device, const char *dev, struct json_value **out);

#endif
