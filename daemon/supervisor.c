/* supervisor.c — tickcastd's process supervision (supervisor.h).
 *
 * One poll loop over a self-pipe fed by the signal handlers: SIGCHLD reaps stages and
 * schedules restarts (exponential backoff between restart_backoff_min and _max, reset
 * after a stage has stayed up for restart_window; more than restart_max crashes in one
 * window marks it failed), SIGHUP reloads, SIGTERM/SIGINT drain.  Every status_interval
 * it sends systemd one human STATUS line with rates and lags, read from the segment;
 * WATCHDOG=1 goes out at half the watchdog interval while the loop runs.
 *
 * Stages read their configuration from the one tickcastd runs, not from the file: each
 * good load writes it (every key, overrides applied) into a sealed memfd, and a stage is
 * started with --config /proc/self/fd/N.  A stage restarted after the file was edited
 * but not reloaded, or after a reload was refused, then runs what the others run.
 */
#include "daemon/supervisor.h"
#include "daemon/runtime/affinity.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/config.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "daemon/runtime/notify.h"
#include "daemon/runtime/proc.h"
#include "daemon/runtime/signals.h"
#include "shm/ring.h"
#include "shm/segment.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_STAGES TC_SHM_STAGES_MAX

typedef struct sup_stage {
    char name[TC_CONFIG_NAME_MAX];
    pid_t pid;
    int wanted;              /* in the configured list */
    int restart_now;         /* stopped on purpose (reload): start again without backoff */
    int failed;              /* gave up: too many crashes in one window */
    int64_t started_ns;      /* monotonic */
    int64_t next_start_ns;   /* 0: not scheduled */
    int64_t backoff_ns;
    int64_t window_start_ns;
    int64_t crashes_in_window;
    tc_stage_slot_t *slot;
    pid_t previous;          /* left running by a tickcastd that died: wait for it */
    int64_t previous_deadline_ns;
    int previous_killed;     /* 1: sent SIGTERM, 2: sent SIGKILL */
} sup_stage_t;

typedef struct sup {
    tc_config_t cfg;
    const tc_supervisor_opts_t *opts;
    tc_shm_t shm;
    sup_stage_t st[MAX_STAGES];
    int n;
    char bin_dir[PATH_MAX];
    uint64_t last_pos[TC_SHM_RINGS_MAX];
    int64_t last_status_ns;
    int conf_fd;             /* the running configuration, for the stages (a memfd) */
    char conf_arg[32];       /* "/proc/self/fd/N" */
} sup_t;

/* ---- the configuration the stages get ---- */

