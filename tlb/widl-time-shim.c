/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LD_PRELOAD shim for widl (build host only): time() returns SOURCE_DATE_EPOCH, so the
 * "Created by WIDL ... at <time>" string widl stamps into a type library, and the hash stored
 * with it, are the same on every run (wine-notes.md §10). */
#include <stdlib.h>
#include <time.h>

time_t time(time_t *out);
time_t time(time_t *out)
{
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    time_t now = epoch ? (time_t)strtoll(epoch, NULL, 10) : 0;

    if (out) *out = now;
    return now;
}
