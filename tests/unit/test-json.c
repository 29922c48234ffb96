/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the JSON values, the streaming parser (qemu-ga semantics and limits) and the writer. */
#include <math.h>
#include <stdlib.h>

#include "unit.h"

/* Events of input fed at once, and again byte by byte (which must give the same events). */
static void check_events(const char *file, int line, const char *input, size_t len, const char *want)
{
    /* (big inputs go in odd-sized chunks instead: byte by byte would only be slow) */
    char *whole = stream_events(input, len, 0), *bytes = stream_events(input, len, len > 65536 ? 4093 : 1);

    check_str(file, line, "events", whole, want);
    check_str(file, line, "events byte by byte", bytes, want);
    free(whole);
    free(bytes);
}
#define CHECK_EVENTS(input, want) check_events(__FILE__, __LINE__, (input), strlen(input), (want))
#define CHECK_EVENTS_LEN(input, len, want) check_events(__FILE__, __LINE__, (input), (len), (want))

static char *repeat(const char *unit, size_t count, const char *prefix, const char *suffix, size_t *out_len)
{
    size_t unit_len = strlen(unit), prefix_len = strlen(prefix), suffix_len = strlen(suffix);
    size_t len = prefix_len + unit_len * count + suffix_len, i;
    char *text = malloc(len + 1), *pos = text;

    memcpy(pos, prefix, prefix_len);
    pos += prefix_len;
    for (i = 0; i < count; i++, pos += unit_len) memcpy(pos, unit, unit_len);
    memcpy(pos, suffix, suffix_len);
    text[len] = 0;
    if (out_len) *out_len = len;
    return text;
}

TEST(json_values_build_and_clone)
{
    struct json_value *object = json_object(), *array = json_array(), *copy;
    char *text;

    CHECK_INT(json_object_set_string(object, "name", "x"), 0);
    CHECK_INT(json_object_set_int(object, "n", -5), 0);
    CHECK_INT(json_object_set_bool(object, "b", true), 0);
    CHECK_INT(json_object_set_double(object, "d", 0.5), 0);
    CHECK_INT(json_array_append(array, json_null()), 0);
    CHECK_INT(json_array_append(array, json_uint(UINT64_MAX)), 0);
    CHECK_INT(json_array_append(array, json_stringf("%d-%s", 7, "z")), 0);
    CHECK_INT(json_object_set(object, "list", array), 0);
    CHECK_INT(json_object_set_int(object, "n", 6), 0);    /* replaces */
    CHECK_STR(json_object_get_string(object, "name"), "x");
    CHECK(json_object_get(object, "missing") == NULL);
    CHECK(json_object_get_string(object, "n") == NULL);
    CHECK_INT(json_array_append(array, NULL), QGA_ENOMEM);
    CHECK_INT(json_object_set(object, "x", NULL), QGA_ENOMEM);
    copy = json_clone(object);
    json_free(object);
    CHECK_INT(json_to_string(copy, &text, NULL), 0);
    CHECK_STR(text, "{\"name\": \"x\", \"n\": 6, \"b\": true, \"d\": 0.5, \"list\": [null, 18446744073709551615, \"7-z\"]}");
    free(text);
    json_free(copy);
    json_free(NULL);
    /* json_uint() keeps one representation per number */
    copy = json_uint(5);
    CHECK_INT(copy->type, JSON_INT);
    json_free(copy);
}

TEST(json_parses_scalars_and_containers)
{
    CHECK_EVENTS("{\"execute\":\"guest-ping\"}", "V:{\"execute\": \"guest-ping\"}\n");
    CHECK_EVENTS("1 2 \"a\" true false null [] {} -0 0.5 1e3 1E+2 2.5e-1 ",
                 "V:1\nV:2\nV:\"a\"\nV:true\nV:false\nV:null\nV:[]\nV:{}\nV:0\nV:0.5\nV:1000\nV:100\nV:0.25\n");
    CHECK_EVENTS(" \t\r\n[1, [2, {\"a\": [{}]}], \"x\"]\n", "V:[1, [2, {\"a\": [{}]}], \"x\"]\n");
    CHECK_EVENTS("{\"b\":1,\"a\":{\"c\":null}}{}", "V:{\"b\": 1, \"a\": {\"c\": null}}\nV:{}\n");
    /* a number needs the next byte to end: nothing is emitted before it comes */
    CHECK_EVENTS("12", "");
    CHECK_EVENTS("tru", "");
}

