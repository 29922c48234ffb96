/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Windows release naming for guest-get-osinfo: version tables, machine names, product name fix-ups
 * (portable core: the Windows layer reads RtlGetVersion and the registry, this file names them). */
#ifndef QGA_CORE_OSINFO_H
#define QGA_CORE_OSINFO_H

#include <stdbool.h>
#include <stdint.h>

/* One row of a release table.  A row matches major.minor exactly and every build >= min_build up
 * to the next row of the same major.minor. */
struct os_release
{
    uint32_t major;
    uint32_t minor;
    uint32_t min_build;
    const char *version;      /* guest-get-osinfo "version", e.g. "Microsoft Windows Server 2019" */
    const char *version_id;   /* "version-id", e.g. "2019" */
};

/* The release of a kernel version; server = wProductType != VER_NT_WORKSTATION.  Returns a static
 * row or NULL for a version no table knows (the caller then omits version and version-id). */
const struct os_release *osinfo_find_release(uint32_t major, uint32_t minor, uint32_t build, bool server);

/* The release tables themselves, for tests that walk every row. */
extern const struct os_release osinfo_client_releases[];
extern const struct os_release osinfo_server_releases[];
extern const unsigned osinfo_client_release_count;
extern const unsigned osinfo_server_release_count;

/* GetNativeSystemInfo's wProcessorArchitecture as a machine name ("x86_64", "x86", "aarch64", ...);
 * "unknown" for values we do not know. */
const char *osinfo_machine_name(unsigned architecture);

/* "pretty-name" from the registry's ProductName (may be NULL or empty).  Windows 11 keeps
 * "Windows 10" in ProductName; on a client build >= 22000 that prefix is corrected to
 * "Windows 11".  Without a product name, the release's version string is used; without both,
 * *out stays NULL.  Returns 0 or QGA_ENOMEM; *out is malloc'd (caller frees). */
int osinfo_pretty_name(const char *product_name, const struct os_release *release, uint32_t build,
                       bool server, char **out);

#endif
