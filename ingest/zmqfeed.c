/* zmqfeed.c — the ZeroMQ SUB tick source of zmqfeed.h: framing, topic checks, the
 * symbol table of the feed and per-topic sequence tracking.  Decoding the msgpack body
 * is msgpack_tick.c's; docs/PROTOCOL.md ("Message framing", "Live tick feed (ingest)")
 * is the reference for both.
 *
 * Frames are received with zmq_recv into buffers owned by the feed, so this code does
 * not allocate per message.  ZeroMQ delivers the frames of a multipart message all at
 * once, so once the topic is in, the body can be read without waiting.  Symbols are
 * found through a small open-addressing table keyed by name (FNV-1a), sized at open for
 * TC_SYMBOLS_MAX entries.
 */
#include "ingest/zmqfeed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"

#define SLOTS (2 * TC_SYMBOLS_MAX) /* power of two, at most half full */

typedef struct entry {
    tc_symbol_t sym;   /* name, exponents of the first tick */
    int id;            /* what the caller's symbol_fn gave (or the feed index) */
    int has_seq;
    uint64_t last_seq;
} entry_t;

struct tc_zmqfeed {
    void *ctx, *sock;
    tc_msgpack_tick_dec_t *dec;
    tc_zmqfeed_symbol_fn symbol_fn;
    void *symbol_ctx;
    tc_zmqfeed_stats_t st;
    tc_ratelimit_t rl[TC_MSGPACK_TICK_REJ_MAX];
    entry_t *ent;      /* TC_SYMBOLS_MAX, in order of first sight */
    int n_ent;
    int16_t *slot;     /* SLOTS: index into ent, -1 free */
    char topic[TC_MSGPACK_TICK_TOPIC_MAX + 1];
    char body[TC_MSGPACK_TICK_MAX + 1];
};

static void feed_free(tc_zmqfeed_t *f)
{
    if (f->sock)
        zmq_close(f->sock);
    if (f->ctx)
        zmq_ctx_term(f->ctx);
    tc_msgpack_tick_dec_destroy(f->dec);
    free(f->ent);
    free(f->slot);
    free(f);
}

tc_zmqfeed_t *tc_zmqfeed_open(const tc_zmqfeed_opts_t *o)
{
    static const char *const all[] = {TC_MSGPACK_TICK_TOPIC, NULL};
    const char *const *topics = o->topics && o->topics[0] ? o->topics : all;
    int nt = 0;
    while (topics[nt])
        nt++;
    if (nt > TC_ZMQFEED_TOPICS_MAX) {
        TC_ERR(-EINVAL, "zmq feed: %d topic prefixes (at most %d)", nt, TC_ZMQFEED_TOPICS_MAX);
        return NULL;
    }
    for (int i = 0; i < nt; i++)
        if (strlen(topics[i]) > TC_MSGPACK_TICK_TOPIC_MAX) {
            TC_ERR(-EINVAL, "zmq feed: topic prefix '%.40s...' longer than any tick topic", topics[i]);
            return NULL;
        }
    if (!o->endpoint || !o->endpoint[0]) {
        TC_ERR(-EINVAL, "zmq feed: no endpoint");
        return NULL;
    }
    tc_zmqfeed_t *f = calloc(1, sizeof *f);
    if (!f) {
        TC_ERR(-ENOMEM, "zmq feed: out of memory");
        return NULL;
    }
    f->symbol_fn = o->symbol_fn;
    f->symbol_ctx = o->symbol_ctx;
    f->ent = calloc(TC_SYMBOLS_MAX, sizeof *f->ent);
    f->slot = malloc(SLOTS * sizeof *f->slot);
    f->dec = tc_msgpack_tick_dec_create();
    if (!f->ent || !f->slot || !f->dec) {
        TC_ERR(-ENOMEM, "zmq feed: out of memory");
        goto fail;
    }
    memset(f->slot, 0xff, SLOTS * sizeof *f->slot);
    for (int i = 0; i < TC_MSGPACK_TICK_REJ_MAX; i++)
        f->rl[i].interval_ns = 10 * 1000000000LL;

    f->ctx = zmq_ctx_new();
    if (!f->ctx) {
        TC_ERR(-errno, "zmq feed: zmq_ctx_new: %s", zmq_strerror(errno));
        goto fail;
    }
    f->sock = zmq_socket(f->ctx, ZMQ_SUB);
    if (!f->sock) {
        TC_ERR(-errno, "zmq feed: zmq_socket: %s", zmq_strerror(errno));
        goto fail;
    }
    int zero = 0;
    zmq_setsockopt(f->sock, ZMQ_LINGER, &zero, sizeof zero);
    if (o->rcvhwm > 0 && zmq_setsockopt(f->sock, ZMQ_RCVHWM, &o->rcvhwm, sizeof o->rcvhwm) < 0) {
        TC_ERR(-errno, "zmq feed: ZMQ_RCVHWM %d: %s", o->rcvhwm, zmq_strerror(errno));
        goto fail;
    }
    for (int i = 0; i < nt; i++)
        if (zmq_setsockopt(f->sock, ZMQ_SUBSCRIBE, topics[i], strlen(topics[i])) < 0) {
            TC_ERR(-errno, "zmq feed: subscribe '%s': %s", topics[i], zmq_strerror(errno));
            goto fail;
        }
    if (zmq_connect(f->sock, o->endpoint) < 0) {
        TC_ERR(-errno, "zmq feed: connect %s: %s", o->endpoint, zmq_strerror(errno));
        goto fail;
    }
    return f;
fail:
    feed_free(f);
    return NULL;
}