/* Writes c into a new sealed memfd, which replaces the one before. */
static int snapshot_config(sup_t *s, const tc_config_t *c)
{
    int fd = memfd_create("tickcast.conf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return TC_ERR(-errno, "configuration for the stages: memfd_create: %s", strerror(errno));
    int copy = dup(fd);
    FILE *f = copy >= 0 ? fdopen(copy, "w") : NULL;
    if (!f) {
        int e = errno;
        if (copy >= 0)
            close(copy);
        close(fd);
        return TC_ERR(-e, "configuration for the stages: %s", strerror(e));
    }
    fprintf(f, "# the configuration tickcastd (pid %d) runs, read from %s\n", (int)getpid(),
            s->opts->config_path ? s->opts->config_path : "no file (defaults)");
    int r = tc_config_dump(c, f, 0);
    if (fclose(f) != 0 && r == 0)
        r = TC_ERR(-EIO, "configuration for the stages: write failed");
    if (r == 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
        r = TC_ERR(-errno, "configuration for the stages: sealing: %s", strerror(errno));
    if (r < 0) {
        close(fd);
        return r;
    }
    if (s->conf_fd >= 0)
        close(s->conf_fd);
    s->conf_fd = fd;
    snprintf(s->conf_arg, sizeof s->conf_arg, "/proc/self/fd/%d", fd);
    return 0;
}

/* ---- the segment ---- */

static int open_segment(sup_t *s)
{
    const tc_config_t *c = &s->cfg;
    tc_ring_spec_t specs[TC_RING_STANDARD];
    tc_shm_standard_specs(specs, (uint64_t)c->shm.ticks_capacity, (uint64_t)c->shm.features_capacity,
                          (uint64_t)c->shm.predictions_capacity, (uint64_t)c->shm.orders_capacity);
    int wait = c->shm.wait == TC_CONFIG_WAIT_SPIN ? TC_WAIT_SPIN
               : c->shm.wait == TC_CONFIG_WAIT_YIELD ? TC_WAIT_YIELD : TC_WAIT_FUTEX;
    const char *inst = c->tickcastd.instance;
    int r = tc_shm_attach(&s->shm, inst, 0);
    if (r == 0) {
        int32_t other = atomic_load(&s->shm.hdr->supervisor_pid);
        if (other > 0 && other != getpid() && tc_pid_alive(other)) {
            tc_shm_detach(&s->shm);
            return TC_ERR(-EBUSY, "instance %s is already supervised by pid %d", inst, other);
        }
        int same = s->shm.hdr->n_rings == TC_RING_STANDARD;
        for (int i = 0; same && i < TC_RING_STANDARD; i++) {
            tc_ring_ctl_t *ctl = tc_shm_ring_ctl_at(&s->shm, i);
            same = strcmp(ctl->name, specs[i].name) == 0 && ctl->capacity == specs[i].capacity &&
                   ctl->rec_size == specs[i].rec_size && ctl->wait_kind == (uint32_t)wait;
        }
        if (same) {
            TC_LOG(TC_LOG_NOTICE, "instance %s: resuming on the existing segment (cursors kept)", inst);
            goto done;
        }
        TC_LOG(TC_LOG_WARN, "instance %s: the existing segment has another geometry; recreating it",
               inst);
        tc_shm_detach(&s->shm);
        tc_shm_unlink(inst);
    } else if (r == -ESTALE || r == -EPROTO) {
        TC_LOG(TC_LOG_WARN, "instance %s: %s; recreating it", inst, tc_err_msg());
        tc_shm_unlink(inst);
    } else if (r != -ENOENT) {
        return r;
    }
    r = tc_shm_create(&s->shm, inst, specs, TC_RING_STANDARD, wait);
    if (r < 0)
        return r;
done:
    atomic_store(&s->shm.hdr->supervisor_pid, getpid());
    /* required consumers exist before any producer starts (those of configured stages) */
    char items[16][TC_CONFIG_NAME_MAX], stages[MAX_STAGES][TC_CONFIG_NAME_MAX];
    int n = tc_config_list_split(c->tickcastd.consumers, items, 16);
    int n_st = tc_config_list_split(c->tickcastd.stages, stages, MAX_STAGES);
    for (int i = 0; i < n && i < 16; i++) {
        char *colon = strchr(items[i], ':');
        if (!colon)
            continue;
        *colon = '\0';
        int configured = 0;
        for (int k = 0; k < n_st && k < MAX_STAGES; k++)
            configured |= !strcmp(stages[k], colon + 1);
        if (!configured)
            continue;
        if ((r = tc_ring_consumer_reserve(&s->shm, items[i], colon + 1)) < 0)
            return TC_ERR_APPEND(r, "tickcastd.consumers");
    }
    return 0;
}

/* ---- stages ---- */

/* The directory of the stage programs: tickcastd.bin_dir, or tickcastd's own. */
static void bin_dir_of(const tc_config_t *c, char *buf, size_t size)
{
    if (c->tickcastd.bin_dir[0]) {
        snprintf(buf, size, "%s", c->tickcastd.bin_dir);
        return;
    }
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n <= 0) {
        snprintf(buf, size, ".");
        return;
    }
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
}

static void resolve_bin_dir(sup_t *s) { bin_dir_of(&s->cfg, s->bin_dir, sizeof s->bin_dir); }

/* Every configured stage must have its program: a missing one is a configuration error
 * found before anything starts, not a stage that crashes and restarts forever. */
static int check_programs(const tc_config_t *c)
{
    char dir[PATH_MAX], items[MAX_STAGES][TC_CONFIG_NAME_MAX], path[PATH_MAX + 96];
    bin_dir_of(c, dir, sizeof dir);
    int n = tc_config_list_split(c->tickcastd.stages, items, MAX_STAGES);
    for (int i = 0; i < n && i < MAX_STAGES; i++) {
        snprintf(path, sizeof path, "%s/tickcast-%s", dir, items[i]);
        if (access(path, X_OK) < 0)
            return TC_ERR(-errno, "tickcastd.stages: stage '%s': %s: %s", items[i], path,
                          strerror(errno));
    }
    return 0;
}

/* Every CPU tickcastd.cpu_affinity names must be one tickcastd itself may use (its own
 * affinity: online CPUs, within systemd's CPUAffinity= and the cgroup's cpuset). */
static int unavailable_cpu(const char *stage, const cpu_set_t *set, void *arg)
{
    const cpu_set_t *mine = arg;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, set) && !CPU_ISSET(c, mine)) {
            char have[256];
            tc_affinity_cpulist_format(mine, have, sizeof have);
            TC_ERR(-EINVAL, "tickcastd.cpu_affinity: stage '%s': CPU %d is not one tickcastd may use "
                   "(%s)", stage, c, have);
            return 1;
        }
    return 0;
}

