/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-exec and guest-exec-status: CreateProcessW with a quoted command line, stdin fed and
 * stdout/stderr drained by one background thread per process over overlapped pipes. */
#include <windows.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/exec.h"
#include "core/base64.h"
#include "core/cmdline.h"
#include "core/exec-output.h"
#include "core/platform.h"
#include "platform/agent.h"
#include "platform/error.h"
#include "platform/utf.h"

/* Pipe transfer size: the pipe's buffer and each read or write. */
#define EXEC_IO_CHUNK       (64 * 1024)
/* At agent stop, how long the stream threads get to cancel their I/O and exit. */
#define EXEC_STOP_WAIT_MS   5000

enum { STREAM_IN, STREAM_OUT, STREAM_ERR, STREAM_COUNT };

struct exec_stream
{
    HANDLE pipe;                  /* our end (overlapped); NULL once closed */
    OVERLAPPED overlapped;        /* hEvent created with the stream */
    bool pending;
    uint8_t *buffer;              /* read chunk (out/err) */
    struct exec_output output;    /* out/err: what was captured */
    const uint8_t *input;         /* in: the data to write, borrowed from the process */
    size_t input_len, input_pos;
};

struct exec_process
{
    struct exec_process *next;
    DWORD pid;
    HANDLE process;
    HANDLE thread;                /* the stream thread; NULL when no stream is redirected */
    HANDLE stop;                  /* manual-reset event: abandon the streams */
    enum exec_capture capture;
    uint8_t *input;               /* decoded input-data, owned */
    /* Owned by the stream thread until it exits; read by others only after that. */
    struct exec_stream streams[STREAM_COUNT];
};

struct exec_table
{
    struct exec_process *processes;
};

static volatile LONG pipe_serial;

static void stream_close(struct exec_stream *stream)
{
    if (stream->pipe)
    {
        if (stream->pending)
        {
            DWORD ignored;
            CancelIoEx(stream->pipe, &stream->overlapped);
            GetOverlappedResult(stream->pipe, &stream->overlapped, &ignored, TRUE);
            stream->pending = false;
        }
        CloseHandle(stream->pipe);
        stream->pipe = NULL;
    }
}

static void process_free(struct exec_process *proc)
{
    if (!proc) return;
    if (proc->thread)
    {
        SetEvent(proc->stop);
        WaitForSingleObject(proc->thread, EXEC_STOP_WAIT_MS);
        CloseHandle(proc->thread);
    }
    for (int i = 0; i < STREAM_COUNT; i++)
    {
        struct exec_stream *stream = &proc->streams[i];
        stream_close(stream);
        if (stream->overlapped.hEvent) CloseHandle(stream->overlapped.hEvent);
        free(stream->buffer);
        exec_output_clear(&stream->output);
    }
    if (proc->stop) CloseHandle(proc->stop);
    if (proc->process) CloseHandle(proc->process);
    free(proc->input);
    free(proc);
}

/* Starts the next read or write on a stream; returns false when the stream has ended. */
static bool stream_start(struct exec_stream *stream, int index)
{
    DWORD done = 0;
    BOOL ok;

    while (stream->pipe && !stream->pending)
    {
        if (index == STREAM_IN)
        {
            size_t left = stream->input_len - stream->input_pos;
            if (!left)
            {
                stream_close(stream);   /* end of input: the child reads EOF */
                break;
            }
            ok = WriteFile(stream->pipe, stream->input + stream->input_pos,
                           (DWORD)(left < EXEC_IO_CHUNK ? left : EXEC_IO_CHUNK), &done, &stream->overlapped);
        }
        else
        {
            ok = ReadFile(stream->pipe, stream->buffer, EXEC_IO_CHUNK, &done, &stream->overlapped);
        }
        if (!ok && GetLastError() == ERROR_IO_PENDING)
        {
            stream->pending = true;
            break;
        }
        /* Completed at once: take the count from the OVERLAPPED as for a late completion. */
        if (!ok || !GetOverlappedResult(stream->pipe, &stream->overlapped, &done, FALSE))
        {
            stream_close(stream);   /* broken pipe: the child closed its end */
            break;
        }
        if (index == STREAM_IN) stream->input_pos += done;
        else exec_output_append(&stream->output, stream->buffer, done);
    }
    return stream->pipe != NULL;
}

