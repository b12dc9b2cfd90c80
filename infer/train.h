/* train.h — the pieces of a training loop around tc_rnn_t: chronological splits with
 * a purge gap, a scaler fitted on the training rows only, window batching, seeded
 * shuffling, mini-batch Adam/AdamW epochs with early stopping on the validation loss.
 *
 * Data is a chronological table of feature rows x (N, C) and targets y (N, K); the
 * window ending at row i (rows i-T+1 .. i) predicts y[i].  A window is named by its
 * end row.  Everything is deterministic given the seed: the same inputs and seed give
 * the same weights bit for bit.
 */
#ifndef TC_INFER_TRAIN_H
#define TC_INFER_TRAIN_H

#include "infer/loss.h"
#include "infer/optim.h"
#include "infer/rnn.h"

typedef struct tc_train_data {
    const float *x; /* (n, C) feature rows, chronological, already scaled */
    const float *y; /* (n, K) targets of the window ending at each row */
    int n, C, K;
} tc_train_data_t;

/* Window end rows [begin, end). */
typedef struct tc_train_split {
    int begin, end;
} tc_train_split_t;

/* Splits the windows of n rows (lookback T) chronologically into train, validation
 * and test by the fractions f_train, f_val (the rest is test), dropping `gap` windows
 * before the validation and before the test split, so a target that looks `gap` rows
 * ahead never reaches into the next split.  Returns 0, or -EINVAL when a split would
 * be empty (reason on the error stack). */
int tc_train_split(tc_train_split_t *train, tc_train_split_t *val, tc_train_split_t *test,
                   int n, int T, double f_train, double f_val, int gap);

/* Fold k (0-based) of a walk-forward schedule over n rows with lookback T: train_len
 * training windows starting k*stride windows in, then `gap` dropped, val_len
 * validation windows, `gap` dropped, test_len test windows.  Each fold trains on the
 * past of its own validation and test windows only.  Returns 0, -ERANGE when fold k
 * would run past the data (the schedule is over), -EINVAL for bad sizes. */
int tc_train_walk_forward(tc_train_split_t *train, tc_train_split_t *val, tc_train_split_t *test,
                          int n, int T, int train_len, int val_len, int test_len, int gap,
                          int stride, int k);

/* Per-column mean and standard deviation (population; 1 where a column is constant)
 * of rows [0, rows) of x (.., C): fit on the training rows only.  Can't fail. */
void tc_train_scaler_fit(float *mean, float *std, const float *x, int rows, int C);
/* out (rows, C) = (x - mean) / std; out may equal x.  Can't fail. */
void tc_train_scaler_apply(float *out, const float *x, const float *mean, const float *std,
                           int rows, int C);

/* Copies the windows ending at rows ends[0..B) into xb (B, T, C) and yb (B, K).
 * Every end must be in [T-1, n).  Can't fail. */
void tc_train_gather(float *xb, float *yb, const tc_train_data_t *d, const int *ends, int B,
                     int T);

typedef struct tc_train_config {
    int sequence_length; /* T */
    int batch;           /* windows per step, <= the network's max_batch */
    int epochs;          /* at most */
    int patience;        /* stop after this many epochs without a better validation loss */
    tc_loss_kind_t loss;
    float huber_delta;
    tc_optim_config_t optim;
    unsigned long long seed; /* shuffling order of the training windows */
    /* Called after each epoch with its mean training and validation loss (progress
     * display); NULL for none. */
    void (*on_epoch)(void *ctx, int epoch, float train_loss, float val_loss);
    void *on_epoch_ctx;
} tc_train_config_t;

#define TC_TRAIN_MAX_EPOCHS 1000

typedef struct tc_train_report {
    int epochs_run;
    int best_epoch;                      /* 0-based; its weights are the ones kept */
    float best_val_loss;
    float train_loss[TC_TRAIN_MAX_EPOCHS]; /* mean training loss of each epoch */
    float val_loss[TC_TRAIN_MAX_EPOCHS];
} tc_train_report_t;

/* Mean loss of net over the windows of split s, in batches of up to `batch` windows.
 * Uses the network's activations and the caller's batch buffers xb (batch, T, C),
 * yb (batch, K).  Returns the loss (NaN for an empty split). */
float tc_train_evaluate(tc_rnn_t *net, float *xb, float *yb, const tc_train_data_t *d,
                        const tc_train_split_t *s, const tc_train_config_t *cfg);

/* Trains net in place from its current weights: each epoch shuffles the training
 * windows (seeded), runs mini-batch steps, then measures the validation loss; keeps
 * the weights of the best validation epoch (restored at the end, repacked).  Fills
 * *ret.  Returns 0, -EINVAL for inconsistent sizes, -ENOMEM; reason on the error stack.
 * Allocates its buffers once at the start. */
int tc_train_fit(tc_rnn_t *net, const tc_train_data_t *d, const tc_train_split_t *train,
                 const tc_train_split_t *val, const tc_train_config_t *cfg,
                 tc_train_report_t *ret);

/* The same with the windows named by lists of end rows (any order; the training list
 * is the order before the first shuffle), for data whose windows are not one
 * contiguous range — several symbols in one table.  tc_train_fit is this with the
 * ranges of its splits.  n_val may be 0 (then the training loss stands in). */
int tc_train_fit_ends(tc_rnn_t *net, const tc_train_data_t *d, const int *train_ends, int n_train,
                      const int *val_ends, int n_val, const tc_train_config_t *cfg,
                      tc_train_report_t *ret);
/* Mean loss over the windows ends[0..n), as tc_train_evaluate (NaN for n = 0). */
float tc_train_evaluate_ends(tc_rnn_t *net, float *xb, float *yb, const tc_train_data_t *d,
                             const int *ends, int n, const tc_train_config_t *cfg);

#endif
