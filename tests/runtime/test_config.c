/* test_config.c — the configuration table and loader (daemon/runtime/config.c).
 *
 * References: the defaults the design asks for (restated here by hand, not read from the
 * table), unit arithmetic done by hand, and the exact "file:line section.key: why"
 * messages.  The committed systemd/tickcast.conf and docs/CONFIG.md must equal what the
 * table prints today, so neither can go stale.
 */
#include "daemon/runtime/config.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256];

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/tc_config.XXXXXX", base && base[0] ? base : "/tmp");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(config, .init = setup, .fini = teardown);

/* Writes text to tmpdir/name; returns the path (static buffer per call site is enough). */
static const char *write_file(const char *name, const char *text)
{
    static char path[4][320];
    static int slot;
    char *p = path[slot++ & 3];
    snprintf(p, 320, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
    return p;
}

static char *read_all(const char *path, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, m);
    fclose(f);
    fclose(m);
    *ret_len = len;
    return buf;
}

static char *capture_dump(const tc_config_t *c, int docs, size_t *ret_len)
{
    char *buf = NULL;
    FILE *m = open_memstream(&buf, ret_len);
    cr_assert_eq(tc_config_dump(c, m, docs), 0);
    fclose(m);
    return buf;
}

static void value_text(const tc_config_t *c, const char *name, char *buf, size_t n)
{
    const tc_config_key_t *k = tc_config_key_find(name, NULL);
    cr_assert_not_null(k, "%s", name);
    cr_assert_geq(tc_config_value_format(c, k, buf, n), 0);
}

/* ---- the table --------------------------------------------------------------------- */

Test(config, table_is_consistent)
{
    int n;
    const tc_config_key_t *k = tc_config_keys(&n);
    cr_assert_gt(n, 40);
    for (int i = 0; i < n; i++) {
        cr_assert(k[i].doc && strlen(k[i].doc) > 10, "%s.%s has no doc", k[i].section, k[i].key);
        cr_assert_not_null(k[i].def, "%s.%s has no default", k[i].section, k[i].key);
        size_t want = 0;
        switch (k[i].type) {
        case TC_CONFIG_INT:
        case TC_CONFIG_DURATION:
        case TC_CONFIG_SIZE: want = sizeof(int64_t); break;
        case TC_CONFIG_DOUBLE: want = sizeof(double); break;
        case TC_CONFIG_BOOL: want = sizeof(bool); break;
        case TC_CONFIG_ENUM: want = sizeof(int); break;
        case TC_CONFIG_STRING: want = k[i].size; break;
        }
        cr_assert_eq(k[i].size, want, "%s.%s size", k[i].section, k[i].key);
        cr_assert_leq(k[i].offset + k[i].size, sizeof(tc_config_t));
        if (k[i].type == TC_CONFIG_ENUM)
            cr_assert_not_null(k[i].values);
        if (k[i].type == TC_CONFIG_INT || k[i].type == TC_CONFIG_DURATION ||
            k[i].type == TC_CONFIG_SIZE)
            cr_assert_leq(k[i].min, k[i].max);
        for (int j = 0; j < i; j++) {
            cr_assert(strcmp(k[i].section, k[j].section) || strcmp(k[i].key, k[j].key),
                      "%s.%s twice", k[i].section, k[i].key);
            /* no two keys share storage */
            cr_assert(k[i].offset >= k[j].offset + k[j].size ||
                      k[j].offset >= k[i].offset + k[i].size,
                      "%s.%s overlaps %s.%s", k[i].section, k[i].key, k[j].section, k[j].key);
        }
        char name[160];
        snprintf(name, sizeof name, "%s.%s", k[i].section, k[i].key);
        cr_assert_eq(tc_config_key_find(name, NULL), &k[i]);
        cr_assert_eq(tc_config_key_find(k[i].section, k[i].key), &k[i]);
    }
    cr_assert_null(tc_config_key_find("shm.nope", NULL));
    cr_assert_null(tc_config_key_find("nodot", NULL));
    int nr;
    const tc_config_rule_t *r = tc_config_rules(&nr);
    for (int i = 0; i < nr; i++) {
        cr_assert_not_null(tc_config_key_find(r[i].a, NULL), "%s", r[i].a);
        cr_assert_not_null(tc_config_key_find(r[i].b, NULL), "%s", r[i].b);
    }
}

/* Each default, written back through tc_config_set, is accepted by its own validator, and
 * prints back as the same text (so the shipped file says what the code does). */
Test(config, every_default_passes_its_validator)
{
    int n;
    const tc_config_key_t *k = tc_config_keys(&n);
    tc_config_t c;
    tc_config_defaults(&c);
    cr_assert_eq(tc_config_check(&c), 0, "%s", tc_err_msg());
    for (int i = 0; i < n; i++) {
        char name[160], text[300];
        snprintf(name, sizeof name, "%s.%s", k[i].section, k[i].key);
        cr_assert_eq(tc_config_set(&c, name, k[i].def), 0, "%s = %s: %s", name, k[i].def,
                     tc_err_msg());
        value_text(&c, name, text, sizeof text);
        cr_assert_str_eq(text, k[i].def, "%s prints as %s", name, text);
    }
}