static void stream_complete(struct exec_stream *stream, int index)
{
    DWORD done = 0;

    stream->pending = false;
    if (!GetOverlappedResult(stream->pipe, &stream->overlapped, &done, FALSE))
    {
        stream_close(stream);
        return;
    }
    if (index == STREAM_IN) stream->input_pos += done;
    else exec_output_append(&stream->output, stream->buffer, done);
}

/* One thread per process moves all of its redirected streams, so a child that writes much to
 * stderr while we feed its stdin never deadlocks; it ends when every stream has ended or on stop. */
static DWORD WINAPI stream_thread(void *opaque)
{
    struct exec_process *proc = opaque;

    for (;;)
    {
        HANDLE waits[STREAM_COUNT + 1];
        int owners[STREAM_COUNT + 1];
        DWORD count = 0, which;

        waits[count] = proc->stop;
        owners[count++] = -1;
        for (int i = 0; i < STREAM_COUNT; i++)
        {
            if (stream_start(&proc->streams[i], i))
            {
                waits[count] = proc->streams[i].overlapped.hEvent;
                owners[count++] = i;
            }
        }
        if (count == 1) break;
        /* Bounded by proc->stop: the agent's stop sets it; a child may legitimately run for days. */
        which = WaitForMultipleObjects(count, waits, FALSE, INFINITE);
        if (which == WAIT_OBJECT_0 || which >= WAIT_OBJECT_0 + count) break;
        stream_complete(&proc->streams[owners[which - WAIT_OBJECT_0]], owners[which - WAIT_OBJECT_0]);
    }
    for (int i = 0; i < STREAM_COUNT; i++) stream_close(&proc->streams[i]);
    return 0;
}

/* An overlapped pipe end for us and an inheritable synchronous end for the child: anonymous pipes
 * cannot do overlapped I/O, so this is a uniquely named single-instance pipe that is connected
 * before anyone else could open it (FILE_FLAG_FIRST_PIPE_INSTANCE, one instance). */
static int make_pipe(bool child_reads, HANDLE *ours, HANDLE *child, uint32_t *win32_error)
{
    SECURITY_ATTRIBUTES inherit = { sizeof(inherit), NULL, TRUE };
    wchar_t name[96];

    *ours = *child = NULL;
    _snwprintf(name, sizeof(name) / sizeof(name[0]), L"\\\\.\\pipe\\qga-exec-%lu-%ld-%lu",
               GetCurrentProcessId(), InterlockedIncrement(&pipe_serial), GetTickCount());
    *ours = CreateNamedPipeW(name, (child_reads ? PIPE_ACCESS_OUTBOUND : PIPE_ACCESS_INBOUND) |
                             FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                             PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                             1, EXEC_IO_CHUNK, EXEC_IO_CHUNK, 0, NULL);
    if (*ours == INVALID_HANDLE_VALUE)
    {
        *ours = NULL;
        *win32_error = GetLastError();
        return win32_error_to_qga(*win32_error);
    }
    *child = CreateFileW(name, (child_reads ? GENERIC_READ : GENERIC_WRITE) | FILE_WRITE_ATTRIBUTES |
                         (child_reads ? 0 : FILE_READ_ATTRIBUTES), 0, &inherit, OPEN_EXISTING, 0, NULL);
    if (*child == INVALID_HANDLE_VALUE)
    {
        *child = NULL;
        *win32_error = GetLastError();
        CloseHandle(*ours);
        *ours = NULL;
        return win32_error_to_qga(*win32_error);
    }
    return 0;
}

