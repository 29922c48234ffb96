/* SPDX-License-Identifier: GPL-2.0-or-later */
/* JSON values: constructors, containers, lookups, clone and free (portable core). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"
#include "core/json-private.h"

static struct json_value *value_new(enum json_type type)
{
    struct json_value *value = calloc(1, sizeof(*value));

    if (value) value->type = type;
    return value;
}

/* null, true and false are shared, never allocated nor freed: nothing changes a value in place,
 * and an object of 50 entries with two booleans each (guest-info) saves 100 allocations. */
static struct json_value shared_null = { .type = JSON_NULL };
static struct json_value shared_false = { .type = JSON_BOOL, .u.boolean = false };
static struct json_value shared_true = { .type = JSON_BOOL, .u.boolean = true };

static bool is_shared(const struct json_value *value)
{
    return value == &shared_null || value == &shared_false || value == &shared_true;
}

struct json_value *json_null(void)
{
    return &shared_null;
}

struct json_value *json_bool(bool boolean)
{
    return boolean ? &shared_true : &shared_false;
}

struct json_value *json_int(int64_t integer)
{
    struct json_value *value = value_new(JSON_INT);

    if (value) value->u.integer = integer;
    return value;
}

struct json_value *json_uint(uint64_t uinteger)
{
    struct json_value *value;

    /* Keep one representation per number: values that fit int64 are JSON_INT. */
    if (uinteger <= INT64_MAX) return json_int((int64_t)uinteger);
    if ((value = value_new(JSON_UINT))) value->u.uinteger = uinteger;
    return value;
}

struct json_value *json_double(double number)
{
    struct json_value *value = value_new(JSON_DOUBLE);

    if (value) value->u.number = number;
    return value;
}

/* A string's bytes normally follow its value in the same allocation (one malloc and one free per
 * string: most strings are short, and allocations are what building a reply costs, under Wine's
 * heap most of all); json_string_adopt() makes one that points to a buffer of its own. */
static inline char *inline_data(struct json_value *value)
{
    return (char *)(value + 1);
}

struct json_value *json_string_buffer(size_t len, char **buffer)
{
    struct json_value *value;
    char *data;

    *buffer = NULL;
    if (len > SIZE_MAX - sizeof(*value) - 1 || !(value = malloc(sizeof(*value) + len + 1))) return NULL;
    memset(value, 0, sizeof(*value));
    value->type = JSON_STRING;
    data = inline_data(value);
    data[len] = 0;
    value->u.string.data = data;
    value->u.string.len = len;
    *buffer = data;
    return value;
}

struct json_value *json_string_adopt(char *data, size_t len)
{
    struct json_value *value = value_new(JSON_STRING);

    if (!value)
    {
        free(data);
        return NULL;
    }
    value->u.string.data = data;
    value->u.string.len = len;
    return value;
}

struct json_value *json_string_len(const char *utf8, size_t len)
{
    char *data;
    struct json_value *value = json_string_buffer(len, &data);

    if (value && len) memcpy(data, utf8, len);
    return value;
}

struct json_value *json_string(const char *utf8)
{
    return json_string_len(utf8, strlen(utf8));
}

struct json_value *json_stringf(const char *fmt, ...)
{
    struct json_value *value;
    va_list ap, ap2;
    char *data;
    int len;

    va_start(ap, fmt);
    va_copy(ap2, ap);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0 || !(value = json_string_buffer((size_t)len, &data)))
    {
        va_end(ap2);
        return NULL;
    }
    vsnprintf(data, (size_t)len + 1, fmt, ap2);
    va_end(ap2);
    return value;
}

struct json_value *json_array(void)
{
    return value_new(JSON_ARRAY);
}

struct json_value *json_object(void)
{
    return value_new(JSON_OBJECT);
}

void json_free(struct json_value *value)
{
    size_t i;

    if (!value || is_shared(value)) return;
    switch (value->type)
    {
    case JSON_STRING:
        if (value->u.string.data != inline_data(value)) free(value->u.string.data);
        break;
    case JSON_ARRAY:
        for (i = 0; i < value->u.array.count; i++) json_free(value->u.array.items[i]);
        free(value->u.array.items);
        break;
    case JSON_OBJECT:
        for (i = 0; i < value->u.object.count; i++)
        {
            free(value->u.object.members[i].key);
            json_free(value->u.object.members[i].value);
        }
        free(value->u.object.members);
        break;
    default:
        break;
    }
    free(value);
}

