/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Compiler attributes shared by the core headers. */
#ifndef QGA_CORE_COMPILER_H
#define QGA_CORE_COMPILER_H

/* printf-style checking.  mingw-w64 builds use its C99 stdio (__USE_MINGW_ANSI_STDIO), so %zu and
 * %lld are checked as GNU formats, not as msvcrt's. */
#if defined(__MINGW32__)
#define QGA_PRINTF(fmt, first) __attribute__((format(gnu_printf, fmt, first)))
#else
#define QGA_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#endif

#endif