static int check_affinity(const tc_config_t *c)
{
    cpu_set_t mine;
    char why[256];
    if (sched_getaffinity(0, sizeof mine, &mine) < 0)
        return TC_ERR(-errno, "tickcastd.cpu_affinity: cannot read tickcastd's own CPUs: %s",
                      strerror(errno));
    int r = tc_affinity_each(c->tickcastd.cpu_affinity, unavailable_cpu, &mine, why, sizeof why);
    if (r < 0)
        return TC_ERR(-EINVAL, "tickcastd.cpu_affinity: %s", why);
    return r ? -EINVAL : 0;
}

static sup_stage_t *find_stage(sup_t *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->st[i].name, name) == 0)
            return &s->st[i];
    return NULL;
}

/* ---- stages left behind ----
 * When tickcastd dies, its stages get SIGTERM (PR_SET_PDEATHSIG) and drain on their own,
 * holding their ring slots until they exit.  A tickcastd started meanwhile on the same
 * segment finds their pids in the stage table (a stage started by hand is there too),
 * and starts each successor only once the previous process has gone: after
 * drain_timeout it asks it to stop (SIGTERM), after twice that it kills it.  A pid is
 * taken for the stage only while it runs that stage's program on this instance (pids
 * are reused). */

/* 1 when pid runs tickcast-NAME with --instance INST. */
static int runs_stage(pid_t pid, const char *name, const char *inst)
{
    char exe[TC_CONFIG_NAME_MAX + 16];
    snprintf(exe, sizeof exe, "tickcast-%s", name);
    return tc_pid_runs(pid, exe, "--instance", inst);
}

