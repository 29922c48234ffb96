/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Service install/uninstall, VSS provider (un)registration through qga-vss.dll, and the SCM side. */
#include <windows.h>
#include <dbt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "core/cmdline.h"
#include "core/error.h"
#include "platform/error.h"
#include "platform/service.h"
#include "platform/utf.h"

#define EVENTLOG_KEY_W L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\" QGA_EVENTLOG_SOURCE_W

/* The vioser driver's port interface (qga-reference.md §4): arrival means the channel appeared. */
static const GUID vioserial_port_guid =
    { 0x6fde7521, 0x1b65, 0x48ae, { 0xb6, 0x28, 0x80, 0xbe, 0x62, 0x01, 0x60, 0x26 } };

static void print_error(const char *what, DWORD err)
{
    char text[1100];
    fprintf(stderr, "%s: %s\n", what, win32_error_text_buf(err, text, sizeof(text)));
}

/* Absolute path of a file-name option (the service runs in %SystemRoot%\system32). */
static int absolute_path(const char *path, char **out)
{
    WCHAR *path_w = NULL, *full_w = NULL;
    DWORD len;
    int ret;

    *out = NULL;
    if ((ret = utf8_to_utf16(path, &path_w)) < 0) return ret;
    len = GetFullPathNameW(path_w, 0, NULL, NULL);
    if (!len || !(full_w = malloc(len * sizeof(WCHAR))) || !GetFullPathNameW(path_w, len, full_w, NULL))
        ret = utf8_to_utf16(path, &full_w) < 0 ? QGA_ENOMEM : 0;
    if (ret == 0) ret = utf16_to_utf8(full_w, out);
    free(path_w);
    free(full_w);
    return ret;
}

int service_command_line(const struct options *options, const wchar_t *exe_path_w, wchar_t **out)
{
    char *line = NULL, *exe = NULL, *value = NULL;
    size_t i;
    int ret;

    *out = NULL;
    if ((ret = utf16_to_utf8(exe_path_w, &exe)) < 0) return ret;
    if ((ret = cmdline_append_program(&line, exe)) < 0) goto out;
    /* Our service waits for its port: the MSI's "-d --retry-path" (qemu-ga's own -s install
     * omits --retry-path and then dies when the device is missing at boot). */
    if ((ret = cmdline_append(&line, "-d")) < 0 || (ret = cmdline_append(&line, "--retry-path")) < 0)
        goto out;
    for (i = 0; i < options->setting_count; i++)
    {
        const struct option_setting *setting = &options->settings[i];
        char flag[3] = { '-', setting->letter, 0 };

        if (setting->letter == 'd' || setting->letter == 'r') continue;   /* already there */
        if ((ret = cmdline_append(&line, flag)) < 0) goto out;
        if (!setting->value) continue;
        if (options_letter_is_path(setting->letter))
        {
            if ((ret = absolute_path(setting->value, &value)) < 0) goto out;
            ret = cmdline_append(&line, value);
            free(value);
            value = NULL;
        }
        else
            ret = cmdline_append(&line, setting->value);
        if (ret < 0) goto out;
    }
    ret = utf8_to_utf16(line, out);
out:
    free(line);
    free(exe);
    return ret;
}

static void register_event_source(const wchar_t *exe_path_w)
{
    HKEY key = NULL;
    DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    LONG err = RegCreateKeyExW(HKEY_LOCAL_MACHINE, EVENTLOG_KEY_W, 0, NULL, 0, KEY_SET_VALUE, NULL, &key,
                               NULL);

    if (err == ERROR_SUCCESS)
    {
        err = RegSetValueExW(key, L"EventMessageFile", 0, REG_EXPAND_SZ, (const BYTE *)exe_path_w,
                             (DWORD)((wcslen(exe_path_w) + 1) * sizeof(WCHAR)));
        if (err == ERROR_SUCCESS)
            err = RegSetValueExW(key, L"TypesSupported", 0, REG_DWORD, (const BYTE *)&types, sizeof(types));
        RegCloseKey(key);
    }
    if (err != ERROR_SUCCESS) print_error("Warning: unable to register the Event Log source", (DWORD)err);
}

