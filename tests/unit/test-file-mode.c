/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-file-open modes and guest-file-seek whence codes (core/file-mode.c). */
#include <string.h>

#include "core/error.h"
#include "core/file-mode.h"
#include "unit.h"

struct mode_row
{
    const char *mode;
    bool read, write, append;
    enum file_disposition disposition;
};

/* Every mode C11 fopen accepts, including "ab" which qemu-ga's Windows table lacks. */
static const struct mode_row mode_rows[] =
{
    { "r",    true,  false, false, FILE_DISP_OPEN_EXISTING },
    { "rb",   true,  false, false, FILE_DISP_OPEN_EXISTING },
    { "r+",   true,  true,  false, FILE_DISP_OPEN_EXISTING },
    { "rb+",  true,  true,  false, FILE_DISP_OPEN_EXISTING },
    { "r+b",  true,  true,  false, FILE_DISP_OPEN_EXISTING },
    { "w",    false, true,  false, FILE_DISP_CREATE_ALWAYS },
    { "wb",   false, true,  false, FILE_DISP_CREATE_ALWAYS },
    { "w+",   true,  true,  false, FILE_DISP_CREATE_ALWAYS },
    { "wb+",  true,  true,  false, FILE_DISP_CREATE_ALWAYS },
    { "w+b",  true,  true,  false, FILE_DISP_CREATE_ALWAYS },
    { "wx",   false, true,  false, FILE_DISP_CREATE_NEW },
    { "wbx",  false, true,  false, FILE_DISP_CREATE_NEW },
    { "w+x",  true,  true,  false, FILE_DISP_CREATE_NEW },
    { "wb+x", true,  true,  false, FILE_DISP_CREATE_NEW },
    { "w+bx", true,  true,  false, FILE_DISP_CREATE_NEW },
    { "a",    false, true,  true,  FILE_DISP_OPEN_ALWAYS },
    { "ab",   false, true,  true,  FILE_DISP_OPEN_ALWAYS },
    { "a+",   true,  true,  true,  FILE_DISP_OPEN_ALWAYS },
    { "ab+",  true,  true,  true,  FILE_DISP_OPEN_ALWAYS },
    { "a+b",  true,  true,  true,  FILE_DISP_OPEN_ALWAYS },
};

TEST(file_mode_every_fopen_mode)
{
    for (size_t i = 0; i < sizeof(mode_rows) / sizeof(mode_rows[0]); i++)
    {
        const struct mode_row *row = &mode_rows[i];
        struct file_mode mode;

        CHECK_INT(file_mode_parse(row->mode, &mode), 0);
        CHECK_INT(mode.read, row->read);
        CHECK_INT(mode.write, row->write);
        CHECK_INT(mode.append, row->append);
        CHECK_INT(mode.disposition, row->disposition);
    }
}

TEST(file_mode_rejects_invalid)
{
    static const char *const bad[] = { "", "x", "b", "+", "rw", "rr", "r++", "rbb", "rx", "ax", "wxx",
                                       "rt", "wt", "r ", " r", "R", "W", "a+b+", "ccs=UTF-8", "r,ccs=UTF-8" };
    struct file_mode mode;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    {
        memset(&mode, 0xff, sizeof(mode));
        CHECK_INT(file_mode_parse(bad[i], &mode), QGA_EINVAL);
        CHECK_INT(mode.write, false);
    }
    CHECK_INT(file_mode_parse(NULL, &mode), QGA_EINVAL);
}

TEST(file_whence_codes_and_names)
{
    enum file_whence whence;

    CHECK_INT(file_whence_parse(NULL, 0, &whence), 0);
    CHECK_INT(whence, FILE_WHENCE_SET);
    CHECK_INT(file_whence_parse(NULL, 1, &whence), 0);
    CHECK_INT(whence, FILE_WHENCE_CUR);
    CHECK_INT(file_whence_parse(NULL, 2, &whence), 0);
    CHECK_INT(whence, FILE_WHENCE_END);
    CHECK_INT(file_whence_parse("set", 99, &whence), 0);
    CHECK_INT(whence, FILE_WHENCE_SET);
    CHECK_INT(file_whence_parse("cur", 0, &whence), 0);
    CHECK_INT(whence, FILE_WHENCE_CUR);
    CHECK_INT(file_whence_parse("end", 0, &whence), 0);
    CHECK_INT(whence, FILE_WHENCE_END);
    CHECK_INT(file_whence_parse(NULL, 3, &whence), QGA_EINVAL);
    CHECK_INT(file_whence_parse(NULL, -1, &whence), QGA_EINVAL);
    CHECK_INT(file_whence_parse(NULL, INT64_MIN, &whence), QGA_EINVAL);
    CHECK_INT(file_whence_parse("SET", 0, &whence), QGA_EINVAL);
    CHECK_INT(file_whence_parse("", 0, &whence), QGA_EINVAL);
}