/* The defaults of DESIGN.md and the issue, restated independently of the table. */
Test(config, defaults_are_the_documented_ones)
{
    tc_config_t c;
    memset(&c, 0x5a, sizeof c);
    cr_assert_eq(tc_config_load(&c, NULL), 0, "%s", tc_err_msg());
    cr_assert_str_eq(c.tickcastd.instance, "default");
    cr_assert_str_eq(c.tickcastd.stages, "ingest,features,infer");
    cr_assert_str_eq(c.tickcastd.consumers, "ticks:features,features:infer,predictions:strategy");
    cr_assert_str_eq(c.tickcastd.bin_dir, "");
    cr_assert_eq(c.tickcastd.restart_backoff_min, 100LL * 1000 * 1000);
    cr_assert_eq(c.tickcastd.restart_backoff_max, 10LL * 1000 * 1000 * 1000);
    cr_assert_eq(c.tickcastd.drain_timeout, 10LL * 1000 * 1000 * 1000);
    cr_assert_eq(c.tickcastd.status_interval, 1000LL * 1000 * 1000);
    cr_assert_eq(c.tickcastd.log_level, 6); /* syslog LOG_INFO */
    cr_assert_eq(c.shm.ticks_capacity, 1048576);
    cr_assert_eq(c.shm.features_capacity, 65536);
    cr_assert_eq(c.shm.predictions_capacity, 65536);
    cr_assert_eq(c.shm.orders_capacity, 65536);
    cr_assert_eq(c.shm.wait, TC_CONFIG_WAIT_FUTEX);
    cr_assert_eq(c.shm.stores, TC_CONFIG_STORES_AUTO);
    cr_assert_eq(c.shm.futex_timeout, 100LL * 1000 * 1000);
    cr_assert_eq(c.shm.heartbeat_interval, 100LL * 1000 * 1000);
    cr_assert_eq(c.shm.consumer_dead_after, 10LL * 1000 * 1000 * 1000);
    cr_assert_eq(c.ingest.source, TC_CONFIG_SOURCE_SYNTHETIC);
    cr_assert(c.ingest.pace == 0.0);
    cr_assert_eq(c.ingest.journal_roll_size, 256LL * 1024 * 1024);
    cr_assert_eq(c.ingest.journal_sync_interval, 1000LL * 1000 * 1000);
    cr_assert_eq(c.ingest.synthetic_ticks, 0);
    cr_assert_eq(c.features.bar_type, TC_CONFIG_BAR_TIME);
    cr_assert_str_eq(c.features.feature_set, "default");
    cr_assert_eq(c.features.mode, TC_CONFIG_MODE_TALIB);
    cr_assert_str_eq(c.infer.model_alias, "production");
    cr_assert_str_eq(c.http.listen, "127.0.0.1:8470");
    cr_assert(c.http.enabled);

    tc_config_t d;
    tc_config_defaults(&d);
    cr_assert_eq(memcmp(&c, &d, sizeof c), 0, "load(NULL) is exactly the defaults");
}

/* ---- value syntax ------------------------------------------------------------------ */

Test(config, durations_and_sizes_parse_exactly)
{
    static const struct { const char *text; long long want; } dur[] = {
        {"0", 0},
        {"7ns", 7},
        {"100us", 100000},
        {"250ms", 250000000},
        {"10s", 10000000000LL},
        {"1.5s", 1500000000},
        {"0.1s", 100000000}, /* exact: no binary floating point on the way */
        {"5m", 300000000000LL},
        {"2min", 120000000000LL},
        {"1h", 3600000000000LL},
        {"0.5h", 1800000000000LL},
    };
    static const struct { const char *text; long long want; } sz[] = {
        {"1048576", 1048576},
        {"64MiB", 64LL << 20},
        {"64M", 64LL << 20},
        {"1024KiB", 1LL << 20},
        {"1GiB", 1LL << 30},
        {"1.5GiB", 3LL << 29},
        {"512G", 512LL << 30},
        {"1000MB", 1000000000LL},
        {"5GB", 5000000000LL},
    };
    tc_config_t c;
    tc_config_defaults(&c);
    for (size_t i = 0; i < sizeof dur / sizeof dur[0]; i++) {
        cr_assert_eq(tc_config_set(&c, "ingest.journal_sync_interval", dur[i].text), 0,
                     "%s: %s", dur[i].text, tc_err_msg());
        cr_assert_eq(c.ingest.journal_sync_interval, dur[i].want, "%s", dur[i].text);
    }
    for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++) {
        cr_assert_eq(tc_config_set(&c, "ingest.journal_roll_size", sz[i].text), 0, "%s: %s",
                     sz[i].text, tc_err_msg());
        cr_assert_eq(c.ingest.journal_roll_size, sz[i].want, "%s", sz[i].text);
    }
    static const char *const yes[] = {"true", "Yes", "on", "1"}, *const no[] = {"false", "NO", "off", "0"};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(tc_config_set(&c, "ingest.journal_zstd", yes[i]), 0);
        cr_assert(c.ingest.journal_zstd, "%s", yes[i]);
        cr_assert_eq(tc_config_set(&c, "ingest.journal_zstd", no[i]), 0);
        cr_assert(!c.ingest.journal_zstd, "%s", no[i]);
    }
    cr_assert_eq(tc_config_set(&c, "tickcastd.log_level", "debug"), 0);
    cr_assert_eq(c.tickcastd.log_level, 7);
    cr_assert_eq(tc_config_set(&c, "shm.wait", "SPIN"), 0);
    cr_assert_eq(c.shm.wait, TC_CONFIG_WAIT_SPIN);
    cr_assert_eq(tc_config_set(&c, "strategy.threshold", "1e-4"), 0);
    cr_assert(c.strategy.threshold == 1e-4);
}