TEST(json_parse_error_texts)
{
    CHECK_EVENTS("{\"a\":1]", "E:JSON parse error, expected separator in dict\n");
    CHECK_EVENTS("[1 2]", "E:JSON parse error, expected separator in list\n");
    CHECK_EVENTS("{\"a\" 1}", "E:JSON parse error, missing : in object pair\n");
    CHECK_EVENTS("{1:2}", "E:JSON parse error, key is not a string in object\n");
    CHECK_EVENTS("{[1]:2}", "E:JSON parse error, key is not a string in object\n");
    CHECK_EVENTS("{[1 2]:2}", "E:JSON parse error, expected separator in list\n");
    CHECK_EVENTS("{\"a\":1,\"a\":2}", "E:JSON parse error, duplicate key\n");
    CHECK_EVENTS("{\"a\":1,\"a\":[1 2]}", "E:JSON parse error, expected separator in list\n");
    CHECK_EVENTS("[foo]", "E:JSON parse error, invalid keyword 'foo'\n");
    CHECK_EVENTS("{foo:1}", "E:JSON parse error, invalid keyword 'foo'\n");
    CHECK_EVENTS("]", "E:JSON parse error, expecting value\n");
    CHECK_EVENTS(":", "E:JSON parse error, expecting value\n");
    CHECK_EVENTS("{\"a\":}", "E:JSON parse error, expecting value\n");
    CHECK_EVENTS("[1,]", "E:JSON parse error, expecting value\n");
    CHECK_EVENTS("{\"a\":1,}", "E:JSON parse error, expecting value\n");
    CHECK_EVENTS("{,}", "E:JSON parse error, expecting value\n");
    CHECK_EVENTS("{\"a\":1}}", "V:{\"a\": 1}\nE:JSON parse error, expecting value\n");
    /* compat: the error comes when the message's brackets balance, once per message */
    CHECK_EVENTS("[foo, [bar], baz", "");
    CHECK_EVENTS("[foo, [bar], baz]", "E:JSON parse error, invalid keyword 'foo'\n");
    /* compat: qemu's framing tests bracket_count >= 0 twice, so [} stays open until the ] */
    CHECK_EVENTS("[}", "");
    CHECK_EVENTS("[}]", "E:JSON parse error, expecting value\n");
    CHECK_EVENTS("{]", "E:JSON parse error, expecting value\n");
}

TEST(json_single_quotes_and_escapes)
{
    CHECK_EVENTS("'a\\'b\"c'", "V:\"a'b\\\"c\"\n");
    CHECK_EVENTS("{'execute':'guest-ping'}", "V:{\"execute\": \"guest-ping\"}\n");
    CHECK_EVENTS("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\'\"", "V:\"\\\" \\\\ / \\b \\f \\n \\r \\t '\"\n");
    CHECK_EVENTS("\"\\q\"", "E:JSON parse error, invalid escape sequence in string\n");
    CHECK_EVENTS("'\\x'", "E:JSON parse error, invalid escape sequence in string\n");
    /* control characters are not allowed in strings (the lexer rejects them) */
    CHECK_EVENTS("\"a\tb\"", "E:JSON parse error, stray '\"a\t'\n");
}

