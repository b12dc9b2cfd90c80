/* cmd_evaluate.c — `tickcast evaluate`: a model run over tick data with its own feature,
 * bar, scaler and window settings (infer/forecast.h), scored per symbol and overall
 * against the realised log returns: RMSE, MAE and directional accuracy per horizon step,
 * beside the "zero return" and "last return" baselines, and whether the model beats "no
 * change".  docs/MODELS.md, "Evaluation", is the reference.
 */
#include "tools/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

static int cmd_evaluate(int argc, char **argv)
{
    const char *model = NULL, *data = NULL;
    static const char *syms[MAX_SYMS];
    static char store[MAX_SYMS][32];
    int nsym = 0, json = 0, r = 0;
    int64_t from = 0, to = 0;
    tc_forecast_method_t method = TC_FORECAST_BATCH;
    for (int i = 1; i < argc && r == 0; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) {
            json = 1;
            continue;
        }
        if (!v)
            return TC_ERR(-EINVAL, "%s needs a value (tickcast evaluate --help)", a), 1;
        if (!strcmp(a, "--model"))
            model = v;
        else if (!strcmp(a, "--data"))
            data = v;
        else if (!strcmp(a, "--symbol"))
            r = add_symbols(syms, &nsym, store, v);
        else if (!strcmp(a, "--from"))
            r = tc_dataset_time_parse(&from, v);
        else if (!strcmp(a, "--to"))
            r = tc_dataset_time_parse(&to, v);
        else if (!strcmp(a, "--state")) {
            if (!strcmp(v, "window") || !strcmp(v, "carry"))
                method = !strcmp(v, "window") ? TC_FORECAST_BATCH : TC_FORECAST_CARRY;
            else
                r = TC_ERR(-EINVAL, "--state \"%s\": expected window or carry", v);
        } else
            return TC_ERR(-EINVAL, "unknown option %s (tickcast evaluate --help)", a), 1;
        i++;
    }
    if (r < 0)
        return 1;
    if (!model || !data)
        return TC_ERR(-EINVAL, "--model M and --data PATH are required"), 1;
    if (from && to && from > to)
        return TC_ERR(-EINVAL, "--from is after --to"), 1;
    tc_forecast_run_t run;
    if (tc_forecast_run_open(&run, model, data, nsym ? syms : NULL, nsym, from, to, method) < 0)
        return 1;
    const tc_dataset_t *ds = run.ds;
    tc_forecast_score_t *per = calloc((size_t)ds->n_syms, sizeof *per), all;
    if (!per) {
        tc_forecast_run_close(&run);
        return TC_ERR(-ENOMEM, "out of memory"), 1;
    }
    tc_forecast_score_init(&all, run.K);
    for (int s = 0; s < ds->n_syms; s++) {
        tc_forecast_score_init(&per[s], run.K);
        for (int i = ds->syms[s].begin; i < ds->syms[s].end; i++) {
            const float *yh = run.yhat + (size_t)i * run.K;
            tc_forecast_score_row(&per[s], ds, i, yh);
            tc_forecast_score_row(&all, ds, i, yh);
        }
    }
    if (all.n == 0) {
        r = TC_ERR(-ENODATA, "%s: no bar has a full window of %d and all %d targets to score",
                   data, run.T, run.K);
    } else if (json) {
        printf("{\"model\":\"%s\",\"data\":\"%s\",\"state\":\"%s\",\"sequence_length\":%d,"
               "\"horizon\":%d,\"symbols\":[", model, data,
               method == TC_FORECAST_CARRY ? "carry" : "window", run.T, run.K);
        for (int s = 0; s < ds->n_syms; s++) {
            printf("%s{\"symbol\":\"%s\",\"scores\":", s ? "," : "", ds->syms[s].name);
            tc_forecast_score_json(stdout, &per[s]);
            printf("}");
        }
        printf("],\"overall\":");
        tc_forecast_score_json(stdout, &all);
        printf("}\n");
    } else {
        printf("%s on %s: %d ready bars, window %d, horizon %d, %s state\n", model, data, ds->n,
               run.T, run.K, method == TC_FORECAST_CARRY ? "carried" : "window");
        for (int s = 0; s < ds->n_syms; s++) {
            printf("%s (%ld rows)\n", ds->syms[s].name, per[s].n);
            if (per[s].n)
                tc_forecast_score_text(stdout, &per[s], "  ");
        }
        printf("overall (%ld rows)\n", all.n);
        tc_forecast_score_text(stdout, &all, "  ");
    }
    free(per);
    tc_forecast_run_close(&run);
    if (r < 0)
        return 1;
    return fflush(stdout) == 0 ? 0 : 1;
}

TC_CLI_COMMAND(evaluate, "score a model on tick data against the no-change and last-return baselines",
               "tickcast evaluate --model M --data PATH [--symbol S] [--from T] [--to T]\n"
               "                  [--state window|carry] [--json]\n"
               "  --model M          a model written by tickcast train\n"
               "  --data PATH        a .tck file, a directory of them, or any importable file\n"
               "  --symbol S[,S...]  only these symbols (repeatable); default all\n"
               "  --from T, --to T   only bars closing in [T, T'] (ns or YYYY-MM-DDTHH:MM:SSZ);\n"
               "                     indicators still warm up on the data before --from\n"
               "  --state window     zero state over the model's sequence length (as trained;\n"
               "                     default); carry: state carried from each symbol's first\n"
               "                     ready bar, as live inference\n"
               "  --json             per symbol and overall as JSON\n",
               cmd_evaluate);
