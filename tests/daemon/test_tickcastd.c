/* test_tickcastd.c — the supervisor as systemd runs it: the test listens on its own
 * NOTIFY_SOCKET and starts the built tickcastd with two test stages (built on the real
 * stage framework).  Checks READY/WATCHDOG/STATUS/STOPPING messages, that SIGTERM drains
 * every ring and exits 0, that a kill -9'd stage is restarted and resumes from its
 * cursor with nothing lost, that SIGHUP with a bad file keeps the old config, that a
 * restarted stage runs tickcastd's configuration rather than the file's, and that
 * tickcastd.cpu_affinity pins the stages. */
#include <criterion/criterion.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/runtime/affinity.h"
#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/proc.h"
#include "shm/ring.h"
#include "shm/segment.h"

typedef struct harness {
    char dir[128], conf[192], sock_path[192], inst[64];
    int sock;
    pid_t pid;
    char log[65536]; /* every datagram received, one per line */
    size_t log_len;
    tc_shm_t view;
    int viewing;
} harness_t;

static const char *backoff_min = "50ms"; /* a test may widen the restart window */

static void write_config(harness_t *h, const char *capacity, const char *extra)
{
    FILE *f = fopen(h->conf, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "[tickcastd]\ninstance = %s\nstages = testprod,testcons\nconsumers = ticks:testcons\n"
            "bin_dir = %s/../tests/bin\n"
            "restart_backoff_min = %s\nrestart_backoff_max = 10s\ndrain_timeout = 5s\n"
            "status_interval = 100ms\nlog_level = notice\n"
            "[shm]\nticks_capacity = %s\nfutex_timeout = 20ms\n"
            "[ingest]\nsynthetic_rate = 50000\n%s",
            h->inst, TC_BIN_DIR, backoff_min, capacity, extra ? extra : "");
    fclose(f);
}

/* Whatever an assertion interrupts, no daemon outlives its test (its stages follow it:
 * they get SIGTERM when their parent dies). */
static pid_t running_daemon;
static void kill_daemon(void)
{
    if (running_daemon > 0 && kill(running_daemon, 0) == 0) {
        kill(running_daemon, SIGKILL);
        waitpid(running_daemon, NULL, 0);
    }
}

static void spawn(harness_t *h);

static void start(harness_t *h, const char *extra)
{
    memset(h, 0, sizeof *h);
    snprintf(h->dir, sizeof h->dir, "/tmp/tc-test-tickcastd-XXXXXX");
    cr_assert_not_null(mkdtemp(h->dir));
    snprintf(h->conf, sizeof h->conf, "%s/tickcast.conf", h->dir);
    snprintf(h->sock_path, sizeof h->sock_path, "%s/notify", h->dir);
    snprintf(h->inst, sizeof h->inst, "tctest-%d", getpid());
    tc_shm_unlink(h->inst);
    write_config(h, "4096", extra);
    h->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", h->sock_path);
    cr_assert_eq(bind(h->sock, (struct sockaddr *)&a, sizeof a), 0);
    spawn(h);
}

/* Starts tickcastd on h's config, notifying h's socket. */
static void spawn(harness_t *h)
{
    h->pid = fork();
    cr_assert_geq(h->pid, 0);
    if (h->pid == 0) {
        char pid[32];
        snprintf(pid, sizeof pid, "%d", getpid());
        setenv("NOTIFY_SOCKET", h->sock_path, 1);
        setenv("WATCHDOG_USEC", "200000", 1);
        setenv("WATCHDOG_PID", pid, 1);
        char exe[256];
        snprintf(exe, sizeof exe, "%s/tickcastd", TC_BIN_DIR);
        execl(exe, exe, "--config", h->conf, (char *)NULL);
        _exit(127);
    }
    running_daemon = h->pid;
}

/* Reads datagrams until one contains needle (0) or the timeout passes (-1). */
static int wait_msg(harness_t *h, const char *needle, int64_t timeout_ms)
{
    int64_t end = tc_clock_mono_ns() + timeout_ms * TC_NS_PER_MS;
    size_t scan_from = 0;
    for (;;) {
        if (strstr(h->log + scan_from, needle))
            return 0;
        int64_t left = (end - tc_clock_mono_ns()) / TC_NS_PER_MS;
        if (left <= 0)
            return -1;
        struct pollfd p = {.fd = h->sock, .events = POLLIN};
        if (poll(&p, 1, (int)left) <= 0)
            continue;
        char buf[4096];
        ssize_t n = recv(h->sock, buf, sizeof buf - 1, 0);
        if (n <= 0)
            continue;
        buf[n] = '\0';
        if (h->log_len + (size_t)n + 2 < sizeof h->log) {
            memcpy(h->log + h->log_len, buf, (size_t)n);
            h->log_len += (size_t)n;
            h->log[h->log_len++] = '\n';
            h->log[h->log_len] = '\0';
        }
    }
}

