/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The freeze report: JSON reply, one-line summary, and the interrupted-freeze record (portable). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/freeze-report.h"

/* The summary is one Event Log entry and one log line (platform/log.c cuts lines at 4 KiB). */
#define SUMMARY_MAX_BYTES   3072
#define SUMMARY_MAX_ITEMS   12

static const char *const phase_names[FREEZE_PHASE_COUNT] =
{
    "requested", "freeze-hooks-done", "vss-begin", "writer-metadata", "prepared", "snapshot-started", "frozen",
    "thaw", "snapshot-done", "vss-end", "thaw-hooks-done",
};

const char *freeze_phase_name(enum freeze_phase phase)
{
    return (unsigned)phase < FREEZE_PHASE_COUNT ? phase_names[phase] : "?";
}

const char *freeze_result_name(enum freeze_result result)
{
    switch (result)
    {
    case FREEZE_RESULT_NONE:          return "none";
    case FREEZE_RESULT_FROZEN:        return "frozen";
    case FREEZE_RESULT_THAWED:        return "thawed";
    case FREEZE_RESULT_FREEZE_FAILED: return "freeze-failed";
    case FREEZE_RESULT_THAW_FAILED:   return "thaw-failed";
    case FREEZE_RESULT_AUTO_THAWED:   return "auto-thawed";
    }
    return "none";
}

const char *freeze_hold_name(uint32_t hold)
{
    static const char *const names[] =
    {
        "none", "pending", "ok", "writes-timeout", "provider-timeout", "timer-expired",
    };
    return hold < sizeof(names) / sizeof(names[0]) ? names[hold] : "unknown";
}

const char *freeze_writer_state_name(uint32_t state)
{
    /* compat: VSS_WRITER_STATE (vss.h), in value order. */
    static const char *const names[] =
    {
        "unknown", "stable", "waiting-for-freeze", "waiting-for-thaw", "waiting-for-post-snapshot",
        "waiting-for-backup-complete", "failed-at-identify", "failed-at-prepare-backup",
        "failed-at-prepare-snapshot", "failed-at-freeze", "failed-at-thaw", "failed-at-post-snapshot",
        "failed-at-backup-complete", "failed-at-pre-restore", "failed-at-post-restore",
        "failed-at-backup-shutdown",
    };
    return state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown";
}

void freeze_interrupted_clear(struct freeze_interrupted *interrupted)
{
    free(interrupted->command);
    memset(interrupted, 0, sizeof(*interrupted));
}

void freeze_report_clear_vss(struct freeze_report *report)
{
    size_t i;

    for (i = 0; i < report->volume_count; i++) free(report->volumes[i]);
    free(report->volumes);
    for (i = 0; i < report->writer_count; i++)
    {
        free(report->writers[i].name);
        free(report->writers[i].failure_text);
    }
    free(report->writers);
    report->volumes = NULL;
    report->volume_count = 0;
    report->writers = NULL;
    report->writer_count = report->writers_total = 0;
    report->vss = false;
}

void freeze_report_clear(struct freeze_report *report)
{
    size_t i;

    if (!report) return;
    free(report->command);
    name_list_clear(&report->mountpoints);
    freeze_options_clear(&report->options);
    freeze_report_clear_vss(report);
    free(report->error);
    free(report->thaw_error);
    for (i = 0; i < report->hook_count; i++) hook_result_clear(&report->hooks[i]);
    free(report->hooks);
    freeze_interrupted_clear(&report->interrupted);
    memset(report, 0, sizeof(*report));
}

int freeze_report_add_hook(struct freeze_report *report, struct hook_result *result)
{
    if (report->hook_count == report->hook_capacity)
    {
        size_t capacity = report->hook_capacity ? report->hook_capacity * 2 : 8;
        struct hook_result *grown = realloc(report->hooks, capacity * sizeof(*grown));

        if (!grown)
        {
            hook_result_clear(result);
            return QGA_ENOMEM;
        }
        report->hooks = grown;
        report->hook_capacity = capacity;
    }
    report->hooks[report->hook_count++] = *result;
    memset(result, 0, sizeof(*result));
    return 0;
}

/* ---- JSON ---- */

static int64_t ms_between(int64_t from_ns, int64_t to_ns)
{
    return from_ns && to_ns > from_ns ? (to_ns - from_ns) / 1000000 : 0;
}

static struct json_value *string_list(const struct name_list *list)
{
    struct json_value *array = json_array();
    size_t i;

    for (i = 0; array && i < list->count; i++)
        if (json_array_append(array, json_string(list->names[i])) < 0)
        {
            json_free(array);
            return NULL;
        }
    return array;
}

