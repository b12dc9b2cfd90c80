/* test_registry.c — the SQLite model registry (infer/registry.h):
 *  - three registered versions carry sha256sum's hash, their lineage, the metadata of
 *    their files and absolute paths; promote / rollback / history give exactly the
 *    rows the test expects;
 *  - resolve_at between changes answers what the test's own clock says was live;
 *  - changed() sees commits of another connection and another process;
 *  - reader processes resolving in a loop while one writer registers and promotes see
 *    no error and only consistent answers (a version and its hash agree, the live
 *    version never goes back); two writer processes serialise, every move recorded;
 *  - a registration (or promotion) killed by SIGKILL between any two statements, or at
 *    a random moment, leaves a database that passes integrity_check and
 *    foreign_key_check, with the whole version or none of it and aliases unchanged;
 *  - bad input (not a model, unknown version or alias, changed file, corrupt or foreign
 *    database, newer schema) is refused with a reason naming what and where. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon/runtime/clock.h"
#include "infer/registry.h"
#include "tests/infer/regfix.h"

static char dir[256], db[300];

static void setup(void)
{
    regfix_mkdtemp(dir, sizeof dir, "lib");
    snprintf(db, sizeof db, "%s/models/registry.db", dir);
}

static void teardown(void)
{
    regfix_rmdir(dir);
}

/* dir/models/vN.safetensors with seed N. */
static void model_file(char *out, size_t cap, int n)
{
    char sub[300];
    snprintf(sub, sizeof sub, "%s/models", dir);
    mkdir(sub, 0755);
    snprintf(out, cap, "%s/models/v%d.safetensors", dir, n);
    char metrics[64];
    snprintf(metrics, sizeof metrics, "{\"val_rmse\": 0.%d5}", n);
    regfix_model(out, 100u + (unsigned)n, metrics);
}

static tc_registry_t *open_rw(void)
{
    tc_registry_t *r = NULL;
    cr_assert(tc_registry_open(&r, db, 0) == 0, "%s", tc_err_msg());
    return r;
}