TEST(json_unicode_escapes_and_surrogates)
{
    CHECK_EVENTS("\"\\u00e9\\u00E9\"", "V:\"\\u00E9\\u00E9\"\n");
    CHECK_EVENTS("\"\\ud83d\\ude00\"", "V:\"\\uD83D\\uDE00\"\n");
    CHECK_EVENTS("\"a\\u0000b\"", "V:\"a\\u0000b\"\n");
    CHECK_EVENTS("\"\\u0041\"", "V:\"A\"\n");
    CHECK_EVENTS("\"\\ud800\"", "E:JSON parse error, \\ud800 is not a valid Unicode character\n");
    CHECK_EVENTS("\"\\ud800x\"", "E:JSON parse error, \\ud800 is not a valid Unicode character\n");
    CHECK_EVENTS("\"\\ud800\\u0041\"", "E:JSON parse error, \\ud800 is not a valid Unicode character\n");
    CHECK_EVENTS("\"\\udc00\"", "E:JSON parse error, \\udc00 is not a valid Unicode character\n");
    /* deliberate difference: qemu rejects noncharacters, RFC 8259 allows them */
    CHECK_EVENTS("\"\\uffff\\ufdd0\\ud83f\\udffe\"", "V:\"\\uFFFF\\uFDD0\\uD83F\\uDFFE\"\n");
    CHECK_EVENTS("\"\\ud800\\ud800\"", "E:JSON parse error, \\ud800 is not a valid Unicode character\n");
    CHECK_EVENTS("\"\\u12\"", "E:JSON parse error, \\u12\" is not a valid Unicode character\n");
    CHECK_EVENTS("\"\\u12g4\"", "E:JSON parse error, \\u12g4 is not a valid Unicode character\n");
    /* keys keep a NUL distinct ("a\u0000b" is not "a") */
    CHECK_EVENTS("{\"a\\u0000b\":1,\"a\":2}", "V:{\"a\\u0000b\": 1, \"a\": 2}\n");
}

TEST(json_rejects_invalid_utf8)
{
    CHECK_EVENTS("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "V:\"\\u00E9\\u20AC\\uD83D\\uDE00\"\n");
    CHECK_EVENTS("\"\xc3\"", "E:JSON parse error, invalid UTF-8 sequence in string\n");
    CHECK_EVENTS("\"\x80\"", "E:JSON parse error, invalid UTF-8 sequence in string\n");
    CHECK_EVENTS("\"\xe0\x80\x80\"", "E:JSON parse error, invalid UTF-8 sequence in string\n");   /* overlong */
    CHECK_EVENTS("\"\xed\xa0\x80\"", "E:JSON parse error, invalid UTF-8 sequence in string\n");   /* surrogate */
    CHECK_EVENTS("\"\xef\xbf\xbe\"", "V:\"\\uFFFE\"\n");   /* a noncharacter: accepted (qemu rejects it) */
    CHECK_EVENTS("\"\xf4\x90\x80\x80\"", "E:JSON parse error, invalid UTF-8 sequence in string\n");
    CHECK_EVENTS("'\xfd\x80'", "E:JSON parse error, invalid UTF-8 sequence in string\n");
    /* compat: C0 80 is modified UTF-8 for U+0000 */
    CHECK_EVENTS("\"\xc0\x80\"", "V:\"\\u0000\"\n");
    /* compat: recovery resumes at the ':' which starts a new (bad) message */
    CHECK_EVENTS("{\"\xff\":1}\n{}", "E:JSON parse error, stray '\"\xff'\nE:JSON parse error, expecting value\nV:1\n"
                 "E:JSON parse error, expecting value\nV:{}\n");
}

