/* test_zmqfeed.c — the live ZeroMQ tick feed (ingest/zmqfeed.h) against a real publisher:
 * tools/feed_publisher.py, written with Debian's python3-zmq and python3-msgpack from
 * docs/PROTOCOL.md, run over ipc:// on this machine only.
 *
 * Ticks of three shared files (tardis trades with per-row price exponents, tardis
 * quotes, Yahoo daily bars) are imported with tc_import, written as exact decimals to a
 * temporary CSV, published by the script and must arrive equal, field by field, in
 * order, with the symbol ids the caller's table gave.  The script also injects a fixed
 * set of bad messages (each reason counted exactly), a message with unknown keys (it
 * must arrive), ticks on a topic nobody subscribed to (they must not), and sequence
 * gaps (counted).  The publisher is an XPUB that waits for the subscriptions, so no
 * message is lost to the slow-joiner problem.  Bounded: 20 s at most, a few normally.
 * Last, the same path end to end: tickcast-ingest with ingest.source = zmq puts the
 * published ticks into an instance's ticks ring, unchanged. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "ingest/import.h"
#include "ingest/zmqfeed.h"
#include "shm/ring.h"
#include "shm/segment.h"
#include "tests/common/csvtab.h"

#define PY "/usr/bin/python3"

static char dir[256];
static pid_t child = -1, stage = -1;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/tc_zmqfeed_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    pid_t *kids[] = {&child, &stage};
    for (int i = 0; i < 2; i++)
        if (*kids[i] > 0) {
            kill(*kids[i], SIGKILL);
            waitpid(*kids[i], NULL, 0);
            *kids[i] = -1;
        }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(zmqfeed, .init = setup, .fini = teardown);

static void need_python(void)
{
    if (access(PY, X_OK) != 0)
        cr_skip_test(PY " is missing (Debian's python3 with python3-zmq and python3-msgpack)");
    if (system(PY " -c 'import zmq, msgpack' >/dev/null 2>&1") != 0)
        cr_skip_test("python3-zmq or python3-msgpack is not installed for " PY);
}

/* ---- the ticks: imported from shared files ------------------------------------------------- */

typedef struct src {
    const char *rel;
    int want;
    tc_tick_t *t;
    int n;
    char sym[TC_SYMBOL_NAME_MAX];
} src_t;

static void load(src_t *s)
{
    const char *path = tc_shared_path(s->rel);
    if (access(path, R_OK) != 0)
        cr_skip_test("shared data missing: %s", path);
    tc_import_t *im = tc_import_open(path, NULL);
    cr_assert_not_null(im, "%s", tc_err_msg());
    s->t = calloc((size_t)s->want, sizeof *s->t);
    cr_assert_not_null(s->t);
    int k;
    while (s->n < s->want && (k = tc_import_read(im, s->t + s->n, s->want - s->n)) > 0)
        s->n += k;
    cr_assert_eq(s->n, s->want, "%s: %d ticks", s->rel, s->n);
    snprintf(s->sym, sizeof s->sym, "%s", tc_import_symbol(im)->name);
    tc_import_close(im);
}

/* The caller's symbol table: fixed ids, anything else refused. */
typedef struct symtab {
    const char *name[4];
    int id[4];
    int calls;
} symtab_t;

static int symtab_add(void *ctx, const tc_symbol_t *sym)
{
    symtab_t *st = ctx;
    st->calls++;
    for (int i = 0; i < 4 && st->name[i]; i++)
        if (!strcmp(st->name[i], sym->name))
            return st->id[i];
    return -EPERM;
}

static pid_t spawn(char *const argv[], const char *out_path)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int fd = out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600) : -1;
        if (fd >= 0)
            dup2(fd, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Waits up to ms for the child; returns its exit status, or -1 if it is still running. */
static int reap(pid_t pid, int ms)
{
    for (int i = 0; i <= ms / 10; i++) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            if (pid == child)
                child = -1;
            if (pid == stage)
                stage = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (i < ms / 10)
            usleep(10000);
    }
    return -1;
}

