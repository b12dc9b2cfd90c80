/* featset.c — feature lists, per-symbol feature computation and the z-score scaler
 * (featset.h).  The same code computes features in tickcast-features, in backtests and
 * in training, so the numbers are identical everywhere. */
#include "features/featset.h"
#include "daemon/runtime/err.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum bar_col { COL_OPEN, COL_HIGH, COL_LOW, COL_CLOSE, COL_VOLUME, COL_VWAP };

enum bar_feat {
    BF_LOGRET, BF_RANGE, BF_VWAP_DEV, BF_IMBALANCE, BF_LOG_VOLUME, BF_TRADES, BF_SPREAD,
    BF_QUOTE_IMBALANCE,
};

static const char *const bar_feat_names[] = {
    "logret", "range", "vwap_dev", "imbalance", "log_volume", "trades", "spread",
    "quote_imbalance", NULL,
};

static const char default_set[] =
    "logret,range,vwap_dev,imbalance,log_volume,spread,quote_imbalance,"
    "RSI(TimePeriod=14),RSI(TimePeriod=6),CMO(TimePeriod=14),WILLR(TimePeriod=14),"
    "CCI(TimePeriod=14),ADX(TimePeriod=14),PLUS_DI(TimePeriod=14),MINUS_DI(TimePeriod=14),"
    "AROONOSC(TimePeriod=14),MFI(TimePeriod=14),ULTOSC,STOCH[slowk],STOCH[slowd],"
    "STOCHRSI[fastk],BOP,ROC(TimePeriod=10),MOM(TimePeriod=10)~norm,TRIX(TimePeriod=15),PPO,"
    "MACD[macdhist]~norm,NATR(TimePeriod=14),ATR(TimePeriod=14)~norm,"
    "STDDEV(TimePeriod=20)~norm,BBANDS(TimePeriod=20)[upperband]~rel,"
    "BBANDS(TimePeriod=20)[lowerband]~rel,SMA(TimePeriod=20)~rel,EMA(TimePeriod=50)~rel,"
    "KAMA(TimePeriod=30)~rel,LINEARREG_SLOPE(TimePeriod=14)~norm,HT_TRENDMODE,"
    "CDLENGULFING,CDLDOJI";

const char *tc_featset_default(void) { return default_set; }

static int input_col(const char *in, int *ret)
{
    static const struct { const char *name; int col; } map[] = {
        {"open", COL_OPEN},   {"high", COL_HIGH},     {"low", COL_LOW},     {"close", COL_CLOSE},
        {"volume", COL_VOLUME}, {"inReal", COL_CLOSE}, {"inReal0", COL_HIGH}, {"inReal1", COL_LOW},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(in, map[i].name) == 0) {
            *ret = map[i].col;
            return 0;
        }
    return -1; /* inPeriods and the like: not mappable from a bar */
}

