/* test_msgpack.c — the live-feed tick message (ingest/msgpack_tick.h, docs/PROTOCOL.md).
 * Real ticks imported from the shared files survive encode → decode bit for bit; bytes
 * written by Python's msgpack (pasted below) decode to the values of the documentation
 * example; each kind of bad message is rejected with its reason and a message naming
 * the key; hostile container headers are refused without allocating; decoding does
 * not allocate; seeded random damage never crashes and always gives a known reason. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "ingest/import.h"
#include "ingest/msgpack_tick.h"
#include "tests/common/csvtab.h"
#include "tests/common/alloc_count.h"

#if defined(__SANITIZE_ADDRESS__)
#define TC_COUNT_ALLOCS 0
#else
#define TC_COUNT_ALLOCS 1
TC_TEST_ALLOC_COUNTER(counting, n_alloc)
#endif

static tc_msgpack_tick_dec_t *dec;

static void setup(void)
{
    dec = tc_msgpack_tick_dec_create();
    cr_assert_not_null(dec, "%s", tc_err_msg());
}
static void teardown(void) { tc_msgpack_tick_dec_destroy(dec); }

TestSuite(msgpack, .init = setup, .fini = teardown);

/* ---- fixtures written by Python's msgpack.packb ---------------------------------------- */

/* {'v':1,'sym':'BTCUSDT','kind':'trade','ts':1582329602150000000,'tr':1582329602421536000,
 *  'pe':-2,'qe':-3,'px':968219,'sz':10,'id':42377947,'side':'buy','seq':7} */
static const unsigned char py_trade[] = {
    0x8c, 0xa1, 0x76, 0x01, 0xa3, 0x73, 0x79, 0x6d, 0xa7, 0x42, 0x54, 0x43, 0x55, 0x53, 0x44, 0x54,
    0xa4, 0x6b, 0x69, 0x6e, 0x64, 0xa5, 0x74, 0x72, 0x61, 0x64, 0x65, 0xa2, 0x74, 0x73, 0xcf, 0x15,
    0xf5, 0x90, 0x63, 0xbd, 0xbc, 0x65, 0x80, 0xa2, 0x74, 0x72, 0xcf, 0x15, 0xf5, 0x90, 0x63, 0xcd,
    0xeb, 0xb5, 0x00, 0xa2, 0x70, 0x65, 0xfe, 0xa2, 0x71, 0x65, 0xfd, 0xa2, 0x70, 0x78, 0xce, 0x00,
    0x0e, 0xc6, 0x1b, 0xa2, 0x73, 0x7a, 0x0a, 0xa2, 0x69, 0x64, 0xce, 0x02, 0x86, 0xa2, 0xdb, 0xa4,
    0x73, 0x69, 0x64, 0x65, 0xa3, 0x62, 0x75, 0x79, 0xa3, 0x73, 0x65, 0x71, 0x07};

/* {'v':1,'sym':'IBM','kind':'bid','ts':-5,'pe':-4,'qe':0,'bid':1837000,'bsz':300,
 *  'venue':'N','flags':4,'cond':2,'x-future':[1,{'a':None}]}  (no "tr", an unknown key) */
static const unsigned char py_bid[] = {
    0x8c, 0xa1, 0x76, 0x01, 0xa3, 0x73, 0x79, 0x6d, 0xa3, 0x49, 0x42, 0x4d, 0xa4, 0x6b, 0x69, 0x6e,
    0x64, 0xa3, 0x62, 0x69, 0x64, 0xa2, 0x74, 0x73, 0xfb, 0xa2, 0x70, 0x65, 0xfc, 0xa2, 0x71, 0x65,
    0x00, 0xa3, 0x62, 0x69, 0x64, 0xce, 0x00, 0x1c, 0x07, 0xc8, 0xa3, 0x62, 0x73, 0x7a, 0xcd, 0x01,
    0x2c, 0xa5, 0x76, 0x65, 0x6e, 0x75, 0x65, 0xa1, 0x4e, 0xa5, 0x66, 0x6c, 0x61, 0x67, 0x73, 0x04,
    0xa4, 0x63, 0x6f, 0x6e, 0x64, 0x02, 0xa8, 0x78, 0x2d, 0x66, 0x75, 0x74, 0x75, 0x72, 0x65, 0x92,
    0x01, 0x81, 0xa1, 0x61, 0xc0};

