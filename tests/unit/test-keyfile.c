/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the configuration file parser (core/keyfile.c). */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/keyfile.h"
#include "unit.h"

static int parse(const char *text, struct keyfile *keyfile, char **error)
{
    return keyfile_parse(text, strlen(text), keyfile, error);
}

/* Parse text and return the value of [general] key (copied into a static buffer) or "(null)". */
static const char *value_of(const char *text, const char *key)
{
    static char buffer[256];
    struct keyfile keyfile;
    const char *value;

    if (parse(text, &keyfile, NULL) < 0) return "(error)";
    value = keyfile_get(&keyfile, "general", key);
    strncpy(buffer, value ? value : "(null)", sizeof(buffer) - 1);
    buffer[sizeof(buffer) - 1] = 0;
    keyfile_clear(&keyfile);
    return buffer;
}

/* Returns the error text of a failing parse (static copy) or "(ok)". */
static const char *error_of_len(const char *text, size_t len)
{
    static char buffer[256];
    struct keyfile keyfile;
    char *error = NULL;
    int ret = keyfile_parse(text, len, &keyfile, &error);

    if (ret == 0)
    {
        keyfile_clear(&keyfile);
        return "(ok)";
    }
    strncpy(buffer, error ? error : "(no text)", sizeof(buffer) - 1);
    buffer[sizeof(buffer) - 1] = 0;
    free(error);
    return buffer;
}

static const char *error_of(const char *text)
{
    return error_of_len(text, strlen(text));
}

TEST(keyfile_reads_groups_and_keys)
{
    struct keyfile keyfile;
    char *error = NULL;

    CHECK_INT(parse("# comment\n[general]\nmethod=isa-serial\n\n[other]\nmethod=x\n", &keyfile, &error), 0);
    CHECK_INT(keyfile.count, 2);
    CHECK_STR(keyfile_get(&keyfile, "general", "method"), "isa-serial");
    CHECK_STR(keyfile_get(&keyfile, "other", "method"), "x");
    CHECK(keyfile_get(&keyfile, "general", "path") == NULL);
    CHECK(error == NULL);
    keyfile_clear(&keyfile);
    keyfile_clear(&keyfile);    /* clearing twice is fine */
}

TEST(keyfile_trims_blanks_around_key_and_value)
{
    CHECK_STR(value_of("[general]\n  method \t=  isa-serial \t\n", "method"), "isa-serial");
    CHECK_STR(value_of("[ general ]\nmethod=a b\n", "method"), "a b");
    CHECK_STR(value_of("[general]\nmethod=\n", "method"), "");
}

TEST(keyfile_accepts_crlf_and_bom)
{
    static const char bom_crlf[] = "\xef\xbb\xbf[general]\r\nmethod=isa-serial\r\npath=COM9\r\n";

    CHECK_STR(value_of(bom_crlf, "method"), "isa-serial");
    CHECK_STR(value_of(bom_crlf, "path"), "COM9");
    CHECK_STR(value_of("[general]\rmethod=x\n", "method"), "(error)");  /* a lone CR is not a line end */
    CHECK_STR(value_of("[general]\npath=COM9", "path"), "COM9");       /* no final newline */
}

TEST(keyfile_last_duplicate_key_wins)
{
    struct keyfile keyfile;

    CHECK_INT(parse("[general]\npath=a\nmethod=m\npath=b\n[general]\npath=c\n", &keyfile, NULL), 0);
    CHECK_INT(keyfile.count, 2);
    CHECK_STR(keyfile_get(&keyfile, "general", "path"), "c");
    CHECK_INT(keyfile.entries[0].line, 6);
    keyfile_clear(&keyfile);
}

TEST(keyfile_gkeyfile_escapes)
{
    CHECK_STR(value_of("[general]\npath=\\\\\\\\.\\\\COM9\n", "path"), "\\\\.\\COM9");
    CHECK_STR(value_of("[general]\npath=\\sa\\tb\\nc\\rd\\s\n", "path"), " a\tb\nc\rd ");
    /* Unknown escapes are kept (GKeyFile refuses them): a plain Windows path reads as written. */
    CHECK_STR(value_of("[general]\nlogfile=C:\\Program Files\\qga\\log.txt\n", "logfile"),
              "C:\\Program Files\\qga\\log.txt");
    CHECK_STR(value_of("[general]\npath=ends with\\\n", "path"), "ends with\\");
}

