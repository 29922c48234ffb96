/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Registers (add) or removes (remove) fake PCI devices through SetupAPI in a Wine prefix, so the
 * Wine tests see virtio and QEMU devices in guest-get-devices (tests/wine/test_inventory.py owns
 * the table's meaning).  Exit status 0 on success; every failure is printed. */
#include <stdio.h>
#include <wchar.h>
#include <windows.h>
#include <initguid.h>
#include <devpkey.h>
#include <setupapi.h>
#include <cfgmgr32.h>

/* Exported since Vista, missing from mingw-w64's setupapi.h. */
WINSETUPAPI BOOL WINAPI SetupDiSetDevicePropertyW(HDEVINFO set, SP_DEVINFO_DATA *info, const DEVPROPKEY *key,
                                                  DEVPROPTYPE type, const BYTE *buffer, DWORD size,
                                                  DWORD flags);
int wmain(int argc, WCHAR **argv);

/* Our instances end in this, so removal never touches Wine's own devices. */
#define INSTANCE_MARKER_W L"\\QGATEST"

/* {4d36e97d-e325-11ce-bfc1-08002be10318}: the "System" device setup class. */
DEFINE_GUID(SYSTEM_CLASS_GUID, 0x4d36e97d, 0xe325, 0x11ce, 0xbf, 0xc1, 0x08, 0x00, 0x2b, 0xe1, 0x03, 0x18);

struct fake_device
{
    const WCHAR *hardware_ids;   /* REG_MULTI_SZ, double NUL-terminated */
    const WCHAR *description;    /* SPDRP_DEVICEDESC */
    const WCHAR *name;           /* DEVPKEY_NAME, NULL: none */
    const WCHAR *version;        /* DEVPKEY_Device_DriverVersion, NULL: no driver */
    ULONGLONG date;              /* DEVPKEY_Device_DriverDate (FILETIME), 0: none */
};

static const struct fake_device devices[] =
{
    { L"PCI\\VEN_1AF4&DEV_1002&SUBSYS_00051AF4&REV_00\0PCI\\VEN_1AF4&DEV_1002\0",
      L"VirtIO Balloon Driver", L"VirtIO Balloon Driver", L"100.94.104.26700", 133485408000000000ULL },
    { L"PCI\\VEN_1B36&DEV_000D&SUBSYS_11001AF4&REV_01\0",
      L"QEMU XHCI Host Controller", L"QEMU XHCI Host Controller", L"10.0.19041.1", 116444736000000000ULL },
    { L"PCI\\VEN_1AF4&DEV_1041&SUBSYS_11001AF4&REV_01\0",
      L"Red Hat VirtIO Ethernet Adapter", NULL, L"100.95.104.26800", 0 },
    { L"PCI\\VEN_1AF4&DEV_10\0PCI\\VEN_1AF4&DEV_1003&SUBSYS_00031AF4&REV_00\0",
      L"VirtIO Serial Driver", L"VirtIO Serial Driver", L"100.94.104.26700", 132539328000000000ULL },
    { L"PCI\\VEN_1AF4&DEV_1050&SUBSYS_11001AF4&REV_01\0",
      L"Microsoft Basic Display Adapter", L"Microsoft Basic Display Adapter", NULL, 0 },
    { L"PCI\\VEN_8086&DEV_100E&SUBSYS_11001AF4&REV_03\0",
      L"Intel(R) PRO/1000 MT Network Connection", L"Intel(R) PRO/1000 MT Network Connection",
      L"8.4.13.0", 132539328000000000ULL },
};

static size_t multi_sz_bytes(const WCHAR *list)
{
    const WCHAR *p = list;

    while (*p)
        p += wcslen(p) + 1;
    return (size_t)(p - list + 1) * sizeof(WCHAR);
}

static int add_devices(void)
{
    HDEVINFO set = SetupDiCreateDeviceInfoList(&SYSTEM_CLASS_GUID, NULL);
    int failures = 0;
    size_t i;

    if (set == INVALID_HANDLE_VALUE)
    {
        printf("SetupDiCreateDeviceInfoList failed: %lu\n", GetLastError());
        return 1;
    }
    for (i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
    {
        const struct fake_device *device = &devices[i];
        SP_DEVINFO_DATA info = { .cbSize = sizeof(info) };
        WCHAR instance[256];
        FILETIME date;
        BOOL ok;

        swprintf(instance, 256, L"%ls%ls%zu", device->hardware_ids, INSTANCE_MARKER_W, i);
        ok = SetupDiCreateDeviceInfoW(set, instance, &SYSTEM_CLASS_GUID, device->description, NULL, 0, &info)
             && SetupDiRegisterDeviceInfo(set, &info, 0, NULL, NULL, NULL)
             && SetupDiSetDeviceRegistryPropertyW(set, &info, SPDRP_HARDWAREID,
                                                  (const BYTE *)device->hardware_ids,
                                                  (DWORD)multi_sz_bytes(device->hardware_ids))
             && SetupDiSetDeviceRegistryPropertyW(set, &info, SPDRP_DEVICEDESC,
                                                  (const BYTE *)device->description,
                                                  (DWORD)((wcslen(device->description) + 1) * sizeof(WCHAR)));
        if (ok && device->name)
            ok = SetupDiSetDevicePropertyW(set, &info, &DEVPKEY_NAME, DEVPROP_TYPE_STRING,
                                           (const BYTE *)device->name,
                                           (DWORD)((wcslen(device->name) + 1) * sizeof(WCHAR)), 0);
        if (ok && device->version)
            ok = SetupDiSetDevicePropertyW(set, &info, &DEVPKEY_Device_DriverVersion, DEVPROP_TYPE_STRING,
                                           (const BYTE *)device->version,
                                           (DWORD)((wcslen(device->version) + 1) * sizeof(WCHAR)), 0);
        if (ok && device->date)
        {
            date.dwLowDateTime = (DWORD)device->date;
            date.dwHighDateTime = (DWORD)(device->date >> 32);
            ok = SetupDiSetDevicePropertyW(set, &info, &DEVPKEY_Device_DriverDate, DEVPROP_TYPE_FILETIME,
                                           (const BYTE *)&date, sizeof(date), 0);
        }
        if (!ok)
        {
            printf("adding %ls failed: %lu\n", instance, GetLastError());
            failures++;
        }
    }
    SetupDiDestroyDeviceInfoList(set);
    return failures != 0;
}

static int remove_devices(void)
{
    HDEVINFO set = SetupDiGetClassDevsW(NULL, NULL, NULL, DIGCF_ALLCLASSES);
    SP_DEVINFO_DATA info = { .cbSize = sizeof(info) };
    WCHAR instance[MAX_DEVICE_ID_LEN];
    int failures = 0;
    DWORD i;

    if (set == INVALID_HANDLE_VALUE)
    {
        printf("SetupDiGetClassDevsW failed: %lu\n", GetLastError());
        return 1;
    }
    for (i = 0; SetupDiEnumDeviceInfo(set, i, &info); i++)
    {
        if (!SetupDiGetDeviceInstanceIdW(set, &info, instance, MAX_DEVICE_ID_LEN, NULL)
            || !wcsstr(instance, INSTANCE_MARKER_W))
            continue;
        if (!SetupDiRemoveDevice(set, &info))
        {
            printf("removing %ls failed: %lu\n", instance, GetLastError());
            failures++;
        }
    }
    SetupDiDestroyDeviceInfoList(set);
    return failures != 0;
}

int wmain(int argc, WCHAR **argv)
{
    if (argc == 2 && !wcscmp(argv[1], L"add"))
        return add_devices();
    if (argc == 2 && !wcscmp(argv[1], L"remove"))
        return remove_devices();
    printf("usage: fake-devices add|remove\n");
    return 2;
}
