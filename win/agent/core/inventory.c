/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pure logic behind the guest inventory commands (portable core; tests/unit/test-inventory.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/inventory.h"

/* --- Time ----------------------------------------------------------------------------------- */

bool filetime_to_unix_ns(uint64_t filetime, int64_t *out)
{
    int64_t ticks;

    *out = 0;
    /* int64 nanoseconds reach 2262-04-11; FILETIME itself goes far beyond. */
    if (filetime >= FILETIME_UNIX_EPOCH)
    {
        uint64_t since = filetime - FILETIME_UNIX_EPOCH;
        if (since > (uint64_t)INT64_MAX / 100)
            return false;
        *out = (int64_t)since * 100;
        return true;
    }
    ticks = (int64_t)(FILETIME_UNIX_EPOCH - filetime);
    if (ticks > INT64_MAX / 100)   /* before 1677-09-21 */
        return false;
    *out = -ticks * 100;
    return true;
}

double filetime_to_unix_seconds(uint64_t filetime)
{
    if (filetime >= FILETIME_UNIX_EPOCH)
        return (double)(filetime - FILETIME_UNIX_EPOCH) / 1e7;
    return -(double)(FILETIME_UNIX_EPOCH - filetime) / 1e7;
}

int64_t timezone_offset_seconds(int32_t bias, int32_t extra_bias)
{
    return -((int64_t)bias + extra_bias) * 60;
}

/* --- Load average --------------------------------------------------------------------------- */

static double ewma(double average, double sample, double factor)
{
    return average * factor + sample * (1.0 - factor);
}

void load_average_update(struct load_average *load, double sample)
{
    if (!(sample >= 0))   /* also NaN: a failed sample must not poison the averages */
        sample = 0;
    load->load1m = ewma(load->load1m, sample, LOAD_FACTOR_1M);
    load->load5m = ewma(load->load5m, sample, LOAD_FACTOR_5M);
    load->load15m = ewma(load->load15m, sample, LOAD_FACTOR_15M);
}

/* --- Disks ---------------------------------------------------------------------------------- */

/* Indexed by STORAGE_BUS_TYPE (winioctl.h); names from qga/qapi-schema.json GuestDiskBusType.
 * Unlike qemu-ga, Fibre Channel is "fibre", not "ssa". */
static const char *const bus_type_names[] =
{
    "unknown",               /* BusTypeUnknown           0x00 */
    "scsi",                  /* BusTypeScsi              0x01 */
    "ide",                   /* BusTypeAtapi             0x02 */
    "ide",                   /* BusTypeAta               0x03 */
    "ieee1394",              /* BusType1394              0x04 */
    "ssa",                   /* BusTypeSsa               0x05 */
    "fibre",                 /* BusTypeFibre             0x06 */
    "usb",                   /* BusTypeUsb               0x07 */
    "raid",                  /* BusTypeRAID              0x08 */
    "iscsi",                 /* BusTypeiScsi             0x09 */
    "sas",                   /* BusTypeSas               0x0A */
    "sata",                  /* BusTypeSata              0x0B */
    "sd",                    /* BusTypeSd                0x0C */
    "mmc",                   /* BusTypeMmc               0x0D */
    "virtual",               /* BusTypeVirtual           0x0E */
    "file-backed-virtual",   /* BusTypeFileBackedVirtual 0x0F */
    "unknown",               /* BusTypeSpaces            0x10: no schema name */
    "nvme",                  /* BusTypeNvme              0x11 */
    "unknown",               /* BusTypeSCM               0x12 */
    "unknown",               /* BusTypeUfs               0x13 */
};

const char *disk_bus_type_name(uint32_t storage_bus_type)
{
    if (storage_bus_type >= sizeof(bus_type_names) / sizeof(bus_type_names[0]))
        return "unknown";
    return bus_type_names[storage_bus_type];
}

bool disk_bus_has_scsi_address(uint32_t storage_bus_type)
{
    /* Miniports of these buses answer IOCTL_SCSI_GET_ADDRESS (viostor reports RAID, vioscsi SAS). */
    switch (storage_bus_type)
    {
    case 0x01: case 0x02: case 0x03: case 0x08: case 0x0A: case 0x0B:
        return true;
    default:
        return false;
    }
}

void pci_address_from_setupapi(bool have_bus, uint32_t bus, bool have_address, uint32_t address,
                               struct pci_address *out)
{
    out->domain = out->bus = out->slot = out->function = -1;
    if (!have_bus || !have_address)
        return;
    /* Windows exposes no PCI segment here; QEMU machines have one (compat: qemu-ga says 0). */
    out->domain = 0;
    out->bus = bus;
    out->slot = (address >> 16) & 0xffff;
    out->function = address & 0xffff;
}

static bool prefix_equal_nocase(const char *text, const char *prefix)
{
    for (; *prefix; text++, prefix++)
    {
        char c = *text;
        if (c >= 'a' && c <= 'z')
            c -= 'a' - 'A';
        if (c != *prefix)
            return false;
    }
    return true;
}

enum device_ancestor classify_device_ancestor(const char *instance_id)
{
    if (!instance_id || !*instance_id)
        return ANCESTOR_STOP;
    if (prefix_equal_nocase(instance_id, "PCI\\"))
        return ANCESTOR_PCI;
    if (prefix_equal_nocase(instance_id, "USB\\") || prefix_equal_nocase(instance_id, "USBSTOR\\")
        || prefix_equal_nocase(instance_id, "ROOT\\") || prefix_equal_nocase(instance_id, "HTREE\\")
        || prefix_equal_nocase(instance_id, "ACPI_HAL\\"))
        return ANCESTOR_STOP;
    return ANCESTOR_CONTINUE;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int disk_serial_from_descriptor(const uint8_t *buf, size_t received, uint32_t serial_offset, char **out)
{
    const char *start, *end;

    *out = NULL;
    if (!serial_offset || serial_offset >= received)
        return 0;
    start = (const char *)buf + serial_offset;
    end = memchr(start, 0, received - serial_offset);
    if (!end)
        end = (const char *)buf + received;
    while (start < end && is_blank(*start))
        start++;
    while (end > start && is_blank(end[-1]))
        end--;
    if (start == end)
        return 0;
    if (!(*out = malloc((size_t)(end - start) + 1)))
        return QGA_ENOMEM;
    memcpy(*out, start, (size_t)(end - start));
    (*out)[end - start] = 0;
    return 0;
}

void fsinfo_strip_mountpoint(char *path)
{
    size_t len = strlen(path);

    if (len && path[len - 1] == '\\')
        path[len - 1] = 0;
}

/* --- Network -------------------------------------------------------------------------------- */

bool format_mac(const uint8_t *bytes, size_t len, char *out, size_t out_size)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    if (!len || len > 32 || out_size < 3 * len)
        return false;
    for (i = 0; i < len; i++)
    {
        out[3 * i] = hex[bytes[i] >> 4];
        out[3 * i + 1] = hex[bytes[i] & 15];
        out[3 * i + 2] = i + 1 < len ? ':' : 0;
    }
    return true;
}

void format_ipv4(const uint8_t bytes[4], char out[IP_ADDRESS_TEXT_MAX])
{
    snprintf(out, IP_ADDRESS_TEXT_MAX, "%u.%u.%u.%u", bytes[0], bytes[1], bytes[2], bytes[3]);
}

void format_ipv6(const uint8_t bytes[16], char out[IP_ADDRESS_TEXT_MAX])
{
    static const uint8_t mapped_prefix[12] = { 0,0,0,0, 0,0,0,0, 0,0,0xff,0xff };
    unsigned groups[8];
    int best_start = -1, best_len = 0, run_start = -1, i;
    size_t pos = 0;

    if (!memcmp(bytes, mapped_prefix, sizeof(mapped_prefix)))
    {
        snprintf(out, IP_ADDRESS_TEXT_MAX, "::ffff:%u.%u.%u.%u", bytes[12], bytes[13], bytes[14], bytes[15]);
        return;
    }
    for (i = 0; i < 8; i++)
        groups[i] = (unsigned)bytes[2 * i] << 8 | bytes[2 * i + 1];
    /* RFC 5952 4.2: compress the longest run of two or more zero groups, the first on a tie. */
    for (i = 0; i <= 8; i++)
    {
        if (i < 8 && !groups[i])
        {
            if (run_start < 0)
                run_start = i;
            continue;
        }
        if (run_start >= 0 && i - run_start >= 2 && i - run_start > best_len)
        {
            best_start = run_start;
            best_len = i - run_start;
        }
        run_start = -1;
    }
    for (i = 0; i < 8; i++)
    {
        if (i == best_start)
        {
            pos += (size_t)snprintf(out + pos, IP_ADDRESS_TEXT_MAX - pos, i ? ":" : "::");
            i += best_len - 1;
            if (i == 7)
                break;
            continue;
        }
        pos += (size_t)snprintf(out + pos, IP_ADDRESS_TEXT_MAX - pos, "%x%s", groups[i], i < 7 ? ":" : "");
    }
}

/* --- Devices -------------------------------------------------------------------------------- */

static bool parse_hex4(const char *text, uint16_t *out)
{
    unsigned value = 0;
    int i;

    for (i = 0; i < 4; i++)
    {
        char c = text[i];
        value <<= 4;
        if (c >= '0' && c <= '9')
            value |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            value |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            value |= (unsigned)(c - 'A' + 10);
        else
            return false;
    }
    *out = (uint16_t)value;
    return true;
}

bool parse_pci_hardware_id(const char *hardware_id, uint16_t *vendor, uint16_t *device)
{
    /* "PCI\VEN_1AF4&DEV_1000&SUBSYS_00011AF4&REV_00": every hex digit counts (qemu-ga's regex
     * forgot C-F, dropping e.g. 1B36:000D, qga-reference.md §1). */
    static const char ven[] = "PCI\\VEN_", dev[] = "&DEV_";
    const char *p = hardware_id;
    uint16_t v, d;

    if (!p || !prefix_equal_nocase(p, ven))
        return false;
    p += sizeof(ven) - 1;
    if (!parse_hex4(p, &v))
        return false;
    p += 4;
    if (!prefix_equal_nocase(p, dev))
        return false;
    p += sizeof(dev) - 1;
    if (!parse_hex4(p, &d))
        return false;
    p += 4;
    if (*p && *p != '&')
        return false;
    *vendor = v;
    *device = d;
    return true;
}

bool device_vendor_reported(uint16_t vendor)
{
    return vendor == 0x1af4 || vendor == 0x1b36;
}

/* --- vCPUs ---------------------------------------------------------------------------------- */

int vcpus_from_group_masks(const uint64_t *masks, size_t group_count, struct json_value *list)
{
    int64_t id = 0;
    size_t group;
    unsigned bit;

    for (group = 0; group < group_count; group++)
    {
        for (bit = 0; bit < 64; bit++)
        {
            struct json_value *vcpu;

            if (!(masks[group] >> bit & 1))
                continue;
            if (!(vcpu = json_object()))
                return QGA_ENOMEM;
            if (json_object_set_int(vcpu, "logical-id", id++) < 0
                || json_object_set_bool(vcpu, "online", true) < 0
                || json_object_set_bool(vcpu, "can-offline", false) < 0)
            {
                json_free(vcpu);
                return QGA_ENOMEM;
            }
            if (json_array_append(list, vcpu) < 0)
                return QGA_ENOMEM;
        }
    }
    return id ? 0 : QGA_ENOENT;
}

/* --- Users ---------------------------------------------------------------------------------- */

static bool equal_nocase(const char *a, const char *b)
{
    for (;; a++, b++)
    {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x += 'a' - 'A';
        if (y >= 'A' && y <= 'Z')
            y += 'a' - 'A';
        if (x != y)
            return false;
        if (!x)
            return true;
    }
}

int users_add(struct json_value *list, const char *user, const char *domain, double login_time)
{
    struct json_value *entry;
    size_t i;

    if (!domain)
        domain = "";
    for (i = 0; i < list->u.array.count; i++)
    {
        struct json_value *item = list->u.array.items[i];
        const char *item_domain = json_object_get_string(item, "domain");
        const struct json_value *time;

        if (!equal_nocase(json_object_get_string(item, "user"), user)
            || !equal_nocase(item_domain ? item_domain : "", domain))
            continue;
        time = json_object_get(item, "login-time");
        if (time && time->type == JSON_DOUBLE && login_time < time->u.number)
            return json_object_set_double(item, "login-time", login_time);
        return 0;
    }

    if (!(entry = json_object()))
        return QGA_ENOMEM;
    if (json_object_set_string(entry, "user", user) < 0
        || json_object_set_double(entry, "login-time", login_time) < 0
        || (*domain && json_object_set_string(entry, "domain", domain) < 0))
    {
        json_free(entry);
        return QGA_ENOMEM;
    }
    return json_array_append(list, entry);
}
