/* clean.c — the per-symbol tick cleaner of clean.h.
 *
 * The rolling median and MAD live in an order-statistic treap over the window's
 * values (a fixed node pool, a FIFO of node indices for expiry): insert, delete and
 * k-th element are O(log n).  The median is one k-th query.  The MAD is the median of
 * |x - median|; with the sorted values split at the median, the distances form two
 * ascending sequences (going down from the median on the left, up on the right), and
 * the k-th smallest of two sorted sequences is a binary search over how many come from
 * the left: O(log n) probes of O(log n) each.  The MAD moves slowly, so it is refreshed
 * every log2(window) ticks, which makes the filter O(log n) per tick amortised.
 *
 * The look-ahead that separates bad prints from genuine jumps is described in clean.h.
 * Nothing here allocates after tc_clean_create. */
#include "ingest/clean.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"

typedef struct node {
    double key;
    uint64_t seq;   /* arrival number: (key, seq) is unique, so expiry erases exactly this node */
    uint32_t prio;
    int32_t l, r, size;
} node_t;

struct tc_clean {
    tc_tick_t pend[TC_CLEAN_CONFIRM_MAX + 1]; /* ticks waiting for their look-ahead, a ring */
    double pend_v[TC_CLEAN_CONFIRM_MAX + 1];
    int pend_head, pend_n;
    tc_clean_cfg_t cfg;
    tc_clean_stats_t st;
    int64_t last_ts[4];  /* by kind class: trade, quote-like, bar, other */
    int have_last[4];
    int64_t last_id;
    int have_id;
    int64_t prev_ts;     /* previous accepted tick, for gaps */
    int have_prev;
    /* the window */
    node_t *nodes;       /* window nodes */
    int32_t *fifo;       /* node index by arrival, a ring of window entries */
    int32_t *free_list;
    int n_free, fifo_head, count, root;
    uint32_t rng;
    uint64_t seq;
    double sigma;        /* cached robust sigma */
    int sigma_age, sigma_every;
};

static const char *const reason_names[TC_CLEAN_REASON_MAX] = {
    "out_of_order", "dup_seq", "crossed", "locked", "nonpos_price", "zero_size", "suspicious",
    "outlier", "gap"};

const char *tc_clean_reason_name(int r)
{
    return r >= 0 && r < TC_CLEAN_REASON_MAX ? reason_names[r] : "?";
}

void tc_clean_cfg_default(tc_clean_cfg_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->action[TC_CLEAN_OUT_OF_ORDER] = TC_CLEAN_DROP;
    cfg->action[TC_CLEAN_DUP_SEQ] = TC_CLEAN_DROP;
    cfg->action[TC_CLEAN_CROSSED] = TC_CLEAN_FLAG;
    cfg->action[TC_CLEAN_LOCKED] = TC_CLEAN_FLAG;
    cfg->action[TC_CLEAN_NONPOS_PRICE] = TC_CLEAN_DROP;
    cfg->action[TC_CLEAN_ZERO_SIZE] = TC_CLEAN_FLAG;
    cfg->action[TC_CLEAN_SUSPICIOUS] = TC_CLEAN_KEEP;
    cfg->action[TC_CLEAN_OUTLIER] = TC_CLEAN_FLAG;
    cfg->gap_ns = 60LL * 1000000000LL;
    cfg->window = 200;
    cfg->confirm = 5;
    cfg->k = 10.0;
    cfg->min_rel = 1e-4;
}

