/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of core/inventory.c: time conversions, load EWMA, bus types, PCI addresses, serials,
 * MAC and IP text, hardware ids, vCPU numbering and user de-duplication. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/inventory.h"
#include "unit.h"

TEST(inventory_filetime_conversions)
{
    int64_t ns;

    CHECK(filetime_to_unix_ns(FILETIME_UNIX_EPOCH, &ns));
    CHECK_INT(ns, 0);
    CHECK(filetime_to_unix_ns(FILETIME_UNIX_EPOCH + 1, &ns));
    CHECK_INT(ns, 100);
    CHECK(filetime_to_unix_ns(FILETIME_UNIX_EPOCH - 1, &ns));
    CHECK_INT(ns, -100);
    CHECK(!filetime_to_unix_ns(0, &ns));                       /* 1601-01-01: beyond int64 ns */
    CHECK(filetime_to_unix_ns(FILETIME_UNIX_EPOCH - (uint64_t)INT64_MAX / 100, &ns));
    CHECK_INT(ns, -(INT64_MAX / 100 * 100));
    CHECK(!filetime_to_unix_ns(FILETIME_UNIX_EPOCH - (uint64_t)INT64_MAX / 100 - 1, &ns));
    /* 2006-06-21, the date of many inbox drivers: 1150848000 s. */
    CHECK(filetime_to_unix_ns(FILETIME_UNIX_EPOCH + 11508480000000000ULL, &ns));
    CHECK_INT(ns, 1150848000000000000LL);
    /* The last representable instant and one tick after it. */
    CHECK(filetime_to_unix_ns(FILETIME_UNIX_EPOCH + (uint64_t)INT64_MAX / 100, &ns));
    CHECK_INT(ns, INT64_MAX / 100 * 100);
    CHECK(!filetime_to_unix_ns(FILETIME_UNIX_EPOCH + (uint64_t)INT64_MAX / 100 + 1, &ns));
    CHECK(!filetime_to_unix_ns(UINT64_MAX, &ns));

    CHECK(filetime_to_unix_seconds(FILETIME_UNIX_EPOCH) == 0.0);
    CHECK(filetime_to_unix_seconds(FILETIME_UNIX_EPOCH + 17000000000000000ULL + 5000000) == 1700000000.5);
    CHECK(filetime_to_unix_seconds(FILETIME_UNIX_EPOCH - 10000000) == -1.0);
}

TEST(inventory_timezone_offsets)
{
    CHECK_INT(timezone_offset_seconds(0, 0), 0);
    CHECK_INT(timezone_offset_seconds(-60, 0), 3600);        /* CET, standard time */
    CHECK_INT(timezone_offset_seconds(-60, -60), 7200);      /* CEST */
    CHECK_INT(timezone_offset_seconds(300, 0), -18000);      /* EST */
    CHECK_INT(timezone_offset_seconds(300, -60), -14400);    /* EDT */
    CHECK_INT(timezone_offset_seconds(-330, 0), 19800);      /* India, +05:30 */
    CHECK_INT(timezone_offset_seconds(-345, 0), 20700);      /* Nepal, +05:45 */
    CHECK_INT(timezone_offset_seconds(-630, -30), 39600);    /* Lord Howe summer: +11:00 */
    CHECK_INT(timezone_offset_seconds(720, 0), -43200);
    CHECK_INT(timezone_offset_seconds(-840, 0), 50400);      /* Kiribati, +14:00 */
}

