/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The last freeze's report behind its own lock, its summary, and the freeze record on disk. */
#include <windows.h>
#include <objbase.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/platform.h"
#include "platform/freeze-story.h"
#include "platform/state.h"
#include "platform/utf.h"

/* FILETIME (100 ns since 1601) to Unix nanoseconds. */
#define FILETIME_UNIX_EPOCH 116444736000000000ULL

struct freeze_story
{
    SRWLOCK lock;                  /* guards report; never held across a hook, a VSS call or I/O */
    struct freeze_report report;
};

int freeze_story_create(struct freeze_story **out)
{
    if (!(*out = calloc(1, sizeof(**out)))) return QGA_ENOMEM;
    InitializeSRWLock(&(*out)->lock);
    return 0;
}

void freeze_story_free(struct freeze_story *story)
{
    if (!story) return;
    freeze_report_clear(&story->report);
    free(story);
}

static int copy_options(struct freeze_options *to, const struct freeze_options *from)
{
    size_t i;
    int ret = 0;

    memset(to, 0, sizeof(*to));
    to->hooks = from->hooks;
    to->backup_type = from->backup_type;
    to->fs_only = from->fs_only;
    to->hold_timeout_ms = from->hold_timeout_ms;
    for (i = 0; !ret && i < from->include_writers.count; i++)
        ret = name_list_add(&to->include_writers, from->include_writers.names[i]);
    for (i = 0; !ret && i < from->exclude_writers.count; i++)
        ret = name_list_add(&to->exclude_writers, from->exclude_writers.names[i]);
    return ret;
}

int freeze_story_begin(struct freeze_story *story, const char *command, const char *const *mountpoints,
                       size_t count, const struct freeze_options *options)
{
    struct freeze_report fresh = { 0 };
    size_t i;
    int ret = 0;

    fresh.result = FREEZE_RESULT_NONE;
    fresh.phase_ns[FREEZE_PHASE_REQUESTED] = platform_time_ns();
    if (!(fresh.command = strdup(command))) ret = QGA_ENOMEM;
    for (i = 0; !ret && i < count; i++) ret = name_list_add(&fresh.mountpoints, mountpoints[i]);
    if (!ret) ret = copy_options(&fresh.options, options);
    AcquireSRWLockExclusive(&story->lock);
    freeze_report_clear(&story->report);
    story->report = fresh;
    ReleaseSRWLockExclusive(&story->lock);
    return ret;
}

void freeze_story_phase(struct freeze_story *story, enum freeze_phase phase)
{
    int64_t now = platform_time_ns();

    AcquireSRWLockExclusive(&story->lock);
    story->report.phase_ns[phase] = now;
    ReleaseSRWLockExclusive(&story->lock);
}

void freeze_story_add_hook(struct freeze_story *story, struct hook_result *result)
{
    AcquireSRWLockExclusive(&story->lock);
    freeze_report_add_hook(&story->report, result);
    ReleaseSRWLockExclusive(&story->lock);
}

static char *utf8_of(const WCHAR *text)
{
    char *out = NULL;

    utf16_to_utf8(text, &out);
    return out;
}

static void guid_text(const GUID *guid, char *out, size_t size)
{
    WCHAR text[40];
    char *utf8;

    out[0] = 0;
    if (!StringFromGUID2(guid, text, ARRAYSIZE(text)) || !(utf8 = utf8_of(text))) return;
    snprintf(out, size, "%s", utf8);
    free(utf8);
}

