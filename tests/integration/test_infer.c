/* test_infer.c — tickcast-infer under tickcastd: ingest (synthetic market), features and
 * infer as separate processes.  The predictions ring must hold exactly what the same
 * library code computes in one process (features, then the engine), bit for bit; a
 * model replaced while the pipeline runs is switched to between two records, nothing
 * dropped, and announced on the `model` topic; predictions go out on pred.<SYMBOL>
 * with the ring's values. */
#include <criterion/criterion.h>
#include <math.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "daemon/runtime/clock.h"
#include "daemon/runtime/err.h"
#include "features/stage.h"
#include "infer/engine.h"
#include "infer/registry.h"
#include "ingest/synth.h"
#include "shm/ring.h"
#include "tests/common/daemon_run.h"

#define MAXREC 20000
#define N_IN 6

static const char *const SYMS[3] = {"EURUSD", "BTCUSDT", "SYN"};

/* A small random 2-layer network over the first N_IN features of the default set. */
static void make_model_meta(const char *path, tc_rnn_cell_t cell, unsigned long long seed,
                            int with_bars)
{
    tc_featset_t fs;
    cr_assert_eq(tc_featset_parse(&fs, "default", TC_TA_MODE_TALIB), 0);
    tc_rnn_config_t c = {.cell = cell, .input = N_IN, .hidden = 8, .layers = 2, .horizon = 3};
    tc_model_t *m = tc_model_create(&c, 1, 1);
    cr_assert_not_null(m, "%s", tc_err_msg());
    tc_rnn_init_uniform(m->net, seed);
    const char *specs[N_IN];
    float mean[N_IN], std[N_IN];
    for (int j = 0; j < N_IN; j++) {
        specs[j] = fs.spec[j].name;
        mean[j] = 0.01f * (float)j;
        std[j] = 0.5f + (float)j;
    }
    cr_assert_eq(tc_model_features_set(m, specs), 0, "%s", tc_err_msg());
    cr_assert_eq(tc_model_scaler_set(m, mean, std), 0, "%s", tc_err_msg());
    if (with_bars) /* what tickcast train records, so the offline tools accept it */
        cr_assert(tc_model_meta_set(m, "bar_type", "time") == 0 &&
                  tc_model_meta_set(m, "bar_size", "1") == 0 &&
                  tc_model_meta_set(m, "sequence_length", "8") == 0);
    cr_assert_eq(tc_model_save(m, path), 0, "%s", tc_err_msg());
    tc_model_destroy(m);
}

static void make_model(const char *path, tc_rnn_cell_t cell, unsigned long long seed)
{
    make_model_meta(path, cell, seed, 0);
}

static tc_infer_engine_t *engine_for(const char *path)
{
    tc_featset_t fs;
    cr_assert_eq(tc_featset_parse(&fs, "default", TC_TA_MODE_TALIB), 0);
    tc_model_t *m;
    cr_assert_eq(tc_model_load(&m, path, NULL), 0, "%s", tc_err_msg());
    tc_infer_engine_t *e = tc_infer_engine_create(m, &fs);
    cr_assert_not_null(e, "%s", tc_err_msg());
    return e;
}

/* The feature records of the synthetic run, computed in this process. */
static int features_in_process(tc_feat_t *out, int ticks)
{
    tc_synth_opts_t so = {.seed = 77, .n_symbols = 3, .symbols = {"EURUSD", "BTCUSDT", "SYN"}};
    tc_synth_t *syn = tc_synth_create(&so);
    tc_features_opts_t fo = {.bar_type = TC_BAR_TIME, .bar_size = 1, .feature_list = "default"};
    tc_features_t *x = tc_features_create(&fo);
    cr_assert_not_null(x, "%s", tc_err_msg());
    tc_features_symbol_price(x, 0, TC_BAR_PRICE_MID);
    int n = 0;
    tc_tick_t t;
    for (int i = 0; i < ticks; i++) {
        tc_synth_next(syn, &t, 1);
        n += tc_features_tick(x, &t, (uint64_t)i, out + n, MAXREC - n);
    }
    n += tc_features_flush(x, (uint64_t)ticks, out + n, MAXREC - n);
    tc_features_destroy(x);
    tc_synth_destroy(syn);
    return n;
}

