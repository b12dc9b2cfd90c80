/* fuzz_zmqfeed.c — libFuzzer harness for the live feed's framing (ingest/zmqfeed.h): each
 * input becomes one ZeroMQ message sent by a real XPUB socket over ipc:// to a
 * tc_zmqfeed_t, which must account for every message (a tick or a reject by reason),
 * whatever the frames hold.  Input layout, so mutations reach every check:
 *
 *     byte 0      bits 0-5: topic length; bit 6: one frame only; bit 7: a third frame
 *     then        the topic bytes, then the body (the rest)
 *
 * The seeds (tests/fuzz/corpus/fuzz_zmqfeed/) are well-formed tick messages. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "ingest/zmqfeed.h"

#define CHECK(c)                                                                       \
    do {                                                                               \
        if (!(c)) {                                                                    \
            fprintf(stderr, "broken promise: %s\n", #c);                               \
            abort();                                                                   \
        }                                                                              \
    } while (0)

static void *ctx, *pub;
static tc_zmqfeed_t *feed;
static uint64_t sent;

static void setup(void)
{
    char ep[128];
    snprintf(ep, sizeof ep, "ipc:///tmp/tc_fuzz_zmqfeed_%d.sock", (int)getpid());
    tc_log_set_level(-1);
    ctx = zmq_ctx_new();
    pub = zmq_socket(ctx, ZMQ_XPUB);
    int zero = 0, wait = 10000;
    zmq_setsockopt(pub, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt(pub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(pub, ZMQ_RCVTIMEO, &wait, sizeof wait);
    CHECK(zmq_bind(pub, ep) == 0);
    tc_zmqfeed_opts_t o = {.endpoint = ep};
    feed = tc_zmqfeed_open(&o);
    CHECK(feed);
    char sub[16];
    CHECK(zmq_recv(pub, sub, sizeof sub, 0) == 6); /* the subscription: no slow joiner */
    unlink(ep + 6); /* the bound socket lives on; nothing is left in /tmp at exit */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tc_tick_t out[8];
    if (!feed)
        setup();
    if (size < 1)
        return 0;
    size_t tl = data[0] & 0x3f;
    if (tl > size - 1)
        tl = size - 1;
    const uint8_t *topic = data + 1, *body = data + 1 + tl;
    size_t bl = size - 1 - tl;
    /* Only what the subscription lets through reaches the feed: topics starting "tick.". */
    int delivered = tl >= 5 && !memcmp(topic, "tick.", 5);
    if (data[0] & 0x40) {
        CHECK(zmq_send(pub, topic, tl, 0) == (int)tl);
    } else {
        CHECK(zmq_send(pub, topic, tl, ZMQ_SNDMORE) == (int)tl);
        CHECK(zmq_send(pub, body, bl, (data[0] & 0x80) ? ZMQ_SNDMORE : 0) == (int)bl);
        if (data[0] & 0x80)
            CHECK(zmq_send(pub, "x", 1, 0) == 1);
    }
    sent += (uint64_t)delivered;
    const tc_zmqfeed_stats_t *st = tc_zmqfeed_stats(feed);
    uint64_t ticks0 = st->ticks;
    int got = 0;
    for (int i = 0; i < 200 && st->messages < sent; i++) {
        int n = tc_zmqfeed_poll(feed, out, 8, 10);
        if (n == -EINTR)
            continue; /* libFuzzer's timeout alarm (SIGALRM) interrupts the wait: as documented */
        if (n < 0 || n > 1)
            fprintf(stderr, "poll: %d %s\n", n, tc_err_msg());
        CHECK(n >= 0 && n <= 1);
        got += n;
    }
    CHECK(st->messages == sent); /* nothing lost, nothing invented */
    CHECK(st->ticks == ticks0 + (uint64_t)got);
    CHECK(st->ticks + st->rejected == st->messages);
    if (got)
        CHECK(out[0].kind >= TC_TICK_TRADE && out[0].kind <= TC_TICK_BAR && out[0].sym < TC_SYMBOLS_MAX);
    return 0;
}