void tc_zmqfeed_close(tc_zmqfeed_t *f)
{
    if (f)
        feed_free(f);
}

const tc_zmqfeed_stats_t *tc_zmqfeed_stats(const tc_zmqfeed_t *f) { return &f->st; }

const tc_symbol_t *tc_zmqfeed_symbol(const tc_zmqfeed_t *f, int i)
{
    return i >= 0 && i < f->n_ent ? &f->ent[i].sym : NULL;
}

/* ---- rejects ------------------------------------------------------------------------------- */

/* Copies a topic for a message: printable ASCII kept, anything else as '?', cut at 40. */
static void topic_text(char *out, const char *t, int n)
{
    int k = 0;
    for (int i = 0; i < n && k < 40; i++)
        out[k++] = t[i] > 0x20 && t[i] < 0x7f ? t[i] : '?';
    if (n > 40)
        out[k++] = '.', out[k++] = '.', out[k++] = '.';
    out[k] = 0;
}

/* Counts a rejected message; the why is on the error stack.  Keeps the first message
 * of each reason and logs at most once per interval per reason. */
static void reject(tc_zmqfeed_t *f, int reason, int topic_len)
{
    char tt[48];
    topic_text(tt, f->topic, topic_len < 0 ? 0 : topic_len);
    TC_ERR_APPEND(-EPROTO, "tick feed message %llu (topic '%s')", (unsigned long long)f->st.messages, tt);
    f->st.rejects[reason]++;
    f->st.rejected++;
    if (!f->st.reject_msg[reason][0])
        snprintf(f->st.reject_msg[reason], TC_ZMQFEED_MSG_MAX, "%s", tc_err_msg());
    TC_LOG_RL(&f->rl[reason], TC_LOG_WARN, "%s (rejected: %s)", tc_err_msg(),
              tc_msgpack_tick_reject_name(reason));
}

/* ---- symbols ------------------------------------------------------------------------------- */

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The entry of m's symbol, registering it on first sight; NULL with TC_ERR if the table
 * is full or the caller refuses it. */
static entry_t *symbol_get(tc_zmqfeed_t *f, const tc_msgpack_tick_msg_t *m)
{
    uint32_t i = hash(m->sym) & (SLOTS - 1);
    for (; f->slot[i] >= 0; i = (i + 1) & (SLOTS - 1))
        if (!strcmp(f->ent[f->slot[i]].sym.name, m->sym))
            return &f->ent[f->slot[i]];
    if (f->n_ent == TC_SYMBOLS_MAX) {
        TC_ERR(-ENOSPC, "symbol %s: the feed already has %d symbols", m->sym, TC_SYMBOLS_MAX);
        return NULL;
    }
    entry_t *e = &f->ent[f->n_ent];
    memset(e, 0, sizeof *e);
    snprintf(e->sym.name, sizeof e->sym.name, "%s", m->sym);
    snprintf(e->sym.tz, sizeof e->sym.tz, "UTC");
    e->sym.px_exp = m->tick.px_exp;
    e->sym.qty_exp = m->tick.qty_exp;
    e->id = f->n_ent;
    if (f->symbol_fn) {
        int id = f->symbol_fn(f->symbol_ctx, &e->sym);
        if (id < 0 || id > UINT16_MAX) {
            TC_ERR(id < 0 ? id : -ERANGE, "symbol %s: refused by the symbol table (%d)", m->sym, id);
            return NULL;
        }
        e->id = id;
    }
    f->slot[i] = (int16_t)f->n_ent++;
    f->st.symbols++;
    return e;
}

/* ---- receiving ------------------------------------------------------------------------------ */

static int more(void *sock)
{
    int v = 0;
    size_t n = sizeof v;
    return zmq_getsockopt(sock, ZMQ_RCVMORE, &v, &n) == 0 && v;
}