static HANDLE open_null(bool for_read)
{
    SECURITY_ATTRIBUTES inherit = { sizeof(inherit), NULL, TRUE };
    HANDLE handle = CreateFileW(L"NUL", for_read ? GENERIC_READ : GENERIC_WRITE,
                                FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_EXISTING, 0, NULL);
    return handle == INVALID_HANDLE_VALUE ? NULL : handle;
}

struct spawn_request
{
    const wchar_t *application;   /* NULL: CreateProcess resolves the command line's program */
    const char *command_line;     /* UTF-8 */
    const wchar_t *environment;   /* NULL: inherit the agent's */
    const wchar_t *directory;     /* NULL: the agent's */
    bool has_input;               /* stdin from proc->input (else NUL) */
    size_t input_len;             /* bytes of proc->input (binary: may hold NUL) */
    enum exec_capture capture;
    bool merge_stderr;            /* with EXEC_CAPTURE_STDOUT: stderr into the same pipe */
    size_t output_limit;          /* 0 = EXEC_OUTPUT_MAX */
    HANDLE job;                   /* NULL, or the job object the process starts in */
};

/* Creates the process with its streams and starts the stream thread.  On failure *win32_error
 * says why (0 for out of memory). */
static int spawn(const struct spawn_request *req, struct exec_process *proc, uint32_t *win32_error)
{
    HANDLE child[STREAM_COUNT] = { NULL, NULL, NULL };
    bool redirected[STREAM_COUNT] = { req->has_input,
                                      req->capture == EXEC_CAPTURE_STDOUT || req->capture == EXEC_CAPTURE_SEPARATED,
                                      req->capture == EXEC_CAPTURE_STDERR || req->capture == EXEC_CAPTURE_SEPARATED };
    STARTUPINFOEXW startup = { .StartupInfo.cb = sizeof(startup) };
    PROCESS_INFORMATION info = { 0 };
    LPPROC_THREAD_ATTRIBUTE_LIST attributes = NULL;
    SIZE_T attributes_size = 0;
    wchar_t *command_line_w = NULL;
    bool any_stream = false;
    DWORD flags = CREATE_UNICODE_ENVIRONMENT | CREATE_NO_WINDOW;
    int ret;

    *win32_error = 0;
    proc->capture = req->capture;
    if (!(proc->stop = CreateEventW(NULL, TRUE, FALSE, NULL))) goto win32_failed;
    for (int i = 0; i < STREAM_COUNT; i++)
    {
        struct exec_stream *stream = &proc->streams[i];
        if (i == STREAM_ERR && req->merge_stderr && redirected[STREAM_OUT])
        {
            /* One pipe for both: the child's stderr is a second handle to its stdout. */
            if (!DuplicateHandle(GetCurrentProcess(), child[STREAM_OUT], GetCurrentProcess(), &child[STREAM_ERR], 0,
                                 TRUE, DUPLICATE_SAME_ACCESS))
            {
                child[STREAM_ERR] = NULL;
                goto win32_failed;
            }
            continue;
        }
        if (!redirected[i])
        {
            /* compat: streams that are not captured go to NUL, as GLib's *_TO_DEV_NULL flags. */
            if (!(child[i] = open_null(i == STREAM_IN))) goto win32_failed;
            continue;
        }
        if ((ret = make_pipe(i == STREAM_IN, &stream->pipe, &child[i], win32_error)) < 0) goto out;
        if (!(stream->overlapped.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL))) goto win32_failed;
        if (i != STREAM_IN && !(stream->buffer = malloc(EXEC_IO_CHUNK)))
        {
            ret = QGA_ENOMEM;
            goto out;
        }
        if (i == STREAM_IN)
        {
            stream->input = proc->input;
            stream->input_len = req->input_len;
        }
        else stream->output.limit = req->output_limit;
        any_stream = true;
    }

    startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    startup.StartupInfo.hStdInput = child[STREAM_IN];
    startup.StartupInfo.hStdOutput = child[STREAM_OUT];
    startup.StartupInfo.hStdError = child[STREAM_ERR];
    /* Only the three stdio handles are inherited, never the channel or an open guest-file. */
    InitializeProcThreadAttributeList(NULL, 1, 0, &attributes_size);
    if ((attributes = malloc(attributes_size)) &&
        InitializeProcThreadAttributeList(attributes, 1, 0, &attributes_size))
    {
        if (UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, child,
                                      sizeof(child), NULL, NULL))
        {
            startup.lpAttributeList = attributes;
            flags |= EXTENDED_STARTUPINFO_PRESENT;
        }
    }
    if ((ret = utf8_to_utf16(req->command_line, &command_line_w)) < 0) goto out;
    /* In a job, it starts suspended so that it cannot start a child outside the job first. */
    if (req->job) flags |= CREATE_SUSPENDED;
    if (!CreateProcessW(req->application, command_line_w, NULL, NULL, TRUE, flags,
                        (void *)req->environment, req->directory, &startup.StartupInfo, &info))
        goto win32_failed;
    if (req->job)
    {
        /* Nested jobs need Windows 8; without the job a timeout ends the process alone. */
        if (!AssignProcessToJobObject(req->job, info.hProcess))
            platform_log(LOG_DEBUG, "process %lu not put in a job: error %lu", info.dwProcessId, GetLastError());
        ResumeThread(info.hThread);
    }
    CloseHandle(info.hThread);
    proc->process = info.hProcess;
    proc->pid = info.dwProcessId;
    if (any_stream && !(proc->thread = CreateThread(NULL, 0, stream_thread, proc, 0, NULL)))
    {
        /* The child runs on, unobserved: its pipes close below, so it sees EOF and broken pipes. */
        *win32_error = GetLastError();
        ret = win32_error_to_qga(*win32_error);
        for (int i = 0; i < STREAM_COUNT; i++) stream_close(&proc->streams[i]);
        goto out;
    }
    ret = 0;
    goto out;

