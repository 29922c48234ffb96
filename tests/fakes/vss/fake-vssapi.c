/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fake vssapi.dll, requester side: CreateVssBackupComponents returns an IVssBackupComponents
 * whose calls go over a named pipe to fake-vss-service.exe (started on demand from this DLL's
 * folder, as COM starts the VSS service), plus IVssAsync, the writer metadata objects and
 * VssFreeSnapshotProperties.  Loaded instead of Wine's stub with WINEDLLOVERRIDES=vssapi=n,b
 * (wine-notes.md §4).  Test-only. */
#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <vss.h>
#include <vswriter.h>
#include <vsbackup.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "fake-vss.h"
#include "fake-vssapi.h"
#include "com-server.h"   /* DllMain and the module handle */

int WINAPI FakeVssMarker(void);

/* ---- the connection ---- */

static void client_destroy(struct client *client)
{
    if (client->pipe) CloseHandle(client->pipe);
    if (client->service) CloseHandle(client->service);
    if (client->io_event) CloseHandle(client->io_event);
    DeleteCriticalSection(&client->lock);
    free(client);
}

void client_addref(struct client *client)
{
    InterlockedIncrement(&client->refcount);
}

void client_release(struct client *client)
{
    if (!InterlockedDecrement(&client->refcount)) client_destroy(client);
}

/* One bounded overlapped transfer that also notices the service dying. */
static bool transfer(struct client *client, bool write, struct fake_vss_msg *msg)
{
    OVERLAPPED ov = { 0 };
    HANDLE handles[2] = { client->io_event, client->service };
    DWORD done = 0;
    BOOL ok;

    ov.hEvent = client->io_event;
    ResetEvent(client->io_event);
    ok = write ? WriteFile(client->pipe, msg, sizeof(*msg), NULL, &ov)
               : ReadFile(client->pipe, msg, sizeof(*msg), NULL, &ov);
    if (!ok && GetLastError() != ERROR_IO_PENDING) return false;
    if (WaitForMultipleObjects(2, handles, FALSE, FAKE_VSS_CALL_WAIT_MS) != WAIT_OBJECT_0)
    {
        CancelIo(client->pipe);
        GetOverlappedResult(client->pipe, &ov, &done, TRUE);
        return false;
    }
    return GetOverlappedResult(client->pipe, &ov, &done, FALSE) && done == sizeof(*msg);
}

HRESULT client_call(struct client *client, struct fake_vss_msg *msg)
{
    HRESULT hr;

    EnterCriticalSection(&client->lock);
    if (client->gone || !transfer(client, true, msg) || !transfer(client, false, msg))
    {
        client->gone = true;
        hr = FAKE_VSS_E_GONE;
    }
    else
        hr = msg->hr;
    LeaveCriticalSection(&client->lock);
    return hr;
}

void client_trace(struct client *client, const WCHAR *call, HRESULT hr, const WCHAR *detail)
{
    struct fake_vss_msg msg = { .op = OP_TRACE };

    msg.hr = hr;
    lstrcpynW(msg.s[0], call, FAKE_VSS_STR);
    if (detail) lstrcpynW(msg.s[1], detail, FAKE_VSS_STR);
    client_call(client, &msg);
}

static HRESULT start_service(void)
{
    WCHAR path[MAX_PATH], command[MAX_PATH + 128], ready_name[96], *slash;
    STARTUPINFOW si = { .cb = sizeof(si) };
    PROCESS_INFORMATION pi;
    HANDLE ready, handles[2];
    DWORD ret;

    if (!GetModuleFileNameW(com_server_module(), path, MAX_PATH - 32) || !(slash = wcsrchr(path, L'\\'))) return E_FAIL;
    wcscpy(slash + 1, FAKE_VSS_SERVICE_EXE_W);
    _snwprintf(ready_name, ARRAYSIZE(ready_name), L"%ls-%lu-%llu", FAKE_VSS_READY_EVENT_W,
               (unsigned long)GetCurrentProcessId(), (unsigned long long)GetTickCount64());
    ready_name[ARRAYSIZE(ready_name) - 1] = 0;
    if (!(ready = CreateEventW(NULL, TRUE, FALSE, ready_name))) return HRESULT_FROM_WIN32(GetLastError());
    _snwprintf(command, ARRAYSIZE(command), L"\"%ls\" --ready-event %ls", path, ready_name);
    command[ARRAYSIZE(command) - 1] = 0;
    if (!CreateProcessW(path, command, NULL, NULL, FALSE, CREATE_NO_WINDOW | DETACHED_PROCESS, NULL, NULL, &si, &pi))
    {
        HRESULT hr = HRESULT_FROM_WIN32(GetLastError());

        CloseHandle(ready);
        return hr;
    }
    CloseHandle(pi.hThread);
    handles[0] = ready;
    handles[1] = pi.hProcess;
    ret = WaitForMultipleObjects(2, handles, FALSE, FAKE_VSS_START_WAIT_MS);
    CloseHandle(pi.hProcess);
    CloseHandle(ready);
    return ret == WAIT_OBJECT_0 ? S_OK : FAKE_VSS_E_GONE;
}

