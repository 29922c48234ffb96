/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-exec's capture choice, capped output buffers and exit status split (portable core). */
#include "core/exec-output.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define EXEC_OUTPUT_FIRST_CAPACITY 4096

const char *const exec_capture_names[] = { "none", "stdout", "stderr", "separated", NULL };

int exec_capture_parse(const struct json_value *value, enum exec_capture *out)
{
    *out = EXEC_CAPTURE_NONE;
    if (!value) return 0;
    if (value->type == JSON_BOOL)
    {
        *out = value->u.boolean ? EXEC_CAPTURE_SEPARATED : EXEC_CAPTURE_NONE;
        return 0;
    }
    if (value->type != JSON_STRING) return QGA_EINVAL;
    for (int i = 0; exec_capture_names[i]; i++)
    {
        if (!strcmp(value->u.string.data, exec_capture_names[i]))
        {
            *out = (enum exec_capture)i;
            return 0;
        }
    }
    return QGA_EINVAL;
}

int exec_output_append(struct exec_output *output, const void *data, size_t len)
{
    size_t limit = output->limit && output->limit < EXEC_OUTPUT_MAX ? output->limit : EXEC_OUTPUT_MAX;
    size_t room = limit > output->len ? limit - output->len : 0;

    output->total += len;
    if (len > room)
    {
        output->truncated = true;
        len = room;
    }
    if (!len) return 0;
    if (output->len + len > output->capacity)
    {
        size_t capacity = output->capacity ? output->capacity : EXEC_OUTPUT_FIRST_CAPACITY;
        uint8_t *grown;
        while (capacity < output->len + len) capacity *= 2;
        if (capacity > limit) capacity = limit;
        if (!(grown = realloc(output->data, capacity)))
        {
            output->truncated = true;
            return QGA_ENOMEM;
        }
        output->data = grown;
        output->capacity = capacity;
    }
    memcpy(output->data + output->len, data, len);
    output->len += len;
    return 0;
}

void exec_output_clear(struct exec_output *output)
{
    free(output->data);
    memset(output, 0, sizeof(*output));
}

void exec_status_split(uint32_t status, bool *is_signal, int64_t *value)
{
    *is_signal = status >= 0xC0000000u;
    *value = (int32_t)status;
}
