/* trainer.h — `tickcast train` as a library call: tick data to a dataset (dataset.h),
 * chronological splits or walk-forward folds, a scaler fitted on the training rows,
 * tc_train_fit, scores on the test split, and a model file with its provenance.
 *
 * Targets are standardised for the optimiser (divided by the RMS of the training
 * targets, so the loss is O(1) whatever the bar size) and the scale is folded back into
 * the head afterwards (head.weight, head.bias multiplied by it): the saved model
 * predicts log returns directly.  Losses are reported in the standardised units.
 */
#ifndef TC_INFER_TRAINER_H
#define TC_INFER_TRAINER_H

#include <stdio.h>

#include "infer/dataset.h"
#include "infer/forecast.h"
#include "infer/train.h"

typedef struct tc_trainer_opts {
    const char *data;     /* --data */
    const char *out;      /* -o MODEL.safetensors */
    tc_dataset_opts_t ds; /* bar settings, features, symbols, horizon */
    tc_rnn_cell_t cell;
    int hidden, layers, sequence_length;
    int epochs, batch, patience;
    float lr, weight_decay, clip, huber_delta;
    tc_loss_kind_t loss;
    unsigned long long seed;
    double f_train, f_val; /* fractions of the windows; the rest is test */
    int gap;               /* windows purged per symbol between splits; < 0: horizon */
    int wf_train, wf_val, wf_test, wf_stride; /* walk-forward when wf_train > 0 */
    int threads;           /* OpenBLAS threads, 0 = leave as is */
    /* Progress: each epoch of fold `fold` of `folds`. */
    void (*on_epoch)(void *ctx, int fold, int epoch, int epochs, float train_loss, float val_loss);
    void *ctx;
} tc_trainer_opts_t;

/* Sensible defaults (those of the usage text). */
void tc_trainer_opts_default(tc_trainer_opts_t *o);

typedef struct tc_trainer_fold {
    int n_train, n_val, n_test;            /* windows */
    int64_t train_first_ns, train_last_ns; /* first input bar, last end bar of training */
    tc_train_report_t report;
    float train_loss, val_loss, test_loss; /* best epoch's; test NaN without a test split */
    float target_scale;
    tc_forecast_score_t test_score;        /* on the test split, in log returns */
} tc_trainer_fold_t;

typedef struct tc_trainer_result {
    int n_folds;
    tc_trainer_fold_t *folds; /* (n_folds), owned */
    int rows, symbols, features;
    uint64_t ticks, bars;
} tc_trainer_result_t;

/* Trains (one model, or one per walk-forward fold) and writes o->out: the last fold's
 * model.  Returns 0 and fills *res (tc_trainer_result_free), or a negative errno with the
 * reason on the error stack; nothing is written on failure. */
int tc_trainer_run(const tc_trainer_opts_t *o, tc_trainer_result_t *res);
void tc_trainer_result_free(tc_trainer_result_t *res);

/* One fold's figures as a JSON object (losses, epochs, window counts, target scale and
 * the test scores): what the model's metrics hold and `train --json` prints. */
void tc_trainer_fold_json(FILE *f, const tc_trainer_fold_t *fd);

#endif
