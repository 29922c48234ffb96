/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-file-open modes and guest-file-seek whence codes (portable core). */
#include "core/file-mode.h"

#include <string.h>

#include "core/error.h"

int file_mode_parse(const char *mode, struct file_mode *out)
{
    bool plus = false, binary = false, exclusive = false;
    const char *p;

    memset(out, 0, sizeof(*out));
    if (!mode) return QGA_EINVAL;
    for (p = mode + (*mode ? 1 : 0); *p; p++)
    {
        switch (*p)
        {
        case '+':
            if (plus) return QGA_EINVAL;
            plus = true;
            break;
        case 'b':
            if (binary) return QGA_EINVAL;
            binary = true;
            break;
        case 'x':
            if (exclusive || mode[0] != 'w') return QGA_EINVAL;
            exclusive = true;
            break;
        default:
            return QGA_EINVAL;
        }
    }

    switch (mode[0])
    {
    case 'r':
        out->read = true;
        out->write = plus;
        out->disposition = FILE_DISP_OPEN_EXISTING;
        break;
    case 'w':
        out->write = true;
        out->read = plus;
        out->disposition = exclusive ? FILE_DISP_CREATE_NEW : FILE_DISP_CREATE_ALWAYS;
        break;
    case 'a':
        out->write = true;
        out->append = true;
        out->read = plus;
        out->disposition = FILE_DISP_OPEN_ALWAYS;
        break;
    default:
        memset(out, 0, sizeof(*out));
        return QGA_EINVAL;
    }
    return 0;
}

const char *const file_whence_names[] = { "set", "cur", "end", NULL };

int file_whence_parse(const char *name, int64_t code, enum file_whence *out)
{
    *out = FILE_WHENCE_SET;
    if (name)
    {
        for (int i = 0; file_whence_names[i]; i++)
        {
            if (!strcmp(name, file_whence_names[i]))
            {
                *out = (enum file_whence)i;
                return 0;
            }
        }
        return QGA_EINVAL;
    }
    if (code < 0 || code > 2) return QGA_EINVAL;
    *out = (enum file_whence)code;
    return 0;
}