TEST(json_integers_int64_uint64_double)
{
    static const struct
    {
        const char *text;
        enum json_type type;
        const char *written;
    } cases[] =
    {
        { "9223372036854775807 ", JSON_INT, "9223372036854775807" },
        { "-9223372036854775808 ", JSON_INT, "-9223372036854775808" },
        { "9223372036854775808 ", JSON_UINT, "9223372036854775808" },
        { "18446744073709551615 ", JSON_UINT, "18446744073709551615" },
        { "18446744073709551616 ", JSON_DOUBLE, "1.8446744073709552e+19" },
        { "-9223372036854775809 ", JSON_DOUBLE, "-9.2233720368547758e+18" },
        { "1700000000000 ", JSON_INT, "1700000000000" },
        { "0 ", JSON_INT, "0" },
        { "-0 ", JSON_INT, "0" },
        { "1.0 ", JSON_DOUBLE, "1" },
        { "1e400 ", JSON_DOUBLE, "1e999" },
        { "-1e400 ", JSON_DOUBLE, "-1e999" },
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    {
        struct json_value *value = NULL;
        char *error = NULL, *text = NULL;

        CHECK_INT(json_parse(cases[i].text, strlen(cases[i].text), &value, &error), 0);
        CHECK_STR(error, NULL);
        if (!value) continue;
        CHECK_INT(value->type, cases[i].type);
        CHECK_INT(json_to_string(value, &text, NULL), 0);
        CHECK_STR(text, cases[i].written);
        if (i == 0) CHECK_INT(value->u.integer, INT64_MAX);
        if (i == 1) CHECK(value->u.integer == INT64_MIN);
        if (i == 3) CHECK_UINT(value->u.uinteger, UINT64_MAX);
        free(text);
        json_free(value);
    }
    /* compat: leading zeros and 0e5 as qemu's lexer splits them */
    CHECK_EVENTS("01", "E:JSON parse error, stray '01'\n");
    CHECK_EVENTS("[0e5]", "E:JSON parse error, expected separator in list\n");
    CHECK_EVENTS("-x", "E:JSON parse error, stray '-x'\n");
    CHECK_EVENTS("1.x", "E:JSON parse error, stray '1.x'\n");
    CHECK_EVENTS("1e+]", "E:JSON parse error, stray '1e+]'\n");
    CHECK_EVENTS("1\x80", "E:JSON parse error, stray '1\x80'\n");
}

TEST(json_stray_0xff_resets)
{
    CHECK_EVENTS("\xff", "E:JSON parse error, stray '\xff'\n");
    CHECK_EVENTS("\xfe", "E:JSON parse error, stray '\xfe'\n");
    CHECK_EVENTS("{\"execute\":\xff{\"execute\":\"guest-ping\"}",
                 "E:JSON parse error, stray '\xff'\nV:{\"execute\": \"guest-ping\"}\n");
    CHECK_EVENTS("{\"a\":\"abc\xff{}", "E:JSON parse error, stray '\"abc\xff'\nV:{}\n");
    /* every 0xFF is reported, also in recovery */
    CHECK_EVENTS("\xff\xff{}", "E:JSON parse error, stray '\xff'\nE:JSON parse error, stray '\xff'\nV:{}\n");
    CHECK_EVENTS("x\xff{}", "E:JSON parse error, stray 'x\xff'\nV:{}\n");
    CHECK_EVENTS("X\xff{}", "E:JSON parse error, stray 'X'\nE:JSON parse error, stray '\xff'\nV:{}\n");
    CHECK_EVENTS("[[[[\xff[]", "E:JSON parse error, stray '\xff'\nV:[]\n");
}

TEST(json_recovery_skips_to_structural)
{
    /* compat: after a stray byte, skip to a structural or control character */
    CHECK_EVENTS("TRUE {}", "E:JSON parse error, stray 'T'\nV:{}\n");
    CHECK_EVENTS("@garbage \"x\" 1\n2 ", "E:JSON parse error, stray '@'\nV:2\n");
    CHECK_EVENTS("{\"a\":\x01}", "E:JSON parse error, stray '\x01'\nE:JSON parse error, expecting value\n");
    CHECK_EVENTS("%d", "E:JSON parse error, stray '%'\n");
    /* compat: qemu prints the stray token with %s, so a NUL shows as nothing */
    CHECK_EVENTS_LEN("\0{}", 3, "E:JSON parse error, stray ''\nV:{}\n");
}

TEST(json_nesting_limit)
{
    char *ok, *deep, *events;
    size_t len;

    ok = repeat("[", JSON_MAX_NESTING, "", "", &len);
    deep = malloc(len * 2 + 1);
    memcpy(deep, ok, len);
    memset(deep + len, ']', len);
    deep[len * 2] = 0;
    events = stream_events(deep, len * 2, 0);
    CHECK(!strncmp(events, "V:[[[[", 6));
    free(events);
    free(deep);
    free(ok);

    /* one error per oversized message; the rest of it is dropped and the next one is parsed */
    ok = repeat("[", JSON_MAX_NESTING + 1, "", "", &len);
    deep = malloc(len * 2 + 3);
    memcpy(deep, ok, len);
    memset(deep + len, ']', len);
    memcpy(deep + len * 2, "{}", 3);
    CHECK_EVENTS_LEN(deep, len * 2 + 2, "E:JSON nesting depth limit exceeded\nV:{}\n");
    free(deep);
    free(ok);

    ok = repeat("{\"a\":", 1100, "", "", &len);
    deep = malloc(len + 1100 + 4);
    memcpy(deep, ok, len);
    memset(deep + len, '}', 1100);
    memcpy(deep + len + 1100, "[1]", 4);
    CHECK_EVENTS_LEN(deep, len + 1103, "E:JSON nesting depth limit exceeded\nV:[1]\n");
    free(deep);
    free(ok);
}

TEST(json_token_count_limit)
{
    size_t len, ones = (JSON_MAX_TOKEN_COUNT - 3) / 2;
    char *text;

    /* [foo,1,1,...]: a syntax error early and still the count limit wins, as in qemu, where the
     * tokens are queued until the message ends.  Exactly the limit is fine. */
    text = repeat(",1", ones, "[foo", "]", &len);       /* 2 + 2 * ones + 1 = limit - 0 tokens */
    CHECK_INT(2 + 2 * ones + 1 <= JSON_MAX_TOKEN_COUNT, 1);
    CHECK_EVENTS_LEN(text, len, "E:JSON parse error, invalid keyword 'foo'\n");
    free(text);
    text = repeat(",1", ones + 1, "[foo", "]{}", &len);
    CHECK_EVENTS_LEN(text, len, "E:JSON token count limit exceeded\nV:{}\n");
    free(text);
}

TEST(json_token_size_limit)
{
    size_t content = JSON_MAX_TOKEN_SIZE - 3, len;
    char *text = malloc(content + 16), *events;

    /* a token of MAX - 1 bytes is the largest qemu accepts (its check is len + 1 > MAX) */
    text[0] = '"';
    memset(text + 1, 'a', content);
    memcpy(text + 1 + content, "\"", 2);
    len = content + 2;
    events = stream_events(text, len, 0);
    CHECK_INT(strlen(events), content + 5);
    CHECK(!strncmp(events, "V:\"aaaa", 7));
    free(events);

    memcpy(text + 1 + content, "a\" {}", 6);
    CHECK_EVENTS_LEN(text, len + 4, "E:JSON token size limit exceeded\nV:{}\n");
    /* the oversized string is dropped to its end, even when it contains structural characters */
    text[100] = '{';
    text[101] = ']';
    CHECK_EVENTS_LEN(text, len + 4, "E:JSON token size limit exceeded\nV:{}\n");
    /* an oversized number */
    memset(text, '1', len + 1);
    memcpy(text + len + 1, " {}", 4);
    CHECK_EVENTS_LEN(text, len + 4, "E:JSON token size limit exceeded\nV:{}\n");
    free(text);
    /* inside a request, the whole request is dropped */
    text = malloc(len + 1024);
    memcpy(text, "{\"execute\":\"x\",\"arguments\":{\"buf\":\"", 35);
    memset(text + 35, 'Q', len + 500 - 35);
    memcpy(text + len + 500, "\"}}[]", 6);
    CHECK_EVENTS_LEN(text, len + 505, "E:JSON token size limit exceeded\nV:[]\n");
    /* ... but a 0xFF still resets at once */
    text[len + 100] = '\xff';
    CHECK_EVENTS_LEN(text, len + 505, "E:JSON token size limit exceeded\nE:JSON parse error, stray '\xff'\n"
                     "E:JSON parse error, expecting value\nE:JSON parse error, expecting value\nV:[]\n");
    free(text);
}

TEST(json_message_size_limit)
{
    size_t half = JSON_MAX_TOKEN_SIZE / 2, len;
    char *text = malloc(2 * half + 64), *events;

    /* two strings of half the limit each: the second overflows the message total */
    len = 0;
    text[len++] = '[';
    text[len++] = '"';
    memset(text + len, 'x', half);
    len += half;
    memcpy(text + len, "\",\"", 3);
    len += 3;
    memset(text + len, 'y', half);
    len += half;
    memcpy(text + len, "\"]{}", 4);
    len += 4;
    CHECK_EVENTS_LEN(text, len, "E:JSON token size limit exceeded\nV:{}\n");
    /* whitespace does not count */
    events = stream_events("[    1    ] ", 12, 0);
    CHECK_STR(events, "V:[1]\n");
    free(events);
    free(text);
}

TEST(json_chunked_input_at_every_split)
{
    static const char input[] =
        "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":123456789012}}\n"
        "{'execute':'guest-ping','id':[1,{'a':null}]}"
        "\xff{\"execute\":\"guest-info\"} 1.5e3 -12 true \"\\ud83d\\ude00\\u00e9\xc3\xa9\" "
        "{\"a\":1,\"a\":2} [1 2] TRUE { \"x\" : \x01 } 18446744073709551616 [[[]]] "
        "\"a\\\"b\" 'c\\'d' \"\\u12\" \xfe{} null ";
    size_t len = sizeof(input) - 1, split, chunk;
    char *whole = stream_events(input, len, 0);

    CHECK(strstr(whole, "V:{\"execute\": \"guest-sync\", \"arguments\": {\"id\": 123456789012}}\n") == whole);
    for (split = 0; split <= len; split++)
    {
        int failed_before = check_failed;
        char *two = stream_events_split(input, len, split);

        CHECK_STR(two, whole);
        free(two);
        if (check_failed != failed_before)
        {
            printf("# split at %zu\n", split);
            break;
        }
    }
    for (chunk = 1; chunk < 9; chunk++)
    {
        char *chunked = stream_events(input, len, chunk);
        CHECK_STR(chunked, whole);
        free(chunked);
    }
    free(whole);
}

