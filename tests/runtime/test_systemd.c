/* test_systemd.c — the unit files in systemd/.
 *
 * - `systemd-analyze verify` accepts tickcast.service (a copy whose ExecStart points at
 *   an existing binary, since tickcastd is not installed here);
 * - the unit carries the settings the design relies on, and its timeouts agree with the
 *   config defaults (drain before SIGKILL, watchdog pings often enough);
 * - the unit's SystemCallFilter, expanded by systemd-analyze itself, allows every system
 *   call the rings, io_uring and ZeroMQ need, and denies the privileged ones;
 * - the same filter, installed with libseccomp in a child process, still lets liburing
 *   read a file, futex waits time out, and a segment be created and mapped;
 * - sysusers and tmpfiles lines parse.
 * Each check that needs a tool this machine lacks reports a skip with the reason.
 */
#include "daemon/runtime/config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef TC_HAVE_SECCOMP
#include <linux/futex.h>
#include <liburing.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <time.h>
#endif

#define UNIT TC_SOURCE_DIR "/systemd/tickcast.service"

/* ---- helpers ----------------------------------------------------------------------- */

static int have_tool(const char *name)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

/* Runs cmd through the shell; returns its exit status and its stdout+stderr in *out
 * (malloc'd). */
static int run(const char *cmd, char **out)
{
    char full[2048];
    snprintf(full, sizeof full, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    cr_assert_not_null(p, "popen %s", cmd);
    size_t len = 0;
    FILE *m = open_memstream(out, &len);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        fwrite(buf, 1, n, m);
    fclose(m);
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* All values of key in [section] of a unit file, joined by '\n' (malloc'd; "" if none). */
static char *unit_get(const char *path, const char *section, const char *key)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s: %m", path);
    char line[1024], cur[64] = "";
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    size_t klen = strlen(key);
    int first = 1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '[') {
            snprintf(cur, sizeof cur, "%.*s", (int)strcspn(line + 1, "]"), line + 1);
            continue;
        }
        if (strcmp(cur, section) != 0 || strncmp(line, key, klen) != 0 || line[klen] != '=')
            continue;
        fprintf(m, "%s%s", first ? "" : "\n", line + klen + 1);
        first = 0;
    }
    fclose(f);
    fclose(m);
    return out;
}

static void expect_setting(const char *key, const char *want)
{
    char *v = unit_get(UNIT, "Service", key);
    cr_assert_str_eq(v, want, "%s=%s, want %s", key, v, want);
    free(v);
}

/* ---- verify ------------------------------------------------------------------------ */