/* tc_config_set: the exact reason, and nothing changed on error. */
Test(config, set_rejects_with_reason_and_keeps_value)
{
    static const struct { const char *key, *value, *msg; } bad[] = {
        {"shm.ticks_capacity", "1000", "shm.ticks_capacity: 1000 is not a power of two"},
        {"shm.ticks_capacity", "512", "shm.ticks_capacity: 512 is out of range 1024..1073741824"},
        {"shm.ticks_capacity", "12k", "shm.ticks_capacity: '12k' is not a whole number"},
        {"infer.threads", "", "infer.threads: '' is not a whole number"},
        {"infer.threads", "99999999999999999999", "infer.threads: '99999999999999999999' is not a whole number"},
        {"shm.wait", "fast", "shm.wait: 'fast' is not one of spin, yield, futex"},
        {"shm.futex_timeout", "100", "shm.futex_timeout: '100' is not a duration (a number with a unit: ns, us, ms, s, m, h, d)"},
        {"shm.futex_timeout", "100 ms", "shm.futex_timeout: '100 ms' is not a duration (a number with a unit: ns, us, ms, s, m, h, d)"},
        {"shm.futex_timeout", "-5ms", "shm.futex_timeout: '-5ms' is not a duration (a number with a unit: ns, us, ms, s, m, h, d)"},
        {"shm.futex_timeout", "1.0000000005ms", "shm.futex_timeout: '1.0000000005ms' is not a whole number of nanoseconds"},
        {"shm.futex_timeout", "20s", "shm.futex_timeout: 20s is out of range 1ms..10s"},
        {"shm.futex_timeout", "99999999999999999999h", "shm.futex_timeout: '99999999999999999999h' is too large"},
        {"ingest.journal_roll_size", "10QB", "ingest.journal_roll_size: '10QB' is not a size (bytes, or a number with a unit: KiB, MiB, GiB, TiB, K, M, G, T, kB, MB, GB, TB)"},
        {"ingest.journal_roll_size", "4KiB", "ingest.journal_roll_size: 4KiB is out of range 1MiB..1TiB"},
        {"ingest.journal_zstd", "maybe", "ingest.journal_zstd: 'maybe' is not a boolean (true or false)"},
        {"strategy.fee_bps", "nan", "strategy.fee_bps: 'nan' is not a number"},
        {"strategy.fee_bps", "1bp", "strategy.fee_bps: '1bp' is not a number"},
        {"strategy.fee_bps", "-1", "strategy.fee_bps: -1 is out of range 0..1000"},
        {"tickcastd.instance", "a/b", "tickcastd.instance: 'a/b' has '/'; use letters, digits, '_', '-' and '.'"},
        {"tickcastd.instance", "", "tickcastd.instance: must not be empty"},
        {"tickcastd.stages", "ingest,,infer", "tickcastd.stages: 'ingest,,infer' has an empty stage"},
        {"tickcastd.stages", "ingest,infer,ingest", "tickcastd.stages: stage 'ingest' is listed twice"},
        {"tickcastd.consumers", "ticks", "tickcastd.consumers: 'ticks' is not RING:CONSUMER"},
        {"tickcastd.consumers", "bars:features", "tickcastd.consumers: 'bars' is not a ring (ticks, features, predictions, orders)"},
        {"ingest.synthetic_symbols", "", "ingest.synthetic_symbols: needs at least one symbol"},
        {"infer.zmq_pub", "localhost:5555", "infer.zmq_pub: 'localhost:5555' is not a ZeroMQ endpoint (tcp://HOST:PORT, ipc://PATH, ...)"},
        {"http.listen", "127.0.0.1:0", "http.listen: '127.0.0.1:0' is not HOST:PORT with a port 1..65535"},
        {"ingest.path", " x", "ingest.path: ' x' has leading or trailing blanks, which an INI file drops"},
        {"ingest.path", "a ;b", "ingest.path: 'a ;b' has a ';' after a blank, which an INI file reads as a comment"},
        {"ingest.path", "a\tb", "ingest.path: has a control character at position 2"},
        {"shm.nope", "1", "shm.nope: unknown key"},
    };
    tc_config_t c, before;
    tc_config_defaults(&c);
    before = c;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tc_err_clear();
        cr_assert_eq(tc_config_set(&c, bad[i].key, bad[i].value), -EINVAL, "%s=%s accepted",
                     bad[i].key, bad[i].value);
        cr_assert_str_eq(tc_err_msg(), bad[i].msg);
        cr_assert_eq(memcmp(&c, &before, sizeof c), 0, "%s changed on error", bad[i].key);
    }
    char longpath[400];
    memset(longpath, 'x', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = '\0';
    cr_assert_eq(tc_config_set(&c, "ingest.path", longpath), -EINVAL);
    cr_assert_str_eq(tc_err_msg(), "ingest.path: is longer than 255 characters");
}

/* ---- files ------------------------------------------------------------------------- */

/* One bad line at line 3 of a file; the message must be exactly "path:3 <rest>". */
static void expect_file_error(const char *body, int line, const char *rest)
{
    const char *path = write_file("bad.conf", body);
    tc_config_t c;
    tc_config_defaults(&c);
    tc_config_t before = c;
    tc_err_clear();
    cr_assert_eq(tc_config_load(&c, path), -EINVAL, "accepted:\n%s", body);
    char want[1024];
    if (line)
        snprintf(want, sizeof want, "%s:%d %s", path, line, rest);
    else
        snprintf(want, sizeof want, "%s%s", path, rest);
    cr_assert_str_eq(tc_err_msg(), want);
    cr_assert_eq(memcmp(&c, &before, sizeof c), 0);
}

