/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of core/osinfo.c: every release row, the lookups around each boundary, machines. */
#include <stdlib.h>
#include <string.h>

#include "core/osinfo.h"
#include "unit.h"

/* What RtlGetVersion reports on each release we support (major, minor, build, server) and the
 * names we must give it. */
static const struct
{
    uint32_t major, minor, build;
    bool server;
    const char *version, *version_id;
} known[] =
{
    { 6, 0, 6002, false, "Microsoft Windows Vista", "vista" },
    { 6, 0, 6003, true, "Microsoft Windows Server 2008", "2008" },
    { 6, 1, 7601, false, "Microsoft Windows 7", "7" },
    { 6, 1, 7601, true, "Microsoft Windows Server 2008 R2", "2008r2" },
    { 6, 2, 9200, false, "Microsoft Windows 8", "8" },
    { 6, 2, 9200, true, "Microsoft Windows Server 2012", "2012" },
    { 6, 3, 9600, false, "Microsoft Windows 8.1", "8.1" },
    { 6, 3, 9600, true, "Microsoft Windows Server 2012 R2", "2012r2" },
    { 10, 0, 10240, false, "Microsoft Windows 10", "10" },
    { 10, 0, 19045, false, "Microsoft Windows 10", "10" },
    { 10, 0, 21999, false, "Microsoft Windows 10", "10" },
    { 10, 0, 22000, false, "Microsoft Windows 11", "11" },
    { 10, 0, 22631, false, "Microsoft Windows 11", "11" },
    { 10, 0, 26100, false, "Microsoft Windows 11", "11" },
    { 10, 0, 14393, true, "Microsoft Windows Server 2016", "2016" },
    { 10, 0, 16299, true, "Microsoft Windows Server, version 1709", "1709" },
    { 10, 0, 17134, true, "Microsoft Windows Server, version 1803", "1803" },
    { 10, 0, 17763, true, "Microsoft Windows Server 2019", "2019" },
    { 10, 0, 18362, true, "Microsoft Windows Server, version 1903", "1903" },
    { 10, 0, 18363, true, "Microsoft Windows Server, version 1909", "1909" },
    { 10, 0, 19041, true, "Microsoft Windows Server, version 2004", "2004" },
    { 10, 0, 19042, true, "Microsoft Windows Server, version 20H2", "20h2" },
    { 10, 0, 20348, true, "Microsoft Windows Server 2022", "2022" },
    { 10, 0, 20349, true, "Microsoft Windows Server 2022", "2022" },   /* Azure Stack HCI 22H2 */
    { 10, 0, 25398, true, "Microsoft Windows Server, version 23H2", "23h2" },
    { 10, 0, 26100, true, "Microsoft Windows Server 2025", "2025" },
    { 10, 0, 26200, true, "Microsoft Windows Server 2025", "2025" },
    { 5, 2, 3790, true, "Microsoft Windows Server 2003", "2003" },
    { 5, 2, 3790, false, "Microsoft Windows XP", "xp" },
    { 5, 1, 2600, false, "Microsoft Windows XP", "xp" },
};

TEST(osinfo_known_releases)
{
    size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
    {
        const struct os_release *r = osinfo_find_release(known[i].major, known[i].minor, known[i].build,
                                                         known[i].server);
        CHECK(r != NULL);
        if (!r)
            continue;
        CHECK_STR(r->version, known[i].version);
        CHECK_STR(r->version_id, known[i].version_id);
    }
}

/* Every row is reachable: its own first build finds it, and the build before it finds the previous
 * row of the same major.minor (the rows of a version are sorted by build). */
