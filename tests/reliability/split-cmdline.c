/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Splits a command line the way Windows does (CommandLineToArgvW), independently of the agent's
 * own splitter: reads the line from a UTF-8 file (so no shell or launcher requotes it) and
 * prints each argument as a JSON string on its own line.  Used to check the service command
 * line qemu-ga.exe -s install writes. */
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>
#include <shellapi.h>

#define LINE_MAX_BYTES (1 << 20)

int wmain(int argc, WCHAR **argv);

static void print_json(const WCHAR *text)
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

int wmain(int argc, WCHAR **argv)
{
    static char utf8[LINE_MAX_BYTES];
    static WCHAR line[LINE_MAX_BYTES];
    FILE *file;
    size_t len;
    WCHAR **args;
    int count;

    if (argc != 2 || !(file = _wfopen(argv[1], L"rb")))
    {
        printf("usage: split-cmdline FILE\n");
        return 2;
    }
    len = fread(utf8, 1, sizeof(utf8) - 1, file);
    fclose(file);
    utf8[len] = 0;
    if (!MultiByteToWideChar(CP_UTF8, 0, utf8, -1, line, LINE_MAX_BYTES)) return 1;
    if (!(args = CommandLineToArgvW(line, &count))) return 1;
    for (int i = 0; i < count; i++) print_json(args[i]);
    LocalFree(args);
    return 0;
}