win32_failed:
    *win32_error = GetLastError();
    ret = win32_error_to_qga(*win32_error);
out:
    /* The child has its copies now (or never will); ours must go so that EOF reaches us. */
    for (int i = 0; i < STREAM_COUNT; i++)
        if (child[i]) CloseHandle(child[i]);
    if (attributes)
    {
        if (startup.lpAttributeList) DeleteProcThreadAttributeList(attributes);
        free(attributes);
    }
    free(command_line_w);
    return ret;
}

int exec_table_init(struct agent *agent)
{
    if (!(agent->execs = calloc(1, sizeof(*agent->execs)))) return QGA_ENOMEM;
    return 0;
}

void exec_table_cleanup(struct agent *agent)
{
    struct exec_table *table = agent->execs;

    if (!table) return;
    /* The children keep running (as qemu-ga's do); only our side of their pipes goes away. */
    for (struct exec_process *proc = table->processes; proc; proc = proc->next)
        if (proc->stop) SetEvent(proc->stop);
    while (table->processes)
    {
        struct exec_process *proc = table->processes;
        table->processes = proc->next;
        process_free(proc);
    }
    free(table);
    agent->execs = NULL;
}

/* A string argument that must not carry NUL (it would silently cut a path or argument). */
static bool has_nul(const struct json_value *value)
{
    return strlen(value->u.string.data) != value->u.string.len;
}

/* The environment block for CreateProcessW: "NAME=value" strings, each NUL-terminated, then one
 * more NUL.  compat: env replaces the whole environment (GLib envp). */
static int build_environment(struct command_call *call, const struct json_value *env, wchar_t **out)
{
    size_t len = 1, pos = 0;
    wchar_t **parts = NULL, *block = NULL;
    int ret = 0;

    *out = NULL;
    if (!(parts = calloc(env->u.array.count + 1, sizeof(*parts)))) return QGA_ENOMEM;
    for (size_t i = 0; i < env->u.array.count; i++)
    {
        const struct json_value *item = env->u.array.items[i];
        if (has_nul(item) || (ret = utf8_to_utf16(item->u.string.data, &parts[i])) < 0)
        {
            ret = call_errorf(call, QGA_EINVAL, "invalid environment variable '%s'", item->u.string.data);
            goto out;
        }
        if (parts[i][0]) len += wcslen(parts[i]) + 1;   /* an empty entry would end the block early */
    }
    if (!(block = malloc((len + 1) * sizeof(*block))))
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < env->u.array.count; i++)
    {
        size_t part_len = wcslen(parts[i]);
        if (!part_len) continue;
        memcpy(block + pos, parts[i], (part_len + 1) * sizeof(*block));
        pos += part_len + 1;
    }
    block[pos++] = 0;
    block[pos] = 0;   /* an empty environment still needs its two terminators */
    *out = block;
