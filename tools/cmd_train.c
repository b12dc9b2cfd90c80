/* cmd_train.c — `tickcast train`: option parsing around tc_trainer_run (infer/trainer.h),
 * a per-epoch progress line on stderr when it is a terminal, and one summary line (or
 * the --json summary) on stdout.  docs/MODELS.md, "Training", is the reference.
 */
#include "tools/cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "infer/trainer.h"

#define MAX_SYMS 64

static int opt_int(int *ret, const char *name, const char *v, long lo, long hi)
{
    char *e;
    errno = 0;
    long x = strtol(v, &e, 10);
    if (e == v || *e || errno || x < lo || x > hi)
        return TC_ERR(-EINVAL, "%s \"%s\": expected an integer in %ld..%ld", name, v, lo, hi);
    *ret = (int)x;
    return 0;
}

static int opt_dbl(double *ret, const char *name, const char *v, double lo, double hi)
{
    char *e;
    double x = strtod(v, &e);
    if (e == v || *e || !isfinite(x) || x < lo || x > hi)
        return TC_ERR(-EINVAL, "%s \"%s\": expected a number in %g..%g", name, v, lo, hi);
    *ret = x;
    return 0;
}

/* Splits a comma list into up to max integers (n of them required: min..max). */
static int opt_ints(int *v, int min, int max, const char *name, const char *s)
{
    int n = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n == max)
            return TC_ERR(-EINVAL, "%s \"%s\": at most %d values", name, s, max);
        int r = opt_int(&v[n++], name, t, 0, 100000000);
        if (r < 0)
            return r;
    }
    if (n < min)
        return TC_ERR(-EINVAL, "%s \"%s\": expected %d to %d comma-separated values", name, s, min,
                      max);
    return n;
}

/* Adds the names of a comma list to syms (copies into store). */
static int add_symbols(const char **syms, int *n, char (*store)[32], const char *list)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (*n == MAX_SYMS)
            return TC_ERR(-EINVAL, "--symbol: more than %d symbols", MAX_SYMS);
        snprintf(store[*n], 32, "%s", t);
        syms[*n] = store[*n];
        (*n)++;
    }
    return 0;
}

static void progress(void *ctx, int fold, int epoch, int epochs, float tl, float vl)
{
    (void)ctx;
    fprintf(stderr, "\r\033[Ktrain: fold %d epoch %d/%d  train loss %.6g  val loss %.6g", fold + 1,
            epoch + 1, epochs, tl, vl);
    fflush(stderr);
}

static void summary_text(const tc_trainer_opts_t *o, const tc_trainer_result_t *res)
{
    const tc_trainer_fold_t *f = &res->folds[res->n_folds - 1];
    const tc_forecast_score_t *s = &f->test_score;
    printf("%s: %s hidden %d x%d, %d features, T %d, horizon %d; %d rows of %d symbol%s",
           o->out, o->cell == TC_RNN_LSTM ? "lstm" : "gru", o->hidden, o->layers, res->features,
           o->sequence_length, o->ds.horizon, res->rows, res->symbols, res->symbols == 1 ? "" : "s");
    if (res->n_folds > 1)
        printf("; %d walk-forward folds (last written)", res->n_folds);
    printf("; windows %d/%d/%d; best epoch %d of %d; loss train %.4g val %.4g test %.4g",
           f->n_train, f->n_val, f->n_test, f->report.best_epoch + 1, f->report.epochs_run,
           f->train_loss, f->val_loss, f->test_loss);
    if (s->n)
        printf("; test RMSE %.4g vs no change %.4g (%s)", tc_forecast_rmse(s, TC_FC_MODEL, -1),
               tc_forecast_rmse(s, TC_FC_ZERO, -1),
               tc_forecast_beats_zero(s) ? "beats no change" : "does not beat no change");
    printf("\n");
}

static void summary_json(const tc_trainer_opts_t *o, const tc_trainer_result_t *res)
{
    printf("{\"model\":\"%s\",\"ticks\":%llu,\"bars\":%llu,\"rows\":%d,\"symbols\":%d,"
           "\"features\":%d,\"folds\":[", o->out, (unsigned long long)res->ticks,
           (unsigned long long)res->bars, res->rows, res->symbols, res->features);
    for (int i = 0; i < res->n_folds; i++) {
        fputs(i ? "," : "", stdout);
        tc_trainer_fold_json(stdout, &res->folds[i]);
    }
    printf("]}\n");
}

