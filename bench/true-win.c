/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The trivial program `make bench` runs with guest-exec under Wine (/bin/true's counterpart). */
int wmain(void);

int wmain(void)
{
    return 0;
}
