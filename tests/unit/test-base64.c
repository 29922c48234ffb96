/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of base64 (strict RFC 4648) and of the error table. */
#include <stdlib.h>

#include "core/base64.h"
#include "unit.h"

static void check_decode(const char *file, int line, const char *text, const char *want, size_t want_len)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    int ret = base64_decode(text, strlen(text), &out, &out_len);

    if (ret != 0)
    {
        check_failed++;
        printf("# %s:%d: base64_decode(\"%s\") = %d\n", file, line, text, ret);
        return;
    }
    check_mem(file, line, text, out, out_len, want, want_len);
    if (out[out_len] != 0) check_mem(file, line, "NUL terminator", "x", 1, "", 1);
    free(out);
}
#define CHECK_DECODE(text, want) check_decode(__FILE__, __LINE__, (text), (want), sizeof(want) - 1)

TEST(base64_rfc4648_vectors)
{
    static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    size_t i;

    for (i = 0; i < 7; i++)
    {
        size_t len = strlen(plain[i]), enc_len = base64_encoded_len(len);
        char buffer[16] = { 0 };

        CHECK_UINT(enc_len, strlen(coded[i]));
        base64_encode((const uint8_t *)plain[i], len, buffer);
        CHECK_STR(buffer, coded[i]);
        check_decode(__FILE__, __LINE__, coded[i], plain[i], len);
    }
    CHECK_DECODE("AAEC/+/+", "\x00\x01\x02\xff\xef\xfe");
    /* compat: qemu accepts line-wrapped input */
    CHECK_DECODE("Zm9v\nYmFy\n", "foobar");
    CHECK_UINT(base64_encoded_len(SIZE_MAX), SIZE_MAX);
}

TEST(base64_rejects_invalid)
{
    static const char *const bad[] =
    {
        "Zg=", "Z", "Zg", "Zm9v!A==", "Zg==Zg==", "Z===", "====", "Zh==", "Zm9=", "Zm 9v", "Zm9v\r\n",
        "Zm-v", "Zm_v", "=Zm9", "Zm=v", "\xc3\xa9\xc3\xa9", "Zm9v\0AAA",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    {
        uint8_t *out = (uint8_t *)"sentinel";
        size_t out_len = 7;
        size_t len = i == sizeof(bad) / sizeof(bad[0]) - 1 ? 8 : strlen(bad[i]);
        int ret = base64_decode(bad[i], len, &out, &out_len);

        if (ret != QGA_EINVAL) printf("# case %zu: \"%s\"\n", i, bad[i]);
        CHECK_INT(ret, QGA_EINVAL);
        CHECK(out == NULL);
        CHECK_UINT(out_len, 0);
    }
}

TEST(base64_round_trip)
{
    uint8_t data[300];
    char text[404];
    size_t len, i;
    uint32_t seed = 12345;

    for (len = 0; len < sizeof(data); len++)
    {
        uint8_t *out;
        size_t out_len;

        for (i = 0; i < len; i++)
        {
            seed = seed * 1103515245u + 12345u;
            data[i] = (uint8_t)(seed >> 16);
        }
        base64_encode(data, len, text);
        CHECK_INT(base64_decode(text, base64_encoded_len(len), &out, &out_len), 0);
        CHECK_MEM(out, out_len, data, len);
        free(out);
    }
}

TEST(error_classes_and_texts)
{
    CHECK_STR(qga_error_class(QGA_EGENERIC), "GenericError");
    CHECK_STR(qga_error_class(QGA_ECMDNOTFOUND), "CommandNotFound");
    CHECK_STR(qga_error_class(QGA_ENOTSUP), "GenericError");
    CHECK_STR(qga_error_text(QGA_ENOTSUP), "this feature or command is not currently supported");
    CHECK_STR(qga_error_text(QGA_ENOMEM), "out of memory");
    CHECK_STR(qga_error_class(QGA_ECLOSED), "GenericError");
    /* unknown codes are generic */
    CHECK_STR(qga_error_class(-1000), "GenericError");
    CHECK_STR(qga_error_class(0), "GenericError");
    CHECK_STR(qga_error_text(5), "an error occurred");
}
