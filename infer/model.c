/* model.c — loading and saving model files (model.h, docs/MODELS.md) on top of the
 * safetensors reader/writer.  Loading is strict because a model that loads "mostly"
 * would predict garbage quietly: the configuration is inferred from the tensor shapes
 * as PyTorch's load_state_dict(strict=True) would demand, checked against the
 * metadata, and every mismatch is an error naming the file and the tensor or key.
 */
#include "infer/model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "infer/json.h"
#include "infer/safetensors.h"

static const char *const config_keys[] = {"format", "cell", "input", "hidden", "layers", "horizon"};

static int is_config_key(const char *k)
{
    for (size_t i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++)
        if (strcmp(k, config_keys[i]) == 0)
            return 1;
    return 0;
}

tc_model_t *tc_model_create(const tc_rnn_config_t *cfg, int max_batch, int max_steps)
{
    tc_model_t *m = calloc(1, sizeof *m);
    if (!m) {
        TC_ERR(-ENOMEM, "out of memory for a model");
        return NULL;
    }
    m->net = tc_rnn_create(cfg, max_batch < 1 ? 1 : max_batch, max_steps < 1 ? 1 : max_steps);
    if (!m->net) {
        free(m);
        return NULL;
    }
    return m;
}

void tc_model_destroy(tc_model_t *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n_features; i++)
        free(m->features[i]);
    free(m->features);
    free(m->scaler_mean);
    free(m->scaler_std);
    for (int i = 0; i < m->n_meta; i++) {
        free(m->meta_key[i]);
        free(m->meta_val[i]);
    }
    tc_rnn_destroy(m->net);
    free(m);
}

const char *tc_model_meta_get(const tc_model_t *m, const char *key)
{
    for (int i = 0; i < m->n_meta; i++)
        if (strcmp(m->meta_key[i], key) == 0)
            return m->meta_val[i];
    return NULL;
}

static int meta_put(tc_model_t *m, const char *key, const char *value)
{
    char *v = strdup(value);
    if (!v)
        return TC_ERR(-ENOMEM, "out of memory");
    for (int i = 0; i < m->n_meta; i++)
        if (strcmp(m->meta_key[i], key) == 0) {
            free(m->meta_val[i]);
            m->meta_val[i] = v;
            return 0;
        }
    if (m->n_meta == TC_MODEL_MAX_META) {
        free(v);
        return TC_ERR(-ENOSPC, "more than %d metadata entries", TC_MODEL_MAX_META);
    }
    char *k = strdup(key);
    if (!k) {
        free(v);
        return TC_ERR(-ENOMEM, "out of memory");
    }
    m->meta_key[m->n_meta] = k;
    m->meta_val[m->n_meta++] = v;
    return 0;
}

int tc_model_meta_set(tc_model_t *m, const char *key, const char *value)
{
    if (is_config_key(key))
        return TC_ERR(-EINVAL, "metadata key \"%s\" follows the network and cannot be set", key);
    return meta_put(m, key, value);
}

/* Appends to a growable string; returns 0 or -ENOMEM. */
static int str_add(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 256;
        while (c < *len + n + 1)
            c *= 2;
        char *p = realloc(*buf, c);
        if (!p)
            return TC_ERR(-ENOMEM, "out of memory");
        *buf = p;
        *cap = c;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
    return 0;
}

static int floats_json(char **ret, const float *v, int n)
{
    char *buf = NULL, num[32];
    size_t len = 0, cap = 0;
    int r = str_add(&buf, &len, &cap, "[");
    for (int i = 0; i < n && r == 0; i++) {
        snprintf(num, sizeof num, "%s%.9g", i ? ", " : "", v[i]);
        r = str_add(&buf, &len, &cap, num);
    }
    r = r < 0 ? r : str_add(&buf, &len, &cap, "]");
    if (r < 0) {
        free(buf);
        return r;
    }
    *ret = buf;
    return 0;
}