Test(config, file_errors_name_file_line_section_key)
{
    expect_file_error("# ok\n[shm]\nticks_capacity = 1000\n", 3,
                      "shm.ticks_capacity: 1000 is not a power of two");
    expect_file_error("[shm]\n\nticks_capacity = 2048x\n", 3,
                      "shm.ticks_capacity: '2048x' is not a whole number");
    expect_file_error("[infer]\n; threads\nthreads = 1000\n", 3,
                      "infer.threads: 1000 is out of range 1..256");
    expect_file_error("[shm]\nspin_count = 10\nwait = fast   ; inline comment\n", 3,
                      "shm.wait: 'fast' is not one of spin, yield, futex");
    expect_file_error("[shm]\nspin_count = 10\nheartbeat_interval = 5 sec\n", 3,
                      "shm.heartbeat_interval: '5 sec' is not a duration (a number with a unit: "
                      "ns, us, ms, s, m, h, d)");
    expect_file_error("[ingest]\n\njournal_roll_size = 256Mb\n", 3,
                      "ingest.journal_roll_size: '256Mb' is not a size (bytes, or a number with a "
                      "unit: KiB, MiB, GiB, TiB, K, M, G, T, kB, MB, GB, TB)");
    expect_file_error("[shm]\nwait = spin\nticks_capcity = 2048\n", 3,
                      "shm.ticks_capcity: unknown key (did you mean shm.ticks_capacity?)");
    expect_file_error("[shm]\nwait = spin\nzzzzzzzzzz = 1\n", 3, "shm.zzzzzzzzzz: unknown key");
    expect_file_error("[shm]\n[shmm]\nwait = spin\n", 3,
                      "shmm.wait: unknown section [shmm] (did you mean [shm]?)");
    expect_file_error("[shm]\n[nothing_like_it]\nwait = spin\n", 3,
                      "nothing_like_it.wait: unknown section [nothing_like_it]");
    expect_file_error("[shm]\nwait = spin\n[shmm]\n[ingest]\n", 3,
                      "shmm: unknown section [shmm] (did you mean [shm]?)");
    expect_file_error("[shm]\nwait = spin\n[zzzzzz] ; nothing under it\n", 3,
                      "zzzzzz: unknown section [zzzzzz]");
    expect_file_error("[shm]\nwait = spin\nwait = yield\n", 3, "shm.wait: set twice (first on line 2)");
    expect_file_error("[shm]\nwait = spin\n  spin_count = 5\n", 3,
                      "shm.wait: an indented line continues the previous value; remove the indentation");
    expect_file_error("wait = spin\n", 1, "wait: key before any [section]");
    expect_file_error("[tickcastd]\nlog_level = info\ncpu_affinity = ingest:0 features:2-1\n", 3,
                      "tickcastd.cpu_affinity: stage 'features': 2-1 is a backward range");
    expect_file_error("[tickcastd]\nlog_level = info\ncpu_affinity = ingest:0 ingest:1\n", 3,
                      "tickcastd.cpu_affinity: stage 'ingest' is listed twice");
    expect_file_error("[tickcastd]\nlog_level = info\ncpu_affinity = ingest 0\n", 3,
                      "tickcastd.cpu_affinity: 'ingest' is not STAGE:CPUS (like ingest:0 or infer:1-3)");
    /* indentation right after a header is no continuation: accepted */
    tc_config_t c;
    cr_assert_eq(tc_config_load(&c, write_file("indent.conf", "[shm]\n  wait = spin\n")), 0,
                 "%s", tc_err_msg());
    cr_assert_eq(c.shm.wait, TC_CONFIG_WAIT_SPIN);
    /* syntax errors: inih's own, reported by line without a key */
    expect_file_error("[shm]\nwait = spin\njust words\n", 0, ":3: expected '[section]' or 'key = value'");
    expect_file_error("[shm]\nwait = spin\n[ingest\n", 0, ":3: expected '[section]' or 'key = value'");
    /* a NUL byte: fputs would stop at it, so this one is written by length */
    static const char nul[] = "[shm]\nwait = spin\nwait\0= x\n";
    const char *path = write_file("nul.conf", "");
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fwrite(nul, 1, sizeof nul - 1, f);
    fclose(f);
    cr_assert_eq(tc_config_load(&c, path), -EINVAL);
    char want[400];
    snprintf(want, sizeof want, "%s:3: has a NUL byte", path);
    cr_assert_str_eq(tc_err_msg(), want);

    /* with several problems, the first is reported and the rest counted */
    expect_file_error("[shm]\nwait = spin\nwait = fast\nnope = 1\n[x]\ny = 1\n", 3,
                      "shm.wait: set twice (first on line 2) (and 2 more errors)");
}

Test(config, long_line_is_an_error_not_a_split)
{
    /* inih's line buffer is 200 bytes: 198 characters and the newline fit */
    char body[600];
    int n = snprintf(body, sizeof body, "[ingest]\npath = ");
    memset(body + n, 'p', 198 - 7);
    strcpy(body + n + 198 - 7, "\n");
    tc_config_t c;
    cr_assert_eq(tc_config_load(&c, write_file("ok.conf", body)), 0, "%s", tc_err_msg());
    cr_assert_eq(strlen(c.ingest.path), 198 - 7);
    n = snprintf(body, sizeof body, "[ingest]\npath = ");
    memset(body + n, 'p', 300);
    strcpy(body + n + 300, "\nformat = csv\n");
    expect_file_error(body, 0, ":2: line is longer than 198 characters");
}

Test(config, cross_key_rules_name_the_key_set_last)
{
    expect_file_error("[tickcastd]\n\nrestart_backoff_min = 20s\n", 3,
                      "tickcastd.restart_backoff_min: tickcastd.restart_backoff_min (20s) is "
                      "greater than tickcastd.restart_backoff_max (10s)");
    expect_file_error("[tickcastd]\nrestart_backoff_min = 2s\nrestart_backoff_max = 1s\n", 3,
                      "tickcastd.restart_backoff_max: tickcastd.restart_backoff_min (2s) is "
                      "greater than tickcastd.restart_backoff_max (1s)");
    expect_file_error("[shm]\n\nheartbeat_interval = 6s\n", 3,
                      "shm.heartbeat_interval: shm.consumer_dead_after (10s) is less than twice "
                      "shm.heartbeat_interval (6s)");
    expect_file_error("[ingest]\n\nsource = file\n", 3,
                      "ingest.source: ingest.source (file) needs a tick file in ingest.path ()");
    expect_file_error("[features]\nbar_type = tick\nbar_size = 2.5\n", 3,
                      "features.bar_size: features.bar_type (tick) needs a whole number of ticks "
                      "in features.bar_size (2.5)");
    expect_file_error("[infer]\nthreads = 2\nzmq_pub = tcp://127.0.0.1:8472\n", 3,
                      "infer.zmq_pub: strategy.zmq_pub (tcp://127.0.0.1:8472) is the same "
                      "endpoint as infer.zmq_pub (tcp://127.0.0.1:8472)");
    expect_file_error("[tickcastd]\nstages = ingest,features\ncpu_affinity = ingest:0 infer:1\n", 3,
                      "tickcastd.cpu_affinity: tickcastd.cpu_affinity (ingest:0 infer:1) pins stage "
                      "'infer', which is not in tickcastd.stages (ingest,features)");
    expect_file_error("[tickcastd]\ncpu_affinity = ingest:0 infer:1\nstages = ingest\n", 3,
                      "tickcastd.stages: tickcastd.cpu_affinity (ingest:0 infer:1) pins stage "
                      "'infer', which is not in tickcastd.stages (ingest)");

    tc_config_t c;
    tc_config_defaults(&c);
    c.tickcastd.restart_backoff_min = c.tickcastd.restart_backoff_max + 1;
    cr_assert_eq(tc_config_check(&c), -EINVAL);
    cr_assert_str_eq(tc_err_msg(), "tickcastd.restart_backoff_min: tickcastd.restart_backoff_min "
                                   "(10000000001ns) is greater than tickcastd.restart_backoff_max (10s)");
}