int tc_clean_cfg_parse(tc_clean_cfg_t *cfg, const char *spec)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq)
            return TC_ERR(-EINVAL, "clean option '%s': expected key=value", item);
        *eq = 0;
        const char *key = item, *val = eq + 1;
        int r = -1;
        for (int i = 0; i < TC_CLEAN_GAP; i++)
            if (!strcmp(key, reason_names[i]))
                r = i;
        if (r >= 0) {
            if (!strcmp(val, "keep"))
                cfg->action[r] = TC_CLEAN_KEEP;
            else if (!strcmp(val, "flag"))
                cfg->action[r] = TC_CLEAN_FLAG;
            else if (!strcmp(val, "drop"))
                cfg->action[r] = TC_CLEAN_DROP;
            else
                return TC_ERR(-EINVAL, "clean option %s=%s: keep, flag or drop", key, val);
            continue;
        }
        char *end;
        double v = strtod(val, &end);
        if (end == val || *end || !isfinite(v) || v < 0)
            return TC_ERR(-EINVAL, "clean option %s=%s: not a non-negative number", key, val);
        if (!strcmp(key, "gap"))
            cfg->gap_ns = (int64_t)(v * 1e9);
        else if (!strcmp(key, "window"))
            cfg->window = (int)v;
        else if (!strcmp(key, "confirm"))
            cfg->confirm = (int)v;
        else if (!strcmp(key, "k"))
            cfg->k = v;
        else if (!strcmp(key, "min_rel"))
            cfg->min_rel = v;
        else
            return TC_ERR(-EINVAL, "unknown clean option '%s'", key);
    }
    return 0;
}

/* ---- order-statistic treap ------------------------------------------------------------ */

static int32_t sz(const tc_clean_t *c, int32_t t) { return t < 0 ? 0 : c->nodes[t].size; }

static void upd(tc_clean_t *c, int32_t t)
{
    c->nodes[t].size = 1 + sz(c, c->nodes[t].l) + sz(c, c->nodes[t].r);
}

static int less(const node_t *x, double key, uint64_t seq)
{
    return x->key < key || (x->key == key && x->seq < seq);
}

/* Splits t into (key, seq) below the given one (a) and the rest (b). */
static void split(tc_clean_t *c, int32_t t, double key, uint64_t seq, int32_t *a, int32_t *b)
{
    if (t < 0) {
        *a = *b = -1;
        return;
    }
    if (less(&c->nodes[t], key, seq)) {
        split(c, c->nodes[t].r, key, seq, &c->nodes[t].r, b);
        *a = t;
    } else {
        split(c, c->nodes[t].l, key, seq, a, &c->nodes[t].l);
        *b = t;
    }
    upd(c, t);
}

static int32_t merge(tc_clean_t *c, int32_t a, int32_t b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    if (c->nodes[a].prio > c->nodes[b].prio) {
        c->nodes[a].r = merge(c, c->nodes[a].r, b);
        upd(c, a);
        return a;
    }
    c->nodes[b].l = merge(c, a, c->nodes[b].l);
    upd(c, b);
    return b;
}

/* Removes node `which` (present in t). */
static int32_t erase(tc_clean_t *c, int32_t t, int32_t which)
{
    if (t == which)
        return merge(c, c->nodes[t].l, c->nodes[t].r);
    const node_t *w = &c->nodes[which];
    if (less(w, c->nodes[t].key, c->nodes[t].seq))
        c->nodes[t].l = erase(c, c->nodes[t].l, which);
    else
        c->nodes[t].r = erase(c, c->nodes[t].r, which);
    upd(c, t);
    return t;
}

static double kth(const tc_clean_t *c, int32_t k)
{
    int32_t t = c->root;
    for (;;) {
        int32_t ls = sz(c, c->nodes[t].l);
        if (k < ls)
            t = c->nodes[t].l;
        else if (k == ls)
            return c->nodes[t].key;
        else {
            k -= ls + 1;
            t = c->nodes[t].r;
        }
    }
}

static void window_add(tc_clean_t *c, double v)
{
    if (c->count == c->cfg.window) { /* expire the oldest */
        int32_t old = c->fifo[c->fifo_head];
        c->root = erase(c, c->root, old);
        c->free_list[c->n_free++] = old;
        c->fifo_head = (c->fifo_head + 1) % c->cfg.window;
        c->count--;
    }
    int32_t n = c->free_list[--c->n_free];
    c->rng = c->rng * 1664525u + 1013904223u;
    c->nodes[n] = (node_t){.key = v, .seq = ++c->seq, .prio = c->rng, .l = -1, .r = -1, .size = 1};
    int32_t a, b;
    split(c, c->root, v, c->seq, &a, &b);
    c->root = merge(c, merge(c, a, n), b);
    c->fifo[(c->fifo_head + c->count) % c->cfg.window] = n;
    c->count++;
}