static int64_t sql_int(const char *sql)
{
    sqlite3 *h;
    cr_assert(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    sqlite3_stmt *st;
    cr_assert(sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(h));
    cr_assert(sqlite3_step(st) == SQLITE_ROW, "%s", sql);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static void sql_text(const char *sql, char *out, size_t cap)
{
    sqlite3 *h;
    cr_assert(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    sqlite3_stmt *st;
    cr_assert(sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(h));
    int rc = sqlite3_step(st);
    snprintf(out, cap, "%s", rc == SQLITE_ROW && sqlite3_column_text(st, 0)
                                 ? (const char *)sqlite3_column_text(st, 0) : "(none)");
    sqlite3_finalize(st);
    sqlite3_close(h);
}

typedef struct seen {
    int n;
    tc_registry_event_t ev[32];
    char alias[32][64], reason[32][256], actor[32][128];
    int nv;
    int version[16], parent[16];
    char hyper[16][512], metrics[16][128], features[16][256], aliases[16][64];
    int64_t tstart[16], tend[16];
} seen_t;

static int on_event(const tc_registry_event_t *ev, void *ctx)
{
    seen_t *s = ctx;
    cr_assert(s->n < 32);
    s->ev[s->n] = *ev;
    snprintf(s->alias[s->n], 64, "%s", ev->alias);
    snprintf(s->reason[s->n], 256, "%s", ev->reason);
    snprintf(s->actor[s->n], 128, "%s", ev->actor);
    s->n++;
    return 0;
}

static int on_version(const tc_registry_version_info_t *vi, void *ctx)
{
    seen_t *s = ctx;
    int i = s->nv++;
    s->version[i] = vi->v.version;
    s->parent[i] = vi->v.parent;
    snprintf(s->hyper[i], 512, "%s", vi->hyperparams);
    snprintf(s->metrics[i], 128, "%s", vi->metrics ? vi->metrics : "");
    snprintf(s->features[i], 256, "%s", vi->features ? vi->features : "");
    snprintf(s->aliases[i], 64, "%s", vi->aliases);
    s->tstart[i] = vi->train_start_ns;
    s->tend[i] = vi->train_end_ns;
    return 0;
}

static int64_t utc_ns(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi, .tm_sec = s};
    return (int64_t)timegm(&tm) * 1000000000LL;
}

Test(registry, register_promote_rollback_history, .init = setup, .fini = teardown)
{
    char f[3][512], sha[3][65], canon[PATH_MAX];
    for (int i = 0; i < 3; i++) {
        model_file(f[i], sizeof f[i], i + 1);
        regfix_sha256sum(f[i], sha[i]);
    }
    tc_registry_t *r = open_rw();
    tc_registry_actor_set(r, "test-actor");
    int64_t t0 = tc_clock_real_ns();
    int v;
    for (int i = 0; i < 3; i++) {
        cr_assert(tc_registry_register(r, "churn", f[i], i, &v) == 0, "%s", tc_err_msg());
        cr_expect(v == i + 1, "version %d, expected %d", v, i + 1);
    }
    int64_t t1 = tc_clock_real_ns();
    for (int i = 0; i < 3; i++) {
        tc_registry_version_t x;
        cr_assert(tc_registry_version_get(r, "churn", i + 1, &x) == 0, "%s", tc_err_msg());
        cr_expect(strcmp(x.sha256, sha[i]) == 0, "v%d sha256 %s, sha256sum says %s", i + 1, x.sha256, sha[i]);
        cr_assert(realpath(f[i], canon));
        cr_expect(strcmp(x.path, canon) == 0, "path %s, expected %s", x.path, canon);
        cr_expect(x.parent == i, "v%d parent %d", i + 1, x.parent);
        cr_expect(strcmp(x.model, "churn") == 0);
        cr_expect(x.created_ns >= t0 && x.created_ns <= t1);
        cr_expect(tc_registry_verify(&x) == 0, "%s", tc_err_msg());
    }
    /* Stored relative to the database's directory, so the state directory can move. */
    char rel[256];
    sql_text("SELECT path FROM versions WHERE version = 2", rel, sizeof rel);
    cr_expect(strcmp(rel, "v2.safetensors") == 0, "stored path %s", rel);
    tc_registry_version_t latest;
    cr_assert(tc_registry_latest(r, "churn", &latest) == 0);
    cr_expect(latest.version == 3);
    char only[TC_REGISTRY_NAME_MAX];
    cr_assert(tc_registry_model_only(r, only) == 0 && strcmp(only, "churn") == 0);

    cr_assert(tc_registry_promote(r, "churn", "production", 1, "first") == 0, "%s", tc_err_msg());
    cr_assert(tc_registry_promote(r, "churn", "production", 2, "better val_rmse") == 0, "%s", tc_err_msg());
    cr_assert(tc_registry_promote(r, "churn", "staging", 3, NULL) == 0, "%s", tc_err_msg());
    cr_assert(tc_registry_promote(r, "churn", "production", 3, "canary passed") == 0, "%s", tc_err_msg());
    cr_assert(tc_registry_promote(r, "churn", "production", 3, "again") == 0, "a no-op promote");
    tc_registry_version_t x;
    cr_assert(tc_registry_resolve(r, "churn", "production", &x) == 0);
    cr_expect(x.version == 3 && strcmp(x.sha256, sha[2]) == 0);
    cr_assert(tc_registry_rollback(r, "churn", "production", "latency", &v) == 0, "%s", tc_err_msg());
    cr_expect(v == 2, "rolled back to %d, expected 2", v);
    cr_assert(tc_registry_resolve(r, "churn", "production", &x) == 0 && x.version == 2);
    cr_assert(tc_registry_rollback(r, "churn", "production", NULL, &v) == 0, "%s", tc_err_msg());
    cr_expect(v == 3, "a second rollback undoes the first: %d", v);
    cr_assert(tc_registry_resolve(r, "churn", "staging", &x) == 0 && x.version == 3);
    cr_assert(tc_registry_promote(r, "churn", "staging", 0, "retired") == 0, "%s", tc_err_msg());
    cr_expect(tc_registry_resolve(r, "churn", "staging", &x) == -ENOENT);
    cr_assert(tc_registry_rollback(r, "churn", "staging", NULL, &v) == 0 && v == 3);

    const struct { const char *alias; int version, previous; const char *reason; } want[] = {
        {"production", 1, 0, "first"},
        {"production", 2, 1, "better val_rmse"},
        {"staging", 3, 0, ""},
        {"production", 3, 2, "canary passed"},
        {"production", 2, 3, "rollback: latency"},
        {"production", 3, 2, "rollback"},
        {"staging", 0, 3, "retired"},
        {"staging", 3, 0, "rollback"},
    };
    seen_t *s = calloc(1, sizeof *s);
    cr_assert(tc_registry_history_each(r, "churn", NULL, on_event, s) == 0, "%s", tc_err_msg());
    cr_assert(s->n == 8, "%d history rows, expected 8", s->n);
    for (int i = 0; i < 8; i++) {
        cr_expect(strcmp(s->alias[i], want[i].alias) == 0 && s->ev[i].version == want[i].version &&
                  s->ev[i].previous == want[i].previous && strcmp(s->reason[i], want[i].reason) == 0,
                  "row %d: %s v%d (was %d) \"%s\", expected %s v%d (was %d) \"%s\"", i, s->alias[i],
                  s->ev[i].version, s->ev[i].previous, s->reason[i], want[i].alias, want[i].version,
                  want[i].previous, want[i].reason);
        cr_expect(strcmp(s->actor[i], "test-actor") == 0);
        if (i)
            cr_expect(s->ev[i].at_ns > s->ev[i - 1].at_ns, "history times strictly increase");
    }
    memset(s, 0, sizeof *s);
    cr_assert(tc_registry_history_each(r, "churn", "staging", on_event, s) == 0);
    cr_expect(s->n == 3 && s->ev[0].version == 3 && s->ev[1].version == 0 && s->ev[2].version == 3);

    /* The listing: lineage, metadata columns, aliases now on each version. */
    memset(s, 0, sizeof *s);
    cr_assert(tc_registry_versions_each(r, NULL, on_version, s) == 0, "%s", tc_err_msg());
    cr_assert(s->nv == 3);
    for (int i = 0; i < 3; i++) {
        char m[64];
        snprintf(m, sizeof m, "{\"val_rmse\": 0.%d5}", i + 1);
        cr_expect(s->version[i] == i + 1 && s->parent[i] == i);
        cr_expect(strcmp(s->metrics[i], m) == 0, "metrics %s", s->metrics[i]);
        cr_expect(strcmp(s->hyper[i], "{\"cell\":\"lstm\",\"input\":3,\"hidden\":5,\"layers\":1,"
                                      "\"horizon\":2,\"sequence_length\":30,\"lr\":0.001,"
                                      "\"optimizer\":\"adamw\"}") == 0, "hyperparams %s", s->hyper[i]);
        cr_expect(strstr(s->features[i], "\"RSI(TimePeriod=14)\"") != NULL, "features %s", s->features[i]);
        cr_expect(s->tstart[i] == utc_ns(2024, 1, 2, 0, 0, 0) && s->tend[i] == utc_ns(2024, 3, 28, 12, 30, 0));
    }
    cr_expect(strcmp(s->aliases[0], "") == 0 && strcmp(s->aliases[1], "") == 0 &&
              strcmp(s->aliases[2], "production,staging") == 0, "aliases on v3: %s", s->aliases[2]);
    free(s);
    tc_registry_close(r);
    cr_expect(sql_int("SELECT count(*) FROM alias_history") == 8);
}

Test(registry, resolve_at_between_changes, .init = setup, .fini = teardown)
{
    char f[2][512];
    tc_registry_t *r = open_rw();
    int v;
    for (int i = 0; i < 2; i++) {
        model_file(f[i], sizeof f[i], i + 1);
        cr_assert(tc_registry_register(r, "m", f[i], 0, &v) == 0, "%s", tc_err_msg());
    }
    /* t[k]: the test's clock after change k; what was live then is known to the test. */
    struct timespec pause = {0, 2000000};
    int64_t t[5];
    t[0] = tc_clock_real_ns();
    nanosleep(&pause, NULL);
    cr_assert(tc_registry_promote(r, "m", "production", 1, NULL) == 0);
    t[1] = tc_clock_real_ns();
    nanosleep(&pause, NULL);
    cr_assert(tc_registry_promote(r, "m", "production", 2, NULL) == 0);
    t[2] = tc_clock_real_ns();
    nanosleep(&pause, NULL);
    cr_assert(tc_registry_rollback(r, "m", "production", NULL, &v) == 0 && v == 1);
    t[3] = tc_clock_real_ns();
    nanosleep(&pause, NULL);
    cr_assert(tc_registry_promote(r, "m", "production", 0, "off") == 0);
    t[4] = tc_clock_real_ns();
    const int live[5] = {0, 1, 2, 1, 0};
    tc_registry_version_t x;
    for (int k = 0; k < 5; k++) {
        int res = tc_registry_resolve_at(r, "m", "production", t[k], &x);
        if (live[k] == 0) {
            cr_expect(res == -ENOENT, "at t%d: %d, expected unset", k, res);
            cr_expect(strstr(tc_err_msg(), "was not set at") != NULL, "%s", tc_err_msg());
        } else {
            cr_expect(res == 0 && x.version == live[k], "at t%d: v%d, expected v%d", k, x.version, live[k]);
        }
    }
    /* At the exact change time the change counts; 1 ns before it does not. */
    seen_t *s = calloc(1, sizeof *s);
    cr_assert(tc_registry_history_each(r, "m", "production", on_event, s) == 0 && s->n == 4);
    for (int k = 0; k < 4; k++) {
        cr_expect(s->ev[k].at_ns > t[k] && s->ev[k].at_ns <= t[k + 1], "change %d recorded in its interval", k);
        int res = tc_registry_resolve_at(r, "m", "production", s->ev[k].at_ns, &x);
        cr_expect(live[k + 1] ? res == 0 && x.version == live[k + 1] : res == -ENOENT);
        res = tc_registry_resolve_at(r, "m", "production", s->ev[k].at_ns - 1, &x);
        cr_expect(live[k] ? res == 0 && x.version == live[k] : res == -ENOENT);
    }
    free(s);
    cr_expect(tc_registry_resolve_at(r, "nope", "production", t[2], &x) == -ENOENT);
    cr_expect(strstr(tc_err_msg(), "no model \"nope\"") != NULL, "%s", tc_err_msg());
    tc_registry_close(r);
}

Test(registry, changed_sees_other_connections_and_processes, .init = setup, .fini = teardown)
{
    char f[2][512];
    model_file(f[0], sizeof f[0], 1);
    model_file(f[1], sizeof f[1], 2);
    tc_registry_t *w = open_rw(), *rd = NULL;
    int v;
    cr_assert(tc_registry_register(w, "m", f[0], 0, &v) == 0);
    cr_assert(tc_registry_open(&rd, db, TC_REGISTRY_READONLY) == 0, "%s", tc_err_msg());
    cr_expect(tc_registry_changed(rd) == 0, "nothing since open");
    cr_expect(tc_registry_changed(w) == 1, "the writer registered since it opened");
    cr_expect(tc_registry_changed(w) == 0, "and said so once");
    cr_assert(tc_registry_promote(w, "m", "production", 1, NULL) == 0);
    cr_expect(tc_registry_changed(rd) == 1, "another connection committed");
    cr_expect(tc_registry_changed(rd) == 0, "and only once");
    cr_expect(tc_registry_changed(w) == 1, "its own commit counts too");
    cr_expect(tc_registry_changed(w) == 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        tc_registry_t *c = NULL;
        int vv;
        _exit(tc_registry_open(&c, db, 0) == 0 && tc_registry_register(c, "m", f[1], 1, &vv) == 0 &&
              vv == 2 ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    cr_expect(tc_registry_changed(rd) == 1, "another process committed");
    cr_expect(tc_registry_changed(w) == 1);
    cr_expect(tc_registry_changed(rd) == 0);
    /* A failed write changes nothing, so nothing is announced. */
    cr_expect(tc_registry_promote(w, "m", "production", 9, NULL) == -ENOENT);
    cr_expect(tc_registry_changed(rd) == 0 && tc_registry_changed(w) == 0);
    tc_registry_close(rd);
    tc_registry_close(w);
}

#define N_VERSIONS 12

/* A reader: resolves production in a loop until the writer is done.  Exits 0 when every
 * answer was consistent, else prints why and exits 1. */
static void reader(const char sha[][65], int id)
{
    tc_registry_t *r = NULL;
    if (tc_registry_open(&r, db, TC_REGISTRY_READONLY) != 0) {
        fprintf(stderr, "reader %d: open: %s\n", id, tc_err_msg());
        _exit(1);
    }
    int last = 0, polls = 0, seen_final = 0;
    int64_t deadline = tc_clock_mono_ns() + 10 * TC_NS_PER_S;
    while (!seen_final && tc_clock_mono_ns() < deadline) {
        tc_registry_version_t x;
        int res = tc_registry_resolve(r, "m", "production", &x);
        polls++;
        if (res == -ENOENT && last == 0)
            continue; /* not promoted yet */
        if (res != 0) {
            fprintf(stderr, "reader %d: resolve: %d %s\n", id, res, tc_err_msg());
            _exit(1);
        }
        if (x.version < last || x.version > N_VERSIONS || strcmp(x.sha256, sha[x.version - 1]) != 0) {
            fprintf(stderr, "reader %d: inconsistent v%d (after v%d) sha %s\n", id, x.version, last, x.sha256);
            _exit(1);
        }
        last = x.version;
        seen_final = last == N_VERSIONS;
        if (tc_registry_changed(r) < 0) {
            fprintf(stderr, "reader %d: changed: %s\n", id, tc_err_msg());
            _exit(1);
        }
    }
    fprintf(stderr, "reader %d: %d resolves, last v%d\n", id, polls, last);
    _exit(seen_final ? 0 : 1);
}

Test(registry, concurrent_readers_one_writer, .init = setup, .fini = teardown)
{
    char f[N_VERSIONS][512], sha[N_VERSIONS][65];
    for (int i = 0; i < N_VERSIONS; i++) {
        model_file(f[i], sizeof f[i], i + 1);
        regfix_sha256sum(f[i], sha[i]);
    }
    tc_registry_t *w = open_rw(); /* creates the schema before the readers open */
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        cr_assert(kids[k] >= 0);
        if (kids[k] == 0)
            reader((const char(*)[65])sha, k);
    }
    for (int i = 0; i < N_VERSIONS; i++) {
        int v;
        cr_assert(tc_registry_register(w, "m", f[i], i, &v) == 0 && v == i + 1, "%s", tc_err_msg());
        cr_assert(tc_registry_promote(w, "m", "production", v, NULL) == 0, "%s", tc_err_msg());
        struct timespec pause = {0, 3000000};
        nanosleep(&pause, NULL);
    }
    for (int k = 0; k < 2; k++) {
        int st;
        waitpid(kids[k], &st, 0);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "reader %d saw an error or an inconsistent answer", k);
    }
    tc_registry_close(w);
}

/* ---- crashes -------------------------------------------------------------------------- */

static void kill_at(void *ctx, int step)
{
    if (step == *(int *)ctx)
        raise(SIGKILL);
}

/* The database after a crash: intact, versions whole, aliases agreeing with history. */
static void check_consistent(void)
{
    char txt[256];
    sql_text("PRAGMA integrity_check", txt, sizeof txt);
    cr_assert(strcmp(txt, "ok") == 0, "integrity_check: %s", txt);
    sql_text("SELECT count(*) FROM pragma_foreign_key_check", txt, sizeof txt);
    cr_assert(strcmp(txt, "0") == 0, "foreign_key_check: %s rows", txt);
    cr_assert(sql_int("SELECT count(*) FROM versions WHERE length(sha256) != 64 OR hyperparams IS NULL"
                      " OR metrics IS NULL OR features IS NULL OR train_range IS NULL") == 0,
              "a version row is incomplete");
    /* Every alias is the version its newest history row names. */
    cr_assert(sql_int("SELECT count(*) FROM aliases a WHERE a.version IS NOT (SELECT h.version FROM"
                      " alias_history h WHERE h.model_id = a.model_id AND h.alias = a.alias"
                      " ORDER BY h.id DESC LIMIT 1)") == 0, "aliases disagree with their history");
}

/* Two writer processes moving aliases at once: every move lands, in one order, and the
 * history replays to the final aliases. */
Test(registry, two_writers_serialise, .init = setup, .fini = teardown)
{
    char f[2][512];
    model_file(f[0], sizeof f[0], 1);
    model_file(f[1], sizeof f[1], 2);
    tc_registry_t *r = open_rw();
    int v;
    cr_assert(tc_registry_register(r, "m", f[0], 0, &v) == 0);
    cr_assert(tc_registry_register(r, "m", f[1], 1, &v) == 0);
    tc_registry_close(r);
    enum { MOVES = 15 };
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        cr_assert(kids[k] >= 0);
        if (kids[k] == 0) {
            tc_registry_t *c = NULL;
            if (tc_registry_open(&c, db, 0) != 0)
                _exit(2);
            /* Each writer owns one alias and alternates it between v1 and v2. */
            for (int i = 0; i < MOVES; i++)
                if (tc_registry_promote(c, "m", k ? "staging" : "production", 1 + (i & 1), NULL) != 0) {
                    fprintf(stderr, "writer %d: %s\n", k, tc_err_msg());
                    _exit(1);
                }
            tc_registry_close(c);
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) {
        int st;
        waitpid(kids[k], &st, 0);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer %d failed", k);
    }
    cr_expect(sql_int("SELECT count(*) FROM alias_history") == 2 * MOVES);
    cr_expect(sql_int("SELECT count(DISTINCT at_ns) FROM alias_history") == 2 * MOVES,
              "history times are distinct");
    cr_expect(sql_int("SELECT count(*) FROM alias_history a JOIN alias_history b ON b.id = a.id + 1"
                      " WHERE b.at_ns <= a.at_ns") == 0, "history times increase with the row order");
    check_consistent();
    cr_expect(sql_int("SELECT version FROM aliases WHERE alias = 'production'") == 1 + ((MOVES - 1) & 1));
    cr_expect(sql_int("SELECT version FROM aliases WHERE alias = 'staging'") == 1 + ((MOVES - 1) & 1));
}

static int register_child(const char *file, int step)
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        tc_registry_t *r = NULL;
        int v;
        if (tc_registry_open(&r, db, 0) != 0)
            _exit(2);
        if (step >= 0)
            tc_registry_hook_set(r, kill_at, &step);
        _exit(tc_registry_register(r, "m", file, 0, &v) == 0 ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    return WIFSIGNALED(st) ? -WTERMSIG(st) : WEXITSTATUS(st);
}

Test(registry, crash_between_statements_of_a_registration, .init = setup, .fini = teardown)
{
    char f[8][512];
    for (int i = 0; i < 8; i++)
        model_file(f[i], sizeof f[i], i + 1);
    tc_registry_t *r = open_rw();
    int v;
    cr_assert(tc_registry_register(r, "m", f[0], 0, &v) == 0);
    cr_assert(tc_registry_promote(r, "m", "production", 1, NULL) == 0);
    tc_registry_close(r);
    /* Steps: 0 after BEGIN, 1 after the model row, 2 after the checks, 3 after the
     * version row, 4 after COMMIT. */
    int expect_versions = 1;
    for (int step = 0; step <= 4; step++) {
        int st = register_child(f[step + 1], step);
        cr_assert(st == -SIGKILL, "step %d: the child was to die by SIGKILL, status %d", step, st);
        if (step == 4)
            expect_versions++;
        check_consistent();
        cr_expect(sql_int("SELECT count(*) FROM versions") == expect_versions,
                  "killed at step %d: %lld versions, expected %d", step,
                  (long long)sql_int("SELECT count(*) FROM versions"), expect_versions);
        cr_expect(sql_int("SELECT version FROM aliases WHERE alias = 'production'") == 1);
        cr_expect(sql_int("SELECT count(*) FROM alias_history") == 1);
    }
    /* The registry still works: the next registration gets the next number. */
    cr_assert(register_child(f[6], -1) == 0);
    cr_expect(sql_int("SELECT max(version) FROM versions") == expect_versions + 1);
}

Test(registry, crash_between_statements_of_a_promotion, .init = setup, .fini = teardown)
{
    char f[2][512];
    model_file(f[0], sizeof f[0], 1);
    model_file(f[1], sizeof f[1], 2);
    tc_registry_t *r = open_rw();
    int v;
    cr_assert(tc_registry_register(r, "m", f[0], 0, &v) == 0);
    cr_assert(tc_registry_register(r, "m", f[1], 1, &v) == 0);
    cr_assert(tc_registry_promote(r, "m", "production", 1, NULL) == 0);
    tc_registry_close(r);
    /* Steps: 0 after BEGIN, 1 after the alias row, 2 after the history row, 3 after COMMIT. */
    for (int step = 0; step <= 3; step++) {
        pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
            tc_registry_t *c = NULL;
            if (tc_registry_open(&c, db, 0) != 0)
                _exit(2);
            tc_registry_hook_set(c, kill_at, &step);
            _exit(tc_registry_promote(c, "m", "production", 2, NULL) == 0 ? 0 : 1);
        }
        int st;
        waitpid(pid, &st, 0);
        cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "step %d", step);
        check_consistent();
        int64_t live = sql_int("SELECT version FROM aliases WHERE alias = 'production'");
        cr_expect(live == (step == 3 ? 2 : 1), "killed at step %d: production is v%lld", step, (long long)live);
        cr_expect(sql_int("SELECT count(*) FROM alias_history") == (step == 3 ? 2 : 1));
    }
}

