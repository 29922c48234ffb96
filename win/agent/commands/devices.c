/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-get-devices: the virtio (1AF4) and QEMU (1B36) PCI devices and their drivers. */
#include <stdlib.h>
#include <windows.h>
#include <initguid.h>
#include <devpkey.h>
#include <setupapi.h>

#include "commands/commands.h"
#include "core/inventory.h"
#include "platform/error.h"
#include "platform/utf.h"

#define DEVICE_PROPERTY_MAX (64 * 1024)   /* bound on one property's size */

/* A property of one device into a new buffer of at least min_size bytes.  Returns 0 with *out
 * NULL when the device has no such property (or not of that type), QGA_ENOMEM. */
static int get_property(HDEVINFO set, SP_DEVINFO_DATA *devinfo, const DEVPROPKEY *key, DEVPROPTYPE want_type,
                        DWORD min_size, void **out)
{
    DEVPROPTYPE type;
    DWORD size = 0;
    void *buffer;

    *out = NULL;
    if (SetupDiGetDevicePropertyW(set, devinfo, key, &type, NULL, 0, &size, 0)
        || GetLastError() != ERROR_INSUFFICIENT_BUFFER || type != want_type || size < min_size
        || size > DEVICE_PROPERTY_MAX)
        return 0;
    /* Room for a terminator the driver may have left out. */
    if (!(buffer = calloc(1, size + sizeof(WCHAR))))
        return QGA_ENOMEM;
    if (!SetupDiGetDevicePropertyW(set, devinfo, key, &type, buffer, size, NULL, 0) || type != want_type)
    {
        free(buffer);
        return 0;
    }
    *out = buffer;
    return 0;
}

static int get_string_property(HDEVINFO set, SP_DEVINFO_DATA *devinfo, const DEVPROPKEY *key, char **out)
{
    WCHAR *value_w;
    int ret;

    *out = NULL;
    if ((ret = get_property(set, devinfo, key, DEVPROP_TYPE_STRING, sizeof(WCHAR), (void **)&value_w)) < 0
        || !value_w)
        return ret;
    ret = utf16_to_utf8(value_w, out);
    free(value_w);
    return ret == QGA_ENOMEM ? ret : 0;
}

/* The first hardware id naming a reported vendor.  Returns true with the ids; *ret is 0 or
 * QGA_ENOMEM. */
static bool find_pci_id(HDEVINFO set, SP_DEVINFO_DATA *devinfo, uint16_t *vendor, uint16_t *device, int *ret)
{
    WCHAR *ids_w = NULL, *id_w;
    DWORD size = 0, type;
    bool found = false;

    /* The registry property (REG_MULTI_SZ) works on every Windows and under Wine. */
    *ret = 0;
    if (SetupDiGetDeviceRegistryPropertyW(set, devinfo, SPDRP_HARDWAREID, &type, NULL, 0, &size)
        || GetLastError() != ERROR_INSUFFICIENT_BUFFER || type != REG_MULTI_SZ || size > DEVICE_PROPERTY_MAX)
        return false;
    /* Two more terminators than the value needs, in case the driver left them out. */
    if (!(ids_w = calloc(1, size + 2 * sizeof(WCHAR))))
    {
        *ret = QGA_ENOMEM;
        return false;
    }
    if (!SetupDiGetDeviceRegistryPropertyW(set, devinfo, SPDRP_HARDWAREID, &type, (BYTE *)ids_w, size, NULL)
        || type != REG_MULTI_SZ)
    {
        free(ids_w);
        return false;
    }
    for (id_w = ids_w; *id_w && !found; id_w += wcslen(id_w) + 1)
    {
        char *id = NULL;

        if (utf16_to_utf8(id_w, &id) == QGA_ENOMEM)
        {
            *ret = QGA_ENOMEM;
            break;
        }
        found = id && parse_pci_hardware_id(id, vendor, device) && device_vendor_reported(*vendor);
        free(id);
    }
    free(ids_w);
    return found;
}

