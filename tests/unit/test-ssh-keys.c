/* SPDX-License-Identifier: GPL-2.0-or-later */
/* authorized_keys validation and edits (core/ssh-keys.c). */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/ssh-keys.h"
#include "unit.h"

#define KEY_A "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA test@a"
#define KEY_B "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ test@b"

static void check_serialized(const struct ssh_key_file *file, const char *want)
{
    char *text = NULL;
    size_t len = 0;

    CHECK_INT(ssh_key_file_serialize(file, &text, &len), 0);
    if (!text) return;
    CHECK_STR(text, want);
    CHECK_INT(len, strlen(want));
    free(text);
}

TEST(ssh_key_check)
{
    CHECK_INT(ssh_key_check(KEY_A, strlen(KEY_A)), 0);
    CHECK_INT(ssh_key_check("", 0), QGA_EINVAL);
    CHECK_INT(ssh_key_check("# comment", 9), QGA_EINVAL);
    CHECK_INT(ssh_key_check("a\nb", 3), QGA_EINVAL);
    CHECK_INT(ssh_key_check("a\rb", 3), QGA_EINVAL);
    CHECK_INT(ssh_key_check("a\0b", 3), QGA_EINVAL);
    CHECK_INT(ssh_key_check(NULL, 0), QGA_EINVAL);
}

TEST(ssh_key_file_parse_crlf_and_last_line)
{
    struct ssh_key_file file = { 0 };
    static const char text[] = KEY_A "\r\n# note\n\n" KEY_B;

    CHECK_INT(ssh_key_file_parse(text, sizeof(text) - 1, &file), 0);
    CHECK_INT(file.count, 4);
    if (file.count == 4)
    {
        CHECK_STR(file.lines[0], KEY_A);
        CHECK_STR(file.lines[1], "# note");
        CHECK_STR(file.lines[2], "");
        CHECK_STR(file.lines[3], KEY_B);
    }
    check_serialized(&file, KEY_A "\n# note\n\n" KEY_B "\n");
    ssh_key_file_clear(&file);

    CHECK_INT(ssh_key_file_parse("", 0, &file), 0);
    CHECK_INT(file.count, 0);
    check_serialized(&file, "");
    ssh_key_file_clear(&file);
}

TEST(ssh_key_file_add_dedups)
{
    struct ssh_key_file file = { 0 };
    static const char text[] = "# keep me\n" KEY_A "\n";

    CHECK_INT(ssh_key_file_parse(text, sizeof(text) - 1, &file), 0);
    CHECK_INT(ssh_key_file_add(&file, KEY_A), 0);
    CHECK_INT(ssh_key_file_add(&file, "  " KEY_A " "), 0);
    CHECK_INT(ssh_key_file_add(&file, KEY_B), 0);
    CHECK_INT(ssh_key_file_add(&file, KEY_B), 0);
    check_serialized(&file, "# keep me\n" KEY_A "\n" KEY_B "\n");
    ssh_key_file_clear(&file);
}

TEST(ssh_key_file_remove)
{
    struct ssh_key_file file = { 0 };
    static const char text[] = KEY_A "\n# " KEY_B "\n" KEY_B "\n" KEY_A "\n";

    CHECK_INT(ssh_key_file_parse(text, sizeof(text) - 1, &file), 0);
    ssh_key_file_remove(&file, KEY_A);
    check_serialized(&file, "# " KEY_B "\n" KEY_B "\n");
    ssh_key_file_remove(&file, "ssh-rsa not-there");
    ssh_key_file_remove(&file, KEY_B);
    check_serialized(&file, "# " KEY_B "\n");
    ssh_key_file_clear(&file);
}

struct collected
{
    char keys[4][128];
    size_t count;
};

static int collect(void *opaque, const char *key, size_t len)
{
    struct collected *c = opaque;
    if (c->count == 4 || len >= 128) return -1;
    memcpy(c->keys[c->count], key, len);
    c->keys[c->count++][len] = 0;
    return 0;
}

TEST(ssh_key_file_keys_in_order)
{
    struct ssh_key_file file = { 0 };
    struct collected c = { .count = 0 };
    static const char text[] = "\n  # c\n " KEY_B " \r\n\t\n" KEY_A;

    CHECK_INT(ssh_key_file_parse(text, sizeof(text) - 1, &file), 0);
    CHECK_INT(ssh_key_file_for_each_key(&file, collect, &c), 0);
    CHECK_INT(c.count, 2);
    CHECK_STR(c.keys[0], KEY_B);   /* file order, not qemu-ga's reversed order */
    CHECK_STR(c.keys[1], KEY_A);
    ssh_key_file_clear(&file);
}
