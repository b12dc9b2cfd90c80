/* msgpack_tick.h — one tick as a msgpack message of the live feed (docs/PROTOCOL.md,
 * "Live tick feed (ingest)"): a topic frame "tick.<SYMBOL>", then a msgpack map whose
 * first key is "v".  Prices and sizes travel as integer mantissas with one decimal
 * exponent per message ("pe" for prices, "qe" for sizes), so a tick arrives exactly as
 * tc_tick_t holds it.
 *
 *     tc_msgpack_tick_dec_t *d = tc_msgpack_tick_dec_create();
 *     tc_msgpack_tick_msg_t m;
 *     int reason;
 *     if (tc_msgpack_tick_decode(d, body, len, &m, &reason) < 0)
 *         count(reason), log(tc_err_msg());
 *
 * Decoding never allocates after create: the msgpack zone is sized at create for the
 * largest message accepted, and a pre-scan bounds every container by the bytes left.
 */
#ifndef TC_INGEST_MSGPACK_TICK_H
#define TC_INGEST_MSGPACK_TICK_H

#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>

#include "shm/records.h"

#define TC_MSGPACK_TICK_VERSION 1     /* the schema version this build writes and reads */
#define TC_MSGPACK_TICK_MAX 4096      /* longest message body accepted, bytes */
#define TC_MSGPACK_TICK_TOPIC "tick." /* topic prefix; the symbol follows */
#define TC_MSGPACK_TICK_TOPIC_MAX (5 + TC_SYMBOL_NAME_MAX)

/* Why a message was rejected; counted by the feed (tc_zmqfeed_stats_t.rejects[]). */
enum tc_msgpack_tick_reject {
    TC_MSGPACK_TICK_REJ_FRAMES = 0, /* not two frames, or a topic that is not tick.<SYMBOL> */
    TC_MSGPACK_TICK_REJ_MSGPACK,    /* not exactly one well-formed msgpack map */
    TC_MSGPACK_TICK_REJ_VERSION,    /* "v" not the first key, or a version this build cannot read */
    TC_MSGPACK_TICK_REJ_MISSING,    /* a required key is absent */
    TC_MSGPACK_TICK_REJ_TYPE,       /* a key holds the wrong msgpack type (or is repeated) */
    TC_MSGPACK_TICK_REJ_RANGE,      /* a value out of range (exponent, flags, negative size) */
    TC_MSGPACK_TICK_REJ_KIND,       /* unknown "kind" */
    TC_MSGPACK_TICK_REJ_LONG,       /* an over-long message, topic, symbol or venue */
    TC_MSGPACK_TICK_REJ_TOPIC,      /* the topic's symbol is not "sym" */
    TC_MSGPACK_TICK_REJ_SYMBOLS,    /* a new symbol the table cannot take */
    TC_MSGPACK_TICK_REJ_MAX
};

/* One decoded message. */
typedef struct tc_msgpack_tick_msg {
    tc_tick_t tick;                 /* tick.sym is 0: the caller maps sym[] to its id */
    char sym[TC_SYMBOL_NAME_MAX];   /* NUL-terminated, 1..31 bytes */
    uint64_t seq;                   /* publisher sequence number, if has_seq */
    int has_seq;
} tc_msgpack_tick_msg_t;

typedef struct tc_msgpack_tick_dec tc_msgpack_tick_dec_t;

/* The decoder: one msgpack zone, allocated here and reused by every decode.  NULL with
 * TC_ERR when out of memory. */
tc_msgpack_tick_dec_t *tc_msgpack_tick_dec_create(void);
/* tc_msgpack_tick_dec_destroy(NULL) does nothing. */
void tc_msgpack_tick_dec_destroy(tc_msgpack_tick_dec_t *d);

/* Decodes the message body buf[0..len) into *ret_msg.  Returns 0, or -EPROTO with the
 * reason (enum tc_msgpack_tick_reject) in *ret_reason and a one-line explanation on the
 * error stack (which key, which value); *ret_msg is then undefined.  Unknown keys are
 * ignored.  Does not allocate; any byte string is safe to pass. */
int tc_msgpack_tick_decode(tc_msgpack_tick_dec_t *d, const void *buf, size_t len,
                           tc_msgpack_tick_msg_t *ret_msg, int *ret_reason);

/* Writes "tick.<sym>" (NUL-terminated) into buf; returns its length, or -ENAMETOOLONG
 * if sym is empty or longer than TC_SYMBOL_NAME_MAX - 1, -ENOSPC if cap is too small. */
int tc_msgpack_tick_topic(char *buf, size_t cap, const char *sym);

/* Packs t (kind trade, quote, bid, ask or bar) as a version-1 message body for symbol
 * sym through pk, keys in the documented order ("v" first); seq is written when
 * has_seq.  Returns 0, -EINVAL for a kind the feed does not carry or a bad symbol, or
 * -ENOMEM when the packer's buffer fails. */
int tc_msgpack_tick_encode(msgpack_packer *pk, const tc_tick_t *t, const char *sym,
                           uint64_t seq, int has_seq);

/* Human name of a reject reason ("frames", "msgpack", ...).  Static. */
const char *tc_msgpack_tick_reject_name(int reason);

#endif