Test(systemd, unit_passes_systemd_analyze_verify)
{
    if (!have_tool("systemd-analyze"))
        cr_skip_test("systemd-analyze is not installed (package systemd)");
    char dir[256], cmd[1024];
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tc_unit.XXXXXX", base && base[0] ? base : "/tmp");
    cr_assert_not_null(mkdtemp(dir));
    /* verify insists that ExecStart exists: point it at the built tool */
    snprintf(cmd, sizeof cmd,
             "sed 's|^ExecStart=/usr/bin/tickcastd|ExecStart=%s/tickcast|' '%s' > '%s/tickcast.service'",
             TC_BIN_DIR, UNIT, dir);
    cr_assert_eq(system(cmd), 0);
    char *out;
    snprintf(cmd, sizeof cmd, "systemd-analyze verify '%s/tickcast.service'", dir);
    int rc = run(cmd, &out);
    cr_assert_eq(rc, 0, "systemd-analyze verify failed:\n%s", out);
    /* warnings about our unit would be lines naming it */
    cr_assert_null(strstr(out, "tickcast.service:"), "verify warned:\n%s", out);
    free(out);

    /* and it does fail on a broken copy, so the check can fail */
    snprintf(cmd, sizeof cmd, "sed 's|^Type=notify|Type=bogus|' '%s/tickcast.service' > '%s/bad.service'"
                              " && systemd-analyze verify '%s/bad.service'", dir, dir, dir);
    rc = run(cmd, &out);
    cr_assert(rc != 0 || strstr(out, "bad.service"), "a bad Type= went unnoticed:\n%s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* systemd's own score of the hardening; the unit scored 1.4 ("OK") when written, and
 * anything above 2.0 means a protection was dropped. */
Test(systemd, unit_exposure_stays_low)
{
    if (!have_tool("systemd-analyze"))
        cr_skip_test("systemd-analyze is not installed (package systemd)");
    char dir[256], cmd[1024], *out;
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tc_sec.XXXXXX", base && base[0] ? base : "/tmp");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd,
             "sed 's|^ExecStart=/usr/bin/tickcastd|ExecStart=%s/tickcast|' '%s' > '%s/tickcast.service'",
             TC_BIN_DIR, UNIT, dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "systemd-analyze security --offline=true --no-pager '%s/tickcast.service'", dir);
    int rc = run(cmd, &out);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    const char *at = strstr(out, "Overall exposure level for tickcast.service: ");
    if (rc != 0 && !at) {
        free(out);
        cr_skip_test("this systemd-analyze cannot score unit files offline (needs systemd >= 250)");
    }
    cr_assert_not_null(at, "%s", out);
    double score = strtod(at + strlen("Overall exposure level for tickcast.service: "), NULL);
    cr_assert(score > 0 && score <= 2.0, "exposure %.1f (1.4 when written):\n%s", score, out);
    free(out);
}

/* ---- what the design relies on ------------------------------------------------------- */

Test(systemd, unit_has_the_settings_the_daemon_relies_on)
{
    expect_setting("Type", "notify");
    expect_setting("NotifyAccess", "main");
    expect_setting("ExecStart", "/usr/bin/tickcastd --config /etc/tickcast/tickcast.conf");
    expect_setting("ExecReload", "/bin/kill -HUP $MAINPID");
    expect_setting("WatchdogSec", "10");
    expect_setting("Restart", "on-failure");
    expect_setting("User", "tickcast");
    expect_setting("ProtectSystem", "strict");
    expect_setting("ProtectHome", "yes");
    expect_setting("PrivateTmp", "yes");
    expect_setting("NoNewPrivileges", "yes");
    expect_setting("StateDirectory", "tickcast");
    expect_setting("RuntimeDirectory", "tickcast");
    expect_setting("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6");
    char *rw = unit_get(UNIT, "Service", "ReadWritePaths");
    cr_assert_not_null(strstr(rw, "/dev/shm"), "ReadWritePaths=%s", rw);
    cr_assert_not_null(strstr(rw, "/var/lib/tickcast"), "ReadWritePaths=%s", rw);
    free(rw);
    char *mem = unit_get(UNIT, "Service", "LimitMEMLOCK");
    cr_assert(mem[0], "LimitMEMLOCK is set");
    free(mem);
    /* options that would delete or hide the segment stay out (only in comments) */
    static const char *const never[] = {"RemoveIPC", "InaccessiblePaths",
                                        "TemporaryFileSystem"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
        char *v = unit_get(UNIT, "Service", never[i]);
        cr_assert_str_eq(v, "", "%s=%s would break /dev/shm", never[i], v);
        free(v);
    }
}

static long long seconds(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (strcmp(end, "min") == 0)
        v *= 60;
    else
        cr_assert(*end == '\0' || strcmp(end, "s") == 0, "unit value '%s'", s);
    return v;
}

Test(systemd, unit_timeouts_agree_with_config_defaults)
{
    tc_config_t c;
    tc_config_defaults(&c);
    char *stop = unit_get(UNIT, "Service", "TimeoutStopSec");
    char *wd = unit_get(UNIT, "Service", "WatchdogSec");
    cr_assert(stop[0] && wd[0]);
    /* a drain must finish before systemd's SIGKILL */
    cr_assert_gt(seconds(stop) * 1000000000LL, c.tickcastd.drain_timeout, "TimeoutStopSec=%s", stop);
    /* tickcastd pings the watchdog with each status line: at least twice per period */
    cr_assert_leq(2 * c.tickcastd.status_interval, seconds(wd) * 1000000000LL);
    free(stop);
    free(wd);
}

/* ---- the system-call filter ---------------------------------------------------------- */

typedef struct nameset {
    int n;
    char name[2048][40];
} nameset_t;

static int set_has(const nameset_t *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->name[i], name) == 0)
            return 1;
    return 0;
}

static void set_add(nameset_t *s, const char *name)
{
    if (set_has(s, name))
        return;
    cr_assert_lt(s->n, 2048);
    snprintf(s->name[s->n++], sizeof s->name[0], "%s", name);
}

static void set_del(nameset_t *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->name[i], name) == 0) {
            memcpy(s->name[i], s->name[--s->n], sizeof s->name[0]);
            return;
        }
}

/* Every group systemd knows, as `systemd-analyze syscall-filter` prints them: "@group"
 * at the start of a line, then its members indented, "#" lines being comments.  Read
 * once per process. */
static char *groups_text;

static const char *group_members(const char *group)
{
    if (!groups_text)
        cr_assert_eq(run("systemd-analyze syscall-filter --no-pager", &groups_text), 0, "%s",
                     groups_text);
    size_t len = strlen(group);
    for (const char *p = groups_text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, group, len) == 0 && p[len] == '\n')
            return p + len + 1;
    cr_assert_fail("systemd-analyze knows no group %s", group);
    return NULL;
}