static void write_conf(const char *conf, const char *inst, const char *extra, int ticks, int rate)
{
    FILE *f = fopen(conf, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "[tickcastd]\ninstance = %s\nstages = ingest,features,infer\nbin_dir = %s\n"
            "consumers = ticks:features,features:infer\nlog_level = warning\n"
            "[ingest]\nsynthetic_seed = 77\njournal_dir = /tmp/%s-journal\n"
            "synthetic_symbols = EURUSD,BTCUSDT,SYN\nsynthetic_ticks = %d\nsynthetic_rate = %d\n"
            "[features]\nbar_type = time\nbar_size = 1\nfeature_set = default\n"
            "[infer]\nmodel_poll = 20ms\n%s",
            inst, TC_BIN_DIR, inst, ticks, rate, extra);
    fclose(f);
}

static int read_preds(tc_shm_t *s, tc_pred_t *got, int max)
{
    tc_ring_t r;
    cr_assert_eq(tc_ring_observer_attach_anon(&r, s, "predictions"), 0);
    r.pos = 0; /* the whole run fits in the ring */
    int m = 0, k;
    while (m < max && (k = tc_ring_observe(&r, got + m, 64, NULL)) > 0)
        m += k;
    return m;
}

static void cleanup(const char *inst, const char *conf, pid_t d)
{
    int st = tc_test_daemon_stop(d);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tickcastd exit status %d", st);
    tc_shm_unlink(inst);
    unlink(conf);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf /tmp/%s-journal", inst);
    cr_assert_eq(system(cmd), 0);
}

static void assert_same_pred(const tc_pred_t *got, const tc_pred_t *want, int i)
{
    cr_assert(got->ts_event == want->ts_event && got->src_pos == want->src_pos &&
                  got->sym == want->sym && got->horizon == want->horizon &&
                  got->model_version == want->model_version && got->price == want->price,
              "prediction %d: bar %lld sym %u pos %llu version %u, want bar %lld sym %u pos "
              "%llu version %u", i, (long long)got->ts_event, got->sym,
              (unsigned long long)got->src_pos, got->model_version, (long long)want->ts_event,
              want->sym, (unsigned long long)want->src_pos, want->model_version);
    cr_assert_eq(memcmp(got->yhat, want->yhat, sizeof got->yhat), 0,
                 "prediction %d (sym %u): yhat %.9g differs from %.9g", i, got->sym,
                 got->yhat[0], want->yhat[0]);
    cr_assert(got->ts_pred > 0 && got->latency_ns >= 0);
}

Test(infer, stage_predictions_equal_in_process_bit_for_bit, .timeout = 120, .fini = tc_test_daemon_kill)
{
    char inst[64], conf[128], model[128], extra[256];
    snprintf(inst, sizeof inst, "tcinfer-%d", getpid());
    snprintf(conf, sizeof conf, "/tmp/%s.conf", inst);
    snprintf(model, sizeof model, "/tmp/%s.safetensors", inst);
    tc_shm_unlink(inst);
    make_model(model, TC_RNN_LSTM, 5);
    snprintf(extra, sizeof extra, "model_file = %s\nzmq_pub =\n", model);
    write_conf(conf, inst, extra, 60000, 0);
    pid_t d = tc_test_daemon_start(conf);
    tc_shm_t s;
    cr_assert_eq(tc_test_shm_wait(&s, inst), 0, "segment: %s", tc_err_msg());
    cr_assert(tc_test_ring_wait_closed(&s, "predictions", 60), "the infer stage finished the run");

    static tc_feat_t feats[MAXREC];
    static tc_pred_t want[MAXREC], got[MAXREC];
    int nf = features_in_process(feats, 60000), nw = 0;
    tc_infer_engine_t *e = engine_for(model);
    for (int i = 0; i < nf; i++)
        if (tc_infer_engine_step(e, &feats[i], (uint64_t)i, 1, &want[nw]) == TC_INFER_PREDICTED)
            nw++;
    tc_infer_engine_destroy(e);
    int ng = read_preds(&s, got, MAXREC);
    cr_assert_eq(ng, nw, "predictions: %d from the stages, %d in process (of %d feature records)",
                 ng, nw, nf);
    cr_assert_gt(nw, 100);
    for (int i = 0; i < nw; i++)
        assert_same_pred(&got[i], &want[i], i);
    printf("infer: %d predictions from %d feature records, identical across processes\n", nw, nf);
    tc_shm_detach(&s);
    cleanup(inst, conf, d);
    unlink(model);
}

