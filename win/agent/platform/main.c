/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qemu-ga.exe entry point: command line and config file, then -s commands, -D, or the agent in
 * a console or under the service control manager; the table of subject modules. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "names.h"
#include "core/config.h"
#include "core/error.h"
#include "core/keyfile.h"
#include "core/options.h"
#include "platform/agent.h"
#include "platform/channel.h"
#include "platform/error.h"
#include "platform/instance.h"
#include "platform/log.h"
#include "platform/serve.h"
#include "platform/service.h"
#include "platform/state.h"
#include "platform/utf.h"
#include "platform/vss.h"
#include "version.h"

#define CONSOLE_CLOSE_WAIT_MS  4500    /* Windows ends a closing console process after about 5 s */
#define MAX_CONFIG_WARNINGS    32

/* Subject modules with state of their own, initialised in this order and cleaned up in reverse
 * (so freeze, listed last by its owner, thaws before anything else goes away).  Owners add rows. */
struct agent_module
{
    const char *name;
    int (*init)(struct agent *agent);        /* NULL: nothing to set up */
    void (*cleanup)(struct agent *agent);    /* must accept a module whose init failed */
};

static const struct agent_module agent_modules[] =
{
    /* name        init                 cleanup          (keep the NULL row last) */
    { "file handles", file_table_init,  file_table_cleanup },
    { "processes", exec_table_init,     exec_table_cleanup },
    { "load",      NULL,                load_sampler_cleanup },
    { "fsfreeze",  freeze_init,         freeze_cleanup },
    { NULL,        NULL,                NULL },
};

struct run_context
{
    struct config *config;
    bool service;
    HANDLE stop_event;
    HANDLE wakeup_event;
    char *warnings[MAX_CONFIG_WARNINGS];    /* found before the log was open */
    size_t warning_count;
};

static HANDLE console_stop_event, console_done_event;

static void usage(const char *program, const char *default_config, const char *default_statedir)
{
    printf("Usage: %s [-m <method> -p <path>] [<options>]\n"
           "QEMU Guest Agent %s (qga-win, a guest agent for Windows compatible with qemu-ga)\n"
           "\n"
           "  -c, --config=PATH  configuration file path (default is\n"
           "                     %s; environment: QGA_CONF)\n"
           "  -m, --method       transport method: virtio-serial (the default) or isa-serial\n"
           "  -p, --path         device path (the default for virtio-serial is:\n"
           "                     \\\\.\\Global\\org.qemu.guest_agent.0,\n"
           "                     the default for isa-serial is: COM1)\n"
           "  -l, --logfile      set logfile path, logs to stderr by default\n"
           "  -f, --pidfile      specify pidfile (default is <statedir>\\qemu-ga.pid; accepted for\n"
           "                     compatibility, not written on Windows)\n"
           "  -t, --statedir     specify dir to store state information (default is\n"
           "                     %s)\n"
           "  -v, --verbose      log extra debugging information\n"
           "  -V, --version      print version information and exit\n"
           "  -d, --daemonize    run as the " "QEMU-GA" " Windows service (only when started by the\n"
           "                     service control manager)\n"
           "  -s, --service      service commands: install, uninstall, vss-install, vss-uninstall\n"
           "  -b, --block-rpcs   comma-separated list of RPCs to disable (no spaces,\n"
           "                     use \"help\" to list available RPCs)\n"
           "  -a, --allow-rpcs   comma-separated list of RPCs to enable (no spaces,\n"
           "                     use \"help\" to list available RPCs)\n"
           "  -D, --dump-conf    dump a qemu-ga config file based on current config\n"
           "                     options / command-line parameters to stdout\n"
           "  -r, --retry-path   attempt re-opening path if it's unavailable or closed\n"
           "                     due to an error which may be recoverable in the future\n"
           "                     (virtio-serial driver re-install, serial device hot\n"
           "                     plug/unplug, etc.)\n"
           "  -h, --help         display this help and exit\n",
           program, QGA_VERSION, default_config, default_statedir);
}

/* This executable's full path (UTF-16, malloc'd) or NULL. */
static WCHAR *exe_path(void)
{
    DWORD size = MAX_PATH, len;
    WCHAR *path = NULL, *grown;

    for (;;)
    {
        if (!(grown = realloc(path, size * sizeof(WCHAR)))) break;
        path = grown;
        len = GetModuleFileNameW(NULL, path, size);
        if (len && len < size) return path;
        if (!len || size >= 32768) break;
        size *= 2;
    }
    free(path);
    return NULL;
}

