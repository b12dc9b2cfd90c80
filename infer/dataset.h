/* dataset.h — ticks to per-symbol feature rows and return targets, for training,
 * evaluation and batch prediction.
 *
 * The ticks of a source (a native .tck file, a directory of them, or any file the
 * importers read) go through tc_features_* — the very pipeline of tickcast-features —
 * in stream order, with the price source the features stage would pick per symbol
 * (quote mids for FX and CFDs, trades otherwise).  Every closed bar that is ready (all
 * features past their lookback) becomes a row.  Rows are grouped by symbol, each group
 * chronological, so a window of consecutive rows inside a group never crosses symbols.
 *
 * Targets: y[i][k] = log(close[i+k+1] / close[i]), k = 0..K-1, over the symbol's own
 * bars; NaN where the bar is past the end of the data.
 */
#ifndef TC_INFER_DATASET_H
#define TC_INFER_DATASET_H

#include <stdint.h>

#include "features/featset.h"

#define TC_DATASET_MAX_FILES 256

typedef struct tc_dataset_opts {
    int bar_type;             /* enum tc_bar_type */
    double bar_size;
    const char *feature_list; /* "default" or a list (featset.h) */
    int mode;                 /* TC_TA_MODE_* */
    int horizon;              /* K >= 1 */
    const char *const *symbols; /* names to keep (n_symbols of them); NULL: every symbol */
    int n_symbols;
    int64_t from_ns, to_ns;   /* keep rows whose bar closes in [from, to]; 0 = unbounded */
} tc_dataset_opts_t;

/* One symbol's rows: [begin, end) of the dataset. */
typedef struct tc_dataset_sym {
    char name[32];
    int begin, end;
} tc_dataset_sym_t;

typedef struct tc_dataset {
    int n, C, K;          /* rows, features per row, horizon */
    double *f;            /* (n, C) raw features as tc_features computed them */
    float *y;             /* (n, K) targets; NaN past the end of the symbol's bars */
    int64_t *ts;          /* (n) bar close time, ns UTC */
    int64_t *ts_target;   /* (n) close time of the bar of the last target, 0 if unknown */
    double *close;        /* (n) bar close */
    double *prev_close;   /* (n) close of the symbol's previous row (NaN for its first) */
    int *sym;             /* (n) index into syms */
    int n_syms;
    tc_dataset_sym_t *syms;
    tc_featset_t fs;      /* the feature set the rows follow (canonical specs in fs.spec[].name) */
    int n_files;
    char *files[TC_DATASET_MAX_FILES];     /* input files read */
    char sha256[TC_DATASET_MAX_FILES][65]; /* hex digest of each */
    uint64_t ticks, bars;                  /* ticks read, bars closed (ready or not, kept symbols) */
} tc_dataset_t;

/* Reads path (a .tck file, a directory of .tck files, or an importable file) and builds
 * the rows.  Returns 0 and an owned *ret (tc_dataset_destroy), or a negative errno with
 * the reason on the error stack: -ENOENT and friends for the source, -EINVAL for bad
 * options or a --symbol the data does not have, -ENODATA when no bar is ready. */
int tc_dataset_load(tc_dataset_t **ret, const char *path, const tc_dataset_opts_t *o);
void tc_dataset_destroy(tc_dataset_t *ds);

/* 1 when the window of T rows ending at row i lies inside one symbol and row i has every
 * target (for training and scoring).  Can't fail. */
int tc_dataset_window_ok(const tc_dataset_t *ds, int i, int T, int need_targets);

/* Every window end (T rows, all targets known) in chronological order of the end bar's
 * close time, ties by symbol then row.  Returns the count and a malloc'd array in
 * *ret_ends (the caller frees), or -ENOMEM. */
int tc_dataset_windows(const tc_dataset_t *ds, int T, int **ret_ends);

/* A split as a list of window end rows. */
typedef struct tc_dataset_split {
    int *ends;
    int n;
} tc_dataset_split_t;

/* Splits the chronological windows w[0..nw) (from tc_dataset_windows) into training,
 * validation and test.  Training takes n_train windows from w[start]; validation the
 * next n_val eligible ones, test the next n_test eligible (n_test < 0: every eligible
 * one left).  A window is eligible for the next split when (1) its end bar closes
 * strictly after the last target bar of every window of the previous split (pooled over
 * symbols) and (2) it ends at least `gap` rows after its own symbol's last window of the
 * previous split.  With one symbol and gap = K this is tc_train_split's purge.  The ends
 * arrays are malloc'd into the splits (tc_dataset_split_free).  Returns 0, -ERANGE when
 * a split cannot be filled (not enough data), -ENOMEM. */
int tc_dataset_split(tc_dataset_split_t *train, tc_dataset_split_t *val, tc_dataset_split_t *test,
                     const tc_dataset_t *ds, const int *w, int nw, int start, int n_train,
                     int n_val, int n_test, int gap);
void tc_dataset_split_free(tc_dataset_split_t *s);

/* Raw feature row i scaled for the network, in float: out[c] = ((float)f - mean) / std,
 * the arithmetic tc_train_scaler_apply does, so training and inference agree to the
 * bit.  Can't fail. */
void tc_dataset_row_scale(float *out, const tc_dataset_t *ds, int i, const float *mean,
                          const float *std);

/* Fits mean/std (tc_train_scaler_fit) on the distinct rows that are inputs of the
 * windows ends[0..n) of length T: the training rows only.  Returns the row count or
 * -ENOMEM. */
int tc_dataset_scaler_fit(float *mean, float *std, const tc_dataset_t *ds, const int *ends, int n,
                          int T);

/* SHA-256 of a file as 64 hex digits.  0 or -errno with the reason on the error stack. */
int tc_dataset_file_sha256(char hex[65], const char *path);

/* Parses a time for --from/--to: integer ns since the epoch, or ISO 8601 UTC
 * "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z]".  0 or -EINVAL. */
int tc_dataset_time_parse(int64_t *ret_ns, const char *s);
/* Formats ns as "YYYY-MM-DDTHH:MM:SS[.fffffffff]Z".  Can't fail. */
void tc_dataset_time_format(char *buf, size_t len, int64_t ns);

#endif
