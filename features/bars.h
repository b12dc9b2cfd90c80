/* bars.h — bars from ticks, per symbol: time, tick, volume and dollar (value) bars.
 *
 * A bar's prices come from trades or from quote mids (TC_BAR_PRICE_*); volume, value,
 * VWAP, trade count and aggressor (buy/sell) volume always come from trades.  No bar is
 * ever invented: an interval in which nothing happened produces no bar, and the next
 * bar carries TC_BAR_GAP.  Time bars are aligned to multiples of the bar size since the
 * epoch (UTC) and close on the first tick past their end, or on a timer
 * (tc_bar_builder_timer) so a quiet market still closes its last bar on time.
 */
#ifndef TC_FEATURES_BARS_H
#define TC_FEATURES_BARS_H

#include <stdint.h>

#include "shm/records.h"

enum tc_bar_type { TC_BAR_TIME = 0, TC_BAR_TICK = 1, TC_BAR_VOLUME = 2, TC_BAR_DOLLAR = 3 };
enum tc_bar_price { TC_BAR_PRICE_TRADE = 0, TC_BAR_PRICE_MID = 1 };

#define TC_BAR_GAP 0x1u /* one or more empty intervals before this bar (time bars) */

typedef struct tc_bar {
    int64_t ts_open;   /* time bars: the interval start; others: first tick's time */
    int64_t ts_close;  /* time bars: the interval end; others: last tick's time */
    int64_t ts_first, ts_last; /* event times of the first and last tick in the bar */
    double open, high, low, close;
    double volume, value, vwap; /* value = sum(price*size) of trades; vwap = value/volume */
    double buy_volume, sell_volume;
    uint32_t trades, updates;   /* trades; ticks that moved the price series */
    uint32_t flags;             /* TC_BAR_GAP */
    uint32_t reserved;
} tc_bar_t;

typedef struct tc_bar_builder {
    int type, price;
    double size;          /* seconds, ticks, volume or value */
    int64_t size_ns;      /* time bars */
    int open;             /* a bar is in progress */
    int gap_pending;
    int have_interval;
    int64_t interval;     /* time bars: index of the current interval */
    tc_bar_t cur;
} tc_bar_builder_t;

/* size: seconds (time), ticks (tick, a whole number), volume or value units.
 * -EINVAL with TC_ERR for a non-positive size or unknown type/price. */
int tc_bar_builder_init(tc_bar_builder_t *b, int type, int price, double size);

/* Feeds one tick of this builder's symbol.  Returns 1 and fills *ret_bar when a bar
 * closed (for time bars, a tick past the end closes the previous bar and starts the
 * next), else 0.  Ticks that carry no price for this builder (a quote for trade bars)
 * still update volume-less state and never close a bar by themselves, except time.
 * Can't fail. */
int tc_bar_builder_update(tc_bar_builder_t *b, const tc_tick_t *t, tc_bar_t *ret_bar);
/* Time bars: closes the bar in progress if now is past its end; 1 if it did. */
int tc_bar_builder_timer(tc_bar_builder_t *b, int64_t now, tc_bar_t *ret_bar);
/* Closes whatever is in progress (end of a file); 1 if there was a bar. */
int tc_bar_builder_flush(tc_bar_builder_t *b, tc_bar_t *ret_bar);

#endif