TEST(json_duplicate_keys_in_big_object)
{
    size_t count = 200000, i, len = 0;
    char *text = malloc(count * 24 + 64), *events;

    /* must not be quadratic: 200k members with a duplicate at the end */
    text[len++] = '{';
    for (i = 0; i < count; i++) len += (size_t)sprintf(text + len, "%s\"k%zu\":%zu", i ? "," : "", i, i);
    len += (size_t)sprintf(text + len, ",\"k%zu\":0}", count / 2);
    events = stream_events(text, len, 0);
    CHECK_STR(events, "E:JSON parse error, duplicate key\n");
    free(events);
    text[len - 1] = ' ';
    len += (size_t)sprintf(text + len - 1, ",\"other\":1}") - 1;
    events = stream_events(text, len, 0);
    CHECK_STR(events, "E:JSON parse error, duplicate key\n");
    free(events);
    free(text);
}

TEST(json_parse_one_value)
{
    struct json_value *value;
    char *error;

    CHECK_INT(json_parse("{\"a\": [1, 2]}", 13, &value, &error), 0);
    CHECK(value && value->type == JSON_OBJECT);
    json_free(value);
    CHECK_INT(json_parse("  42", 4, &value, &error), 0);
    CHECK(value && value->type == JSON_INT && value->u.integer == 42);
    json_free(value);
    CHECK_INT(json_parse("1 2", 3, &value, &error), QGA_EINVAL);
    CHECK_STR(error, "Expecting at most one JSON value");
    free(error);
    CHECK_INT(json_parse("{\"a\":", 5, &value, &error), QGA_EINVAL);
    CHECK_STR(error, "JSON parse error, premature EOI");
    free(error);
    CHECK_INT(json_parse("\"abc", 4, &value, &error), QGA_EINVAL);
    CHECK_STR(error, "JSON parse error, stray '\"abc'");
    free(error);
    CHECK_INT(json_parse("", 0, &value, &error), QGA_EINVAL);
    CHECK_STR(error, "Expecting a JSON value");
    free(error);
    CHECK_INT(json_parse("[1,", 3, &value, NULL), QGA_EINVAL);
    CHECK(value == NULL);
}