/* Reads the datagrams of ms milliseconds, so tickcastd's notifications never fill the
 * socket (sd_notify would then block its loop, as it would under a systemd that stopped
 * reading). */
static void pump(harness_t *h, int64_t ms)
{
    (void)wait_msg(h, "\001never sent\001", ms);
    if (h->log_len > sizeof h->log / 2) { /* keep the tail only */
        h->log_len = 0;
        h->log[0] = '\0';
    }
}

static void view(harness_t *h)
{
    for (int i = 0; i < 100 && !h->viewing; i++) {
        if (tc_shm_attach(&h->view, h->inst, 1) == 0)
            h->viewing = 1;
        else
            usleep(20000);
    }
    cr_assert(h->viewing, "segment of %s: %s", h->inst, tc_err_msg());
}

static uint64_t counter(harness_t *h, const char *name)
{
    uint32_t n;
    tc_counter_t *c = tc_shm_counters(&h->view, &n);
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(c[i].name, name) == 0)
            return atomic_load(&c[i].value);
    return 0;
}

static tc_stage_slot_t *stage(harness_t *h, const char *name)
{
    tc_stage_slot_t *s = tc_shm_stages(&h->view);
    for (int i = 0; i < TC_SHM_STAGES_MAX; i++)
        if (strcmp(s[i].name, name) == 0)
            return &s[i];
    return NULL;
}

static void wait_counter(harness_t *h, const char *name, uint64_t at_least)
{
    int64_t end = tc_clock_mono_ns() + 10 * TC_NS_PER_S;
    while (counter(h, name) < at_least && tc_clock_mono_ns() < end)
        usleep(10000);
    cr_assert_geq(counter(h, name), at_least, "%s reached %llu", name, (unsigned long long)at_least);
}

static int stop(harness_t *h)
{
    kill(h->pid, SIGTERM);
    int st = -1;
    int64_t end = tc_clock_mono_ns() + 15 * TC_NS_PER_S;
    while (waitpid(h->pid, &st, WNOHANG) == 0 && tc_clock_mono_ns() < end)
        usleep(10000);
    return st;
}

/* Rewrites the config (default capacity, extra appended) and sends SIGHUP; the reload
 * must be taken: RELOADING=1, then READY=1. */
static void reload_good(harness_t *h, const char *extra)
{
    write_config(h, "4096", extra);
    h->log_len = 0;
    h->log[0] = '\0';
    kill(h->pid, SIGHUP);
    cr_assert_eq(wait_msg(h, "RELOADING=1", 3000), 0, "no RELOADING=1; got:\n%s", h->log);
    cr_assert_eq(wait_msg(h, "READY=1", 3000), 0, "no READY=1 after the reload; got:\n%s", h->log);
}

static void cleanup(harness_t *h)
{
    if (h->viewing)
        tc_shm_detach(&h->view);
    tc_shm_unlink(h->inst);
    close(h->sock);
    unlink(h->sock_path);
    unlink(h->conf);
    rmdir(h->dir);
}

Test(tickcastd, notifies_systemd_and_drains_on_sigterm, .timeout = 60, .fini = kill_daemon)
{
    harness_t *h = calloc(1, sizeof *h);
    start(h, NULL);
    cr_assert_eq(wait_msg(h, "READY=1", 5000), 0, "READY=1 never came; got:\n%s", h->log);
    cr_assert_eq(wait_msg(h, "WATCHDOG=1", 2000), 0, "no WATCHDOG=1; got:\n%s", h->log);
    cr_assert_eq(wait_msg(h, "STATUS=2/2 stages up", 3000), 0, "no status line; got:\n%s", h->log);
    cr_assert_eq(wait_msg(h, "| ticks ", 1000), 0, "status names the ticks ring:\n%s", h->log);
    view(h);
    wait_counter(h, "testcons.records", 5000);
    int st = stop(h);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tickcastd exit status %d", st);
    cr_assert_eq(wait_msg(h, "STOPPING=1", 1000), 0, "no STOPPING=1; got:\n%s", h->log);
    uint64_t written = counter(h, "testprod.written"), read = counter(h, "testcons.records");
    cr_assert_gt(written, 0);
    cr_assert_eq(read, written, "drain: the consumer read all %llu ticks (read %llu)",
                 (unsigned long long)written, (unsigned long long)read);
    cr_assert_eq(counter(h, "testcons.gaps"), 0);
    tc_shm_t gone;
    cr_assert_eq(tc_shm_attach(&gone, h->inst, 1), -ENOENT, "a clean stop removes the segment");
    cleanup(h);
    free(h);
}