struct json_value *json_clone(const struct json_value *value)
{
    struct json_value *copy;
    size_t i;

    if (!value) return NULL;
    switch (value->type)
    {
    case JSON_STRING:
        return json_string_len(value->u.string.data, value->u.string.len);
    case JSON_ARRAY:
        if (!(copy = json_array())) return NULL;
        for (i = 0; i < value->u.array.count; i++)
        {
            if (json_array_append(copy, json_clone(value->u.array.items[i])) < 0) goto fail;
        }
        return copy;
    case JSON_OBJECT:
        if (!(copy = json_object())) return NULL;
        for (i = 0; i < value->u.object.count; i++)
        {
            const struct json_member *member = &value->u.object.members[i];
            if (json_object_set(copy, member->key, json_clone(member->value)) < 0) goto fail;
        }
        return copy;
    case JSON_NULL:
        return json_null();
    case JSON_BOOL:
        return json_bool(value->u.boolean);
    default:
        if ((copy = value_new(value->type))) copy->u = value->u;
        return copy;
    }
fail:
    json_free(copy);
    return NULL;
}

/* Grows *items (of size elem) to hold at least need entries; amortised doubling. */
static int grow(void **items, size_t *capacity, size_t need, size_t elem)
{
    size_t new_capacity;
    void *new_items;

    if (need <= *capacity) return 0;
    new_capacity = *capacity ? *capacity : 4;
    while (new_capacity < need)
    {
        if (new_capacity > SIZE_MAX / 2 / elem) return QGA_ENOMEM;
        new_capacity *= 2;
    }
    if (!(new_items = realloc(*items, new_capacity * elem))) return QGA_ENOMEM;
    *items = new_items;
    *capacity = new_capacity;
    return 0;
}

int json_array_append(struct json_value *array, struct json_value *item)
{
    if (!item || !array || array->type != JSON_ARRAY) goto fail;
    if (grow((void **)&array->u.array.items, &array->u.array.capacity, array->u.array.count + 1,
             sizeof(*array->u.array.items)) < 0) goto fail;
    array->u.array.items[array->u.array.count++] = item;
    return 0;
fail:
    json_free(item);
    return QGA_ENOMEM;
}

int json_object_append_owned(struct json_value *object, char *key, struct json_value *value)
{
    struct json_member *member;

    if (!key || !value || object->type != JSON_OBJECT) goto fail;
    if (grow((void **)&object->u.object.members, &object->u.object.capacity, object->u.object.count + 1,
             sizeof(*object->u.object.members)) < 0) goto fail;
    member = &object->u.object.members[object->u.object.count++];
    member->key = key;
    member->value = value;
    return 0;
fail:
    free(key);
    json_free(value);
    return QGA_ENOMEM;
}

int json_object_set(struct json_value *object, const char *key, struct json_value *value)
{
    size_t i, len;
    char *copy;

    if (!object || object->type != JSON_OBJECT || !value)
    {
        json_free(value);
        return QGA_ENOMEM;
    }
    for (i = 0; i < object->u.object.count; i++)
    {
        if (!strcmp(object->u.object.members[i].key, key))
        {
            json_free(object->u.object.members[i].value);
            object->u.object.members[i].value = value;
            return 0;
        }
    }
    len = strlen(key);
    if (!(copy = malloc(len + 1)))
    {
        json_free(value);
        return QGA_ENOMEM;
    }
    memcpy(copy, key, len + 1);
    return json_object_append_owned(object, copy, value);
}

int json_object_set_string(struct json_value *object, const char *key, const char *utf8)
{
    return json_object_set(object, key, json_string(utf8));
}

int json_object_set_int(struct json_value *object, const char *key, int64_t value)
{
    return json_object_set(object, key, json_int(value));
}

int json_object_set_bool(struct json_value *object, const char *key, bool value)
{
    return json_object_set(object, key, json_bool(value));
}

int json_object_set_double(struct json_value *object, const char *key, double value)
{
    return json_object_set(object, key, json_double(value));
}

const struct json_value *json_object_get(const struct json_value *object, const char *key)
{
    size_t i;

    if (!object || object->type != JSON_OBJECT) return NULL;
    for (i = 0; i < object->u.object.count; i++)
    {
        if (!strcmp(object->u.object.members[i].key, key)) return object->u.object.members[i].value;
    }
    return NULL;
}

const char *json_object_get_string(const struct json_value *object, const char *key)
{
    const struct json_value *value = json_object_get(object, key);

    return value && value->type == JSON_STRING ? value->u.string.data : NULL;
}