/* Decodes a pred.<SYM> or model body into the fields the test checks. */
typedef struct msg {
    char topic[64], event[16], sym[32];
    int64_t ts;
    uint64_t ver;
    double yhat[8];
    int h;
} msg_t;

static int recv_msg(void *sub, msg_t *m, int timeout_ms)
{
    zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, timeout_ms) <= 0)
        return 0;
    memset(m, 0, sizeof *m);
    int n = zmq_recv(sub, m->topic, sizeof m->topic - 1, 0);
    cr_assert_gt(n, 0);
    int more;
    size_t ml = sizeof more;
    zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &ml);
    cr_assert(more, "two frames");
    char body[4096];
    n = zmq_recv(sub, body, sizeof body, 0);
    cr_assert_gt(n, 0);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    cr_assert_eq(msgpack_unpack_next(&u, body, (size_t)n, NULL), MSGPACK_UNPACK_SUCCESS);
    cr_assert_eq(u.data.type, MSGPACK_OBJECT_MAP);
    const msgpack_object_map *mp = &u.data.via.map;
    cr_assert(mp->size > 0 && mp->ptr[0].key.via.str.size == 1 && mp->ptr[0].key.via.str.ptr[0] == 'v' &&
              mp->ptr[0].val.via.u64 == 1, "\"v\": 1 first");
    for (uint32_t i = 0; i < mp->size; i++) {
        const msgpack_object_str *k = &mp->ptr[i].key.via.str;
        const msgpack_object *v = &mp->ptr[i].val;
#define KEY(s) (k->size == strlen(s) && !memcmp(k->ptr, s, k->size))
        if (KEY("event"))
            snprintf(m->event, sizeof m->event, "%.*s", (int)v->via.str.size, v->via.str.ptr);
        else if (KEY("sym"))
            snprintf(m->sym, sizeof m->sym, "%.*s", (int)v->via.str.size, v->via.str.ptr);
        else if (KEY("ts"))
            m->ts = v->via.i64;
        else if (KEY("ver"))
            m->ver = v->via.u64;
        else if (KEY("yhat")) {
            m->h = (int)v->via.array.size;
            for (int j = 0; j < m->h && j < 8; j++)
                m->yhat[j] = v->via.array.ptr[j].via.f64;
        }
#undef KEY
    }
    msgpack_unpacked_destroy(&u);
    return 1;
}

/* The model changes mid-run: the file is replaced (use_registry 0), or version 2 is
 * promoted over version 1 in the registry (1). */
