/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Windows release tables for guest-get-osinfo (portable; every row is unit-tested). */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/osinfo.h"

/* Version names follow qemu-ga's ("Microsoft Windows 10" / "10"), without its lost comma that
 * turned Windows 7 into "Microsoft Windows 77" (qga-reference.md §1).  10.0 is split by build:
 * client builds from 22000 are Windows 11; server builds name their release
 * (https://learn.microsoft.com/windows/release-health/windows-server-release-info). */
const struct os_release osinfo_client_releases[] =
{
    /* major minor min_build  version                      version-id */
    { 5,  0,  0,      "Microsoft Windows 2000",    "2000" },
    { 5,  1,  0,      "Microsoft Windows XP",      "xp" },
    { 5,  2,  0,      "Microsoft Windows XP",      "xp" },        /* XP Professional x64 */
    { 6,  0,  0,      "Microsoft Windows Vista",   "vista" },
    { 6,  1,  0,      "Microsoft Windows 7",       "7" },
    { 6,  2,  0,      "Microsoft Windows 8",       "8" },
    { 6,  3,  0,      "Microsoft Windows 8.1",     "8.1" },
    { 10, 0,  0,      "Microsoft Windows 10",      "10" },
    { 10, 0,  22000,  "Microsoft Windows 11",      "11" },
};

const struct os_release osinfo_server_releases[] =
{
    { 5,  0,  0,      "Microsoft Windows 2000 Server",                 "2000" },
    { 5,  2,  0,      "Microsoft Windows Server 2003",                 "2003" },
    { 6,  0,  0,      "Microsoft Windows Server 2008",                 "2008" },
    { 6,  1,  0,      "Microsoft Windows Server 2008 R2",              "2008r2" },
    { 6,  2,  0,      "Microsoft Windows Server 2012",                 "2012" },
    { 6,  3,  0,      "Microsoft Windows Server 2012 R2",              "2012r2" },
    { 10, 0,  0,      "Microsoft Windows Server 2016",                 "2016" },
    { 10, 0,  16299,  "Microsoft Windows Server, version 1709",        "1709" },
    { 10, 0,  17134,  "Microsoft Windows Server, version 1803",        "1803" },
    { 10, 0,  17763,  "Microsoft Windows Server 2019",                 "2019" },
    { 10, 0,  18362,  "Microsoft Windows Server, version 1903",        "1903" },
    { 10, 0,  18363,  "Microsoft Windows Server, version 1909",        "1909" },
    { 10, 0,  19041,  "Microsoft Windows Server, version 2004",        "2004" },
    { 10, 0,  19042,  "Microsoft Windows Server, version 20H2",        "20h2" },
    { 10, 0,  20348,  "Microsoft Windows Server 2022",                 "2022" },
    { 10, 0,  25398,  "Microsoft Windows Server, version 23H2",        "23h2" },
    { 10, 0,  26100,  "Microsoft Windows Server 2025",                 "2025" },
};

const unsigned osinfo_client_release_count =
    sizeof(osinfo_client_releases) / sizeof(osinfo_client_releases[0]);
const unsigned osinfo_server_release_count =
    sizeof(osinfo_server_releases) / sizeof(osinfo_server_releases[0]);

const struct os_release *osinfo_find_release(uint32_t major, uint32_t minor, uint32_t build, bool server)
{
    const struct os_release *table = server ? osinfo_server_releases : osinfo_client_releases;
    unsigned count = server ? osinfo_server_release_count : osinfo_client_release_count;
    const struct os_release *found = NULL;
    unsigned i;

    /* Rows of one major.minor are sorted by min_build: the last one not above build wins. */
    for (i = 0; i < count; i++)
    {
        if (table[i].major == major && table[i].minor == minor && table[i].min_build <= build)
            found = &table[i];
    }
    return found;
}

const char *osinfo_machine_name(unsigned architecture)
{
    /* PROCESSOR_ARCHITECTURE_* values from winnt.h. */
    switch (architecture)
    {
    case 0:  return "x86";        /* INTEL */
    case 5:  return "arm";        /* ARM */
    case 6:  return "ia64";       /* IA64 */
    case 9:  return "x86_64";     /* AMD64 */
    case 12: return "aarch64";    /* ARM64: qemu-ga says "unknown" here (qga-reference.md §9) */
    default: return "unknown";
    }
}

int osinfo_pretty_name(const char *product_name, const struct os_release *release, uint32_t build,
                       bool server, char **out)
{
    static const char win10[] = "Windows 10";
    const char *source = product_name;
    size_t len;

    *out = NULL;
    if (!source || !*source)
        source = release ? release->version : NULL;
    if (!source)
        return 0;

    len = strlen(source);
    if (!(*out = malloc(len + 1)))
        return QGA_ENOMEM;
    memcpy(*out, source, len + 1);

    /* Windows 11 still writes "Windows 10 Pro" etc. into ProductName. */
    if (!server && build >= 22000 && source == product_name && !strncmp(source, win10, sizeof(win10) - 1)
        && (source[sizeof(win10) - 1] == ' ' || source[sizeof(win10) - 1] == 0))
        (*out)[sizeof(win10) - 2] = '1';
    return 0;
}
