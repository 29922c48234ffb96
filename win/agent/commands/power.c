/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-shutdown, guest-suspend-disk, guest-suspend-ram: check that the action is possible,
 * thaw if frozen, then act.  compat: nothing is sent on success ('success-response': false). */
#include <windows.h>
#include <powrprof.h>

#include <stdlib.h>

#include "commands/commands.h"
#include "core/platform.h"
#include "core/power-mode.h"
#include "platform/agent.h"
#include "platform/error.h"
#include "platform/privilege.h"
#include "platform/vss.h"

/* A frozen guest must never go down or to sleep with writes held: VSS would time the snapshot
 * out and the volumes would resume only after resume.  The filter refuses these commands while
 * frozen (they are not on the allow-list), so this only matters if that ever changes. */
static void thaw_first(struct agent *agent)
{
    int64_t volumes = 0;
    char *error = NULL;

    if (!agent->dispatcher.frozen) return;
    platform_log(LOG_WARNING, "thawing before a power action");
    if (vss_thaw(agent, &volumes, &error) < 0)
        platform_log(LOG_ERROR, "thaw before a power action failed: %s", error ? error : "unknown error");
    free(error);
}

int cmd_guest_shutdown(struct command_call *call)
{
    const char *mode_text = arg_string(call, "mode", NULL);
    enum power_mode mode;
    UINT flags = EWX_FORCE;
    uint32_t error;

    if (power_mode_parse(mode_text, &mode) < 0)
        return call_errorf(call, QGA_EINVAL, "Parameter 'mode' expects 'halt', 'powerdown', or 'reboot'");
    switch (mode)
    {
    case POWER_MODE_HALT:   flags |= EWX_SHUTDOWN; break;
    case POWER_MODE_REBOOT: flags |= EWX_REBOOT; break;
    default:                flags |= EWX_POWEROFF; break;
    }
    if (privilege_enable(SE_SHUTDOWN_NAME, &error) < 0)
        return call_win32_error(call, error, "failed to enable the shutdown privilege");
    thaw_first(agent_from_call(call));
    platform_log(LOG_INFO, "guest-shutdown called, mode: %s", mode_text ? mode_text : "powerdown");
    /* compat: forced, as qemu-ga: a hung application must not keep the guest up.  Windows
     * returns at once and shuts down in the background; Wine ends the session (every process
     * of the prefix, this one included) before returning. */
    if (!ExitWindowsEx(flags, SHTDN_REASON_FLAG_PLANNED))
        return call_win32_error(call, GetLastError(), "guest-shutdown failed");
    return 0;
}

static DWORD WINAPI suspend_thread(void *opaque)
{
    BOOLEAN hibernate = opaque != NULL;

    /* Force, and keep wake events enabled (compat: SetSuspendState(mode, TRUE, TRUE)). */
    if (!SetSuspendState(hibernate, TRUE, TRUE))
        platform_log(LOG_ERROR, "%s failed (error %lu)", hibernate ? "suspend-to-disk" : "suspend-to-ram",
                     GetLastError());
    return 0;
}

static int suspend(struct command_call *call, bool hibernate)
{
    SYSTEM_POWER_CAPABILITIES caps;
    uint32_t error;
    HANDLE thread;

    if (!GetPwrCapabilities(&caps))
        return call_win32_error(call, GetLastError(), "failed to determine guest suspend capabilities");
    /* compat: qemu-ga's texts.  Hibernation also needs its file (powercfg /h off removes it). */
    if (hibernate && (!caps.SystemS4 || !caps.HiberFilePresent))
        return call_errorf(call, QGA_ENOTSUP, "suspend-to-disk not supported by OS");
    if (!hibernate && !caps.SystemS3)
        return call_errorf(call, QGA_ENOTSUP, "suspend-to-ram not supported by OS");
    if (privilege_enable(SE_SHUTDOWN_NAME, &error) < 0)
        return call_win32_error(call, error, "failed to enable the shutdown privilege");
    thaw_first(agent_from_call(call));
    platform_log(LOG_INFO, "guest-suspend-%s called", hibernate ? "disk" : "ram");
    /* SetSuspendState returns only after resume; the agent keeps serving meanwhile (the host
     * sees the guest stop, and no reply is due). */
    if (!(thread = CreateThread(NULL, 0, suspend_thread, hibernate ? (void *)1 : NULL, 0, NULL)))
        return call_win32_error(call, GetLastError(), "failed to start the suspend thread");
    CloseHandle(thread);
    return 0;
}

int cmd_guest_suspend_disk(struct command_call *call)
{
    return suspend(call, true);
}

int cmd_guest_suspend_ram(struct command_call *call)
{
    return suspend(call, false);
}