/* The SIGHUP rule: a bad file leaves the running configuration exactly as it was, even
 * when the bad line comes after many good ones. */
Test(config, bad_file_leaves_config_untouched)
{
    const char *good = write_file("good.conf",
                                  "[tickcastd]\ninstance = prod\nrestart_backoff_max = 30s\n"
                                  "[shm]\nticks_capacity = 4096\nwait = yield\n");
    tc_config_t running;
    cr_assert_eq(tc_config_load(&running, good), 0, "%s", tc_err_msg());
    cr_assert_str_eq(running.tickcastd.instance, "prod");
    cr_assert_eq(running.shm.ticks_capacity, 4096);
    tc_config_t snapshot = running;

    const char *bad = write_file("reload.conf",
                                 "[tickcastd]\ninstance = other\nrestart_backoff_max = 1m\n"
                                 "[shm]\nticks_capacity = 8192\nwait = spin\n"
                                 "[ingest]\nsynthetic_rate = fast\n");
    cr_assert_eq(tc_config_load(&running, bad), -EINVAL);
    char want[600];
    snprintf(want, sizeof want, "%s:8 ingest.synthetic_rate: 'fast' is not a number", bad);
    cr_assert_str_eq(tc_err_msg(), want);
    cr_assert_eq(memcmp(&running, &snapshot, sizeof running), 0);

    cr_assert_eq(tc_config_load(&running, write_file("x", "")), 0); /* empty file = defaults */
    tc_config_t d;
    tc_config_defaults(&d);
    cr_assert_eq(memcmp(&running, &d, sizeof d), 0);

    running = snapshot;
    cr_assert_eq(tc_config_load(&running, tmpdir), -EISDIR);
    snprintf(want, sizeof want, "%s: is a directory", tmpdir);
    cr_assert_str_eq(tc_err_msg(), want);
    cr_assert_eq(memcmp(&running, &snapshot, sizeof running), 0);

    snprintf(want, sizeof want, "%s/missing.conf", tmpdir);
    running = snapshot;
    cr_assert_eq(tc_config_load(&running, want), -ENOENT);
    cr_assert_eq(memcmp(&running, &snapshot, sizeof running), 0);
}

Test(config, lint_reports_every_problem_in_order)
{
    const char *path = write_file("lint.conf", "[shm]\n"
                                               "ticks_capacity = 1000\n"    /* 2 */
                                               "what is this\n"             /* 3 */
                                               "wait = fast\n"              /* 4 */
                                               "[nope]\n"                   /* 5 */
                                               "[ingest\n"                  /* 6 */
                                               "pace = x ; comment\n"       /* 7 */
                                               "[features]\n"
                                               "bar_type = ; empty\n"       /* 9 */
                                               "bar_size = 0\n");           /* 10 */
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    char *ov[] = {"http.listen=nowhere", "shm.wait=spin"};
    cr_assert_eq(tc_config_lint(path, ov, 2, m), 8);
    fclose(m);
    char want[4096];
    snprintf(want, sizeof want,
             "%1$s:2 shm.ticks_capacity: 1000 is not a power of two\n"
             "%1$s:3: expected '[section]' or 'key = value'\n"
             "%1$s:4 shm.wait: 'fast' is not one of spin, yield, futex\n"
             "%1$s:6: expected '[section]' or 'key = value'\n"
             "%1$s:7 nope.pace: unknown section [nope]\n" /* a broken header changes nothing */
             "%1$s:9 features.bar_type: '' is not one of time, tick, volume, dollar\n"
             "%1$s:10 features.bar_size: 0 is out of range 0.001..1e+15\n"
             "-o http.listen: 'nowhere' is not HOST:PORT with a port 1..65535\n", path);
    cr_assert_str_eq(text, want);
    free(text);

    /* good file, one broken rule through the overrides */
    char *ov2[] = {"ingest.source=zmq"};
    m = open_memstream(&text, &len);
    cr_assert_eq(tc_config_lint(NULL, ov2, 1, m), 1);
    fclose(m);
    cr_assert_str_eq(text, "-o ingest.source: ingest.source (zmq) needs an endpoint in "
                           "ingest.zmq_endpoint ()\n");
    free(text);
    m = open_memstream(&text, &len);
    cr_assert_eq(tc_config_lint(NULL, NULL, 0, m), 0);
    fclose(m);
    cr_assert_str_eq(text, "");
    free(text);
}

Test(config, reload_logs_changes_or_keeps_the_old)
{
    tc_config_t running;
    tc_config_defaults(&running);
    char *log = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&log, &len);
    tc_log_set_sink(m);
    int old_level = tc_log_set_level(TC_LOG_INFO);

    const char *next = write_file("next.conf", "[shm]\nwait = spin\nticks_capacity = 2048\n"
                                               "[infer]\nzmq_pub =\n");
    cr_assert_eq(tc_config_reload(&running, next, NULL, 0), 3, "%s", tc_err_msg());
    cr_assert_eq(running.shm.wait, TC_CONFIG_WAIT_SPIN);
    fflush(m);
    cr_assert_str_eq(log, "<5>config reload: shm.ticks_capacity: 1048576 -> 2048 (applies at restart)\n"
                          "<5>config reload: shm.wait: futex -> spin\n"
                          "<5>config reload: infer.zmq_pub: tcp://127.0.0.1:8471 -> \"\" (applies at restart)\n");

    tc_config_t before = running;
    const char *bad = write_file("bad_next.conf", "[shm]\nwait = yield\nticks_capacity = 3\n");
    cr_assert_eq(tc_config_reload(&running, bad, NULL, 0), -EINVAL);
    char want[400];
    snprintf(want, sizeof want, "%s:3 shm.ticks_capacity: 3 is not a power of two", bad);
    cr_assert_str_eq(tc_err_msg(), want);
    cr_assert_eq(memcmp(&running, &before, sizeof running), 0, "the old config stays");
    cr_assert_eq(tc_config_reload(&running, next, NULL, 0), 0, "same file again: no change");

    tc_log_set_level(old_level);
    tc_log_set_sink(NULL);
    fclose(m);
    free(log);
}

