/* cmd_predict.c — `tickcast predict`: batch prediction over tick data, one CSV row per
 * ready bar: ts (bar close, ns UTC), symbol, close, yhat_1..yhat_K (log returns over
 * 1..K bars ahead) and y_1..y_K, the realised returns where the data has them (empty
 * otherwise).  Predictions come from the streaming step (tc_rnn_step), as in live
 * inference: by default from zero state over the model's sequence length ending at each
 * bar — the window forward's numbers, which training and evaluate use — or, with
 * --state carry, with state carried from each symbol's first ready bar.
 */
#include "tools/cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "infer/forecast.h"

#define MAX_SYMS 64

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

static void write_rows(FILE *f, const tc_forecast_run_t *run)
{
    const tc_dataset_t *ds = run->ds;
    const int K = run->K;
    fprintf(f, "ts,symbol,close");
    for (int k = 1; k <= K; k++)
        fprintf(f, ",yhat_%d", k);
    for (int k = 1; k <= K; k++)
        fprintf(f, ",y_%d", k);
    fputc('\n', f);
    for (int i = 0; i < ds->n; i++) {
        fprintf(f, "%lld,%s,%.17g", (long long)ds->ts[i], ds->syms[ds->sym[i]].name, ds->close[i]);
        const float *yh = run->yhat + (size_t)i * K, *y = ds->y + (size_t)i * K;
        for (int k = 0; k < K; k++)
            isfinite(yh[k]) ? fprintf(f, ",%.9g", yh[k]) : fprintf(f, ",");
        for (int k = 0; k < K; k++)
            isfinite(y[k]) ? fprintf(f, ",%.9g", y[k]) : fprintf(f, ",");
        fputc('\n', f);
    }
}

static int cmd_predict(int argc, char **argv)
{
    const char *model = NULL, *data = NULL, *out = NULL;
    static const char *syms[MAX_SYMS];
    static char store[MAX_SYMS][32];
    int nsym = 0, r = 0;
    int64_t from = 0, to = 0;
    tc_forecast_method_t method = TC_FORECAST_STEP;
    for (int i = 1; i < argc && r == 0; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return TC_ERR(-EINVAL, "%s needs a value (tickcast predict --help)", a), 1;
        if (!strcmp(a, "--model"))
            model = v;
        else if (!strcmp(a, "--data"))
            data = v;
        else if (!strcmp(a, "-o") || !strcmp(a, "--output"))
            out = v;
        else if (!strcmp(a, "--symbol"))
            r = add_symbols(syms, &nsym, store, v);
        else if (!strcmp(a, "--from"))
            r = tc_dataset_time_parse(&from, v);
        else if (!strcmp(a, "--to"))
            r = tc_dataset_time_parse(&to, v);
        else if (!strcmp(a, "--state")) {
            if (!strcmp(v, "window") || !strcmp(v, "carry"))
                method = !strcmp(v, "window") ? TC_FORECAST_STEP : TC_FORECAST_CARRY;
            else
                r = TC_ERR(-EINVAL, "--state \"%s\": expected window or carry", v);
        } else
            return TC_ERR(-EINVAL, "unknown option %s (tickcast predict --help)", a), 1;
        i++;
    }
    if (r < 0)
        return 1;
    if (!model || !data)
        return TC_ERR(-EINVAL, "--model M and --data PATH are required"), 1;
    tc_forecast_run_t run;
    if (tc_forecast_run_open(&run, model, data, nsym ? syms : NULL, nsym, from, to, method) < 0)
        return 1;
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f)
        r = TC_ERR(-errno, "%s: %s", out, strerror(errno));
    else {
        write_rows(f, &run);
        if (fflush(f) != 0 || ferror(f))
            r = TC_ERR(-EIO, "%s: write failed", out ? out : "stdout");
        if (out && fclose(f) != 0 && r == 0)
            r = TC_ERR(-EIO, "%s: write failed", out);
        if (r < 0 && out)
            unlink(out); /* a partial file must not pass for a complete one */
    }
    tc_forecast_run_close(&run);
    return r < 0 ? 1 : 0;
}

TC_CLI_COMMAND(predict, "write a model's forecasts for every ready bar of tick data as CSV",
               "tickcast predict --model M --data PATH [-o OUT.csv] [--symbol S] [--from T]\n"
               "                 [--to T] [--state window|carry]\n"
               "  columns: ts (bar close, ns UTC), symbol, close, yhat_1..yhat_K, y_1..y_K\n"
               "  (realised log returns; empty where unknown); yhat empty before a full window\n"
               "  --state window     zero state over the model's sequence length ending at each\n"
               "                     bar (default: equals the window forward of evaluate)\n"
               "  --state carry      state carried from each symbol's first ready bar, as the\n"
               "                     live inference stage\n",
               cmd_predict);