Test(msgpack, python_bytes_decode_to_the_documented_values)
{
    tc_msgpack_tick_msg_t m;
    int why = -1;
    cr_assert_eq(tc_msgpack_tick_decode(dec, py_trade, sizeof py_trade, &m, &why), 0, "%s", tc_err_msg());
    cr_expect_str_eq(m.sym, "BTCUSDT");
    cr_expect_eq(m.tick.kind, TC_TICK_TRADE);
    cr_expect_eq(m.tick.ts_event, 1582329602150000000LL);
    cr_expect_eq(m.tick.ts_recv, 1582329602421536000LL);
    cr_expect_eq(m.tick.trade.price, 968219);
    cr_expect_eq(m.tick.px_exp, -2);
    cr_expect_eq(m.tick.trade.size, 10);
    cr_expect_eq(m.tick.qty_exp, -3);
    cr_expect_eq(m.tick.trade.id, 42377947);
    cr_expect_eq(m.tick.flags, TC_TICK_SIDE_BUY);
    cr_expect_eq(m.tick.venue, 0);
    cr_expect_eq(m.tick.cond, 0);
    cr_expect_eq(m.tick.sym, 0);
    cr_expect(m.has_seq);
    cr_expect_eq(m.seq, 7);

    cr_assert_eq(tc_msgpack_tick_decode(dec, py_bid, sizeof py_bid, &m, &why), 0, "%s", tc_err_msg());
    cr_expect_str_eq(m.sym, "IBM");
    cr_expect_eq(m.tick.kind, TC_TICK_BID);
    cr_expect_eq(m.tick.ts_event, -5);
    cr_expect_eq(m.tick.ts_recv, -5, "no \"tr\": the receive time is the event time");
    cr_expect_eq(m.tick.quote.bid, 1837000);
    cr_expect_eq(m.tick.quote.ask, 0);
    cr_expect_eq(m.tick.quote.bid_size, 300);
    cr_expect_eq(m.tick.quote.ask_size, 0);
    cr_expect_eq(m.tick.quote.id, 0);
    cr_expect_eq(m.tick.px_exp, -4);
    cr_expect_eq(m.tick.venue, 'N');
    cr_expect_eq(m.tick.flags, TC_TICK_SUSPICIOUS);
    cr_expect_eq(m.tick.cond, TC_COND_ODD_LOT);
    cr_expect(!m.has_seq);
}

/* ---- round trip of real ticks ------------------------------------------------------------ */

static int roundtrip_file(const char *rel, int *ret_n)
{
    const char *path = tc_shared_path(rel);
    tc_import_t *im = tc_import_open(path, NULL);
    cr_assert_not_null(im, "%s", tc_err_msg());
    static tc_tick_t buf[4096];
    char sym[TC_SYMBOL_NAME_MAX];
    snprintf(sym, sizeof sym, "%s", tc_import_symbol(im)->name);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    int n = 0, agree = 0, k;
    uint64_t seq = 1000;
    while ((k = tc_import_read(im, buf, 4096)) > 0) {
        for (int i = 0; i < k; i++, n++, seq++) {
            msgpack_sbuffer_clear(&sb);
            cr_assert_eq(tc_msgpack_tick_encode(&pk, &buf[i], sym, seq, n % 3 != 0), 0, "%s", tc_err_msg());
            tc_msgpack_tick_msg_t m;
            int why;
            int r = tc_msgpack_tick_decode(dec, sb.data, sb.size, &m, &why);
            if (r < 0) {
                cr_log_error("%s tick %d: %s", rel, n, tc_err_msg());
                continue;
            }
            int same = !memcmp(&m.tick, &buf[i], sizeof m.tick) && !strcmp(m.sym, sym) &&
                       m.has_seq == (n % 3 != 0) && (!m.has_seq || m.seq == seq);
            if (!same && n - agree < 5)
                cr_log_error("%s tick %d differs after the round trip", rel, n);
            agree += same;
        }
    }
    cr_assert_eq(k, 0);
    msgpack_sbuffer_destroy(&sb);
    tc_import_close(im);
    *ret_n = n;
    return agree;
}