static int cmd_train(int argc, char **argv)
{
    tc_trainer_opts_t o;
    tc_trainer_opts_default(&o);
    static const char *syms[MAX_SYMS];
    static char store[MAX_SYMS][32];
    int nsym = 0, json = 0, r = 0;
    double d;
    for (int i = 1; i < argc && r == 0; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (!strcmp(a, "--json"))
            json = 1, takes = 0;
        else if (!v && a[0] == '-')
            return TC_ERR(-EINVAL, "%s needs a value (tickcast train --help)", a);
        else if (!strcmp(a, "--data"))
            o.data = v;
        else if (!strcmp(a, "-o") || !strcmp(a, "--output"))
            o.out = v;
        else if (!strcmp(a, "--symbol"))
            r = add_symbols(syms, &nsym, store, v);
        else if (!strcmp(a, "--bar-type"))
            r = tc_forecast_bar_type_parse(&o.ds.bar_type, v);
        else if (!strcmp(a, "--bar-size"))
            r = opt_dbl(&o.ds.bar_size, a, v, 1e-3, 1e15);
        else if (!strcmp(a, "--features"))
            o.ds.feature_list = v;
        else if (!strcmp(a, "--sequence-length"))
            r = opt_int(&o.sequence_length, a, v, 1, 4096);
        else if (!strcmp(a, "--hidden-dim"))
            r = opt_int(&o.hidden, a, v, 1, 1024);
        else if (!strcmp(a, "--layers"))
            r = opt_int(&o.layers, a, v, 1, TC_RNN_MAX_LAYERS);
        else if (!strcmp(a, "--cell")) {
            if (!strcmp(v, "lstm") || !strcmp(v, "gru"))
                o.cell = !strcmp(v, "lstm") ? TC_RNN_LSTM : TC_RNN_GRU;
            else
                r = TC_ERR(-EINVAL, "--cell \"%s\": expected lstm or gru", v);
        } else if (!strcmp(a, "--horizon"))
            r = opt_int(&o.ds.horizon, a, v, 1, TC_FORECAST_MAX_HORIZON);
        else if (!strcmp(a, "--epochs"))
            r = opt_int(&o.epochs, a, v, 1, TC_TRAIN_MAX_EPOCHS);
        else if (!strcmp(a, "--batch"))
            r = opt_int(&o.batch, a, v, 1, 1024);
        else if (!strcmp(a, "--patience"))
            r = opt_int(&o.patience, a, v, 0, TC_TRAIN_MAX_EPOCHS);
        else if (!strcmp(a, "--lr") && (r = opt_dbl(&d, a, v, 1e-12, 10)) == 0)
            o.lr = (float)d;
        else if (!strcmp(a, "--weight-decay") && (r = opt_dbl(&d, a, v, 0, 10)) == 0)
            o.weight_decay = (float)d;
        else if (!strcmp(a, "--clip") && (r = opt_dbl(&d, a, v, 0, 1e9)) == 0)
            o.clip = (float)d;
        else if (!strcmp(a, "--huber-delta") && (r = opt_dbl(&d, a, v, 1e-9, 1e9)) == 0)
            o.huber_delta = (float)d;
        else if (!strcmp(a, "--loss")) {
            if (!strcmp(v, "mse") || !strcmp(v, "huber"))
                o.loss = !strcmp(v, "mse") ? TC_LOSS_MSE : TC_LOSS_HUBER;
            else
                r = TC_ERR(-EINVAL, "--loss \"%s\": expected mse or huber", v);
        } else if (!strcmp(a, "--seed")) {
            char *e;
            errno = 0;
            o.seed = strtoull(v, &e, 10);
            if (e == v || *e || errno || v[0] == '-')
                r = TC_ERR(-EINVAL, "--seed \"%s\": expected a non-negative integer", v);
        } else if (!strcmp(a, "--split")) {
            char buf[128], *comma;
            snprintf(buf, sizeof buf, "%s", v);
            if (!(comma = strchr(buf, ',')))
                r = TC_ERR(-EINVAL, "--split \"%s\": expected TRAIN,VAL fractions", v);
            else {
                *comma = '\0';
                r = opt_dbl(&o.f_train, "--split", buf, 1e-9, 1);
                r = r < 0 ? r : opt_dbl(&o.f_val, "--split", comma + 1, 0, 1);
                if (r == 0 && o.f_train + o.f_val > 1)
                    r = TC_ERR(-EINVAL, "--split \"%s\": the fractions sum to more than 1", v);
            }
        } else if (!strcmp(a, "--gap"))
            r = opt_int(&o.gap, a, v, 0, 1000000);
        else if (!strcmp(a, "--walk-forward")) {
            int wf[4] = {0, 0, 0, 0};
            int n = opt_ints(wf, 3, 4, a, v);
            r = n < 0 ? n : 0;
            o.wf_train = wf[0], o.wf_val = wf[1], o.wf_test = wf[2];
            o.wf_stride = n == 4 ? wf[3] : wf[2];
            if (r == 0 && (o.wf_train < 1 || o.wf_test < 1 || o.wf_stride < 1))
                r = TC_ERR(-EINVAL, "--walk-forward \"%s\": TRAIN, TEST and STRIDE must be >= 1", v);
        } else if (!strcmp(a, "--threads"))
            r = opt_int(&o.threads, a, v, 1, 256);
        else
            return TC_ERR(-EINVAL, "unknown option %s (tickcast train --help)", a);
        i += takes;
    }
    if (r < 0)
        return 1;
    if (!o.data || !o.out)
        return TC_ERR(-EINVAL, "--data PATH and -o MODEL.safetensors are required"), 1;
    if (nsym) {
        o.ds.symbols = syms;
        o.ds.n_symbols = nsym;
    }
    if (isatty(STDERR_FILENO))
        o.on_epoch = progress;
    tc_trainer_result_t res;
    r = tc_trainer_run(&o, &res);
    if (o.on_epoch)
        fputs("\r\033[K", stderr);
    if (r < 0)
        return 1;
    if (json)
        summary_json(&o, &res);
    else
        summary_text(&o, &res);
    tc_trainer_result_free(&res);
    return fflush(stdout) == 0 ? 0 : 1;
}

