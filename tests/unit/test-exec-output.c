/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-exec's capture choice, 16 MiB cap and exit status split (core/exec-output.c). */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/exec-output.h"
#include "unit.h"

TEST(exec_capture_parse)
{
    struct json_value *v;
    enum exec_capture capture;

    CHECK_INT(exec_capture_parse(NULL, &capture), 0);
    CHECK_INT(capture, EXEC_CAPTURE_NONE);

    v = json_bool(true);
    CHECK_INT(exec_capture_parse(v, &capture), 0);
    CHECK_INT(capture, EXEC_CAPTURE_SEPARATED);
    json_free(v);
    v = json_bool(false);
    CHECK_INT(exec_capture_parse(v, &capture), 0);
    CHECK_INT(capture, EXEC_CAPTURE_NONE);
    json_free(v);

    for (int i = 0; exec_capture_names[i]; i++)
    {
        v = json_string(exec_capture_names[i]);
        CHECK_INT(exec_capture_parse(v, &capture), 0);
        CHECK_INT(capture, i);
        json_free(v);
    }
    v = json_string("merged");   /* compat: not on Windows */
    CHECK_INT(exec_capture_parse(v, &capture), QGA_EINVAL);
    json_free(v);
    v = json_int(1);
    CHECK_INT(exec_capture_parse(v, &capture), QGA_EINVAL);
    json_free(v);
}

TEST(exec_output_caps_at_16_mib)
{
    struct exec_output out = { 0 };
    size_t chunk = 1024 * 1024 + 7;
    char *data = malloc(chunk);

    if (!data) return;
    memset(data, 'x', chunk);
    while (out.len < EXEC_OUTPUT_MAX) CHECK_INT(exec_output_append(&out, data, chunk), 0);
    CHECK_INT(out.len, EXEC_OUTPUT_MAX);
    CHECK(out.truncated);
    CHECK(out.capacity <= EXEC_OUTPUT_MAX);
    CHECK_INT(exec_output_append(&out, data, 1), 0);
    CHECK_INT(out.len, EXEC_OUTPUT_MAX);
    exec_output_clear(&out);
    CHECK_INT(out.len, 0);
    CHECK(!out.truncated);

    /* exactly the cap is not truncated */
    for (size_t left = EXEC_OUTPUT_MAX; left; )
    {
        size_t n = left < chunk ? left : chunk;
        CHECK_INT(exec_output_append(&out, data, n), 0);
        left -= n;
    }
    CHECK_INT(out.len, EXEC_OUTPUT_MAX);
    CHECK(!out.truncated);
    CHECK_INT(exec_output_append(&out, "", 0), 0);
    CHECK(!out.truncated);
    exec_output_clear(&out);
    free(data);
}

TEST(exec_status_split)
{
    bool is_signal;
    int64_t value;

    exec_status_split(0, &is_signal, &value);
    CHECK(!is_signal);
    CHECK_INT(value, 0);
    exec_status_split(3, &is_signal, &value);
    CHECK(!is_signal);
    CHECK_INT(value, 3);
    exec_status_split(0x80070005u, &is_signal, &value);
    CHECK(!is_signal);
    CHECK_INT(value, -2147024891LL);
    exec_status_split(0xBFFFFFFFu, &is_signal, &value);
    CHECK(!is_signal);
    exec_status_split(0xC0000000u, &is_signal, &value);
    CHECK(is_signal);
    exec_status_split(0xC0000005u, &is_signal, &value);
    CHECK(is_signal);
    CHECK_INT(value, -1073741819LL);
    exec_status_split(0xFFFFFFFFu, &is_signal, &value);   /* exit(-1) reads as a status */
    CHECK(is_signal);
    CHECK_INT(value, -1);
}
