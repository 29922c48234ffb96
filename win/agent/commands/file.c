/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-file-open/close/read/write/seek/flush: open handles keyed by ids from a counter kept in
 * the state directory, so an id from before an agent restart never names a different file. */
#include <windows.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "commands/commands.h"
#include "core/base64.h"
#include "core/file-mode.h"
#include "core/platform.h"
#include "platform/agent.h"
#include "platform/error.h"
#include "platform/state.h"
#include "platform/utf.h"

/* compat: qemu-ga's ids start at 1000 and its counter is qga.state's [global] fd_counter. */
#define FILE_HANDLE_FIRST_ID      1000
#define FILE_COUNTER_NAME         "fd_counter"
/* The state file records the end of a block of reserved ids, so opening a file rewrites it only
 * once per block; ids skipped after a restart are harmless, reused ones are not. */
#define FILE_HANDLE_RESERVE_BLOCK 64
/* Reads go through this much raw data at a time, encoded straight into the reply string; a
 * multiple of 3 so every chunk but the last encodes without padding. */
#define FILE_READ_CHUNK           (3 * 64 * 1024)

struct open_file
{
    struct open_file *next;
    int64_t id;
    HANDLE handle;
};

struct file_table
{
    struct open_file *files;
    int64_t next_id;
    int64_t reserved_until;       /* ids below this are recorded as used in the state file */
};

static struct file_table *table_of(const struct command_call *call)
{
    return agent_from_call(call)->files;
}

/* Takes the next id, extending the reservation in the state file when it runs out.  A failure to
 * record it is logged (by the state module), not fatal: the id is still unique for this run. */
static int64_t take_id(struct agent *agent, struct file_table *table)
{
    int64_t id = table->next_id;

    if (table->next_id == INT64_MAX)
        table->next_id = table->reserved_until = FILE_HANDLE_FIRST_ID;   /* not reachable in practice */
    else
        table->next_id++;
    if (agent->state_dir && table->next_id > table->reserved_until)
    {
        int64_t until = table->next_id > INT64_MAX - FILE_HANDLE_RESERVE_BLOCK
                      ? INT64_MAX : table->next_id + FILE_HANDLE_RESERVE_BLOCK;
        state_write_counter(agent, FILE_COUNTER_NAME, until);
        table->reserved_until = until;
    }
    return id;
}

int file_table_init(struct agent *agent)
{
    struct file_table *table;
    int64_t first = FILE_HANDLE_FIRST_ID;

    if (!(table = calloc(1, sizeof(*table)))) return QGA_ENOMEM;
    /* An unreadable state file is logged by the state module; ids then start afresh. */
    if (agent->state_dir) state_read_counter(agent, FILE_COUNTER_NAME, FILE_HANDLE_FIRST_ID, &first);
    if (first < FILE_HANDLE_FIRST_ID) first = FILE_HANDLE_FIRST_ID;
    table->next_id = table->reserved_until = first;
    agent->files = table;
    return 0;
}

void file_table_cleanup(struct agent *agent)
{
    struct file_table *table = agent->files;

    if (!table) return;
    while (table->files)
    {
        struct open_file *file = table->files;
        table->files = file->next;
        CloseHandle(file->handle);
        free(file);
    }
    free(table);
    agent->files = NULL;
}

/* compat: every handle command reports an unknown id as "handle '<n>' has not been found". */
static struct open_file *find_file(struct command_call *call, int64_t id)
{
    struct file_table *table = table_of(call);

    for (struct open_file *file = table ? table->files : NULL; file; file = file->next)
        if (file->id == id) return file;
    call_errorf(call, QGA_EINVAL, "handle '%" PRId64 "' has not been found", id);
    return NULL;
}

/* A named pipe or a serial port would block the agent in ReadFile until data arrives; make
 * reads return at once with what is there (compat: qemu-ga sets PIPE_NOWAIT too). */
static void make_nonblocking(HANDLE handle)
{
    DWORD type = GetFileType(handle);

    if (type == FILE_TYPE_PIPE)
    {
        DWORD mode = PIPE_READMODE_BYTE | PIPE_NOWAIT;
        SetNamedPipeHandleState(handle, &mode, NULL, NULL);
    }
    else if (type == FILE_TYPE_CHAR)
    {
        COMMTIMEOUTS timeouts = { .ReadIntervalTimeout = MAXDWORD };
        SetCommTimeouts(handle, &timeouts);   /* fails harmlessly on a device that is not a port */
    }
}

