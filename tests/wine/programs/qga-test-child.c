/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A child process for the guest-exec tests (never shipped): prints what it was given, or waits
 * for the test's signal.
 *   qga-test-child args ...            each argument (CommandLineToArgvW) as a JSON string line
 *   qga-test-child env                 the environment block, one JSON string line per entry
 *   qga-test-child wait-file PATH MS   exit 0 once PATH exists, 1 after MS milliseconds
 *   qga-test-child stdin-size          read stdin to EOF, print the byte count
 *   qga-test-child exit CODE           exit with CODE (decimal or 0x hex, may exceed INT_MAX)
 *   w32tm /resync /nowait              (copied as w32tm.exe) exit with $QGA_TEST_W32TM_EXIT, else 0 */
#include <windows.h>
#include <shellapi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_STEP_MS 20

static void print_json_string(const wchar_t *text)
{
    putchar('"');
    for (; *text; text++)
    {
        if (*text == L'"' || *text == L'\\') printf("\\%c", (char)*text);
        else if (*text >= 0x20 && *text < 0x7f) putchar((char)*text);
        else printf("\\u%04x", (unsigned)*text);
    }
    printf("\"\n");
}

int wmain(int crt_argc, wchar_t **crt_argv);

/* The arguments are parsed again with CommandLineToArgvW: what a Windows program sees is what
 * the tests check, whatever the C runtime does. */
int wmain(int crt_argc, wchar_t **crt_argv)
{
    int argc = 0;
    wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);

    (void)crt_argc;
    (void)crt_argv;
    if (!argv || argc < 2) return 2;
    if (!wcscmp(argv[1], L"args"))
    {
        for (int i = 2; i < argc; i++) print_json_string(argv[i]);
        return 0;
    }
    if (!wcscmp(argv[1], L"env"))
    {
        wchar_t *block = GetEnvironmentStringsW();
        for (wchar_t *entry = block; *entry; entry += wcslen(entry) + 1) print_json_string(entry);
        FreeEnvironmentStringsW(block);
        return 0;
    }
    if (!wcscmp(argv[1], L"wait-file") && argc == 4)
    {
        long budget = wcstol(argv[3], NULL, 10);
        for (; budget > 0; budget -= WAIT_STEP_MS)
        {
            if (GetFileAttributesW(argv[2]) != INVALID_FILE_ATTRIBUTES) return 0;
            Sleep(WAIT_STEP_MS);
        }
        return 1;
    }
    if (!wcscmp(argv[1], L"stdin-size"))
    {
        HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
        unsigned long long total = 0;
        char buffer[65536];
        DWORD got;
        while (ReadFile(in, buffer, sizeof(buffer), &got, NULL) && got) total += got;
        printf("%llu\n", total);
        return 0;
    }
    if (!wcscmp(argv[1], L"/resync"))
    {
        const wchar_t *code = _wgetenv(L"QGA_TEST_W32TM_EXIT");
        ExitProcess(code ? (UINT)wcstoul(code, NULL, 0) : 0);
    }
    if (!wcscmp(argv[1], L"exit") && argc == 3)
    {
        ExitProcess((UINT)wcstoul(argv[2], NULL, 0));
    }
    return 2;
}