/* 1 while st must wait for its predecessor. */
static int previous_still_running(sup_t *s, sup_stage_t *st, int64_t now)
{
    if (!st->previous)
        return 0;
    if (!runs_stage(st->previous, st->name, s->cfg.tickcastd.instance)) {
        TC_LOG(TC_LOG_NOTICE, "the previous %s (pid %d) has exited", st->name, (int)st->previous);
        st->previous = 0;
        return 0;
    }
    const int64_t timeout = s->cfg.tickcastd.drain_timeout;
    if (!st->previous_deadline_ns) {
        st->previous_deadline_ns = now + timeout;
        TC_LOG(TC_LOG_NOTICE, "%s: waiting up to %.1f s for the previous %s (pid %d), left by a "
               "tickcastd that stopped, to drain and exit", st->name, (double)timeout / TC_NS_PER_S,
               st->name, (int)st->previous);
    } else if (now >= st->previous_deadline_ns && st->previous_killed == 0) {
        TC_LOG(TC_LOG_WARN, "the previous %s (pid %d) did not exit within %.1f s: asking it to "
               "stop (SIGTERM)", st->name, (int)st->previous, (double)timeout / TC_NS_PER_S);
        kill(st->previous, SIGTERM);
        st->previous_killed = 1;
    } else if (now >= st->previous_deadline_ns + timeout && st->previous_killed == 1) {
        TC_LOG(TC_LOG_WARN, "the previous %s (pid %d) did not stop within %.1f s more: killing it",
               st->name, (int)st->previous, (double)timeout / TC_NS_PER_S);
        kill(st->previous, SIGKILL);
        st->previous_killed = 2;
    }
    return 1;
}

#define PREVIOUS_POLL_NS (20 * TC_NS_PER_MS)

/* Marks the configured stages wanted (adding new ones); others become unwanted. */
static int apply_stage_list(sup_t *s)
{
    char names[MAX_STAGES][TC_CONFIG_NAME_MAX];
    int n = tc_config_list_split(s->cfg.tickcastd.stages, names, MAX_STAGES);
    if (n > MAX_STAGES)
        return TC_ERR(-EINVAL, "tickcastd.stages: %d stages, at most %d", n, MAX_STAGES);
    for (int i = 0; i < s->n; i++)
        s->st[i].wanted = 0;
    for (int i = 0; i < n; i++) {
        sup_stage_t *st = find_stage(s, names[i]);
        if (!st) {
            if (s->n == MAX_STAGES)
                return TC_ERR(-ENOSPC, "too many stages");
            st = &s->st[s->n++];
            memset(st, 0, sizeof *st);
            snprintf(st->name, sizeof st->name, "%s", names[i]);
            st->slot = tc_shm_stage(&s->shm, names[i]);
            st->next_start_ns = 1;
            pid_t was = st->slot ? atomic_load(&st->slot->pid) : 0;
            if (was > 0 && was != getpid() && runs_stage(was, st->name, s->cfg.tickcastd.instance))
                st->previous = was;
        }
        st->wanted = 1;
        st->failed = 0;
    }
    return 0;
}

static void start_stage(sup_t *s, sup_stage_t *st, int64_t now)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/tickcast-%s", s->bin_dir, st->name);
    char *argv[8 + 2 * 64];
    int a = 0;
    argv[a++] = path;
    argv[a++] = "--instance";
    argv[a++] = s->cfg.tickcastd.instance;
    argv[a++] = "--config"; /* the overrides are in it */
    argv[a++] = s->conf_arg;
    argv[a] = NULL;
    cpu_set_t cpus;
    char why[8], cpus_s[128] = "";
    int pinned = tc_affinity_lookup(s->cfg.tickcastd.cpu_affinity, st->name, &cpus, why, sizeof why) == 1;
    if (pinned)
        tc_affinity_cpulist_format(&cpus, cpus_s, sizeof cpus_s);
    /* SIGTERM/SIGINT stay blocked across exec until the stage's handlers are in place
     * (tc_stage_signals_install): a drain right after a start is still a drain */
    pid_t pid = tc_signals_fork_child();
    if (pid < 0) {
        TC_LOG(TC_LOG_ERR, "%s: fork failed: %s", st->name, strerror(errno));
        st->next_start_ns = now + st->backoff_ns;
        return;
    }
    if (pid == 0) {
        /* The child: dies with the supervisor, no systemd socket. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        unsetenv("NOTIFY_SOCKET");
        unsetenv("WATCHDOG_USEC");
        unsetenv("WATCHDOG_PID");
        if (fcntl(s->conf_fd, F_SETFD, 0) < 0) { /* its --config, open across exec */
            fprintf(stderr, "<3>tickcastd: cannot start %s: %s: %s\n", path, s->conf_arg, strerror(errno));
            _exit(127);
        }
        if (pinned && sched_setaffinity(0, sizeof cpus, &cpus) < 0) /* checked at load: rare */
            fprintf(stderr, "<4>tickcastd: %s: cannot pin to CPUs %s: %s; it runs unpinned\n", st->name,
                    cpus_s, strerror(errno));
        execv(path, argv);
        fprintf(stderr, "<3>tickcastd: cannot start %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    st->pid = pid;
    st->started_ns = now;
    st->next_start_ns = 0;
    st->restart_now = 0;
    if (st->slot) {
        atomic_store(&st->slot->pid, pid);
        atomic_store(&st->slot->state, TC_STAGE_STARTING);
    }
    if (pinned)
        TC_LOG(TC_LOG_INFO, "started %s (pid %d, CPUs %s)", st->name, pid, cpus_s);
    else
        TC_LOG(TC_LOG_INFO, "started %s (pid %d)", st->name, pid);
}

