/* SPDX-License-Identifier: GPL-2.0-or-later */
/* guest-get-load: Linux-style load averages from the processor queue length, sampled every 5 s by a
 * background thread that the first call starts and load_sampler_cleanup() stops. */
#include <stdlib.h>
#include <windows.h>
#include <pdh.h>

#include "commands/commands.h"
#include "core/inventory.h"
#include "core/platform.h"
#include "platform/agent.h"
#include "platform/error.h"

/* English name: localised counter names differ per language (PdhAddEnglishCounterW, Vista+). */
#define LOAD_COUNTER_W     L"\\System\\Processor Queue Length"
#define LOAD_COUNTER       "\\System\\Processor Queue Length"
#define LOAD_STOP_WAIT_MS  10000   /* one sample takes milliseconds; bound the stop anyway */

struct load_sampler
{
    SRWLOCK lock;                 /* guards load */
    struct load_average load;
    PDH_HQUERY query;
    PDH_HCOUNTER counter;
    HANDLE stop_event;            /* set by load_sampler_cleanup() */
    HANDLE thread;
};

/* One reading of the counter.  Returns false when the counter cannot be read right now. */
static bool sample_queue_length(struct load_sampler *sampler, double *value)
{
    PDH_FMT_COUNTERVALUE counter_value;

    if (PdhCollectQueryData(sampler->query) != ERROR_SUCCESS
        || PdhGetFormattedCounterValue(sampler->counter, PDH_FMT_DOUBLE, NULL, &counter_value)
           != ERROR_SUCCESS)
        return false;
    *value = counter_value.doubleValue;
    return true;
}

static DWORD WINAPI sampler_thread(void *param)
{
    struct load_sampler *sampler = param;
    double value;

    while (WaitForSingleObject(sampler->stop_event, LOAD_SAMPLE_INTERVAL_MS) == WAIT_TIMEOUT)
    {
        if (!sample_queue_length(sampler, &value))
            value = 0;   /* a missed sample decays the averages, as an idle queue would */
        AcquireSRWLockExclusive(&sampler->lock);
        load_average_update(&sampler->load, value);
        ReleaseSRWLockExclusive(&sampler->lock);
    }
    return 0;
}

static void sampler_free(struct load_sampler *sampler)
{
    if (!sampler)
        return;
    if (sampler->query)
        PdhCloseQuery(sampler->query);
    if (sampler->stop_event)
        CloseHandle(sampler->stop_event);
    free(sampler);
}

/* Opens the counter, takes a first sample and starts the thread.  On failure *out stays NULL and
 * the reply text is set on call. */
static int sampler_start(struct command_call *call, struct load_sampler **out)
{
    struct load_sampler *sampler;
    PDH_STATUS status;
    double first = 0;
    int ret;

    *out = NULL;
    if (!(sampler = calloc(1, sizeof(*sampler))))
        return QGA_ENOMEM;
    InitializeSRWLock(&sampler->lock);

    if ((status = PdhOpenQueryW(NULL, 0, &sampler->query)) != ERROR_SUCCESS)
    {
        sampler->query = NULL;
        ret = call_errorf(call, QGA_EGENERIC,
                          "failed to open a performance counter query (PDH status 0x%08lx)",
                          (unsigned long)status);
        goto fail;
    }
    status = PdhAddEnglishCounterW(sampler->query, LOAD_COUNTER_W, 0, &sampler->counter);
    if (status != ERROR_SUCCESS)
    {
        ret = call_errorf(call, QGA_EGENERIC,
                          "failed to add the performance counter '%s' (PDH status 0x%08lx); "
                          "performance counters may be disabled", LOAD_COUNTER, (unsigned long)status);
        goto fail;
    }
    /* Seed every average with the current queue length, so the first reply already means something
     * (the sampler starts on demand, usually long after boot, where Linux would start from 0). */
    if (sample_queue_length(sampler, &first) && first > 0)
        sampler->load = (struct load_average){ first, first, first };

    if (!(sampler->stop_event = CreateEventW(NULL, TRUE, FALSE, NULL))
        || !(sampler->thread = CreateThread(NULL, 0, sampler_thread, sampler, 0, NULL)))
    {
        ret = call_win32_error(call, GetLastError(), "failed to start the load sampler");
        goto fail;
    }
    *out = sampler;
    return 0;
fail:
    sampler_free(sampler);
    return ret;
}

void load_sampler_cleanup(struct agent *agent)
{
    struct load_sampler *sampler = agent->load;

    if (!sampler)
        return;
    agent->load = NULL;
    SetEvent(sampler->stop_event);
    if (WaitForSingleObject(sampler->thread, LOAD_STOP_WAIT_MS) != WAIT_OBJECT_0)
    {
        /* Freeing what a live thread uses would be worse than leaking it at exit. */
        platform_log(LOG_WARNING, "load sampler did not stop within %d ms", LOAD_STOP_WAIT_MS);
        return;
    }
    CloseHandle(sampler->thread);
    sampler_free(sampler);
}

int cmd_guest_get_load(struct command_call *call)
{
    struct agent *agent = agent_from_call(call);
    struct json_value *result;
    struct load_average load;
    int ret;

    /* Handlers run one at a time, so the lazy start needs no lock of its own. */
    if (!agent->load && (ret = sampler_start(call, &agent->load)) < 0)
        return ret;

    AcquireSRWLockShared(&agent->load->lock);
    load = agent->load->load;
    ReleaseSRWLockShared(&agent->load->lock);

    if (!(result = json_object())
        || json_object_set_double(result, "load1m", load.load1m) < 0
        || json_object_set_double(result, "load5m", load.load5m) < 0
        || json_object_set_double(result, "load15m", load.load15m) < 0)
    {
        json_free(result);
        return QGA_ENOMEM;
    }
    call->result = result;
    return 0;
}
