/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LD_PRELOAD shim that makes wixl's (and widl's) output reproducible: the clock reads
 * SOURCE_DATE_EPOCH and "random" UUIDs come from a counter seeded by QGA_REPRO_UUID_SEED (a hex
 * digest of the package's version and content), so two builds of one tree are byte-identical.
 * Build-host only; never part of a shipped binary (wine-notes.md §10). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t epoch(void)
{
    const char *value = getenv("SOURCE_DATE_EPOCH");
    return value ? strtoull(value, NULL, 10) : 0;
}

time_t time(time_t *out);
time_t time(time_t *out)
{
    time_t now = (time_t)epoch();
    if (out) *out = now;
    return now;
}

int64_t g_get_real_time(void);
int64_t g_get_real_time(void)
{
    return (int64_t)epoch() * 1000000;
}

char *g_uuid_string_random(void);
char *g_uuid_string_random(void)
{
    static unsigned counter;
    const char *seed = getenv("QGA_REPRO_UUID_SEED");
    char hex[33] = "00000000000000000000000000000000";
    char *out = malloc(37);

    if (!out) return NULL;
    if (seed) memcpy(hex, seed, strnlen(seed, 32));
    snprintf(hex + 24, 9, "%08x", ++counter);
    /* version 4 layout, variant 10xx, so the text is a valid UUID */
    snprintf(out, 37, "%.8s-%.4s-4%.3s-a%.3s-%.12s", hex, hex + 8, hex + 13, hex + 17, hex + 20);
    return out;
}