TEST(json_writer_escapes)
{
    static const char raw[] = "\"\\/\b\f\n\r\t\x01\x1f\x7f" "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" "\xff\xc3" "x"
                              "\xef\xbf\xbe\xed\xa0\x80\xc0\x80";
    struct json_value *value = json_string_len(raw, sizeof(raw) - 1 + 0);
    struct json_value *with_nul = json_string_len("a\0b", 3);
    char *text;

    CHECK_INT(json_to_string(value, &text, NULL), 0);
    CHECK_STR(text, "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001F\\u007FA\\u00E9\\u20AC\\uD83D\\uDE00\\uFFFD\\uFFFDx"
                    "\\uFFFE\\uFFFD\\u0000\"");
    free(text);
    CHECK_INT(json_to_string(with_nul, &text, NULL), 0);
    CHECK_STR(text, "\"a\\u0000b\"");
    free(text);
    json_free(value);
    json_free(with_nul);
}

/* The writer looks at long strings eight bytes at a time: every byte value must be escaped the
 * same wherever it stands (each position of a word, the tail), as it is alone. */
TEST(json_writer_escapes_at_every_position)
{
    char raw[24], want[256], *alone, *got;
    unsigned byte;
    size_t i;

    for (byte = 0; byte < 256; byte++)
    {
        struct json_value *one;
        size_t len;

        raw[0] = (char)byte;
        one = json_string_len(raw, 1);
        CHECK_INT(json_to_string(one, &alone, &len), 0);
        json_free(one);
        for (i = 0; i < sizeof(raw); i++)
        {
            struct json_value *value;

            memset(raw, 'a', sizeof(raw));
            raw[i] = (char)byte;
            value = json_string_len(raw, sizeof(raw));
            /* want: '"' + i a's + the escaped byte (alone without its quotes) + the rest + '"' */
            snprintf(want, sizeof(want), "\"%.*s%.*s%.*s\"", (int)i, "aaaaaaaaaaaaaaaaaaaaaaaa",
                     (int)(len - 2), alone + 1, (int)(sizeof(raw) - 1 - i), "aaaaaaaaaaaaaaaaaaaaaaaa");
            CHECK_INT(json_to_string(value, &got, NULL), 0);
            if (strcmp(got, want)) CHECK_STR(got, want);
            free(got);
            json_free(value);
        }
        free(alone);
    }
}