/* A REG_SZ registry property of a device as UTF-8; *out NULL when absent. */
static int get_registry_string(HDEVINFO set, SP_DEVINFO_DATA *devinfo, DWORD property, char **out)
{
    WCHAR *value_w;
    DWORD size = 0, type;
    int ret;

    *out = NULL;
    if (SetupDiGetDeviceRegistryPropertyW(set, devinfo, property, &type, NULL, 0, &size)
        || GetLastError() != ERROR_INSUFFICIENT_BUFFER || type != REG_SZ || size > DEVICE_PROPERTY_MAX)
        return 0;
    if (!(value_w = calloc(1, size + sizeof(WCHAR))))
        return QGA_ENOMEM;
    ret = 0;
    if (SetupDiGetDeviceRegistryPropertyW(set, devinfo, property, &type, (BYTE *)value_w, size, NULL)
        && type == REG_SZ && *value_w)
        ret = utf16_to_utf8(value_w, out);
    free(value_w);
    return ret == QGA_ENOMEM ? ret : 0;
}

/* "driver-name": the device's display name (DEVPKEY_NAME: friendly name, else description),
 * looked up in the registry properties where the unified property is missing. */
static int get_name(HDEVINFO set, SP_DEVINFO_DATA *devinfo, char **out)
{
    int ret;

    if ((ret = get_string_property(set, devinfo, &DEVPKEY_NAME, out)) < 0 || *out)
        return ret;
    if ((ret = get_registry_string(set, devinfo, SPDRP_FRIENDLYNAME, out)) < 0 || *out)
        return ret;
    return get_registry_string(set, devinfo, SPDRP_DEVICEDESC, out);
}

/* One GuestDeviceInfo, or nothing for a device that is not ours or has no driver installed. */
static int add_device(HDEVINFO set, SP_DEVINFO_DATA *devinfo, struct json_value *list)
{
    struct json_value *entry = NULL, *id = NULL;
    char *name = NULL, *version = NULL;
    FILETIME *date = NULL;
    uint16_t vendor_id, device_id;
    int64_t date_ns;
    int ret;

    if (!find_pci_id(set, devinfo, &vendor_id, &device_id, &ret))
        return ret;
    /* compat: as qemu-ga, a device without driver version (no driver installed) is not listed. */
    if ((ret = get_string_property(set, devinfo, &DEVPKEY_Device_DriverVersion, &version)) < 0 || !version)
        goto out;
    if ((ret = get_name(set, devinfo, &name)) < 0 || !name)
        goto out;
    if ((ret = get_property(set, devinfo, &DEVPKEY_Device_DriverDate, DEVPROP_TYPE_FILETIME, sizeof(*date),
                            (void **)&date)) < 0)
        goto out;

    /* Member order of GuestDeviceInfo: driver-name, driver-date, driver-version, id. */
    ret = QGA_ENOMEM;
    if (!(entry = json_object())
        || json_object_set_string(entry, "driver-name", name) < 0
        || (date && filetime_to_unix_ns((uint64_t)date->dwHighDateTime << 32 | date->dwLowDateTime, &date_ns)
            && json_object_set_int(entry, "driver-date", date_ns) < 0)
        || json_object_set_string(entry, "driver-version", version) < 0)
        goto out;
    if (!(id = json_object())
        || json_object_set_string(id, "type", "pci") < 0
        || json_object_set_int(id, "vendor-id", vendor_id) < 0
        || json_object_set_int(id, "device-id", device_id) < 0)
        goto out;
    ret = json_object_set(entry, "id", id);   /* owns id, even on failure */
    id = NULL;
    if (ret == 0)
    {
        ret = json_array_append(list, entry);
        entry = NULL;
    }
out:
    json_free(id);
    json_free(entry);
    free(name);
    free(version);
    free(date);
    return ret;
}

int cmd_guest_get_devices(struct command_call *call)
{
    SP_DEVINFO_DATA devinfo = { .cbSize = sizeof(devinfo) };
    struct json_value *list;
    HDEVINFO set;
    DWORD i;
    int ret = 0;

    set = SetupDiGetClassDevsW(NULL, NULL, NULL, DIGCF_PRESENT | DIGCF_ALLCLASSES);
    if (set == INVALID_HANDLE_VALUE)
        return call_win32_error(call, GetLastError(), "failed to list devices");
    if (!(list = json_array()))
        ret = QGA_ENOMEM;
    for (i = 0; ret == 0 && SetupDiEnumDeviceInfo(set, i, &devinfo); i++)
        ret = add_device(set, &devinfo, list);
    SetupDiDestroyDeviceInfoList(set);
    if (ret < 0)
    {
        json_free(list);
        return ret;
    }
    call->result = list;
    return 0;
}
