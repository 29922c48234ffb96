/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the libFuzzer targets: the entry point's prototype and a tiny deterministic PRNG. */
#ifndef QGA_TESTS_FUZZ_H
#define QGA_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property violation: print it and crash so libFuzzer keeps the input. */
#define FUZZ_ASSERT(cond) do { if (!(cond)) { fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", #cond, \
    __FILE__, __LINE__); abort(); } } while (0)

static inline uint32_t fuzz_next(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

#endif