Test(registry, crash_at_random_moments, .init = setup, .fini = teardown)
{
    enum { N = 24 };
    char f[N][512], sha[N][65];
    int killed = 0;
    for (int i = 0; i < N; i++) {
        model_file(f[i], sizeof f[i], i + 1);
        regfix_sha256sum(f[i], sha[i]);
    }
    tc_registry_t *r = open_rw();
    int v;
    cr_assert(tc_registry_register(r, "m", f[0], 0, &v) == 0);
    cr_assert(tc_registry_promote(r, "m", "production", 1, NULL) == 0);
    tc_registry_close(r);
    unsigned seed = (unsigned)getpid();
    srand(seed);
    int next = 1;
    for (int round = 0; round < 8 && next < N; round++) {
        int ready[2];
        cr_assert(pipe(ready) == 0);
        pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) { /* registers the remaining files one after another, as fast as it can */
            tc_registry_t *c = NULL;
            int vv;
            if (tc_registry_open(&c, db, 0) != 0)
                _exit(2);
            if (write(ready[1], "r", 1) != 1)
                _exit(3);
            for (int i = next; i < N; i++)
                if (tc_registry_register(c, "m", f[i], 0, &vv) != 0)
                    _exit(1);
            _exit(0);
        }
        char c;
        cr_assert(read(ready[0], &c, 1) == 1);
        close(ready[0]);
        close(ready[1]);
        /* A registration takes a few ms (two fsyncs): kill somewhere in the next few. */
        struct timespec d = {0, (long)(rand() % 3000) * 1000};
        nanosleep(&d, NULL);
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        killed += WIFSIGNALED(st);
        check_consistent();
        /* Every version present is whole: its file is the one with its hash, in order. */
        int64_t n = sql_int("SELECT count(*) FROM versions");
        cr_assert(n >= next && n <= N, "seed %u round %d: %lld versions", seed, round, (long long)n);
        for (int k = 0; k < n; k++) {
            char q[128], got[128];
            snprintf(q, sizeof q, "SELECT sha256 FROM versions WHERE version = %d", k + 1);
            sql_text(q, got, sizeof got);
            cr_expect(strcmp(got, sha[k]) == 0, "seed %u: v%d has sha %s, its file %s", seed, k + 1, got, sha[k]);
        }
        cr_expect(sql_int("SELECT version FROM aliases WHERE alias = 'production'") == 1);
        cr_expect(sql_int("SELECT count(*) FROM alias_history") == 1);
        next = (int)n;
    }
    cr_log_info("random crashes: seed %u, %d kills mid-way, %d of %d versions registered", seed,
                killed, next, N);
}