Test(msgpack, real_ticks_survive_the_round_trip)
{
    static const char *files[] = {
        "data/ticks/crypto_tardis_binancefutures_btcusdt_trades_20200222.csv",  /* per-row exponents */
        "data/ticks/crypto_tardis_binancefutures_btcusdt_quotes_20200222.csv",
        "data/ticks/equity_ibm_trades_20131007.csv",                           /* venue, cond, suspicious */
        "data/ticks/equity_ibm_quotes_20131007.csv",                           /* one-sided bid/ask */
        "data/ticks/futures_comex_gc_dec2013_trades_20131007.csv",             /* zero-size prints */
        "data/ticks/bars_daily_orcl_yahoo.csv",                                /* bars */
        "data/ticks/fx_fxcm_eurusd_quotes_20140504.csv",
    };
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        FILE *probe = fopen(tc_shared_path(files[f]), "rb");
        if (!probe)
            cr_skip_test("shared data missing: %s", tc_shared_path(files[f]));
        fclose(probe);
        int n = 0, agree = roundtrip_file(files[f], &n);
        cr_log_info("%s: %d of %d ticks agree", files[f], agree, n);
        cr_expect_gt(n, 900, "%s imported only %d ticks", files[f], n);
        cr_expect_eq(agree, n, "%s: %d of %d ticks agree", files[f], agree, n);
    }
}

/* ---- rejects ------------------------------------------------------------------------------- */

typedef struct kv {
    const char *k;
    char t;          /* i int, u uint, s str, f float, n nil, a empty array, x end */
    int64_t i;
    const char *s;
} kv_t;

static size_t build(char *out, size_t cap, const kv_t *kv)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    uint32_t n = 0;
    while (kv[n].t != 'x')
        n++;
    msgpack_pack_map(&pk, n);
    for (uint32_t j = 0; j < n; j++) {
        msgpack_pack_str_with_body(&pk, kv[j].k, strlen(kv[j].k));
        switch (kv[j].t) {
        case 'i': msgpack_pack_int64(&pk, kv[j].i); break;
        case 'u': msgpack_pack_uint64(&pk, (uint64_t)kv[j].i); break;
        case 's': msgpack_pack_str_with_body(&pk, kv[j].s, strlen(kv[j].s)); break;
        case 'f': msgpack_pack_double(&pk, (double)kv[j].i); break;
        case 'n': msgpack_pack_nil(&pk); break;
        case 'a': msgpack_pack_array(&pk, 0); break;
        }
    }
    cr_assert_leq(sb.size, cap);
    memcpy(out, sb.data, sb.size);
    size_t len = sb.size;
    msgpack_sbuffer_destroy(&sb);
    return len;
}

/* A good trade, then one edit: key `k` replaced by (t, i, s), removed (t == '-'), or
 * appended when absent. */
static size_t variant(char *out, size_t cap, const char *k, char t, int64_t i, const char *s)
{
    kv_t base[] = {
        {"v", 'u', 1, NULL},    {"sym", 's', 0, "BTCUSDT"}, {"kind", 's', 0, "trade"},
        {"ts", 'i', 1000, NULL}, {"pe", 'i', -2, NULL},      {"qe", 'i', -3, NULL},
        {"px", 'i', 968219, NULL}, {"sz", 'i', 10, NULL},    {"x", 'x', 0, NULL},
        {"x", 'x', 0, NULL}};
    int n = 8, found = 0;
    for (int j = 0; j < n; j++)
        if (!strcmp(base[j].k, k)) {
            found = 1;
            if (t == '-') {
                memmove(&base[j], &base[j + 1], sizeof base[0] * (size_t)(n - j));
                n--;
            } else {
                base[j] = (kv_t){k, t, i, s};
            }
            break;
        }
    if (!found && t != '-')
        base[n++] = (kv_t){k, t, i, s};
    base[n] = (kv_t){"x", 'x', 0, NULL};
    return build(out, cap, base);
}

