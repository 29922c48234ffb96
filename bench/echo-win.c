/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Wine floor of `make bench`: echo-lines.h on a COM port opened exactly as qemu-ga.exe opens
 * it (exclusive, overlapped, ReadIntervalTimeout 1), so its round trip is Wine's transport cost
 * alone.  Usage: echo-win.exe COMn.  Exits when the host hangs up or after IDLE_EXIT_MS idle. */
#include <windows.h>
#include <stdio.h>

#include "echo-lines.h"

#define IDLE_EXIT_MS    (30u * 60 * 1000)   /* a forgotten floor ends by itself */
#define WRITE_WAIT_MS   15000

struct port
{
    HANDLE handle;
    OVERLAPPED read_ov;
    OVERLAPPED write_ov;
};

static bool port_write(void *opaque, const char *data, size_t len)
{
    struct port *port = opaque;
    DWORD count;

    while (len)
    {
        DWORD chunk = len > (1u << 20) ? (1u << 20) : (DWORD)len;

        ResetEvent(port->write_ov.hEvent);
        if (!WriteFile(port->handle, data, chunk, NULL, &port->write_ov) && GetLastError() != ERROR_IO_PENDING)
            return false;
        if (WaitForSingleObject(port->write_ov.hEvent, WRITE_WAIT_MS) != WAIT_OBJECT_0) return false;
        if (!GetOverlappedResult(port->handle, &port->write_ov, &count, FALSE) || !count) return false;
        data += count;
        len -= count;
    }
    return true;
}

static struct echo_lines lines;

int wmain(int argc, WCHAR **argv);
int wmain(int argc, WCHAR **argv)
{
    static char buffer[ECHO_READ_SIZE];
    COMMTIMEOUTS timeouts = { 1, 0, 0, 0, 0 };
    WCHAR path[64];
    struct port port = { 0 };
    DWORD count;

    if (argc != 2)
    {
        fprintf(stderr, "usage: echo-win.exe COMn\n");
        return 2;
    }
    swprintf(path, ARRAYSIZE(path), L"\\\\.\\%ls", argv[1]);
    port.handle = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED,
                              NULL);
    if (port.handle == INVALID_HANDLE_VALUE)
    {
        fprintf(stderr, "echo-win: cannot open %ls: error %lu\n", path, GetLastError());
        return 1;
    }
    SetCommTimeouts(port.handle, &timeouts);
    port.read_ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    port.write_ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    for (;;)
    {
        ResetEvent(port.read_ov.hEvent);
        if (!ReadFile(port.handle, buffer, sizeof(buffer), NULL, &port.read_ov) && GetLastError() != ERROR_IO_PENDING)
            break;
        if (WaitForSingleObject(port.read_ov.hEvent, IDLE_EXIT_MS) != WAIT_OBJECT_0) break;
        if (!GetOverlappedResult(port.handle, &port.read_ov, &count, FALSE))
        {
            /* Wine's pty COM port can end a read with ERROR_TIMEOUT and no data (wine-notes.md). */
            if (GetLastError() == ERROR_TIMEOUT || GetLastError() == ERROR_SEM_TIMEOUT) continue;
            break;
        }
        if (count && !echo_feed(&lines, buffer, count, port_write, &port)) break;
    }
    CloseHandle(port.handle);
    return 0;
}
