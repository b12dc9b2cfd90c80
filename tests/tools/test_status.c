/* test_status.c — `tickcast status` and `tickcast tail` against a segment the test
 * builds itself: the JSON is parsed by Python's json module (an independent reader)
 * and every figure checked against what the test put there; status must leave the
 * segment untouched (it only observes). */
#include <criterion/criterion.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "shm/ring.h"

static char inst[64];
static tc_shm_t seg;

static void setup(void)
{
    snprintf(inst, sizeof inst, "test-status-%d", getpid());
    tc_shm_unlink(inst);
    tc_ring_spec_t specs[TC_RING_STANDARD];
    tc_shm_standard_specs(specs, 1024, 64, 64, 64);
    cr_assert_eq(tc_shm_create(&seg, inst, specs, TC_RING_STANDARD, TC_WAIT_FUTEX), 0, "%s",
                 tc_err_msg());
}

static void teardown(void)
{
    tc_shm_detach(&seg);
    tc_shm_unlink(inst);
}

static int run(const char *args, const char *python_check)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s/tickcast %s --instance %s | /usr/bin/python3 -c '%s'", TC_BIN_DIR,
             args, inst, python_check);
    return system(cmd);
}

Test(status, json_reports_positions_lags_laps_stages_and_counters, .init = setup, .fini = teardown)
{
    tc_ring_t p, c, o;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "ticks", NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "ticks", "features", TC_ROLE_REQUIRED, NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&o, &seg, "ticks", "monitor", TC_ROLE_OBSERVER, NULL), 0);
    tc_tick_t t[100];
    memset(t, 0, sizeof t);
    cr_assert_eq(tc_ring_write(&p, t, 100, -1, NULL), 100);
    const void *q;
    cr_assert_eq(tc_ring_poll(&c, 30, &q), 30);
    tc_ring_release(&c, 30);
    atomic_store(tc_shm_counter(&seg, "ingest.rejected.crossed"), 7);
    tc_stage_slot_t *st = tc_shm_stage(&seg, "ingest");
    atomic_store(&st->state, TC_STAGE_RUNNING);
    atomic_store(&st->restarts, 2);
    /* a live "stage" pinned to one CPU, and a stage slot without a process */
    pid_t kid = fork();
    cr_assert_geq(kid, 0);
    if (kid == 0) {
        pause();
        _exit(0);
    }
    cpu_set_t one;
    cr_assert_eq(sched_getaffinity(0, sizeof one, &one), 0);
    int last = CPU_SETSIZE - 1;
    while (!CPU_ISSET(last, &one))
        last--;
    CPU_ZERO(&one);
    CPU_SET(last, &one);
    cr_assert_eq(sched_setaffinity(kid, sizeof one, &one), 0);
    atomic_store(&st->pid, kid);
    tc_shm_stage(&seg, "features");
    /* the predictions ring's producer died without closing it */
    pid_t gone = fork();
    cr_assert_geq(gone, 0);
    if (gone == 0) {
        tc_shm_t s2;
        tc_ring_t p2;
        if (tc_shm_attach(&s2, inst, 0) < 0 || tc_ring_producer_attach(&p2, &s2, "predictions", NULL) < 0)
            _exit(1);
        _exit(0);
    }
    int gst;
    cr_assert_eq(waitpid(gone, &gst, 0), gone);
    cr_assert(WIFEXITED(gst) && WEXITSTATUS(gst) == 0);
    uint64_t before = atomic_load(&o.me->cursor);
    const char *check =
        "import json,sys; d=json.load(sys.stdin); r=d[\"rings\"][0]; "
        "assert r[\"name\"]==\"ticks\" and r[\"producer_position\"]==100, r; "
        "assert r[\"producer_state\"]==\"open\" and d[\"rings\"][1][\"producer_state\"]==\"none\", d; "
        "assert d[\"rings\"][2][\"name\"]==\"predictions\" and d[\"rings\"][2][\"producer_state\"]==\"gone\", d; "
        "c={x[\"name\"]:x for x in r[\"consumers\"]}; "
        "assert c[\"features\"][\"lag\"]==70 and c[\"features\"][\"kind\"]==\"required\", c; "
        "assert c[\"monitor\"][\"kind\"]==\"observer\" and c[\"monitor\"][\"lag\"]==100, c; "
        "s={x[\"name\"]:x for x in d[\"stages\"]}; "
        "assert s[\"ingest\"][\"state\"]==\"running\" and s[\"ingest\"][\"restarts\"]==2, s; "
        "import os; assert s[\"ingest\"][\"cpus\"]==str(max(os.sched_getaffinity(s[\"ingest\"][\"pid\"]))), s; "
        "assert s[\"features\"][\"cpus\"] is None, s; "
        "assert d[\"counters\"][\"ingest.rejected.crossed\"]==7, d[\"counters\"]";
    cr_assert_eq(run("status --json", check), 0, "status --json did not report what is there");
    cr_assert_eq(atomic_load(&o.me->cursor), before, "status changed nothing");
    cr_assert_eq(atomic_load(&c.me->cursor), 30);
    char text_check[512];
    snprintf(text_check, sizeof text_check,
             "import sys; t=sys.stdin.read(); assert \"features\" in t and \"required\" in t, t; "
             "assert [l.split()[1:3] for l in t.splitlines() if l.startswith(\"predictions \")]==[[\"(producer)\",\"gone\"]], t; "
             "assert [l.split()[-1] for l in t.splitlines() if l.startswith(\"ingest \")]==[\"%d\"], t", last);
    cr_assert_eq(run("status", text_check), 0);
    kill(kid, SIGKILL);
    waitpid(kid, NULL, 0);
}

