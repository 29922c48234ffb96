/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzzes base64.  Properties: decoding accepts exactly the canonical encodings (line breaks
 * aside), and encode then decode gives the input back. */
#include <string.h>

#include "core/base64.h"
#include "core/error.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *out = NULL, *back = NULL;
    size_t out_len = 0, back_len = 0, enc_len, i, plain_len = 0;
    char *text, *plain;
    int ret;

    ret = base64_decode((const char *)data, size, &out, &out_len);
    FUZZ_ASSERT(ret == 0 || ret == QGA_EINVAL);
    if (ret == 0)
    {
        /* canonical: re-encoding gives the input without its line breaks */
        FUZZ_ASSERT(out && out[out_len] == 0);
        enc_len = base64_encoded_len(out_len);
        text = malloc(enc_len + 1);
        plain = malloc(size + 1);
        FUZZ_ASSERT(text && plain);
        base64_encode(out, out_len, text);
        for (i = 0; i < size; i++)
        {
            if (data[i] != '\n') plain[plain_len++] = (char)data[i];
        }
        FUZZ_ASSERT(enc_len == plain_len && !memcmp(text, plain, enc_len));
        free(text);
        free(plain);
        free(out);
    }
    else
    {
        FUZZ_ASSERT(out == NULL && out_len == 0);
    }

    enc_len = base64_encoded_len(size);
    text = malloc(enc_len + 1);
    FUZZ_ASSERT(text);
    base64_encode(data, size, text);
    FUZZ_ASSERT(base64_decode(text, enc_len, &back, &back_len) == 0);
    FUZZ_ASSERT(back_len == size && (!size || !memcmp(back, data, size)));
    free(back);
    free(text);
    return 0;
}
