/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fsfreeze settings beyond qemu-ga (issue 12): the [general] fsfreeze-* config keys, the per-call
 * options of __org.qga-win_fsfreeze-freeze and how the two merge (portable; docs/freeze-hooks.md). */
#ifndef QGA_CORE_FREEZE_OPTIONS_H
#define QGA_CORE_FREEZE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dispatch.h"

/* The project's QAPI downstream prefix (qmp-spec "Downstream extension of QMP"): every command we
 * add beyond qemu-ga's is named with it, so stock clients never meet a name of ours. */
#define QGA_EXT_PREFIX "__org.qga-win_"

/* Per-hook limit (fsfreeze-hook-timeout, seconds) and the bounds of every seconds setting here. */
#define FREEZE_HOOK_TIMEOUT_DEFAULT_MS  30000u
#define FREEZE_SECONDS_MIN_MS           100u
#define FREEZE_SECONDS_MAX_MS           3600000u

/* Backup types: compat: the values of VSS_BACKUP_TYPE and VssOption (1..5); 0 = not chosen here
 * (the requester then reads VssOption, else uses copy). */
enum freeze_backup_type
{
    FREEZE_BT_DEFAULT      = 0,
    FREEZE_BT_FULL         = 1,
    FREEZE_BT_INCREMENTAL  = 2,
    FREEZE_BT_DIFFERENTIAL = 3,
    FREEZE_BT_LOG          = 4,
    FREEZE_BT_COPY         = 5,
};

/* "full", "incremental", "differential", "log", "copy" (NULL-terminated; index + 1 = value), the
 * enum of the backup-type argument. */
extern const char *const freeze_backup_type_names[];
/* Name of a value ("copy"), or "default" for 0 and anything unknown. */
const char *freeze_backup_type_name(uint32_t type);
/* Value of a name (case-sensitive, as QAPI enums); 0 or QGA_EINVAL. */
int freeze_backup_type_parse(const char *name, uint32_t *out);

/* The fsfreeze-* keys of [general], other than fsfreeze-auto-thaw (core/config.c).  Strings and
 * lists owned. */
struct freeze_config
{
    char *hook_dir;                   /* fsfreeze-hook-dir; NULL = <exe folder>\hooks */
    uint32_t hook_timeout_ms;         /* fsfreeze-hook-timeout; 0 = FREEZE_HOOK_TIMEOUT_DEFAULT_MS */
    bool hook_continue_on_failure;    /* fsfreeze-hook-continue-on-failure */
    bool hooks_disabled;              /* fsfreeze-hooks=false: freezes run no hooks unless asked */
    uint32_t backup_type;             /* fsfreeze-backup-type; enum freeze_backup_type */
    struct name_list include_writers; /* fsfreeze-include-writers */
    struct name_list exclude_writers; /* fsfreeze-exclude-writers */
    bool fs_only;                     /* fsfreeze-fs-only */
};

void freeze_config_clear(struct freeze_config *config);   /* frees; accepts a zeroed struct */

/* True for the keys freeze_config_apply() reads (fsfreeze-hook-dir is a path key that
 * core/config.c reads itself, with the other paths' escaping rules). */
bool freeze_config_key_known(const char *key);

/* Apply one key.  Returns 0, QGA_ENOMEM, or QGA_EINVAL with *error (malloc'd) saying what the
 * value should be ("value 'x' is not a number of seconds from 0.1 to 3600"). */
int freeze_config_apply(struct freeze_config *config, const char *key, const char *value, char **error);

/* Calls emit for each key that differs from its default, in a fixed order (for -D).  is_path:
 * write it as a path (core/config.c's path escaping). */
typedef void (*freeze_config_emit)(void *opaque, const char *key, const char *value, bool is_path);
void freeze_config_dump(const struct freeze_config *config, freeze_config_emit emit, void *opaque);

/* The options one freeze runs with, after merging the call's arguments over the config.  Lists
 * are owned copies. */
struct freeze_options
{
    bool hooks;                       /* run the freeze/thaw hooks */
    uint32_t backup_type;             /* enum freeze_backup_type */
    struct name_list include_writers; /* empty = every writer */
    struct name_list exclude_writers; /* exclusion wins */
    bool fs_only;                     /* no writers at all */
    uint32_t hold_timeout_ms;         /* auto-thaw limit of this freeze */
};

/* The config's defaults (auto_thaw_ms: the effective fsfreeze-auto-thaw).  0 or QGA_ENOMEM. */
int freeze_options_defaults(struct freeze_options *options, const struct freeze_config *config,
                            uint32_t auto_thaw_ms);

/* The arguments of __org.qga-win_fsfreeze-freeze (already type-checked by the dispatcher against
 * freeze_ext_args) over the defaults: each given argument replaces its default (a list replaces
 * the config's list).  Returns 0, QGA_ENOMEM, or QGA_EINVAL with *error (malloc'd) in qemu's
 * wording: "Parameter 'hold-timeout' expects a number of seconds from 0.1 to 3600". */
int freeze_options_apply_args(struct freeze_options *options, const struct json_value *args, char **error);

void freeze_options_clear(struct freeze_options *options);

/* The argument spec of __org.qga-win_fsfreeze-freeze (commands/table.c). */
extern const struct arg_spec freeze_ext_args[];

/* Seconds as written by a user ("2", "0.5") to milliseconds within
 * FREEZE_SECONDS_MIN_MS..FREEZE_SECONDS_MAX_MS.  0 or QGA_EINVAL. */
int freeze_seconds_to_ms(double seconds, uint32_t *ms);

#endif