TEST(keyfile_quoted_values_are_literal)
{
    CHECK_STR(value_of("[general]\npath=\"\\\\.\\COM9\"\n", "path"), "\\\\.\\COM9");
    CHECK_STR(value_of("[general]\npath = \" spaced \" \n", "path"), " spaced ");
    CHECK_STR(value_of("[general]\npath=\"\"\n", "path"), "");
    CHECK_STR(value_of("[general]\npath=\"a\"b\"\n", "path"), "a\"b");
    CHECK_STR(value_of("[general]\npath=a\"b\n", "path"), "a\"b");     /* inner quotes are ordinary */
    CHECK_STR(error_of("[general]\npath=\"abc\n"), "line 2: unterminated quoted value");
    CHECK_STR(error_of("[general]\npath=\"\n"), "line 2: unterminated quoted value");
}

TEST(keyfile_rejects_malformed_lines)
{
    CHECK_STR(error_of("method=x\n"), "line 1: key outside of any group (the file must start with a group)");
    CHECK_STR(error_of("[general]\nno equals sign\n"), "line 2: not a key=value pair, group or comment");
    CHECK_STR(error_of("[general]\n = value\n"), "line 2: empty key name");
    CHECK_STR(error_of("[general\n"), "line 1: group header without ']'");
    CHECK_STR(error_of("[general] x\n"), "line 1: unexpected text after group header");
    CHECK_STR(error_of("[]\n"), "line 1: empty group name");
    CHECK_STR(error_of("[a[b]\n"), "line 1: invalid group name");
    static const char nul[] = "[general]\n\nmethod=a\0b\n";

    CHECK_STR(error_of_len(nul, sizeof(nul) - 1), "line 3: NUL byte in configuration file");
    CHECK_STR(error_of(""), "(ok)");
    CHECK_STR(error_of("\n\n# only comments\n; and these\n   \n"), "(ok)");
}

TEST(keyfile_failed_parse_leaves_output_empty)
{
    struct keyfile keyfile;
    char *error = NULL;

    CHECK_INT(parse("[general]\npath=a\nbroken\n", &keyfile, &error), QGA_EINVAL);
    CHECK_INT(keyfile.count, 0);
    CHECK(keyfile.entries == NULL);
    free(error);
    CHECK_INT(parse("[general]\nbroken\n", &keyfile, NULL), QGA_EINVAL);    /* NULL error is allowed */
}

TEST(keyfile_booleans_as_gkeyfile)
{
    bool value = false;

    CHECK_INT(keyfile_parse_bool("true", &value), 0);
    CHECK(value);
    CHECK_INT(keyfile_parse_bool("0", &value), 0);
    CHECK(!value);
    CHECK_INT(keyfile_parse_bool("1", &value), 0);
    CHECK(value);
    CHECK_INT(keyfile_parse_bool("false", &value), 0);
    CHECK(!value);
    CHECK_INT(keyfile_parse_bool("yes", &value), QGA_EINVAL);
    CHECK_INT(keyfile_parse_bool("TRUE", &value), QGA_EINVAL);
    CHECK_INT(keyfile_parse_bool("", &value), QGA_EINVAL);
}

TEST(keyfile_escape_round_trips)
{
    static const char *const values[] =
    {
        "", "plain", "C:\\Program Files\\qga", "\\\\.\\Global\\org.qemu.guest_agent.0", " lead", "trail ",
        "  ", "tab\there", "new\nline", "cr\r", "\"quoted\"", "\"", "a=b", "#not a comment", "[x]", "\\s",
    };
    size_t i;

    for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
    {
        char *escaped = keyfile_escape(values[i]), text[512];

        CHECK(escaped != NULL);
        if (!escaped) continue;
        snprintf(text, sizeof(text), "[general]\nkey=%s\n", escaped);
        CHECK_STR(value_of(text, "key"), values[i]);
        free(escaped);
    }
}

TEST(keyfile_path_unescape_and_raw_values)
{
    struct keyfile keyfile;
    char *path;

    path = keyfile_unescape_path("C:\\\\dir\\sub\\\\\\x\\");
    CHECK_STR(path, "C:\\dir\\sub\\\\x\\");
    free(path);
    CHECK_INT(parse("[general]\na = C:\\state \nb=\" q \"\n", &keyfile, NULL), 0);
    CHECK_INT(keyfile.count, 2);
    if (keyfile.count == 2)
    {
        CHECK_STR(keyfile.entries[0].raw, "C:\\state");
        CHECK_STR(keyfile.entries[0].value, "C: tate");     /* GKeyFile's reading */
        CHECK(!keyfile.entries[0].quoted);
        CHECK_STR(keyfile.entries[1].raw, " q ");
        CHECK(keyfile.entries[1].quoted);
    }
    keyfile_clear(&keyfile);
}