static void describe_exit(int status, char *buf, size_t len)
{
    if (WIFSIGNALED(status))
        snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
}

static void reap(sup_t *s, int stopping, int64_t now)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        sup_stage_t *st = NULL;
        for (int i = 0; i < s->n; i++)
            if (s->st[i].pid == pid)
                st = &s->st[i];
        if (!st)
            continue;
        st->pid = 0;
        if (st->slot) {
            atomic_store(&st->slot->last_status, status);
            atomic_store(&st->slot->pid, 0);
        }
        int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        char how[64];
        describe_exit(status, how, sizeof how);
        if (stopping || (!st->wanted && !st->restart_now)) {
            TC_LOG(clean ? TC_LOG_INFO : TC_LOG_WARN, "%s %s", st->name, how);
            if (st->slot)
                atomic_store(&st->slot->state, clean ? TC_STAGE_EXITED : TC_STAGE_FAILED);
            continue;
        }
        if (st->restart_now) {
            st->next_start_ns = now;
            continue;
        }
        /* A crash (or an exit nobody asked for): restart with backoff. */
        const tc_config_tickcastd_t *t = &s->cfg.tickcastd;
        if (now - st->started_ns > t->restart_window) {
            st->backoff_ns = t->restart_backoff_min;
            st->window_start_ns = now;
            st->crashes_in_window = 0;
        } else {
            st->backoff_ns = st->backoff_ns ? st->backoff_ns * 2 : t->restart_backoff_min;
            if (st->backoff_ns > t->restart_backoff_max)
                st->backoff_ns = t->restart_backoff_max;
        }
        if (!st->window_start_ns || now - st->window_start_ns > t->restart_window) {
            st->window_start_ns = now;
            st->crashes_in_window = 0;
        }
        st->crashes_in_window++;
        if (st->slot) {
            atomic_fetch_add(&st->slot->restarts, 1);
            atomic_store(&st->slot->state, TC_STAGE_BACKOFF);
        }
        if (t->restart_max > 0 && st->crashes_in_window > t->restart_max) {
            st->failed = 1;
            if (st->slot)
                atomic_store(&st->slot->state, TC_STAGE_FAILED);
            TC_LOG(TC_LOG_ERR, "%s %s; %lld crashes within %.0f s: giving up on it", st->name, how,
                   (long long)st->crashes_in_window, (double)t->restart_window / TC_NS_PER_S);
            continue;
        }
        st->next_start_ns = now + st->backoff_ns;
        TC_LOG(TC_LOG_WARN, "%s %s; restarting in %.2f s", st->name, how,
               (double)st->backoff_ns / TC_NS_PER_S);
    }
}

static int running_count(const sup_t *s)
{
    int n = 0;
    for (int i = 0; i < s->n; i++)
        n += s->st[i].pid > 0;
    return n;
}

static int wanted_count(const sup_t *s)
{
    int n = 0;
    for (int i = 0; i < s->n; i++)
        n += s->st[i].wanted;
    return n;
}

