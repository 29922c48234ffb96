/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Win32 errors for the Windows layer: the one mapping to QGA_E* codes and the one system-text
 * helper (FormatMessageW, UTF-8, trailing CRLF stripped, number kept: "Access is denied. (error 5)"). */
#ifndef QGA_PLATFORM_ERROR_H
#define QGA_PLATFORM_ERROR_H

#include <stdarg.h>
#include <stdint.h>

#include "core/dispatch.h"
#include "core/error.h"

/* Map a Win32 error code (GetLastError()) to a negative QGA_E* code; 0 maps to QGA_EGENERIC so a
 * failure is never reported as success. */
int win32_error_to_qga(uint32_t error);

/* "<system text> (error N)", e.g. "Access is denied. (error 5)"; also accepts HRESULTs
 * ("... (error 0x80070005)").  Returns a malloc'd UTF-8 string (caller frees) or NULL when out
 * of memory.  Thread-safe. */
char *win32_error_text(uint32_t error);

/* Write win32_error_text() into a caller buffer (truncated, always NUL-terminated); returns buffer.
 * For places that must not allocate (logging the failure of an allocation, service handlers). */
const char *win32_error_text_buf(uint32_t error, char *buffer, size_t size);

/* Set a command error "<fmt...>: <system text> (error N)" with the mapped code; returns the code.
 * Example: call_win32_error(call, GetLastError(), "failed to open file '%s'", path). */
int call_win32_error(struct command_call *call, uint32_t error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
