/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Writer handling: choosing components from the writers' metadata (with the per-call include and
 * exclude lists) and checking the writers' states after each step. */
#include <wchar.h>

#include "requester-private.h"

static bool guid_matches(const WCHAR *text, const GUID *guid)
{
    WCHAR buffer[40];

    if (!StringFromGUID2(guid, buffer, ARRAYSIZE(buffer))) return false;
    return !_wcsicmp(text, buffer);
}

static bool writer_listed(const WCHAR *const *list, uint32_t count, const WCHAR *name, const GUID *class_id,
                          const GUID *instance_id)
{
    uint32_t i;

    for (i = 0; i < count; i++)
    {
        if (!list[i]) continue;
        if ((name && !_wcsicmp(list[i], name)) || guid_matches(list[i], class_id) ||
            guid_matches(list[i], instance_id))
            return true;
    }
    return false;
}

static bool writer_kept(const struct requester_options *options, const WCHAR *name, const GUID *class_id,
                        const GUID *instance_id)
{
    if (writer_listed(options->writers_exclude, options->writers_exclude_count, name, class_id, instance_id))
        return false;
    if (!options->writers_include_count) return true;
    return writer_listed(options->writers_include, options->writers_include_count, name, class_id, instance_id);
}

static struct requester_writer_report *report_writer(struct requester_report *report, const GUID *instance_id)
{
    uint32_t i, kept = min(report->writer_count, REQUESTER_MAX_WRITERS);

    for (i = 0; i < kept; i++)
        if (IsEqualGUID(&report->writers[i].instance_id, instance_id)) return &report->writers[i];
    return NULL;
}

static HRESULT add_components(IVssBackupComponents *backup, IVssExamineWriterMetadata *metadata,
                              const GUID *instance_id, const GUID *class_id, const WCHAR *writer_name,
                              uint32_t *added, struct requester_error *err)
{
    UINT include_files, exclude_files, components, i;
    IVssWMComponent *component;
    PVSSCOMPONENTINFO info;
    HRESULT hr;

    *added = 0;
    hr = IVssExamineWriterMetadata_GetFileCounts(metadata, &include_files, &exclude_files, &components);
    if (FAILED(hr))
        return requester_fail(err, hr, L"failed to read the metadata of writer '%ls'", writer_name);
    for (i = 0; i < components; i++)
    {
        component = NULL;
        info = NULL;
        hr = IVssExamineWriterMetadata_GetComponent(metadata, i, &component);
        if (FAILED(hr))
            return requester_fail(err, hr, L"failed to read the metadata of writer '%ls'", writer_name);
        hr = IVssWMComponent_GetComponentInfo(component, &info);
        if (FAILED(hr))
        {
            IVssWMComponent_Release(component);
            return requester_fail(err, hr, L"failed to read the metadata of writer '%ls'", writer_name);
        }
        /* compat: qemu-ga adds every selectable component; the others are implicit. */
        if (info->bSelectable)
        {
            hr = IVssBackupComponents_AddComponent(backup, *instance_id, *class_id, info->type,
                                                   info->bstrLogicalPath, info->bstrComponentName);
            if (FAILED(hr))
                requester_fail(err, hr, L"failed to add component %ls(%ls)",
                               info->bstrComponentName ? info->bstrComponentName : L"",
                               info->bstrLogicalPath ? info->bstrLogicalPath : L"");
            else
                (*added)++;
        }
        IVssWMComponent_FreeComponentInfo(component, info);
        IVssWMComponent_Release(component);
        if (FAILED(hr)) return hr;
    }
    return S_OK;
}

HRESULT writers_select(IVssBackupComponents *backup, const struct requester_options *options,
                       struct requester_report *report, struct requester_error *err)
{
    IVssExamineWriterMetadata *metadata;
    VSS_SOURCE_TYPE source;
    VSS_USAGE_TYPE usage;
    GUID instance_id, instance_id2, class_id;
    BSTR name;
    UINT count, i;
    HRESULT hr;
    uint32_t added;
    bool kept;

