/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which volumes a freeze covers: every fixed volume, or the freeze-list's mount points (drive
 * letters, mounted folders, volume GUID paths) resolved to their volume GUID paths. */
#include <stdlib.h>
#include <wchar.h>

#include "requester-private.h"

/* A volume GUID path is "\\?\Volume{36 chars}\" (49 chars); MAX_PATH leaves room. */
#define VOLUME_NAME_CHARS MAX_PATH

static WCHAR *wcsdup_n(const WCHAR *text, size_t extra)
{
    size_t len = wcslen(text);
    WCHAR *copy = malloc((len + extra + 1) * sizeof(WCHAR));

    if (copy) memcpy(copy, text, (len + 1) * sizeof(WCHAR));
    return copy;
}

static bool list_contains(const struct volume_list *list, const WCHAR *name)
{
    uint32_t i;

    for (i = 0; i < list->count; i++)
        if (!_wcsicmp(list->names[i], name)) return true;
    return false;
}

/* Takes ownership of name and given (given may be NULL: then it is name). */
static HRESULT list_append(struct volume_list *list, WCHAR *name, WCHAR *given)
{
    WCHAR **names, **givens;

    if (list->count >= REQUESTER_MAX_VOLUMES) goto fail;
    names = realloc(list->names, (list->count + 1) * sizeof(*names));
    if (!names) goto fail;
    list->names = names;
    givens = realloc(list->given, (list->count + 1) * sizeof(*givens));
    if (!givens) goto fail;
    list->given = givens;
    list->names[list->count] = name;
    list->given[list->count] = given ? given : name;
    list->count++;
    return S_OK;
fail:
    if (given != name) free(given);
    free(name);
    return list->count >= REQUESTER_MAX_VOLUMES ? VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED : E_OUTOFMEMORY;
}

/* GetDriveTypeW takes a volume GUID path on Windows; Wine 8 answers DRIVE_UNKNOWN for it, so
 * fall back to the volume's first mount point. */
static UINT volume_drive_type(const WCHAR *volume)
{
    WCHAR paths[MAX_PATH];
    DWORD length;
    UINT type = GetDriveTypeW(volume);

    if (type != DRIVE_UNKNOWN && type != DRIVE_NO_ROOT_DIR) return type;
    if (!GetVolumePathNamesForVolumeNameW(volume, paths, ARRAYSIZE(paths), &length) || !paths[0]) return type;
    return GetDriveTypeW(paths);
}

static HRESULT add_fixed_volumes(struct volume_list *list, struct requester_error *err)
{
    WCHAR name[VOLUME_NAME_CHARS];
    HANDLE find;
    HRESULT hr = S_OK;
    WCHAR *copy;

    find = FindFirstVolumeW(name, ARRAYSIZE(name));
    if (find == INVALID_HANDLE_VALUE)
        return requester_fail(err, HRESULT_FROM_WIN32(GetLastError()), L"failed to find first volume");
    do
    {
        if (volume_drive_type(name) != DRIVE_FIXED) continue;
        if (list_contains(list, name)) continue;
        if (!(copy = wcsdup_n(name, 0)))
        {
            hr = requester_fail(err, E_OUTOFMEMORY, L"failed to list volumes");
            break;
        }
        if (FAILED(hr = list_append(list, copy, NULL)))
        {
            requester_fail(err, hr, L"failed to add %ls to snapshot set", name);
            break;
        }
    } while (FindNextVolumeW(find, name, ARRAYSIZE(name)));
    if (SUCCEEDED(hr) && GetLastError() != ERROR_NO_MORE_FILES)
        hr = requester_fail(err, HRESULT_FROM_WIN32(GetLastError()), L"failed to find next volume");
    FindVolumeClose(find);
    if (SUCCEEDED(hr) && !list->count)
        hr = requester_fail(err, VSS_E_OBJECT_NOT_FOUND, L"no fixed volume to freeze");
    return hr;
}

/* "C:" -> "C:\", "C:\mnt\data" -> "C:\mnt\data\": GetVolumeNameForVolumeMountPointW wants the
 * trailing backslash, and accepts only real mount points (and volume GUID paths), so a plain
 * directory is refused rather than silently widened to the volume holding it. */
static HRESULT resolve_mountpoint(const WCHAR *given, WCHAR **volume_out)
{
    WCHAR volume[VOLUME_NAME_CHARS];
    WCHAR *path;
    size_t len;

    *volume_out = NULL;
    len = wcslen(given);
    if (!len) return HRESULT_FROM_WIN32(ERROR_INVALID_NAME);
    if (!(path = wcsdup_n(given, 1))) return E_OUTOFMEMORY;
    if (path[len - 1] != L'\\')
    {
        path[len] = L'\\';
        path[len + 1] = 0;
    }
    /* A volume GUID path names itself (Wine 8's GetVolumeNameForVolumeMountPointW refuses it). */
    if (!_wcsnicmp(path, L"\\\\?\\Volume{", 11) && wcslen(path) < ARRAYSIZE(volume))
    {
        WCHAR paths[MAX_PATH];
        DWORD length;

        if (!GetVolumePathNamesForVolumeNameW(path, paths, ARRAYSIZE(paths), &length) &&
            GetLastError() != ERROR_MORE_DATA)
        {
            DWORD error = GetLastError();

            free(path);
            return HRESULT_FROM_WIN32(error ? error : ERROR_INVALID_NAME);
        }
        wcscpy(volume, path);
    }
    else if (!GetVolumeNameForVolumeMountPointW(path, volume, ARRAYSIZE(volume)))
    {
        DWORD error = GetLastError();

        free(path);
        return HRESULT_FROM_WIN32(error ? error : ERROR_INVALID_NAME);
    }
    free(path);
    if (!(*volume_out = wcsdup_n(volume, 0))) return E_OUTOFMEMORY;
    return S_OK;
}

HRESULT volume_list_build(const WCHAR *const *mountpoints, uint32_t mountpoint_count, struct volume_list *list,
                          struct requester_error *err)
{
    WCHAR *volume, *given;
    HRESULT hr;
    uint32_t i;

    list->names = list->given = NULL;
    list->count = 0;
    if (!mountpoints || !mountpoint_count) return add_fixed_volumes(list, err);

    for (i = 0; i < mountpoint_count; i++)
    {
        if (!mountpoints[i] || FAILED(hr = resolve_mountpoint(mountpoints[i], &volume)))
        {
            hr = mountpoints[i] ? hr : E_INVALIDARG;
            return requester_fail(err, hr, L"failed to add %ls to snapshot set",
                                  mountpoints[i] ? mountpoints[i] : L"(null)");
        }
        /* The same volume named twice (C: and C:\) is frozen once. */
        if (list_contains(list, volume))
        {
            free(volume);
            continue;
        }
        if (!(given = wcsdup_n(mountpoints[i], 0)))
        {
            free(volume);
            return requester_fail(err, E_OUTOFMEMORY, L"failed to add %ls to snapshot set", mountpoints[i]);
        }
        if (FAILED(hr = list_append(list, volume, given)))
            return requester_fail(err, hr, L"failed to add %ls to snapshot set", mountpoints[i]);
    }
    return S_OK;
}

void volume_list_free(struct volume_list *list)
{
    uint32_t i;

    for (i = 0; i < list->count; i++)
    {
        if (list->given[i] != list->names[i]) free(list->given[i]);
        free(list->names[i]);
    }
    free(list->names);
    free(list->given);
    list->names = list->given = NULL;
    list->count = 0;
}