/* One human line: stages up, and per ring its rate and the largest consumer lag. */
static void send_status(sup_t *s, int64_t now)
{
    char line[512];
    int len = snprintf(line, sizeof line, "%d/%d stages up", running_count(s), wanted_count(s));
    double dt = s->last_status_ns ? (double)(now - s->last_status_ns) / TC_NS_PER_S : 0;
    for (uint32_t i = 0; i < s->shm.hdr->n_rings && len < (int)sizeof line - 64; i++) {
        tc_ring_ctl_t *c = tc_shm_ring_ctl_at(&s->shm, (int)i);
        uint64_t head = atomic_load(&c->prod_pos), lag = 0;
        for (int k = 0; k < TC_RING_CONSUMERS_MAX; k++)
            if (atomic_load(&c->consumers[k].kind) == TC_RING_REQUIRED) {
                uint64_t l = head - atomic_load(&c->consumers[k].cursor);
                lag = l > lag ? l : lag;
            }
        double rate = dt > 0 ? (double)(head - s->last_pos[i]) / dt : 0;
        s->last_pos[i] = head;
        len += snprintf(line + len, sizeof line - (size_t)len, " | %s %.3g/s lag %llu", c->name,
                        rate, (unsigned long long)lag);
    }
    s->last_status_ns = now;
    tc_notify_status("%s", line);
}

static void signal_stages(sup_t *s, int sig)
{
    for (int i = 0; i < s->n; i++)
        if (s->st[i].pid > 0)
            kill(s->st[i].pid, sig);
}

/* A reload that changed only tickcastd.cpu_affinity moves the running stages to their
 * new CPUs in place (an unlisted stage gets tickcastd's own); a stage that cannot be
 * moved is restarted, which pins it at exec. */
static void repin_stages(sup_t *s)
{
    cpu_set_t mine, set;
    char why[8], cpus[256];
    sched_getaffinity(0, sizeof mine, &mine);
    for (int i = 0; i < s->n; i++) {
        sup_stage_t *st = &s->st[i];
        if (st->pid <= 0)
            continue;
        if (tc_affinity_lookup(s->cfg.tickcastd.cpu_affinity, st->name, &set, why, sizeof why) != 1)
            set = mine;
        tc_affinity_cpulist_format(&set, cpus, sizeof cpus);
        int r = tc_affinity_set_process(st->pid, &set);
        if (r == 0) {
            TC_LOG(TC_LOG_NOTICE, "%s (pid %d) now runs on CPUs %s", st->name, st->pid, cpus);
        } else {
            TC_LOG(TC_LOG_WARN, "%s (pid %d): cannot move it to CPUs %s (%s); restarting it",
                   st->name, st->pid, cpus, strerror(-r));
            st->restart_now = 1;
            kill(st->pid, SIGTERM);
        }
    }
}