    hr = IVssBackupComponents_GetWriterMetadataCount(backup, &count);
    if (FAILED(hr)) return requester_fail(err, hr, L"failed to gather writer metadata");
    for (i = 0; i < count; i++)
    {
        metadata = NULL;
        name = NULL;
        added = 0;
        hr = IVssBackupComponents_GetWriterMetadata(backup, i, &instance_id, &metadata);
        if (FAILED(hr)) return requester_fail(err, hr, L"failed to gather writer metadata");
        hr = IVssExamineWriterMetadata_GetIdentity(metadata, &instance_id2, &class_id, &name, &usage, &source);
        if (FAILED(hr))
        {
            IVssExamineWriterMetadata_Release(metadata);
            return requester_fail(err, hr, L"failed to gather writer metadata");
        }
        kept = writer_kept(options, name, &class_id, &instance_id);
        if (kept) hr = add_components(backup, metadata, &instance_id, &class_id, name ? name : L"", &added, err);
        if (report->writer_count < REQUESTER_MAX_WRITERS)
        {
            struct requester_writer_report *writer = &report->writers[report->writer_count];

            writer->class_id = class_id;
            writer->instance_id = instance_id;
            lstrcpynW(writer->name, name ? name : L"", REQUESTER_NAME_CHARS);
            writer->state = VSS_WS_UNKNOWN;
            writer->failure = S_OK;
            writer->components_added = added;
            writer->excluded = !kept;
        }
        report->writer_count++;
        SysFreeString(name);
        IVssExamineWriterMetadata_Release(metadata);
        if (FAILED(hr)) return hr;
    }
    return S_OK;
}

static bool state_failed(VSS_WRITER_STATE state)
{
    return state == VSS_WS_UNKNOWN || state >= VSS_WS_FAILED_AT_IDENTIFY;
}

HRESULT writers_check(IVssBackupComponents *backup, struct requester_report *report, struct requester_error *err)
{
    GUID instance_id, class_id;
    VSS_WRITER_STATE state;
    HRESULT failure, hr, result = S_OK;
    UINT count, i;
    BSTR name;

    hr = IVssBackupComponents_GetWriterStatusCount(backup, &count);
    if (FAILED(hr)) return requester_fail(err, hr, L"failed to gather writer status");
    for (i = 0; i < count; i++)
    {
        struct requester_writer_report *writer;

        name = NULL;
        hr = IVssBackupComponents_GetWriterStatus(backup, i, &instance_id, &class_id, &name, &state, &failure);
        if (FAILED(hr))
        {
            result = requester_fail(err, hr, L"failed to gather writer status");
            break;
        }
        writer = report_writer(report, &instance_id);
        if (writer)
        {
            writer->state = state;
            writer->failure = failure;
        }
        /* A writer left out by the options (or with nothing selected) cannot spoil the snapshot. */
        if (SUCCEEDED(result) && state_failed(state) && (!writer || !writer->excluded))
        {
            hr = FAILED(failure) ? failure : VSS_E_UNEXPECTED_WRITER_ERROR;
            result = requester_fail(err, hr, L"writer '%ls' failed at %ls", name ? name : L"",
                                    writer_state_name(state));
        }
        SysFreeString(name);
    }
    IVssBackupComponents_FreeWriterStatus(backup);
    return result;
}

HRESULT async_wait(IVssAsync *async, DWORD timeout_ms)
{
    HRESULT hr, status = S_OK;

    hr = IVssAsync_Wait(async, timeout_ms);
    if (FAILED(hr) && hr != HRESULT_FROM_WIN32(ERROR_TIMEOUT) && hr != HRESULT_FROM_WIN32(WAIT_TIMEOUT))
        return hr;
    hr = IVssAsync_QueryStatus(async, &status, NULL);
    if (FAILED(hr)) return hr;
    if (status == VSS_S_ASYNC_PENDING)
    {
        IVssAsync_Cancel(async);
        return HRESULT_FROM_WIN32(ERROR_TIMEOUT);
    }
    if (status == VSS_S_ASYNC_CANCELLED) return E_ABORT;
    if (FAILED(status)) return status;
    return S_OK;
}