out:
    for (size_t i = 0; i < env->u.array.count; i++) free(parts[i]);
    free(parts);
    return ret;
}

/* compat: GLib's G_SPAWN_SEARCH_PATH_FROM_ENVP: with env given, a bare program name is looked up
 * on the PATH of that environment.  Returns a malloc'd full path or NULL (then CreateProcess
 * searches as usual). */
static wchar_t *search_env_path(const wchar_t *block, const wchar_t *program)
{
    wchar_t found[MAX_PATH * 2];
    DWORD len;

    if (wcschr(program, L'\\') || wcschr(program, L'/') || wcschr(program, L':')) return NULL;
    for (const wchar_t *entry = block; *entry; entry += wcslen(entry) + 1)
    {
        if (_wcsnicmp(entry, L"PATH=", 5)) continue;
        len = SearchPathW(entry + 5, program, L".exe", sizeof(found) / sizeof(found[0]), found, NULL);
        if (!len || len >= sizeof(found) / sizeof(found[0])) return NULL;
        return _wcsdup(found);
    }
    return NULL;
}

int cmd_guest_exec(struct command_call *call)
{
    const struct json_value *path = arg_value(call, "path"), *args = arg_value(call, "arg");
    const struct json_value *env = arg_value(call, "env"), *input = arg_value(call, "input-data");
    struct exec_table *table = agent_from_call(call)->execs;
    struct spawn_request req = { 0 };
    struct exec_process *proc = NULL;
    wchar_t *environment = NULL, *path_w = NULL, *application = NULL;
    char *command_line = NULL;
    size_t input_len = 0;
    uint32_t win32_error = 0;
    int ret;

    if (!table) return call_errorf(call, QGA_EGENERIC, "guest-exec is not available");
    if (exec_capture_parse(arg_value(call, "capture-output"), &req.capture) < 0)
        return call_errorf(call, QGA_EINVAL, "invalid capture-output");
    if (!(proc = calloc(1, sizeof(*proc)))) return QGA_ENOMEM;
    if (input && base64_decode(input->u.string.data, input->u.string.len, &proc->input, &input_len) < 0)
    {
        ret = call_errorf(call, QGA_EINVAL, "Base64 data contains invalid characters");
        goto out;
    }
    req.has_input = input != NULL;
    req.input_len = input_len;

    if (!path->u.string.len || has_nul(path) ||
        (ret = cmdline_append_program(&command_line, path->u.string.data)) < 0)
    {
        ret = call_errorf(call, QGA_EINVAL, "invalid program path '%s'", path->u.string.data);
        goto out;
    }
    for (size_t i = 0; args && i < args->u.array.count; i++)
    {
        const struct json_value *arg = args->u.array.items[i];
        if (has_nul(arg))
        {
            ret = call_errorf(call, QGA_EINVAL, "argument %u contains a NUL character", (unsigned)i);
            goto out;
        }
        if ((ret = cmdline_append(&command_line, arg->u.string.data)) < 0)
        {
            ret = call_errorf(call, ret, "out of memory");
            goto out;
        }
    }
    if (env && (ret = build_environment(call, env, &environment)) < 0) goto out;
    if (environment && utf8_to_utf16(path->u.string.data, &path_w) == 0)
        application = search_env_path(environment, path_w);

    platform_log(LOG_INFO, "guest-exec called: \"%s\" with %u arguments", path->u.string.data,
                 args ? (unsigned)args->u.array.count : 0u);
    req.application = application;
    req.command_line = command_line;
    req.environment = environment;
    if ((ret = spawn(&req, proc, &win32_error)) < 0)
    {
        if (win32_error) ret = call_win32_error(call, win32_error, "failed to execute '%s'", path->u.string.data);
        else ret = call_errorf(call, ret, "failed to execute '%s': out of memory", path->u.string.data);
        goto out;
    }
    if (!(call->result = json_object()) || json_object_set_int(call->result, "pid", proc->pid) < 0)
    {
        ret = QGA_ENOMEM;
        /* the process runs; keep tracking it so its handles are released at stop */
    }
    else ret = 0;
    proc->next = table->processes;
    table->processes = proc;
    proc = NULL;
out:
    process_free(proc);
    free(environment);
    free(path_w);
    free(application);
    free(command_line);
    return ret;
}

