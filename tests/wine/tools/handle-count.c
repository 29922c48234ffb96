/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prints "<pid> <handle count>" for every process with the given image name (e.g. qemu-ga.exe),
 * so the Wine tests see handle leaks that leave no unix fd behind (events, threads, devices).
 * Wine 8's GetProcessHandleCount always says 0; its SystemExtendedHandleInformation lists every
 * handle with its owner.  Exit status 0 when at least one such process was measured. */
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>
#include <windows.h>
#include <winternl.h>
#include <tlhelp32.h>

#define SYSTEM_EXTENDED_HANDLE_INFORMATION 64   /* SYSTEM_INFORMATION_CLASS value */
#define HANDLE_TABLE_MAX (256u << 20)           /* give up beyond this */

/* Layouts of the documented-by-use NT structures (not in mingw-w64's headers). */
struct handle_entry
{
    void *object;
    ULONG_PTR process_id;
    ULONG_PTR handle;
    ULONG access;
    USHORT creator_back_trace_index;
    USHORT object_type_index;
    ULONG attributes;
    ULONG reserved;
};

struct handle_table
{
    ULONG_PTR count;
    ULONG_PTR reserved;
    struct handle_entry entries[];
};

int wmain(int argc, WCHAR **argv);

/* The system's handle table; NULL (and a message) on failure.  Caller frees. */
static struct handle_table *query_handles(void)
{
    ULONG size = 1u << 20, needed = 0;
    struct handle_table *table = NULL;
    NTSTATUS status;

    for (;;)
    {
        free(table);
        if (!(table = malloc(size)))
            return NULL;
        status = NtQuerySystemInformation((SYSTEM_INFORMATION_CLASS)SYSTEM_EXTENDED_HANDLE_INFORMATION, table,
                                          size, &needed);
        if (status != (NTSTATUS)0xC0000004 /* STATUS_INFO_LENGTH_MISMATCH */ || size >= HANDLE_TABLE_MAX)
            break;
        size *= 2;
    }
    if (status != 0)
    {
        printf("NtQuerySystemInformation failed: %#lx\n", (unsigned long)status);
        free(table);
        return NULL;
    }
    return table;
}

int wmain(int argc, WCHAR **argv)
{
    PROCESSENTRY32W entry = { .dwSize = sizeof(entry) };
    struct handle_table *table;
    HANDLE snapshot;
    int found = 0;

    if (argc != 2)
    {
        printf("usage: handle-count IMAGE.exe\n");
        return 2;
    }
    snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (snapshot == INVALID_HANDLE_VALUE)
    {
        printf("CreateToolhelp32Snapshot failed: %lu\n", GetLastError());
        return 1;
    }
    if (!(table = query_handles()))
    {
        CloseHandle(snapshot);
        return 1;
    }
    for (BOOL more = Process32FirstW(snapshot, &entry); more; more = Process32NextW(snapshot, &entry))
    {
        ULONG_PTR i, count = 0;

        if (_wcsicmp(entry.szExeFile, argv[1]))
            continue;
        for (i = 0; i < table->count; i++)
            count += table->entries[i].process_id == entry.th32ProcessID;
        printf("%lu %lu\n", entry.th32ProcessID, (unsigned long)count);
        found++;
    }
    free(table);
    CloseHandle(snapshot);
    return found ? 0 : 1;
}