int tc_model_scaler_set(tc_model_t *m, const float *mean, const float *std)
{
    const int n = m->net->cfg.input;
    for (int i = 0; i < n; i++)
        if (!isfinite(mean[i]) || !isfinite(std[i]) || !(std[i] > 0.0f))
            return TC_ERR(-EINVAL, "scaler input %d: mean %g, std %g", i, mean[i], std[i]);
    char *jm = NULL, *js = NULL;
    float *cm = malloc((size_t)n * sizeof *cm), *cs = malloc((size_t)n * sizeof *cs);
    int r = cm && cs ? 0 : TC_ERR(-ENOMEM, "out of memory");
    r = r < 0 ? r : floats_json(&jm, mean, n);
    r = r < 0 ? r : floats_json(&js, std, n);
    r = r < 0 ? r : meta_put(m, "scaler_mean", jm);
    r = r < 0 ? r : meta_put(m, "scaler_std", js);
    if (r == 0) {
        memcpy(cm, mean, (size_t)n * sizeof *cm);
        memcpy(cs, std, (size_t)n * sizeof *cs);
        free(m->scaler_mean);
        free(m->scaler_std);
        m->scaler_mean = cm;
        m->scaler_std = cs;
        cm = cs = NULL;
    }
    free(jm), free(js), free(cm), free(cs);
    return r;
}

int tc_model_features_set(tc_model_t *m, const char *const *specs)
{
    const int n = m->net->cfg.input;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    char **copy = calloc((size_t)n, sizeof *copy);
    int r = copy ? str_add(&buf, &len, &cap, "[") : TC_ERR(-ENOMEM, "out of memory");
    for (int i = 0; i < n && r == 0; i++) {
        size_t q = 0, qcap = 6 * strlen(specs[i]) + 3;
        char *quoted = malloc(qcap);
        if (!quoted || !(copy[i] = strdup(specs[i]))) {
            free(quoted);
            r = TC_ERR(-ENOMEM, "out of memory");
            break;
        }
        r = tc_json_quote(quoted, qcap, &q, specs[i]);
        r = r < 0 ? r : str_add(&buf, &len, &cap, i ? ", " : "");
        r = r < 0 ? r : str_add(&buf, &len, &cap, quoted);
        free(quoted);
    }
    r = r < 0 ? r : str_add(&buf, &len, &cap, "]");
    r = r < 0 ? r : meta_put(m, "features", buf);
    free(buf);
    if (r < 0) {
        for (int i = 0; copy && i < n; i++)
            free(copy[i]);
        free(copy);
        return r;
    }
    for (int i = 0; i < m->n_features; i++)
        free(m->features[i]);
    free(m->features);
    m->features = copy;
    m->n_features = n;
    return 0;
}

/* ---- loading ---- */

/* A metadata integer: the whole string, decimal, in [lo, hi]. */
static int meta_int(const char *path, const char *key, const char *s, int lo, int hi, int *ret)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return TC_ERR(-EPROTO, "%s: metadata %s = \"%s\" is not an integer in %d..%d", path, key,
                      s, lo, hi);
    *ret = (int)v;
    return 0;
}

/* Canonical name of a file tensor: the recurrent ones may carry a module prefix. */
static const char *canonical(const char *name)
{
    static const char *const prefixes[] = {"lstm.", "gru.", "rnn."};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(name, prefixes[i], n) == 0 && strncmp(name + n, "head.", 5) != 0)
            return name + n;
    }
    return name;
}

static const tc_st_tensor_t *find_canonical(const tc_st_t *st, const char *want)
{
    for (int i = 0; i < tc_st_count(st); i++)
        if (strcmp(canonical(tc_st_at(st, i)->name), want) == 0)
            return tc_st_at(st, i);
    return NULL;
}

