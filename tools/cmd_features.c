/* cmd_features.c — `tickcast features --list`: the indicator catalog as text or JSON:
 * each function's group, inputs, parameters (TA-Lib name, type, default, valid range),
 * outputs and lookback at the defaults.  Reads features/ta.h's descriptors only. */
#include "tools/cli.h"
#include "daemon/runtime/err.h"
#include "features/barcsv.h"
#include "features/ta.h"
#include "daemon/runtime/jsonout.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *ptype_name(tc_ta_ptype_t t)
{
    switch (t) {
    case TC_TA_PARAM_INT: return "int";
    case TC_TA_PARAM_MATYPE: return "matype";
    default: return "real";
    }
}

static void list_text(FILE *out, const tc_ta_func_t *f, int lookback)
{
    char num[3][40];
    fprintf(out, "%-20s %-22s in:", f->name, f->group);
    for (int i = 0; i < f->n_in; i++)
        fprintf(out, " %s", f->in[i]);
    fprintf(out, "  params:");
    if (!f->n_param)
        fprintf(out, " -");
    for (int i = 0; i < f->n_param; i++) {
        const tc_ta_param_t *d = &f->param[i];
        tc_barcsv_fmt(num[0], sizeof num[0], d->def);
        tc_barcsv_fmt(num[1], sizeof num[1], d->min);
        tc_barcsv_fmt(num[2], sizeof num[2], d->max);
        fprintf(out, " %s=%s(%s %s..%s)", d->name, num[0], ptype_name(d->type), num[1], num[2]);
    }
    fprintf(out, "  out:");
    for (int k = 0; k < f->n_out; k++)
        fprintf(out, " %s%s", f->out[k], (f->out_int >> k) & 1 ? "(int)" : "");
    fprintf(out, "  lookback: %d\n", lookback);
}

static void list_json(FILE *out, const tc_ta_func_t *f, int lookback, int first)
{
    char num[40];
    fprintf(out, "%s\n  {\"name\": ", first ? "" : ",");
    tc_json_put_str(out, f->name);
    fprintf(out, ", \"group\": ");
    tc_json_put_str(out, f->group);
    fprintf(out, ", \"doc\": ");
    tc_json_put_str(out, f->doc ? f->doc : "");
    fprintf(out, ",\n   \"inputs\": [");
    for (int i = 0; i < f->n_in; i++) {
        fprintf(out, "%s", i ? ", " : "");
        tc_json_put_str(out, f->in[i]);
    }
    fprintf(out, "],\n   \"params\": [");
    for (int i = 0; i < f->n_param; i++) {
        const tc_ta_param_t *d = &f->param[i];
        fprintf(out, "%s{\"name\": ", i ? ", " : "");
        tc_json_put_str(out, d->name);
        fprintf(out, ", \"type\": \"%s\"", ptype_name(d->type));
        tc_barcsv_fmt(num, sizeof num, d->def);
        fprintf(out, ", \"default\": %s", num);
        tc_barcsv_fmt(num, sizeof num, d->min);
        fprintf(out, ", \"min\": %s", num);
        tc_barcsv_fmt(num, sizeof num, d->max);
        fprintf(out, ", \"max\": %s}", num);
    }
    fprintf(out, "],\n   \"outputs\": [");
    for (int k = 0; k < f->n_out; k++) {
        fprintf(out, "%s{\"name\": ", k ? ", " : "");
        tc_json_put_str(out, f->out[k]);
        fprintf(out, ", \"integer\": %s}", (f->out_int >> k) & 1 ? "true" : "false");
    }
    fprintf(out, "],\n   \"lookback\": %d}", lookback);
}

static int cmd_features(int argc, char **argv)
{
    int list = 0, json = 0;
    const char *group = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--list") == 0)
            list = 1;
        else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "--group") == 0 && i + 1 < argc)
            group = argv[++i];
        else
            return TC_ERR(-EINVAL, "unknown argument '%s' (tickcast features --help)", argv[i]);
    }
    if (!list)
        return TC_ERR(-EINVAL, "nothing to do: give --list (tickcast features --help)");
    int shown = 0;
    if (json)
        fputc('[', stdout);
    for (int i = 0; i < tc_ta_count(); i++) {
        const tc_ta_func_t *f = tc_ta_at(i);
        if (group && strcasecmp(group, f->group) != 0)
            continue;
        double p[TC_TA_MAX_PARAM];
        tc_ta_params_parse(f, NULL, p);
        int lookback = f->lookback(p);
        if (json)
            list_json(stdout, f, lookback, shown == 0);
        else
            list_text(stdout, f, lookback);
        shown++;
    }
    if (json)
        fputs("\n]\n", stdout);
    if (fflush(stdout) != 0)
        return TC_ERR(-EIO, "stdout: write error");
    if (group && !shown)
        return TC_ERR(-EINVAL, "no function in group '%s'", group);
    return 0;
}

TC_CLI_COMMAND(features, "list the indicator catalog: inputs, parameters, outputs, lookbacks",
               "tickcast features --list [--json] [--group GROUP]\n"
               "\n"
               "  --list         one line per catalog function: group, inputs, parameters as\n"
               "                 NAME=DEFAULT(type MIN..MAX), outputs ((int) for integer ones),\n"
               "                 lookback at the default parameters\n"
               "  --json         the same as a JSON array of objects\n"
               "  --group GROUP  only that group (\"Math Operators\", \"Statistic Functions\", ...)",
               cmd_features);
