/* cli_forecast.c — shared options of train, evaluate and predict (cli_forecast.h). */
#include "tools/cli_forecast.h"
#include "daemon/runtime/err.h"
#include "infer/dataset.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int tc_cli_symbols_add(tc_cli_symbols_t *s, const char *list)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (s->n == TC_CLI_MAX_SYMS)
            return TC_ERR(-EINVAL, "--symbol: more than %d symbols", TC_CLI_MAX_SYMS);
        snprintf(s->store[s->n], sizeof s->store[0], "%s", t);
        s->v[s->n] = s->store[s->n];
        s->n++;
    }
    return 0;
}

int tc_cli_forecast_option(tc_cli_forecast_t *o, const char *a, const char *v)
{
    if (!strcmp(a, "--model"))
        o->model = v;
    else if (!strcmp(a, "--data"))
        o->data = v;
    else if (!strcmp(a, "--symbol"))
        return tc_cli_symbols_add(&o->syms, v) < 0 ? tc_err_code() : 1;
    else if (!strcmp(a, "--from"))
        return tc_dataset_time_parse(&o->from, v) < 0 ? tc_err_code() : 1;
    else if (!strcmp(a, "--to"))
        return tc_dataset_time_parse(&o->to, v) < 0 ? tc_err_code() : 1;
    else if (!strcmp(a, "--state")) {
        if (strcmp(v, "window") && strcmp(v, "carry"))
            return TC_ERR(-EINVAL, "--state \"%s\": expected window or carry", v);
        o->carry = !strcmp(v, "carry");
    } else
        return 0;
    return 1;
}

int tc_cli_forecast_open(tc_forecast_run_t *run, const tc_cli_forecast_t *o, const char *cmd,
                         tc_forecast_method_t window_method)
{
    if (!o->model || !o->data)
        return TC_ERR(-EINVAL, "--model M and --data PATH are required");
    if (o->from && o->to && o->from > o->to)
        return TC_ERR(-EINVAL, "--from is after --to");
    int r = tc_forecast_run_open(run, o->model, o->data, o->syms.n ? o->syms.v : NULL, o->syms.n,
                                 o->from, o->to, o->carry ? TC_FORECAST_CARRY : window_method);
    if (r < 0)
        return r;
    if (run->ds->rejected)
        fprintf(stderr, "tickcast %s: note: %s: %llu malformed rows skipped (first: %s)\n", cmd,
                o->data, (unsigned long long)run->ds->rejected, run->ds->reject_msg);
    return 0;
}