TEST(inventory_load_ewma)
{
    struct load_average load = { 0, 0, 0 };
    int i;

    load_average_update(&load, 0);
    CHECK(load.load1m == 0 && load.load5m == 0 && load.load15m == 0);

    /* One sample of 1 from rest: 1 - factor. */
    load_average_update(&load, 1);
    CHECK(fabs(load.load1m - (1 - LOAD_FACTOR_1M)) < 1e-15);
    CHECK(fabs(load.load5m - (1 - LOAD_FACTOR_5M)) < 1e-15);
    CHECK(fabs(load.load15m - (1 - LOAD_FACTOR_15M)) < 1e-15);

    /* A steady queue of 2 for one minute (12 samples) from rest: load1m = 2 (1 - f^12). */
    load = (struct load_average){ 0, 0, 0 };
    for (i = 0; i < 12; i++)
        load_average_update(&load, 2);
    CHECK(fabs(load.load1m - 2 * (1 - pow(LOAD_FACTOR_1M, 12))) < 1e-12);
    /* After a minute the 1-minute average has reached 1 - 1/e of the step, as Linux's. */
    CHECK(fabs(load.load1m / 2 - (1 - exp(-1))) < 1e-9);
    CHECK(load.load1m > load.load5m && load.load5m > load.load15m);

    /* Converges to a constant input; never overshoots. */
    for (i = 0; i < 2000; i++)
        load_average_update(&load, 3);
    CHECK(fabs(load.load1m - 3) < 1e-9 && load.load1m <= 3);
    CHECK(fabs(load.load15m - 3) < 1e-3 && load.load15m <= 3);

    /* A failed (negative or NaN) sample counts as 0, not as garbage. */
    load = (struct load_average){ 1, 1, 1 };
    load_average_update(&load, NAN);
    CHECK(fabs(load.load1m - LOAD_FACTOR_1M) < 1e-15);
    load_average_update(&load, -5);
    CHECK(fabs(load.load1m - LOAD_FACTOR_1M * LOAD_FACTOR_1M) < 1e-15);

    /* The factors are exp(-5 s / period). */
    CHECK(fabs(LOAD_FACTOR_1M - exp(-5.0 / 60)) < 1e-15);
    CHECK(fabs(LOAD_FACTOR_5M - exp(-5.0 / 300)) < 1e-15);
    CHECK(fabs(LOAD_FACTOR_15M - exp(-5.0 / 900)) < 1e-15);
}

TEST(inventory_bus_types)
{
    static const char *const want[] =
    {
        "unknown", "scsi", "ide", "ide", "ieee1394", "ssa", "fibre", "usb", "raid", "iscsi", "sas",
        "sata", "sd", "mmc", "virtual", "file-backed-virtual", "unknown", "nvme", "unknown", "unknown",
    };
    uint32_t i;

    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        CHECK_STR(disk_bus_type_name(i), want[i]);
    CHECK_STR(disk_bus_type_name(20), "unknown");      /* BusTypeMax */
    CHECK_STR(disk_bus_type_name(0x7f), "unknown");    /* BusTypeMaxReserved */
    CHECK_STR(disk_bus_type_name(UINT32_MAX), "unknown");

    CHECK(disk_bus_has_scsi_address(1));
    CHECK(disk_bus_has_scsi_address(2));
    CHECK(disk_bus_has_scsi_address(3));
    CHECK(disk_bus_has_scsi_address(8));
    CHECK(disk_bus_has_scsi_address(10));
    CHECK(disk_bus_has_scsi_address(11));
    CHECK(!disk_bus_has_scsi_address(0));
    CHECK(!disk_bus_has_scsi_address(7));
    CHECK(!disk_bus_has_scsi_address(17));
    CHECK(!disk_bus_has_scsi_address(UINT32_MAX));
}

static void check_pci(bool have_bus, uint32_t bus, bool have_address, uint32_t address,
                      int64_t domain, int64_t want_bus, int64_t slot, int64_t function)
{
    struct pci_address pci;

    pci_address_from_setupapi(have_bus, bus, have_address, address, &pci);
    CHECK_INT(pci.domain, domain);
    CHECK_INT(pci.bus, want_bus);
    CHECK_INT(pci.slot, slot);
    CHECK_INT(pci.function, function);
}

TEST(inventory_pci_address)
{
    check_pci(true, 0, true, 0x00050000, 0, 0, 5, 0);      /* 00:05.0, virtio-blk on pc */
    check_pci(true, 3, true, 0x00000000, 0, 3, 0, 0);      /* 03:00.0 behind a q35 root port */
    check_pci(true, 0, true, 0x001f0002, 0, 0, 31, 2);     /* 00:1f.2, q35 AHCI */
    check_pci(true, 255, true, 0x001f0007, 0, 255, 31, 7);
    check_pci(false, 0, true, 0x00050000, -1, -1, -1, -1);
    check_pci(true, 0, false, 0, -1, -1, -1, -1);
    check_pci(false, 0, false, 0, -1, -1, -1, -1);
}