/* Parses one item [s, s+len). */
static int parse_item(tc_feat_spec_t *sp, const char *s, size_t len)
{
    char item[256];
    if (len >= sizeof item)
        return TC_ERR(-EINVAL, "feature '%.40s...' is too long", s);
    memcpy(item, s, len);
    item[len] = '\0';
    memset(sp, 0, sizeof *sp);
    char *x = strchr(item, '~');
    if (x) {
        *x++ = '\0';
        if (!strcmp(x, "rel"))
            sp->xform = TC_XFORM_REL;
        else if (!strcmp(x, "norm"))
            sp->xform = TC_XFORM_NORM;
        else
            return TC_ERR(-EINVAL, "feature '%s': unknown transform '~%s' (~rel, ~norm)", item, x);
    }
    for (int i = 0; bar_feat_names[i]; i++)
        if (!strcmp(item, bar_feat_names[i])) {
            if (sp->xform)
                return TC_ERR(-EINVAL, "feature '%s': transforms apply to TA functions only", item);
            sp->kind = TC_FEAT_BAR;
            sp->bar_feat = i;
            snprintf(sp->name, sizeof sp->name, "%s", item);
            return 0;
        }
    char *out = strchr(item, '['), *par = strchr(item, '(');
    char params[192] = "";
    if (par && (!out || par < out)) {
        char *close = strchr(par, ')');
        if (!close)
            return TC_ERR(-EINVAL, "feature '%s': missing ')'", item);
        *close = '\0';
        snprintf(params, sizeof params, "%s", par + 1);
        *par = '\0';
        out = strchr(close + 1, '[');
    }
    char outname[32] = "";
    if (out) {
        char *close = strchr(out, ']');
        if (!close)
            return TC_ERR(-EINVAL, "feature '%s': missing ']'", item);
        *close = '\0';
        snprintf(outname, sizeof outname, "%s", out + 1);
        *out = '\0';
    }
    const tc_ta_func_t *f = tc_ta_find(item);
    if (!f)
        return TC_ERR(-EINVAL, "feature '%s': no such function or bar feature", item);
    for (char *c = params; *c; c++)
        if (*c == ',')
            *c = ' ';
    int r = tc_ta_params_parse(f, params, sp->p);
    if (r < 0)
        return TC_ERR_APPEND(r, "feature %s", item);
    sp->out = 0;
    if (outname[0]) {
        sp->out = -1;
        for (int k = 0; k < f->n_out; k++)
            if (!strcmp(f->out[k], outname))
                sp->out = k;
        if (sp->out < 0)
            return TC_ERR(-EINVAL, "feature '%s': no output '%s'", item, outname);
    } else if (f->n_out > 1) {
        return TC_ERR(-EINVAL, "feature '%s' has %d outputs: name one, e.g. %s[%s]", item,
                      f->n_out, f->name, f->out[0]);
    }
    for (int i = 0; i < f->n_in; i++)
        if (input_col(f->in[i], &sp->in_col[i]) < 0)
            return TC_ERR(-EINVAL, "feature '%s': input %s cannot come from a bar", item, f->in[i]);
    sp->kind = TC_FEAT_TA;
    sp->f = f;
    int n = snprintf(sp->name, sizeof sp->name, "%s", f->name);
    for (int i = 0; i < f->n_param; i++)
        n += snprintf(sp->name + n, sizeof sp->name - (size_t)n, "%s%s=%g", i ? "," : "(",
                      f->param[i].name, sp->p[i]);
    if (f->n_param)
        n += snprintf(sp->name + n, sizeof sp->name - (size_t)n, ")");
    if (f->n_out > 1)
        n += snprintf(sp->name + n, sizeof sp->name - (size_t)n, "[%s]", f->out[sp->out]);
    if (sp->xform)
        snprintf(sp->name + n, sizeof sp->name - (size_t)n, "~%s",
                 sp->xform == TC_XFORM_REL ? "rel" : "norm");
    return 0;
}