TC_CLI_COMMAND(train, "train an LSTM/GRU forecaster on tick data and write a model file",
               "tickcast train --data PATH -o MODEL.safetensors [options]\n"
               "  --data PATH            a .tck file, a directory of them, or any importable file\n"
               "  -o MODEL               the model file (safetensors) to write\n"
               "  --symbol S[,S...]      symbols to train on (repeatable); default: all, pooled\n"
               "  --bar-type T           time|tick|volume|dollar (default time)\n"
               "  --bar-size X           seconds, ticks, volume or value per bar (default 60)\n"
               "  --features LIST        feature list or \"default\" (featset.h)\n"
               "  --sequence-length T    lookback window in bars (default 32)\n"
               "  --horizon K            bars ahead predicted: log returns 1..K (default 1)\n"
               "  --cell lstm|gru        (default lstm)\n"
               "  --hidden-dim H         (default 32)\n"
               "  --layers L             (default 1)\n"
               "  --epochs N             at most (default 20)\n"
               "  --patience N           stop after N epochs without a better validation loss\n"
               "                         (default 5; 0 = never)\n"
               "  --batch B              windows per step (default 64)\n"
               "  --lr X                 Adam learning rate (default 0.001)\n"
               "  --weight-decay X       AdamW decoupled weight decay (default 0: Adam)\n"
               "  --clip X               max global gradient norm (default 0: off)\n"
               "  --loss mse|huber       on standardised targets (default mse)\n"
               "  --huber-delta X        (default 1)\n"
               "  --seed N               initialisation and shuffling (default 42)\n"
               "  --split TRAIN,VAL      fractions of the windows, chronological; the rest is\n"
               "                         test (default 0.7,0.15)\n"
               "  --gap N                windows purged per symbol between splits (default K)\n"
               "  --walk-forward TR,VA,TE[,STRIDE]\n"
               "                         one model per fold of TR/VA/TE windows, moved by STRIDE\n"
               "                         (default TE); every fold reported, the last one written\n"
               "  --threads N            OpenBLAS threads\n"
               "  --json                 the summary as JSON\n",
               cmd_train);