TEST(inventory_device_ancestors)
{
    CHECK_INT(classify_device_ancestor("PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00\\3&13C0B0C5&0&28"),
              ANCESTOR_PCI);
    CHECK_INT(classify_device_ancestor("pci\\ven_8086&dev_2922\\3&1"), ANCESTOR_PCI);
    CHECK_INT(classify_device_ancestor("SCSI\\DISK&VEN_QEMU&PROD_HARDDISK\\4&1"), ANCESTOR_CONTINUE);
    CHECK_INT(classify_device_ancestor("PCIIDE\\IDECHANNEL\\4&2"), ANCESTOR_CONTINUE);
    CHECK_INT(classify_device_ancestor("STORAGE\\VOLUME\\1"), ANCESTOR_CONTINUE);
    CHECK_INT(classify_device_ancestor("USBSTOR\\DISK&VEN_QEMU\\1"), ANCESTOR_STOP);
    CHECK_INT(classify_device_ancestor("USB\\VID_0627&PID_0001\\1"), ANCESTOR_STOP);
    CHECK_INT(classify_device_ancestor("ROOT\\SPACEPORT\\0000"), ANCESTOR_STOP);
    CHECK_INT(classify_device_ancestor("HTREE\\ROOT\\0"), ANCESTOR_STOP);
    CHECK_INT(classify_device_ancestor("ACPI_HAL\\PNP0C08\\0"), ANCESTOR_STOP);
    CHECK_INT(classify_device_ancestor("PCI"), ANCESTOR_CONTINUE);
    CHECK_INT(classify_device_ancestor(""), ANCESTOR_STOP);
    CHECK_INT(classify_device_ancestor(NULL), ANCESTOR_STOP);
}

static void check_serial(const char *buf, size_t received, uint32_t offset, const char *want)
{
    char *got = NULL;

    CHECK_INT(disk_serial_from_descriptor((const uint8_t *)buf, received, offset, &got), 0);
    if (want)
        CHECK_STR(got, want);
    else
        CHECK(got == NULL);
    free(got);
}

TEST(inventory_disk_serial)
{
    static const char desc[] = "HEADER..QM00001\0tail";
    static const char padded[] = "HDR.    WD-12345   \0";
    static const char unterminated[] = { 'H', 'D', 'R', '.', 'A', 'B', 'C' };

    check_serial(desc, sizeof(desc), 8, "QM00001");
    check_serial(padded, sizeof(padded), 4, "WD-12345");
    check_serial(unterminated, sizeof(unterminated), 4, "ABC");   /* bounded by the reply size */
    check_serial(desc, sizeof(desc), 0, NULL);                    /* no serial */
    check_serial(desc, sizeof(desc), sizeof(desc), NULL);         /* offset outside the reply */
    check_serial(desc, sizeof(desc), UINT32_MAX, NULL);
    check_serial(desc, 8, 8, NULL);                               /* reply truncated before it */
    check_serial("HDR.    \0", 9, 4, NULL);                       /* blank */
    check_serial("HDR.\0", 5, 4, NULL);                           /* empty */
}

TEST(inventory_mountpoints)
{
    char a[] = "C:\\", b[] = "C:\\mnt\\data\\", c[] = "", d[] = "C:";

    fsinfo_strip_mountpoint(a);
    fsinfo_strip_mountpoint(b);
    fsinfo_strip_mountpoint(c);
    fsinfo_strip_mountpoint(d);
    CHECK_STR(a, "C:");
    CHECK_STR(b, "C:\\mnt\\data");
    CHECK_STR(c, "");
    CHECK_STR(d, "C:");
}

TEST(inventory_mac_text)
{
    static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xAB, 0xcd, 0xEF };
    static const uint8_t eui64[8] = { 0x02, 0, 0, 0, 0, 0, 0xfe, 0xff };
    uint8_t long_addr[32];
    char text[3 * 32];

    CHECK(format_mac(mac, 6, text, sizeof(text)));
    CHECK_STR(text, "52:54:00:ab:cd:ef");
    CHECK(format_mac(eui64, 8, text, sizeof(text)));
    CHECK_STR(text, "02:00:00:00:00:00:fe:ff");
    CHECK(format_mac(mac, 1, text, 3));
    CHECK_STR(text, "52");
    memset(long_addr, 0xff, sizeof(long_addr));
    CHECK(format_mac(long_addr, 32, text, sizeof(text)));
    CHECK_INT(strlen(text), 95);
    CHECK(!format_mac(mac, 0, text, sizeof(text)));
    CHECK(!format_mac(long_addr, 33, text, sizeof(text)));
    CHECK(!format_mac(mac, 6, text, 17));
}

static void check_ipv6(const char *want, const uint8_t bytes[16])
{
    char text[IP_ADDRESS_TEXT_MAX];

    format_ipv6(bytes, text);
    CHECK_STR(text, want);
}