static int infer_config(tc_rnn_config_t *cfg, const tc_st_t *st, const char *path)
{
    const tc_st_tensor_t *ih = find_canonical(st, "weight_ih_l0");
    const tc_st_tensor_t *hh = find_canonical(st, "weight_hh_l0");
    const tc_st_tensor_t *hw = find_canonical(st, "head.weight");
    if (!ih || !hh || !hw)
        return TC_ERR(-EPROTO, "%s: missing tensor %s", path,
                      !ih ? "weight_ih_l0" : !hh ? "weight_hh_l0" : "head.weight");
    if (hh->ndim != 2 || hh->shape[1] < 1 || hh->shape[1] > TC_RNN_MAX_HIDDEN)
        return TC_ERR(-EPROTO, "%s: tensor %s must be (G*hidden, hidden)", path, hh->name);
    int H = (int)hh->shape[1];
    if (hh->shape[0] == 4LL * H)
        cfg->cell = TC_RNN_LSTM;
    else if (hh->shape[0] == 3LL * H)
        cfg->cell = TC_RNN_GRU;
    else
        return TC_ERR(-EPROTO, "%s: tensor %s has %lld rows for hidden %d: neither LSTM (4H) "
                      "nor GRU (3H)", path, hh->name, (long long)hh->shape[0], H);
    if (ih->ndim != 2 || ih->shape[1] < 1 || ih->shape[1] > TC_RNN_MAX_INPUT)
        return TC_ERR(-EPROTO, "%s: tensor %s must be (G*hidden, input)", path, ih->name);
    if (hw->ndim != 2 || hw->shape[0] < 1 || hw->shape[0] > TC_RNN_MAX_HORIZON)
        return TC_ERR(-EPROTO, "%s: tensor head.weight must be (horizon, hidden)", path);
    cfg->hidden = H;
    cfg->input = (int)ih->shape[1];
    cfg->horizon = (int)hw->shape[0];
    cfg->layers = 0;
    char name[32];
    for (int l = 0; l < TC_RNN_MAX_LAYERS; l++) {
        snprintf(name, sizeof name, "weight_ih_l%d", l);
        if (!find_canonical(st, name))
            break;
        cfg->layers = l + 1;
    }
    return 0;
}

/* The metadata's configuration keys, where present, must say what the tensors say. */
static int check_config_meta(const tc_rnn_config_t *cfg, const tc_st_t *st, const char *path)
{
    const char *v;
    int r, x;
    if ((v = tc_st_meta(st, "format")) && strcmp(v, TC_MODEL_FORMAT) != 0)
        return TC_ERR(-EPROTO, "%s: metadata format \"%s\", expected \"%s\"", path, v,
                      TC_MODEL_FORMAT);
    if ((v = tc_st_meta(st, "cell"))) {
        if (strcmp(v, "lstm") != 0 && strcmp(v, "gru") != 0)
            return TC_ERR(-EPROTO, "%s: metadata cell \"%s\" is neither lstm nor gru", path, v);
        if ((strcmp(v, "lstm") == 0) != (cfg->cell == TC_RNN_LSTM))
            return TC_ERR(-EPROTO, "%s: metadata cell %s, tensors are %s", path, v,
                          cfg->cell == TC_RNN_LSTM ? "lstm" : "gru");
    }
    static const char *const keys[] = {"input", "hidden", "layers", "horizon"};
    const int have[] = {cfg->input, cfg->hidden, cfg->layers, cfg->horizon};
    for (int i = 0; i < 4; i++) {
        if (!(v = tc_st_meta(st, keys[i])))
            continue;
        if ((r = meta_int(path, keys[i], v, 1, 1 << 20, &x)) < 0)
            return r;
        if (x != have[i])
            return TC_ERR(-EPROTO, "%s: metadata %s = %d, tensors say %d", path, keys[i], x,
                          have[i]);
    }
    return 0;
}

/* Parses a JSON array of n numbers into a fresh float array. */
static int parse_floats(float **ret, const char *s, int n, const char *path, const char *key)
{
    float *v = calloc((size_t)n, sizeof *v);
    if (!v)
        return TC_ERR(-ENOMEM, "out of memory");
    tc_json_t j;
    tc_json_init(&j, s, strlen(s));
    int r, first = 1, k = 0;
    if ((r = tc_json_expect(&j, '[')) < 0)
        goto fail;
    while ((r = tc_json_element(&j, &first)) == 1) {
        double d;
        if (k == n) {
            r = TC_ERR(-EPROTO, "more than %d values", n);
            goto fail;
        }
        if ((r = tc_json_number(&j, &d)) < 0)
            goto fail;
        if (!isfinite(d) || fabs(d) > 3.4e38) {
            r = TC_ERR(-EPROTO, "value %d is not a finite float", k);
            goto fail;
        }
        v[k++] = (float)d;
    }
    if (r < 0 || (r = tc_json_finish(&j)) < 0)
        goto fail;
    if (k != n) {
        r = TC_ERR(-EPROTO, "%d values, the model has %d inputs", k, n);
        goto fail;
    }
    *ret = v;
    return 0;
fail:
    free(v);
    return TC_ERR_APPEND(r < 0 ? r : -EPROTO, "%s: metadata %s", path, key);
}