static void swap_scenario(int use_registry)
{
    char inst[64], conf[128], model[128], model_b[128], extra[512], ep[128], db[128];
    snprintf(inst, sizeof inst, "tcswap%d-%d", use_registry, getpid());
    snprintf(db, sizeof db, "/tmp/%s.db", inst);
    snprintf(conf, sizeof conf, "/tmp/%s.conf", inst);
    snprintf(model, sizeof model, "/tmp/%s.safetensors", inst);
    snprintf(model_b, sizeof model_b, "/tmp/%s-b.safetensors", inst);
    snprintf(ep, sizeof ep, "ipc:///tmp/%s.pub", inst);
    tc_shm_unlink(inst);
    make_model(model, TC_RNN_LSTM, 5);
    make_model(model_b, TC_RNN_GRU, 9);
    tc_infer_engine_t *a = engine_for(model), *b = engine_for(model_b);
    tc_registry_t *reg = NULL;
    if (use_registry) {
        int v;
        unlink(db);
        cr_assert_eq(tc_registry_open(&reg, db, 0), 0, "%s", tc_err_msg());
        cr_assert_eq(tc_registry_register(reg, "swapper", model, 0, &v), 0, "%s", tc_err_msg());
        cr_assert_eq(v, 1);
        cr_assert_eq(tc_registry_register(reg, "swapper", model_b, 1, &v), 0, "%s", tc_err_msg());
        cr_assert_eq(v, 2);
        cr_assert_eq(tc_registry_promote(reg, "swapper", "production", 1, "test"), 0);
        snprintf(extra, sizeof extra, "registry = %s\nzmq_pub = %s\n", db, ep);
    } else {
        snprintf(extra, sizeof extra, "model_file = %s\nzmq_pub = %s\n", model, ep);
    }
    /* paced: 60,000 ticks at 20,000/s, so the replacement lands mid-run */
    write_conf(conf, inst, extra, 60000, 20000);

    void *ctx = zmq_ctx_new(), *sub = zmq_socket(ctx, ZMQ_SUB);
    cr_assert_eq(zmq_connect(sub, ep), 0);
    cr_assert_eq(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "pred.", 5), 0);
    cr_assert_eq(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "model", 5), 0);
    pid_t d = tc_test_daemon_start(conf);
    tc_shm_t s;
    cr_assert_eq(tc_test_shm_wait(&s, inst), 0, "segment: %s", tc_err_msg());

    /* collect messages; replace the model once predictions flow */
    static msg_t msgs[MAXREC];
    int nm = 0, replaced = 0, swaps = 0;
    int64_t end = tc_clock_mono_ns() + 60 * TC_NS_PER_S;
    tc_ring_ctl_t *pc = tc_shm_ring_ctl(&s, "predictions");
    while (tc_clock_mono_ns() < end && nm < MAXREC) {
        if (!recv_msg(sub, &msgs[nm], 200)) {
            if (atomic_load(&pc->prod_state) == TC_PRODUCER_CLOSED)
                break;
            continue;
        }
        msg_t *m = &msgs[nm++];
        if (!strcmp(m->topic, "model") && !strcmp(m->event, "swap"))
            swaps++;
        if (!replaced && !strncmp(m->topic, "pred.", 5) && nm > 50) {
            if (use_registry)
                cr_assert_eq(tc_registry_promote(reg, "swapper", "production", 2, "test"), 0,
                             "%s", tc_err_msg());
            else
                cr_assert_eq(rename(model_b, model), 0); /* atomic, as tc_model_save does */
            replaced = 1;
        }
    }
    cr_assert(replaced, "predictions were published (%d messages)", nm);
    cr_assert(tc_test_ring_wait_closed(&s, "predictions", 60));
    cr_assert_eq(swaps, 1, "one swap announced on the model topic");

    /* the ring: version 1 up to one record, version 2 after it, nothing dropped */
    static tc_feat_t feats[MAXREC];
    static tc_pred_t got[MAXREC];
    int nf = features_in_process(feats, 60000);
    int ng = read_preds(&s, got, MAXREC);
    int first_b = -1;
    for (int i = 0; i < ng && first_b < 0; i++)
        if (got[i].model_version == 2)
            first_b = i;
    cr_assert_gt(first_b, 0, "the stage switched after some predictions of the first model");
    for (int i = first_b; i < ng; i++)
        cr_assert_eq(got[i].model_version, 2, "no record of the old model after the switch");
    /* the reference: model A up to the switch point, model B (fresh state) from it */
    uint64_t switch_pos = got[first_b].src_pos;
    int nw = 0;
    static tc_pred_t want[MAXREC];
    for (int i = 0; i < nf; i++) {
        int v = (uint64_t)i < switch_pos ? 1 : 2;
        if (tc_infer_engine_step(v == 1 ? a : b, &feats[i], (uint64_t)i, (uint32_t)v, &want[nw]) ==
            TC_INFER_PREDICTED)
            nw++;
    }
    cr_assert_eq(ng, nw, "no prediction dropped: %d in the ring, %d expected", ng, nw);
    for (int i = 0; i < nw; i++)
        assert_same_pred(&got[i], &want[i], i);

    /* every published prediction is the ring's record for that bar */
    int checked = 0;
    for (int i = 0; i < nm; i++) {
        if (strncmp(msgs[i].topic, "pred.", 5))
            continue;
        cr_assert_str_eq(msgs[i].topic + 5, msgs[i].sym);
        int j = 0;
        while (j < ng && !(got[j].ts_event == msgs[i].ts && !strcmp(SYMS[got[j].sym], msgs[i].sym)))
            j++;
        cr_assert_lt(j, ng, "published prediction %s %lld is in the ring", msgs[i].sym,
                     (long long)msgs[i].ts);
        cr_assert_eq(msgs[i].h, got[j].horizon);
        cr_assert_eq(msgs[i].ver, got[j].model_version);
        for (int k = 0; k < msgs[i].h; k++)
            cr_assert_eq(msgs[i].yhat[k], got[j].yhat[k]);
        checked++;
    }
    cr_assert_gt(checked, 50);
    printf("infer swap (%s): %d predictions, switch at record %d, %d published messages checked\n",
           use_registry ? "registry" : "model file", ng, first_b, checked);
    tc_registry_close(reg);
    unlink(db);
    tc_infer_engine_destroy(a);
    tc_infer_engine_destroy(b);
    zmq_close(sub);
    zmq_ctx_term(ctx);
    tc_shm_detach(&s);
    cleanup(inst, conf, d);
    unlink(model);
    unlink(model_b);
}