/* Adds "<name>-data" (base64) and "<name>-truncated" when the stream captured anything
 * (compat: both are absent for an empty stream). */
static int add_output(struct json_value *reply, const char *name, const struct exec_output *output)
{
    char key[32], *encoded = NULL;
    struct json_value *data;

    if (!output->len) return 0;
    if (!(data = json_string_buffer(base64_encoded_len(output->len), &encoded))) return QGA_ENOMEM;
    base64_encode(output->data, output->len, encoded);
    snprintf(key, sizeof(key), "%s-data", name);
    if (json_object_set(reply, key, data) < 0) return QGA_ENOMEM;
    snprintf(key, sizeof(key), "%s-truncated", name);
    return json_object_set_bool(reply, key, output->truncated);
}

int cmd_guest_exec_status(struct command_call *call)
{
    int64_t pid = arg_int(call, "pid", 0);
    struct exec_table *table = agent_from_call(call)->execs;
    struct exec_process *proc = NULL, **link;
    struct json_value *reply = NULL;
    DWORD status = 0;
    bool exited, is_signal;
    int64_t value;

    for (link = table ? &table->processes : NULL; link && *link; link = &(*link)->next)
    {
        if ((*link)->pid == pid)
        {
            proc = *link;
            break;
        }
    }
    /* compat: qemu-ga's text, with the pid it forgot to print ("PID lld does not exist"). */
    if (!proc) return call_errorf(call, QGA_EINVAL, "PID %" PRId64 " does not exist", pid);

    /* Exited means the process ended and every captured stream reached EOF, so the output is
     * complete (compat: a grandchild holding the pipe keeps it "running", as in qemu-ga). */
    exited = WaitForSingleObject(proc->process, 0) == WAIT_OBJECT_0 &&
             (!proc->thread || WaitForSingleObject(proc->thread, 0) == WAIT_OBJECT_0);
    if (!(reply = json_object()) || json_object_set_bool(reply, "exited", exited) < 0) goto nomem;
    if (!exited)
    {
        call->result = reply;
        return 0;
    }
    GetExitCodeProcess(proc->process, &status);
    exec_status_split(status, &is_signal, &value);
    if (json_object_set_int(reply, is_signal ? "signal" : "exitcode", value) < 0 ||
        add_output(reply, "out", &proc->streams[STREAM_OUT].output) < 0 ||
        add_output(reply, "err", &proc->streams[STREAM_ERR].output) < 0)
        goto nomem;
    /* Reported once, then forgotten (compat). */
    *link = proc->next;
    process_free(proc);
    call->result = reply;
    return 0;
nomem:
    json_free(reply);
    return QGA_ENOMEM;
}

