/* supervisor.h — tickcastd: creates the instance segment, starts every configured
 * stage as its own process, restarts crashed stages with backoff, talks to systemd
 * (READY, WATCHDOG, STATUS, RELOADING, STOPPING), drains on SIGTERM and reloads the
 * configuration on SIGHUP (validated first; a bad file keeps the old one). */
#ifndef TC_DAEMON_SUPERVISOR_H
#define TC_DAEMON_SUPERVISOR_H

typedef struct tc_supervisor_opts {
    const char *config_path; /* NULL: defaults only */
    char **overrides;        /* "section.key=value" */
    int n_overrides;
} tc_supervisor_opts_t;

/* Runs until SIGTERM/SIGINT and a drain.  Returns the exit status: 0 after a clean
 * drain, 1 when a stage failed to drain or start-up failed (reason logged). */
int tc_supervisor_run(const tc_supervisor_opts_t *o);

#endif