int tc_featset_parse(tc_featset_t *fs, const char *list, int mode)
{
    tc_featset_t tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.mode = mode;
    if (!strcmp(list, "default"))
        list = default_set;
    const char *s = list;
    while (*s) {
        while (*s == ',' || isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        /* an item ends at a comma outside parentheses */
        size_t len = 0;
        int depth = 0;
        while (s[len] && (depth > 0 || s[len] != ',')) {
            depth += s[len] == '(';
            depth -= s[len] == ')';
            len++;
        }
        while (len && isspace((unsigned char)s[len - 1]))
            len--;
        if (tmp.n == TC_FEAT_MAX)
            return TC_ERR(-EINVAL, "feature list: more than %d features", TC_FEAT_MAX);
        int r = parse_item(&tmp.spec[tmp.n], s, len);
        if (r < 0)
            return r;
        tmp.n++;
        s += len;
    }
    if (tmp.n == 0)
        return TC_ERR(-EINVAL, "feature list is empty");
    *fs = tmp;
    return 0;
}

int tc_featset_format(const tc_featset_t *fs, char *buf, size_t len)
{
    size_t n = 0;
    for (int i = 0; i < fs->n; i++) {
        int w = snprintf(buf + n, len - n, "%s%s", i ? "," : "", fs->spec[i].name);
        if (w < 0 || (size_t)w >= len - n)
            return -ENOSPC;
        n += (size_t)w;
    }
    return (int)n;
}

int tc_featset_lookback(const tc_featset_t *fs)
{
    int lb = 1; /* logret needs the previous close */
    for (int i = 0; i < fs->n; i++)
        if (fs->spec[i].kind == TC_FEAT_TA) {
            int l = fs->spec[i].f->lookback(fs->spec[i].p);
            lb = l > lb ? l : lb;
        }
    return lb;
}

struct tc_featcalc {
    const tc_featset_t *fs;
    double prev_close;
    int have_prev;
    tc_ta_t *ta[TC_FEAT_MAX];
};

tc_featcalc_t *tc_featcalc_create(const tc_featset_t *fs)
{
    tc_featcalc_t *fc = calloc(1, sizeof *fc);
    if (!fc) {
        TC_ERR(-ENOMEM, "features: out of memory");
        return NULL;
    }
    fc->fs = fs;
    for (int i = 0; i < fs->n; i++) {
        if (fs->spec[i].kind != TC_FEAT_TA)
            continue;
        fc->ta[i] = tc_ta_create(fs->spec[i].f, fs->spec[i].p, fs->mode);
        if (!fc->ta[i]) {
            tc_featcalc_destroy(fc);
            return NULL;
        }
    }
    return fc;
}

void tc_featcalc_destroy(tc_featcalc_t *fc)
{
    if (!fc)
        return;
    for (int i = 0; i < TC_FEAT_MAX; i++)
        tc_ta_destroy(fc->ta[i]);
    free(fc);
}

void tc_featcalc_reset(tc_featcalc_t *fc)
{
    fc->have_prev = 0;
    for (int i = 0; i < fc->fs->n; i++)
        if (fc->ta[i])
            tc_ta_reset(fc->ta[i]);
}

static double bar_feature(int which, const tc_bar_t *b, const tc_quote_state_t *q,
                          double prev_close, int have_prev)
{
    switch (which) {
    case BF_LOGRET:
        return have_prev && prev_close > 0 && b->close > 0 ? log(b->close / prev_close) : NAN;
    case BF_RANGE:
        return b->close > 0 ? (b->high - b->low) / b->close : NAN;
    case BF_VWAP_DEV:
        return b->vwap > 0 ? b->close / b->vwap - 1 : 0;
    case BF_IMBALANCE: {
        double t = b->buy_volume + b->sell_volume;
        return t > 0 ? (b->buy_volume - b->sell_volume) / t : 0;
    }
    case BF_LOG_VOLUME:
        return log1p(b->volume);
    case BF_TRADES:
        return (double)b->trades;
    case BF_SPREAD: {
        double mid = 0.5 * (q->bid + q->ask);
        return q && mid > 0 ? (q->ask - q->bid) / mid : 0;
    }
    case BF_QUOTE_IMBALANCE: {
        double t = q ? q->bid_size + q->ask_size : 0;
        return t > 0 ? (q->bid_size - q->ask_size) / t : 0;
    }
    }
    return NAN;
}

int tc_featcalc_update(tc_featcalc_t *fc, const tc_bar_t *bar, const tc_quote_state_t *q,
                       double *out)
{
    static const tc_quote_state_t none;
    if (!q)
        q = &none;
    const double cols[] = {bar->open, bar->high, bar->low, bar->close, bar->volume, bar->vwap};
    int ready = 1;
    for (int i = 0; i < fc->fs->n; i++) {
        const tc_feat_spec_t *sp = &fc->fs->spec[i];
        if (sp->kind == TC_FEAT_BAR) {
            out[i] = bar_feature(sp->bar_feat, bar, q, fc->prev_close, fc->have_prev);
        } else {
            double in[TC_TA_MAX_IN], y[TC_TA_MAX_OUT];
            for (int k = 0; k < sp->f->n_in; k++)
                in[k] = cols[sp->in_col[k]];
            if (tc_ta_update(fc->ta[i], in, y)) {
                double v = y[sp->out];
                if (sp->xform == TC_XFORM_REL)
                    v = bar->close != 0 ? v / bar->close - 1 : NAN;
                else if (sp->xform == TC_XFORM_NORM)
                    v = bar->close != 0 ? v / bar->close : NAN;
                out[i] = v;
            } else {
                out[i] = NAN;
            }
        }
        ready &= !isnan(out[i]);
    }
    fc->prev_close = bar->close;
    fc->have_prev = 1;
    return ready;
}

/* ---- scaler ---- */

void tc_scaler_init(tc_scaler_t *s, int n)
{
    memset(s, 0, sizeof *s);
    s->n = n;
}

void tc_scaler_fit(tc_scaler_t *s, const double *row)
{
    for (int i = 0; i < s->n; i++)
        if (isnan(row[i]) || isinf(row[i]))
            return;
    if (s->count == 0)
        for (int i = 0; i < s->n; i++)
            s->shift[i] = row[i];
    s->count++;
    /* Welford on values shifted by the first row: a feature far from zero (a price
     * level) keeps its small variance exact instead of losing it to cancellation */
    for (int i = 0; i < s->n; i++) {
        double x = row[i] - s->shift[i];
        double d = x - s->mean[i];
        s->mean[i] += d / (double)s->count;
        s->m2[i] += d * (x - s->mean[i]);
    }
}

int tc_scaler_freeze(tc_scaler_t *s)
{
    if (s->count < 2)
        return TC_ERR(-EINVAL, "scaler: fitted on %llu rows, needs at least 2",
                      (unsigned long long)s->count);
    for (int i = 0; i < s->n; i++) {
        double sd = sqrt(s->m2[i] / (double)(s->count - 1));
        s->std[i] = sd > 1e-12 ? sd : 1.0; /* a constant feature passes through centred */
        s->mean[i] += s->shift[i];
        s->shift[i] = 0;
    }
    s->frozen = 1;
    return 0;
}

void tc_scaler_apply(const tc_scaler_t *s, const double *row, float *out)
{
    for (int i = 0; i < s->n; i++)
        out[i] = (float)((row[i] - s->mean[i]) / s->std[i]);
}
