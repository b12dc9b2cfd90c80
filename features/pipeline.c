/* pipeline.c — ticks to feature records, per symbol (tc_features_* of stage.h).
 *
 * Time bars close on the stream's own clock: a bar ends when any tick's event time
 * passes its end (not the wall clock), so a live run and a replay of the same ticks give
 * the same bars.  Per-symbol state is created on a symbol's first tick (the only
 * allocation after create) and kept for the life of the pipeline.
 */
#include "features/stage.h"
#include "daemon/runtime/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct sym_state {
    tc_bar_builder_t bars;
    tc_featcalc_t *calc;
    tc_quote_state_t quote;
    uint32_t bar_seq;
    int price;
    int used;
} sym_state_t;

struct tc_features {
    tc_features_opts_t o;
    tc_featset_t fs;
    sym_state_t *sym; /* TC_SHM_SYMBOLS_MAX */
    int64_t clock;    /* latest event time seen */
    int64_t next_end; /* earliest end of an open time bar (INT64_MAX: none) */
};

tc_features_t *tc_features_create(const tc_features_opts_t *o)
{
    tc_features_t *x = calloc(1, sizeof *x);
    if (!x || !(x->sym = calloc(TC_SYMBOLS_MAX_FEATURES, sizeof *x->sym))) {
        free(x);
        TC_ERR(-ENOMEM, "features: out of memory");
        return NULL;
    }
    x->o = *o;
    x->next_end = INT64_MAX;
    tc_bar_builder_t probe;
    if (tc_featset_parse(&x->fs, o->feature_list ? o->feature_list : "default", o->mode) < 0 ||
        tc_bar_builder_init(&probe, o->bar_type, TC_BAR_PRICE_TRADE, o->bar_size) < 0) {
        tc_features_destroy(x);
        return NULL;
    }
    return x;
}

void tc_features_destroy(tc_features_t *x)
{
    if (!x)
        return;
    if (x->sym)
        for (int i = 0; i < TC_SYMBOLS_MAX_FEATURES; i++)
            tc_featcalc_destroy(x->sym[i].calc);
    free(x->sym);
    free(x);
}

const tc_featset_t *tc_features_set(const tc_features_t *x) { return &x->fs; }
int tc_features_max_out(const tc_features_t *x) { return TC_SYMBOLS_MAX_FEATURES; }

void tc_features_symbol_price(tc_features_t *x, uint16_t sym, int price_source)
{
    if (sym < TC_SYMBOLS_MAX_FEATURES && !x->sym[sym].used)
        x->sym[sym].price = price_source;
}

static sym_state_t *get_sym(tc_features_t *x, uint16_t sym)
{
    if (sym >= TC_SYMBOLS_MAX_FEATURES)
        return NULL;
    sym_state_t *s = &x->sym[sym];
    if (!s->used) {
        if (tc_bar_builder_init(&s->bars, x->o.bar_type, s->price, x->o.bar_size) < 0)
            return NULL;
        s->calc = tc_featcalc_create(&x->fs);
        if (!s->calc)
            return NULL;
        s->used = 1;
    }
    return s;
}

static void emit(tc_features_t *x, sym_state_t *s, uint16_t sym, const tc_bar_t *b, uint64_t pos,
                 tc_feat_t *out)
{
    memset(out, 0, sizeof *out);
    out->ts_open = b->ts_open;
    out->ts_close = b->ts_close;
    out->src_pos = pos;
    out->sym = sym;
    out->n_feat = (uint16_t)x->fs.n;
    out->bar_seq = s->bar_seq++;
    out->trades = b->trades;
    out->open = b->open;
    out->high = b->high;
    out->low = b->low;
    out->close = b->close;
    out->volume = b->volume;
    out->vwap = b->vwap;
    if (tc_featcalc_update(s->calc, b, &s->quote, out->f))
        out->flags |= TC_FEAT_READY;
    if (b->flags & TC_BAR_GAP)
        out->flags |= TC_FEAT_GAP;
    for (int i = x->fs.n; i < TC_FEAT_MAX; i++)
        out->f[i] = NAN;
}

int tc_features_tick(tc_features_t *x, const tc_tick_t *t, uint64_t pos, tc_feat_t *out, int max)
{
    int n = 0;
    tc_bar_t bar;
    if (t->ts_event > x->clock) {
        x->clock = t->ts_event;
        if (x->clock >= x->next_end) {
            /* the stream clock passed the end of some open time bar: close them all */
            x->next_end = INT64_MAX;
            for (int i = 0; i < TC_SYMBOLS_MAX_FEATURES; i++) {
                sym_state_t *s = &x->sym[i];
                if (!s->used || !s->bars.open)
                    continue;
                if (i != t->sym && n < max && tc_bar_builder_timer(&s->bars, x->clock, &bar))
                    emit(x, s, (uint16_t)i, &bar, pos, &out[n++]);
                else if (s->bars.cur.ts_close < x->next_end)
                    x->next_end = s->bars.cur.ts_close;
            }
        }
    }
    sym_state_t *s = get_sym(x, t->sym);
    if (!s)
        return n;
    if (t->kind == TC_TICK_QUOTE) {
        s->quote.bid = tc_tick_px(t, t->quote.bid);
        s->quote.ask = tc_tick_px(t, t->quote.ask);
        s->quote.bid_size = tc_tick_qty(t, t->quote.bid_size);
        s->quote.ask_size = tc_tick_qty(t, t->quote.ask_size);
    }
    if (n < max && tc_bar_builder_update(&s->bars, t, &bar))
        emit(x, s, t->sym, &bar, pos, &out[n++]);
    if (x->o.bar_type == TC_BAR_TIME && s->bars.open && s->bars.cur.ts_close < x->next_end)
        x->next_end = s->bars.cur.ts_close;
    return n;
}

int tc_features_flush(tc_features_t *x, uint64_t pos, tc_feat_t *out, int max)
{
    int n = 0;
    tc_bar_t bar;
    for (int i = 0; i < TC_SYMBOLS_MAX_FEATURES && n < max; i++) {
        sym_state_t *s = &x->sym[i];
        if (s->used && tc_bar_builder_flush(&s->bars, &bar))
            emit(x, s, (uint16_t)i, &bar, pos, &out[n++]);
    }
    return n;
}
