/* zmqfeed.h — the live tick source: a ZeroMQ SUB socket receiving msgpack tick messages
 * (docs/PROTOCOL.md, "Live tick feed (ingest)") and handing back batches of tc_tick_t.
 *
 *     const char *topics[] = {"tick.BTC", "tick.ETH", NULL};
 *     tc_zmqfeed_opts_t o = {.endpoint = "tcp://feed:5556", .topics = topics,
 *                            .symbol_fn = add_to_instance, .symbol_ctx = shm};
 *     tc_zmqfeed_t *f = tc_zmqfeed_open(&o);
 *     tc_tick_t buf[256];
 *     int n = tc_zmqfeed_poll(f, buf, 256, 10);   // up to 10 ms for the first message
 *
 * A bad message (not two frames, not msgpack, wrong types, missing keys, over-long
 * fields, unknown kind, another schema version) is rejected, counted by reason and
 * logged at most once per interval per reason with its message number and topic; it
 * never stops the feed.  Optional per-topic sequence numbers reveal lost messages.
 */
#ifndef TC_INGEST_ZMQFEED_H
#define TC_INGEST_ZMQFEED_H

#include <stdint.h>

#include "ingest/msgpack_tick.h"
#include "shm/records.h"

#define TC_ZMQFEED_MSG_MAX 240   /* a kept reject message, bytes with the NUL */
#define TC_ZMQFEED_TOPICS_MAX 64 /* subscriptions per feed */

/* Called the first time a symbol is seen; returns the id to put in tc_tick_t.sym
 * (0..65535), or a negative errno to refuse the symbol (its messages are then rejected
 * as "symbols").  The ingest stage registers the symbol in the instance table here
 * (tc_shm_symbol_add).  sym is borrowed for the call. */
typedef int (*tc_zmqfeed_symbol_fn)(void *ctx, const tc_symbol_t *sym);

typedef struct tc_zmqfeed_opts {
    const char *endpoint;          /* "tcp://host:port" or "ipc://path"; connected, not bound */
    const char *const *topics;     /* NULL-terminated topic prefixes; NULL or none: "tick." */
    tc_zmqfeed_symbol_fn symbol_fn; /* NULL: ids 0, 1, 2... in order of first sight */
    void *symbol_ctx;
    int rcvhwm;                    /* messages queued before libzmq drops; 0: libzmq default */
} tc_zmqfeed_opts_t;

typedef struct tc_zmqfeed_stats {
    uint64_t messages;      /* messages received, good or bad (the message number) */
    uint64_t ticks;         /* ticks handed back */
    uint64_t rejected;      /* sum of rejects[] */
    uint64_t rejects[TC_MSGPACK_TICK_REJ_MAX];
    char reject_msg[TC_MSGPACK_TICK_REJ_MAX][TC_ZMQFEED_MSG_MAX]; /* first message per reason */
    uint64_t seq_gaps;      /* times a topic's sequence number jumped forward */
    uint64_t seq_missing;   /* messages those jumps skipped */
    uint64_t seq_backwards; /* a sequence number not above the last (publisher restart, duplicate) */
    uint64_t symbols;       /* symbols seen */
} tc_zmqfeed_stats_t;

typedef struct tc_zmqfeed tc_zmqfeed_t;

/* Creates the socket, connects to o->endpoint and subscribes to each prefix.  Every
 * buffer is allocated here.  NULL with the reason on the error stack (bad endpoint,
 * too many or over-long prefixes, out of memory).  Connecting is asynchronous: a
 * publisher that is not up yet is retried by libzmq. */
tc_zmqfeed_t *tc_zmqfeed_open(const tc_zmqfeed_opts_t *o);

/* Receives up to max ticks into out[0..max): waits up to timeout_ms for the first
 * message (0: do not wait, -1: wait indefinitely), then takes what is already queued.
 * Returns the count (0 on timeout), or a negative errno on a socket failure (-EINTR
 * when a signal interrupted the wait).  Bad messages are counted, not returned.  No
 * allocation in this library's code. */
int tc_zmqfeed_poll(tc_zmqfeed_t *f, tc_tick_t *out, int max, int timeout_ms);

/* Counters so far.  Borrowed; valid until tc_zmqfeed_close. */
const tc_zmqfeed_stats_t *tc_zmqfeed_stats(const tc_zmqfeed_t *f);

/* The i-th symbol seen (0-based, in order of first sight): its name and the price and
 * size exponents of its first tick; NULL when i is out of range.  Borrowed, as above. */
const tc_symbol_t *tc_zmqfeed_symbol(const tc_zmqfeed_t *f, int i);

/* Closes the socket and frees everything; tc_zmqfeed_close(NULL) does nothing. */
void tc_zmqfeed_close(tc_zmqfeed_t *f);

#endif