static void expect_reject(const void *b, size_t n, int reason, const char *needle, const char *what)
{
    tc_msgpack_tick_msg_t m;
    int why = -1;
    tc_err_clear();
    int r = tc_msgpack_tick_decode(dec, b, n, &m, &why);
    cr_expect_eq(r, -EPROTO, "%s: accepted", what);
    cr_expect_eq(why, reason, "%s: reason %s, expected %s (%s)", what, tc_msgpack_tick_reject_name(why),
                 tc_msgpack_tick_reject_name(reason), tc_err_msg());
    cr_expect_neq(tc_err_msg()[0], 0, "%s: no message", what);
    if (needle)
        cr_expect(strstr(tc_err_msg(), needle), "%s: message '%s' does not name '%s'", what,
                  tc_err_msg(), needle);
}

Test(msgpack, bad_messages_rejected_by_reason)
{
    char b[8192];
    size_t n;
    tc_msgpack_tick_msg_t m;
    int why;
    n = variant(b, sizeof b, "none", '-', 0, NULL);
    cr_assert_eq(tc_msgpack_tick_decode(dec, b, n, &m, &why), 0, "the base message is good: %s", tc_err_msg());

    expect_reject("", 0, TC_MSGPACK_TICK_REJ_MSGPACK, NULL, "empty");
    expect_reject("\xc1", 1, TC_MSGPACK_TICK_REJ_MSGPACK, "0xc1", "reserved byte");
    expect_reject("hello", 5, TC_MSGPACK_TICK_REJ_MSGPACK, NULL, "text");
    expect_reject("\x93\x01\x02\x03", 4, TC_MSGPACK_TICK_REJ_MSGPACK, "not a map", "array");
    expect_reject("\xdd\xff\xff\xff\xff", 5, TC_MSGPACK_TICK_REJ_MSGPACK, "announces", "array32 of 4G");
    expect_reject("\xdf\x7f\xff\xff\xff\xa1v", 7, TC_MSGPACK_TICK_REJ_MSGPACK, "announces", "map32 of 2G");
    expect_reject("\x81\xa1v\xdb\xff\xff\xff\xf0", 8, TC_MSGPACK_TICK_REJ_MSGPACK, "past the end", "str32 of 4G");
    n = variant(b, sizeof b, "none", '-', 0, NULL);
    expect_reject(b, n - 1, TC_MSGPACK_TICK_REJ_MSGPACK, "ends early", "truncated");
    b[n] = 0x01;
    expect_reject(b, n + 1, TC_MSGPACK_TICK_REJ_MSGPACK, "after the msgpack map", "trailing byte");
    {
        /* nesting deeper than msgpack-c's stack, inside an unknown key */
        char deep[200];
        size_t k = 0;
        memcpy(deep, "\x82\xa1v\x01\xa1z", 6);
        k = 6;
        for (int d = 0; d < 100; d++)
            deep[k++] = (char)0x91;
        deep[k++] = 0x00;
        expect_reject(deep, k, TC_MSGPACK_TICK_REJ_MSGPACK, NULL, "deep nesting");
    }

    expect_reject(b, variant(b, sizeof b, "v", 'u', 2, NULL), TC_MSGPACK_TICK_REJ_VERSION, "version 2", "future version");
    expect_reject(b, variant(b, sizeof b, "v", 's', 0, "1"), TC_MSGPACK_TICK_REJ_VERSION, "\"v\"", "version as str");
    expect_reject(b, variant(b, sizeof b, "v", '-', 0, NULL), TC_MSGPACK_TICK_REJ_VERSION, "first key", "no version");
    {
        kv_t late[] = {{"sym", 's', 0, "X"}, {"v", 'u', 1, NULL}, {"x", 'x', 0, NULL}};
        expect_reject(b, build(b, sizeof b, late), TC_MSGPACK_TICK_REJ_VERSION, "first key", "v second");
    }
    /* a future version is refused before its (possibly different) keys are looked at */
    {
        kv_t fut[] = {{"v", 'u', 3, NULL}, {"ts", 's', 0, "now"}, {"x", 'x', 0, NULL}};
        expect_reject(b, build(b, sizeof b, fut), TC_MSGPACK_TICK_REJ_VERSION, "version 3", "v3 other keys");
    }

    static const char *required[] = {"sym", "kind", "ts", "pe", "qe", "px", "sz"};
    for (size_t j = 0; j < sizeof required / sizeof required[0]; j++) {
        char what[64];
        snprintf(what, sizeof what, "missing %s", required[j]);
        char needle[16];
        snprintf(needle, sizeof needle, "\"%s\"", required[j]);
        expect_reject(b, variant(b, sizeof b, required[j], '-', 0, NULL), TC_MSGPACK_TICK_REJ_MISSING, needle, what);
    }
    expect_reject(b, variant(b, sizeof b, "kind", 's', 0, "quote"), TC_MSGPACK_TICK_REJ_MISSING, "\"bid\"", "quote of a trade");

    expect_reject(b, variant(b, sizeof b, "ts", 's', 0, "2020-02-22"), TC_MSGPACK_TICK_REJ_TYPE, "\"ts\"", "ts as str");
    expect_reject(b, variant(b, sizeof b, "px", 'f', 9682, NULL), TC_MSGPACK_TICK_REJ_TYPE, "float", "px as float");
    expect_reject(b, variant(b, sizeof b, "sym", 'i', 5, NULL), TC_MSGPACK_TICK_REJ_TYPE, "\"sym\"", "sym as int");
    expect_reject(b, variant(b, sizeof b, "kind", 'n', 0, NULL), TC_MSGPACK_TICK_REJ_TYPE, "nil", "kind nil");
    expect_reject(b, variant(b, sizeof b, "seq", 'a', 0, NULL), TC_MSGPACK_TICK_REJ_TYPE, "array", "seq array");
    {
        kv_t dup[] = {{"v", 'u', 1, NULL}, {"sym", 's', 0, "A"}, {"sym", 's', 0, "B"}, {"x", 'x', 0, NULL}};
        expect_reject(b, build(b, sizeof b, dup), TC_MSGPACK_TICK_REJ_TYPE, "repeated", "repeated key");
    }

    expect_reject(b, variant(b, sizeof b, "kind", 's', 0, "swap"), TC_MSGPACK_TICK_REJ_KIND, "swap", "unknown kind");
    expect_reject(b, variant(b, sizeof b, "kind", 's', 0, "TRADE"), TC_MSGPACK_TICK_REJ_KIND, NULL, "kind case");

    expect_reject(b, variant(b, sizeof b, "pe", 'i', 19, NULL), TC_MSGPACK_TICK_REJ_RANGE, "exponent", "pe 19");
    expect_reject(b, variant(b, sizeof b, "qe", 'i', -19, NULL), TC_MSGPACK_TICK_REJ_RANGE, "exponent", "qe -19");
    expect_reject(b, variant(b, sizeof b, "sz", 'i', -1, NULL), TC_MSGPACK_TICK_REJ_RANGE, "\"sz\"", "negative size");
    expect_reject(b, variant(b, sizeof b, "px", 'u', -1, NULL), TC_MSGPACK_TICK_REJ_RANGE, "int64", "px 2^64-1");
    expect_reject(b, variant(b, sizeof b, "flags", 'u', 256, NULL), TC_MSGPACK_TICK_REJ_RANGE, "flags", "flags 256");
    expect_reject(b, variant(b, sizeof b, "flags", 'u', 1, NULL), TC_MSGPACK_TICK_REJ_RANGE, "side", "side bit in flags");
    expect_reject(b, variant(b, sizeof b, "cond", 'i', -1, NULL), TC_MSGPACK_TICK_REJ_RANGE, "\"cond\"", "cond -1");
    expect_reject(b, variant(b, sizeof b, "side", 's', 0, "up"), TC_MSGPACK_TICK_REJ_RANGE, "up", "side up");
    expect_reject(b, variant(b, sizeof b, "sym", 's', 0, "BTC USDT"), TC_MSGPACK_TICK_REJ_RANGE, "0x20", "space");
    expect_reject(b, variant(b, sizeof b, "sym", 's', 0, ""), TC_MSGPACK_TICK_REJ_RANGE, "empty", "empty sym");

    expect_reject(b, variant(b, sizeof b, "sym", 's', 0, "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"),
                  TC_MSGPACK_TICK_REJ_LONG, "32 bytes", "sym of 32");
    expect_reject(b, variant(b, sizeof b, "venue", 's', 0, "NY"), TC_MSGPACK_TICK_REJ_LONG, "venue", "venue of 2");
    {
        static char big[5000];
        memset(big, 'z', sizeof big - 1);
        expect_reject(b, variant(b, sizeof b, "note", 's', 0, big), TC_MSGPACK_TICK_REJ_LONG, "4096", "5 kB body");
    }

    /* and the decoder still works after all of that */
    n = variant(b, sizeof b, "zz-unknown", 'a', 0, NULL);
    cr_assert_eq(tc_msgpack_tick_decode(dec, b, n, &m, &why), 0, "unknown keys are ignored: %s", tc_err_msg());
    cr_expect_eq(m.tick.trade.price, 968219);
    cr_expect_eq(m.tick.trade.size, 10);
    cr_expect_eq(m.tick.ts_recv, 1000);
}