void freeze_story_import(struct freeze_story *story, const struct requester_report *in,
                         requester_error_text_fn text)
{
    struct freeze_report vss = { 0 };
    int64_t phase_ns[REQUESTER_PHASE_COUNT] = { 0 };
    uint32_t volumes, writers, i;
    WCHAR failure[256];

    if (!in->valid) return;
    for (i = 0; i < REQUESTER_PHASE_COUNT; i++)
        if (in->phase_time[i] > FILETIME_UNIX_EPOCH) phase_ns[i] = (int64_t)(in->phase_time[i] - FILETIME_UNIX_EPOCH) * 100;
    volumes = min(in->volume_count, (uint32_t)REQUESTER_MAX_VOLUMES);
    writers = min(in->writer_count, (uint32_t)REQUESTER_MAX_WRITERS);
    if ((volumes && !(vss.volumes = calloc(volumes, sizeof(*vss.volumes)))) ||
        (writers && !(vss.writers = calloc(writers, sizeof(*vss.writers)))))
        goto out;
    for (i = 0; i < volumes; i++)
        if ((vss.volumes[i] = utf8_of(in->volumes[i]))) vss.volume_count++;
    for (i = 0; i < writers; i++)
    {
        const struct requester_writer_report *from = &in->writers[i];
        struct freeze_writer *to = &vss.writers[vss.writer_count++];

        to->name = utf8_of(from->name);
        guid_text(&from->class_id, to->class_id, sizeof(to->class_id));
        guid_text(&from->instance_id, to->instance_id, sizeof(to->instance_id));
        to->state = from->state;
        to->failure = (uint32_t)from->failure;
        to->components = from->components_added;
        to->excluded = from->excluded != 0;
        if (from->failure && text)
        {
            text(from->failure, failure, ARRAYSIZE(failure));
            to->failure_text = utf8_of(failure);
        }
    }
    AcquireSRWLockExclusive(&story->lock);
    freeze_report_clear_vss(&story->report);
    story->report.vss = true;
    story->report.backup_type = in->backup_type;
    story->report.context = in->context;
    story->report.hold = in->hold_outcome;
    story->report.freeze_hr = (uint32_t)in->freeze_hr;
    story->report.thaw_hr = (uint32_t)in->thaw_hr;
    story->report.volumes = vss.volumes;
    story->report.volume_count = vss.volume_count;
    story->report.writers = vss.writers;
    story->report.writer_count = vss.writer_count;
    story->report.writers_total = in->writer_count;
    /* The requester's phases map one to one from FREEZE_PHASE_VSS_BEGIN. */
    for (i = 0; i < REQUESTER_PHASE_COUNT; i++)
        if (phase_ns[i]) story->report.phase_ns[FREEZE_PHASE_VSS_BEGIN + i] = phase_ns[i];
    ReleaseSRWLockExclusive(&story->lock);
    return;
out:
    freeze_report_clear_vss(&vss);
}

static void set_text(char **member, const char *text)
{
    free(*member);
    *member = text ? strdup(text) : NULL;
}

void freeze_story_result(struct freeze_story *story, enum freeze_result result, const char *error)
{
    AcquireSRWLockExclusive(&story->lock);
    story->report.result = result;
    if (result == FREEZE_RESULT_FREEZE_FAILED) set_text(&story->report.error, error);
    else if (result != FREEZE_RESULT_FROZEN) set_text(&story->report.thaw_error, error);
    ReleaseSRWLockExclusive(&story->lock);
}

void freeze_story_auto_thawed(struct freeze_story *story)
{
    int64_t now = platform_time_ns();

    AcquireSRWLockExclusive(&story->lock);
    story->report.auto_thawed = true;
    story->report.auto_thaw_ns = now;
    ReleaseSRWLockExclusive(&story->lock);
}

void freeze_story_log_summary(struct freeze_story *story)
{
    char *line = NULL;

    AcquireSRWLockShared(&story->lock);
    freeze_report_summary(&story->report, platform_time_ns(), &line);
    ReleaseSRWLockShared(&story->lock);
    if (line) platform_log(LOG_INFO, "%s", line);
    free(line);
}

int freeze_story_report_json(struct freeze_story *story, struct json_value **out)
{
    int ret;

    AcquireSRWLockShared(&story->lock);
    ret = freeze_report_to_json(&story->report, platform_time_ns(), out);
    ReleaseSRWLockShared(&story->lock);
    return ret;
}