TEST(json_writer_numbers)
{
    static const struct
    {
        double number;
        const char *text;
    } doubles[] =
    {
        { 0.5, "0.5" }, { 0.1, "0.10000000000000001" }, { -2.0, "-2" }, { 1e300, "1.0000000000000001e+300" },
        { 1.5e-7, "1.4999999999999999e-07" },
        { -0.0, "-0" },     /* compat: as qemu; reads back as the integer 0 (found by fuzz-json) */
        { 5e-324, "4.9406564584124654e-324" },
    };
    struct json_value *array = json_array();
    char *text;
    size_t i;

    for (i = 0; i < sizeof(doubles) / sizeof(doubles[0]); i++)
    {
        struct json_value *value = json_double(doubles[i].number);
        CHECK_INT(json_to_string(value, &text, NULL), 0);
        CHECK_STR(text, doubles[i].text);
        free(text);
        json_free(value);
    }
    json_array_append(array, json_double(NAN));
    json_array_append(array, json_double(INFINITY));
    json_array_append(array, json_double(-INFINITY));
    json_array_append(array, json_int(INT64_MIN));
    json_array_append(array, json_int(INT64_MAX));
    json_array_append(array, json_uint(UINT64_MAX));
    CHECK_INT(json_to_string(array, &text, NULL), 0);
    CHECK_STR(text, "[null, 1e999, -1e999, -9223372036854775808, 9223372036854775807, 18446744073709551615]");
    free(text);
    json_free(array);
}

static int failing_write(void *opaque, const char *data, size_t len)
{
    (void)opaque;
    (void)data;
    (void)len;
    return QGA_EIO;
}