Test(msgpack, non_string_keys_and_other_kinds_keys_are_ignored)
{
    /* {"v":1, 7:"x", "sym":"S", "kind":"ask", "ts":5, "pe":0, "qe":0, "ask":12, "asz":3, "px":99} */
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 10);
    msgpack_pack_str_with_body(&pk, "v", 1), msgpack_pack_uint8(&pk, 1);
    msgpack_pack_int(&pk, 7), msgpack_pack_str_with_body(&pk, "x", 1);
    msgpack_pack_str_with_body(&pk, "sym", 3), msgpack_pack_str_with_body(&pk, "S", 1);
    msgpack_pack_str_with_body(&pk, "kind", 4), msgpack_pack_str_with_body(&pk, "ask", 3);
    msgpack_pack_str_with_body(&pk, "ts", 2), msgpack_pack_int(&pk, 5);
    msgpack_pack_str_with_body(&pk, "pe", 2), msgpack_pack_int(&pk, 0);
    msgpack_pack_str_with_body(&pk, "qe", 2), msgpack_pack_int(&pk, 0);
    msgpack_pack_str_with_body(&pk, "ask", 3), msgpack_pack_int(&pk, 12);
    msgpack_pack_str_with_body(&pk, "asz", 3), msgpack_pack_int(&pk, 3);
    msgpack_pack_str_with_body(&pk, "px", 2), msgpack_pack_int(&pk, 99);
    tc_msgpack_tick_msg_t m;
    int why;
    cr_assert_eq(tc_msgpack_tick_decode(dec, sb.data, sb.size, &m, &why), 0, "%s", tc_err_msg());
    cr_expect_eq(m.tick.kind, TC_TICK_ASK);
    cr_expect_eq(m.tick.quote.ask, 12);
    cr_expect_eq(m.tick.quote.ask_size, 3);
    cr_expect_eq(m.tick.quote.bid, 0, "\"px\" belongs to trades: ignored in an ask");
    msgpack_sbuffer_destroy(&sb);
}