static void tick_diff(int i, const tc_tick_t *got, const tc_tick_t *want)
{
    cr_log_error("tick %d: got kind %u sym %u ts %lld/%lld v %lld %lld %lld %lld %lld exp %d/%d flags %u venue %u cond %u; "
                 "want kind %u sym %u ts %lld/%lld v %lld %lld %lld %lld %lld exp %d/%d flags %u venue %u cond %u",
                 i, got->kind, got->sym, (long long)got->ts_event, (long long)got->ts_recv,
                 (long long)got->v[0], (long long)got->v[1], (long long)got->v[2], (long long)got->v[3],
                 (long long)got->v[4], got->px_exp, got->qty_exp, got->flags, got->venue, got->cond,
                 want->kind, want->sym, (long long)want->ts_event, (long long)want->ts_recv,
                 (long long)want->v[0], (long long)want->v[1], (long long)want->v[2], (long long)want->v[3],
                 (long long)want->v[4], want->px_exp, want->qty_exp, want->flags, want->venue, want->cond);
}

Test(zmqfeed, python_publisher_ticks_arrive_unchanged, .timeout = 60)
{
    need_python();
    src_t src[3] = {
        {.rel = "data/ticks/crypto_tardis_binancefutures_btcusdt_trades_20200222.csv", .want = 2500},
        {.rel = "data/ticks/crypto_tardis_binancefutures_btcusdt_quotes_20200222.csv", .want = 1500},
        {.rel = "data/ticks/bars_daily_orcl_yahoo.csv", .want = 400},
    };
    for (int s = 0; s < 3; s++)
        load(&src[s]);
    cr_assert_str_eq(src[0].sym, "BTCUSDT");
    cr_assert_str_eq(src[2].sym, "ORCL");
    symtab_t tab = {.name = {"BTCUSDT", "ORCL"}, .id = {7, 3}};

    /* Interleave the sources round-robin and write the publisher's CSV. */
    int total = src[0].n + src[1].n + src[2].n;
    tc_tick_t *want = calloc((size_t)total, sizeof *want);
    char csv[300];
    snprintf(csv, sizeof csv, "%s/ticks.csv", dir);
    FILE *f = fopen(csv, "w");
    cr_assert_not_null(f);
    fprintf(f, "#symbol,%s\n", TC_IMPORT_TEXT_HEADER + 18);
    int n = 0, idx[3] = {0};
    while (n < total)
        for (int s = 0; s < 3; s++) {
            if (idx[s] == src[s].n)
                continue;
            tc_tick_t t = src[s].t[idx[s]++];
            char line[300];
            cr_assert_gt(tc_import_text_fmt(line, sizeof line, &t), 0);
            fprintf(f, "%s,%s", src[s].sym, line);
            t.sym = (uint16_t)(s == 2 ? 3 : 7);
            want[n++] = t;
        }
    cr_assert_eq(fclose(f), 0);

    /* Subscribe first: the publisher waits for both subscriptions before sending. */
    char ep[300];
    snprintf(ep, sizeof ep, "ipc://%s/feed.sock", dir);
    const char *topics[] = {"tick.BTC", "tick.ORCL", NULL};
    tc_zmqfeed_opts_t o = {.endpoint = ep, .topics = topics, .symbol_fn = symtab_add, .symbol_ctx = &tab};
    tc_zmqfeed_t *feed = tc_zmqfeed_open(&o);
    cr_assert_not_null(feed, "%s", tc_err_msg());

    char script[512], out[300];
    snprintf(script, sizeof script, "%s/tools/feed_publisher.py", TC_SOURCE_DIR);
    snprintf(out, sizeof out, "%s/summary.json", dir);
    char *argv[] = {PY, script, "--endpoint", ep, "--csv", csv, "--seq", "--gap-every", "700",
                    "--inject-bad", "--wait-subscriptions", "2", "--wait-timeout", "15", NULL};
    child = spawn(argv, out);

    tc_tick_t *got = calloc((size_t)total + 64, sizeof *got);
    int ng = 0;
    int64_t deadline = tc_clock_mono_ns() + 20 * TC_NS_PER_S;
    int status = -1;
    while (ng < total && tc_clock_mono_ns() < deadline) {
        int k = tc_zmqfeed_poll(feed, got + ng, total + 64 - ng, 100);
        cr_assert_geq(k, 0, "poll: %s", tc_err_msg());
        ng += k;
        if (ng < total && status < 0 && (status = reap(child, 0)) > 0)
            break; /* the publisher failed: report what it said below */
    }
    if (status < 0)
        status = reap(child, 10000);
    /* a last short poll: nothing more may arrive */
    int extra = tc_zmqfeed_poll(feed, got + ng, total + 64 - ng, 200);
    cr_assert_geq(extra, 0);
    ng += extra;
    cr_assert_eq(status, 0, "feed_publisher.py exited with %d", status);

    const tc_zmqfeed_stats_t *st = tc_zmqfeed_stats(feed);
    cr_log_info("zmqfeed: %d of %d ticks received; messages %llu, rejected %llu, gaps %llu",
                ng, total, (unsigned long long)st->messages, (unsigned long long)st->rejected,
                (unsigned long long)st->seq_gaps);
    cr_assert_eq(ng, total, "%d of %d ticks arrived", ng, total);
    int agree = 0;
    for (int i = 0; i < total; i++) {
        int same = !memcmp(&got[i], &want[i], sizeof got[i]);
        if (!same && i - agree < 3)
            tick_diff(i, &got[i], &want[i]);
        agree += same;
    }
    cr_expect_eq(agree, total, "%d of %d ticks equal field by field", agree, total);

    /* The bad messages of feed_publisher.py's bad_messages(), each counted by reason. */
    static const struct { int reason, count; } bad[] = {
        {TC_MSGPACK_TICK_REJ_MSGPACK, 2}, {TC_MSGPACK_TICK_REJ_TYPE, 2},
        {TC_MSGPACK_TICK_REJ_KIND, 1},    {TC_MSGPACK_TICK_REJ_VERSION, 1},
        {TC_MSGPACK_TICK_REJ_MISSING, 1}, {TC_MSGPACK_TICK_REJ_RANGE, 1},
        {TC_MSGPACK_TICK_REJ_LONG, 1},    {TC_MSGPACK_TICK_REJ_FRAMES, 2},
        {TC_MSGPACK_TICK_REJ_TOPIC, 1},   {TC_MSGPACK_TICK_REJ_SYMBOLS, 0},
    };
    uint64_t nbad = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_eq(st->rejects[bad[i].reason], (uint64_t)bad[i].count, "reason %s: %llu, expected %d (%s)",
                     tc_msgpack_tick_reject_name(bad[i].reason),
                     (unsigned long long)st->rejects[bad[i].reason], bad[i].count,
                     st->reject_msg[bad[i].reason]);
        nbad += (uint64_t)bad[i].count;
    }
    cr_expect_eq(st->rejected, nbad);
    /* decoys on tick.XRPUSDT were filtered by the subscription: never seen at all */
    cr_expect_eq(st->messages, (uint64_t)total + nbad);
    cr_expect_eq(st->ticks, (uint64_t)total);
    cr_expect_eq(st->symbols, 2);
    cr_expect_eq(tab.calls, 2, "each symbol is registered once");
    cr_expect_str_eq(tc_zmqfeed_symbol(feed, 0)->name, "BTCUSDT");
    cr_expect_str_eq(tc_zmqfeed_symbol(feed, 1)->name, "ORCL");
    cr_expect_null(tc_zmqfeed_symbol(feed, 2));

    /* one line naming the message number and the topic */
    const char *km = st->reject_msg[TC_MSGPACK_TICK_REJ_KIND];
    cr_expect(strstr(km, "tick feed message ") && strstr(km, "topic 'tick.BTCUSDT'") && strstr(km, "swap") &&
                  !strchr(km, '\n'),
              "kind reject message: '%s'", km);
    cr_expect(strstr(st->reject_msg[TC_MSGPACK_TICK_REJ_FRAMES], "one frame") ||
                  strstr(st->reject_msg[TC_MSGPACK_TICK_REJ_FRAMES], "3 frames"),
              "frames message: '%s'", st->reject_msg[TC_MSGPACK_TICK_REJ_FRAMES]);

    /* Gaps: the script skips one sequence number of the topic of every 700th tick. */
    uint64_t gaps = (uint64_t)((total - 1) / 700);
    cr_expect_eq(st->seq_gaps, gaps);
    cr_expect_eq(st->seq_missing, gaps);
    cr_expect_eq(st->seq_backwards, 0);

    /* The publisher's own account agrees. */
    FILE *sf = fopen(out, "r");
    cr_assert_not_null(sf);
    char js[4096] = "";
    size_t jn = fread(js, 1, sizeof js - 1, sf);
    js[jn] = 0;
    fclose(sf);
    char expect_ticks[64];
    snprintf(expect_ticks, sizeof expect_ticks, "\"ticks\": %d,", total);
    cr_expect(strstr(js, expect_ticks), "publisher summary: %s", js);
    cr_expect(!strstr(js, "\"decoys\": 0,"), "the publisher sent decoys: %s", js);

    tc_zmqfeed_close(feed);
    free(got);
    free(want);
    for (int s = 0; s < 3; s++)
        free(src[s].t);
}