Test(tickcastd, restarts_a_killed_stage_which_resumes_from_its_cursor, .timeout = 60, .fini = kill_daemon)
{
    harness_t *h = calloc(1, sizeof *h);
    start(h, NULL);
    cr_assert_eq(wait_msg(h, "READY=1", 5000), 0, "READY=1 never came; got:\n%s", h->log);
    view(h);
    wait_counter(h, "testcons.records", 3000);
    tc_stage_slot_t *cons = stage(h, "testcons");
    cr_assert_not_null(cons);
    pid_t victim = atomic_load(&cons->pid);
    cr_assert_gt(victim, 0);
    cr_assert_eq(kill(victim, SIGKILL), 0);
    int64_t end = tc_clock_mono_ns() + 10 * TC_NS_PER_S;
    while ((atomic_load(&cons->restarts) < 1 || atomic_load(&cons->state) != TC_STAGE_RUNNING) &&
           tc_clock_mono_ns() < end)
        usleep(10000);
    cr_assert_eq(atomic_load(&cons->restarts), 1, "restarted once");
    cr_assert_eq(atomic_load(&cons->state), TC_STAGE_RUNNING);
    cr_assert_neq(atomic_load(&cons->pid), victim, "a new process");
    uint64_t before = counter(h, "testcons.records");
    wait_counter(h, "testcons.records", before + 2000);
    int st = stop(h);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tickcastd exit status %d", st);
    /* A batch the killed consumer polled but did not release is delivered again, never
     * lost; the id check counts any loss or repeat past its cursor as a gap. */
    cr_assert_eq(counter(h, "testcons.gaps"), 0, "no tick lost or repeated across the restart");
    cr_assert_eq(counter(h, "testcons.records"), counter(h, "testprod.written"),
                 "the consumer's cursor reached every tick written");
    cleanup(h);
    free(h);
}

Test(tickcastd, sighup_with_a_bad_file_keeps_the_running_config, .timeout = 60, .fini = kill_daemon)
{
    harness_t *h = calloc(1, sizeof *h);
    start(h, NULL);
    cr_assert_eq(wait_msg(h, "READY=1", 5000), 0, "READY=1 never came; got:\n%s", h->log);
    view(h);
    wait_counter(h, "testcons.records", 1000);
    pid_t prod = atomic_load(&stage(h, "testprod")->pid);
    write_config(h, "1000", NULL);
    kill(h->pid, SIGHUP);
    cr_assert_eq(wait_msg(h, "reload refused", 3000), 0, "no refusal status; got:\n%s", h->log);
    cr_assert(strstr(h->log, "tickcast.conf:12 shm.ticks_capacity"), "the refusal names file:line and key:\n%s", h->log);
    usleep(200000);
    cr_assert_eq(kill(h->pid, 0), 0, "tickcastd still runs");
    cr_assert_eq(atomic_load(&stage(h, "testprod")->pid), prod, "stages untouched");
    uint64_t before = counter(h, "testcons.records");
    wait_counter(h, "testcons.records", before + 1000);
    /* The unchanged file again: taken, and no stage is restarted for nothing. */
    reload_good(h, NULL);
    usleep(300000);
    cr_assert_eq(atomic_load(&stage(h, "testprod")->pid), prod, "an unchanged reload restarts nothing");
    /* A good file is taken: RELOADING=1 then READY=1 again, and the stages restart on it. */
    write_config(h, "4096", "[features]\nbar_size = 5\n");
    h->log_len = 0;
    h->log[0] = '\0';
    kill(h->pid, SIGHUP);
    cr_assert_eq(wait_msg(h, "RELOADING=1", 3000), 0, "no RELOADING=1; got:\n%s", h->log);
    pid_t now_pid = prod;
    for (int i = 0; i < 100 && (now_pid == prod || now_pid <= 0); i++) {
        usleep(50000);
        now_pid = atomic_load(&stage(h, "testprod")->pid);
    }
    cr_assert(now_pid != prod && now_pid > 0, "the producer was restarted on the changed file");
    int st = stop(h);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tickcastd exit status %d", st);
    cr_assert_eq(counter(h, "testcons.gaps"), 0);
    cleanup(h);
    free(h);
}

