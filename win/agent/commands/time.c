/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-get-time and guest-set-time: the clock, set directly or resynchronised by the Windows
 * Time service. */
#include <windows.h>

#include <inttypes.h>
#include <stdlib.h>

#include "commands/commands.h"
#include "commands/exec.h"
#include "core/guest-time.h"
#include "core/platform.h"
#include "platform/error.h"
#include "platform/privilege.h"

/* "w32tm /resync /nowait" only asks the service to resynchronise; it returns within seconds. */
#define W32TM_TIMEOUT_MS 30000

int cmd_guest_get_time(struct command_call *call)
{
    if (!(call->result = json_int(platform_time_ns()))) return QGA_ENOMEM;
    return 0;
}

/* Without a time, qemu-ga asks the Windows Time service to resynchronise, since Windows offers
 * no API to read the RTC.  compat: the error texts are qemu-ga's; w32tm runs from the system
 * directory without a shell (qemu-ga used system(), i.e. cmd.exe and the PATH). */
static int resync(struct command_call *call)
{
    static const char *const args[] = { "/resync", "/nowait" };
    struct exec_output output = { 0 };
    uint32_t status = 0, error = 0;
    char *text;
    int ret;

    ret = exec_run_system_program("w32tm.exe", args, 2, W32TM_TIMEOUT_MS, &output, &status, &error);
    exec_output_clear(&output);
    if (ret == QGA_ETIMEDOUT)
        return call_errorf(call, ret, "w32tm did not finish within %d seconds", W32TM_TIMEOUT_MS / 1000);
    if (ret < 0 && error) return call_win32_error(call, error, "failed to run w32tm");
    if (ret < 0) return call_errorf(call, ret, "failed to run w32tm");
    if (status == 0) return 0;
    /* w32tm exits with an HRESULT. */
    if (status == (uint32_t)HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE))
        return call_errorf(call, QGA_EGENERIC, "Windows Time service not running on the guest");
    text = win32_error_text(status);
    ret = call_errorf(call, QGA_EGENERIC, "w32tm failed with error (0x%" PRIx32 "): %s", status, text ? text : "");
    free(text);
    return ret;
}

int cmd_guest_set_time(struct command_call *call)
{
    int64_t time_ns = arg_int(call, "time", 0);
    uint64_t ticks;
    FILETIME filetime;
    SYSTEMTIME systemtime;
    uint32_t error;
    int ret;

    if (!arg_present(call, "time")) return resync(call);

    /* compat: qemu-ga's text, with the space its format string lacks ("Time %ldis invalid"). */
    if (guest_time_to_filetime(time_ns, &ticks) < 0)
        return call_errorf(call, QGA_EINVAL, "Time %" PRId64 " is invalid", time_ns);
    filetime.dwLowDateTime = (DWORD)ticks;
    filetime.dwHighDateTime = (DWORD)(ticks >> 32);
    if (!FileTimeToSystemTime(&filetime, &systemtime))
        return call_win32_error(call, GetLastError(), "Failed to convert system time");
    if ((ret = privilege_enable(SE_SYSTEMTIME_NAME, &error)) < 0)
        return call_win32_error(call, error, "failed to enable the system time privilege");
    if (!SetSystemTime(&systemtime)) return call_win32_error(call, GetLastError(), "Failed to set time to guest");
    platform_log(LOG_INFO, "guest-set-time: clock set to %" PRId64 " ns", time_ns);
    return 0;
}