/* Without Python: a C publisher with the library's own encoder, and the feed's own ids. */
Test(zmqfeed, c_publisher_default_ids_and_gaps, .timeout = 30)
{
    char ep[300];
    snprintf(ep, sizeof ep, "ipc://%s/c.sock", dir);
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_XPUB);
    int zero = 0;
    zmq_setsockopt(pub, ZMQ_SNDHWM, &zero, sizeof zero);
    cr_assert_eq(zmq_bind(pub, ep), 0, "%s", zmq_strerror(errno));
    tc_zmqfeed_opts_t o = {.endpoint = ep};
    tc_zmqfeed_t *feed = tc_zmqfeed_open(&o);
    cr_assert_not_null(feed, "%s", tc_err_msg());
    /* slow joiner: wait for the subscription ("tick.") to reach the XPUB */
    char sub[64];
    zmq_setsockopt(pub, ZMQ_RCVTIMEO, &(int){10000}, sizeof(int));
    int k = zmq_recv(pub, sub, sizeof sub, 0);
    cr_assert_eq(k, 6, "subscription: %d", k);
    cr_assert(!memcmp(sub, "\x01tick.", 6));

    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    static const char *syms[] = {"EURUSD", "USDJPY", "XAUUSD"};
    /* per topic: seq 1,2,3, then 6 (gap of 2), then 4 (backwards), then 5 (a gap: 4 -> 5 is fine) */
    static const uint64_t seqs[] = {1, 2, 3, 6, 4, 5};
    tc_tick_t sent[18];
    int ns = 0;
    for (int j = 0; j < 6; j++)
        for (int s = 0; s < 3; s++) {
            tc_tick_t t = {0};
            t.kind = TC_TICK_QUOTE;
            t.ts_event = 1399006800611000000LL + j * 1000 + s;
            t.ts_recv = t.ts_event + 5;
            t.quote.bid = 138626 + j;
            t.quote.ask = 138630 + j;
            t.quote.bid_size = 1000000;
            t.quote.ask_size = 2500000;
            t.px_exp = -5;
            t.qty_exp = 0;
            msgpack_sbuffer_clear(&sb);
            cr_assert_eq(tc_msgpack_tick_encode(&pk, &t, syms[s], seqs[j], 1), 0);
            char topic[64];
            int tl = tc_msgpack_tick_topic(topic, sizeof topic, syms[s]);
            cr_assert_eq(zmq_send(pub, topic, (size_t)tl, ZMQ_SNDMORE), tl);
            cr_assert_eq(zmq_send(pub, sb.data, sb.size, 0), (int)sb.size);
            t.sym = (uint16_t)s; /* first sight order */
            sent[ns++] = t;
        }
    tc_tick_t got[32];
    int ng = 0;
    int64_t deadline = tc_clock_mono_ns() + 10 * TC_NS_PER_S;
    while (ng < ns && tc_clock_mono_ns() < deadline) {
        int r = tc_zmqfeed_poll(feed, got + ng, 32 - ng, 100);
        cr_assert_geq(r, 0, "%s", tc_err_msg());
        ng += r;
    }
    cr_assert_eq(ng, ns);
    for (int i = 0; i < ns; i++)
        cr_expect(!memcmp(&got[i], &sent[i], sizeof got[i]), "tick %d differs", i);
    const tc_zmqfeed_stats_t *st = tc_zmqfeed_stats(feed);
    cr_expect_eq(st->seq_gaps, 3);      /* 3 -> 6 on each topic */
    cr_expect_eq(st->seq_missing, 6);   /* 4 and 5 on each */
    cr_expect_eq(st->seq_backwards, 3); /* 6 -> 4 on each */
    cr_expect_eq(st->rejected, 0);
    cr_expect_eq(st->symbols, 3);
    cr_expect_str_eq(tc_zmqfeed_symbol(feed, 2)->name, "XAUUSD");
    cr_expect_eq(tc_zmqfeed_symbol(feed, 2)->px_exp, -5);
    /* nothing queued: a zero timeout returns at once */
    int64_t t0 = tc_clock_mono_ns();
    cr_expect_eq(tc_zmqfeed_poll(feed, got, 32, 0), 0);
    cr_expect_lt(tc_clock_mono_ns() - t0, 500 * TC_NS_PER_MS); /* no wait (loose: a loaded machine) */
    msgpack_sbuffer_destroy(&sb);
    tc_zmqfeed_close(feed);
    zmq_close(pub);
    zmq_ctx_term(ctx);
}