/* Kills the stage with SIGKILL and waits for tickcastd to start it again: its new pid. */
static pid_t kill_and_wait_restart(harness_t *h, const char *name)
{
    pid_t old = atomic_load(&stage(h, name)->pid);
    cr_assert_gt(old, 0, "%s runs", name);
    kill(old, SIGKILL);
    pid_t now = old;
    for (int i = 0; i < 200 && (now == old || now <= 0); i++) {
        pump(h, 25);
        now = atomic_load(&stage(h, name)->pid);
    }
    cr_assert(now != old && now > 0, "%s was restarted after kill -9", name);
    return now;
}

/* A harness with tickcastd READY and its segment in view. */
static harness_t *started(void)
{
    harness_t *h = calloc(1, sizeof *h);
    start(h, NULL);
    cr_assert_eq(wait_msg(h, "READY=1", 5000), 0, "READY=1 never came; got:\n%s", h->log);
    view(h);
    return h;
}

/* SIGTERM: tickcastd exits 0 with no gap seen by the consumer; frees h. */
static void stop_clean(harness_t *h)
{
    int st = stop(h);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tickcastd exit status %d", st);
    cr_assert_eq(counter(h, "testcons.gaps"), 0);
    cleanup(h);
    free(h);
}

/* Stages get the configuration tickcastd runs, not whatever the file says when they
 * restart: an edited file that was not reloaded, or one whose reload was refused, does
 * not reach a stage restarted after a crash. */
Test(tickcastd, a_restarted_stage_runs_the_running_config_not_the_file, .timeout = 60,
     .fini = kill_daemon)
{
    harness_t *h = started();
    wait_counter(h, "testcons.records", 1000);
    /* A good file, not reloaded, that would stop the producer at its first tick. */
    write_config(h, "4096", "synthetic_ticks = 1\n");
    pid_t prod = kill_and_wait_restart(h, "testprod");
    uint64_t before = counter(h, "testcons.records");
    wait_counter(h, "testcons.records", before + 1000);
    /* A bad file whose reload is refused: the next restart still starts. */
    write_config(h, "1000", NULL);
    kill(h->pid, SIGHUP);
    cr_assert_eq(wait_msg(h, "reload refused", 3000), 0, "no refusal status; got:\n%s", h->log);
    pid_t again = kill_and_wait_restart(h, "testprod");
    cr_assert_neq(again, prod);
    before = counter(h, "testcons.records");
    wait_counter(h, "testcons.records", before + 1000);
    usleep(200000);
    cr_assert_eq(atomic_load(&stage(h, "testprod")->pid), again, "the restarted producer stays up");
    stop_clean(h);
}

/* tickcastd killed with its stages still running (they drain on their own), started
 * again at once: the new one waits for the previous consumer before it starts another
 * under the same name; one that never exits gets SIGTERM after drain_timeout (5 s here)
 * and SIGKILL after twice that (a stopped process only dies of the second). */
Test(tickcastd, a_new_tickcastd_waits_for_the_stages_of_one_that_died, .timeout = 60,
     .fini = kill_daemon)
{
    harness_t *h = started();
    wait_counter(h, "testcons.records", 1000);
    pid_t cons = atomic_load(&stage(h, "testcons")->pid);
    uint64_t restarts = atomic_load(&stage(h, "testcons")->restarts);
    kill(cons, SIGSTOP); /* it cannot drain: the new tickcastd must wait, then kill it */
    kill(h->pid, SIGKILL);
    waitpid(h->pid, NULL, 0);
    h->log_len = 0;
    h->log[0] = '\0';
    spawn(h);
    cr_assert_eq(wait_msg(h, "READY=1", 5000), 0, "READY=1 never came; got:\n%s", h->log);
    pump(h, 2000);
    cr_assert_eq(atomic_load(&stage(h, "testcons")->pid), cons, "no second testcons while the first lives");
    cr_assert_eq(atomic_load(&stage(h, "testcons")->restarts), restarts, "no start that had to fail");
    pid_t now = cons;
    for (int i = 0; i < 720 && (now == cons || now <= 0); i++) {
        pump(h, 25);
        now = atomic_load(&stage(h, "testcons")->pid);
    }
    cr_assert(now != cons && now > 0, "a new testcons after 2 x drain_timeout; got:\n%s", h->log);
    cr_assert(!tc_pid_alive(cons), "the stopped testcons was killed");
    uint64_t before = counter(h, "testcons.records");
    wait_counter(h, "testcons.records", before + 1000);
    stop_clean(h);
}

