/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Resolves the optional Win32 entry points of winapi.h, once. */
#include "platform/winapi.h"

static struct winapi table;
static INIT_ONCE table_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK resolve(INIT_ONCE *once, void *param, void **context)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    HMODULE kernel32 = GetModuleHandleW(L"kernel32.dll");

    (void)once;
    (void)param;
    (void)context;
    /* GetProcAddress returns FARPROC; the table's types are the documented prototypes. */
    if (ntdll)
        table.RtlGetVersion = (void *)GetProcAddress(ntdll, "RtlGetVersion");
    if (kernel32)
        table.GetLogicalProcessorInformationEx =
            (void *)GetProcAddress(kernel32, "GetLogicalProcessorInformationEx");
    return TRUE;
}

const struct winapi *winapi_get(void)
{
    InitOnceExecuteOnce(&table_once, resolve, NULL, NULL);
    return &table;
}