/* <our directory>\qga-vss.dll into path (MAX_PATH + 32); true when the file exists. */
static bool vss_dll_path(const wchar_t *exe_path_w, WCHAR *path)
{
    WCHAR *slash;

    lstrcpynW(path, exe_path_w, MAX_PATH);
    slash = wcsrchr(path, L'\\');
    wcscpy(slash ? slash + 1 : path, QGA_VSS_DLL_NAME_W);
    return GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
}

/* Load qga-vss.dll from our own directory (never from the search path). */
static HMODULE load_vss_dll(const wchar_t *exe_path_w, bool install, bool quiet_if_missing, bool *missing)
{
    WCHAR path[MAX_PATH + 32];
    HMODULE module;
    char *path_utf8 = NULL;

    *missing = false;
    if (!vss_dll_path(exe_path_w, path))
    {
        *missing = true;
        if (!quiet_if_missing)
        {
            utf16_to_utf8(path, &path_utf8);
            fprintf(stderr, "qga-vss.dll was not found next to qemu-ga.exe (%s): %s\n",
                    path_utf8 ? path_utf8 : "?",
                    install ? "the VSS provider cannot be registered and guest-fsfreeze-* will not work."
                            : "nothing to unregister.");
            free(path_utf8);
        }
        return NULL;
    }
    if (!(module = LoadLibraryExW(path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH)))
        print_error("Failed to load qga-vss.dll", GetLastError());
    return module;
}

/* Call COMRegister/COMUnregister.  Returns the exit code. */
static int vss_registration(const wchar_t *exe_path_w, bool install, bool quiet_if_missing)
{
    HRESULT (WINAPI *function)(void);
    const char *name = install ? VSS_COM_REGISTER : VSS_COM_UNREGISTER;
    bool missing;
    HMODULE module = load_vss_dll(exe_path_w, install, quiet_if_missing, &missing);
    HRESULT hr;
    char text[1100];

    if (!module)
    {
        /* Nothing to unregister when the DLL is gone; registering without it is an error. */
        if (missing && !install) return 0;
        return 1;
    }
    function = (HRESULT (WINAPI *)(void))(void (*)(void))GetProcAddress(module, name);
    if (!function)
    {
        fprintf(stderr, "qga-vss.dll does not export %s.\n", name);
        FreeLibrary(module);
        return 1;
    }
    hr = function();
    FreeLibrary(module);
    if (FAILED(hr))
    {
        fprintf(stderr, "Failed to %s the VSS provider: %s\n", install ? "register" : "unregister",
                win32_error_text_buf((uint32_t)hr, text, sizeof(text)));
        return 1;
    }
    printf("VSS provider was %s successfully.\n", install ? "registered" : "unregistered");
    return 0;
}

static int install_service(const struct options *options, const wchar_t *exe_path_w)
{
    SC_HANDLE manager = NULL, service = NULL;
    SERVICE_DESCRIPTIONW description = { (WCHAR *)QGA_SERVICE_DESCRIPTION_W };
    WCHAR *command_line = NULL;
    bool updated = false;
    int ret = 1;

    if (service_command_line(options, exe_path_w, &command_line) < 0)
    {
        fprintf(stderr, "Failed to build the service command line (a path contains a '\"'?).\n");
        return 1;
    }
    if (!(manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_CREATE_SERVICE | SC_MANAGER_CONNECT)))
    {
        print_error("Failed to open the service control manager", GetLastError());
        goto out;
    }
    service = CreateServiceW(manager, QGA_SERVICE_NAME_W, QGA_SERVICE_DISPLAY_NAME_W, SERVICE_ALL_ACCESS,
                             SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL,
                             command_line, NULL, NULL, NULL, NULL /* LocalSystem */, NULL);
    if (!service && GetLastError() == ERROR_SERVICE_EXISTS)
    {
        /* Installing again updates the existing service (same name, new command line). */
        service = OpenServiceW(manager, QGA_SERVICE_NAME_W, SERVICE_CHANGE_CONFIG);
        if (service && !ChangeServiceConfigW(service, SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                                             SERVICE_ERROR_NORMAL, command_line, NULL, NULL, NULL,
                                             L"LocalSystem", L"", QGA_SERVICE_DISPLAY_NAME_W))
        {
            CloseServiceHandle(service);
            service = NULL;
        }
        updated = true;
    }
    if (!service)
    {
        print_error("Failed to install service", GetLastError());
        goto out;
    }
    ChangeServiceConfig2W(service, SERVICE_CONFIG_DESCRIPTION, &description);
    register_event_source(exe_path_w);
    /* compat: qemu-ga's message */
    printf(updated ? "Service was updated successfully.\n" : "Service was installed successfully.\n");
    ret = 0;