/* <exe dir>\qemu-ga.conf in UTF-8 (malloc'd). */
static char *default_config_path(const WCHAR *exe)
{
    WCHAR *path_w, *slash;
    char *path = NULL;
    size_t len = wcslen(exe) + sizeof(CONFIG_FILE_NAME) + 1;

    if (!(path_w = malloc(len * sizeof(WCHAR)))) return NULL;
    wcscpy(path_w, exe);
    slash = wcsrchr(path_w, L'\\');
    swprintf(slash ? slash + 1 : path_w, len - (size_t)((slash ? slash + 1 : path_w) - path_w),
             L"%hs", CONFIG_FILE_NAME);
    utf16_to_utf8(path_w, &path);
    free(path_w);
    return path;
}

/* Read a whole (small) file.  Returns 0, QGA_ENOENT when it does not exist, or another error
 * with *error (malloc'd). */
static int read_file(const char *path, char **text, size_t *len, char **error)
{
    WCHAR *path_w = NULL;
    HANDLE file = INVALID_HANDLE_VALUE;
    LARGE_INTEGER size;
    DWORD got = 0, err;
    char message[1100];
    int ret = 0;

    *text = NULL;
    *len = 0;
    *error = NULL;
    if ((ret = utf8_to_utf16(path, &path_w)) < 0)
    {
        *error = strdup("the path is not valid UTF-8");
        return ret;
    }
    file = CreateFileW(path_w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0,
                       NULL);
    if (file == INVALID_HANDLE_VALUE)
    {
        err = GetLastError();
        ret = err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND ? QGA_ENOENT
                                                                         : win32_error_to_qga(err);
        *error = strdup(win32_error_text_buf(err, message, sizeof(message)));
        goto out;
    }
    if (!GetFileSizeEx(file, &size) || size.QuadPart > CONFIG_MAX_FILE_SIZE)
    {
        ret = QGA_ERANGE;
        *error = strdup("the file is too large");
        goto out;
    }
    if (!(*text = malloc((size_t)size.QuadPart + 1)))
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    if (!ReadFile(file, *text, (DWORD)size.QuadPart, &got, NULL))
    {
        ret = win32_error_to_qga(GetLastError());
        *error = strdup(win32_error_text_buf(GetLastError(), message, sizeof(message)));
        free(*text);
        *text = NULL;
        goto out;
    }
    (*text)[got] = 0;
    *len = got;
out:
    if (file != INVALID_HANDLE_VALUE) CloseHandle(file);
    free(path_w);
    return ret;
}

static void add_warning(struct run_context *context, const char *fmt, const char *a, const char *b)
{
    size_t size = strlen(fmt) + strlen(a) + strlen(b) + 1;
    char *text;

    if (context->warning_count == MAX_CONFIG_WARNINGS || !(text = malloc(size))) return;
    snprintf(text, size, fmt, a, b);
    context->warnings[context->warning_count++] = text;
}

/* Load the config file: -c (must exist), else QGA_CONF, else next to the exe (may be missing).
 * Returns 0 or 1 (message printed). */
static int load_config(struct config *config, const struct options *options, const WCHAR *exe,
                       struct run_context *context)
{
    WCHAR env[MAX_PATH * 2];
    char *path = NULL, *text = NULL, *error = NULL;
    struct keyfile keyfile = { NULL, 0, 0 };
    bool required = false;
    size_t len, i;
    int ret;

    if (options->config_file)
    {
        path = strdup(options->config_file);
        required = true;
    }
    else if (GetEnvironmentVariableW(L"QGA_CONF", env, ARRAYSIZE(env)) - 1 < ARRAYSIZE(env) - 1)
        utf16_to_utf8(env, &path);     /* compat: not required, as qemu-ga */
    else
        path = default_config_path(exe);
    if (!path)
    {
        fprintf(stderr, "out of memory\n");
        return 1;
    }

    ret = read_file(path, &text, &len, &error);
    if (ret == QGA_ENOENT && !required)
    {
        ret = 0;
        goto out;
    }
    if (ret == 0) ret = keyfile_parse(text, len, &keyfile, &error);
    if (ret == 0) ret = config_apply_keyfile(config, &keyfile, &error);
    if (ret < 0)
    {
        /* compat: qemu-ga's wording */
        fprintf(stderr, "error loading configuration from path: %s, %s\n", path,
                error ? error : qga_error_text(ret));
        ret = 1;
        goto out;
    }
    for (i = 0; i < keyfile.count; i++)
        if (!strcmp(keyfile.entries[i].group, CONFIG_GROUP) && !config_key_known(keyfile.entries[i].key))
            add_warning(context, "configuration file %s: unknown key '%s' ignored", path,
                        keyfile.entries[i].key);
    config->config_file = path;
    path = NULL;
out:
    keyfile_clear(&keyfile);
    free(path);
    free(text);
    free(error);
    return ret;
}