int freeze_story_status_json(struct freeze_story *story, bool frozen, struct json_value **out)
{
    struct json_value *object = json_object();
    const struct freeze_report *report = &story->report;
    int64_t now = platform_time_ns(), frozen_at, elapsed_ms;
    int ret = 0;

    AcquireSRWLockShared(&story->lock);
    ret |= json_object_set_string(object, "status", frozen ? "frozen" : "thawed");
    ret |= json_object_set_string(object, "result", freeze_result_name(report->result));
    frozen_at = report->phase_ns[FREEZE_PHASE_FROZEN];
    if (frozen && frozen_at)
    {
        elapsed_ms = now > frozen_at ? (now - frozen_at) / 1000000 : 0;
        ret |= json_object_set_int(object, "frozen-ms", elapsed_ms);
        ret |= json_object_set_int(object, "auto-thaw-in-ms", elapsed_ms < report->options.hold_timeout_ms ?
                                   report->options.hold_timeout_ms - elapsed_ms : 0);
    }
    if (report->result != FREEZE_RESULT_NONE)
        ret |= json_object_set_int(object, "hold-timeout-ms", report->options.hold_timeout_ms);
    ret |= json_object_set_bool(object, "auto-thawed", report->auto_thawed);
    ret |= json_object_set_bool(object, "interrupted", report->interrupted.present);
    ReleaseSRWLockShared(&story->lock);
    *out = NULL;
    if (ret)
    {
        json_free(object);
        return QGA_ENOMEM;
    }
    *out = object;
    return 0;
}

/* ---- the record ---- */

int freeze_record_save(struct agent *agent, const struct freeze_record *record)
{
    char *text = NULL;
    int ret;

    if ((ret = freeze_record_format(record, &text)) < 0) return ret;
    ret = state_write_file(agent, FREEZE_RECORD_FILE, text, strlen(text));
    free(text);
    if (ret < 0) platform_log(LOG_WARNING, "fsfreeze: unable to write %s in the state directory", FREEZE_RECORD_FILE);
    return ret;
}

int freeze_record_load(struct agent *agent, struct freeze_record *record)
{
    char *text = NULL;
    size_t len;
    int ret;

    memset(record, 0, sizeof(*record));
    if ((ret = state_read_file(agent, FREEZE_RECORD_FILE, FREEZE_RECORD_MAX_BYTES, &text, &len)) < 0)
    {
        if (ret != QGA_ENOENT)
        {
            platform_log(LOG_WARNING, "fsfreeze: %s in the state directory is unreadable; removing it",
                         FREEZE_RECORD_FILE);
            freeze_record_remove(agent);
        }
        return QGA_ENOENT;
    }
    ret = freeze_record_parse(text, len, record);
    free(text);
    if (ret == QGA_EINVAL)
    {
        platform_log(LOG_WARNING, "fsfreeze: %s in the state directory is not a freeze record; removing it",
                     FREEZE_RECORD_FILE);
        freeze_record_remove(agent);
        return QGA_ENOENT;
    }
    return ret;
}

void freeze_record_remove(struct agent *agent)
{
    if (state_remove_file(agent, FREEZE_RECORD_FILE) < 0)
        platform_log(LOG_WARNING, "fsfreeze: unable to remove %s from the state directory", FREEZE_RECORD_FILE);
}

void freeze_story_set_interrupted(struct freeze_story *story, const struct freeze_record *record)
{
    struct freeze_interrupted interrupted = { 0 };

    interrupted.present = true;
    interrupted.command = record->command ? strdup(record->command) : NULL;
    interrupted.start_ns = record->start_ns;
    interrupted.limit_ms = record->limit_ms;
    interrupted.pid = record->pid;
    interrupted.detected_ns = platform_time_ns();
    AcquireSRWLockExclusive(&story->lock);
    freeze_interrupted_clear(&story->report.interrupted);
    story->report.interrupted = interrupted;
    ReleaseSRWLockExclusive(&story->lock);
}
