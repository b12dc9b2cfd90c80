/* engine.h — live inference for many symbols: a model, the map from the features
 * ring's columns to the model's inputs, and per-symbol recurrent state.
 *
 * Each feature record whose model inputs are all finite advances its symbol's state by
 * one streaming step (tc_rnn_step) and gives one prediction: the model sees the bars of
 * a symbol as one sequence from the first bar where its own inputs are past their
 * lookback (as the trainer's rows do), with (h, c) carried between bars.
 * The tickcast-infer stage, `tickcast predict` and the backtester all run this code, so
 * a prediction is the same number wherever it is made.  Nothing allocates after create.
 */
#ifndef TC_INFER_ENGINE_H
#define TC_INFER_ENGINE_H

#include <stdint.h>

#include "features/featset.h"
#include "infer/model.h"
#include "shm/records.h"

typedef struct tc_infer_engine tc_infer_engine_t;

/* Builds an engine serving model m (owned by the engine from then on, also on failure)
 * on records whose features are fs's columns.  Every model input must be a column of
 * fs (matched by canonical spec), the model must carry its scaler, and its horizon
 * must fit a prediction record.  Returns NULL with the reason on the error stack. */
tc_infer_engine_t *tc_infer_engine_create(tc_model_t *m, const tc_featset_t *fs);
void tc_infer_engine_destroy(tc_infer_engine_t *e);
const tc_model_t *tc_infer_engine_model(const tc_infer_engine_t *e);

/* Outcome of one record. */
enum tc_infer_outcome {
    TC_INFER_PREDICTED = 1, /* *out is a prediction */
    TC_INFER_NOT_READY = 0, /* an input is NaN before the symbol's first prediction (lookback) */
    TC_INFER_NONFINITE = -1, /* an input was NaN or infinite later: the state is left as it was */
    TC_INFER_BAD_SYMBOL = -2, /* symbol id beyond the engine's table */
};

/* Runs one feature record: on TC_INFER_PREDICTED fills *out (ts_event, sym, horizon,
 * price, yhat, model_version = version, src_pos = pos); ts_pred and latency_ns are the
 * caller's.  Can't fail otherwise; no allocation. */
int tc_infer_engine_step(tc_infer_engine_t *e, const tc_feat_t *f, uint64_t pos,
                         uint32_t version, tc_pred_t *out);

/* Forgets symbol sym's state (its next ready bar starts a new sequence); sym < 0: all. */
void tc_infer_engine_reset(tc_infer_engine_t *e, int sym);

#endif
