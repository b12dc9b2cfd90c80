/* forecast.h — a model run over a dataset: the model's feature and bar settings as
 * dataset options, predictions (window forward, or the streaming step with or without
 * carried state), and the scores `tickcast evaluate` and `tickcast train` report: RMSE,
 * MAE and directional accuracy per horizon step for the model and the naive baselines
 * "zero return" (no change) and "last return" (the last bar's log return r, repeated:
 * (k+1)·r for step k, whose target is the cumulative return over k+1 bars).
 */
#ifndef TC_INFER_FORECAST_H
#define TC_INFER_FORECAST_H

#include <stdio.h>

#include "infer/dataset.h"
#include "infer/model.h"

#define TC_FORECAST_MAX_HORIZON 128

/* Model metadata keys for the bar settings (checked against the features stage). */
#define TC_FORECAST_META_BAR_TYPE "bar_type"
#define TC_FORECAST_META_BAR_SIZE "bar_size"
#define TC_FORECAST_META_MODE "feature_mode"

/* "time", "tick", "volume", "dollar" <-> enum tc_bar_type; -EINVAL for another name. */
int tc_forecast_bar_type_parse(int *ret, const char *s);
const char *tc_forecast_bar_type_name(int type);

/* The feature_known hook of tc_model_load_opts_t: 1 when the name (a spec's part before
 * '(' , '[' or '~') is a catalog function or a bar feature of this build. */
int tc_forecast_feature_known(const char *name, void *ctx);

/* Loads a model for running over data: the feature names are checked, and it must carry
 * a sequence_length, a scaler and the bar settings; horizon <= TC_FORECAST_MAX_HORIZON.
 * Returns 0 and *ret (owned), or a negative errno with "path: reason" on the error stack.
 * max_batch: windows per batch for window forwards. */
int tc_forecast_model_load(tc_model_t **ret, const char *path, int max_batch);

/* Dataset options from the model's metadata.  list (len bytes) receives the feature list
 * that o->feature_list points to.  -EPROTO when the features do not parse to the model's
 * inputs exactly. */
int tc_forecast_dataset_opts(tc_dataset_opts_t *o, char *list, size_t len, const tc_model_t *m);

/* xs (ds->n, C) = every row scaled with mean/std (tc_dataset_row_scale).  Can't fail. */
void tc_forecast_scale_all(float *xs, const tc_dataset_t *ds, const float *mean, const float *std);

/* Window forward (zero initial state over the T rows ending at each end) for the windows
 * ends[0..n), in batches of net->max_batch: yhat (ds->n, K) gets the rows at the ends.
 * Returns 0 or -ENOMEM. */
int tc_forecast_windows(float *yhat, tc_rnn_t *net, const float *xs, const tc_dataset_t *ds,
                        const int *ends, int n, int T);

/* The streaming step (tc_rnn_step), symbol by symbol.  carry = 1: state carried from the
 * symbol's first row, a prediction on every row (live inference).  carry = 0: for each
 * row, zero state stepped over the T rows ending there — the window forward's numbers —
 * NaN on rows without T rows of their symbol before them.  Returns 0 or -ENOMEM. */
int tc_forecast_stream(float *yhat, const tc_rnn_t *net, const float *xs, const tc_dataset_t *ds,
                       int T, int carry);

/* A model over a data source, ready to score or print: the dataset built with the
 * model's settings, the rows scaled with its scaler, and yhat for every row. */
typedef enum tc_forecast_method {
    TC_FORECAST_BATCH = 0, /* window forward in batches (tc_forecast_windows) */
    TC_FORECAST_STEP = 1,  /* streaming step, zero state over the T rows of each window */
    TC_FORECAST_CARRY = 2, /* streaming step, state carried from each symbol's first row */
} tc_forecast_method_t;

typedef struct tc_forecast_run {
    tc_model_t *m;
    tc_dataset_t *ds;
    int T, K;
    float *xs;   /* (ds->n, C) scaled rows */
    float *yhat; /* (ds->n, K); NaN where there is no prediction */
} tc_forecast_run_t;

/* Loads the model and the data (symbols, from/to as tc_dataset_opts_t) and predicts
 * with method.  0 or a negative errno with the reason on the error stack; on success
 * release with tc_forecast_run_close. */
int tc_forecast_run_open(tc_forecast_run_t *run, const char *model, const char *data,
                         const char *const *symbols, int n_symbols, int64_t from_ns,
                         int64_t to_ns, tc_forecast_method_t method);
void tc_forecast_run_close(tc_forecast_run_t *run);

enum { TC_FC_MODEL = 0, TC_FC_ZERO = 1, TC_FC_LAST = 2, TC_FC_N = 3 };

typedef struct tc_forecast_score {
    int K;
    long n; /* rows scored */
    double sse[TC_FC_N][TC_FORECAST_MAX_HORIZON];
    double sae[TC_FC_N][TC_FORECAST_MAX_HORIZON];
    long hit[TC_FC_N][TC_FORECAST_MAX_HORIZON]; /* sign(prediction) == sign(target) */
} tc_forecast_score_t;

void tc_forecast_score_init(tc_forecast_score_t *s, int K);
/* Scores row i (yhat_row: the model's K outputs) if its prediction and every target are
 * finite; returns 1 if it was scored. */
int tc_forecast_score_row(tc_forecast_score_t *s, const tc_dataset_t *ds, int i,
                          const float *yhat_row);
/* Figures of predictor p: per step (k >= 0) or over all steps (k = -1).  NaN with n = 0. */
double tc_forecast_rmse(const tc_forecast_score_t *s, int p, int k);
double tc_forecast_mae(const tc_forecast_score_t *s, int p, int k);
double tc_forecast_direction(const tc_forecast_score_t *s, int p, int k);
/* 1 when the model's RMSE over all steps is below the zero-return baseline's. */
int tc_forecast_beats_zero(const tc_forecast_score_t *s);

/* Writes s as a JSON object {"rows":..,"model":{"rmse":[..],"mae":[..],"direction":[..],
 * "rmse_all":..,..},"zero":{..},"last":{..},"beats_zero":true}. */
void tc_forecast_score_json(FILE *out, const tc_forecast_score_t *s);
/* Writes s as text lines, each prefixed by indent. */
void tc_forecast_score_text(FILE *out, const tc_forecast_score_t *s, const char *indent);

#endif
