/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-shutdown's mode argument (portable core). */
#include "core/power-mode.h"

#include <string.h>

#include "core/error.h"

int power_mode_parse(const char *mode, enum power_mode *out)
{
    *out = POWER_MODE_POWERDOWN;
    if (!mode || !strcmp(mode, "powerdown")) return 0;
    if (!strcmp(mode, "halt"))
    {
        *out = POWER_MODE_HALT;
        return 0;
    }
    if (!strcmp(mode, "reboot"))
    {
        *out = POWER_MODE_REBOOT;
        return 0;
    }
    return QGA_EINVAL;
}