static int parse_features(tc_model_t *m, const char *s, const char *path,
                          const tc_model_load_opts_t *opts)
{
    const int n = m->net->cfg.input;
    size_t cap = strlen(s) + 1;
    char *buf = malloc(cap);
    m->features = calloc((size_t)n, sizeof *m->features);
    if (!buf || !m->features) {
        free(buf);
        return TC_ERR(-ENOMEM, "out of memory");
    }
    tc_json_t j;
    tc_json_init(&j, s, strlen(s));
    int r, first = 1;
    if ((r = tc_json_expect(&j, '[')) < 0)
        goto out;
    while ((r = tc_json_element(&j, &first)) == 1) {
        if (m->n_features == n) {
            r = TC_ERR(-EPROTO, "more than %d features", n);
            goto out;
        }
        if ((r = tc_json_string(&j, buf, cap)) < 0)
            goto out;
        char name[128];
        size_t len = strcspn(buf, "(");
        if (len == 0 || len >= sizeof name) {
            r = TC_ERR(-EPROTO, "feature %d \"%s\" has no name", m->n_features, buf);
            goto out;
        }
        memcpy(name, buf, len);
        name[len] = '\0';
        if (opts && opts->feature_known && !opts->feature_known(name, opts->ctx)) {
            r = TC_ERR(-EPROTO, "feature %d \"%s\" is unknown to this build", m->n_features,
                       name);
            goto out;
        }
        if (!(m->features[m->n_features] = strdup(buf))) {
            r = TC_ERR(-ENOMEM, "out of memory");
            goto out;
        }
        m->n_features++;
    }
    if (r < 0 || (r = tc_json_finish(&j)) < 0)
        goto out;
    if (m->n_features != n)
        r = TC_ERR(-EPROTO, "%d features, the model has %d inputs", m->n_features, n);
out:
    free(buf);
    return r < 0 ? TC_ERR_APPEND(r, "%s: metadata features", path) : 0;
}

