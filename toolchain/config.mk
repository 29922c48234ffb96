# SPDX-License-Identifier: GPL-2.0-or-later
# Compilers and every flag, in one place (style.md §10).

export LC_ALL := C
export TZ := UTC
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 1700000000)

B            ?= build
VERSION      := $(shell cat VERSION)
CROSS        ?= x86_64-w64-mingw32-
WIN_CC       := $(CROSS)gcc
WIN_WINDRES  := $(CROSS)windres
WIN_WINDMC   := $(CROSS)windmc
WIN_OBJDUMP  := $(CROSS)objdump
WIDL         := $(CROSS)widl
HOST_CC      ?= cc
CLANG        ?= clang

CSTD         := -std=c11
WARN         := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wdate-time \
                -Wformat=2 -Wno-format-nonliteral
REPRO        := -ffile-prefix-map=$(CURDIR)=.
INCLUDES     := -Iwin/common -Iwin/agent -I$(B)/gen

WIN_CFLAGS   := $(CSTD) $(WARN) $(REPRO) -O2 -g $(INCLUDES) \
                -D__USE_MINGW_ANSI_STDIO=1 -DUNICODE -D_UNICODE -D_WIN32_WINNT=0x0601 -DWINVER=0x0601 \
                -fstack-protector-strong
WIN_LDFLAGS  := -static -Wl,--no-insert-timestamp -Wl,--dynamicbase -Wl,--nxcompat -Wl,--high-entropy-va \
                -municode
WIN_DLL_LDFLAGS := -static -shared -Wl,--no-insert-timestamp -Wl,--dynamicbase -Wl,--nxcompat \
                -Wl,--high-entropy-va

HOST_SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
HOST_CFLAGS  := $(CSTD) $(WARN) $(REPRO) -O1 -g $(INCLUDES) -D_DEFAULT_SOURCE $(HOST_SAN)
HOST_LDFLAGS := $(HOST_SAN)

# Shipped PE files carry no DWARF: it moves to <file>.debug next to them (gdb finds it through
# the debug link), which keeps the payload small and the debug info available.
WIN_OBJCOPY  := $(CROSS)objcopy
SPLIT_DEBUG   = $(WIN_OBJCOPY) --only-keep-debug $@ $@.debug && \
                $(WIN_OBJCOPY) --strip-debug --add-gnu-debuglink=$@.debug $@

# LD_PRELOAD shim pinning widl/wixl clocks and UUIDs (toolchain/repro-shim.c)
REPRO_SHIM   := $(B)/host/repro-shim.so

PYTHON       := /usr/bin/python3
PYTEST       := $(PYTHON) -m pytest -p no:cacheprovider