/* Adds (or removes) name to s, expanding @groups as systemd does. */
static void expand(nameset_t *s, const char *name, int remove)
{
    if (name[0] != '@') {
        (remove ? set_del : set_add)(s, name);
        return;
    }
    const char *p = group_members(name);
    while (*p == ' ') { /* the group ends at the first unindented line */
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, "\n");
        char member[64];
        snprintf(member, sizeof member, "%.*s", (int)n, p);
        if (member[0] && member[0] != '#')
            expand(s, member, remove);
        p += n;
        if (*p == '\n')
            p++;
    }
}

/* The allowed set as systemd computes it: the first SystemCallFilter= is an allow list,
 * each later "~" line removes from it. */
static void unit_allowed(nameset_t *s)
{
    char *filters = unit_get(UNIT, "Service", "SystemCallFilter");
    cr_assert(filters[0], "no SystemCallFilter");
    char *save, *line = strtok_r(filters, "\n", &save);
    for (; line; line = strtok_r(NULL, "\n", &save)) {
        int remove = line[0] == '~';
        char *save2, *tok = strtok_r(line + remove, " ", &save2);
        for (; tok; tok = strtok_r(NULL, " ", &save2))
            expand(s, tok, remove);
    }
    free(filters);
}

/* What the rings, io_uring replay, the journal, ZeroMQ, OpenBLAS threads and the
 * supervisor call. */
static const char *const needed[] = {
    "io_uring_setup", "io_uring_enter", "io_uring_register", "futex", "mmap", "munmap",
    "mremap", "madvise", "mlock", "munlock", "ftruncate", "fallocate", "openat", "newfstatat",
    "fstat", "unlinkat", "renameat2", "pread64", "pwrite64", "fdatasync", "fsync", "sched_yield",
    "sched_getaffinity", "sched_setaffinity", "clock_gettime", "clock_nanosleep", "nanosleep",
    "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "eventfd2", "socket", "bind",
    "connect", "listen", "accept4", "setsockopt", "getsockopt", "sendto", "recvfrom", "sendmsg",
    "recvmsg", "poll", "ppoll", "pipe2", "getrandom", "prlimit64", "clone", "clone3", "execve",
    "wait4", "waitid", "kill", "rt_sigaction", "rt_sigprocmask", "rseq", "set_robust_list",
    "prctl", "memfd_create", "exit_group",
};

Test(systemd, syscall_filter_allows_what_we_use_and_denies_privileged)
{
    if (!have_tool("systemd-analyze"))
        cr_skip_test("systemd-analyze is not installed (package systemd)");
    nameset_t *s = calloc(1, sizeof *s);
    unit_allowed(s);
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
        cr_expect(set_has(s, needed[i]), "SystemCallFilter denies %s", needed[i]);
    static const char *const denied[] = {"setuid", "mount", "reboot", "init_module", "chroot",
                                         "swapon", "settimeofday"};
    for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
        cr_expect(!set_has(s, denied[i]), "SystemCallFilter allows %s", denied[i]);
    free(s);
}

#ifdef TC_HAVE_SECCOMP
/* In a child: install the unit's filter as systemd would (deny = EPERM), then use
 * io_uring, futex and a shared-memory segment.  Exit 0 when all work; else the number of
 * the step that failed. */
static int child_under_filter(const nameset_t *s, const char *file, const char *shm_name)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!ctx)
        return 1;
    for (int i = 0; i < s->n; i++) {
        int nr = seccomp_syscall_resolve_name(s->name[i]);
        if (nr != __NR_SCMP_ERROR)
            seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0); /* other arches' names: ignored */
    }
    if (seccomp_load(ctx) < 0)
        return 2;
    seccomp_release(ctx);

    /* control: the filter is live (we are root, so setuid(0) would otherwise succeed) */
    if (syscall(SYS_setuid, 0) != -1 || errno != EPERM)
        return 3;

    struct io_uring ring;
    if (io_uring_queue_init(8, &ring, 0) < 0)
        return 4;
    int fd = open(file, O_RDONLY);
    if (fd < 0)
        return 5;
    char buf[32] = {0};
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    io_uring_prep_read(sqe, fd, buf, sizeof buf - 1, 0);
    if (io_uring_submit(&ring) != 1)
        return 6;
    struct io_uring_cqe *cqe;
    if (io_uring_wait_cqe(&ring, &cqe) < 0 || cqe->res != 12 || strcmp(buf, "tick payload"))
        return 7;
    io_uring_cqe_seen(&ring, cqe);
    io_uring_queue_exit(&ring);

    /* futex: a wait on an unchanged word times out (ETIMEDOUT), a wake returns 0 woken */
    int word = 0;
    struct timespec ts = {0, 1000000};
    if (syscall(SYS_futex, &word, FUTEX_WAIT, 0, &ts, NULL, 0) != -1 || errno != ETIMEDOUT)
        return 8;
    if (syscall(SYS_futex, &word, FUTEX_WAKE, 1, NULL, NULL, 0) != 0)
        return 9;

    /* the segment: shm_open, size, map, lock */
    int sfd = shm_open(shm_name, O_CREAT | O_RDWR | O_EXCL, 0600);
    if (sfd < 0)
        return 10;
    if (ftruncate(sfd, 1 << 16) < 0)
        return 11;
    char *p = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
    if (p == MAP_FAILED)
        return 12;
    p[100] = 42;
    if (mlock(p, 4096) < 0 && errno == EPERM)
        return 13; /* EPERM from the filter; ENOMEM (rlimit) would be the environment */
    munmap(p, 1 << 16);
    close(sfd);
    if (shm_unlink(shm_name) < 0)
        return 14;
    return 0;
}
#endif

