/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small argument rules of the action commands: set-time range, shutdown mode, defrag output
 * (core/guest-time.c, core/power-mode.c, core/fstrim-output.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/fstrim-output.h"
#include "core/guest-time.h"
#include "core/power-mode.h"
#include "unit.h"

TEST(guest_time_to_filetime)
{
    uint64_t ft = 1;

    CHECK_INT(guest_time_to_filetime(0, &ft), 0);
    CHECK_INT((int64_t)ft, FILETIME_UNIX_EPOCH);
    CHECK_INT(guest_time_to_filetime(1700000000123456789LL, &ft), 0);
    CHECK_INT((int64_t)ft, 1700000000123456789LL / 100 + FILETIME_UNIX_EPOCH);
    CHECK_INT(guest_time_to_filetime(99, &ft), 0);   /* sub-100-ns digits are truncated */
    CHECK_INT((int64_t)ft, FILETIME_UNIX_EPOCH);
    CHECK_INT(guest_time_to_filetime(-1, &ft), QGA_EINVAL);
    CHECK_INT((int64_t)ft, 0);
    CHECK_INT(guest_time_to_filetime(INT64_MIN, &ft), QGA_EINVAL);
    CHECK_INT(guest_time_to_filetime(INT64_MAX, &ft), 0);   /* year 2262 fits a FILETIME */
    CHECK_INT((int64_t)ft, INT64_MAX / 100 + FILETIME_UNIX_EPOCH);
}

TEST(power_mode_parse)
{
    enum power_mode mode;

    CHECK_INT(power_mode_parse(NULL, &mode), 0);
    CHECK_INT(mode, POWER_MODE_POWERDOWN);
    CHECK_INT(power_mode_parse("powerdown", &mode), 0);
    CHECK_INT(mode, POWER_MODE_POWERDOWN);
    CHECK_INT(power_mode_parse("halt", &mode), 0);
    CHECK_INT(mode, POWER_MODE_HALT);
    CHECK_INT(power_mode_parse("reboot", &mode), 0);
    CHECK_INT(mode, POWER_MODE_REBOOT);
    CHECK_INT(power_mode_parse("", &mode), QGA_EINVAL);
    CHECK_INT(power_mode_parse("Reboot", &mode), QGA_EINVAL);
    CHECK_INT(power_mode_parse("suspend", &mode), QGA_EINVAL);
}

TEST(fstrim_output_error)
{
    static const char ok[] = "Invoking retrim on (C:)...\r\n\r\nThe operation completed successfully.\r\n";
    static const char failed[] = "Invoking retrim on (C:)...\r\n\r\n  The volume does not support it. (0x89000020)  \r\n"
                                 "Second (0x1)\r\n";
    char *error = (char *)1;

    CHECK_INT(fstrim_output_error(ok, sizeof(ok) - 1, &error), 0);
    CHECK(error == NULL);
    CHECK_INT(fstrim_output_error(failed, sizeof(failed) - 1, &error), 0);
    CHECK(error != NULL);
    if (error) CHECK_STR(error, "The volume does not support it. (0x89000020)");
    free(error);
    CHECK_INT(fstrim_output_error("(0x", 3, &error), 0);
    if (error) CHECK_STR(error, "(0x");
    free(error);
    CHECK_INT(fstrim_output_error("(0", 2, &error), 0);
    CHECK(error == NULL);
    CHECK_INT(fstrim_output_error("", 0, &error), 0);
    CHECK(error == NULL);
}