Test(zmqfeed, open_errors_are_named)
{
    tc_zmqfeed_opts_t o = {.endpoint = "nonsense://x"};
    cr_expect_null(tc_zmqfeed_open(&o));
    cr_expect(strstr(tc_err_msg(), "nonsense://x"), "%s", tc_err_msg());
    o.endpoint = "";
    cr_expect_null(tc_zmqfeed_open(&o));
    cr_expect(strstr(tc_err_msg(), "endpoint"), "%s", tc_err_msg());
    const char *many[TC_ZMQFEED_TOPICS_MAX + 2];
    for (int i = 0; i <= TC_ZMQFEED_TOPICS_MAX; i++)
        many[i] = "tick.A";
    many[TC_ZMQFEED_TOPICS_MAX + 1] = NULL;
    o.endpoint = "ipc:///nonexistent/x.sock";
    o.topics = many;
    cr_expect_null(tc_zmqfeed_open(&o));
    cr_expect(strstr(tc_err_msg(), "topic prefixes"), "%s", tc_err_msg());
    tc_zmqfeed_close(NULL);
}

/* End to end: python publisher -> tickcast-ingest (ingest.source = zmq) -> ticks ring. */
Test(zmqfeed, ingest_stage_puts_live_ticks_in_the_ring, .timeout = 60)
{
    need_python();
    char bin[512];
    snprintf(bin, sizeof bin, "%s/tickcast-ingest", TC_BIN_DIR);
    if (access(bin, X_OK) != 0)
        cr_skip_test("%s is not built", bin);
    src_t src = {.rel = "data/ticks/crypto_tardis_binancefutures_btcusdt_trades_20200222.csv", .want = 3000};
    load(&src);
    char csv[300];
    snprintf(csv, sizeof csv, "%s/ticks.csv", dir);
    FILE *f = fopen(csv, "w");
    cr_assert_not_null(f);
    for (int i = 0; i < src.n; i++) {
        char line[300];
        cr_assert_gt(tc_import_text_fmt(line, sizeof line, &src.t[i]), 0);
        fprintf(f, "%s,%s", src.sym, line);
    }
    cr_assert_eq(fclose(f), 0);

    char inst[64];
    snprintf(inst, sizeof inst, "tczfeed%d", (int)getpid());
    tc_shm_unlink(inst);
    tc_ring_spec_t specs[TC_RING_STANDARD];
    tc_shm_standard_specs(specs, 1024, 256, 256, 256); /* smaller than the feed: back-pressure */
    tc_shm_t shm;
    cr_assert_eq(tc_shm_create(&shm, inst, specs, TC_RING_STANDARD, TC_WAIT_FUTEX), 0, "%s", tc_err_msg());
    tc_ring_t cons;
    cr_assert_eq(tc_ring_consumer_attach(&cons, &shm, "ticks", "feedtest", TC_ROLE_REQUIRED, NULL), 0, "%s",
                 tc_err_msg());

    char ep[300], o_ep[340];
    snprintf(ep, sizeof ep, "ipc://%s/stage.sock", dir);
    snprintf(o_ep, sizeof o_ep, "ingest.zmq_endpoint=%s", ep);
    /* clean = off: this checks the transport, every tick unchanged; the cleaner is
     * tested in test_cleanset */
    char *sargv[] = {bin, "--instance", inst, "-o", "ingest.source=zmq", "-o", o_ep,
                     "-o", "ingest.zmq_subscribe=tick.BTC", "-o", "ingest.clean=off", NULL};
    stage = spawn(sargv, NULL);
    char script[512], out[300];
    snprintf(script, sizeof script, "%s/tools/feed_publisher.py", TC_SOURCE_DIR);
    snprintf(out, sizeof out, "%s/summary.json", dir);
    char *pargv[] = {PY, script, "--endpoint", ep, "--csv", csv, "--seq", "--gap-every", "1000",
                     "--inject-bad", "--wait-subscriptions", "1", "--wait-timeout", "15", NULL};
    child = spawn(pargv, out);

    tc_tick_t *got = calloc((size_t)src.n, sizeof *got);
    int ng = 0;
    int64_t deadline = tc_clock_mono_ns() + 25 * TC_NS_PER_S;
    while (ng < src.n && tc_clock_mono_ns() < deadline) {
        if (!tc_ring_wait(&cons, 100 * TC_NS_PER_MS)) {
            if (reap(stage, 0) >= 0)
                break; /* the stage died: fail below */
            continue;
        }
        const void *recs;
        int k = tc_ring_poll(&cons, 256, &recs);
        if (k > src.n - ng)
            k = src.n - ng;
        memcpy(got + ng, recs, (size_t)k * sizeof *got);
        tc_ring_release(&cons, (uint32_t)k);
        ng += k;
    }
    int pst = reap(child, 10000);
    cr_expect_eq(pst, 0, "feed_publisher.py exited with %d", pst);
    cr_assert_gt(stage, 0, "tickcast-ingest exited early");
    kill(stage, SIGTERM);
    int sst = reap(stage, 10000);
    cr_expect_eq(sst, 0, "tickcast-ingest exited with %d after SIGTERM", sst);

    cr_log_info("ingest stage: %d of %d ticks in the ring", ng, src.n);
    cr_assert_eq(ng, src.n, "%d of %d ticks reached the ring", ng, src.n);
    tc_symbol_t probe = {.name = "BTCUSDT"};
    int id = tc_shm_symbol_add(&shm, &probe); /* the id the stage registered */
    cr_assert_geq(id, 0);
    int agree = 0;
    for (int i = 0; i < src.n; i++) {
        tc_tick_t want = src.t[i];
        want.sym = (uint16_t)id;
        int same = !memcmp(&got[i], &want, sizeof want);
        if (!same && i - agree < 3)
            tick_diff(i, &got[i], &want);
        agree += same;
    }
    cr_expect_eq(agree, src.n, "%d of %d ticks unchanged in the ring", agree, src.n);
    /* the stage's counters: the 12 bad messages of feed_publisher.py, 2 skipped numbers */
    _Atomic uint64_t *rejects = tc_shm_counter(&shm, "ingest.feed_rejects");
    _Atomic uint64_t *gaps = tc_shm_counter(&shm, "ingest.feed_gaps");
    cr_assert(rejects && gaps);
    cr_expect_eq(atomic_load(rejects), 12);
    cr_expect_eq(atomic_load(gaps), (uint64_t)((src.n - 1) / 1000));
    free(got);
    free(src.t);
    tc_ring_consumer_detach(&cons);
    tc_shm_detach(&shm);
    tc_shm_unlink(inst);
}

