/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzzes request validation and dispatch against the real command table (commands/table.c with
 * the portable handlers and stubs for the Windows ones).  Properties: every reply is one line of
 * valid JSON (after an optional 0xFF) with exactly "return" or "error". */
#include <string.h>

#include "commands/commands.h"
#include "core/json.h"
#include "fuzz.h"

static int check_reply(void *opaque, const char *data, size_t len)
{
    struct json_value *reply = NULL;
    char *error = NULL;
    unsigned *replies = opaque;

    (*replies)++;
    FUZZ_ASSERT(len > 1 && data[len - 1] == '\n');
    if ((unsigned char)data[0] == 0xFF)
    {
        data++;
        len--;
    }
    FUZZ_ASSERT(!memchr(data, '\n', len - 1));
    FUZZ_ASSERT(json_parse(data, len - 1, &reply, &error) == 0);
    FUZZ_ASSERT(reply->type == JSON_OBJECT);
    FUZZ_ASSERT(!json_object_get(reply, "return") != !json_object_get(reply, "error"));
    json_free(reply);
    return 0;
}

struct context
{
    struct dispatcher dispatcher;
    struct json_sink sink;
};

static void on_request(void *opaque, struct json_value *value, const char *error)
{
    struct context *context = opaque;

    FUZZ_ASSERT(dispatch_request(&context->dispatcher, value, error, &context->sink) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned replies = 0;
    struct context context;
    struct json_stream *stream;
    size_t i;
    uint8_t flags = size ? data[0] : 0;

    memset(&context, 0, sizeof(context));
    context.dispatcher.commands = command_table;
    context.dispatcher.command_count = command_table_len;
    context.dispatcher.version = "fuzz";
    context.dispatcher.frozen = flags & 1;
    /* the first byte also picks filter lists */
    for (i = 0; i < command_table_len; i++)
    {
        if ((flags & 2) && (i % 3 == (size_t)(flags >> 4) % 3))
            name_list_add(&context.dispatcher.block_rpcs, command_table[i].name);
        if ((flags & 4) && (i % 2 == (size_t)(flags >> 6) % 2))
            name_list_add(&context.dispatcher.allow_rpcs, command_table[i].name);
    }
    context.sink.write = check_reply;
    context.sink.opaque = &replies;
    stream = json_stream_new(on_request, &context);
    FUZZ_ASSERT(stream);
    if (size) json_stream_feed(stream, (const char *)data + 1, size - 1);
    json_stream_free(stream);
    dispatcher_clear(&context.dispatcher);
    return 0;
}
