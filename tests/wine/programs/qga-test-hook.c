/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An .exe freeze hook for the Wine tests (never shipped), also installed as a stand-in
 * powershell.exe to see the command line a .ps1 hook gets.  It appends one line to the file named
 * by QGA_TEST_HOOK_LOG:
 *     <its own file name>|<argument 1>|<argument 2>...|<Unix time in seconds, 6 decimals>
 * (arguments as CommandLineToArgvW gives them), writes one line to stdout and one to stderr (the
 * agent logs both), and exits with QGA_TEST_HOOK_EXIT (decimal) if set, else 0. */
#include <windows.h>
#include <shellapi.h>

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#define FILETIME_UNIX_EPOCH 116444736000000000ULL

int wmain(int crt_argc, wchar_t **crt_argv);

int wmain(int crt_argc, wchar_t **crt_argv)
{
    WCHAR module[MAX_PATH], log_path[MAX_PATH], exit_text[32], *name;
    int argc = 0, i;
    wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    ULARGE_INTEGER now;
    FILETIME ft;
    FILE *log;

    (void)crt_argc;
    (void)crt_argv;
    GetModuleFileNameW(NULL, module, MAX_PATH);
    name = wcsrchr(module, L'\\') ? wcsrchr(module, L'\\') + 1 : module;
    GetSystemTimeAsFileTime(&ft);
    now.LowPart = ft.dwLowDateTime;
    now.HighPart = ft.dwHighDateTime;
    if (GetEnvironmentVariableW(L"QGA_TEST_HOOK_LOG", log_path, MAX_PATH) && (log = _wfopen(log_path, L"a")))
    {
        fwprintf(log, L"%ls", name);
        for (i = 1; argv && i < argc; i++) fwprintf(log, L"|%ls", argv[i]);
        fwprintf(log, L"|%.6f\n", (double)(now.QuadPart - FILETIME_UNIX_EPOCH) / 1e7);
        fclose(log);
    }
    wprintf(L"stdout of %ls %ls\n", name, argv && argc > 1 ? argv[argc - 1] : L"");
    fflush(stdout);
    fwprintf(stderr, L"stderr of %ls\n", name);
    if (GetEnvironmentVariableW(L"QGA_TEST_HOOK_EXIT", exit_text, ARRAYSIZE(exit_text)))
        return _wtoi(exit_text);
    return 0;
}
