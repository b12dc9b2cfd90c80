/* cli_forecast.h — what `tickcast train`, `evaluate` and `predict` share on the command
 * line: symbol lists, the model and data, the time range and the state mode, and
 * opening a model over data with the malformed-row note. */
#ifndef TC_TOOLS_CLI_FORECAST_H
#define TC_TOOLS_CLI_FORECAST_H

#include <stdint.h>

#include "infer/forecast.h"

#define TC_CLI_MAX_SYMS 64

typedef struct tc_cli_symbols {
    const char *v[TC_CLI_MAX_SYMS];
    char store[TC_CLI_MAX_SYMS][32];
    int n;
} tc_cli_symbols_t;

/* Adds the names of a comma list ("EURUSD,SPY"); -EINVAL past TC_CLI_MAX_SYMS. */
int tc_cli_symbols_add(tc_cli_symbols_t *s, const char *list);

typedef struct tc_cli_forecast {
    const char *model, *data;
    tc_cli_symbols_t syms;
    int64_t from, to;
    int carry; /* --state carry */
} tc_cli_forecast_t;

/* Takes option a with its value v if it is a shared one (--model, --data, --symbol,
 * --from, --to, --state): 1 taken, 0 not a shared option, or a negative errno with the
 * reason on the error stack. */
int tc_cli_forecast_option(tc_cli_forecast_t *o, const char *a, const char *v);

/* Checks the options and opens the model over the data: the window mode is
 * window_method, --state carry gives TC_FORECAST_CARRY.  Prints the malformed-row note
 * as "tickcast CMD: note: ...".  0, or a negative errno with the reason. */
int tc_cli_forecast_open(tc_forecast_run_t *run, const tc_cli_forecast_t *o, const char *cmd,
                         tc_forecast_method_t window_method);

#endif