Test(config, overrides_apply_after_file_and_before_rules)
{
    const char *path = write_file("o.conf", "[tickcastd]\nrestart_backoff_min = 20s\n");
    char *ok[] = {"tickcastd.restart_backoff_max=1m", "shm.wait=spin"};
    tc_config_t c;
    cr_assert_eq(tc_config_load_overrides(&c, path, ok, 2), 0, "%s", tc_err_msg());
    cr_assert_eq(c.tickcastd.restart_backoff_min, 20LL * 1000000000);
    cr_assert_eq(c.tickcastd.restart_backoff_max, 60LL * 1000000000);
    cr_assert_eq(c.shm.wait, TC_CONFIG_WAIT_SPIN);

    tc_config_t before = c;
    char *bad1[] = {"shm.ticks_capacity=3"};
    cr_assert_eq(tc_config_load_overrides(&c, NULL, bad1, 1), -EINVAL);
    cr_assert_str_eq(tc_err_msg(), "-o shm.ticks_capacity: 3 is not a power of two");
    char *bad2[] = {"shm.ticks_capacity"};
    cr_assert_eq(tc_config_load_overrides(&c, NULL, bad2, 1), -EINVAL);
    cr_assert_str_eq(tc_err_msg(), "-o shm.ticks_capacity: expected section.key=value");
    char *bad3[] = {"tickcastd.restart_backoff_max=50ms"};
    cr_assert_eq(tc_config_load_overrides(&c, NULL, bad3, 1), -EINVAL);
    cr_assert_str_eq(tc_err_msg(), "-o tickcastd.restart_backoff_max: tickcastd.restart_backoff_min "
                                   "(100ms) is greater than tickcastd.restart_backoff_max (50ms)");
    char *bad4[] = {"shm.tick_capacity=4096"};
    cr_assert_eq(tc_config_load_overrides(&c, NULL, bad4, 1), -EINVAL);
    cr_assert_str_eq(tc_err_msg(), "-o shm.tick_capacity: unknown key");
    cr_assert_eq(memcmp(&c, &before, sizeof c), 0);
}

/* A config with every key away from its default: dump, load, compare key by key. */
Test(config, dump_loads_back_identical)
{
    static const char *const set[][2] = {
        {"tickcastd.instance", "lab-2"}, {"tickcastd.stages", "ingest, features"},
        {"tickcastd.consumers", "ticks:features"},
        {"tickcastd.bin_dir", "/opt/tc/bin"}, {"tickcastd.state_dir", "state"},
        {"tickcastd.restart_backoff_min", "250ms"}, {"tickcastd.restart_backoff_max", "1.5s"},
        {"tickcastd.restart_window", "2h"}, {"tickcastd.restart_max", "0"},
        {"tickcastd.start_timeout", "0"}, {"tickcastd.drain_timeout", "90s"},
        {"tickcastd.status_interval", "100ms"}, {"tickcastd.log_level", "debug"},
        {"tickcastd.cpu_affinity", "ingest:0 features:0-1"},
        {"shm.ticks_capacity", "2048"}, {"shm.features_capacity", "128"},
        {"shm.predictions_capacity", "256"}, {"shm.orders_capacity", "64"},
        {"shm.wait", "yield"}, {"shm.stores", "streaming"}, {"shm.spin_count", "7"}, {"shm.yield_count", "0"},
        {"shm.futex_timeout", "1500us"}, {"shm.heartbeat_interval", "7ms"},
        {"shm.consumer_dead_after", "1h"}, {"shm.mlock", "yes"},
        {"ingest.source", "zmq"}, {"ingest.path", "ticks/a b.csv"}, {"ingest.format", "csv"},
        {"ingest.zmq_endpoint", "tcp://feed:5556"}, {"ingest.zmq_subscribe", "t.EUR"},
        {"ingest.pace", "0.1"}, {"ingest.journal_dir", ""},
        {"ingest.journal_roll_size", "1000000007"}, {"ingest.journal_roll_daily", "off"},
        {"ingest.journal_zstd", "on"}, {"ingest.journal_sync_interval", "3ns"},
        {"ingest.synthetic_seed", "9223372036854775807"},
        {"ingest.synthetic_symbols", "A,B.C"}, {"ingest.synthetic_ticks", "123456789"},
        {"ingest.synthetic_rate", "333.33333333333331"}, {"ingest.outlier_window", "3"},
        {"ingest.outlier_mad_k", "7.5"}, {"ingest.crossed_policy", "keep"},
        {"ingest.stale_gap", "0"},
        {"features.bar_type", "dollar"}, {"features.bar_size", "1e+14"},
        {"features.feature_set", "minimal"}, {"features.mode", "precise"},
        {"infer.registry", "/var/lib/x/reg.db"}, {"infer.model_alias", "staging"},
        {"infer.model", "eurusd"}, {"ingest.clean", "zero_size=drop;SPY:outlier=keep"}, {"infer.model_file", "models/m.safetensors"},
        {"infer.model_poll", "250ms"},
        {"infer.zmq_pub", ""}, {"infer.threads", "2"},
        {"strategy.name", "momentum"}, {"strategy.threshold", "0.1"},
        {"strategy.fee_bps", "0.25"}, {"strategy.max_position", "1e+12"},
        {"strategy.zmq_pub", "ipc://sig=1:x"},
        {"monitor.psi_threshold", "0.30000000000000004"}, {"monitor.ks_window", "10"},
        {"monitor.retrain_cooldown", "0"}, {"monitor.zmq_pub", "inproc://m"},
        {"http.enabled", "false"}, {"http.listen", "[::1]:9000"},
    };
    int n;
    const tc_config_key_t *k = tc_config_keys(&n);
    cr_assert_eq((int)(sizeof set / sizeof set[0]), n, "the test moves every key");
    tc_config_t c, d;
    tc_config_defaults(&c);
    tc_config_defaults(&d);
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        cr_assert_eq(tc_config_set(&c, set[i][0], set[i][1]), 0, "%s: %s", set[i][0], tc_err_msg());
    cr_assert_eq(tc_config_check(&c), 0, "%s", tc_err_msg());
    const tc_config_key_t *changed[128] = {k};
    cr_assert_eq(tc_config_diff(&c, &d, changed, 128), n, "every key differs from its default");

    for (int docs = 0; docs <= 1; docs++) {
        size_t len;
        char *text = capture_dump(&c, docs, &len);
        const char *path = write_file(docs ? "docs.conf" : "plain.conf", text);
        free(text);
        tc_config_t back;
        cr_assert_eq(tc_config_load(&back, path), 0, "%s", tc_err_msg());
        cr_assert_eq(tc_config_diff(&c, &back, changed, 128), 0, "first: %s.%s",
                     changed[0]->section, changed[0]->key);
        /* value by value, not only as text: doubles and durations bit-exact */
        for (int i = 0; i < n; i++) {
            const char *a = (const char *)&c + k[i].offset, *b = (const char *)&back + k[i].offset;
            size_t sz = k[i].type == TC_CONFIG_STRING ? strlen(a) + 1 : k[i].size;
            cr_assert_eq(memcmp(a, b, sz), 0, "%s.%s", k[i].section, k[i].key);
        }
    }
    cr_assert(c.ingest.pace == 0.1 && c.monitor.psi_threshold == 0.1 + 0.2);
}

