/* notify.c — thin wrappers over sd_notify(3) (notify.h).
 *
 * sd_notify does the socket work (abstract or path socket, credentials); this file adds
 * the house error convention, a formatted STATUS without allocation, and the RELOADING
 * message with its CLOCK_MONOTONIC stamp as systemd.service(5) asks for Type=notify-reload.
 */
#include "daemon/runtime/notify.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

static int notify_send(const char *msg)
{
    /* unset_environment = 0: the variable stays for later messages of this process. */
    int r = sd_notify(0, msg);
    if (r < 0) {
        const char *nl = strchr(msg, '\n');
        return TC_ERR(r, "sd_notify(%.*s): %s", nl ? (int)(nl - msg) : (int)strlen(msg), msg,
                      strerror(-r));
    }
    return r > 0 ? 1 : 0;
}

int tc_notify_ready(void) { return notify_send("READY=1"); }
int tc_notify_watchdog(void) { return notify_send("WATCHDOG=1"); }
int tc_notify_stopping(void) { return notify_send("STOPPING=1"); }

int tc_notify_status(const char *fmt, ...)
{
    char msg[1024];
    int n = snprintf(msg, sizeof msg, "STATUS=");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, 1000 + 1, fmt, ap); /* 1,000 bytes of text at most */
    va_end(ap);
    for (char *p = msg + n; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return notify_send(msg);
}

int tc_notify_reloading(void)
{
    char msg[64];
    snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%lld",
             (long long)(tc_clock_mono_ns() / TC_NS_PER_US));
    return notify_send(msg);
}

int64_t tc_notify_watchdog_interval_ns(void)
{
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0)
        return 0;
    return (int64_t)usec * TC_NS_PER_US;
}
