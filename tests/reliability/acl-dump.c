/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prints the DACL of each file or directory given, as SDDL ("D:P(A;OICI;FA;;;SY)..."), one line
 * per path, so the Wine tests read back what the agent put on its state directory and log file.
 * "--sddl TEXT" instead parses TEXT with Windows' parser and prints the DACL it gives (what a
 * descriptor built from that text holds).  Exit 1 if anything failed. */
#include <stdio.h>
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

int wmain(int argc, WCHAR **argv);

static int print_dacl(PSECURITY_DESCRIPTOR sd)
{
    WCHAR *text = NULL;
    char *utf8 = NULL;
    int size, ret = 1;

    if (ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1, DACL_SECURITY_INFORMATION,
                                                             &text, NULL)
        && (size = WideCharToMultiByte(CP_UTF8, 0, text, -1, NULL, 0, NULL, NULL)) > 0
        && (utf8 = LocalAlloc(LMEM_FIXED, (SIZE_T)size))
        && WideCharToMultiByte(CP_UTF8, 0, text, -1, utf8, size, NULL, NULL) > 0)
    {
        printf("%s\n", utf8);
        ret = 0;
    }
    LocalFree(utf8);
    LocalFree(text);
    return ret;
}

int wmain(int argc, WCHAR **argv)
{
    int status = 0;

    if (argc == 3 && !wcscmp(argv[1], L"--sddl"))
    {
        PSECURITY_DESCRIPTOR sd = NULL;

        if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(argv[2], SDDL_REVISION_1, &sd, NULL))
        {
            printf("error %lu\n", GetLastError());
            return 1;
        }
        status = print_dacl(sd);
        LocalFree(sd);
        return status;
    }
    for (int i = 1; i < argc; i++)
    {
        PSECURITY_DESCRIPTOR sd = NULL;
        DWORD err = GetNamedSecurityInfoW(argv[i], SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, NULL,
                                          NULL, &sd);

        if (err != ERROR_SUCCESS)
        {
            printf("error %lu\n", err);
            status = 1;
        }
        else if (print_dacl(sd))
        {
            printf("error %lu\n", GetLastError());
            status = 1;
        }
        LocalFree(sd);
    }
    return status;
}
