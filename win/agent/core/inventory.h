/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pure logic behind the guest inventory commands (load average, disks, network, devices, users,
 * vCPUs, time): everything that needs no Win32 call, so it is unit-tested natively. */
#ifndef QGA_CORE_INVENTORY_H
#define QGA_CORE_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/json.h"

/* --- Time ----------------------------------------------------------------------------------- */

/* 100 ns intervals from 1601-01-01 (FILETIME epoch) to 1970-01-01. */
#define FILETIME_UNIX_EPOCH  116444736000000000ULL

/* FILETIME (100 ns since 1601) to nanoseconds since 1970 (negative before 1970).  Returns false
 * when the result does not fit int64_t (before 1677 or after 2262). */
bool filetime_to_unix_ns(uint64_t filetime, int64_t *out);
/* FILETIME to seconds since 1970 with 100 ns resolution (guest-get-users "login-time"). */
double filetime_to_unix_seconds(uint64_t filetime);

/* Seconds east of UTC from TIME_ZONE_INFORMATION's Bias plus StandardBias or DaylightBias
 * (minutes west of UTC): offset = -(bias + extra_bias) * 60. */
int64_t timezone_offset_seconds(int32_t bias, int32_t extra_bias);

/* --- Load average (guest-get-load) ---------------------------------------------------------- */

/* compat: Linux's fixed-point EWMA factors exp(-5/60), exp(-5/300), exp(-5/900) for one sample
 * every 5 seconds, as qemu-ga uses them on Windows (qga-reference.md §1, guest-get-load). */
#define LOAD_SAMPLE_INTERVAL_MS 5000
#define LOAD_FACTOR_1M   0.9200444146293232478931553241
#define LOAD_FACTOR_5M   0.9834714538216174894737477501
#define LOAD_FACTOR_15M  0.9944598480048967508795473394

struct load_average
{
    double load1m, load5m, load15m;   /* start at 0, as Linux after boot */
};

/* One sample of the run-queue length folded into the three averages. */
void load_average_update(struct load_average *load, double sample);

/* --- Disks (guest-get-fsinfo, guest-get-disks) ---------------------------------------------- */

/* STORAGE_BUS_TYPE to the GuestDiskBusType wire name ("scsi", "ide", "sata", "nvme", ...);
 * "unknown" for values the schema has no name for. */
const char *disk_bus_type_name(uint32_t storage_bus_type);
/* True when IOCTL_SCSI_GET_ADDRESS is meaningful for the bus (SCSI, ATA, RAID, SAS, ...). */
bool disk_bus_has_scsi_address(uint32_t storage_bus_type);

struct pci_address
{
    int64_t domain, bus, slot, function;   /* -1 when unknown (compat: qemu-ga) */
};

/* The PCI address of a storage controller from SetupAPI registry properties: SPDRP_BUSNUMBER and
 * SPDRP_ADDRESS ((device << 16) | function for PCI).  have_* say whether each was read; a missing
 * one makes every member -1, as a partial address would misidentify the controller. */
void pci_address_from_setupapi(bool have_bus, uint32_t bus, bool have_address, uint32_t address,
                               struct pci_address *out);

/* How the search for a disk's PCI controller treats one ancestor device node, judged by the
 * enumerator of its instance id ("PCI\VEN_1AF4&...", "SCSI\Disk...", "USB\VID_..."). */
enum device_ancestor
{
    ANCESTOR_CONTINUE,   /* not the controller (disk, IDE channel, storage bus): go up */
    ANCESTOR_PCI,        /* a PCI function: its bus and address are the controller's */
    ANCESTOR_STOP,       /* behind USB, or at the root: no PCI address (compat: -1) */
};
enum device_ancestor classify_device_ancestor(const char *instance_id);
/* Bound on that walk up the device tree. */
#define DEVICE_ANCESTOR_MAX_DEPTH 16

/* The serial number of a STORAGE_DEVICE_DESCRIPTOR: a NUL-terminated string at serial_offset
 * inside the received bytes.  Surrounding blanks are trimmed (ATA pads serials with spaces).
 * *out is NULL when there is none (offset 0 or outside the buffer, or blank).  Returns 0 or
 * QGA_ENOMEM; *out is malloc'd. */
int disk_serial_from_descriptor(const uint8_t *buf, size_t received, uint32_t serial_offset, char **out);

/* Mount point as guest-get-fsinfo reports it: the path without its trailing backslash ("C:\" ->
 * "C:", "C:\mnt\data\" -> "C:\mnt\data").  In place. */
void fsinfo_strip_mountpoint(char *path);

/* --- Network (guest-network-get-interfaces) ------------------------------------------------- */

/* Hardware address as lower-case "xx:xx:...": len bytes (1..32), out needs 3 * len bytes.
 * Returns false for len 0 or too small a buffer. */
bool format_mac(const uint8_t *bytes, size_t len, char *out, size_t out_size);

#define IP_ADDRESS_TEXT_MAX 46   /* INET6_ADDRSTRLEN */
/* "a.b.c.d" from 4 bytes in network order. */
void format_ipv4(const uint8_t bytes[4], char out[IP_ADDRESS_TEXT_MAX]);
/* RFC 5952 text of 16 bytes: lower-case hex, longest run (>= 2) of zero groups as "::" (first one
 * on a tie), "::ffff:a.b.c.d" for IPv4-mapped addresses; no "%scope" suffix. */
void format_ipv6(const uint8_t bytes[16], char out[IP_ADDRESS_TEXT_MAX]);

/* --- Devices (guest-get-devices) ------------------------------------------------------------ */

/* Parses a hardware id "PCI\VEN_vvvv&DEV_dddd" followed by '&' or its end (case-insensitive hex).
 * Returns true and the ids when it matches. */
bool parse_pci_hardware_id(const char *hardware_id, uint16_t *vendor, uint16_t *device);
/* The vendors guest-get-devices reports: Red Hat virtio (0x1AF4) and QEMU (0x1B36). */
bool device_vendor_reported(uint16_t vendor);

/* --- vCPUs (guest-get-vcpus) ---------------------------------------------------------------- */

/* Appends {"logical-id", "online": true, "can-offline": false} for every set bit of the active
 * processor masks of each processor group, numbering them from 0 across groups in group order.
 * Returns 0, QGA_ENOMEM, or QGA_ENOENT when no processor is active. */
int vcpus_from_group_masks(const uint64_t *masks, size_t group_count, struct json_value *list);

/* --- Users (guest-get-users) ---------------------------------------------------------------- */

/* Adds {"user", "login-time", "domain"} to list unless the same domain\user (ASCII
 * case-insensitive: Windows account names are) is already there, in which case the earlier
 * login time is kept.  domain may be NULL or empty (omitted).  Returns 0 or QGA_ENOMEM. */
int users_add(struct json_value *list, const char *user, const char *domain, double login_time);

#endif