TEST(json_writer_batches_small_pieces)
{
    struct capture capture = { 0 };
    struct json_sink sink = capture_sink(&capture), failing = { failing_write, NULL };
    struct json_value *value = json_object();
    size_t i;

    for (i = 0; i < 20; i++) json_object_set_int(value, i % 2 ? "odd" : "even", (int64_t)i);
    json_object_set_string(value, "s", "short");
    CHECK_INT(json_write_line(value, true, &sink), 0);
    CHECK_INT(capture.writes, 1);
    CHECK_STR(capture.data, "\xff{\"even\": 18, \"odd\": 19, \"s\": \"short\"}\n");
    CHECK_INT(json_write(value, &failing), QGA_EIO);
    capture_clear(&capture);
    json_free(value);
}

TEST(json_big_string_round_trip)
{
    size_t len = 48u << 20, i;
    char *request = malloc(len + 64);
    struct json_value *value;
    struct capture capture = { 0 };
    struct json_sink sink = capture_sink(&capture);

    /* a 48 MiB payload: parsed without quadratic work, written with few sink calls */
    memcpy(request, "{\"buf-b64\":\"", 12);
    for (i = 0; i < len; i++) request[12 + i] = "ABCDabcd0123+/xy"[i % 16];
    memcpy(request + 12 + len, "\"}", 3);
    CHECK_INT(json_parse(request, len + 14, &value, NULL), 0);
    if (value)
    {
        const struct json_value *buf = json_object_get(value, "buf-b64");
        CHECK(buf && buf->u.string.len == len);
        CHECK_INT(json_write(value, &sink), 0);
        CHECK_UINT(capture.len, len + 15);
        CHECK(capture.writes < 8);
        CHECK(!memcmp(capture.data + 13, request + 12, len));
        json_free(value);
    }
    capture_clear(&capture);
    free(request);
}

static void collect(void *opaque, struct json_value *value, const char *error)
{
    struct capture *capture = opaque;
    char *text = NULL;

    if (value) json_to_string(value, &text, NULL);
    capture_sink(capture).write(capture, value ? "V:" : "E:", 2);
    capture_sink(capture).write(capture, value ? text : error, strlen(value ? text : error));
    capture_sink(capture).write(capture, "\n", 1);
    free(text);
    json_free(value);
}

TEST(json_stream_reset_and_flush)
{
    struct capture capture = { 0 };
    struct json_stream *stream = json_stream_new(collect, &capture);
    char *big = malloc(JSON_MAX_TOKEN_SIZE + 16);

    /* a reset drops a partial message, a partial string and a message being dropped */
    json_stream_feed(stream, "{\"a\":[1,", 8);
    json_stream_reset(stream);
    json_stream_feed(stream, "{}", 2);
    json_stream_feed(stream, "[\"abc", 5);
    json_stream_reset(stream);
    json_stream_feed(stream, "[]", 2);
    memset(big, '[', 2000);
    json_stream_feed(stream, big, 2000);
    json_stream_reset(stream);
    json_stream_feed(stream, "1 ", 2);
    big[0] = '"';
    memset(big + 1, 'b', JSON_MAX_TOKEN_SIZE + 4);
    json_stream_feed(stream, big, JSON_MAX_TOKEN_SIZE + 5);
    json_stream_reset(stream);
    json_stream_feed(stream, "2 ", 2);
    /* flush completes a pending token and reports an unfinished message */
    json_stream_feed(stream, "3", 1);
    json_stream_flush(stream);
    json_stream_feed(stream, "{\"a\":", 5);
    json_stream_flush(stream);
    json_stream_feed(stream, "[1 2", 4);
    json_stream_flush(stream);
    json_stream_feed(stream, "tr", 2);
    json_stream_flush(stream);
    json_stream_feed(stream, "-", 1);
    json_stream_flush(stream);
    json_stream_flush(stream);
    CHECK_STR(capture.data, "V:{}\nV:[]\nE:JSON nesting depth limit exceeded\nV:1\n"
                            "E:JSON token size limit exceeded\nV:2\nV:3\nE:JSON parse error, premature EOI\n"
                            "E:JSON parse error, expected separator in list\nE:JSON parse error, invalid keyword 'tr'\n"
                            "E:JSON parse error, stray '-'\n");
    json_stream_free(stream);
    capture_clear(&capture);
    free(big);
}
