/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Minimal JSON text builder for the fakes' trace lines and state dumps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

void json_init(struct json *json)
{
    memset(json, 0, sizeof(*json));
}

void json_free(struct json *json)
{
    free(json->text);
    json_init(json);
}

const char *json_text(struct json *json)
{
    return json->failed || !json->text ? "null" : json->text;
}

void json_append(struct json *json, const char *data, size_t len)
{
    char *text;

    if (json->failed) return;
    if (json->len + len + 1 > json->capacity)
    {
        size_t capacity = json->capacity ? json->capacity : 256;

        while (json->len + len + 1 > capacity) capacity *= 2;
        if (!(text = realloc(json->text, capacity)))
        {
            json->failed = true;
            return;
        }
        json->text = text;
        json->capacity = capacity;
    }
    memcpy(json->text + json->len, data, len);
    json->len += len;
    json->text[json->len] = 0;
}

static void value_start(struct json *json)
{
    if (json->need_comma) json_append(json, ",", 1);
    json->need_comma = true;
}

void json_begin(struct json *json, char bracket)
{
    value_start(json);
    json_append(json, &bracket, 1);
    json->need_comma = false;
}

void json_end(struct json *json, char bracket)
{
    json_append(json, &bracket, 1);
    json->need_comma = true;
}

void json_key(struct json *json, const char *key)
{
    json_string_a(json, key);
    json_append(json, ":", 1);
    json->need_comma = false;
}

static void append_escaped(struct json *json, const char *utf8)
{
    char buffer[8];

    json_append(json, "\"", 1);
    for (; *utf8; utf8++)
    {
        unsigned char c = (unsigned char)*utf8;

        if (c == '"' || c == '\\')
        {
            buffer[0] = '\\';
            buffer[1] = (char)c;
            json_append(json, buffer, 2);
        }
        else if (c < 0x20)
        {
            snprintf(buffer, sizeof(buffer), "\\u%04x", c);
            json_append(json, buffer, 6);
        }
        else json_append(json, (const char *)&c, 1);
    }
    json_append(json, "\"", 1);
}

void json_string_a(struct json *json, const char *value)
{
    value_start(json);
    if (!value) json_append(json, "null", 4);
    else append_escaped(json, value);
}

void json_string(struct json *json, const WCHAR *value)
{
    char *utf8;
    int size;

    if (!value)
    {
        json_string_a(json, NULL);
        return;
    }
    size = WideCharToMultiByte(CP_UTF8, 0, value, -1, NULL, 0, NULL, NULL);
    if (size <= 0 || !(utf8 = malloc((size_t)size)))
    {
        json->failed = true;
        return;
    }
    WideCharToMultiByte(CP_UTF8, 0, value, -1, utf8, size, NULL, NULL);
    json_string_a(json, utf8);
    free(utf8);
}

void json_int(struct json *json, long long value)
{
    char buffer[32];

    value_start(json);
    snprintf(buffer, sizeof(buffer), "%lld", value);
    json_append(json, buffer, strlen(buffer));
}

void json_bool(struct json *json, bool value)
{
    value_start(json);
    json_append(json, value ? "true" : "false", value ? 4 : 5);
}

void json_guid(struct json *json, const GUID *guid)
{
    WCHAR text[40];

    guid_to_string(guid, text);
    json_string(json, text);
}

void json_hresult(struct json *json, HRESULT hr)
{
    char buffer[16];

    snprintf(buffer, sizeof(buffer), "0x%08lx", (unsigned long)hr);
    json_string_a(json, buffer);
}

/* Strings, integers and booleans as themselves; anything else as {"vt": n}. */
void json_variant(struct json *json, const VARIANT *value)
{
    switch (V_VT(value))
    {
    case VT_BSTR: json_string(json, V_BSTR(value) ? V_BSTR(value) : L""); break;
    case VT_I4: json_int(json, V_I4(value)); break;
    case VT_I2: json_int(json, V_I2(value)); break;
    case VT_UI4: json_int(json, V_UI4(value)); break;
    case VT_BOOL: json_bool(json, V_BOOL(value) != VARIANT_FALSE); break;
    case VT_EMPTY: case VT_NULL: value_start(json); json_append(json, "null", 4); break;
    default:
        json_begin(json, '{');
        json_key(json, "vt");
        json_int(json, V_VT(value));
        json_end(json, '}');
        break;
    }
}

void json_raw(struct json *json, const char *value)
{
    value_start(json);
    json_append(json, value, strlen(value));
}