static void check_table(const struct os_release *table, unsigned count, bool server)
{
    unsigned i, j;

    for (i = 0; i < count; i++)
    {
        const struct os_release *r = osinfo_find_release(table[i].major, table[i].minor, table[i].min_build,
                                                         server);
        CHECK(r == &table[i]);
        CHECK(table[i].version && *table[i].version);
        CHECK(table[i].version_id && *table[i].version_id);
        /* Every version string names Windows and contains its id's release, not a glued one. */
        CHECK(!strncmp(table[i].version, "Microsoft Windows", 17));
        if (i && table[i - 1].major == table[i].major && table[i - 1].minor == table[i].minor)
        {
            CHECK(table[i - 1].min_build < table[i].min_build);
            CHECK(osinfo_find_release(table[i].major, table[i].minor, table[i].min_build - 1, server)
                  == &table[i - 1]);
        }
        for (j = 0; j < i; j++)
            CHECK(strcmp(table[i].version, table[j].version) || table[i].major != table[j].major
                  || table[i].minor != table[j].minor);
    }
}

TEST(osinfo_every_row_reachable)
{
    check_table(osinfo_client_releases, osinfo_client_release_count, false);
    check_table(osinfo_server_releases, osinfo_server_release_count, true);
}

TEST(osinfo_unknown_versions)
{
    CHECK(osinfo_find_release(6, 4, 9841, false) == NULL);
    CHECK(osinfo_find_release(11, 0, 30000, false) == NULL);
    CHECK(osinfo_find_release(4, 0, 1381, true) == NULL);
    CHECK(osinfo_find_release(0, 0, 0, false) == NULL);
    CHECK(osinfo_find_release(5, 0, 2195, true) != NULL);
    CHECK(osinfo_find_release(5, 1, 2600, true) == NULL);   /* no XP server */
}

TEST(osinfo_windows7_has_version_id)
{
    /* qemu-ga reports "Microsoft Windows 77" and no version-id (missing comma in its table). */
    const struct os_release *r = osinfo_find_release(6, 1, 7600, false);
    CHECK(r != NULL);
    if (r)
    {
        CHECK_STR(r->version, "Microsoft Windows 7");
        CHECK_STR(r->version_id, "7");
    }
}

TEST(osinfo_machine_names)
{
    CHECK_STR(osinfo_machine_name(0), "x86");
    CHECK_STR(osinfo_machine_name(5), "arm");
    CHECK_STR(osinfo_machine_name(6), "ia64");
    CHECK_STR(osinfo_machine_name(9), "x86_64");
    CHECK_STR(osinfo_machine_name(12), "aarch64");
    CHECK_STR(osinfo_machine_name(1), "unknown");
    CHECK_STR(osinfo_machine_name(10), "unknown");   /* IA32_ON_WIN64 */
    CHECK_STR(osinfo_machine_name(0xffff), "unknown");
}

static void check_pretty(const char *product, uint32_t major, uint32_t build, bool server, const char *want)
{
    const struct os_release *r = osinfo_find_release(major, 0, build, server);
    char *got = NULL;

    CHECK_INT(osinfo_pretty_name(product, r, build, server, &got), 0);
    if (!want)
        CHECK(got == NULL);
    else
        CHECK_STR(got, want);
    free(got);
}

TEST(osinfo_pretty_name_windows11_fix)
{
    check_pretty("Windows 10 Pro", 10, 22631, false, "Windows 11 Pro");
    check_pretty("Windows 10 Enterprise LTSC", 10, 26100, false, "Windows 11 Enterprise LTSC");
    check_pretty("Windows 10", 10, 22000, false, "Windows 11");
    check_pretty("Windows 10 Pro", 10, 19045, false, "Windows 10 Pro");
    check_pretty("Windows 10 Pro", 10, 21999, false, "Windows 10 Pro");
    check_pretty("Windows 100 Pro", 10, 22631, false, "Windows 100 Pro");
    check_pretty("Windows 11 Pro", 10, 22631, false, "Windows 11 Pro");
    check_pretty("Windows Server 2025 Datacenter", 10, 26100, true, "Windows Server 2025 Datacenter");
    check_pretty("Windows 10 Server", 10, 26100, true, "Windows 10 Server");
}

TEST(osinfo_pretty_name_fallbacks)
{
    check_pretty(NULL, 10, 19045, false, "Microsoft Windows 10");
    check_pretty("", 10, 22631, false, "Microsoft Windows 11");
    check_pretty(NULL, 11, 1, false, NULL);
}
