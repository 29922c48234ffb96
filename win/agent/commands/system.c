/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-get-osinfo, guest-get-host-name, guest-get-timezone, guest-get-vcpus: what the guest is. */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

#include "commands/commands.h"
#include "core/inventory.h"
#include "core/osinfo.h"
#include "platform/error.h"
#include "platform/utf.h"
#include "platform/winapi.h"

#define CURRENT_VERSION_KEY_W L"SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
#define REG_READ_ATTEMPTS 4   /* a value may grow between sizing and reading it */

/* A REG_SZ value as UTF-8; *out stays NULL when the value is absent or unreadable.
 * Returns 0, QGA_ENOMEM or QGA_EINVAL (not valid UTF-16). */
static int reg_read_string(HKEY root, const WCHAR *subkey, const WCHAR *name, char **out)
{
    WCHAR *value_w = NULL;
    DWORD size = 0;
    LSTATUS status;
    int ret = 0, attempt;

    *out = NULL;
    for (attempt = 0; attempt < REG_READ_ATTEMPTS; attempt++)
    {
        status = RegGetValueW(root, subkey, name, RRF_RT_REG_SZ, NULL, value_w, &size);
        if (status == ERROR_SUCCESS && value_w)
        {
            ret = utf16_to_utf8(value_w, out);
            break;
        }
        if (status != ERROR_SUCCESS && status != ERROR_MORE_DATA)
            break;
        free(value_w);
        if (!(value_w = malloc(size ? size : sizeof(WCHAR))))
        {
            ret = QGA_ENOMEM;
            break;
        }
    }
    free(value_w);
    return ret;
}

static int set_optional_string(struct json_value *object, const char *key, const char *value)
{
    return value ? json_object_set_string(object, key, value) : 0;
}

int cmd_guest_get_osinfo(struct command_call *call)
{
    const struct winapi *api = winapi_get();
    OSVERSIONINFOEXW version = { .dwOSVersionInfoSize = sizeof(version) };
    const struct os_release *release;
    SYSTEM_INFO system;
    char *product = NULL, *pretty = NULL;
    char kernel_version[24], kernel_release[12];
    struct json_value *info = NULL;
    bool server;
    int ret;

    /* RtlGetVersion, not GetVersionEx: the latter lies (6.2) to unmanifested programs on 8.1+. */
    if (!api->RtlGetVersion || api->RtlGetVersion(&version) != 0)
        return call_errorf(call, QGA_EGENERIC, "failed to get the Windows version: RtlGetVersion failed");
    server = version.wProductType != VER_NT_WORKSTATION;
    release = osinfo_find_release(version.dwMajorVersion, version.dwMinorVersion, version.dwBuildNumber,
                                  server);
    GetNativeSystemInfo(&system);

    /* ProductName carries the edition ("Windows Server 2022 Datacenter"); optional. */
    ret = reg_read_string(HKEY_LOCAL_MACHINE, CURRENT_VERSION_KEY_W, L"ProductName", &product);
    if (ret == QGA_ENOMEM)
        goto out;
    if ((ret = osinfo_pretty_name(product, release, version.dwBuildNumber, server, &pretty)) < 0)
        goto out;

    snprintf(kernel_version, sizeof(kernel_version), "%lu.%lu", version.dwMajorVersion,
             version.dwMinorVersion);
    snprintf(kernel_release, sizeof(kernel_release), "%lu", version.dwBuildNumber);

    /* Member order of GuestOSInfo in qga/qapi-schema.json. */
    ret = QGA_ENOMEM;
    if (!(info = json_object())
        || json_object_set_string(info, "kernel-release", kernel_release) < 0
        || json_object_set_string(info, "kernel-version", kernel_version) < 0
        || json_object_set_string(info, "machine", osinfo_machine_name(system.wProcessorArchitecture)) < 0
        || json_object_set_string(info, "id", "mswindows") < 0
        || json_object_set_string(info, "name", "Microsoft Windows") < 0
        || set_optional_string(info, "pretty-name", pretty) < 0
        || set_optional_string(info, "version", release ? release->version : NULL) < 0
        || set_optional_string(info, "version-id", release ? release->version_id : NULL) < 0
        || json_object_set_string(info, "variant", server ? "server" : "client") < 0
        || json_object_set_string(info, "variant-id", server ? "server" : "client") < 0)
        goto out;
    call->result = info;
    info = NULL;
    ret = 0;
out:
    json_free(info);
    free(product);
    free(pretty);
    return ret < 0 ? ret : 0;
}

int cmd_guest_get_host_name(struct command_call *call)
{
    WCHAR name_w[MAX_COMPUTERNAME_LENGTH + 1];
    WCHAR *dns_w = NULL;
    DWORD size = 0;
    char *name = NULL;
    struct json_value *result = NULL;
    int ret;

    /* The DNS host name keeps its case and its full length (the NetBIOS name qemu-ga returns is
     * upper-case and cut at 15 characters); the NetBIOS name is the fallback. */
    if (!GetComputerNameExW(ComputerNameDnsHostname, NULL, &size) && GetLastError() == ERROR_MORE_DATA
        && (dns_w = malloc(size * sizeof(WCHAR)))
        && GetComputerNameExW(ComputerNameDnsHostname, dns_w, &size) && size)
    {
        ret = utf16_to_utf8(dns_w, &name);
    }
    else
    {
        size = ARRAYSIZE(name_w);
        if (!GetComputerNameW(name_w, &size))
        {
            ret = call_win32_error(call, GetLastError(), "failed to get host name");
            goto out;
        }
        ret = utf16_to_utf8(name_w, &name);
    }
    if (ret < 0)
    {
        ret = call_error(call, ret, "failed to convert the host name to UTF-8");
        goto out;
    }
    if (!(result = json_object()) || json_object_set_string(result, "host-name", name) < 0)
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    call->result = result;
    result = NULL;
out:
    json_free(result);
    free(name);
    free(dns_w);
    return ret;
}