Test(msgpack, topic)
{
    char b[64];
    cr_expect_eq(tc_msgpack_tick_topic(b, sizeof b, "EURUSD"), 11);
    cr_expect_str_eq(b, "tick.EURUSD");
    cr_expect_eq(tc_msgpack_tick_topic(b, sizeof b, ""), -ENAMETOOLONG);
    cr_expect_eq(tc_msgpack_tick_topic(b, sizeof b, "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"), -ENAMETOOLONG);
    cr_expect_eq(tc_msgpack_tick_topic(b, 8, "EURUSD"), -ENOSPC);
}

Test(msgpack, decode_does_not_allocate)
{
    if (!TC_COUNT_ALLOCS)
        cr_skip_test("sanitizer build: malloc is interposed by the sanitizer");
#if TC_COUNT_ALLOCS
    /* a good message, a hostile header and a big unknown array, many times */
    static char big[3000];
    size_t nb = 0;
    big[nb++] = (char)0x82;
    memcpy(big + nb, "\xa1v\x01\xa1z\xdc\x0a\x00", 8); /* "z": array16 of 2560 nils */
    nb += 8;
    memset(big + nb, 0xc0, 2560);
    nb += 2560;
    tc_msgpack_tick_msg_t m;
    int why, ok = 0;
    counting = 1;
    for (int i = 0; i < 5000; i++) {
        ok += tc_msgpack_tick_decode(dec, py_trade, sizeof py_trade, &m, &why) == 0;
        tc_msgpack_tick_decode(dec, "\xdd\xff\xff\xff\xff", 5, &m, &why);
        tc_msgpack_tick_decode(dec, big, nb, &m, &why);
    }
    counting = 0;
    cr_expect_eq(ok, 5000);
    cr_expect_eq(n_alloc, 0, "%ld allocations in 15000 decodes", n_alloc);
#endif
}

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