TEST(inventory_ip_text)
{
    static const uint8_t v4[][4] =
    {
        { 127, 0, 0, 1 }, { 0, 0, 0, 0 }, { 255, 255, 255, 255 }, { 10, 0, 2, 15 },
    };
    char text[IP_ADDRESS_TEXT_MAX];

    format_ipv4(v4[0], text);
    CHECK_STR(text, "127.0.0.1");
    format_ipv4(v4[1], text);
    CHECK_STR(text, "0.0.0.0");
    format_ipv4(v4[2], text);
    CHECK_STR(text, "255.255.255.255");
    format_ipv4(v4[3], text);
    CHECK_STR(text, "10.0.2.15");

    check_ipv6("::", (const uint8_t[16]){ 0 });
    check_ipv6("::1", (const uint8_t[16]){ [15] = 1 });
    check_ipv6("1::", (const uint8_t[16]){ [1] = 1 });
    check_ipv6("fe80::fc:ff:fe00:1",
               (const uint8_t[16]){ 0xfe, 0x80, [9] = 0xfc, [11] = 0xff, 0xfe, 0, 0, 1 });
    check_ipv6("fd00::2", (const uint8_t[16]){ 0xfd, 0x00, [15] = 2 });
    check_ipv6("2001:db8::1:0:0:1",
               (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1 });
    /* A single zero group is not compressed (RFC 5952 4.2.2). */
    check_ipv6("2001:db8:0:1:1:1:1:1",
               (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 });
    /* Equal runs: the first is compressed (RFC 5952 4.2.3). */
    check_ipv6("1:0:0:1::1", (const uint8_t[16]){ 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 });
    check_ipv6("1::1:0:0:1", (const uint8_t[16]){ 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1 });
    /* Longest run wins over an earlier shorter one. */
    check_ipv6("1:0:0:1::", (const uint8_t[16]){ 0, 1, 0, 0, 0, 0, 0, 1 });
    check_ipv6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
               (const uint8_t[16]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff });
    check_ipv6("::ffff:192.0.2.1", (const uint8_t[16]){ [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 });
    check_ipv6("::1:0:0:0:1", (const uint8_t[16]){ [7] = 1, [15] = 1 });
    check_ipv6("0:2:3:4:5:6:7:8", (const uint8_t[16]){ 0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8 });
    check_ipv6("1:2:3:4:5:6:7:0", (const uint8_t[16]){ 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0 });
}

static void check_hwid(const char *id, bool match, uint16_t vendor, uint16_t device)
{
    uint16_t v = 0xdead, d = 0xbeef;

    CHECK_INT(parse_pci_hardware_id(id, &v, &d), match);
    if (match)
    {
        CHECK_INT(v, vendor);
        CHECK_INT(d, device);
    }
}

TEST(inventory_hardware_ids)
{
    check_hwid("PCI\\VEN_1AF4&DEV_1000&SUBSYS_00011AF4&REV_00", true, 0x1af4, 0x1000);
    check_hwid("PCI\\VEN_1AF4&DEV_1041", true, 0x1af4, 0x1041);
    check_hwid("PCI\\VEN_1AF4&DEV_1052&CC_090000", true, 0x1af4, 0x1052);
    /* qemu-ga misses these: its regex allows only 0-9A-B as device digits. */
    check_hwid("PCI\\VEN_1B36&DEV_000D&SUBSYS_11001AF4&REV_01", true, 0x1b36, 0x000d);
    check_hwid("PCI\\VEN_1B36&DEV_000C", true, 0x1b36, 0x000c);
    check_hwid("PCI\\VEN_1AF4&DEV_10FF", true, 0x1af4, 0x10ff);
    check_hwid("pci\\ven_1af4&dev_105a", true, 0x1af4, 0x105a);
    check_hwid("PCI\\VEN_8086&DEV_100E&SUBSYS_11001AF4&REV_03", true, 0x8086, 0x100e);
    check_hwid("PCI\\VEN_1AF4&DEV_1000X", false, 0, 0);
    check_hwid("PCI\\VEN_1AF4&DEV_100", false, 0, 0);
    check_hwid("PCI\\VEN_1AF4", false, 0, 0);
    check_hwid("PCI\\VEN_1AG4&DEV_1000", false, 0, 0);
    check_hwid("PCI\\VEN_1AF4&SUBSYS_1000", false, 0, 0);
    check_hwid("USB\\VID_1AF4&PID_1000", false, 0, 0);
    check_hwid("XPCI\\VEN_1AF4&DEV_1000", false, 0, 0);
    check_hwid("", false, 0, 0);
    check_hwid(NULL, false, 0, 0);

    CHECK(device_vendor_reported(0x1af4));
    CHECK(device_vendor_reported(0x1b36));
    CHECK(!device_vendor_reported(0x8086));
    CHECK(!device_vendor_reported(0));
}