static void setup_dispatcher(struct agent *agent, const struct config *config)
{
    struct dispatcher *dispatcher = &agent->dispatcher;
    const struct name_list *lists[2] = { &config->allow_rpcs, &config->block_rpcs };
    size_t i, j;

    dispatcher->commands = command_table;
    dispatcher->command_count = command_table_len;
    dispatcher->version = QGA_VERSION;
    dispatcher->context = agent;
    for (i = 0; i < 2; i++)
    {
        for (j = 0; j < lists[i]->count; j++)
        {
            const char *name = lists[i]->names[j];
            if (!dispatch_find(dispatcher, name))
                platform_log(LOG_WARNING, "%s: unknown command '%s' ignored", i ? "block-rpcs" : "allow-rpcs",
                             name);
            if (name_list_add(i ? &dispatcher->block_rpcs : &dispatcher->allow_rpcs, name) < 0)
                platform_log(LOG_ERROR, "out of memory");
        }
    }
}

static int run_agent(void *opaque)
{
    struct run_context *context = opaque;
    const struct config *config = context->config;
    struct instance *instance = NULL;
    struct agent agent;
    char *error = NULL, *holder = NULL;
    size_t i, initialised = 0;
    int ret;

    memset(&agent, 0, sizeof(agent));
    if ((ret = log_open(config->logfile, config->verbose, true, &error)) < 0)
    {
        /* No log: say it where someone may see it (stderr, or the Event Log for the service). */
        log_open(NULL, config->verbose, true, NULL);
        platform_log(LOG_ERROR, "%s", error ? error : "unable to open the log file");
        free(error);
        goto out;
    }
    for (i = 0; i < context->warning_count; i++) platform_log(LOG_WARNING, "%s", context->warnings[i]);

    agent.config = config;
    agent.stop_event = context->stop_event;
    agent.wakeup_event = context->wakeup_event;
    agent.service = context->service;
    if ((ret = channel_create(config->method, config->path, &agent.channel)) < 0)
    {
        platform_log(LOG_ERROR, "unable to set up the channel: %s", qga_error_text(ret));
        goto out;
    }

    if ((ret = instance_acquire(channel_path(agent.channel), context->service, &instance, &holder)) < 0)
    {
        if (ret == QGA_EBUSY)
            platform_log(LOG_ERROR, "another instance of the agent is already running: %s; stop it first "
                         "(for the service: net stop " "QEMU-GA" ")", holder ? holder : "unknown");
        else
            platform_log(LOG_ERROR, "unable to create the single-instance guard: %s", qga_error_text(ret));
        free(holder);
        goto out;
    }

    if ((ret = state_dir_create(config->statedir, &error)) < 0)
    {
        /* compat: qemu-ga cannot run without its state directory either */
        platform_log(LOG_ERROR, "%s", error ? error : "unable to create state directory");
        free(error);
        goto out;
    }
    if (!(agent.state_dir = strdup(config->statedir)))
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    state_check_stale_marker(&agent);
    setup_dispatcher(&agent, config);

    for (; initialised < sizeof(agent_modules) / sizeof(agent_modules[0]) && agent_modules[initialised].name;
         initialised++)
    {
        const struct agent_module *module = &agent_modules[initialised];
        if (module->init && (ret = module->init(&agent)) < 0)
        {
            platform_log(LOG_ERROR, "unable to initialise %s: %s", module->name, qga_error_text(ret));
            initialised++;
            goto out;
        }
    }

    platform_log(LOG_INFO, "QEMU Guest Agent %s (qga-win) started on %s", QGA_VERSION,
                 channel_path(agent.channel));
    ret = agent_serve(&agent);
    platform_log(LOG_INFO, "QEMU Guest Agent stopping");

out:
    while (initialised--)
        if (agent_modules[initialised].cleanup) agent_modules[initialised].cleanup(&agent);
    channel_free(agent.channel);
    dispatcher_clear(&agent.dispatcher);
    free(agent.state_dir);
    instance_release(instance);
    log_close();
    return ret < 0 ? ret : 0;
}

static BOOL WINAPI console_handler(DWORD event)
{
    SetEvent(console_stop_event);
    if (event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT) return TRUE;
    /* Close/logoff/shutdown end the process when we return: let the agent thaw and stop first. */
    WaitForSingleObject(console_done_event, CONSOLE_CLOSE_WAIT_MS);
    return TRUE;
}

