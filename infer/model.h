/* model.h — model files: a tc_rnn_t plus its metadata, stored as safetensors.
 *
 * Tensor names are torch.nn.LSTM / torch.nn.GRU's (weight_ih_l0, weight_hh_l0,
 * bias_ih_l0, bias_hh_l0, ... with gate order i,f,g,o or r,z,n) and head.weight,
 * head.bias.  Loading also accepts the recurrent tensors under a module prefix
 * ("lstm.", "gru.", "rnn."), as a PyTorch module's state_dict names them.
 * __metadata__ holds strings: format, cell, input, hidden, layers, horizon,
 * sequence_length, features (JSON array of specs "NAME(Param=value,...)"), scaler_mean
 * and scaler_std (JSON arrays), train_range, train_files, metrics; docs/MODELS.md.
 */
#ifndef TC_INFER_MODEL_H
#define TC_INFER_MODEL_H

#include "infer/rnn.h"

#define TC_MODEL_FORMAT "tickcast-rnn/1"
#define TC_MODEL_MAX_META 64

typedef struct tc_model_load_opts {
    int max_batch, max_steps; /* window sizes to allocate for; values < 1 mean 1 */
    /* Returns 1 when the build knows feature `name` (a spec's part before '('), 0 when
     * not; NULL accepts every name.  The features library supplies this. */
    int (*feature_known)(const char *name, void *ctx);
    void *ctx;
} tc_model_load_opts_t;

typedef struct tc_model {
    tc_rnn_t *net;          /* owned */
    int sequence_length;    /* lookback the model was trained on; 0 when not recorded */
    int n_features;         /* 0 when not recorded, else cfg.input */
    char **features;        /* (n_features) specs, owned */
    float *scaler_mean;     /* (input) or NULL */
    float *scaler_std;      /* (input) or NULL */
    int n_meta;
    char *meta_key[TC_MODEL_MAX_META], *meta_val[TC_MODEL_MAX_META]; /* owned copies */
} tc_model_t;

/* A model with zero weights for cfg; NULL with the reason on the error stack.
 * Release with tc_model_destroy (NULL is fine). */
tc_model_t *tc_model_create(const tc_rnn_config_t *cfg, int max_batch, int max_steps);
void tc_model_destroy(tc_model_t *m);

/* Loads path: infers the configuration from the tensor shapes, checks it against the
 * metadata, requires every tensor (F32, exact shape) and refuses unknown ones, checks
 * the feature list and scaler.  Returns 0 and *ret (owned), or a negative errno with
 * "path: reason" on the error stack (-EBADMSG malformed file, -EPROTO mismatch). */
int tc_model_load(tc_model_t **ret, const char *path, const tc_model_load_opts_t *opts);

/* Writes the weights and metadata to path (atomically: path.tmp, then rename).  The
 * configuration keys are written from the network; other metadata as set. */
int tc_model_save(const tc_model_t *m, const char *path);

/* Sets (replaces) a metadata string; the configuration keys (format, cell, input,
 * hidden, layers, horizon) are refused with -EINVAL: they follow the network. */
int tc_model_meta_set(tc_model_t *m, const char *key, const char *value);
/* Records the scaler (mean, std: input floats each, std > 0) as the scaler_mean and
 * scaler_std metadata (JSON arrays, 9 significant digits: floats round-trip exactly)
 * and in m->scaler_mean / scaler_std.  -EINVAL for a non-positive or non-finite std. */
int tc_model_scaler_set(tc_model_t *m, const float *mean, const float *std);
/* Records the feature specs ("NAME(Param=value,...)", input of them) as the features
 * metadata and in m->features. */
int tc_model_features_set(tc_model_t *m, const char *const *specs);

/* A metadata value or NULL; borrowed until the next set or destroy. */
const char *tc_model_meta_get(const tc_model_t *m, const char *key);

#endif
