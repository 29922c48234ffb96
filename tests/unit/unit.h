/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The native unit tests' checks and helpers (style.md §8): checks report and continue. */
#ifndef QGA_TESTS_UNIT_H
#define QGA_TESTS_UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/dispatch.h"
#include "core/json.h"

extern int check_failed;

#define TEST(name) void test_##name(void)

#include "test-list.h"
#define X(name) TEST(name);
UNIT_TESTS(X)
#undef X

#define CHECK(cond) do { if (!(cond)) { check_failed++; \
    printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_INT(got, want) do { long long g_ = (long long)(got), w_ = (long long)(want); if (g_ != w_) { \
    check_failed++; printf("# %s:%d: %s = %lld, want %lld\n", __FILE__, __LINE__, #got, g_, w_); } } while (0)
#define CHECK_UINT(got, want) do { unsigned long long g_ = (got), w_ = (want); if (g_ != w_) { \
    check_failed++; printf("# %s:%d: %s = %llu, want %llu\n", __FILE__, __LINE__, #got, g_, w_); } } while (0)
#define CHECK_STR(got, want) check_str(__FILE__, __LINE__, #got, (got), (want))
#define CHECK_MEM(got, got_len, want, want_len) \
    check_mem(__FILE__, __LINE__, #got, (got), (got_len), (want), (want_len))

void check_str(const char *file, int line, const char *expr, const char *got, const char *want);
void check_mem(const char *file, int line, const char *expr, const void *got, size_t got_len,
               const void *want, size_t want_len);

/* A sink that collects everything written to it. */
struct capture
{
    char *data;             /* NUL-terminated, may contain NUL and 0xFF */
    size_t len, capacity;
    unsigned writes;        /* number of sink calls */
};
struct json_sink capture_sink(struct capture *capture);
void capture_clear(struct capture *capture);

/* Feeds input to a fresh stream in chunks of chunk bytes (0 = all at once) and returns one line
 * per event: "V:<value as JSON>" or "E:<error text>" (malloc'd). */
char *stream_events(const char *input, size_t len, size_t chunk);
/* The same for input fed in two chunks split at byte split. */
char *stream_events_split(const char *input, size_t len, size_t split);

/* A dispatcher over the real command table (commands/table.c), version "test-version". */
void test_dispatcher_init(struct dispatcher *dispatcher);
/* Feeds input to a fresh stream whose values and errors go through dispatch_request(); returns
 * everything written to the channel (malloc'd, NUL-terminated; *len gets its length if len). */
char *exchange(struct dispatcher *dispatcher, const char *input, size_t input_len, size_t chunk, size_t *len);
/* exchange() of a NUL-terminated request text, all at once. */
char *exchange_str(struct dispatcher *dispatcher, const char *input);

/* options_parse() of a command line given as a NULL-terminated list after the program name
 * (at most 30 arguments). */
struct options;
int parse_test_args(struct options *options, const char *const *args);

/* tests/unit/fake-platform.c */
const char *fake_log_text(void);     /* "LEVEL message\n" lines logged since the last clear */
void fake_log_clear(void);
void fake_time_set(int64_t ns);

#endif