Test(config, diff_names_changed_keys)
{
    tc_config_t a, b;
    tc_config_defaults(&a);
    b = a;
    cr_assert_eq(tc_config_set(&b, "shm.ticks_capacity", "2048"), 0);
    cr_assert_eq(tc_config_set(&b, "infer.model_alias", "staging"), 0);
    const tc_config_key_t *k[1];
    cr_assert_eq(tc_config_diff(&a, &b, k, 1), 2);
    cr_assert_str_eq(k[0]->key, "ticks_capacity");
    cr_assert(k[0]->flags & TC_CONFIG_RESTART);
    cr_assert_eq(tc_config_diff(&a, &a, k, 1), 0);
}

Test(config, check_catches_a_corrupt_struct)
{
    tc_config_t c;
    tc_config_defaults(&c);
    c.shm.wait = 9;
    cr_assert_eq(tc_config_check(&c), -EINVAL);
    cr_assert_str_eq(tc_err_msg(), "shm.wait: '9' is not one of spin, yield, futex");
    tc_config_defaults(&c);
    c.shm.ticks_capacity = 3000;
    cr_assert_eq(tc_config_check(&c), -EINVAL);
    cr_assert_str_eq(tc_err_msg(), "shm.ticks_capacity: 3000 is not a power of two");
}

Test(config, list_split_and_path_resolve)
{
    char items[4][TC_CONFIG_NAME_MAX];
    cr_assert_eq(tc_config_list_split(" ingest , features,infer ,", items, 4), 3);
    cr_assert_str_eq(items[0], "ingest");
    cr_assert_str_eq(items[1], "features");
    cr_assert_str_eq(items[2], "infer");
    cr_assert_eq(tc_config_list_split("a,b,c,d,e,f", items, 4), 6);
    cr_assert_str_eq(items[3], "d");
    cr_assert_eq(tc_config_list_split("", items, 4), 0);

    tc_config_t c;
    tc_config_defaults(&c);
    char buf[64];
    unsetenv("STATE_DIRECTORY");
    cr_assert_eq(tc_config_path_resolve(&c, "journal", buf, sizeof buf), 7);
    cr_assert_str_eq(buf, "journal");
    setenv("STATE_DIRECTORY", "/var/lib/tickcast:/var/lib/other", 1);
    tc_config_path_resolve(&c, "journal", buf, sizeof buf);
    cr_assert_str_eq(buf, "/var/lib/tickcast/journal");
    tc_config_path_resolve(&c, "/abs/j", buf, sizeof buf);
    cr_assert_str_eq(buf, "/abs/j");
    cr_assert_eq(tc_config_path_resolve(&c, "", buf, sizeof buf), 0);
    cr_assert_eq(tc_config_set(&c, "tickcastd.state_dir", "/srv/tc/"), 0);
    tc_config_path_resolve(&c, "models/r.db", buf, sizeof buf);
    cr_assert_str_eq(buf, "/srv/tc/models/r.db");
    cr_assert_eq(tc_config_path_resolve(&c, "models/r.db", buf, 8), -ENAMETOOLONG);
    unsetenv("STATE_DIRECTORY");
}

/* ---- the command line --------------------------------------------------------------- */