int exec_run(const struct exec_run_request *request, struct exec_output *out, struct exec_run_result *result)
{
    struct spawn_request req = { .capture = EXEC_CAPTURE_STDOUT };
    struct exec_process *proc = NULL;
    wchar_t *application = NULL, *directory = NULL;
    HANDLE job = NULL;
    DWORD exit_code = 0;
    int ret;

    memset(result, 0, sizeof(*result));
    if ((ret = utf8_to_utf16(request->application, &application)) < 0) goto out;
    if (request->directory && (ret = utf8_to_utf16(request->directory, &directory)) < 0) goto out;
    if (!(proc = calloc(1, sizeof(*proc))))
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    /* Without a job object (none left?) a timeout still ends the process itself. */
    if (request->kill_tree && !(job = CreateJobObjectW(NULL, NULL)))
        platform_log(LOG_DEBUG, "CreateJobObject failed: error %lu", GetLastError());
    req.application = application;
    req.command_line = request->command_line;
    req.directory = directory;
    req.merge_stderr = request->merge_stderr;
    req.output_limit = request->output_limit;
    req.job = job;
    if ((ret = spawn(&req, proc, &result->win32_error)) < 0) goto out;

    if (WaitForSingleObject(proc->process, request->timeout_ms) != WAIT_OBJECT_0)
    {
        if (!job || !TerminateJobObject(job, 1)) TerminateProcess(proc->process, 1);
        WaitForSingleObject(proc->process, EXEC_STOP_WAIT_MS);
        result->timed_out = true;
        ret = QGA_ETIMEDOUT;
    }
    else
    {
        GetExitCodeProcess(proc->process, &exit_code);
        result->status = exit_code;
        ret = 0;
    }
    /* The output ends when the process has ended unless a child of it holds the pipe: bounded. */
    if (proc->thread && WaitForSingleObject(proc->thread, request->output_wait_ms) != WAIT_OBJECT_0)
    {
        result->output_incomplete = true;
        SetEvent(proc->stop);
        WaitForSingleObject(proc->thread, EXEC_STOP_WAIT_MS);
    }
    /* Only a finished stream thread's output may be read. */
    if (!proc->thread || WaitForSingleObject(proc->thread, 0) == WAIT_OBJECT_0)
    {
        *out = proc->streams[STREAM_OUT].output;
        memset(&proc->streams[STREAM_OUT].output, 0, sizeof(proc->streams[STREAM_OUT].output));
    }
out:
    process_free(proc);
    if (job) CloseHandle(job);   /* not KILL_ON_JOB_CLOSE: what it left running keeps running */
    free(application);
    free(directory);
    return ret;
}

int exec_run_system_program(const char *program, const char *const *args, size_t arg_count,
                            uint32_t timeout_ms, struct exec_output *out, uint32_t *status,
                            uint32_t *win32_error)
{
    struct exec_run_request request = { .timeout_ms = timeout_ms, .output_wait_ms = EXEC_STOP_WAIT_MS };
    struct exec_run_result result;
    wchar_t system_dir[MAX_PATH];
    char *system_dir_utf8 = NULL, *program_path = NULL, *command_line = NULL;
    UINT len;
    int ret;

    *status = 0;
    *win32_error = 0;
    len = GetSystemDirectoryW(system_dir, MAX_PATH);
    if (!len || len >= MAX_PATH)
    {
        *win32_error = GetLastError();
        return win32_error_to_qga(*win32_error);
    }
    if ((ret = utf16_to_utf8(system_dir, &system_dir_utf8)) < 0) goto out;
    if (!(program_path = malloc(strlen(system_dir_utf8) + 1 + strlen(program) + 1)))
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    sprintf(program_path, "%s\\%s", system_dir_utf8, program);
    if ((ret = cmdline_append_program(&command_line, program_path)) < 0) goto out;
    for (size_t i = 0; i < arg_count; i++)
        if ((ret = cmdline_append(&command_line, args[i])) < 0) goto out;
    request.application = program_path;
    request.command_line = command_line;
    ret = exec_run(&request, out, &result);
    *win32_error = result.win32_error;
    if (ret == 0 && result.output_incomplete)
    {
        exec_output_clear(out);
        ret = QGA_ETIMEDOUT;
    }
    else if (ret == 0)
        *status = result.status;
    else if (ret == QGA_ETIMEDOUT)
        exec_output_clear(out);
out:
    free(system_dir_utf8);
    free(program_path);
    free(command_line);
    return ret;
}