/* SIGTERM while the producer is down after a crash (its restart not yet due): the
 * consumer drains what the ring holds and exits at once (tickcastd closes the ring no
 * process will close), and the segment is kept, since the producer did not finish; the
 * next tickcastd resumes on it with nothing lost. */
Test(tickcastd, sigterm_while_a_stage_is_down_drains_the_rest_and_keeps_the_segment, .timeout = 60,
     .fini = kill_daemon)
{
    backoff_min = "8s";
    harness_t *h = started();
    backoff_min = "50ms";
    wait_counter(h, "testcons.records", 1000);
    kill(atomic_load(&stage(h, "testprod")->pid), SIGKILL);
    for (int i = 0; i < 200 && atomic_load(&stage(h, "testprod")->state) != TC_STAGE_BACKOFF; i++)
        pump(h, 10);
    cr_assert_eq(atomic_load(&stage(h, "testprod")->state), TC_STAGE_BACKOFF);
    int64_t t0 = tc_clock_mono_ns();
    int st = stop(h);
    double secs = (double)(tc_clock_mono_ns() - t0) / TC_NS_PER_S;
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit status 1 (a stage was down): %d", st);
    cr_assert_lt(secs, 4.0, "the consumer did not wait for drain_timeout (%.1f s)", secs);
    cr_assert_eq(atomic_load(&stage(h, "testcons")->state), TC_STAGE_EXITED, "testcons drained");
    tc_shm_t again;
    cr_assert_eq(tc_shm_attach(&again, h->inst, 1), 0, "the segment was kept: %s", tc_err_msg());
    tc_ring_t t;
    cr_assert_eq(tc_ring_observer_attach_anon(&t, &again, "ticks"), 0);
    uint64_t head = tc_ring_head(&t);
    cr_assert_eq(counter(h, "testcons.records"), head, "the consumer took all %llu records",
                 (unsigned long long)head);
    tc_shm_detach(&again);
    /* the next tickcastd resumes on it */
    h->log_len = 0;
    h->log[0] = '\0';
    spawn(h);
    cr_assert_eq(wait_msg(h, "READY=1", 5000), 0, "READY=1 never came; got:\n%s", h->log);
    wait_counter(h, "testcons.records", head + 1000);
    stop_clean(h);
}

/* Runs tickcastd on a config that must be refused before anything starts: exit status
 * 1, want in its first line, no segment left behind. */
static void expect_refused_at_start(const char *tag, const char *body, const char *want)
{
    char conf[128], cmd[512], inst[64];
    snprintf(inst, sizeof inst, "%s-%d", tag, getpid());
    snprintf(conf, sizeof conf, "/tmp/%s.conf", inst);
    FILE *f = fopen(conf, "w");
    cr_assert_not_null(f);
    fprintf(f, "[tickcastd]\ninstance = %s\n%s", inst, body);
    fclose(f);
    snprintf(cmd, sizeof cmd, "NOTIFY_SOCKET= %s/tickcastd --config %s 2>&1", TC_BIN_DIR, conf);
    FILE *p = popen(cmd, "r");
    char line[1024] = "";
    cr_assert_not_null(fgets(line, sizeof line, p));
    int st = pclose(p);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "exit status %d", st);
    cr_assert_not_null(strstr(line, want), "got: %s", line);
    tc_shm_t s;
    cr_assert_neq(tc_shm_attach(&s, inst, 1), 0, "no segment was created");
    unlink(conf);
}

/* A stage whose program does not exist is a configuration error found before the
 * segment is created, not a stage restarted forever. */
Test(tickcastd, a_missing_stage_program_is_refused_at_start, .timeout = 30)
{
    char body[512], want[512];
    snprintf(body, sizeof body, "stages = ingest,nosuch\nbin_dir = %s\n", TC_BIN_DIR);
    snprintf(want, sizeof want, "tickcastd.stages: stage 'nosuch': %s/tickcast-nosuch: No such file or directory\n",
             TC_BIN_DIR);
    expect_refused_at_start("tcmissing", body, want);
}

/* The CPUs a process may run on, from /proc/PID/status ("0-1"); "" if unreadable. */
static void cpus_of(pid_t pid, char *out, size_t size)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Cpus_allowed_list: %63s", out) == 1)
            break;
    fclose(f);
}