static struct json_value *options_json(const struct freeze_options *options)
{
    struct json_value *object = json_object();
    int ret = 0;

    ret |= json_object_set_string(object, "backup-type", freeze_backup_type_name(options->backup_type));
    ret |= json_object_set(object, "include-writers", string_list(&options->include_writers));
    ret |= json_object_set(object, "exclude-writers", string_list(&options->exclude_writers));
    ret |= json_object_set_bool(object, "fs-only", options->fs_only);
    ret |= json_object_set_double(object, "hold-timeout", options->hold_timeout_ms / 1000.0);
    ret |= json_object_set_bool(object, "hooks", options->hooks);
    if (ret)
    {
        json_free(object);
        return NULL;
    }
    return object;
}

static struct json_value *writer_json(const struct freeze_writer *writer)
{
    struct json_value *object = json_object();
    int ret = 0;

    ret |= json_object_set_string(object, "name", writer->name ? writer->name : "");
    ret |= json_object_set_string(object, "class-id", writer->class_id);
    ret |= json_object_set_string(object, "instance-id", writer->instance_id);
    ret |= json_object_set_string(object, "state", freeze_writer_state_name(writer->state));
    if (writer->failure)
    {
        ret |= json_object_set(object, "failure", json_stringf("0x%08" PRIx32, writer->failure));
        if (writer->failure_text) ret |= json_object_set_string(object, "failure-text", writer->failure_text);
    }
    ret |= json_object_set_int(object, "components", writer->components);
    ret |= json_object_set_bool(object, "excluded", writer->excluded);
    if (ret)
    {
        json_free(object);
        return NULL;
    }
    return object;
}

static struct json_value *hook_json(const struct hook_result *hook)
{
    struct json_value *object = json_object();
    int ret = 0;

    ret |= json_object_set_string(object, "name", hook->name ? hook->name : "");
    ret |= json_object_set_string(object, "phase", hook->phase);
    ret |= json_object_set_string(object, "result", hook_outcome_name(hook->outcome));
    if (hook->outcome == HOOK_OK || hook->outcome == HOOK_FAILED)
        ret |= json_object_set_int(object, "exit-code", hook->exit_code);
    ret |= json_object_set_int(object, "duration-ms", ms_between(hook->start_ns, hook->end_ns));
    ret |= json_object_set_int(object, "timeout-ms", hook->timeout_ms);
    ret |= json_object_set_int(object, "output-bytes", (int64_t)hook->output_bytes);
    if (hook->detail) ret |= json_object_set_string(object, "detail", hook->detail);
    if (hook->recovery) ret |= json_object_set_bool(object, "recovery", true);
    if (ret)
    {
        json_free(object);
        return NULL;
    }
    return object;
}

static struct json_value *interrupted_json(const struct freeze_interrupted *interrupted)
{
    struct json_value *object = json_object();
    int ret = 0;

    ret |= json_object_set_string(object, "command", interrupted->command ? interrupted->command : "");
    ret |= json_object_set_int(object, "start", interrupted->start_ns);
    ret |= json_object_set_int(object, "limit-ms", interrupted->limit_ms);
    ret |= json_object_set_int(object, "pid", interrupted->pid);
    ret |= json_object_set_int(object, "detected", interrupted->detected_ns);
    if (ret)
    {
        json_free(object);
        return NULL;
    }
    return object;
}

/* The time spent frozen: from "frozen" to "thaw", or to now while frozen. */
static int64_t frozen_ms(const struct freeze_report *report, int64_t now_ns)
{
    const int64_t *t = report->phase_ns;

    if (!t[FREEZE_PHASE_FROZEN]) return 0;
    return ms_between(t[FREEZE_PHASE_FROZEN], t[FREEZE_PHASE_THAW] ? t[FREEZE_PHASE_THAW] : now_ns);
}

