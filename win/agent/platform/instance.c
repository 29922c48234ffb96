/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The single-instance guard: a named mutex plus a small named mapping describing the holder. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "names.h"
#include "core/error.h"
#include "platform/error.h"
#include "platform/instance.h"
#include "platform/utf.h"

#define INSTANCE_NAME_MAX     200

struct instance_info
{
    DWORD pid;
    DWORD service;
    WCHAR channel_path[260];
};

struct instance
{
    WCHAR info_name[INSTANCE_NAME_MAX + 8];
    HANDLE mutex;
    HANDLE mapping;
    struct instance_info *info;
};

/* Describe the holder from its published info, or from the service manager when the info is
 * unreadable (e.g. the service made it with an ACL we may not read). */
static char *describe_holder(const WCHAR *info_name)
{
    char *text = NULL, *path = NULL;
    HANDLE mapping = OpenFileMappingW(FILE_MAP_READ, FALSE, info_name);
    struct instance_info *info = mapping ? MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, sizeof(*info)) : NULL;
    size_t size = 1024;

    if (!(text = malloc(size))) goto out;
    if (info && info->pid)
    {
        struct instance_info copy = *info;
        copy.channel_path[ARRAYSIZE(copy.channel_path) - 1] = 0;
        utf16_to_utf8(copy.channel_path, &path);
        snprintf(text, size, "%s (pid %lu) on %s",
                 copy.service ? "the QEMU-GA service" : "an agent started from a console",
                 (unsigned long)copy.pid, path ? path : "?");
    }
    else
    {
        snprintf(text, size, "probably the QEMU-GA service (see 'sc query QEMU-GA')");
    }
out:
    free(path);
    if (info) UnmapViewOfFile(info);
    if (mapping) CloseHandle(mapping);
    return text;
}

/* Object names may not contain '\\' (past the namespace prefix): the port path is folded in. */
static void make_name(WCHAR *name, size_t size, const WCHAR *path_w)
{
    size_t len, i;

    swprintf(name, size, L"%ls-%ls", QGA_INSTANCE_MUTEX_W, path_w ? path_w : L"");
    len = wcslen(QGA_INSTANCE_MUTEX_W);
    for (i = len; name[i]; i++)
        name[i] = name[i] == L'\\' || name[i] == L'/' ? L'_' : towlower(name[i]);
}

int instance_acquire(const char *channel_path, bool service, struct instance **out, char **holder)
{
    struct instance *instance;
    WCHAR *path_w = NULL, name[INSTANCE_NAME_MAX];
    DWORD wait;
    int ret;

    *out = NULL;
    *holder = NULL;
    if (channel_path && (ret = utf8_to_utf16(channel_path, &path_w)) < 0) return ret;
    /* One agent per port: a second one would read half of the requests.  (One per machine would
     * also refuse an agent on another port, which is legitimate, e.g. in tests.) */
    make_name(name, ARRAYSIZE(name), path_w);
    if (!(instance = calloc(1, sizeof(*instance))))
    {
        free(path_w);
        return QGA_ENOMEM;
    }
    swprintf(instance->info_name, ARRAYSIZE(instance->info_name), L"%ls-info", name);
    instance->mutex = CreateMutexW(NULL, FALSE, name);
    if (!instance->mutex)
    {
        /* ACCESS_DENIED: it exists and belongs to someone we may not open (the service). */
        DWORD err = GetLastError();
        if (err == ERROR_ACCESS_DENIED) *holder = describe_holder(instance->info_name);
        free(instance);
        free(path_w);
        return err == ERROR_ACCESS_DENIED ? QGA_EBUSY : win32_error_to_qga(err);
    }
    /* A holder that died leaves the mutex abandoned: that is ours to take. */
    wait = WaitForSingleObject(instance->mutex, 0);
    if (wait != WAIT_OBJECT_0 && wait != WAIT_ABANDONED)
    {
        *holder = describe_holder(instance->info_name);
        CloseHandle(instance->mutex);
        free(instance);
        free(path_w);
        return QGA_EBUSY;
    }

    instance->mapping = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                           sizeof(struct instance_info), instance->info_name);
    if (instance->mapping)
        instance->info = MapViewOfFile(instance->mapping, FILE_MAP_WRITE, 0, 0, sizeof(struct instance_info));
    if (instance->info)
    {
        instance->info->pid = GetCurrentProcessId();
        instance->info->service = service;
        if (path_w) lstrcpynW(instance->info->channel_path, path_w, ARRAYSIZE(instance->info->channel_path));
    }
    free(path_w);
    *out = instance;
    return 0;
}

void instance_release(struct instance *instance)
{
    if (!instance) return;
    if (instance->info)
    {
        memset(instance->info, 0, sizeof(*instance->info));
        UnmapViewOfFile(instance->info);
    }
    if (instance->mapping) CloseHandle(instance->mapping);
    ReleaseMutex(instance->mutex);
    CloseHandle(instance->mutex);
    free(instance);
}