int cmd_guest_file_open(struct command_call *call)
{
    const struct json_value *path_value = arg_value(call, "path");
    const char *path = arg_string(call, "path", NULL), *mode_text = arg_string(call, "mode", "r");
    struct file_table *table = table_of(call);
    struct open_file *file = NULL;
    struct file_mode mode;
    wchar_t *path_w = NULL;
    DWORD access = 0, disposition;
    HANDLE handle;
    int ret;

    if (file_mode_parse(mode_text, &mode) < 0) return call_errorf(call, QGA_EINVAL, "invalid file open mode");
    if (!table) return call_errorf(call, QGA_EGENERIC, "file handles are not available");
    if (path_value->u.string.len != strlen(path))
        return call_errorf(call, QGA_EINVAL, "can't convert 'path' to UTF-16: embedded NUL character");
    if ((ret = utf8_to_utf16(path, &path_w)) < 0)
        return call_errorf(call, ret, "can't convert 'path' to UTF-16: invalid UTF-8");

    if (mode.read) access |= GENERIC_READ;
    /* Append: FILE_APPEND_DATA without FILE_WRITE_DATA makes every write land at the end of the
     * file, whatever the file pointer (the O_APPEND of "a" and "a+"). */
    if (mode.write) access |= mode.append ? (FILE_GENERIC_WRITE & ~FILE_WRITE_DATA) : GENERIC_WRITE;
    switch (mode.disposition)
    {
    case FILE_DISP_OPEN_EXISTING: disposition = OPEN_EXISTING; break;
    case FILE_DISP_CREATE_ALWAYS: disposition = CREATE_ALWAYS; break;
    case FILE_DISP_CREATE_NEW:    disposition = CREATE_NEW; break;
    default:                      disposition = OPEN_ALWAYS; break;
    }

    platform_log(LOG_INFO, "guest-file-open called, filepath: %s, mode: %s", path, mode_text);
    /* Sharing read and write (qemu-ga shares read only) lets the host read a log file another
     * program is still writing, which is what this command is mostly used for.  The handle is
     * not inheritable, so guest-exec children never get it. */
    handle = CreateFileW(path_w, access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, disposition,
                         FILE_ATTRIBUTE_NORMAL, NULL);
    if (handle == INVALID_HANDLE_VALUE)
    {
        ret = call_win32_error(call, GetLastError(), "failed to open file '%s'", path);
        goto out;
    }
    make_nonblocking(handle);

    if (!(file = calloc(1, sizeof(*file))))
    {
        CloseHandle(handle);
        ret = QGA_ENOMEM;
        goto out;
    }
    file->handle = handle;
    file->id = take_id(agent_from_call(call), table);
    file->next = table->files;
    table->files = file;
    if (!(call->result = json_int(file->id))) ret = QGA_ENOMEM;
    else ret = 0;
out:
    free(path_w);
    return ret;
}

int cmd_guest_file_close(struct command_call *call)
{
    int64_t id = arg_int(call, "handle", 0);
    struct file_table *table = table_of(call);
    struct open_file *file = find_file(call, id), **link;

    if (!file) return call->error_code;
    platform_log(LOG_INFO, "guest-file-close called, handle: %" PRId64, id);
    for (link = &table->files; *link != file; link = &(*link)->next) {}
    *link = file->next;
    /* The id is forgotten even when CloseHandle fails: the handle is unusable either way. */
    if (!CloseHandle(file->handle))
    {
        uint32_t error = GetLastError();
        free(file);
        return call_win32_error(call, error, "failed close handle");
    }
    free(file);
    return 0;
}

/* A disk file cannot give more than what lies between the file pointer and its end (as of now:
 * a file that grows meanwhile gives the rest on the next read), so a 48 MiB count on a small file
 * does not commit 64 MiB for the reply. */
static int64_t bound_to_file_size(HANDLE handle, int64_t count)
{
    LARGE_INTEGER size, position, zero = { .QuadPart = 0 };

    if (GetFileType(handle) != FILE_TYPE_DISK || !GetFileSizeEx(handle, &size) ||
        !SetFilePointerEx(handle, zero, &position, FILE_CURRENT))
        return count;
    if (position.QuadPart >= size.QuadPart) return count ? 1 : 0;   /* one byte still tells eof */
    return size.QuadPart - position.QuadPart < count ? size.QuadPart - position.QuadPart : count;
}

