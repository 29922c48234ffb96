/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent's effective configuration: config file [general] keys, command-line overrides,
 * defaults and the -D dump (portable; compat: qga/main.c, qga-reference.md §3). */
#ifndef QGA_CORE_CONFIG_H
#define QGA_CORE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/dispatch.h"
#include "core/freeze-options.h"
#include "core/keyfile.h"

#define CONFIG_GROUP              "general"
#define CONFIG_METHOD_VIRTIO      "virtio-serial"
#define CONFIG_METHOD_SERIAL      "isa-serial"
#define CONFIG_STATE_FILE         "qga.state"
#define CONFIG_PID_FILE           "qemu-ga.pid"
#define CONFIG_FILE_NAME          "qemu-ga.conf"
#define CONFIG_MAX_FILE_SIZE      (1u << 20)     /* a larger config file is refused */

/* Every string is owned (malloc'd) or NULL; lists hold owned copies. */
struct config
{
    bool daemon;                 /* -d: run under the service control manager */
    char *method;                /* "virtio-serial" (default) or "isa-serial" */
    char *path;                  /* channel path; NULL = the method's default */
    char *logfile;               /* NULL = stderr (console) / Event Log only (service) */
    char *pidfile;               /* default <statedir>\qemu-ga.pid */
    char *statedir;              /* default %ProgramData%\qemu-ga (given by the platform) */
    bool verbose;                /* debug level logging */
    bool retry_path;             /* wait for the channel instead of failing */
    struct name_list block_rpcs;
    struct name_list allow_rpcs;
    char *config_file;           /* the file that was loaded, or NULL */
    uint32_t fsfreeze_auto_thaw_ms;  /* fsfreeze-auto-thaw (seconds, decimals allowed); 0 = default */
    struct freeze_config fsfreeze;   /* the other fsfreeze-* keys: hooks, VSS options (issue 12) */
};

/* fsfreeze-auto-thaw bounds: the agent thaws by itself when the host has not after this long. */
#define CONFIG_AUTO_THAW_MIN_MS   100u
#define CONFIG_AUTO_THAW_MAX_MS   3600000u

void config_init(struct config *config);
void config_clear(struct config *config);    /* frees everything; accepts a cleared config */

/* True for the keys of [general] that we read ("daemon", "method", ...). */
bool config_key_known(const char *key);

/* Apply the [general] group of a parsed file on top of config (scalars replaced, lists
 * accumulate).  The path keys (path, logfile, pidfile, statedir) take only "\\" as an escape
 * (keyfile_unescape_path); the others GKeyFile's escapes.  Returns 0, QGA_ENOMEM, or QGA_EINVAL
 * with *error (malloc'd) naming the key and
 * line, e.g. "line 3: key 'verbose': value 'yes' cannot be interpreted as a boolean". */
int config_apply_keyfile(struct config *config, const struct keyfile *keyfile, char **error);

/* Fill what is still unset: method, statedir (default_statedir), pidfile (statedir + separator +
 * qemu-ga.pid).  Returns 0 or QGA_ENOMEM. */
int config_set_defaults(struct config *config, const char *default_statedir, char path_separator);

/* True when method is one the agent can open on Windows. */
bool config_method_supported(const char *method);

/* The effective configuration as a config file (GKeyFile layout, compat with qemu-ga's -D:
 * daemon, method, [path], [logfile], pidfile, statedir, verbose, retry-path, block-rpcs,
 * allow-rpcs).  *out malloc'd.  Returns 0 or QGA_ENOMEM. */
int config_dump(const struct config *config, char **out);

/* Set a string member (replacing and freeing the old value); value NULL clears.  0 or QGA_ENOMEM. */
int config_set_string(char **member, const char *value);

#endif