Test(status, tail_prints_the_newest_records, .init = setup, .fini = teardown)
{
    tc_symbol_t sym = {.name = "EURUSD"};
    cr_assert_eq(tc_shm_symbol_add(&seg, &sym), 0);
    tc_ring_t p;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "ticks", NULL), 0);
    tc_tick_t t[20];
    memset(t, 0, sizeof t);
    for (int i = 0; i < 20; i++) {
        t[i].kind = TC_TICK_TRADE;
        t[i].px_exp = -5;
        t[i].trade.price = 110000 + i;
        t[i].trade.size = 1000;
        t[i].ts_event = 1704153600000000000LL + i;
    }
    cr_assert_eq(tc_ring_write(&p, t, 20, -1, NULL), 20);
    const char *check =
        "import json,sys; rows=[json.loads(l) for l in sys.stdin]; "
        "assert len(rows)==3, rows; assert [r[\"price\"] for r in rows]==[1.10017,1.10018,1.10019], rows; "
        "assert rows[0][\"symbol\"]==\"EURUSD\" and rows[0][\"ts\"].startswith(\"2024-01-02T00:00:00\"), rows";
    cr_assert_eq(run("tail ticks -n 3 --json", check), 0, "tail did not print the three newest ticks");
}

Test(status, a_missing_instance_is_a_one_line_error)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s/tickcast status --instance no-such-instance-%d 2>&1 | "
             "/usr/bin/python3 -c 'import sys; t=sys.stdin.read(); "
             "assert t.count(\"\\n\")==1 and \"is the instance running\" in t, t'", TC_BIN_DIR, getpid());
    cr_assert_eq(system(cmd), 0);
}

/* --watch --count --json: a JSON line per refresh; from the second on, every rate is the
 * change in the printed positions over the printed interval (checked by Python from the
 * two lines), and the producer's, written to all along, is not zero. */
Test(status, watch_prints_rates_that_match_its_positions, .init = setup, .fini = teardown)
{
    tc_ring_t p, c;
    cr_assert_eq(tc_ring_producer_attach(&p, &seg, "ticks", NULL), 0);
    cr_assert_eq(tc_ring_consumer_attach(&c, &seg, "ticks", "features", TC_ROLE_REQUIRED, NULL), 0);
    tc_tick_t t[5];
    memset(t, 0, sizeof t);
    pid_t writer = fork();
    cr_assert_geq(writer, 0);
    if (writer == 0) { /* 5 ticks every 10 ms for 1.5 s: 750, within the ring */
        for (int i = 0; i < 150; i++) {
            if (tc_ring_write(&p, t, 5, -1, NULL) != 5)
                _exit(1);
            usleep(10000);
        }
        _exit(0);
    }
    const char *check =
        "import json,sys; L=[json.loads(x) for x in sys.stdin]; assert len(L)==2, len(L); a,b=L; "
        "assert a[\"interval_s\"] is None and all(r[\"producer_rate_per_s\"] is None for r in a[\"rings\"]), a; "
        "dt=b[\"interval_s\"]; assert 0.3<dt<5, dt; "
        "ok=lambda rate,d: abs(rate-d/dt)<=1e-3*max(1.0,d/dt); "
        "A={r[\"name\"]:r for r in a[\"rings\"]}; "
        "[(ok(r[\"producer_rate_per_s\"],r[\"producer_position\"]-A[r[\"name\"]][\"producer_position\"]) or sys.exit(\"producer rate %s\" % r)) for r in b[\"rings\"]]; "
        "[(ok(c[\"rate_per_s\"],c[\"cursor\"]-{x[\"name\"]:x for x in A[r[\"name\"]][\"consumers\"]}[c[\"name\"]][\"cursor\"]) or sys.exit(\"consumer rate %s\" % c)) for r in b[\"rings\"] for c in r[\"consumers\"]]; "
        "t=[r for r in b[\"rings\"] if r[\"name\"]==\"ticks\"][0]; assert t[\"producer_rate_per_s\"]>0, t";
    int st = run("status --watch 0.4 --count 2 --json", check);
    int wst;
    waitpid(writer, &wst, 0);
    cr_assert(WIFEXITED(wst) && WEXITSTATUS(wst) == 0, "the writer wrote every tick");
    cr_assert_eq(st, 0, "status --watch rates do not match its positions");
    cr_assert_eq(run("status --watch 0.1 --count 2",
                     "import sys; t=sys.stdin.read(); assert t.count(\"records/s\")==2, t"), 0);
}