static void check_vcpu(const struct json_value *list, size_t index, int64_t id)
{
    const struct json_value *vcpu, *v;

    CHECK(index < list->u.array.count);
    if (index >= list->u.array.count)
        return;
    vcpu = list->u.array.items[index];
    CHECK_INT(vcpu->u.object.count, 3);
    CHECK_STR(vcpu->u.object.members[0].key, "logical-id");
    v = json_object_get(vcpu, "logical-id");
    CHECK(v && v->type == JSON_INT && v->u.integer == id);
    v = json_object_get(vcpu, "online");
    CHECK(v && v->type == JSON_BOOL && v->u.boolean);
    v = json_object_get(vcpu, "can-offline");
    CHECK(v && v->type == JSON_BOOL && !v->u.boolean);
}

TEST(inventory_vcpus_across_groups)
{
    const uint64_t one_group[] = { 0x3 };
    const uint64_t sparse[] = { 0x5 };
    const uint64_t groups[] = { UINT64_MAX, 0, 0xf };
    const uint64_t none[] = { 0, 0 };
    struct json_value *list;
    size_t i;

    list = json_array();
    CHECK_INT(vcpus_from_group_masks(one_group, 1, list), 0);
    CHECK_INT(list->u.array.count, 2);
    check_vcpu(list, 0, 0);
    check_vcpu(list, 1, 1);
    json_free(list);

    list = json_array();
    CHECK_INT(vcpus_from_group_masks(sparse, 1, list), 0);
    CHECK_INT(list->u.array.count, 2);
    check_vcpu(list, 1, 1);
    json_free(list);

    /* 64 + 4 processors in groups 0 and 2 are numbered 0..67. */
    list = json_array();
    CHECK_INT(vcpus_from_group_masks(groups, 3, list), 0);
    CHECK_INT(list->u.array.count, 68);
    for (i = 0; i < 68; i++)
        check_vcpu(list, i, (int64_t)i);
    json_free(list);

    list = json_array();
    CHECK_INT(vcpus_from_group_masks(none, 2, list), QGA_ENOENT);
    CHECK_INT(vcpus_from_group_masks(none, 0, list), QGA_ENOENT);
    CHECK_INT(list->u.array.count, 0);
    json_free(list);
}

static double login_time(const struct json_value *list, size_t index)
{
    const struct json_value *v = json_object_get(list->u.array.items[index], "login-time");
    return v && v->type == JSON_DOUBLE ? v->u.number : -1;
}

TEST(inventory_users_dedup)
{
    struct json_value *list = json_array();
    const struct json_value *user;

    CHECK_INT(users_add(list, "alice", "CORP", 200.5), 0);
    CHECK_INT(users_add(list, "bob", "", 100), 0);
    CHECK_INT(users_add(list, "ALICE", "corp", 150.25), 0);   /* earlier login of the same account */
    CHECK_INT(users_add(list, "alice", "Corp", 300), 0);      /* later one: ignored */
    CHECK_INT(users_add(list, "alice", "WS01", 400), 0);      /* another account of that name */
    CHECK_INT(users_add(list, "bob", NULL, 50), 0);
    CHECK_INT(users_add(list, "zoë", "CORP", 1), 0);
    CHECK_INT(users_add(list, "ZOË", "CORP", 2), 0);           /* only ASCII folds: a different name */

    CHECK_INT(list->u.array.count, 5);
    user = list->u.array.items[0];
    CHECK_STR(json_object_get_string(user, "user"), "alice");
    CHECK_STR(json_object_get_string(user, "domain"), "CORP");
    CHECK(login_time(list, 0) == 150.25);
    /* Member order of GuestUser: user, login-time, domain. */
    CHECK_INT(user->u.object.count, 3);
    CHECK_STR(user->u.object.members[0].key, "user");
    CHECK_STR(user->u.object.members[1].key, "login-time");
    CHECK_STR(user->u.object.members[2].key, "domain");

    user = list->u.array.items[1];
    CHECK_STR(json_object_get_string(user, "user"), "bob");
    CHECK(json_object_get(user, "domain") == NULL);            /* empty domain omitted */
    CHECK(login_time(list, 1) == 50);

    CHECK_STR(json_object_get_string(list->u.array.items[2], "domain"), "WS01");
    CHECK(login_time(list, 2) == 400);
    CHECK_STR(json_object_get_string(list->u.array.items[3], "user"), "zoë");
    CHECK_STR(json_object_get_string(list->u.array.items[4], "user"), "ZOË");
    json_free(list);
}
