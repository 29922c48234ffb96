/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-get-disks, and the disk addresses (bus, serial, SCSI and PCI address) guest-get-fsinfo uses. */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>
#include <initguid.h>
#include <winioctl.h>
#include <ntddscsi.h>
#include <setupapi.h>
#include <cfgmgr32.h>

#include "commands/commands.h"
#include "commands/disk.h"
#include "core/inventory.h"
#include "core/platform.h"
#include "platform/error.h"
#include "platform/utf.h"

#define STORAGE_DESCRIPTOR_MAX (64 * 1024)   /* bound on what a driver may ask us to allocate */

static int compare_entries(const void *a, const void *b)
{
    const struct disk_entry *x = a, *y = b;

    if (x->device_type != y->device_type)
        return x->device_type < y->device_type ? -1 : 1;
    return x->number < y->number ? -1 : x->number > y->number;
}

/* Opens a device for queries only: no access right is needed for the IOCTLs used here. */
static HANDLE open_device(const WCHAR *path)
{
    HANDLE handle = CreateFileW(path, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    return handle == INVALID_HANDLE_VALUE ? NULL : handle;
}

static bool get_device_number(HANDLE device, STORAGE_DEVICE_NUMBER *number)
{
    DWORD bytes;
    return DeviceIoControl(device, IOCTL_STORAGE_GET_DEVICE_NUMBER, NULL, 0, number, sizeof(*number), &bytes,
                           NULL)
           && bytes >= sizeof(*number);
}

/* Adds every present device of one interface class to the index. */
static int index_class(struct disk_index *index, const GUID *class_guid)
{
    SP_DEVICE_INTERFACE_DATA iface = { .cbSize = sizeof(iface) };
    SP_DEVICE_INTERFACE_DETAIL_DATA_W *detail = NULL;
    HDEVINFO set;
    DWORD i, size;
    int ret = 0;

    set = SetupDiGetClassDevsW(class_guid, NULL, NULL, DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    if (set == INVALID_HANDLE_VALUE)
        return 0;
    for (i = 0; ret == 0 && SetupDiEnumDeviceInterfaces(set, NULL, class_guid, i, &iface); i++)
    {
        SP_DEVINFO_DATA devinfo = { .cbSize = sizeof(devinfo) };
        STORAGE_DEVICE_NUMBER number;
        struct disk_entry *grown;
        HANDLE device;

        size = 0;
        SetupDiGetDeviceInterfaceDetailW(set, &iface, NULL, 0, &size, NULL);
        if (GetLastError() != ERROR_INSUFFICIENT_BUFFER || size < sizeof(*detail))
            continue;
        free(detail);
        if (!(detail = malloc(size)))
        {
            ret = QGA_ENOMEM;
            break;
        }
        detail->cbSize = sizeof(*detail);
        if (!SetupDiGetDeviceInterfaceDetailW(set, &iface, detail, size, NULL, &devinfo))
            continue;
        if (!(device = open_device(detail->DevicePath)))
            continue;
        if (get_device_number(device, &number))
        {
            if (!(grown = realloc(index->entries, (index->count + 1) * sizeof(*grown))))
                ret = QGA_ENOMEM;
            else
            {
                index->entries = grown;
                index->entries[index->count++] = (struct disk_entry){ number.DeviceType, number.DeviceNumber,
                                                                       devinfo.DevInst };
            }
        }
        CloseHandle(device);
    }
    free(detail);
    SetupDiDestroyDeviceInfoList(set);
    return ret;
}

int disk_index_build(struct disk_index *index)
{
    int ret;

    if (index->built)
        return 0;
    index->built = true;
    if ((ret = index_class(index, &GUID_DEVINTERFACE_DISK)) < 0
        || (ret = index_class(index, &GUID_DEVINTERFACE_CDROM)) < 0)
    {
        disk_index_clear(index);
        return ret;
    }
    if (index->count)
        qsort(index->entries, index->count, sizeof(*index->entries), compare_entries);
    return 0;
}

void disk_index_clear(struct disk_index *index)
{
    free(index->entries);
    index->entries = NULL;
    index->count = 0;
    index->built = false;
}

static const struct disk_entry *index_find(const struct disk_index *index, DWORD device_type, DWORD number)
{
    struct disk_entry key = { device_type, number, 0 };

    if (!index->count)
        return NULL;
    return bsearch(&key, index->entries, index->count, sizeof(key), compare_entries);
}

/* Walks up the device tree from a disk to the PCI function of its controller. */
static void find_pci_controller(DWORD devinst, struct pci_address *pci)
{
    WCHAR id_w[MAX_DEVICE_ID_LEN];
    DEVINST node = devinst, parent;
    ULONG bus = 0, address = 0, size;
    enum device_ancestor kind = ANCESTOR_CONTINUE;
    char *id;
    int depth;

    pci_address_from_setupapi(false, 0, false, 0, pci);
    for (depth = 0; depth < DEVICE_ANCESTOR_MAX_DEPTH && kind == ANCESTOR_CONTINUE; depth++)
    {
        if (CM_Get_Parent(&parent, node, 0) != CR_SUCCESS
            || CM_Get_Device_IDW(parent, id_w, ARRAYSIZE(id_w), 0) != CR_SUCCESS
            || utf16_to_utf8(id_w, &id) < 0)
            return;
        node = parent;
        kind = classify_device_ancestor(id);
        free(id);
    }
    if (kind != ANCESTOR_PCI)
        return;
    size = sizeof(bus);
    bool have_bus = CM_Get_DevNode_Registry_PropertyW(node, CM_DRP_BUSNUMBER, NULL, &bus, &size, 0)
                    == CR_SUCCESS;
    size = sizeof(address);
    bool have_address = CM_Get_DevNode_Registry_PropertyW(node, CM_DRP_ADDRESS, NULL, &address, &size, 0)
                        == CR_SUCCESS;
    pci_address_from_setupapi(have_bus, bus, have_address, address, pci);
}

/* Bus type and serial number from the storage device descriptor. */
static int query_descriptor(HANDLE device, uint32_t *bus_type, char **serial)
{
    STORAGE_PROPERTY_QUERY query = { .PropertyId = StorageDeviceProperty,
                                     .QueryType = PropertyStandardQuery };
    STORAGE_DESCRIPTOR_HEADER header = { 0 };
    STORAGE_DEVICE_DESCRIPTOR *descriptor;
    DWORD bytes, size;
    int ret;

    *serial = NULL;
    if (!DeviceIoControl(device, IOCTL_STORAGE_QUERY_PROPERTY, &query, sizeof(query), &header, sizeof(header),
                         &bytes, NULL) || bytes < sizeof(header))
        return QGA_EIO;
    size = header.Size;
    if (size < sizeof(*descriptor))
        size = sizeof(*descriptor);
    if (size > STORAGE_DESCRIPTOR_MAX)
        size = STORAGE_DESCRIPTOR_MAX;
    if (!(descriptor = calloc(1, size)))
        return QGA_ENOMEM;
    if (!DeviceIoControl(device, IOCTL_STORAGE_QUERY_PROPERTY, &query, sizeof(query), descriptor, size,
                         &bytes, NULL)
        || bytes < offsetof(STORAGE_DEVICE_DESCRIPTOR, RawPropertiesLength))
    {
        free(descriptor);
        return QGA_EIO;
    }
    *bus_type = descriptor->BusType;
    ret = disk_serial_from_descriptor((const uint8_t *)descriptor, bytes, descriptor->SerialNumberOffset,
                                      serial);
    free(descriptor);
    return ret;
}

static struct json_value *pci_json(const struct pci_address *pci)
{
    struct json_value *object = json_object();

    if (!object || json_object_set_int(object, "domain", pci->domain) < 0
        || json_object_set_int(object, "bus", pci->bus) < 0
        || json_object_set_int(object, "slot", pci->slot) < 0
        || json_object_set_int(object, "function", pci->function) < 0)
    {
        json_free(object);
        return NULL;
    }
    return object;
}

int disk_address(struct disk_index *index, HANDLE device, const char *dev, struct json_value **out)
{
    struct pci_address pci;
    STORAGE_DEVICE_NUMBER number;
    SCSI_ADDRESS scsi = { 0 };
    const struct disk_entry *entry = NULL;
    struct json_value *address = NULL, *controller;
    uint32_t bus_type = 0;
    char *serial = NULL;
    DWORD bytes;
    int ret;

    *out = NULL;
    if ((ret = query_descriptor(device, &bus_type, &serial)) < 0)
        return ret;

    pci_address_from_setupapi(false, 0, false, 0, &pci);
    if (get_device_number(device, &number))
    {
        if ((ret = disk_index_build(index)) < 0)
            goto out;
        if ((entry = index_find(index, number.DeviceType, number.DeviceNumber)))
            find_pci_controller(entry->devinst, &pci);
    }
    /* compat: bus/target/unit are 0 where the bus has no SCSI address, as qemu-ga reports. */
    if (disk_bus_has_scsi_address(bus_type)
        && !DeviceIoControl(device, IOCTL_SCSI_GET_ADDRESS, NULL, 0, &scsi, sizeof(scsi), &bytes, NULL))
        memset(&scsi, 0, sizeof(scsi));

    /* Member order of GuestDiskAddress: pci-controller, bus-type, bus, target, unit, serial, dev. */
    ret = QGA_ENOMEM;
    if (!(address = json_object()) || !(controller = pci_json(&pci)))
        goto out;
    if (json_object_set(address, "pci-controller", controller) < 0
        || json_object_set_string(address, "bus-type", disk_bus_type_name(bus_type)) < 0
        || json_object_set_int(address, "bus", scsi.PathId) < 0
        || json_object_set_int(address, "target", scsi.TargetId) < 0
        || json_object_set_int(address, "unit", scsi.Lun) < 0
        || (serial && json_object_set_string(address, "serial", serial) < 0)
        || (dev && json_object_set_string(address, "dev", dev) < 0))
        goto out;
    *out = address;
    address = NULL;
    ret = 0;
out:
    json_free(address);
    free(serial);
    return ret;
}

/* One GuestDiskInfo; a disk that does not answer its queries is reported without address. */
static int add_disk(struct disk_index *index, DWORD number, struct json_value *list)
{
    WCHAR path_w[32];
    char name[32];
    struct json_value *disk = NULL, *address = NULL;
    HANDLE device;
    int ret;

    swprintf(path_w, ARRAYSIZE(path_w), L"\\\\.\\PhysicalDrive%lu", number);
    snprintf(name, sizeof(name), "\\\\.\\PhysicalDrive%lu", number);
    if ((device = open_device(path_w)))
    {
        ret = disk_address(index, device, name, &address);
        CloseHandle(device);
        if (ret == QGA_ENOMEM)
            return ret;
    }

    /* Member order of GuestDiskInfo: name, partition, (dependencies), address. */
    ret = QGA_ENOMEM;
    if (!(disk = json_object())
        || json_object_set_string(disk, "name", name) < 0
        || json_object_set_bool(disk, "partition", false) < 0)
        goto out;
    if (address)
    {
        ret = json_object_set(disk, "address", address);   /* owns address, even on failure */
        address = NULL;
        if (ret < 0)
            goto out;
    }
    ret = json_array_append(list, disk);
    disk = NULL;
out:
    json_free(address);
    json_free(disk);
    return ret;
}

int cmd_guest_get_disks(struct command_call *call)
{
    struct disk_index index = { 0 };
    struct json_value *list;
    size_t i;
    int ret;

    if (!(list = json_array()))
        return QGA_ENOMEM;
    ret = disk_index_build(&index);
    for (i = 0; ret == 0 && i < index.count; i++)
    {
        if (index.entries[i].device_type == FILE_DEVICE_DISK)
            ret = add_disk(&index, index.entries[i].number, list);
    }
    disk_index_clear(&index);
    if (ret < 0)
    {
        json_free(list);
        return ret;
    }
    call->result = list;
    return 0;
}