/* A symbol table has room for TC_SYMBOLS_MAX names; the caller may also refuse one.
 * Either way the messages of that symbol are rejected as "symbols", nothing else. */
static int refuse_zz(void *ctx, const tc_symbol_t *sym)
{
    int *next = ctx;
    return strncmp(sym->name, "ZZ", 2) ? (*next)++ : -EPERM;
}

Test(zmqfeed, symbol_table_full_or_refused, .timeout = 30)
{
    char ep[300];
    snprintf(ep, sizeof ep, "ipc://%s/s.sock", dir);
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_XPUB);
    int zero = 0;
    zmq_setsockopt(pub, ZMQ_SNDHWM, &zero, sizeof zero);
    cr_assert_eq(zmq_bind(pub, ep), 0, "%s", zmq_strerror(errno));
    int next = 100;
    tc_zmqfeed_opts_t o = {.endpoint = ep, .symbol_fn = refuse_zz, .symbol_ctx = &next};
    tc_zmqfeed_t *feed = tc_zmqfeed_open(&o);
    cr_assert_not_null(feed, "%s", tc_err_msg());
    char sub[64];
    zmq_setsockopt(pub, ZMQ_RCVTIMEO, &(int){10000}, sizeof(int));
    cr_assert_eq(zmq_recv(pub, sub, sizeof sub, 0), 6);

    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    /* 3 refused messages, then TC_SYMBOLS_MAX + 5 new names, then each known name again */
    const int extra = 5, n_names = TC_SYMBOLS_MAX + extra;
    int sent = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = -3; i < n_names; i++) {
            if (pass == 1 && (i < 0 || i >= TC_SYMBOLS_MAX))
                continue;
            char sym[16], topic[64];
            if (i < 0)
                snprintf(sym, sizeof sym, "ZZ%d", -i);
            else
                snprintf(sym, sizeof sym, "S%04d", i);
            tc_tick_t t = {.kind = TC_TICK_TRADE, .ts_event = 1000 + i, .ts_recv = 1000 + i};
            t.trade.price = 5 + i;
            t.trade.size = 1;
            msgpack_sbuffer_clear(&sb);
            cr_assert_eq(tc_msgpack_tick_encode(&pk, &t, sym, 0, 0), 0);
            int tl = tc_msgpack_tick_topic(topic, sizeof topic, sym);
            zmq_send(pub, topic, (size_t)tl, ZMQ_SNDMORE);
            zmq_send(pub, sb.data, sb.size, 0);
            sent++;
        }
    static tc_tick_t got[2 * TC_SYMBOLS_MAX + 16];
    int ng = 0;
    int want = 2 * TC_SYMBOLS_MAX;
    int64_t deadline = tc_clock_mono_ns() + 10 * TC_NS_PER_S;
    while (ng < want && tc_clock_mono_ns() < deadline) {
        int r = tc_zmqfeed_poll(feed, got + ng, (int)(sizeof got / sizeof got[0]) - ng, 100);
        cr_assert_geq(r, 0, "%s", tc_err_msg());
        ng += r;
    }
    ng += tc_zmqfeed_poll(feed, got + ng, (int)(sizeof got / sizeof got[0]) - ng, 100);
    const tc_zmqfeed_stats_t *st = tc_zmqfeed_stats(feed);
    cr_expect_eq(ng, want, "%d ticks", ng);
    cr_expect_eq(st->messages, (uint64_t)sent);
    cr_expect_eq(st->rejects[TC_MSGPACK_TICK_REJ_SYMBOLS], 3 + (uint64_t)extra, "%s",
                 st->reject_msg[TC_MSGPACK_TICK_REJ_SYMBOLS]);
    cr_expect_eq(st->rejected, 3 + (uint64_t)extra);
    cr_expect_eq(st->symbols, TC_SYMBOLS_MAX);
    cr_expect(strstr(st->reject_msg[TC_MSGPACK_TICK_REJ_SYMBOLS], "symbol ZZ3: refused"), "%s",
              st->reject_msg[TC_MSGPACK_TICK_REJ_SYMBOLS]);
    /* ids from the caller, found again by name the second time */
    int ok = 1;
    for (int i = 0; i < ng && ok; i++)
        ok = got[i].sym == 100 + (i % TC_SYMBOLS_MAX) && got[i].trade.price == 5 + (i % TC_SYMBOLS_MAX);
    cr_expect(ok, "ticks carry the caller's ids");
    msgpack_sbuffer_destroy(&sb);
    tc_zmqfeed_close(feed);
    zmq_close(pub);
    zmq_ctx_term(ctx);
}
