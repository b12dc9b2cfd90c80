/* fuzz_msgpack.c — libFuzzer harness for the live-feed tick decoder
 * (ingest/msgpack_tick.h).  Any byte string must decode or be rejected with a known
 * reason; what decodes must encode again and decode to the same tick, symbol and
 * sequence number, and print as canonical text.  A broken promise aborts. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/import.h"
#include "ingest/msgpack_tick.h"

#define CHECK(c)                                                                       \
    do {                                                                               \
        if (!(c)) {                                                                    \
            fprintf(stderr, "broken promise: %s\n", #c);                               \
            abort();                                                                   \
        }                                                                              \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tc_msgpack_tick_dec_t *dec;
    if (!dec)
        dec = tc_msgpack_tick_dec_create(); /* reused like the feed reuses it */
    CHECK(dec);
    tc_msgpack_tick_msg_t m, m2;
    int why = -1;
    int r = tc_msgpack_tick_decode(dec, data, size, &m, &why);
    if (r < 0) {
        CHECK(r == -EPROTO && why >= 0 && why < TC_MSGPACK_TICK_REJ_MAX);
        return 0;
    }
    CHECK(m.tick.kind >= TC_TICK_TRADE && m.tick.kind <= TC_TICK_BAR);
    CHECK(m.sym[0] && strlen(m.sym) < TC_SYMBOL_NAME_MAX);
    char line[256];
    CHECK(tc_import_text_fmt(line, sizeof line, &m.tick) > 0);

    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    CHECK(tc_msgpack_tick_encode(&pk, &m.tick, m.sym, m.seq, m.has_seq) == 0);
    CHECK(tc_msgpack_tick_decode(dec, sb.data, sb.size, &m2, &why) == 0);
    CHECK(!memcmp(&m.tick, &m2.tick, sizeof m.tick));
    CHECK(!strcmp(m.sym, m2.sym) && m.has_seq == m2.has_seq && m.seq == m2.seq);
    msgpack_sbuffer_destroy(&sb);
    return 0;
}
