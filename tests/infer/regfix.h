/* regfix.h — helpers for the registry suites: a scratch directory, small seeded model
 * files with full metadata, and an independent SHA-256 (coreutils' sha256sum). */
#ifndef TC_TESTS_INFER_REGFIX_H
#define TC_TESTS_INFER_REGFIX_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "infer/model.h"

/* A fresh directory under /tmp, removed by regfix_rmdir. */
static inline void regfix_mkdtemp(char *dir, size_t cap, const char *tag)
{
    snprintf(dir, cap, "/tmp/tc_reg_%s_%d_XXXXXX", tag, (int)getpid());
    cr_assert(mkdtemp(dir) != NULL, "mkdtemp %s", dir);
}

static inline void regfix_rmdir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect(system(cmd) == 0);
}

/* Writes a seeded LSTM (input 3, hidden 5, 1 layer, horizon 2) with metrics, features
 * and a training range to path; seed changes the weights (so the file's hash). */
static inline void regfix_model(const char *path, unsigned seed, const char *metrics)
{
    tc_rnn_config_t cfg = {.cell = TC_RNN_LSTM, .input = 3, .hidden = 5, .layers = 1, .horizon = 2};
    tc_model_t *m = tc_model_create(&cfg, 1, 1);
    cr_assert(m, "%s", tc_err_msg());
    tc_rnn_init_uniform(m->net, seed);
    const char *const specs[3] = {"ROC(TimePeriod=1)", "RSI(TimePeriod=14)", "EMA(TimePeriod=20)"};
    cr_assert(tc_model_features_set(m, specs) == 0, "%s", tc_err_msg());
    cr_assert(tc_model_meta_set(m, "sequence_length", "30") == 0);
    cr_assert(tc_model_meta_set(m, "lr", "0.001") == 0);
    cr_assert(tc_model_meta_set(m, "optimizer", "adamw") == 0);
    cr_assert(tc_model_meta_set(m, "train_range", "2024-01-02T00:00:00Z/2024-03-28T12:30:00Z") == 0);
    cr_assert(tc_model_meta_set(m, "train_files", "{\"ticks/a.csv\": \"sha256:00ff\"}") == 0);
    cr_assert(tc_model_meta_set(m, "metrics", metrics) == 0);
    cr_assert(tc_model_save(m, path) == 0, "%s", tc_err_msg());
    tc_model_destroy(m);
}

/* The file's SHA-256 by sha256sum (not the code under test). */
static inline void regfix_sha256sum(const char *path, char out[65])
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    cr_assert(fscanf(p, "%64s", out) == 1, "sha256sum %s", path);
    pclose(p);
    cr_assert(strlen(out) == 64);
}

#endif