/* The environment variable, else the registry default, else "". */
static void setting(const WCHAR *env, const WCHAR *value, WCHAR *out /* FAKE_VSS_STR */)
{
    DWORD len = GetEnvironmentVariableW(env, out, FAKE_VSS_STR), size = FAKE_VSS_STR * sizeof(WCHAR);

    if (len && len < FAKE_VSS_STR) return;
    out[0] = 0;
    if (RegGetValueW(HKEY_LOCAL_MACHINE, FAKE_VSS_DEFAULTS_KEY_W, value, RRF_RT_REG_SZ, NULL, out, &size))
        out[0] = 0;
}

/* QueryPerformanceCounter in microseconds, as the service's trace_now_us(). */
static int64_t client_now_us(void)
{
    LARGE_INTEGER frequency, now;

    QueryPerformanceFrequency(&frequency);
    QueryPerformanceCounter(&now);
    return (int64_t)(now.QuadPart / frequency.QuadPart * 1000000 +
                     now.QuadPart % frequency.QuadPart * 1000000 / frequency.QuadPart);
}

static HRESULT client_connect(struct client **out, int64_t entry_us)
{
    ULONGLONG deadline = GetTickCount64() + FAKE_VSS_START_WAIT_MS;
    DWORD mode = PIPE_READMODE_MESSAGE;
    struct client *client;
    struct fake_vss_msg msg = { .op = OP_HELLO };
    bool started = false;
    HANDLE pipe;
    HRESULT hr;

    *out = NULL;
    for (;;)
    {
        pipe = CreateFileW(FAKE_VSS_PIPE_W, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           FILE_FLAG_OVERLAPPED, NULL);
        if (pipe != INVALID_HANDLE_VALUE) break;
        if (GetTickCount64() >= deadline) return FAKE_VSS_E_GONE;
        if (GetLastError() == ERROR_PIPE_BUSY)
            WaitNamedPipeW(FAKE_VSS_PIPE_W, (DWORD)(deadline - GetTickCount64()));
        else if (!started)
        {
            if (FAILED(hr = start_service())) return hr;
            started = true;
        }
        else
            return FAKE_VSS_E_GONE;
    }
    SetNamedPipeHandleState(pipe, &mode, NULL, NULL);
    if (!(client = calloc(1, sizeof(*client))))
    {
        CloseHandle(pipe);
        return E_OUTOFMEMORY;
    }
    client->refcount = 1;
    client->pipe = pipe;
    InitializeCriticalSection(&client->lock);
    if (!(client->io_event = CreateEventW(NULL, TRUE, FALSE, NULL)))
    {
        client_release(client);
        return E_OUTOFMEMORY;
    }
    /* Until HELLO tells us the service's pid, watch our own (never-signalled) process. */
    DuplicateHandle(GetCurrentProcess(), GetCurrentProcess(), GetCurrentProcess(), &client->service, SYNCHRONIZE,
                    FALSE, 0);
    msg.u[0] = GetCurrentProcessId();
    msg.u[1] = (uint32_t)entry_us;
    msg.u[2] = (uint32_t)((uint64_t)entry_us >> 32);
    setting(FAKE_VSS_SCENARIO_ENV_W, L"Scenario", msg.s[0]);
    setting(FAKE_VSS_TRACE_ENV_W, L"Trace", msg.s[1]);
    hr = client_call(client, &msg);
    if (SUCCEEDED(hr))
    {
        HANDLE service = OpenProcess(SYNCHRONIZE, FALSE, msg.u[0]);

        if (service)
        {
            CloseHandle(client->service);
            client->service = service;
        }
        client->service_pid = msg.u[0];
    }
    if (FAILED(hr))
    {
        client_release(client);
        return hr;
    }
    *out = client;
    return S_OK;
}

/* ---- exports ---- */

HRESULT STDAPICALLTYPE CreateVssBackupComponentsInternal(IVssBackupComponents **out)
{
    /* The trace's "client_start_us": where the coordinator's part of a freeze begins (make bench). */
    int64_t entry_us = client_now_us();
    struct client *client;
    HRESULT hr;

    if (!out) return E_INVALIDARG;
    *out = NULL;
    if (FAILED(hr = client_connect(&client, entry_us))) return hr;
    hr = backup_create(client, out);
    client_release(client);
    return hr;
}

HRESULT STDAPICALLTYPE CreateVssExamineWriterMetadataInternal(BSTR xml, IVssExamineWriterMetadata **out)
{
    (void)xml;
    if (out) *out = NULL;
    return E_NOTIMPL;
}

void APIENTRY VssFreeSnapshotPropertiesInternal(VSS_SNAPSHOT_PROP *prop)
{
    if (!prop) return;
    CoTaskMemFree(prop->m_pwszSnapshotDeviceObject);
    CoTaskMemFree(prop->m_pwszOriginalVolumeName);
    CoTaskMemFree(prop->m_pwszOriginatingMachine);
    CoTaskMemFree(prop->m_pwszServiceMachine);
    CoTaskMemFree(prop->m_pwszExposedName);
    CoTaskMemFree(prop->m_pwszExposedPath);
    memset(prop, 0, sizeof(*prop));
}

/* Lets tests tell the fake from Wine's builtin stub. */
int WINAPI FakeVssMarker(void)
{
    return 0x76737321;
}
