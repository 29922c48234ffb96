/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wire classes and default texts of the agent's error codes (from QGA_ERRNO_MAP). */
#include "core/error.h"

static const struct
{
    const char *cls;
    const char *text;
} errors[] =
{
#define X(name, cls, text) { cls, text },
    QGA_ERRNO_MAP(X)
#undef X
};

/* Unknown codes (including 0 and positive values) map to GenericError. */
static int error_index(int code)
{
    if (code >= 0 || code < -QGA_ERRNO_COUNT) return QGA_ERRNO_INDEX_GENERIC;
    return -code - 1;
}

const char *qga_error_class(int code)
{
    return errors[error_index(code)].cls;
}

const char *qga_error_text(int code)
{
    return errors[error_index(code)].text;
}
