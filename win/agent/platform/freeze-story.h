/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The story of the last freeze, as the freeze code lives it: the report that
 * __org.qga-win_fsfreeze-report and -status read (behind a lock of its own, so they answer at once
 * even while a thaw runs), its summary for the log and Event Log, and the freeze record in the
 * state directory that tells a restarted agent a freeze was interrupted. */
#ifndef QGA_PLATFORM_FREEZE_STORY_H
#define QGA_PLATFORM_FREEZE_STORY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/freeze-report.h"
#include "core/json.h"
#include "platform/agent.h"
#include "../../requester/requester.h"   /* the report of qga-vss.dll's requester */


struct freeze_story;

/* 0 or QGA_ENOMEM; free accepts NULL. */
int freeze_story_create(struct freeze_story **out);
void freeze_story_free(struct freeze_story *story);

/* A new freeze starts a new report (the previous one, and an interrupted freeze a previous agent
 * left, are forgotten): command, mount points and options are copied; the "requested" phase is
 * now.  0 or QGA_ENOMEM (the report then stays empty; the freeze goes on). */
int freeze_story_begin(struct freeze_story *story, const char *command, const char *const *mountpoints,
                       size_t count, const struct freeze_options *options);
void freeze_story_phase(struct freeze_story *story, enum freeze_phase phase);      /* reached now */
void freeze_story_add_hook(struct freeze_story *story, struct hook_result *result);  /* takes it */
/* The requester's report (phases, volumes, writers, hold): text names the writers' failures
 * (qga-vss.dll's requester_error_text; NULL: hex codes only). */
void freeze_story_import(struct freeze_story *story, const struct requester_report *report,
                         requester_error_text_fn text);
/* The outcome: frozen, or the freeze/thaw result with the error text the host got (or NULL). */
void freeze_story_result(struct freeze_story *story, enum freeze_result result, const char *error);
void freeze_story_auto_thawed(struct freeze_story *story);
/* The summary line at INFO: the log, and the Event Log when running as a service. */
void freeze_story_log_summary(struct freeze_story *story);

/* The replies of the report and status extensions.  frozen: the agent's current state. */
int freeze_story_report_json(struct freeze_story *story, struct json_value **out);
int freeze_story_status_json(struct freeze_story *story, bool frozen, struct json_value **out);

/* The freeze record, in the state directory (core/freeze-report.h).  load: 0 and *record, or
 * QGA_ENOENT when there is none (an unreadable one is removed and reported as none). */
int freeze_record_save(struct agent *agent, const struct freeze_record *record);
int freeze_record_load(struct agent *agent, struct freeze_record *record);
void freeze_record_remove(struct agent *agent);
/* A previous agent's record found at start-up: kept in the report until the next freeze. */
void freeze_story_set_interrupted(struct freeze_story *story, const struct freeze_record *record);

#endif