/* ---- bad input ------------------------------------------------------------------------- */

static void expect_err(int res, int code, const char *needle)
{
    cr_expect(res == code, "returned %d, expected %d (%s)", res, code, tc_err_msg());
    cr_expect(strstr(tc_err_msg(), needle) != NULL, "message \"%s\" lacks \"%s\"", tc_err_msg(), needle);
}

Test(registry, bad_input_is_refused_with_a_reason, .init = setup, .fini = teardown)
{
    char f[512], junk[512], moved[512];
    model_file(f, sizeof f, 1);
    snprintf(junk, sizeof junk, "%s/models/junk.safetensors", dir);
    FILE *j = fopen(junk, "w");
    fputs("this is not a model\n", j);
    fclose(j);
    tc_registry_t *r = open_rw();
    int v = -7;
    expect_err(tc_registry_register(r, "m", junk, 0, &v), -EBADMSG, "junk.safetensors");
    cr_expect(strstr(tc_err_msg(), "not a model file") != NULL, "%s", tc_err_msg());
    cr_expect(v == -7, "out-parameter untouched on failure");
    expect_err(tc_registry_register(r, "m", "/nonexistent/x.safetensors", 0, &v), -ENOENT, "/nonexistent/x");
    expect_err(tc_registry_register(r, "bad name", f, 0, &v), -EINVAL, "model name \"bad name\"");
    expect_err(tc_registry_register(r, "m", f, 4, &v), -ENOENT, "parent m:4 does not exist");
    cr_expect(sql_int("SELECT count(*) FROM versions") == 0, "failed registrations leave nothing");
    cr_assert(tc_registry_register(r, "m", f, 0, &v) == 0 && v == 1);
    expect_err(tc_registry_register(r, "m", f, 0, &v), -EEXIST, "already registered as m:1");
    expect_err(tc_registry_promote(r, "m", "production", 9, NULL), -ENOENT, "no version 9");
    expect_err(tc_registry_promote(r, "zz", "production", 1, NULL), -ENOENT, "no model \"zz\"");
    expect_err(tc_registry_promote(r, "m", "prod@x", 1, NULL), -EINVAL, "alias \"prod@x\"");
    tc_registry_version_t x;
    expect_err(tc_registry_resolve(r, "m", "canary", &x), -ENOENT, "alias \"canary\" is not set");
    expect_err(tc_registry_rollback(r, "m", "production", NULL, &v), -ENOENT, "no earlier version");
    /* A file changed after registration is not promoted. */
    snprintf(moved, sizeof moved, "%s/models/v1.safetensors", dir);
    regfix_model(moved, 999, "{}");
    expect_err(tc_registry_promote(r, "m", "production", 1, NULL), -EBADMSG, "changed since it was registered");
    unlink(moved);
    expect_err(tc_registry_promote(r, "m", "production", 1, NULL), -ENOENT, "v1.safetensors");
    cr_expect(sql_int("SELECT count(*) FROM aliases") == 0 && sql_int("SELECT count(*) FROM alias_history") == 0);
    tc_registry_close(r);

    /* history is append-only even through raw SQL. */
    sqlite3 *h;
    cr_assert(sqlite3_open(db, &h) == SQLITE_OK);
    cr_expect(sqlite3_exec(h, "INSERT INTO alias_history (model_id, alias, version, at_ns, actor)"
                              " VALUES (1, 'x', 1, 5, 'me')", NULL, NULL, NULL) == SQLITE_OK);
    cr_expect(sqlite3_exec(h, "DELETE FROM alias_history", NULL, NULL, NULL) != SQLITE_OK);
    cr_expect(strstr(sqlite3_errmsg(h), "append-only") != NULL, "%s", sqlite3_errmsg(h));
    cr_expect(sqlite3_exec(h, "UPDATE alias_history SET version = 2", NULL, NULL, NULL) != SQLITE_OK);
    cr_expect(sqlite3_exec(h, "UPDATE versions SET sha256 = 'x'", NULL, NULL, NULL) != SQLITE_OK);
    /* A newer schema is refused, by this build, with the numbers. */
    cr_assert(sqlite3_exec(h, "PRAGMA user_version = 7", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(h);
    expect_err(tc_registry_open(&r, db, TC_REGISTRY_READONLY), -EPROTO,
               "schema version 7 is newer than this build's 1");
    expect_err(tc_registry_open(&r, db, 0), -EPROTO, "newer");
}

Test(registry, corrupt_foreign_and_missing_databases_are_refused, .init = setup, .fini = teardown)
{
    tc_registry_t *r = NULL;
    expect_err(tc_registry_open(&r, db, TC_REGISTRY_READONLY), -ENOENT, "registry.db");
    cr_expect(r == NULL);
    char path[400];
    snprintf(path, sizeof path, "%s/random.db", dir);
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    unsigned char buf[8192];
    srand(42);
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)rand();
    cr_assert(write(fd, buf, sizeof buf) == (ssize_t)sizeof buf);
    close(fd);
    expect_err(tc_registry_open(&r, path, 0), -EPROTO, "random.db: not an SQLite database");
    expect_err(tc_registry_open(&r, path, TC_REGISTRY_READONLY), -EPROTO, "not an SQLite database");
    snprintf(path, sizeof path, "%s/other.db", dir);
    sqlite3 *h;
    cr_assert(sqlite3_open(path, &h) == SQLITE_OK);
    cr_assert(sqlite3_exec(h, "CREATE TABLE t (x)", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(h);
    expect_err(tc_registry_open(&r, path, 0), -EPROTO, "not a tickcast model registry");
    /* A registry that is itself corrupt (a page overwritten) is caught by SQLite. */
    char f[512];
    model_file(f, sizeof f, 1);
    cr_assert(tc_registry_open(&r, db, 0) == 0);
    int v;
    cr_assert(tc_registry_register(r, "m", f, 0, &v) == 0);
    tc_registry_close(r);
    fd = open(db, O_WRONLY);
    cr_assert(pwrite(fd, buf, 100, 0) == 100); /* the header */
    close(fd);
    int res = tc_registry_open(&r, db, 0);
    cr_expect(res == -EPROTO || res == -EBADMSG, "%d: %s", res, tc_err_msg());
    cr_expect(strstr(tc_err_msg(), "registry.db") != NULL, "%s", tc_err_msg());
}

Test(registry, time_parse_agrees_with_timegm)
{
    int64_t t;
    cr_assert(tc_registry_time_parse("2024-03-28T14:30:05Z", &t) == 0);
    cr_expect(t == utc_ns(2024, 3, 28, 14, 30, 5));
    cr_assert(tc_registry_time_parse("2024-03-28T14:30:05.25Z", &t) == 0);
    cr_expect(t == utc_ns(2024, 3, 28, 14, 30, 5) + 250000000);
    cr_assert(tc_registry_time_parse("2024-02-29", &t) == 0 && t == utc_ns(2024, 2, 29, 0, 0, 0));
    cr_assert(tc_registry_time_parse("2024-03-28T14:30", &t) == 0 && t == utc_ns(2024, 3, 28, 14, 30, 0));
    cr_assert(tc_registry_time_parse("1711636205000000001", &t) == 0 && t == 1711636205000000001LL);
    char buf[32];
    tc_registry_time_format(utc_ns(2024, 3, 28, 14, 30, 5) + 7, buf);
    cr_expect(strcmp(buf, "2024-03-28T14:30:05.000000007Z") == 0, "%s", buf);
    const char *bad[] = {"", "2023-02-29", "2024-13-01", "2024-03-28T25:00", "yesterday",
                         "2024-03-28T14:30:05+02:00", "2024-03-28T14:30:05."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect(tc_registry_time_parse(bad[i], &t) == -EINVAL, "\"%s\" accepted", bad[i]);
}
