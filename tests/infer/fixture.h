/* fixture.h — helpers the infer suites share: open a PyTorch fixture
 * (tests/infer/fixtures, written by make_fixtures.py), build the network it
 * describes, load tensors by name and compare arrays with a stated tolerance,
 * printing the worst error of every comparison. */
#ifndef TC_TESTS_INFER_FIXTURE_H
#define TC_TESTS_INFER_FIXTURE_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "infer/rnn.h"
#include "infer/safetensors.h"

/* Parity tolerance with PyTorch: |got - want| <= ABS + REL * |want|. */
#define FX_REL 1e-5
#define FX_ABS 1e-6

static inline const char *fx_path(const char *file)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/tests/infer/fixtures/%s", TC_SOURCE_DIR, file);
    return buf;
}

/* The whole file at path (malloc'd; the caller frees), its size in *n. */
static inline unsigned char *fx_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "%s", path);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n);
    cr_assert(fread(b, 1, *n, f) == *n);
    fclose(f);
    return b;
}

static inline tc_st_t *fx_open(const char *name)
{
    char file[256];
    snprintf(file, sizeof file, "%s.safetensors", name);
    tc_st_t *st = NULL;
    int r = tc_st_open(&st, fx_path(file));
    cr_assert(r == 0, "fixture %s: %s", name, tc_err_msg());
    return st;
}

static inline double fx_meta_num(const tc_st_t *st, const char *key)
{
    const char *v = tc_st_meta(st, key);
    cr_assert(v, "fixture lacks metadata %s", key);
    return strtod(v, NULL);
}

static inline tc_rnn_config_t fx_config(const tc_st_t *st)
{
    const char *cell = tc_st_meta(st, "cell");
    cr_assert(cell);
    return (tc_rnn_config_t){
        .cell = strcmp(cell, "lstm") == 0 ? TC_RNN_LSTM : TC_RNN_GRU,
        .input = (int)fx_meta_num(st, "input"),
        .hidden = (int)fx_meta_num(st, "hidden"),
        .layers = (int)fx_meta_num(st, "layers"),
        .horizon = (int)fx_meta_num(st, "horizon"),
    };
}

/* Copies tensor `name` (any shape, F32) into dst of n floats. */
static inline void fx_read(float *dst, size_t n, const tc_st_t *st, const char *name)
{
    const tc_st_tensor_t *t = tc_st_find(st, name);
    cr_assert(t, "fixture lacks tensor %s", name);
    cr_assert(strcmp(t->dtype, "F32") == 0 && t->end - t->begin == n * sizeof(float),
              "tensor %s: %s with %llu bytes, expected %zu floats", name, t->dtype,
              (unsigned long long)(t->end - t->begin), n);
    memcpy(dst, t->data, n * sizeof(float));
}

/* Loads the parameter-shaped block (weights, or "grad." gradients) by PyTorch name. */
static inline void fx_read_params(float *block, const tc_rnn_t *net, const tc_st_t *st,
                                  const char *prefix)
{
    for (int i = 0; i < net->n_tensors; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%s", prefix, net->tensors[i].name);
        fx_read(block + net->tensors[i].offset, net->tensors[i].numel, st, name);
    }
}

/* Compares n values, expecting each within tolerance; prints and returns the worst
 * absolute error. */
static inline double fx_compare(const char *what, const float *got, const float *want, size_t n,
                                double rel, double abs_tol)
{
    double worst = 0.0, worst_ratio = 0.0;
    size_t bad = 0, first_bad = 0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)got[i] - (double)want[i]);
        double tol = abs_tol + rel * fabs((double)want[i]);
        if (!(e <= tol)) {
            if (!bad)
                first_bad = i;
            bad++;
        }
        if (e > worst || isnan(e))
            worst = e;
        if (e / tol > worst_ratio)
            worst_ratio = e / tol;
    }
    fprintf(stderr, "  %-44s n=%-4zu max abs err %.3g (%.2f of tolerance)\n", what, n, worst,
            worst_ratio);
    cr_expect(bad == 0, "%s: %zu of %zu values out of tolerance; first [%zu] got %.9g want %.9g",
              what, bad, n, first_bad, bad ? got[first_bad] : 0.0, bad ? want[first_bad] : 0.0);
    return worst;
}

/* Deterministic inputs for tests that need no fixture (splitmix64, uniform [-1, 1)). */
static inline void fx_fill(float *x, size_t n, unsigned long long seed)
{
    unsigned long long s = seed;
    for (size_t i = 0; i < n; i++) {
        unsigned long long z = (s += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        x[i] = (float)(z >> 40) / 8388608.0f - 1.0f;
    }
}

#endif