/* Receives one message.  Returns 1 with a tick in *out, 0 for a rejected message,
 * -EAGAIN when none is queued, or another negative errno from libzmq. */
static int recv_one(tc_zmqfeed_t *f, tc_tick_t *out)
{
    int nt = zmq_recv(f->sock, f->topic, sizeof f->topic, ZMQ_DONTWAIT);
    if (nt < 0)
        return -errno;
    f->st.messages++;
    int tlen = nt < (int)sizeof f->topic ? nt : (int)sizeof f->topic;
    if (!more(f->sock)) {
        TC_ERR(-EPROTO, "one frame (a topic frame and a msgpack frame expected)");
        reject(f, TC_MSGPACK_TICK_REJ_FRAMES, tlen);
        return 0;
    }
    int nb = zmq_recv(f->sock, f->body, sizeof f->body, 0);
    if (nb < 0)
        return -errno;
    if (more(f->sock)) {
        int extra = 0;
        do {
            char sink[1];
            if (zmq_recv(f->sock, sink, sizeof sink, 0) < 0)
                return -errno;
            extra++;
        } while (more(f->sock));
        TC_ERR(-EPROTO, "%d frames (a topic frame and a msgpack frame expected)", 2 + extra);
        reject(f, TC_MSGPACK_TICK_REJ_FRAMES, tlen);
        return 0;
    }
    if (nt > TC_MSGPACK_TICK_TOPIC_MAX) {
        TC_ERR(-EPROTO, "topic of %d bytes (at most %d)", nt, TC_MSGPACK_TICK_TOPIC_MAX);
        reject(f, TC_MSGPACK_TICK_REJ_LONG, tlen);
        return 0;
    }
    if (nt < 6 || memcmp(f->topic, TC_MSGPACK_TICK_TOPIC, 5)) {
        TC_ERR(-EPROTO, "topic is not tick.<SYMBOL>");
        reject(f, TC_MSGPACK_TICK_REJ_FRAMES, tlen);
        return 0;
    }
    if (nb > TC_MSGPACK_TICK_MAX) {
        TC_ERR(-EPROTO, "message body of %d bytes (at most %d)", nb, TC_MSGPACK_TICK_MAX);
        reject(f, TC_MSGPACK_TICK_REJ_LONG, tlen);
        return 0;
    }
    tc_msgpack_tick_msg_t m;
    int reason;
    if (tc_msgpack_tick_decode(f->dec, f->body, (size_t)nb, &m, &reason) < 0) {
        reject(f, reason, tlen);
        return 0;
    }
    size_t sl = strlen(m.sym);
    if ((size_t)nt != 5 + sl || memcmp(f->topic + 5, m.sym, sl)) {
        TC_ERR(-EPROTO, "topic does not match \"sym\" \"%s\"", m.sym);
        reject(f, TC_MSGPACK_TICK_REJ_TOPIC, tlen);
        return 0;
    }
    entry_t *e = symbol_get(f, &m);
    if (!e) {
        reject(f, TC_MSGPACK_TICK_REJ_SYMBOLS, tlen);
        return 0;
    }
    if (m.has_seq) {
        if (e->has_seq && m.seq != e->last_seq + 1) {
            if (m.seq > e->last_seq) {
                f->st.seq_gaps++;
                f->st.seq_missing += m.seq - e->last_seq - 1;
            } else {
                f->st.seq_backwards++;
            }
        }
        e->has_seq = 1;
        e->last_seq = m.seq;
    }
    *out = m.tick;
    out->sym = (uint16_t)e->id;
    f->st.ticks++;
    return 1;
}

int tc_zmqfeed_poll(tc_zmqfeed_t *f, tc_tick_t *out, int max, int timeout_ms)
{
    int n = 0, waited = timeout_ms == 0;
    while (n < max) {
        int r = recv_one(f, &out[n]);
        if (r > 0) {
            n++;
            continue;
        }
        if (r == 0)
            continue;
        if (r == -EINTR)
            return n > 0 ? n : TC_ERR(-EINTR, "zmq feed: interrupted");
        if (r != -EAGAIN)
            return TC_ERR(r, "zmq feed: receive: %s", zmq_strerror(-r));
        if (n > 0 || waited)
            break;
        /* Nothing queued yet: wait once for the first message, then take what is there. */
        zmq_pollitem_t it = {.socket = f->sock, .events = ZMQ_POLLIN};
        int pr = zmq_poll(&it, 1, timeout_ms);
        if (pr < 0)
            return errno == EINTR ? TC_ERR(-EINTR, "zmq feed: interrupted")
                                  : TC_ERR(-errno, "zmq feed: poll: %s", zmq_strerror(errno));
        waited = 1;
        if (pr == 0)
            break;
    }
    return n;
}