int tc_model_load(tc_model_t **ret, const char *path, const tc_model_load_opts_t *opts)
{
    tc_st_t *st = NULL;
    tc_model_t *m = NULL;
    tc_rnn_config_t cfg;
    int r = tc_st_open(&st, path);
    if (r < 0)
        return r;
    if ((r = infer_config(&cfg, st, path)) < 0 || (r = check_config_meta(&cfg, st, path)) < 0)
        goto fail;
    if ((r = tc_rnn_config_check(&cfg)) < 0) {
        r = TC_ERR_APPEND(r, "%s", path);
        goto fail;
    }
    m = tc_model_create(&cfg, opts ? opts->max_batch : 1, opts ? opts->max_steps : 1);
    if (!m) {
        r = TC_ERR_APPEND(tc_err_code() ? tc_err_code() : -ENOMEM, "%s", path);
        goto fail;
    }

    /* Every expected tensor, exactly once, F32 and the exact shape. */
    tc_rnn_t *net = m->net;
    for (int i = 0; i < net->n_tensors; i++) {
        const tc_rnn_tensor_t *t = &net->tensors[i];
        const tc_st_tensor_t *ft = find_canonical(st, t->name);
        if (!ft) {
            r = TC_ERR(-EPROTO, "%s: missing tensor %s", path, t->name);
            goto fail;
        }
        int64_t shape[2] = {t->shape[0], t->shape[1]};
        if ((r = tc_st_tensor_read_f32(net->param_block + t->offset, st, ft, t->ndim, shape)) < 0)
            goto fail;
        for (size_t k = 0; k < t->numel; k++)
            if (!isfinite(net->param_block[t->offset + k])) {
                r = TC_ERR(-EPROTO, "%s: tensor %s: element %zu is not finite", path, ft->name, k);
                goto fail;
            }
    }
    for (int i = 0; i < tc_st_count(st); i++) {
        const tc_st_tensor_t *ft = tc_st_at(st, i);
        const char *cn = canonical(ft->name);
        int known = 0;
        for (int k = 0; k < net->n_tensors && !known; k++)
            known = strcmp(net->tensors[k].name, cn) == 0;
        if (!known) {
            r = TC_ERR(-EPROTO, "%s: unexpected tensor %s: not part of a %d-layer %s", path,
                       ft->name, cfg.layers, cfg.cell == TC_RNN_LSTM ? "LSTM" : "GRU");
            goto fail;
        }
        if (find_canonical(st, cn) != ft) {
            r = TC_ERR(-EPROTO, "%s: tensor %s appears twice (with and without a prefix)", path, cn);
            goto fail;
        }
    }
    tc_rnn_pack(net);

    const char *v;
    if ((v = tc_st_meta(st, "sequence_length")) &&
        (r = meta_int(path, "sequence_length", v, 1, 1 << 24, &m->sequence_length)) < 0)
        goto fail;
    if ((v = tc_st_meta(st, "features")) && (r = parse_features(m, v, path, opts)) < 0)
        goto fail;
    if ((v = tc_st_meta(st, "scaler_mean")) &&
        (r = parse_floats(&m->scaler_mean, v, cfg.input, path, "scaler_mean")) < 0)
        goto fail;
    if ((v = tc_st_meta(st, "scaler_std"))) {
        if ((r = parse_floats(&m->scaler_std, v, cfg.input, path, "scaler_std")) < 0)
            goto fail;
        for (int k = 0; k < cfg.input; k++)
            if (!(m->scaler_std[k] > 0.0f)) {
                r = TC_ERR(-EPROTO, "%s: metadata scaler_std[%d] = %g is not positive", path, k,
                           m->scaler_std[k]);
                goto fail;
            }
    }
    for (int i = 0; i < tc_st_meta_count(st); i++) {
        const char *k, *val;
        tc_st_meta_at(st, i, &k, &val);
        if (!is_config_key(k) && (r = meta_put(m, k, val)) < 0)
            goto fail;
    }
    tc_st_close(st);
    *ret = m;
    return 0;
fail:
    tc_model_destroy(m);
    tc_st_close(st);
    return r;
}

int tc_model_save(const tc_model_t *m, const char *path)
{
    const tc_rnn_t *net = m->net;
    const tc_rnn_config_t *cfg = &net->cfg;
    tc_st_writer_t *w = tc_st_writer_create();
    if (!w)
        return -ENOMEM;
    char num[32];
    int r = tc_st_writer_meta(w, "format", TC_MODEL_FORMAT);
    r = r < 0 ? r : tc_st_writer_meta(w, "cell", cfg->cell == TC_RNN_LSTM ? "lstm" : "gru");
    static const char *const keys[] = {"input", "hidden", "layers", "horizon"};
    const int vals[] = {cfg->input, cfg->hidden, cfg->layers, cfg->horizon};
    for (int i = 0; i < 4 && r == 0; i++) {
        snprintf(num, sizeof num, "%d", vals[i]);
        r = tc_st_writer_meta(w, keys[i], num);
    }
    for (int i = 0; i < m->n_meta && r == 0; i++)
        r = tc_st_writer_meta(w, m->meta_key[i], m->meta_val[i]);
    for (int i = 0; i < net->n_tensors && r == 0; i++) {
        const tc_rnn_tensor_t *t = &net->tensors[i];
        int64_t shape[2] = {t->shape[0], t->shape[1]};
        r = tc_st_writer_add_f32(w, t->name, net->param_block + t->offset, t->ndim, shape);
    }
    r = r < 0 ? r : tc_st_writer_save(w, path);
    tc_st_writer_destroy(w);
    return r < 0 ? TC_ERR_APPEND(r, "saving model %s", path) : 0;
}
