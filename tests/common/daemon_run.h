/* daemon_run.h — running tickcastd from a test: start it on a config file, wait for
 * its segment, stop it and check it drained cleanly. */
#ifndef TC_TEST_DAEMON_RUN_H
#define TC_TEST_DAEMON_RUN_H

#include <stdint.h>
#include <sys/types.h>

#include "shm/segment.h"

/* Forks and execs TC_BIN_DIR/tickcastd --config conf (NOTIFY_SOCKET unset). */
pid_t tc_test_daemon_start(const char *conf);
/* Attaches to instance's segment, waiting up to 4 s for tickcastd to create it;
 * 0 or the attach error. */
int tc_test_shm_wait(tc_shm_t *s, const char *instance);
/* Waits until ring's producer has closed it (a finite run ended); 1 if it did within
 * timeout_s seconds. */
int tc_test_ring_wait_closed(tc_shm_t *s, const char *ring, int timeout_s);
/* SIGKILLs the daemon tc_test_daemon_start started if it still runs: a test's .fini, so
 * no daemon outlives a failed assertion (its stages follow it: PDEATHSIG). */
void tc_test_daemon_kill(void);
/* The value of counter name in the segment; UINT64_MAX when there is no such counter. */
uint64_t tc_test_counter(const tc_shm_t *s, const char *name);
/* SIGTERM, wait; returns the exit status as waitpid gave it. */
int tc_test_daemon_stop(pid_t d);

#endif