Test(infer, model_replaced_mid_run_switches_between_records_and_publishes, .timeout = 120,
     .fini = tc_test_daemon_kill)
{
    swap_scenario(0);
}

Test(infer, promotion_in_the_registry_switches_between_records_and_publishes, .timeout = 120,
     .fini = tc_test_daemon_kill)
{
    swap_scenario(1);
}

/* A model the features stage cannot feed is refused with the reason, and the stage
 * still consumes every feature record (it gates the features ring) without predicting. */
Test(infer, unusable_model_is_refused_and_the_pipeline_keeps_flowing, .timeout = 120,
     .fini = tc_test_daemon_kill)
{
    char inst[64], conf[128], model[128], extra[256];
    snprintf(inst, sizeof inst, "tcrefuse-%d", getpid());
    snprintf(conf, sizeof conf, "/tmp/%s.conf", inst);
    snprintf(model, sizeof model, "/tmp/%s.safetensors", inst);
    tc_shm_unlink(inst);
    tc_rnn_config_t c = {.cell = TC_RNN_GRU, .input = 2, .hidden = 4, .layers = 1, .horizon = 2};
    tc_model_t *m = tc_model_create(&c, 1, 1);
    const char *specs[2] = {"RSI(TimePeriod=14)", "ADX(TimePeriod=7)"}; /* ADX(7): not in the set */
    float mean[2] = {0, 0}, std[2] = {1, 1};
    cr_assert_eq(tc_model_features_set(m, specs), 0);
    cr_assert_eq(tc_model_scaler_set(m, mean, std), 0);
    cr_assert_eq(tc_model_save(m, model), 0);
    tc_model_destroy(m);
    snprintf(extra, sizeof extra, "model_file = %s\nzmq_pub =\n", model);
    write_conf(conf, inst, extra, 20000, 0);
    pid_t d = tc_test_daemon_start(conf);
    tc_shm_t s;
    cr_assert_eq(tc_test_shm_wait(&s, inst), 0, "segment: %s", tc_err_msg());
    cr_assert(tc_test_ring_wait_closed(&s, "predictions", 60), "the infer stage finished the run");
    static tc_feat_t feats[MAXREC];
    int nf = features_in_process(feats, 20000);
    cr_assert_eq(tc_test_counter(&s, "infer.features"), (uint64_t)nf);
    cr_assert_eq(tc_test_counter(&s, "infer.unserved"), (uint64_t)nf);
    cr_assert_eq(tc_test_counter(&s, "infer.predictions"), 0);
    cr_assert_eq(tc_test_counter(&s, "infer.model_refused"), 1);
    tc_shm_detach(&s);
    cleanup(inst, conf, d);
    unlink(model);
}

