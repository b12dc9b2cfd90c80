/* synth.c — the synthetic market of synth.h.
 *
 * Each symbol's log mid-price follows, on its own event clock (exponential
 * inter-arrival times):
 *     d log p = mu_t dt + sigma_r dW + J dN
 * where sigma_r switches between a calm and a volatile regime (a two-state Markov chain,
 * volatile about 3x calm), J is a rare jump (about hourly, ~4 calm minutes' sd), and mu_t
 * is an Ornstein-Uhlenbeck drift that mean-reverts over minutes: it gives bar returns a
 * small positive autocorrelation, so a forecaster can beat "no change" a little, and
 * only a little.  Quotes sit on the symbol's price grid around the mid with a spread of
 * one or more ticks (wider when volatile), never crossed; trades print at the bid or
 * the ask with the aggressor side set, sizes drawn from a discrete heavy-tailed law.
 *
 * Random numbers: xoshiro256** per symbol, seeded by splitmix64 of (seed, symbol), so a
 * symbol's path does not depend on the other symbols.
 */
#include "ingest/synth.h"
#include "daemon/runtime/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rng {
    uint64_t s[4];
    int have_spare;
    double spare;
} rng_t;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next_u64(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform in (0, 1). */
static double uniform(rng_t *r) { return ((double)(next_u64(r) >> 11) + 0.5) * 0x1.0p-53; }

static double normal(rng_t *r)
{
    if (r->have_spare) {
        r->have_spare = 0;
        return r->spare;
    }
    double u = uniform(r), v = uniform(r);
    double m = sqrt(-2.0 * log(u));
    r->spare = m * sin(2 * M_PI * v);
    r->have_spare = 1;
    return m * cos(2 * M_PI * v);
}

typedef struct sym_state {
    rng_t rng;
    double log_mid;
    double mu;          /* OU drift, per second */
    int regime;
    int64_t prev_ns;    /* event time of its previous event */
    int64_t next_ns;    /* event time of its next event */
    uint64_t trade_id;
    double sigma;       /* calm volatility, per sqrt(second) */
    double tick;        /* price increment */
    double lot;         /* size unit */
} sym_state_t;

struct tc_synth {
    tc_synth_opts_t o;
    int n;
    tc_symbol_t sym[TC_SYNTH_SYMBOLS_MAX];
    sym_state_t st[TC_SYNTH_SYMBOLS_MAX];
};

/* Scales for well-known names; anything else trades like a 100-dollar stock. */
static const struct profile {
    const char *name;
    double price, tick, lot, sigma_day;
    int8_t px_exp, qty_exp;
    uint8_t asset;
} profiles[] = {
    {"EURUSD", 1.10, 1e-5, 1000, 0.005, -5, 0, TC_ASSET_FX},
    {"USDJPY", 150.0, 1e-3, 1000, 0.006, -3, 0, TC_ASSET_FX},
    {"XAUUSD", 2000.0, 1e-2, 1, 0.010, -2, 0, TC_ASSET_CFD},
    {"BTCUSDT", 60000.0, 1e-2, 1e-4, 0.030, -2, -4, TC_ASSET_CRYPTO},
    {NULL, 100.0, 1e-2, 1, 0.015, -2, 0, TC_ASSET_SYNTHETIC},
};

tc_synth_t *tc_synth_create(const tc_synth_opts_t *o)
{
    if (o->n_symbols < 1 || o->n_symbols > TC_SYNTH_SYMBOLS_MAX) {
        TC_ERR(-EINVAL, "synthetic market: %d symbols (1..%d)", o->n_symbols, TC_SYNTH_SYMBOLS_MAX);
        return NULL;
    }
    tc_synth_t *s = calloc(1, sizeof *s);
    if (!s) {
        TC_ERR(-ENOMEM, "synthetic market: out of memory");
        return NULL;
    }
    s->o = *o;
    if (s->o.events_per_sec <= 0)
        s->o.events_per_sec = 50;
    if (s->o.start_ns == 0)
        s->o.start_ns = 1704153600LL * 1000000000LL; /* 2024-01-02 00:00:00 UTC */
    if (s->o.quote_share <= 0 || s->o.quote_share >= 1)
        s->o.quote_share = 0.7;
    s->n = o->n_symbols;
    for (int i = 0; i < s->n; i++) {
        const char *name = o->symbols[i] ? o->symbols[i] : "SYN";
        const struct profile *p = profiles;
        while (p->name && strcmp(p->name, name) != 0)
            p++;
        tc_symbol_t *y = &s->sym[i];
        snprintf(y->name, sizeof y->name, "%s", name);
        snprintf(y->venue, sizeof y->venue, "synthetic");
        snprintf(y->tz, sizeof y->tz, "UTC");
        y->px_exp = p->px_exp;
        y->qty_exp = p->qty_exp;
        y->tick_size = 1;
        y->tick_exp = p->px_exp;
        y->asset_class = p->asset;
        sym_state_t *st = &s->st[i];
        uint64_t x = o->seed ^ (0xA24BAED4963EE407ull * (uint64_t)(i + 1));
        for (int k = 0; k < 4; k++)
            st->rng.s[k] = splitmix64(&x);
        st->log_mid = log(p->price);
        st->sigma = p->sigma_day / sqrt(86400.0);
        st->tick = p->tick;
        st->lot = p->lot;
        st->prev_ns = st->next_ns = s->o.start_ns;
    }
    return s;
}

void tc_synth_destroy(tc_synth_t *s) { free(s); }
const tc_symbol_t *tc_synth_symbol(const tc_synth_t *s, int i) { return &s->sym[i]; }
int tc_synth_count(const tc_synth_t *s) { return s->n; }
int tc_synth_regime(const tc_synth_t *s, int i) { return s->st[i].regime; }

static int64_t to_mantissa(double price, double tick, int8_t exp)
{
    double units = price / pow(10.0, exp);
    double grid = tick / pow(10.0, exp);
    return (int64_t)(llround(units / grid) * (int64_t)llround(grid));
}

/* Advances symbol i by one event and writes it. */
static void step(tc_synth_t *s, int i, tc_tick_t *t)
{
    sym_state_t *st = &s->st[i];
    const tc_symbol_t *y = &s->sym[i];
    rng_t *r = &st->rng;
    /* evolve from the previous event to this one */
    double dt = (double)(st->next_ns - st->prev_ns) * 1e-9;

    /* regime: calm -> volatile about every 30 minutes, back after about 5 */
    double p_up = dt / 1800.0, p_down = dt / 300.0;
    if (st->regime == 0 && uniform(r) < p_up)
        st->regime = 1;
    else if (st->regime == 1 && uniform(r) < p_down)
        st->regime = 0;
    double sigma = st->sigma * (st->regime ? 3.0 : 1.0);

    /* OU drift reverting over ~5 minutes; over one minute it moves the price by about
     * 0.4 of the calm diffusion: weakly predictable, as markets are. */
    double theta = 1.0 / 300.0, drift_sd = 0.4 * st->sigma / sqrt(60.0);
    st->mu += -theta * st->mu * dt + drift_sd * sqrt(2 * theta * dt) * normal(r);

    double dlog = st->mu * dt + sigma * sqrt(dt) * normal(r);
    if (uniform(r) < dt / 3600.0) /* a jump, about one an hour, ~4 calm minutes' sd */
        dlog += 4.0 * st->sigma * sqrt(60.0) * normal(r);
    st->log_mid += dlog;
    double mid = exp(st->log_mid);

    int spread_ticks = 1 + (int)floor(-log(uniform(r)) * (st->regime ? 2.5 : 0.6));
    double half = 0.5 * spread_ticks * st->tick;
    int64_t bid = to_mantissa(mid - half, st->tick, y->px_exp);
    int64_t tick_m = to_mantissa(st->tick, st->tick, y->px_exp);
    int64_t ask = bid + spread_ticks * tick_m;

    memset(t, 0, sizeof *t);
    t->ts_event = st->next_ns;
    t->ts_recv = st->next_ns;
    t->sym = (uint16_t)i;
    t->px_exp = y->px_exp;
    t->qty_exp = y->qty_exp;
    t->flags = TC_TICK_SYNTHETIC;
    int64_t lot_m = (int64_t)llround(st->lot / pow(10.0, y->qty_exp));
    if (uniform(r) < s->o.quote_share) {
        t->kind = TC_TICK_QUOTE;
        t->quote.bid = bid;
        t->quote.ask = ask;
        t->quote.bid_size = lot_m * (1 + (int64_t)(-log(uniform(r)) * 5));
        t->quote.ask_size = lot_m * (1 + (int64_t)(-log(uniform(r)) * 5));
    } else {
        /* aggressor side follows the move, with noise */
        int buy = dlog + 0.5 * sigma * sqrt(dt) * normal(r) > 0;
        t->kind = TC_TICK_TRADE;
        t->trade.price = buy ? ask : bid;
        /* sizes: a discrete Pareto-like law, 1..~1000 lots */
        double u = uniform(r);
        int64_t lots = (int64_t)floor(pow(u, -1.0 / 1.5));
        t->trade.size = lot_m * (lots > 1000 ? 1000 : lots);
        t->trade.id = (int64_t)++st->trade_id;
        t->flags |= buy ? TC_TICK_SIDE_BUY : TC_TICK_SIDE_SELL;
    }
    st->prev_ns = st->next_ns;
    st->next_ns += 1 + (int64_t)llround(-log(uniform(r)) / s->o.events_per_sec * 1e9);
}

int tc_synth_next(tc_synth_t *s, tc_tick_t *out, int max)
{
    for (int k = 0; k < max; k++) {
        int best = 0;
        for (int i = 1; i < s->n; i++)
            if (s->st[i].next_ns < s->st[best].next_ns)
                best = i;
        step(s, best, &out[k]);
    }
    return max;
}