Test(msgpack, seeded_damage_never_crashes)
{
    /* real-looking messages of every kind, each damaged 4000 times */
    tc_tick_t t[5];
    memset(t, 0, sizeof t);
    for (int k = 0; k < 5; k++) {
        t[k].kind = (uint8_t)(k + 1);
        t[k].ts_event = 1582329602150000000LL + k;
        t[k].ts_recv = t[k].ts_event + 271536000;
        for (int j = 0; j < 5; j++)
            t[k].v[j] = 100000 + 77 * j;
        t[k].px_exp = -2;
        t[k].qty_exp = -3;
        t[k].flags = TC_TICK_SIDE_SELL | TC_TICK_SUSPICIOUS;
        t[k].venue = 'P';
        t[k].cond = TC_COND_SWEEP;
    }
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    long accepted = 0, by_reason[TC_MSGPACK_TICK_REJ_MAX] = {0};
    for (int k = 0; k < 5; k++) {
        msgpack_sbuffer_clear(&sb);
        cr_assert_eq(tc_msgpack_tick_encode(&pk, &t[k], "GCZ3", 42, 1), 0);
        for (int trial = 0; trial < 4000; trial++) {
            unsigned char b[512];
            size_t n = sb.size;
            memcpy(b, sb.data, n);
            int edits = 1 + (int)(rng(&s) % 3);
            for (int e = 0; e < edits; e++) {
                switch (rng(&s) % 4) {
                case 0: b[rng(&s) % n] ^= (unsigned char)(1u << (rng(&s) % 8)); break;
                case 1: b[rng(&s) % n] = (unsigned char)rng(&s); break;
                case 2: n = 1 + rng(&s) % n; break;
                case 3: if (n < sizeof b) b[n++] = (unsigned char)rng(&s); break;
                }
            }
            tc_msgpack_tick_msg_t m;
            int why = -1;
            int r = tc_msgpack_tick_decode(dec, b, n, &m, &why);
            if (r == 0) {
                accepted++;
                cr_assert(m.tick.kind >= TC_TICK_TRADE && m.tick.kind <= TC_TICK_BAR);
                cr_assert(m.sym[0] && strlen(m.sym) < TC_SYMBOL_NAME_MAX);
                cr_assert(m.tick.px_exp >= -18 && m.tick.px_exp <= 18);
            } else {
                cr_assert_eq(r, -EPROTO);
                cr_assert(why >= 0 && why < TC_MSGPACK_TICK_REJ_MAX);
                by_reason[why]++;
            }
        }
    }
    msgpack_sbuffer_destroy(&sb);
    cr_log_info("damage: %ld accepted, msgpack %ld, version %ld, missing %ld, type %ld, range %ld, kind %ld",
                accepted, by_reason[1], by_reason[2], by_reason[3], by_reason[4], by_reason[5], by_reason[6]);
    /* the damage is varied enough to reach most reasons, and some edits are harmless */
    cr_expect_gt(accepted, 0);
    for (int r = TC_MSGPACK_TICK_REJ_MSGPACK; r <= TC_MSGPACK_TICK_REJ_KIND; r++)
        cr_expect_gt(by_reason[r], 0, "no damage gave reason %s", tc_msgpack_tick_reject_name(r));
}