out:
    if (service) CloseServiceHandle(service);
    if (manager) CloseServiceHandle(manager);
    free(command_line);
    return ret;
}

/* Stop a running service and wait (bounded) for it to stop. */
static void stop_service(SC_HANDLE service)
{
    SERVICE_STATUS status;
    ULONGLONG deadline = GetTickCount64() + SERVICE_STOP_TIMEOUT_MS;

    if (!QueryServiceStatus(service, &status) || status.dwCurrentState == SERVICE_STOPPED) return;
    ControlService(service, SERVICE_CONTROL_STOP, &status);
    while (GetTickCount64() < deadline)
    {
        if (!QueryServiceStatus(service, &status) || status.dwCurrentState == SERVICE_STOPPED) return;
        Sleep(100);     /* the SCM offers no stop notification on Windows 7 without a callback */
    }
    fprintf(stderr, "Warning: the service did not stop within %u s.\n", SERVICE_STOP_TIMEOUT_MS / 1000);
}

static int uninstall_service(void)
{
    SC_HANDLE manager = NULL, service = NULL;
    int ret = 1;

    if (!(manager = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT)))
    {
        print_error("Failed to open the service control manager", GetLastError());
        goto out;
    }
    if (!(service = OpenServiceW(manager, QGA_SERVICE_NAME_W, DELETE | SERVICE_STOP | SERVICE_QUERY_STATUS)))
    {
        print_error("Failed to open service", GetLastError());
        goto out;
    }
    stop_service(service);
    if (!DeleteService(service))
    {
        print_error("Failed to delete service", GetLastError());
        goto out;
    }
    RegDeleteKeyW(HKEY_LOCAL_MACHINE, EVENTLOG_KEY_W);
    printf("Service was deleted successfully.\n");   /* compat: qemu-ga's message */
    ret = 0;
out:
    if (service) CloseServiceHandle(service);
    if (manager) CloseServiceHandle(manager);
    return ret;
}

int service_command(const struct options *options, const wchar_t *exe_path_w)
{
    const char *command = options->service;
    int ret;

    if (!strcmp(command, "install"))
    {
        /* compat: qemu-ga registers the provider first and fails when that fails; a missing DLL
         * (an agent-only install) is only reported. */
        WCHAR path[MAX_PATH + 32];
        if (!vss_dll_path(exe_path_w, path))
            fprintf(stderr, "Note: qga-vss.dll is not installed next to qemu-ga.exe; "
                    "guest-fsfreeze-* will not be available.\n");
        else if ((ret = vss_registration(exe_path_w, true, false)) != 0)
            return ret;
        return install_service(options, exe_path_w);
    }
    if (!strcmp(command, "uninstall"))
    {
        vss_registration(exe_path_w, false, true);
        return uninstall_service();
    }
    if (!strcmp(command, "vss-install")) return vss_registration(exe_path_w, true, false);
    if (!strcmp(command, "vss-uninstall")) return vss_registration(exe_path_w, false, false);
    fprintf(stderr, "Unknown service command.\n");
    return 1;
}