static void reload(sup_t *s)
{
    tc_config_t next;
    tc_err_clear();
    if (tc_config_load_overrides(&next, s->opts->config_path, s->opts->overrides,
                                 s->opts->n_overrides) < 0) {
        TC_LOG(TC_LOG_ERR, "reload refused, keeping the running configuration: %s", tc_err_msg());
        tc_notify_status("reload refused: %s", tc_err_msg());
        return;
    }
    if (check_programs(&next) < 0 || check_affinity(&next) < 0) {
        TC_LOG(TC_LOG_ERR, "reload refused, keeping the running configuration: %s", tc_err_msg());
        tc_notify_status("reload refused: %s", tc_err_msg());
        return;
    }
    if (strcmp(next.tickcastd.instance, s->cfg.tickcastd.instance) != 0) {
        TC_LOG(TC_LOG_ERR, "reload refused: tickcastd.instance cannot change while running");
        tc_notify_status("reload refused: tickcastd.instance cannot change while running");
        return;
    }
    if (snapshot_config(s, &next) < 0) {
        TC_LOG(TC_LOG_ERR, "reload refused, keeping the running configuration: %s", tc_err_msg());
        tc_notify_status("reload refused: %s", tc_err_msg());
        return;
    }
    tc_notify_reloading();
    const tc_config_key_t *changed[64];
    int n = tc_config_diff(&s->cfg, &next, changed, 64);
    s->cfg = next;
    tc_log_set_level(s->cfg.tickcastd.log_level);
    resolve_bin_dir(s);
    apply_stage_list(s);
    int only_pins = n > 0 && n <= 64;
    for (int i = 0; i < n && i < 64; i++)
        only_pins &= !strcmp(changed[i]->section, "tickcastd") && !strcmp(changed[i]->key, "cpu_affinity");
    if (only_pins)
        repin_stages(s);
    /* Stages read the configuration at start: restart the running ones (they drain
     * first) so every change takes effect; removed stages just stop.  An unchanged file
     * restarts nothing, nor does one that only moved stages to other CPUs. */
    for (int i = 0; i < s->n && !only_pins; i++) {
        sup_stage_t *st = &s->st[i];
        if (st->pid > 0 && (n > 0 || !st->wanted)) {
            st->restart_now = st->wanted;
            kill(st->pid, SIGTERM);
        }
    }
    TC_LOG(TC_LOG_NOTICE, "configuration reloaded: %d keys changed", n);
    atomic_fetch_add(&s->shm.hdr->generation, 1);
    tc_notify_ready();
}

/* Closes the rings whose producer is gone, so their consumers drain what is there and
 * stop instead of waiting for an end that no process will write. */
static void close_abandoned_rings(sup_t *s)
{
    for (uint32_t i = 0; i < s->shm.hdr->n_rings && i < TC_SHM_RINGS_MAX; i++) {
        tc_ring_t r;
        const char *name = tc_shm_ring_ctl_at(&s->shm, (int)i)->name;
        if (tc_ring_observer_attach_anon(&r, &s->shm, name) == 0 && tc_ring_close_abandoned(&r) &&
            tc_ring_head(&r) > 0)
            TC_LOG(TC_LOG_NOTICE, "ring %s: its producer is gone; closed it so its consumers "
                   "drain it", name);
    }
}

static int drain(sup_t *s)
{
    tc_notify_stopping();
    TC_LOG(TC_LOG_NOTICE, "stopping: draining %d stages", running_count(s));
    /* A stage down after a crash (waiting for its restart) did not finish its work: the
     * segment is kept, so it resumes where it stopped at the next start. */
    int failed = 0;
    for (int i = 0; i < s->n; i++)
        if (s->st[i].wanted && s->st[i].pid == 0 && !s->st[i].previous) {
            TC_LOG(TC_LOG_WARN, "%s is down after a crash: keeping the segment for the next start",
                   s->st[i].name);
            failed = 1;
        }
    signal_stages(s, SIGTERM);
    int64_t deadline = tc_clock_mono_ns() + s->cfg.tickcastd.drain_timeout + 2 * TC_NS_PER_S;
    while (running_count(s) > 0) {
        close_abandoned_rings(s);
        int64_t now = tc_clock_mono_ns();
        if (now > deadline) {
            TC_LOG(TC_LOG_ERR, "drain timed out; killing %d stages", running_count(s));
            signal_stages(s, SIGKILL);
            failed = 1;
            deadline = now + 5 * TC_NS_PER_S;
        }
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid == 0) {
            /* nothing exited yet: wait for SIGCHLD (or the next deadline check) */
            struct pollfd p = {.fd = tc_signals_fd(), .events = POLLIN};
            if (poll(&p, 1, 100) > 0)
                tc_signals_drain();
            continue;
        }
        if (pid < 0 && errno != EINTR)
            break;
        for (int i = 0; i < s->n; i++)
            if (pid > 0 && s->st[i].pid == pid) {
                s->st[i].pid = 0;
                int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
                failed |= !clean;
                char how[64];
                describe_exit(status, how, sizeof how);
                TC_LOG(clean ? TC_LOG_INFO : TC_LOG_ERR, "%s %s after drain", s->st[i].name,
                       clean ? "exited cleanly" : how);
            }
    }
    return failed;
}