static double median(const tc_clean_t *c)
{
    int n = c->count;
    if (!n)
        return NAN;
    return n & 1 ? kth(c, n / 2) : 0.5 * (kth(c, n / 2 - 1) + kth(c, n / 2));
}

/* k-th smallest (0-based) of |a_i - m| where a_0..a_{p-1} <= m <= a_p..a_{n-1}. */
static double dist_kth(const tc_clean_t *c, double m, int p, int k)
{
    int nl = p, nr = c->count - p;
    int lo = k + 1 - nr > 0 ? k + 1 - nr : 0, hi = k + 1 < nl ? k + 1 : nl;
    while (lo < hi) {
        int i = (lo + hi) / 2;
        /* L[i] < R[k-i]: more of the k+1 smallest come from the left */
        double L = m - kth(c, p - 1 - i), R = kth(c, p + (k - i)) - m;
        if (L < R)
            lo = i + 1;
        else
            hi = i;
    }
    int i = lo, j = k + 1 - i;
    double a = i > 0 ? m - kth(c, p - i) : -INFINITY;
    double b = j > 0 ? kth(c, p + j - 1) - m : -INFINITY;
    return a > b ? a : b;
}

static double mad(const tc_clean_t *c, double m)
{
    int n = c->count;
    int p = n & 1 ? n / 2 + 1 : n / 2;
    if (n & 1)
        return dist_kth(c, m, p, n / 2);
    return 0.5 * (dist_kth(c, m, p, n / 2 - 1) + dist_kth(c, m, p, n / 2));
}

double tc_clean_median(const tc_clean_t *c) { return median(c); }

double tc_clean_sigma(tc_clean_t *c)
{
    if (!c->count)
        return NAN;
    return 1.4826 * mad(c, median(c));
}

/* ---- the cleaner ------------------------------------------------------------------------- */

tc_clean_t *tc_clean_create(const tc_clean_cfg_t *cfg)
{
    if (cfg->window < 0 || cfg->window > TC_CLEAN_WINDOW_MAX) {
        TC_ERR(-EINVAL, "clean: window %d out of 0..%d", cfg->window, TC_CLEAN_WINDOW_MAX);
        return NULL;
    }
    if (cfg->window && (cfg->confirm < 1 || cfg->confirm > TC_CLEAN_CONFIRM_MAX || !(cfg->k > 0))) {
        TC_ERR(-EINVAL, "clean: confirm %d out of 1..%d or k %g not positive", cfg->confirm,
               TC_CLEAN_CONFIRM_MAX, cfg->k);
        return NULL;
    }
    size_t size = (sizeof(tc_clean_t) + 63) / 64 * 64;
    tc_clean_t *c = aligned_alloc(64, size);
    if (!c) {
        TC_ERR(-ENOMEM, "clean: out of memory");
        return NULL;
    }
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    c->root = -1;
    c->rng = 0x9e3779b9u;
    if (cfg->window) {
        c->nodes = calloc((size_t)cfg->window, sizeof *c->nodes);
        c->fifo = calloc((size_t)cfg->window, sizeof *c->fifo);
        c->free_list = calloc((size_t)cfg->window, sizeof *c->free_list);
        if (!c->nodes || !c->fifo || !c->free_list) {
            tc_clean_destroy(c);
            TC_ERR(-ENOMEM, "clean: out of memory");
            return NULL;
        }
        for (int i = 0; i < cfg->window; i++)
            c->free_list[i] = cfg->window - 1 - i;
        c->n_free = cfg->window;
        c->sigma_every = 1;
        while ((1 << c->sigma_every) < cfg->window)
            c->sigma_every++;
    }
    return c;
}

void tc_clean_destroy(tc_clean_t *c)
{
    if (!c)
        return;
    free(c->nodes);
    free(c->fifo);
    free(c->free_list);
    free(c);
}

const tc_clean_stats_t *tc_clean_stats(const tc_clean_t *c) { return &c->st; }

