/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names shared by the agent, the VSS provider and the requester: events, service, registry.
 * Defined once here so the two sides of a freeze cannot drift apart. */
#ifndef QGA_COMMON_NAMES_H
#define QGA_COMMON_NAMES_H

/* compat: the service name and the VssOption registry convention are what admins and tools
 * know from qemu-ga (qga-reference.md §4-§6).  SCM names are case-insensitive. */
#define QGA_SERVICE_NAME_W           L"QEMU-GA"
#define QGA_SERVICE_DISPLAY_NAME_W   L"QEMU Guest Agent"
#define QGA_SERVICE_DESCRIPTION_W    L"Enables integration with QEMU machine emulator and virtualizer (qga-win)."
#define QGA_EVENTLOG_SOURCE_W        L"qemu-ga"
#define QGA_DEFAULT_VIRTIO_PATH_W    L"\\\\.\\Global\\org.qemu.guest_agent.0"
#define QGA_DEFAULT_SERIAL_PATH_W    L"COM1"
#define QGA_INSTANCE_MUTEX_W         L"Global\\qga-win-agent-instance"

/* Our provider: its own names (not qemu-ga's) so both can never collide on one machine. */
#define QGA_VSS_PROVIDER_NAME_W      L"qga-win VSS Provider"
#define QGA_VSS_APP_NAME_W           QGA_VSS_PROVIDER_NAME_W      /* COM+ application and its service */
#define QGA_VSS_PROGID_W             L"QgaWin.VssProvider"
#define QGA_VSS_DLL_NAME_W           L"qga-vss.dll"
#define QGA_VSS_TLB_NAME_W           L"qga-vss.tlb"

/* compat: VssOption lives where qemu-ga users already set it (DWORD, 1..5 = VSS_BT_*). */
#define QGA_VSS_OPTION_KEY_W         L"SYSTEM\\CurrentControlSet\\Services\\QEMU Guest Agent VSS Provider"
#define QGA_VSS_OPTION_VALUE_W       L"VssOption"

/* Named events the requester creates and the provider opens (Global\ so the COM+ service in
 * session 0 and the agent meet; wine-notes.md §2 shows Wine shares the namespace too). */
#define QGA_EVENT_FROZEN_W           L"Global\\QgaWinVss-frozen"
#define QGA_EVENT_THAW_W             L"Global\\QgaWinVss-thaw"
#define QGA_EVENT_TIMEOUT_W          L"Global\\QgaWinVss-timeout"

/* VSS holds writes about 10 s (VSS_E_HOLD_WRITES_TIMEOUT); writers may stay frozen up to 60 s.
 * The provider never holds CommitSnapshots longer than this, whatever the agent does. */
#define QGA_PROVIDER_HOLD_MS         60000
/* How long the requester waits for "frozen" after DoSnapshotSet. */
#define QGA_REQUESTER_FREEZE_WAIT_MS 60000

#endif