static int run(struct run_context *context)
{
    bool not_service;
    int ret;

    context->stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    context->wakeup_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!context->stop_event || !context->wakeup_event)
    {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    if (context->config->daemon)
    {
        context->service = true;
        ret = service_run(run_agent, context, context->stop_event, context->wakeup_event, &not_service);
        if (not_service)
        {
            /* Deliberate difference: qemu-ga exits 0 silently here. */
            fprintf(stderr, "-d (--daemonize) runs the agent as the Windows service " "QEMU-GA"
                    "; it was not started by the service control manager.  Use 'net start " "QEMU-GA"
                    "', or run without -d in a console.\n");
            return 1;
        }
        return ret < 0 ? 1 : 0;
    }
    console_stop_event = context->stop_event;
    console_done_event = CreateEventW(NULL, TRUE, FALSE, NULL);
    SetConsoleCtrlHandler(console_handler, TRUE);
    ret = run_agent(context);
    if (console_done_event) SetEvent(console_done_event);
    return ret < 0 ? 1 : 0;
}

int wmain(int argc, WCHAR **argv_w);
int wmain(int argc, WCHAR **argv_w)
{
    struct run_context context;
    struct options options;
    struct config config;
    char **argv = NULL, *default_statedir = NULL, *default_config = NULL, *dump = NULL;
    WCHAR *exe = exe_path();
    const char *program;
    int i, ret = 1;

    memset(&context, 0, sizeof(context));
    memset(&options, 0, sizeof(options));
    config_init(&config);
    if (!exe || !(argv = calloc((size_t)argc + 1, sizeof(*argv)))) goto oom;
    for (i = 0; i < argc; i++)
    {
        if (utf16_to_utf8(argv_w[i], &argv[i]) < 0)
        {
            fprintf(stderr, "argument %d is not valid UTF-16\n", i);
            goto out;
        }
    }
    program = argc > 0 ? argv[0] : "qemu-ga";
    if (!(default_statedir = state_default_dir()) || !(default_config = default_config_path(exe))) goto oom;
    if (options_parse(&options, argc, argv) < 0) goto oom;

    switch (options.action)
    {
    case OPTIONS_ERROR:
        fprintf(stderr, "%s\n", options.error);
        /* compat: qemu-ga prints this with g_print(), i.e. on stdout */
        if (options.unknown_option)
            printf("Unknown option, try '%s --help' for more information.\n", program);
        goto out;
    case OPTIONS_HELP:
        usage(program, default_config, default_statedir);
        ret = 0;
        goto out;
    case OPTIONS_VERSION:
        printf("QEMU Guest Agent %s\n", QGA_VERSION);
        ret = 0;
        goto out;
    case OPTIONS_LIST_RPCS:
        for (i = 0; (size_t)i < command_table_len; i++) printf("%s\n", command_table[i].name);
        ret = 0;
        goto out;
    default:
        break;
    }

    if (load_config(&config, &options, exe, &context)) goto out;
    if (options_apply(&options, &config) < 0 || config_set_defaults(&config, default_statedir, '\\') < 0)
        goto oom;

    if (options.action == OPTIONS_DUMP_CONF)
    {
        if (config_dump(&config, &dump) < 0) goto oom;
        fputs(dump, stdout);
        ret = 0;
        goto out;
    }
    if (!config_method_supported(config.method))
    {
        if (!strcmp(config.method, "unix-listen") || !strcmp(config.method, "vsock-listen"))
            fprintf(stderr, "unsupported communication method: %s "
                    "(Windows has virtio-serial and isa-serial)\n", config.method);
        else
            fprintf(stderr, "unsupported channel method/type: %s\n", config.method);   /* compat */
        goto out;
    }
    if (options.action == OPTIONS_SERVICE)
    {
        ret = service_command(&options, exe);
        goto out;
    }

    context.config = &config;
    /* COM for VSS in the main thread, before anything can call VSS (platform/vss.h). */
    vss_com_init();
    ret = run(&context);
    vss_com_cleanup();
    goto out;

oom:
    fprintf(stderr, "out of memory\n");
    ret = 1;
out:
    fflush(stdout);
    for (i = 0; argv && i < argc; i++) free(argv[i]);
    for (i = 0; (size_t)i < context.warning_count; i++) free(context.warnings[i]);
    free(argv);
    free(exe);
    free(dump);
    free(default_statedir);
    free(default_config);
    options_clear(&options);
    config_clear(&config);
    return ret;
}
