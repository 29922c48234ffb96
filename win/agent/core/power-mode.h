/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-shutdown's mode argument (portable core). */
#ifndef QGA_CORE_POWER_MODE_H
#define QGA_CORE_POWER_MODE_H

enum power_mode
{
    POWER_MODE_POWERDOWN,   /* the default */
    POWER_MODE_HALT,
    POWER_MODE_REBOOT,
};

/* NULL means the default.  Returns 0 or QGA_EINVAL; compat: the caller answers
 * "Parameter 'mode' expects 'halt', 'powerdown', or 'reboot'" (qemu-ga's QERR text). */
int power_mode_parse(const char *mode, enum power_mode *out);

#endif
