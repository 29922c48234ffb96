/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-file-open modes and guest-file-seek whence codes, independent of the Win32 flags that
 * commands/file.c derives from them (portable core). */
#ifndef QGA_CORE_FILE_MODE_H
#define QGA_CORE_FILE_MODE_H

#include <stdbool.h>
#include <stdint.h>

/* compat: guest-file-read's largest count (48 MiB, so the base64 reply stays under the 64 MiB
 * JSON limit) and default count (qga/commands.c). */
#define FILE_READ_COUNT_MAX     (48 * 1024 * 1024)
#define FILE_READ_COUNT_DEFAULT 4096

enum file_disposition
{
    FILE_DISP_OPEN_EXISTING,   /* "r": the file must exist */
    FILE_DISP_CREATE_ALWAYS,   /* "w": create or truncate */
    FILE_DISP_CREATE_NEW,      /* "wx": create, fail if it exists (C11) */
    FILE_DISP_OPEN_ALWAYS,     /* "a": create if missing, keep contents */
};

struct file_mode
{
    bool read;
    bool write;                /* may write (at the file pointer) */
    bool append;               /* every write goes to the end of the file */
    enum file_disposition disposition;
};

/* Parses an fopen-style mode: r, w or a, then in any order at most one '+', one 'b' and (after
 * w only) one 'x' -- every mode C11 fopen accepts (r rb r+ rb+ r+b w wb w+ wb+ w+b wx wbx w+x
 * wb+x w+bx a ab a+ ab+ a+b).  Returns 0 or QGA_EINVAL (the caller says "invalid file open
 * mode").  Text mode 't' is refused: the agent never translates line ends. */
int file_mode_parse(const char *mode, struct file_mode *out);

enum file_whence
{
    FILE_WHENCE_SET = 0,
    FILE_WHENCE_CUR = 1,
    FILE_WHENCE_END = 2,
};

/* The names guest-file-seek accepts, in enum file_whence order, NULL-terminated (QGASeek). */
extern const char *const file_whence_names[];

/* guest-file-seek's whence is an integer (0, 1, 2 as QGA_SEEK_*) or "set"/"cur"/"end".  name is
 * NULL for the integer form.  Returns 0 or QGA_EINVAL ("invalid whence code <n>"). */
int file_whence_parse(const char *name, int64_t code, enum file_whence *out);

#endif