static int kind_class(int kind)
{
    switch (kind) {
    case TC_TICK_TRADE: return 0;
    case TC_TICK_QUOTE: case TC_TICK_BID: case TC_TICK_ASK: return 1;
    case TC_TICK_BAR: return 2;
    default: return 3;
    }
}

/* The price the filter watches: trade price, mid, the one side, or the bar's close. */
static double watched(const tc_tick_t *t)
{
    switch (t->kind) {
    case TC_TICK_TRADE: return tc_tick_px(t, t->trade.price);
    case TC_TICK_QUOTE: return 0.5 * (tc_tick_px(t, t->quote.bid) + tc_tick_px(t, t->quote.ask));
    case TC_TICK_BID: return tc_tick_px(t, t->quote.bid);
    case TC_TICK_ASK: return tc_tick_px(t, t->quote.ask);
    case TC_TICK_BAR: return tc_tick_px(t, t->bar.close);
    default: return NAN;
    }
}

static int nonpos(const tc_tick_t *t)
{
    switch (t->kind) {
    case TC_TICK_TRADE: return t->trade.price <= 0;
    case TC_TICK_QUOTE: return t->quote.bid <= 0 || t->quote.ask <= 0;
    case TC_TICK_BID: return t->quote.bid <= 0;
    case TC_TICK_ASK: return t->quote.ask <= 0;
    case TC_TICK_BAR: return t->bar.open <= 0 || t->bar.high <= 0 || t->bar.low <= 0 || t->bar.close <= 0;
    default: return 0;
    }
}

/* Counts a hit; returns 1 if the tick must be dropped, else applies the flag. */
static int hit(tc_clean_t *c, tc_tick_t *t, int reason, uint8_t flag)
{
    c->st.hits[reason]++;
    int a = c->cfg.action[reason];
    if (a == TC_CLEAN_DROP) {
        c->st.dropped_by[reason]++;
        return 1;
    }
    if (a == TC_CLEAN_FLAG)
        t->flags |= flag;
    return 0;
}

/* to - from for to >= from, exact over the whole int64 range (times from damaged input
 * can be far apart). */
static uint64_t span(int64_t from, int64_t to) { return (uint64_t)to - (uint64_t)from; }

static void note_gap(tc_clean_t *c, int64_t from, int64_t to)
{
    c->st.hits[TC_CLEAN_GAP]++;
    c->st.gaps++;
    tc_clean_gap_t g = {from, to};
    int n = c->st.n_top_gaps, i = n < TC_CLEAN_TOP_GAPS ? n : TC_CLEAN_TOP_GAPS - 1;
    if (n == TC_CLEAN_TOP_GAPS && span(from, to) <= span(c->st.top_gaps[i].from, c->st.top_gaps[i].to))
        return;
    while (i > 0 && span(c->st.top_gaps[i - 1].from, c->st.top_gaps[i - 1].to) < span(from, to)) {
        c->st.top_gaps[i] = c->st.top_gaps[i - 1];
        i--;
    }
    c->st.top_gaps[i] = g;
    if (n < TC_CLEAN_TOP_GAPS)
        c->st.n_top_gaps++;
}

