/* notify.h — sd_notify(3) messages to systemd (Type=notify).  Each call is a no-op
 * when NOTIFY_SOCKET is unset (started by hand or in a test without a socket). */
#ifndef TC_RUNTIME_NOTIFY_H
#define TC_RUNTIME_NOTIFY_H

#include <stdint.h>

void tc_notify_ready(void);
void tc_notify_reloading(void);
void tc_notify_stopping(void);
void tc_notify_watchdog(void);
void tc_notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The watchdog interval systemd asked for (WATCHDOG_USEC), in ns; 0 when off. */
int64_t tc_notify_watchdog_interval_ns(void);

#endif
