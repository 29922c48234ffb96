/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Windows agent's state, passed explicitly (no global ga_state): the dispatcher's context.
 * Each subject module owns its part through an opaque pointer with its own init/cleanup, which
 * main.c calls in agent_init()/agent_cleanup() order. */
#ifndef QGA_PLATFORM_AGENT_H
#define QGA_PLATFORM_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/dispatch.h"

struct config;          /* core/config.h: effective configuration (command line + config file) */
struct channel;         /* platform/channel.c */
struct file_table;      /* commands/file.c: guest-file-* handles */
struct exec_table;      /* commands/exec.c: guest-exec processes */
struct freeze_state;    /* platform/vss.c + commands/fsfreeze.c: VSS requester, frozen state */
struct load_sampler;    /* commands/load.c: guest-get-load background sampler */

struct agent
{
    struct dispatcher dispatcher;     /* dispatcher.context == this */
    const struct config *config;      /* borrowed from main */
    char *state_dir;                  /* UTF-8, created at start-up; owned */
    struct channel *channel;

    struct file_table *files;
    struct exec_table *execs;
    struct freeze_state *freeze;
    struct load_sampler *load;

    void *stop_event;                 /* HANDLE: set by service STOP/SHUTDOWN or console Ctrl-C */
    void *wakeup_event;               /* HANDLE: set on device arrival (service); ends a retry wait */
    bool service;                     /* running under the service control manager */
};

static inline struct agent *agent_from_call(const struct command_call *call)
{
    return (struct agent *)call->dispatcher->context;
}

/* Subject modules provide these (a module that has no state yet may keep them empty).
 * init returns 0 or a negative QGA_E*; cleanup accepts a never-initialised module. */
int file_table_init(struct agent *agent);
void file_table_cleanup(struct agent *agent);
int exec_table_init(struct agent *agent);
void exec_table_cleanup(struct agent *agent);
int freeze_init(struct agent *agent);         /* loads qga-vss.dll lazily; never fails the agent */
void freeze_cleanup(struct agent *agent);     /* thaws first if frozen */
void load_sampler_cleanup(struct agent *agent);

#endif