/* The live stage and `tickcast predict --state carry` over the same recorded file give
 * the same forecasts, bar for bar: the offline tool is what the service does. */
Test(infer, stage_equals_tickcast_predict_carry_on_a_tick_file, .timeout = 120,
     .fini = tc_test_daemon_kill)
{
    char inst[64], conf[128], model[128], ticks[128], csv[128], extra[512], cmd[1024];
    snprintf(inst, sizeof inst, "tcpredict-%d", getpid());
    snprintf(conf, sizeof conf, "/tmp/%s.conf", inst);
    snprintf(model, sizeof model, "/tmp/%s.safetensors", inst);
    snprintf(ticks, sizeof ticks, "/tmp/%s.tck", inst);
    snprintf(csv, sizeof csv, "/tmp/%s.csv", inst);
    tc_shm_unlink(inst);
    make_model_meta(model, TC_RNN_LSTM, 3, 1);
    snprintf(cmd, sizeof cmd, "%s/tickcast synth -o %s --seed 11 --ticks 60000 >/dev/null", TC_BIN_DIR,
             ticks);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    snprintf(cmd, sizeof cmd, "%s/tickcast predict --model %s --data %s --state carry -o %s",
             TC_BIN_DIR, model, ticks, csv);
    cr_assert_eq(system(cmd), 0, "%s", cmd);

    snprintf(extra, sizeof extra, "model_file = %s\nzmq_pub =\n", model);
    write_conf(conf, inst, extra, 0, 0);
    FILE *f = fopen(conf, "a");
    fprintf(f, "[ingest]\nsource = file\npath = %s\n", ticks);
    fclose(f);
    pid_t d = tc_test_daemon_start(conf);
    tc_shm_t s;
    cr_assert_eq(tc_test_shm_wait(&s, inst), 0, "segment: %s", tc_err_msg());
    cr_assert(tc_test_ring_wait_closed(&s, "predictions", 60), "the infer stage finished the run");
    static tc_pred_t got[MAXREC];
    int ng = read_preds(&s, got, MAXREC);
    uint32_t nsym;
    const tc_symbol_t *tab = tc_shm_symbols(&s, &nsym);

    f = fopen(csv, "r");
    cr_assert_not_null(f);
    char line[1024];
    int rows = 0, matched = 0;
    cr_assert_not_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        char *tok[16];
        int nt = 0;
        for (char *p = line, *q; nt < 16; p = q + 1) {
            tok[nt++] = p;
            if (!(q = strpbrk(p, ",\n")))
                break;
            *q = 0;
        }
        if (nt < 6 || !tok[3][0])
            continue; /* no forecast on this bar */
        rows++;
        long long ts = atoll(tok[0]);
        for (int i = 0; i < ng; i++) {
            if (got[i].ts_event != ts || got[i].sym >= nsym || strcmp(tab[got[i].sym].name, tok[1]))
                continue;
            for (int k = 0; k < 3; k++)
                cr_assert_eq((float)got[i].yhat[k], strtof(tok[3 + k], NULL),
                             "%s %lld step %d: stage %.9g, predict %s", tok[1], ts, k + 1,
                             got[i].yhat[k], tok[3 + k]);
            matched++;
            break;
        }
    }
    fclose(f);
    cr_assert_eq(rows, ng, "tickcast predict forecast %d bars, the stage %d", rows, ng);
    cr_assert_eq(matched, ng, "every stage prediction has its predict row");
    printf("infer vs tickcast predict --state carry: %d forecasts equal\n", ng);
    tc_shm_detach(&s);
    cleanup(inst, conf, d);
    unlink(model);
    unlink(ticks);
    unlink(csv);
}