int tc_supervisor_run(const tc_supervisor_opts_t *o)
{
    static sup_t s; /* large; one per process */
    memset(&s, 0, sizeof s);
    s.opts = o;
    s.conf_fd = -1;
    tc_log_set_ident("tickcastd");
    int r = tc_config_load_overrides(&s.cfg, o->config_path, o->overrides, o->n_overrides);
    if (r < 0) {
        TC_LOG(TC_LOG_ERR, "%s", tc_err_msg());
        return 1;
    }
    tc_log_set_level(s.cfg.tickcastd.log_level);
    if ((r = check_programs(&s.cfg)) < 0 || (r = check_affinity(&s.cfg)) < 0 ||
        (r = snapshot_config(&s, &s.cfg)) < 0 || (r = tc_signals_install()) < 0 ||
        (r = open_segment(&s)) < 0) {
        TC_LOG(TC_LOG_ERR, "%s", tc_err_msg());
        return 1;
    }
    resolve_bin_dir(&s);
    if ((r = apply_stage_list(&s)) < 0) {
        TC_LOG(TC_LOG_ERR, "%s", tc_err_msg());
        return 1;
    }
    int64_t wd = tc_notify_watchdog_interval_ns();
    int64_t now = tc_clock_mono_ns(), next_wd = now, next_status = now;
    int ready = 0;
    while (!tc_signals_stopping()) {
        now = tc_clock_mono_ns();
        for (int i = 0; i < s.n; i++) {
            sup_stage_t *st = &s.st[i];
            if (st->wanted && !st->failed && st->pid == 0 && st->next_start_ns &&
                now >= st->next_start_ns) {
                if (previous_still_running(&s, st, now))
                    st->next_start_ns = now + PREVIOUS_POLL_NS;
                else
                    start_stage(&s, st, now);
            }
        }
        if (!ready) {
            ready = 1;
            tc_notify_ready();
            TC_LOG(TC_LOG_NOTICE, "instance %s ready: %d stages", s.cfg.tickcastd.instance,
                   wanted_count(&s));
        }
        if (wd > 0 && now >= next_wd) {
            tc_notify_watchdog();
            next_wd = now + wd / 2;
        }
        if (now >= next_status) {
            send_status(&s, now);
            next_status = now + s.cfg.tickcastd.status_interval;
        }
        /* Sleep until the next deadline or a signal. */
        int64_t until = next_status;
        if (wd > 0 && next_wd < until)
            until = next_wd;
        for (int i = 0; i < s.n; i++)
            if (s.st[i].wanted && s.st[i].pid == 0 && s.st[i].next_start_ns &&
                s.st[i].next_start_ns < until)
                until = s.st[i].next_start_ns;
        int timeout_ms = (int)((until - now) / TC_NS_PER_MS);
        if (timeout_ms < 0)
            timeout_ms = 0;
        struct pollfd p = {.fd = tc_signals_fd(), .events = POLLIN};
        if (poll(&p, 1, timeout_ms) > 0)
            tc_signals_drain();
        now = tc_clock_mono_ns();
        if (tc_signals_take_child())
            reap(&s, 0, now);
        if (tc_signals_take_reload())
            reload(&s);
    }
    int failed = drain(&s);
    atomic_store(&s.shm.hdr->supervisor_pid, 0);
    const char *inst = s.cfg.tickcastd.instance;
    tc_shm_detach(&s.shm);
    if (!failed)
        tc_shm_unlink(inst); /* everything was drained: nothing to resume */
    TC_LOG(TC_LOG_NOTICE, "stopped%s", failed ? " (a stage did not finish: the segment is kept)" : "");
    return failed;
}