int cmd_guest_get_timezone(struct command_call *call)
{
    TIME_ZONE_INFORMATION tz;
    const WCHAR *zone_w;
    struct json_value *result = NULL;
    char *zone = NULL;
    int32_t extra_bias;
    int ret;

    /* GetTimeZoneInformation applies this year's dynamic DST rules and says which half we are in. */
    switch (GetTimeZoneInformation(&tz))
    {
    case TIME_ZONE_ID_STANDARD:
        extra_bias = tz.StandardBias;
        zone_w = tz.StandardName;
        break;
    case TIME_ZONE_ID_DAYLIGHT:
        extra_bias = tz.DaylightBias;
        zone_w = tz.DaylightName;
        break;
    case TIME_ZONE_ID_UNKNOWN:   /* no daylight saving time in this zone */
        extra_bias = 0;
        zone_w = tz.StandardName;
        break;
    default:
        return call_win32_error(call, GetLastError(), "failed to get the time zone");
    }

    tz.StandardName[ARRAYSIZE(tz.StandardName) - 1] = 0;
    tz.DaylightName[ARRAYSIZE(tz.DaylightName) - 1] = 0;
    if (*zone_w && utf16_to_utf8(zone_w, &zone) == QGA_ENOMEM)
        return QGA_ENOMEM;

    ret = QGA_ENOMEM;
    /* Member order of GuestTimezone: zone, offset (seconds east of UTC). */
    if ((result = json_object())
        && set_optional_string(result, "zone", zone) == 0
        && json_object_set_int(result, "offset", timezone_offset_seconds(tz.Bias, extra_bias)) == 0)
    {
        call->result = result;
        result = NULL;
        ret = 0;
    }
    json_free(result);
    free(zone);
    return ret < 0 ? ret : 0;
}

/* Active processor masks of every processor group.  *masks is malloc'd. */
static int get_group_masks(uint64_t **masks, size_t *count, DWORD *error)
{
    const struct winapi *api = winapi_get();
    SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX *info = NULL;
    DWORD size = 0;
    WORD group;
    int ret;

    *masks = NULL;
    *count = 0;
    *error = 0;
    if (!api->GetLogicalProcessorInformationEx)
    {
        /* Vista / Server 2008: one group, at most 64 processors. */
        SYSTEM_INFO system;

        GetNativeSystemInfo(&system);
        if (!(*masks = malloc(sizeof(**masks))))
            return QGA_ENOMEM;
        (*masks)[0] = system.dwActiveProcessorMask;
        *count = 1;
        return 0;
    }

    if (api->GetLogicalProcessorInformationEx(RelationGroup, NULL, &size)
        || GetLastError() != ERROR_INSUFFICIENT_BUFFER)
    {
        *error = GetLastError();
        return QGA_EGENERIC;
    }
    if (!(info = malloc(size)))
        return QGA_ENOMEM;
    if (!api->GetLogicalProcessorInformationEx(RelationGroup, info, &size))
    {
        *error = GetLastError();
        free(info);
        return QGA_EGENERIC;
    }
    /* RelationGroup yields one record describing all groups. */
    if (info->Relationship != RelationGroup || !info->Group.ActiveGroupCount)
        ret = QGA_EGENERIC;
    else if (!(*masks = calloc(info->Group.ActiveGroupCount, sizeof(**masks))))
        ret = QGA_ENOMEM;
    else
    {
        for (group = 0; group < info->Group.ActiveGroupCount; group++)
            (*masks)[group] = info->Group.GroupInfo[group].ActiveProcessorMask;
        *count = info->Group.ActiveGroupCount;
        ret = 0;
    }
    free(info);
    return ret;
}

int cmd_guest_get_vcpus(struct command_call *call)
{
    struct json_value *list;
    uint64_t *masks;
    size_t count;
    DWORD error;
    int ret;

    if ((ret = get_group_masks(&masks, &count, &error)) < 0)
    {
        if (error)
            return call_win32_error(call, error, "failed to get processor information");
        return call_error(call, ret,
                          ret == QGA_ENOMEM ? qga_error_text(ret) : "failed to get processor information");
    }
    if (!(list = json_array()))
    {
        free(masks);
        return QGA_ENOMEM;
    }
    ret = vcpus_from_group_masks(masks, count, list);
    free(masks);
    if (ret < 0)
    {
        json_free(list);
        /* compat: qemu-ga's text for an empty list. */
        return call_error(call, ret == QGA_ENOENT ? QGA_EGENERIC : ret,
                          ret == QGA_ENOENT ? "Guest reported zero VCPUs" : qga_error_text(ret));
    }
    call->result = list;
    return 0;
}