/* --- Running under the SCM (one service per process, so the SCM callbacks share this). --- */

static struct
{
    SERVICE_STATUS_HANDLE handle;
    SERVICE_STATUS status;
    HANDLE stop_event;
    HANDLE wakeup_event;
    int (*run)(void *context);
    void *context;
    int result;
} service_state;

static void report_status(DWORD state, DWORD exit_code, DWORD wait_hint)
{
    service_state.status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    service_state.status.dwCurrentState = state;
    service_state.status.dwControlsAccepted = state == SERVICE_RUNNING
                                              ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
    service_state.status.dwWin32ExitCode = exit_code;
    service_state.status.dwServiceSpecificExitCode = exit_code == ERROR_SERVICE_SPECIFIC_ERROR ? 1 : 0;
    service_state.status.dwWaitHint = wait_hint;
    service_state.status.dwCheckPoint = state == SERVICE_RUNNING || state == SERVICE_STOPPED
                                        ? 0 : service_state.status.dwCheckPoint + 1;
    SetServiceStatus(service_state.handle, &service_state.status);
}

static DWORD WINAPI control_handler(DWORD control, DWORD event_type, void *event_data, void *context)
{
    (void)event_data;
    (void)context;
    switch (control)
    {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        /* The agent thread sees stop_event, thaws if frozen (freeze_cleanup), then stops. */
        report_status(SERVICE_STOP_PENDING, NO_ERROR, SERVICE_STOP_WAIT_HINT_MS);
        SetEvent(service_state.stop_event);
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    case SERVICE_CONTROL_DEVICEEVENT:
        if (event_type == DBT_DEVICEARRIVAL && service_state.wakeup_event)
            SetEvent(service_state.wakeup_event);
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

static void WINAPI service_main(DWORD argc, WCHAR **argv)
{
    DEV_BROADCAST_DEVICEINTERFACE_W filter;
    HDEVNOTIFY notify;

    (void)argc;
    (void)argv;
    service_state.handle = RegisterServiceCtrlHandlerExW(QGA_SERVICE_NAME_W, control_handler, NULL);
    if (!service_state.handle)
    {
        service_state.result = win32_error_to_qga(GetLastError());
        return;
    }
    report_status(SERVICE_RUNNING, NO_ERROR, 0);

    /* Device arrival ends a --retry-path wait at once (qemu-ga's wakeup_event); failing to
     * register only means we fall back to the bounded backoff. */
    memset(&filter, 0, sizeof(filter));
    filter.dbcc_size = sizeof(filter);
    filter.dbcc_devicetype = DBT_DEVTYP_DEVICEINTERFACE;
    filter.dbcc_classguid = vioserial_port_guid;
    notify = RegisterDeviceNotificationW(service_state.handle, &filter, DEVICE_NOTIFY_SERVICE_HANDLE);

    service_state.result = service_state.run(service_state.context);

    if (notify) UnregisterDeviceNotification(notify);
    report_status(SERVICE_STOPPED, service_state.result < 0 ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR, 0);
}

int service_run(int (*run)(void *context), void *context, void *stop_event, void *wakeup_event,
                bool *not_service)
{
    SERVICE_TABLE_ENTRYW table[] =
    {
        { (WCHAR *)QGA_SERVICE_NAME_W, service_main },
        { NULL, NULL },
    };

    *not_service = false;
    memset(&service_state, 0, sizeof(service_state));
    service_state.stop_event = stop_event;
    service_state.wakeup_event = wakeup_event;
    service_state.run = run;
    service_state.context = context;
    /* Under Wine this fails only after 10 s when not started by the SCM (wine-notes.md §6): it is
     * called for -d only. */
    if (!StartServiceCtrlDispatcherW(table))
    {
        DWORD err = GetLastError();
        *not_service = err == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT;
        return win32_error_to_qga(err);
    }
    return service_state.result;
}
