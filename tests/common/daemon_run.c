/* daemon_run.c — tickcastd under test (daemon_run.h). */
#include "daemon_run.h"
#include "daemon/runtime/clock.h"

#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t running;

void tc_test_daemon_kill(void)
{
    if (running > 0 && kill(running, 0) == 0) {
        kill(running, SIGKILL);
        waitpid(running, NULL, 0);
    }
    running = 0;
}

pid_t tc_test_daemon_start(const char *conf)
{
    pid_t d = fork();
    running = d;
    if (d == 0) {
        char exe[512];
        snprintf(exe, sizeof exe, "%s/tickcastd", TC_BIN_DIR);
        unsetenv("NOTIFY_SOCKET");
        execl(exe, exe, "--config", conf, (char *)NULL);
        _exit(127);
    }
    return d;
}

int tc_test_shm_wait(tc_shm_t *s, const char *instance)
{
    int r = -1;
    for (int i = 0; i < 200 && r != 0; i++) {
        r = tc_shm_attach(s, instance, 1);
        if (r != 0)
            usleep(20000);
    }
    return r;
}

int tc_test_ring_wait_closed(tc_shm_t *s, const char *ring, int timeout_s)
{
    tc_ring_ctl_t *c = tc_shm_ring_ctl(s, ring);
    if (!c)
        return 0;
    int64_t end = tc_clock_mono_ns() + timeout_s * TC_NS_PER_S;
    while (atomic_load(&c->prod_state) != TC_PRODUCER_CLOSED && tc_clock_mono_ns() < end)
        usleep(20000);
    return atomic_load(&c->prod_state) == TC_PRODUCER_CLOSED;
}

int tc_test_daemon_stop(pid_t d)
{
    kill(d, SIGTERM);
    int st = 0;
    waitpid(d, &st, 0);
    if (d == running)
        running = 0;
    return st;
}

uint64_t tc_test_counter(const tc_shm_t *s, const char *name)
{
    uint32_t n;
    const tc_counter_t *c = tc_shm_counters(s, &n);
    for (uint32_t i = 0; i < n; i++)
        if (!strcmp(c[i].name, name))
            return atomic_load(&c[i].value);
    return UINT64_MAX;
}
