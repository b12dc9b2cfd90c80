/* bars.c — the bar builders of bars.h.  One builder per symbol; O(1) per tick. */
#include "features/bars.h"
#include "daemon/runtime/err.h"

#include <math.h>
#include <string.h>

int tc_bar_builder_init(tc_bar_builder_t *b, int type, int price, double size)
{
    memset(b, 0, sizeof *b);
    if (type < TC_BAR_TIME || type > TC_BAR_DOLLAR)
        return TC_ERR(-EINVAL, "bars: unknown bar type %d", type);
    if (price != TC_BAR_PRICE_TRADE && price != TC_BAR_PRICE_MID)
        return TC_ERR(-EINVAL, "bars: unknown price source %d", price);
    if (!(size > 0) || (type == TC_BAR_TICK && size != floor(size)))
        return TC_ERR(-EINVAL, "bars: bar size %g must be positive%s", size,
                      type == TC_BAR_TICK ? " and whole for tick bars" : "");
    if (type == TC_BAR_TIME && size * 1e9 < 1)
        return TC_ERR(-EINVAL, "bars: time bars of %g s are shorter than a nanosecond", size);
    b->type = type;
    b->price = price;
    b->size = size;
    b->size_ns = (int64_t)llround(size * 1e9);
    return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void finish(tc_bar_builder_t *b, tc_bar_t *out)
{
    *out = b->cur;
    out->vwap = out->volume > 0 ? out->value / out->volume : out->close;
    if (b->type != TC_BAR_TIME)
        out->ts_close = out->ts_last;
    b->open = 0;
}

/* The price this tick contributes to the bar's OHLC, if any. */
static int tick_price(const tc_bar_builder_t *b, const tc_tick_t *t, double *ret)
{
    if (b->price == TC_BAR_PRICE_TRADE) {
        if (t->kind != TC_TICK_TRADE && t->kind != TC_TICK_BAR)
            return 0;
        *ret = t->kind == TC_TICK_TRADE ? tc_tick_px(t, t->trade.price) : tc_tick_px(t, t->bar.close);
        return 1;
    }
    if (t->kind != TC_TICK_QUOTE)
        return 0;
    *ret = 0.5 * (tc_tick_px(t, t->quote.bid) + tc_tick_px(t, t->quote.ask));
    return 1;
}

static void start(tc_bar_builder_t *b, const tc_tick_t *t, double px)
{
    memset(&b->cur, 0, sizeof b->cur);
    b->open = 1;
    b->cur.open = b->cur.high = b->cur.low = b->cur.close = px;
    b->cur.ts_first = b->cur.ts_last = t->ts_event;
    if (b->type == TC_BAR_TIME) {
        b->cur.ts_open = b->interval * b->size_ns;
        b->cur.ts_close = b->cur.ts_open + b->size_ns;
    } else {
        b->cur.ts_open = t->ts_event;
    }
    if (b->gap_pending)
        b->cur.flags |= TC_BAR_GAP;
    b->gap_pending = 0;
}

int tc_bar_builder_update(tc_bar_builder_t *b, const tc_tick_t *t, tc_bar_t *ret_bar)
{
    int closed = 0;
    int64_t iv = 0;
    if (b->type == TC_BAR_TIME) {
        iv = floor_div(t->ts_event, b->size_ns);
        if (b->open && iv > b->interval) {
            finish(b, ret_bar);
            closed = 1;
        }
    }
    double px;
    int has_px = tick_price(b, t, &px);
    if (!b->open) {
        if (!has_px)
            return closed; /* a bar starts on a price */
        if (b->type == TC_BAR_TIME) {
            if (b->have_interval && iv > b->interval + 1)
                b->gap_pending = 1;
            /* a late tick for an interval the timer already closed joins a new bar of
             * that same interval; it never reopens or rewrites a published bar */
            if (!b->have_interval || iv > b->interval)
                b->interval = iv;
            b->have_interval = 1;
        }
        start(b, t, px);
    } else if (has_px) {
        if (px > b->cur.high)
            b->cur.high = px;
        if (px < b->cur.low)
            b->cur.low = px;
        b->cur.close = px;
    }
    b->cur.ts_last = t->ts_event;
    if (has_px)
        b->cur.updates++;
    if (t->kind == TC_TICK_TRADE) {
        double p = tc_tick_px(t, t->trade.price), q = tc_tick_qty(t, t->trade.size);
        b->cur.volume += q;
        b->cur.value += p * q;
        b->cur.trades++;
        unsigned side = t->flags & TC_TICK_SIDE_MASK;
        if (side == TC_TICK_SIDE_BUY)
            b->cur.buy_volume += q;
        else if (side == TC_TICK_SIDE_SELL)
            b->cur.sell_volume += q;
    } else if (t->kind == TC_TICK_BAR) {
        double q = tc_tick_qty(t, t->bar.volume);
        b->cur.volume += q;
        b->cur.value += q * tc_tick_px(t, t->bar.close);
    }
    if (closed || b->type == TC_BAR_TIME)
        return closed;
    int full = (b->type == TC_BAR_TICK && b->cur.updates >= (uint32_t)b->size) ||
               (b->type == TC_BAR_VOLUME && b->cur.volume >= b->size) ||
               (b->type == TC_BAR_DOLLAR && b->cur.value >= b->size);
    if (full) {
        finish(b, ret_bar);
        return 1;
    }
    return 0;
}

int tc_bar_builder_timer(tc_bar_builder_t *b, int64_t now, tc_bar_t *ret_bar)
{
    if (b->type != TC_BAR_TIME || !b->open || now < b->cur.ts_close)
        return 0;
    finish(b, ret_bar);
    return 1;
}

int tc_bar_builder_flush(tc_bar_builder_t *b, tc_bar_t *ret_bar)
{
    if (!b->open)
        return 0;
    finish(b, ret_bar);
    return 1;
}
