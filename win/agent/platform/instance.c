/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The single-instance guard: a named mutex plus a small named mapping describing the holder. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "core/error.h"
#include "platform/error.h"
#include "platform/instance.h"
#include "platform/utf.h"

#define INSTANCE_INFO_NAME_W  QGA_INSTANCE_MUTEX_W L"-info"

struct instance_info
{
    DWORD pid;
    DWORD service;
    WCHAR channel_path[260];
};

struct instance
{
    HANDLE mutex;
    HANDLE mapping;
    struct instance_info *info;
};

/* Describe the holder from its published info, or from the service manager when the info is
 * unreadable (e.g. the service made it with an ACL we may not read). */
static char *describe_holder(void)
{
    char *text = NULL, *path = NULL;
    HANDLE mapping = OpenFileMappingW(FILE_MAP_READ, FALSE, INSTANCE_INFO_NAME_W);
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

int instance_acquire(const char *channel_path, bool service, struct instance **out, char **holder)
{
    struct instance *instance;
    WCHAR *path_w = NULL;
    DWORD wait;

    *out = NULL;
    *holder = NULL;
    if (!(instance = calloc(1, sizeof(*instance)))) return QGA_ENOMEM;
    instance->mutex = CreateMutexW(NULL, FALSE, QGA_INSTANCE_MUTEX_W);
    if (!instance->mutex)
    {
        /* ACCESS_DENIED: it exists and belongs to someone we may not open (the service). */
        DWORD err = GetLastError();
        free(instance);
        if (err == ERROR_ACCESS_DENIED)
        {
            *holder = describe_holder();
            return QGA_EBUSY;
        }
        return win32_error_to_qga(err);
    }
    /* A holder that died leaves the mutex abandoned: that is ours to take. */
    wait = WaitForSingleObject(instance->mutex, 0);
    if (wait != WAIT_OBJECT_0 && wait != WAIT_ABANDONED)
    {
        CloseHandle(instance->mutex);
        free(instance);
        *holder = describe_holder();
        return QGA_EBUSY;
    }

    instance->mapping = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                           sizeof(struct instance_info), INSTANCE_INFO_NAME_W);
    if (instance->mapping)
        instance->info = MapViewOfFile(instance->mapping, FILE_MAP_WRITE, 0, 0, sizeof(struct instance_info));
    if (instance->info)
    {
        instance->info->pid = GetCurrentProcessId();
        instance->info->service = service;
        if (channel_path && utf8_to_utf16(channel_path, &path_w) == 0)
            lstrcpynW(instance->info->channel_path, path_w, ARRAYSIZE(instance->info->channel_path));
        free(path_w);
    }
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