int freeze_report_to_json(const struct freeze_report *report, int64_t now_ns, struct json_value **out)
{
    struct json_value *object = json_object(), *array;
    int ret = 0;
    size_t i;

    *out = NULL;
    ret |= json_object_set_string(object, "result", freeze_result_name(report->result));
    if (report->result != FREEZE_RESULT_NONE)
    {
        ret |= json_object_set_string(object, "command", report->command ? report->command : "");
        if (report->mountpoints.count) ret |= json_object_set(object, "mountpoints", string_list(&report->mountpoints));
        ret |= json_object_set(object, "options", options_json(&report->options));
        if (report->vss)
        {
            ret |= json_object_set_string(object, "backup-type", freeze_backup_type_name(report->backup_type));
            ret |= json_object_set_int(object, "context", report->context);
            array = json_array();
            for (i = 0; i < report->volume_count; i++) ret |= json_array_append(array, json_string(report->volumes[i]));
            ret |= json_object_set(object, "volumes", array);
            array = json_array();
            for (i = 0; i < report->writer_count; i++) ret |= json_array_append(array, writer_json(&report->writers[i]));
            ret |= json_object_set(object, "writers", array);
            ret |= json_object_set_int(object, "writer-count", (int64_t)report->writers_total);
        }
        ret |= json_object_set_string(object, "hold", freeze_hold_name(report->vss ? report->hold : FREEZE_HOLD_NONE));
        ret |= json_object_set_int(object, "frozen-ms", frozen_ms(report, now_ns));
        if (report->error) ret |= json_object_set_string(object, "error", report->error);
        if (report->thaw_error) ret |= json_object_set_string(object, "thaw-error", report->thaw_error);
        array = json_array();
        for (i = 0; i < report->hook_count; i++) ret |= json_array_append(array, hook_json(&report->hooks[i]));
        ret |= json_object_set(object, "hooks", array);
        {
            struct json_value *auto_thaw = json_object();

            ret |= json_object_set_int(auto_thaw, "limit-ms", report->options.hold_timeout_ms);
            ret |= json_object_set_bool(auto_thaw, "happened", report->auto_thawed);
            if (report->auto_thawed) ret |= json_object_set_int(auto_thaw, "time", report->auto_thaw_ns);
            ret |= json_object_set(object, "auto-thaw", auto_thaw);
        }
        array = json_array();
        for (i = 0; i < FREEZE_PHASE_COUNT; i++)
        {
            struct json_value *phase;

            if (!report->phase_ns[i]) continue;
            phase = json_object();
            ret |= json_object_set_string(phase, "name", phase_names[i]);
            ret |= json_object_set_int(phase, "time", report->phase_ns[i]);
            ret |= json_object_set_int(phase, "elapsed-ms",
                                       ms_between(report->phase_ns[FREEZE_PHASE_REQUESTED], report->phase_ns[i]));
            ret |= json_array_append(array, phase);
        }
        ret |= json_object_set(object, "phases", array);
    }
    else if (report->hook_count)
    {
        /* No freeze yet, but the thaw hooks of an interrupted one ran at start-up. */
        array = json_array();
        for (i = 0; i < report->hook_count; i++) ret |= json_array_append(array, hook_json(&report->hooks[i]));
        ret |= json_object_set(object, "hooks", array);
    }
    if (report->interrupted.present) ret |= json_object_set(object, "interrupted", interrupted_json(&report->interrupted));
    if (ret)
    {
        json_free(object);
        return QGA_ENOMEM;
    }
    *out = object;
    return 0;
}

/* ---- summary ---- */

struct text
{
    char buffer[SUMMARY_MAX_BYTES];
    size_t len;
};

static void add(struct text *text, const char *fmt, ...) QGA_PRINTF(2, 3);

