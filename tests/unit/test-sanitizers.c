/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sanitizer canaries: with QGA_SANITIZER_CANARY set, this test commits the bug it names, so
 * `make check-unit` can prove that LeakSanitizer, AddressSanitizer and UBSan really run in the
 * unit-test binary (with the options check-unit uses) before trusting a clean run. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* Kept in a global the compiler cannot see through, so no bug is optimised away. */
volatile int sanitizer_canary_sink;

TEST(sanitizer_canaries)
{
    const char *canary = getenv("QGA_SANITIZER_CANARY");
    volatile int big = INT_MAX;
    char *block;

    if (!canary) return;
    if (!strcmp(canary, "leak"))
    {
        /* Unreachable once the pointer is overwritten: LeakSanitizer reports it at exit. */
        block = malloc(4242);
        CHECK(block != NULL);
        if (block) block[0] = 1;
        block = NULL;
        sanitizer_canary_sink = block != NULL;
    }
    else if (!strcmp(canary, "heap-overflow"))
    {
        volatile size_t size = 9;

        block = malloc(8);
        CHECK(block != NULL);
        if (block)
        {
            memset(block, 0, size);     /* one byte past the end, through an intercepted call */
            sanitizer_canary_sink = block[0];
            free(block);
        }
    }
    else if (!strcmp(canary, "ubsan"))
    {
        sanitizer_canary_sink = big + 1;
    }
    else
    {
        CHECK(!"QGA_SANITIZER_CANARY must be leak, heap-overflow or ubsan");
    }
}