/* Runs `tickcast config ARGS`; returns the exit status, stdout and stderr (malloc'd). */
static int tickcast_config(const char *args, char **ret_out, char **ret_err)
{
    char tool[512], cmd[2048], errpath[320];
    snprintf(tool, sizeof tool, "%s/tickcast", TC_BIN_DIR);
    if (access(tool, X_OK) != 0)
        cr_skip_test("%s is not built", tool);
    snprintf(errpath, sizeof errpath, "%s/stderr", tmpdir);
    snprintf(cmd, sizeof cmd, "'%s' config %s 2>'%s'", tool, args, errpath);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        fwrite(buf, 1, n, m);
    fclose(m);
    int st = pclose(p);
    *ret_out = out;
    *ret_err = read_all(errpath, &len);
    cr_assert_not_null(*ret_err);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(config, cli_check_get_and_dump)
{
    char args[1024], want[1024], *out, *err;
    const char *bad = write_file("cli_bad.conf", "[shm]\nwait = spin\nticks_capacity = 1000\n");
    snprintf(args, sizeof args, "--check --config '%s'", bad);
    cr_assert_eq(tickcast_config(args, &out, &err), 1);
    snprintf(want, sizeof want, "tickcast config: %s:3 shm.ticks_capacity: 1000 is not a power of two\n", bad);
    cr_assert_str_eq(err, want, "one line on stderr");
    cr_assert_str_eq(out, "");
    free(out);
    free(err);

    /* every problem, in file order, then a count */
    const char *worse = write_file("cli_worse.conf", "[shm]\nwait = fast\nnope\n[shmm]\n"
                                                     "[infer]\nthreads = 0\n");
    snprintf(args, sizeof args, "--check --config '%s'", worse);
    cr_assert_eq(tickcast_config(args, &out, &err), 1);
    snprintf(want, sizeof want,
             "tickcast config: %s:2 shm.wait: 'fast' is not one of spin, yield, futex\n"
             "tickcast config: %s:3: expected '[section]' or 'key = value'\n"
             "tickcast config: %s:4 shmm: unknown section [shmm] (did you mean [shm]?)\n"
             "tickcast config: %s:6 infer.threads: 0 is out of range 1..256\n"
             "tickcast config: 4 problems in %s\n", worse, worse, worse, worse, worse);
    cr_assert_str_eq(err, want);
    free(out);
    free(err);

    const char *good = write_file("cli_good.conf", "[shm]\nwait = spin\n");
    snprintf(args, sizeof args, "--check -c '%s'", good);
    cr_assert_eq(tickcast_config(args, &out, &err), 0, "%s", err);
    snprintf(want, sizeof want, "%s: ok\n", good);
    cr_assert_str_eq(out, want);
    free(out);
    free(err);

    snprintf(args, sizeof args, "-c '%s' -o shm.ticks_capacity=4096 --get shm.ticks_capacity", good);
    cr_assert_eq(tickcast_config(args, &out, &err), 0, "%s", err);
    cr_assert_str_eq(out, "4096\n");
    free(out);
    free(err);

    cr_assert_eq(tickcast_config("-o shm.wait=slow --dump", &out, &err), 1);
    cr_assert_str_eq(err, "tickcast config: -o shm.wait: 'slow' is not one of spin, yield, futex\n");
    free(out);
    free(err);

    /* the dump of a file's effective values loads back to them */
    snprintf(args, sizeof args, "-c '%s' -o ingest.pace=0.5 --dump", good);
    cr_assert_eq(tickcast_config(args, &out, &err), 0, "%s", err);
    tc_config_t c;
    cr_assert_eq(tc_config_load(&c, write_file("cli_dump.conf", out)), 0, "%s", tc_err_msg());
    cr_assert_eq(c.shm.wait, TC_CONFIG_WAIT_SPIN);
    cr_assert(c.ingest.pace == 0.5);
    free(out);
    free(err);
}

/* --json, read back by Python's json module (an independent parser): every key, typed. */
Test(config, cli_json_parses_with_every_key)
{
    /* Debian's interpreter (tools/install-deps.sh installs it) before whatever is first
     * on PATH, which may be a slow version-manager shim */
    const char *py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    if (strcmp(py, "python3") == 0 && system("command -v python3 >/dev/null 2>&1") != 0)
        cr_skip_test("python3 is not installed: no independent JSON parser");
    char tool[512], cmd[2048];
    snprintf(tool, sizeof tool, "%s/tickcast", TC_BIN_DIR);
    if (access(tool, X_OK) != 0)
        cr_skip_test("%s is not built", tool);
    /* a path with a quote and a backslash, to exercise escaping */
    snprintf(cmd, sizeof cmd,
             "'%s' config --json -o 'ingest.path=a\"b\\c' -o shm.mlock=true -o strategy.fee_bps=0.25 | "
             "%s -c 'import json,sys; d=json.load(sys.stdin); "
             "print(sum(len(v) for v in d.values()), d[\"ingest\"][\"path\"], "
             "d[\"shm\"][\"ticks_capacity\"] + 1, d[\"shm\"][\"mlock\"] is True, "
             "d[\"strategy\"][\"fee_bps\"] * 4, d[\"shm\"][\"wait\"], d[\"ingest\"][\"journal_roll_size\"])'",
             tool, py);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char line[512] = "";
    cr_assert_not_null(fgets(line, sizeof line, p), "no output from %s", cmd);
    cr_assert_eq(pclose(p), 0);
    int n;
    tc_config_keys(&n);
    char want[512];
    snprintf(want, sizeof want, "%d a\"b\\c 1048577 True 1.0 futex 256MiB\n", n);
    cr_assert_str_eq(line, want);
}

/* ---- committed files that come from the table ---------------------------------------- */

static void expect_same_as_committed(const char *rel, const char *made, size_t made_len,
                                     const char *regen)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", TC_SOURCE_DIR, rel);
    size_t len;
    char *committed = read_all(path, &len);
    cr_assert_not_null(committed, "%s is missing", path);
    size_t at = 0;
    while (at < len && at < made_len && committed[at] == made[at])
        at++;
    int line = 1;
    for (size_t i = 0; i < at; i++)
        line += made[i] == '\n';
    cr_assert(len == made_len && at == len,
              "%s is stale from line %d; regenerate it with `%s`", rel, line, regen);
    free(committed);
}

Test(config, shipped_conf_is_the_default_dump)
{
    tc_config_t c;
    tc_config_defaults(&c);
    size_t len;
    char *made = capture_dump(&c, 1, &len);
    expect_same_as_committed("systemd/tickcast.conf", made, len,
                             "tickcast config --dump --docs > systemd/tickcast.conf");
    /* and it loads back to the defaults */
    tc_config_t back;
    char path[512];
    snprintf(path, sizeof path, "%s/systemd/tickcast.conf", TC_SOURCE_DIR);
    cr_assert_eq(tc_config_load(&back, path), 0, "%s", tc_err_msg());
    cr_assert_eq(memcmp(&back, &c, sizeof c), 0);
    free(made);
}

Test(config, config_md_is_the_table)
{
    char *made = NULL;
    size_t len;
    FILE *m = open_memstream(&made, &len);
    cr_assert_eq(tc_config_markdown(m), 0);
    fclose(m);
    expect_same_as_committed("docs/CONFIG.md", made, len,
                             "tickcast config --markdown > docs/CONFIG.md");
    int n;
    const tc_config_key_t *k = tc_config_keys(&n);
    for (int i = 0; i < n; i++) {
        char cell[128];
        snprintf(cell, sizeof cell, "| `%s` |", k[i].key);
        cr_assert_not_null(strstr(made, cell), "%s.%s not documented", k[i].section, k[i].key);
    }
    free(made);
}