Test(systemd, io_uring_futex_and_shm_work_under_the_unit_filter)
{
#ifndef TC_HAVE_SECCOMP
    cr_skip_test("libseccomp-dev is not installed: the unit's filter cannot be applied here");
#else
    if (!have_tool("systemd-analyze"))
        cr_skip_test("systemd-analyze is not installed (package systemd)");
    if (geteuid() != 0)
        cr_skip_test("the filter's control check (setuid denied) needs root");
    struct io_uring probe;
    int r = io_uring_queue_init(8, &probe, 0);
    if (r < 0)
        cr_skip_test("io_uring is unavailable on this machine even without a filter (%s)",
                     strerror(-r));
    io_uring_queue_exit(&probe);

    nameset_t *s = calloc(1, sizeof *s);
    unit_allowed(s);
    char file[256], shm_name[64];
    const char *base = getenv("TMPDIR");
    snprintf(file, sizeof file, "%s/tc_uring.XXXXXX", base && base[0] ? base : "/tmp");
    int fd = mkstemp(file);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "tick payload", 12), 12);
    close(fd);
    snprintf(shm_name, sizeof shm_name, "/tickcast.test-filter.%d", (int)getpid());

    pid_t pid = fork();
    if (pid == 0)
        _exit(child_under_filter(s, file, shm_name));
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    unlink(file);
    shm_unlink(shm_name);
    free(s);
    cr_assert(WIFEXITED(status), "child died by signal %d", WTERMSIG(status));
    cr_assert_eq(WEXITSTATUS(status), 0, "step %d failed under the filter", WEXITSTATUS(status));
#endif
}

/* ---- sysusers and tmpfiles ----------------------------------------------------------- */

Test(systemd, sysusers_and_tmpfiles_parse)
{
    if (!have_tool("systemd-sysusers") || !have_tool("systemd-tmpfiles"))
        cr_skip_test("systemd-sysusers or systemd-tmpfiles is not installed (package systemd)");
    char dir[256], cmd[2048], *out;
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tc_root.XXXXXX", base && base[0] ? base : "/tmp");
    cr_assert_not_null(mkdtemp(dir));
    /* sysusers into an empty root: creates the user in <root>/etc/passwd */
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/etc' && systemd-sysusers --root='%s' '%s/systemd/tickcast.sysusers'",
             dir, dir, TC_SOURCE_DIR);
    int rc = run(cmd, &out);
    cr_assert_eq(rc, 0, "systemd-sysusers:\n%s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "grep -q '^tickcast:x:[0-9]*:[0-9]*:tickcast market-data daemon:/var/lib/tickcast:' '%s/etc/passwd'", dir);
    cr_assert_eq(system(cmd), 0, "user tickcast not created");
    /* tmpfiles in the same root: the directories appear (ownership needs the user above) */
    snprintf(cmd, sizeof cmd, "systemd-tmpfiles --root='%s' --create '%s/systemd/tickcast.tmpfiles'",
             dir, TC_SOURCE_DIR);
    rc = run(cmd, &out);
    cr_assert_eq(rc, 0, "systemd-tmpfiles:\n%s", out);
    free(out);
    static const char *const dirs[] = {"etc/tickcast", "var/lib/tickcast/journal",
                                       "var/lib/tickcast/models", "run/tickcast"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char p[512];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, dirs[i]);
        cr_assert_eq(stat(p, &st), 0, "%s not created", dirs[i]);
        cr_assert(S_ISDIR(st.st_mode));
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}