/* tickcastd.cpu_affinity: each listed stage runs on its own CPUs, set between fork and
 * exec, and keeps them across a restart; read back from the kernel. */
Test(tickcastd, pins_stages_to_their_cpu_affinity, .timeout = 60, .fini = kill_daemon)
{
    cpu_set_t mine;
    cr_assert_eq(sched_getaffinity(0, sizeof mine, &mine), 0);
    if (CPU_COUNT(&mine) < 2)
        cr_skip_test("this process may use one CPU only, so a pinned stage looks like an unpinned one");
    int first = -1, last = -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &mine)) {
            if (first < 0)
                first = c;
            last = c;
        }
    char extra[128], want_prod[16], want_cons[16], got[64];
    snprintf(extra, sizeof extra, "[tickcastd]\ncpu_affinity = testprod:%d testcons:%d\n", last, first);
    snprintf(want_prod, sizeof want_prod, "%d", last);
    snprintf(want_cons, sizeof want_cons, "%d", first);
    harness_t *h = calloc(1, sizeof *h);
    start(h, extra);
    cr_assert_eq(wait_msg(h, "READY=1", 5000), 0, "READY=1 never came; got:\n%s", h->log);
    view(h);
    wait_counter(h, "testcons.records", 2000);
    tc_stage_slot_t *prod = stage(h, "testprod"), *cons = stage(h, "testcons");
    cr_assert(prod && cons);
    cpus_of(atomic_load(&prod->pid), got, sizeof got);
    cr_assert_str_eq(got, want_prod, "testprod runs on CPUs %s, want %s", got, want_prod);
    pid_t victim = atomic_load(&cons->pid);
    cpus_of(victim, got, sizeof got);
    cr_assert_str_eq(got, want_cons, "testcons runs on CPUs %s, want %s", got, want_cons);
    /* the restarted stage is pinned again */
    cr_assert_eq(kill(victim, SIGKILL), 0);
    int64_t end = tc_clock_mono_ns() + 10 * TC_NS_PER_S;
    while ((atomic_load(&cons->restarts) < 1 || atomic_load(&cons->state) != TC_STAGE_RUNNING) &&
           tc_clock_mono_ns() < end)
        usleep(10000);
    cr_assert_neq(atomic_load(&cons->pid), victim, "testcons was restarted");
    cpus_of(atomic_load(&cons->pid), got, sizeof got);
    cr_assert_str_eq(got, want_cons, "the restarted testcons runs on CPUs %s, want %s", got, want_cons);
    /* a reload that only swaps the CPUs moves the running stages, restarting none */
    pid_t prod_pid = atomic_load(&prod->pid), cons_pid = atomic_load(&cons->pid);
    snprintf(extra, sizeof extra, "[tickcastd]\ncpu_affinity = testprod:%d testcons:%d\n", first, last);
    reload_good(h, extra);
    cpus_of(prod_pid, got, sizeof got);
    cr_assert_str_eq(got, want_cons, "after the reload testprod runs on CPUs %s, want %s", got, want_cons);
    cpus_of(cons_pid, got, sizeof got);
    cr_assert_str_eq(got, want_prod, "after the reload testcons runs on CPUs %s, want %s", got, want_prod);
    usleep(200000);
    cr_assert_eq(atomic_load(&prod->pid), prod_pid, "testprod was not restarted");
    cr_assert_eq(atomic_load(&cons->pid), cons_pid, "testcons was not restarted");
    int st = stop(h);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tickcastd exit status %d", st);
    cleanup(h);
    free(h);
}

Test(tickcastd, a_cpu_it_may_not_use_is_refused_at_start, .timeout = 30)
{
    cpu_set_t mine;
    cr_assert_eq(sched_getaffinity(0, sizeof mine, &mine), 0);
    int absent = CPU_SETSIZE - 1;
    while (absent >= 0 && CPU_ISSET(absent, &mine))
        absent--;
    cr_assert_geq(absent, 0);
    char body[512], want[512], have[256];
    snprintf(body, sizeof body, "stages = testprod,testcons\nbin_dir = %s/../tests/bin\ncpu_affinity = testcons:%d\n",
             TC_BIN_DIR, absent);
    tc_affinity_cpulist_format(&mine, have, sizeof have);
    snprintf(want, sizeof want, "tickcastd.cpu_affinity: stage 'testcons': CPU %d is not one tickcastd may use (%s)\n",
             absent, have);
    expect_refused_at_start("tcpinned", body, want);
}