static void add(struct text *text, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (text->len >= sizeof(text->buffer) - 1) return;
    va_start(ap, fmt);
    n = vsnprintf(text->buffer + text->len, sizeof(text->buffer) - text->len, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    text->len += (size_t)n;
    if (text->len >= sizeof(text->buffer)) text->len = sizeof(text->buffer) - 1;
}

int freeze_report_summary(const struct freeze_report *report, int64_t now_ns, char **out)
{
    struct text *text = calloc(1, sizeof(*text));
    size_t i, failed = 0, shown = 0;

    *out = NULL;
    if (!text) return QGA_ENOMEM;
    add(text, "fsfreeze report: %s %s", report->command ? report->command : "freeze",
        freeze_result_name(report->result));
    if (report->vss)
    {
        add(text, "; %zu volume%s (", report->volume_count, report->volume_count == 1 ? "" : "s");
        for (i = 0; i < report->volume_count && i < SUMMARY_MAX_ITEMS; i++)
            add(text, "%s%s", i ? ", " : "", report->volumes[i]);
        if (report->volume_count > SUMMARY_MAX_ITEMS) add(text, ", +%zu", report->volume_count - SUMMARY_MAX_ITEMS);
        add(text, "); backup type %s; hold %s; frozen %" PRId64 " ms", freeze_backup_type_name(report->backup_type),
            freeze_hold_name(report->hold), frozen_ms(report, now_ns));
        for (i = 0; i < report->writer_count; i++)
            if (report->writers[i].failure || report->writers[i].state >= 6) failed++;
        add(text, "; writers %zu", report->writers_total);
        if (!failed) add(text, ", none failed");
        for (i = 0; i < report->writer_count && shown < SUMMARY_MAX_ITEMS; i++)
        {
            const struct freeze_writer *writer = &report->writers[i];

            if (!writer->failure && writer->state < 6) continue;
            add(text, "%s'%s' %s 0x%08" PRIx32 "%s", shown++ ? ", " : ", failed: ", writer->name ? writer->name : "",
                freeze_writer_state_name(writer->state), writer->failure, writer->excluded ? " (excluded)" : "");
        }
    }
    if (report->hook_count)
    {
        add(text, "; hooks:");
        for (i = 0; i < report->hook_count && i < 2 * SUMMARY_MAX_ITEMS; i++)
            add(text, "%s %s %s %s", i ? "," : "", report->hooks[i].name ? report->hooks[i].name : "",
                report->hooks[i].phase, hook_outcome_name(report->hooks[i].outcome));
        if (report->hook_count > 2 * SUMMARY_MAX_ITEMS) add(text, ", +%zu", report->hook_count - 2 * SUMMARY_MAX_ITEMS);
    }
    if (report->auto_thawed) add(text, "; thawed automatically after %" PRIu32 " ms", report->options.hold_timeout_ms);
    if (report->error) add(text, "; error: %s", report->error);
    if (report->thaw_error) add(text, "; thaw error: %s", report->thaw_error);
    *out = strdup(text->buffer);
    free(text);
    return *out ? 0 : QGA_ENOMEM;
}

/* ---- the record ---- */

void freeze_record_clear(struct freeze_record *record)
{
    if (!record) return;
    free(record->command);
    free(record->hook_dir);
    name_list_clear(&record->hooks);
    memset(record, 0, sizeof(*record));
}

int freeze_record_format(const struct freeze_record *record, char **out)
{
    struct json_value *object = json_object();
    size_t len;
    int ret = 0;

    *out = NULL;
    ret |= json_object_set_int(object, "version", 1);
    ret |= json_object_set_string(object, "command", record->command ? record->command : "");
    ret |= json_object_set_int(object, "start", record->start_ns);
    ret |= json_object_set_int(object, "limit-ms", record->limit_ms);
    ret |= json_object_set_int(object, "pid", record->pid);
    if (record->hook_dir)
    {
        ret |= json_object_set_string(object, "hook-dir", record->hook_dir);
        ret |= json_object_set(object, "hooks", string_list(&record->hooks));
    }
    if (!ret) ret = json_to_string(object, out, &len);
    json_free(object);
    return ret ? QGA_ENOMEM : 0;
}

static bool get_int(const struct json_value *object, const char *key, int64_t min, int64_t max, int64_t *out)
{
    const struct json_value *value = json_object_get(object, key);

    if (!value || value->type != JSON_INT || value->u.integer < min || value->u.integer > max) return false;
    *out = value->u.integer;
    return true;
}

int freeze_record_parse(const char *text, size_t len, struct freeze_record *record)
{
    struct json_value *object = NULL;
    const struct json_value *hooks;
    const char *command, *dir;
    int64_t version, start, limit, pid;
    size_t i;
    int ret = QGA_EINVAL;

    memset(record, 0, sizeof(*record));
    if (json_parse(text, len, &object, NULL) < 0) return QGA_EINVAL;
    if (object->type != JSON_OBJECT || !get_int(object, "version", 1, 1, &version) ||
        !get_int(object, "start", 0, INT64_MAX, &start) || !get_int(object, "limit-ms", 0, UINT32_MAX, &limit) ||
        !get_int(object, "pid", 0, UINT32_MAX, &pid) || !(command = json_object_get_string(object, "command")))
        goto out;
    record->start_ns = start;
    record->limit_ms = (uint32_t)limit;
    record->pid = (uint32_t)pid;
    ret = QGA_ENOMEM;
    if (!(record->command = strdup(command))) goto out;
    if ((dir = json_object_get_string(object, "hook-dir")))
    {
        if (!(record->hook_dir = strdup(dir))) goto out;
        hooks = json_object_get(object, "hooks");
        ret = QGA_EINVAL;
        if (!hooks || hooks->type != JSON_ARRAY) goto out;
        for (i = 0; i < hooks->u.array.count; i++)
        {
            if (hooks->u.array.items[i]->type != JSON_STRING) goto out;
            if ((ret = name_list_add(&record->hooks, hooks->u.array.items[i]->u.string.data)) < 0) goto out;
            ret = QGA_EINVAL;
        }
    }
    ret = 0;
out:
    json_free(object);
    if (ret < 0) freeze_record_clear(record);
    return ret;
}