/* The verdict on the oldest pending tick, given the `nf` ticks after it. */
static int release(tc_clean_t *c, tc_tick_t *out)
{
    int cap = c->cfg.confirm + 1;
    tc_tick_t *t = &c->pend[c->pend_head];
    double v = c->pend_v[c->pend_head];
    int nf = c->pend_n - 1;
    int outlier = 0;
    /* warm-up: judge only against a window at least a quarter full (and 8 ticks) */
    if (isfinite(v) && c->count >= 8 && c->count * 4 >= c->cfg.window && nf > 0) {
        double m = median(c);
        if (c->sigma_age-- <= 0) {
            c->sigma = 1.4826 * mad(c, m);
            c->sigma_age = c->sigma_every;
        }
        double s = c->sigma, floor = c->cfg.min_rel * fabs(m);
        if (s < floor)
            s = floor;
        if (s > 0 && fabs(v - m) > c->cfg.k * s) {
            /* median of the look-ahead: back towards m means a bad print */
            double f[TC_CLEAN_CONFIRM_MAX];
            int k = 0;
            for (int i = 1; i <= nf; i++) {
                double x = c->pend_v[(c->pend_head + i) % cap];
                if (isfinite(x))
                    f[k++] = x;
            }
            for (int i = 1; i < k; i++) /* insertion sort: k <= 32 */
                for (int j = i; j > 0 && f[j] < f[j - 1]; j--) {
                    double tmp = f[j];
                    f[j] = f[j - 1];
                    f[j - 1] = tmp;
                }
            if (k) {
                double fm = k & 1 ? f[k / 2] : 0.5 * (f[k / 2 - 1] + f[k / 2]);
                outlier = fabs(fm - m) <= fabs(fm - v);
            }
        }
    }
    tc_tick_t cur = *t;
    c->pend_head = (c->pend_head + 1) % cap;
    c->pend_n--;
    if (outlier) {
        if (hit(c, &cur, TC_CLEAN_OUTLIER, TC_TICK_OUTLIER)) {
            c->st.dropped++;
            return 0;
        }
    } else if (isfinite(v)) {
        window_add(c, v);
    }
    *out = cur;
    c->st.out++;
    return 1;
}

int tc_clean_push(tc_clean_t *c, const tc_tick_t *in, tc_tick_t *out)
{
    tc_tick_t t = *in;
    c->st.in++;
    int drop = 0, kc = kind_class(t.kind);
    if (c->have_last[kc] && t.ts_event < c->last_ts[kc])
        drop |= hit(c, &t, TC_CLEAN_OUT_OF_ORDER, 0);
    if (t.kind == TC_TICK_TRADE && t.trade.id) {
        if (c->have_id && t.trade.id <= c->last_id)
            drop |= hit(c, &t, TC_CLEAN_DUP_SEQ, 0);
    }
    if (t.kind == TC_TICK_QUOTE && t.quote.bid > t.quote.ask)
        drop |= hit(c, &t, TC_CLEAN_CROSSED, TC_TICK_CROSSED);
    if (t.kind == TC_TICK_QUOTE && t.quote.bid == t.quote.ask)
        drop |= hit(c, &t, TC_CLEAN_LOCKED, TC_TICK_LOCKED);
    if (nonpos(&t))
        drop |= hit(c, &t, TC_CLEAN_NONPOS_PRICE, 0);
    if (t.kind == TC_TICK_TRADE && t.trade.size == 0)
        drop |= hit(c, &t, TC_CLEAN_ZERO_SIZE, TC_TICK_NO_VOLUME);
    if (t.flags & TC_TICK_SUSPICIOUS)
        drop |= hit(c, &t, TC_CLEAN_SUSPICIOUS, TC_TICK_SUSPICIOUS);
    if (drop) {
        c->st.dropped++;
        return 0;
    }
    /* accepted: it sets the order, sequence and gap references */
    c->have_last[kc] = 1;
    c->last_ts[kc] = t.ts_event;
    if (t.kind == TC_TICK_TRADE && t.trade.id) {
        c->have_id = 1;
        c->last_id = t.trade.id;
    }
    if (c->have_prev && c->cfg.gap_ns > 0 && t.ts_event > c->prev_ts &&
        span(c->prev_ts, t.ts_event) > (uint64_t)c->cfg.gap_ns)
        note_gap(c, c->prev_ts, t.ts_event);
    if (!c->have_prev || t.ts_event > c->prev_ts)
        c->prev_ts = t.ts_event;
    c->have_prev = 1;
    if (!c->cfg.window) {
        *out = t;
        c->st.out++;
        return 1;
    }
    int cap = c->cfg.confirm + 1;
    int slot = (c->pend_head + c->pend_n) % cap;
    c->pend[slot] = t;
    c->pend_v[slot] = watched(&t);
    c->pend_n++;
    if (c->pend_n < cap)
        return 0;
    return release(c, out);
}

int tc_clean_flush(tc_clean_t *c, tc_tick_t *out, int max)
{
    int n = 0;
    while (c->pend_n > 0 && n < max)
        n += release(c, &out[n]);
    return n;
}
