/* nbbo.c — the composite quote of nbbo.h.  A full scan of the 256 venue slots per
 * update would be wasteful; the active venues are few (17 US codes), so the scan walks
 * a list of venues seen so far.  No allocation. */
#include "ingest/nbbo.h"

#include <errno.h>
#include <string.h>

#include "ingest/decimal.h"

void tc_nbbo_init(tc_nbbo_t *n, int64_t stale_ns)
{
    memset(n, 0, sizeof *n);
    n->stale_ns = stale_ns > 0 ? stale_ns : INT64_MAX;
}

/* Rescales every stored price and size to finer exponents (a venue quoting with more
 * decimals than the book so far); -ERANGE if one does not fit. */
static int book_rescale(tc_nbbo_t *n, int px_exp, int qty_exp)
{
    for (int v = 0; v < 256; v++) {
        tc_nbbo_side_t *s[2] = {&n->bid[v], &n->ask[v]};
        for (int k = 0; k < 2; k++) {
            if (!s[k]->ts)
                continue;
            if (tc_dec_rescale(s[k]->px, n->px_exp, px_exp, &s[k]->px) < 0 ||
                tc_dec_rescale(s[k]->sz, n->qty_exp, qty_exp, &s[k]->sz) < 0)
                return -ERANGE;
        }
    }
    n->px_exp = px_exp;
    n->qty_exp = qty_exp;
    return 0;
}

int tc_nbbo_update(tc_nbbo_t *n, const tc_tick_t *in, tc_tick_t *out)
{
    if (in->kind != TC_TICK_BID && in->kind != TC_TICK_ASK) {
        n->rejected++;
        return -EINVAL;
    }
    if (!n->have_exp) {
        n->px_exp = in->px_exp;
        n->qty_exp = in->qty_exp;
        n->have_exp = 1;
    } else if (in->px_exp < n->px_exp || in->qty_exp < n->qty_exp) {
        int pe = in->px_exp < n->px_exp ? in->px_exp : n->px_exp;
        int qe = in->qty_exp < n->qty_exp ? in->qty_exp : n->qty_exp;
        if (book_rescale(n, pe, qe) < 0) {
            n->rejected++;
            return -EINVAL;
        }
    }
    int is_bid = in->kind == TC_TICK_BID;
    int64_t px, sz;
    if (tc_dec_rescale(is_bid ? in->quote.bid : in->quote.ask, in->px_exp, n->px_exp, &px) < 0 ||
        tc_dec_rescale(is_bid ? in->quote.bid_size : in->quote.ask_size, in->qty_exp, n->qty_exp,
                       &sz) < 0) {
        n->rejected++;
        return -EINVAL;
    }
    if (!n->bid[in->venue].ts && !n->ask[in->venue].ts)
        n->seen[n->nseen++] = in->venue;
    tc_nbbo_side_t *slot = is_bid ? &n->bid[in->venue] : &n->ask[in->venue];
    slot->px = px;
    slot->sz = sz;
    slot->ts = in->ts_event;
    /* ts 0 marks an empty slot, so an update at the epoch itself is stored as 1 ns. */
    if (!slot->ts)
        slot->ts = 1;
    n->updates++;

    const tc_nbbo_side_t *ob = &n->bid[in->venue], *oa = &n->ask[in->venue];
    if (ob->ts && oa->ts && ob->px > oa->px)
        n->venue_crossed++;

    int64_t now = in->ts_event;
    int64_t bb = INT64_MIN, ba = INT64_MAX, bbs = 0, bas = 0;
    for (int i = 0; i < n->nseen; i++) {
        int v = n->seen[i];
        const tc_nbbo_side_t *b = &n->bid[v], *a = &n->ask[v];
        if (b->ts && now - b->ts < n->stale_ns) {
            if (b->px > bb)
                bb = b->px, bbs = b->sz;
            else if (b->px == bb)
                bbs += b->sz;
        }
        if (a->ts && now - a->ts < n->stale_ns) {
            if (a->px < ba)
                ba = a->px, bas = a->sz;
            else if (a->px == ba)
                bas += a->sz;
        }
    }
    memset(out, 0, sizeof *out);
    out->ts_event = in->ts_event;
    out->ts_recv = in->ts_recv;
    out->sym = in->sym;
    out->px_exp = (int8_t)n->px_exp;
    out->qty_exp = (int8_t)n->qty_exp;
    out->cond = in->cond;
    out->flags = in->flags & TC_TICK_SUSPICIOUS;
    int has_b = bb != INT64_MIN, has_a = ba != INT64_MAX;
    /* The updated side is always fresh, so at least one side is present. */
    if (has_b && has_a) {
        out->kind = TC_TICK_QUOTE;
        out->quote.bid = bb;
        out->quote.ask = ba;
        out->quote.bid_size = bbs;
        out->quote.ask_size = bas;
        if (bb > ba) {
            out->flags |= TC_TICK_CROSSED;
            n->crossed++;
        } else if (bb == ba) {
            out->flags |= TC_TICK_LOCKED;
            n->locked++;
        }
    } else {
        n->one_sided++;
        out->kind = has_b ? TC_TICK_BID : TC_TICK_ASK;
        out->quote.bid = has_b ? bb : 0;
        out->quote.bid_size = has_b ? bbs : 0;
        out->quote.ask = has_a ? ba : 0;
        out->quote.ask_size = has_a ? bas : 0;
    }
    return 1;
}