int cmd_guest_file_read(struct command_call *call)
{
    int64_t id = arg_int(call, "handle", 0), count = arg_int(call, "count", FILE_READ_COUNT_DEFAULT);
    struct open_file *file = find_file(call, id);
    struct json_value *reply = NULL, *data = NULL;
    uint8_t *chunk = NULL;
    char *encoded = NULL;
    size_t total = 0, encoded_len = 0;
    uint32_t error = 0;
    int ret;

    if (!file) return call->error_code;
    if (count < 0 || count > FILE_READ_COUNT_MAX)
        return call_errorf(call, QGA_EINVAL, "value '%" PRId64 "' is invalid for argument count", count);

    count = bound_to_file_size(file->handle, count);
    /* The reply string is sized for the whole count up front and each chunk is encoded into it
     * as it arrives: the payload is never held twice at full size. */
    if (!(data = json_string_buffer(base64_encoded_len((size_t)count), &encoded)) ||
        (count && !(chunk = malloc(count < FILE_READ_CHUNK ? (size_t)count : FILE_READ_CHUNK))))
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    while (total < (size_t)count)
    {
        size_t want = (size_t)count - total;
        DWORD got = 0;

        if (want > FILE_READ_CHUNK) want = FILE_READ_CHUNK;
        if (!ReadFile(file->handle, chunk, (DWORD)want, &got, NULL))
        {
            error = GetLastError();
            /* PIPE_NOWAIT: nothing to read right now is an empty read, not a failure. */
            if (error == ERROR_NO_DATA) error = 0;
            got = 0;
        }
        base64_encode(chunk, got, encoded + encoded_len);
        encoded_len += base64_encoded_len(got);
        total += got;
        /* A short read is the end of what the file (or pipe) has now, as one ReadFile would be. */
        if (got < want || error) break;
    }
    if (error && !total)
    {
        ret = call_win32_error(call, error, "failed to read file");
        goto out;
    }
    encoded[encoded_len] = 0;
    data->u.string.len = encoded_len;

    /* compat: Windows qemu-ga reports eof only for a read that returned no bytes (docs/compat.md). */
    if (!(reply = json_object()) || json_object_set_int(reply, "count", (int64_t)total) < 0)
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    ret = json_object_set(reply, "buf-b64", data);   /* takes data, even on failure */
    data = NULL;
    if (ret < 0 || json_object_set_bool(reply, "eof", total == 0) < 0)
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    call->result = reply;
    reply = NULL;
    ret = 0;
out:
    json_free(reply);
    json_free(data);
    free(chunk);
    return ret;
}

int cmd_guest_file_write(struct command_call *call)
{
    int64_t id = arg_int(call, "handle", 0);
    const struct json_value *b64 = arg_value(call, "buf-b64");
    struct open_file *file = find_file(call, id);
    uint8_t *data = NULL;
    size_t data_len = 0, done = 0;
    int64_t count;
    int ret;

    if (!file) return call->error_code;
    if (base64_decode(b64->u.string.data, b64->u.string.len, &data, &data_len) < 0)
        return call_errorf(call, QGA_EINVAL, "Base64 data contains invalid characters");
    count = arg_int(call, "count", (int64_t)data_len);
    if (count < 0 || (uint64_t)count > data_len)
    {
        ret = call_errorf(call, QGA_EINVAL, "value '%" PRId64 "' is invalid for argument count", count);
        goto out;
    }
    while (done < (size_t)count)
    {
        size_t want = (size_t)count - done;
        DWORD wrote = 0;

        if (want > 0x40000000) want = 0x40000000;
        if (!WriteFile(file->handle, data + done, (DWORD)want, &wrote, NULL))
        {
            if (!done)
            {
                ret = call_win32_error(call, GetLastError(), "failed to write to file");
                goto out;
            }
            break;   /* report what was written; the error comes back on the next write */
        }
        done += wrote;
        if (!wrote) break;
    }
    /* compat: eof is always false on Windows. */
    if (!(call->result = json_object()) ||
        json_object_set_int(call->result, "count", (int64_t)done) < 0 ||
        json_object_set_bool(call->result, "eof", false) < 0)
    {
        ret = QGA_ENOMEM;
        goto out;
    }
    ret = 0;
out:
    free(data);
    return ret;
}

int cmd_guest_file_seek(struct command_call *call)
{
    int64_t id = arg_int(call, "handle", 0), offset = arg_int(call, "offset", 0);
    const struct json_value *whence_value = arg_value(call, "whence");
    struct open_file *file = find_file(call, id);
    static const DWORD methods[] = { FILE_BEGIN, FILE_CURRENT, FILE_END };
    enum file_whence whence;
    LARGE_INTEGER distance, position;

    if (!file) return call->error_code;
    if (file_whence_parse(whence_value->type == JSON_STRING ? whence_value->u.string.data : NULL,
                          whence_value->type == JSON_INT ? whence_value->u.integer : -1, &whence) < 0)
        return call_errorf(call, QGA_EINVAL, "invalid whence code %" PRId64,
                           whence_value->type == JSON_INT ? whence_value->u.integer : -1);
    distance.QuadPart = offset;
    if (!SetFilePointerEx(file->handle, distance, &position, methods[whence]))
        return call_win32_error(call, GetLastError(), "failed to seek file");
    /* compat: eof is always false on Windows. */
    if (!(call->result = json_object()) ||
        json_object_set_int(call->result, "position", position.QuadPart) < 0 ||
        json_object_set_bool(call->result, "eof", false) < 0)
        return QGA_ENOMEM;
    return 0;
}

int cmd_guest_file_flush(struct command_call *call)
{
    struct open_file *file = find_file(call, arg_int(call, "handle", 0));

    if (!file) return call->error_code;
    if (!FlushFileBuffers(file->handle)) return call_win32_error(call, GetLastError(), "failed to flush file");
    return 0;
}
