/* msgpack_tick.c — encoding and decoding one live-feed tick message (msgpack_tick.h).
 * docs/PROTOCOL.md, "Live tick feed (ingest)", is the reference for every key, type and
 * unit; this file does not deal with sockets (zmqfeed.c does).
 *
 * Decoding is msgpack-c's msgpack_unpack into a zone owned by the decoder.  msgpack-c
 * sizes a container from its header before reading a single element, so five hostile
 * bytes (an array32 header) would ask for 96 GB.  A pre-scan therefore walks the
 * message first and checks that every container announces no more elements than bytes
 * are left (each element takes at least one).  The zone can then never need more than
 * len * sizeof(msgpack_object), and the chunk allocated at create covers that for the
 * longest accepted message: decoding never allocates.
 */
#include "ingest/msgpack_tick.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"

struct tc_msgpack_tick_dec {
    msgpack_zone zone;
};

/* Every object of a message takes at least one byte, so this bounds the zone. */
#define ZONE_BYTES (TC_MSGPACK_TICK_MAX * sizeof(msgpack_object) + 4096)

tc_msgpack_tick_dec_t *tc_msgpack_tick_dec_create(void)
{
    tc_msgpack_tick_dec_t *d = calloc(1, sizeof *d);
    if (!d) {
        TC_ERR(-ENOMEM, "msgpack decoder: out of memory");
        return NULL;
    }
    if (!msgpack_zone_init(&d->zone, ZONE_BYTES)) {
        free(d);
        TC_ERR(-ENOMEM, "msgpack decoder: out of memory for the zone");
        return NULL;
    }
    return d;
}

void tc_msgpack_tick_dec_destroy(tc_msgpack_tick_dec_t *d)
{
    if (!d)
        return;
    msgpack_zone_destroy(&d->zone);
    free(d);
}

const char *tc_msgpack_tick_reject_name(int r)
{
    static const char *const n[TC_MSGPACK_TICK_REJ_MAX] = {
        "frames", "msgpack", "version", "missing", "type", "range", "kind", "long", "topic", "symbols"};
    return r >= 0 && r < TC_MSGPACK_TICK_REJ_MAX ? n[r] : "?";
}

/* ---- pre-scan ------------------------------------------------------------------------ */

static uint32_t be(const uint8_t *p, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* 0 if buf[0..n) is exactly one msgpack object whose containers each announce at most
 * as many elements as bytes remain; else -EPROTO with the offset on the error stack. */
static int prescan(const uint8_t *p, size_t n)
{
    size_t off = 0;
    uint64_t pending = 1; /* objects still to read */
    while (pending > 0) {
        if (off >= n)
            return TC_ERR(-EPROTO, "msgpack ends early at byte %zu of %zu", off, n);
        pending--;
        uint8_t b = p[off++];
        uint64_t skip = 0, elems = 0; /* payload bytes, contained objects */
        int hdr = 0;                  /* length bytes after the type byte */
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
            /* fixint, nil, bool */
        } else if (b <= 0x8f) {
            elems = 2u * (b & 0x0f);
        } else if (b <= 0x9f) {
            elems = b & 0x0f;
        } else if (b <= 0xbf) {
            skip = b & 0x1f;
        } else {
            switch (b) {
            case 0xc4: case 0xd9: hdr = 1; break;            /* bin8, str8 */
            case 0xc5: case 0xda: hdr = 2; break;            /* bin16, str16 */
            case 0xc6: case 0xdb: hdr = 4; break;            /* bin32, str32 */
            case 0xc7: hdr = 1, skip = 1; break;             /* ext8: length, type */
            case 0xc8: hdr = 2, skip = 1; break;
            case 0xc9: hdr = 4, skip = 1; break;
            case 0xca: skip = 4; break;                      /* float32 */
            case 0xcb: skip = 8; break;                      /* float64 */
            case 0xcc: case 0xd0: skip = 1; break;
            case 0xcd: case 0xd1: skip = 2; break;
            case 0xce: case 0xd2: skip = 4; break;
            case 0xcf: case 0xd3: skip = 8; break;
            case 0xd4: skip = 2; break;                      /* fixext 1..16: type + data */
            case 0xd5: skip = 3; break;
            case 0xd6: skip = 5; break;
            case 0xd7: skip = 9; break;
            case 0xd8: skip = 17; break;
            case 0xdc: case 0xde: hdr = 2; break;            /* array16, map16 */
            case 0xdd: case 0xdf: hdr = 4; break;            /* array32, map32 */
            default:
                return TC_ERR(-EPROTO, "byte 0x%02x at offset %zu is not a msgpack type", b, off - 1);
            }
            if (hdr) {
                if (n - off < (size_t)hdr)
                    return TC_ERR(-EPROTO, "msgpack length cut at offset %zu", off);
                uint64_t k = be(p + off, hdr);
                off += (size_t)hdr;
                if (b == 0xdc || b == 0xdd)
                    elems = k;
                else if (b == 0xde || b == 0xdf)
                    elems = 2 * k;
                else
                    skip += k;
            }
        }
        if (skip > n - off)
            return TC_ERR(-EPROTO, "msgpack value at offset %zu runs past the end", off);
        off += (size_t)skip;
        if (elems > n - off)
            return TC_ERR(-EPROTO, "msgpack container at offset %zu announces %llu elements in %zu bytes",
                          off, (unsigned long long)elems, n - off);
        pending += elems;
    }
    if (off != n)
        return TC_ERR(-EPROTO, "%zu bytes after the msgpack map", n - off);
    return 0;
}

/* ---- keys ------------------------------------------------------------------------------- */

enum key {
    K_V, K_SYM, K_KIND, K_TS, K_TR, K_PE, K_QE, K_PX, K_SZ, K_ID, K_BID, K_ASK, K_BSZ, K_ASZ,
    K_O, K_H, K_L, K_C, K_VOL, K_SIDE, K_VENUE, K_FLAGS, K_COND, K_SEQ, K_N
};

enum ktype { T_INT, T_UINT, T_STR };

static const struct { const char *name; uint8_t len, type; } keys[K_N] = {
    [K_V] = {"v", 1, T_UINT},         [K_SYM] = {"sym", 3, T_STR},
    [K_KIND] = {"kind", 4, T_STR},    [K_TS] = {"ts", 2, T_INT},
    [K_TR] = {"tr", 2, T_INT},        [K_PE] = {"pe", 2, T_INT},
    [K_QE] = {"qe", 2, T_INT},        [K_PX] = {"px", 2, T_INT},
    [K_SZ] = {"sz", 2, T_INT},        [K_ID] = {"id", 2, T_INT},
    [K_BID] = {"bid", 3, T_INT},      [K_ASK] = {"ask", 3, T_INT},
    [K_BSZ] = {"bsz", 3, T_INT},      [K_ASZ] = {"asz", 3, T_INT},
    [K_O] = {"o", 1, T_INT},          [K_H] = {"h", 1, T_INT},
    [K_L] = {"l", 1, T_INT},          [K_C] = {"c", 1, T_INT},
    [K_VOL] = {"vol", 3, T_INT},      [K_SIDE] = {"side", 4, T_STR},
    [K_VENUE] = {"venue", 5, T_STR},  [K_FLAGS] = {"flags", 5, T_UINT},
    [K_COND] = {"cond", 4, T_UINT},   [K_SEQ] = {"seq", 3, T_UINT},
};

/* Per kind: which key fills v[i] and whether it is a size (must be >= 0); K_N = unused.
 * The id is optional (0 when absent); every other listed key is required. */
static const struct {
    const char *name;
    uint8_t kind;
    uint8_t slot[5];
    uint8_t size_mask; /* bit i: v[i] is a size */
} kinds[] = {
    {"trade", TC_TICK_TRADE, {K_PX, K_SZ, K_ID, K_N, K_N}, 0x02},
    {"quote", TC_TICK_QUOTE, {K_BID, K_ASK, K_BSZ, K_ASZ, K_ID}, 0x0c},
    {"bid", TC_TICK_BID, {K_BID, K_N, K_BSZ, K_N, K_ID}, 0x04},
    {"ask", TC_TICK_ASK, {K_N, K_ASK, K_N, K_ASZ, K_ID}, 0x08},
    {"bar", TC_TICK_BAR, {K_O, K_H, K_L, K_C, K_VOL}, 0x10},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

static int key_find(const char *s, uint32_t len)
{
    for (int k = 0; k < K_N; k++)
        if (keys[k].len == len && !memcmp(keys[k].name, s, len))
            return k;
    return -1;
}

static const char *type_name(msgpack_object_type t)
{
    switch (t) {
    case MSGPACK_OBJECT_NIL: return "nil";
    case MSGPACK_OBJECT_BOOLEAN: return "bool";
    case MSGPACK_OBJECT_POSITIVE_INTEGER: return "uint";
    case MSGPACK_OBJECT_NEGATIVE_INTEGER: return "int";
    case MSGPACK_OBJECT_FLOAT32: case MSGPACK_OBJECT_FLOAT64: return "float";
    case MSGPACK_OBJECT_STR: return "str";
    case MSGPACK_OBJECT_ARRAY: return "array";
    case MSGPACK_OBJECT_MAP: return "map";
    case MSGPACK_OBJECT_BIN: return "bin";
    case MSGPACK_OBJECT_EXT: return "ext";
    }
    return "?";
}

typedef struct vals {
    uint32_t seen;                 /* bit k: key k present */
    int64_t i[K_N];                /* T_INT keys */
    uint64_t u[K_N];               /* T_UINT keys */
    const char *s[K_N];            /* T_STR keys (into the message, not NUL-terminated) */
    uint32_t slen[K_N];
} vals_t;

/* Takes one known key's value into v, checking its msgpack type. */
static int take(vals_t *v, int k, const msgpack_object *o, int *ret_reason)
{
    if (v->seen & (1u << k)) {
        *ret_reason = TC_MSGPACK_TICK_REJ_TYPE;
        return TC_ERR(-EPROTO, "key \"%s\" repeated", keys[k].name);
    }
    switch (keys[k].type) {
    case T_INT:
        if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
            v->i[k] = o->via.i64;
        } else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
            if (o->via.u64 > (uint64_t)INT64_MAX) {
                *ret_reason = TC_MSGPACK_TICK_REJ_RANGE;
                return TC_ERR(-EPROTO, "key \"%s\": %llu does not fit an int64", keys[k].name,
                              (unsigned long long)o->via.u64);
            }
            v->i[k] = (int64_t)o->via.u64;
        } else {
            *ret_reason = TC_MSGPACK_TICK_REJ_TYPE;
            return TC_ERR(-EPROTO, "key \"%s\": expected an integer, got %s", keys[k].name,
                          type_name(o->type));
        }
        break;
    case T_UINT:
        if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
            *ret_reason = o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ? TC_MSGPACK_TICK_REJ_RANGE
                                                                      : TC_MSGPACK_TICK_REJ_TYPE;
            if (k == K_V)
                *ret_reason = TC_MSGPACK_TICK_REJ_VERSION;
            return TC_ERR(-EPROTO, "key \"%s\": expected an unsigned integer, got %s", keys[k].name,
                          type_name(o->type));
        }
        v->u[k] = o->via.u64;
        break;
    case T_STR:
        if (o->type != MSGPACK_OBJECT_STR) {
            *ret_reason = TC_MSGPACK_TICK_REJ_TYPE;
            return TC_ERR(-EPROTO, "key \"%s\": expected a string, got %s", keys[k].name,
                          type_name(o->type));
        }
        v->s[k] = o->via.str.ptr;
        v->slen[k] = o->via.str.size;
        break;
    }
    v->seen |= 1u << k;
    return 0;
}

static int need(const vals_t *v, int k, const char *kind, int *ret_reason)
{
    if (v->seen & (1u << k))
        return 0;
    *ret_reason = TC_MSGPACK_TICK_REJ_MISSING;
    return TC_ERR(-EPROTO, "key \"%s\" missing%s%s", keys[k].name, kind ? " for kind " : "",
                  kind ? kind : "");
}

static int str_is(const vals_t *v, int k, const char *lit)
{
    size_t n = strlen(lit);
    return v->slen[k] == n && !memcmp(v->s[k], lit, n);
}

static int interpret(const vals_t *v, tc_msgpack_tick_msg_t *m, int *ret_reason)
{
    int r;
    if ((r = need(v, K_SYM, NULL, ret_reason)) < 0 || (r = need(v, K_KIND, NULL, ret_reason)) < 0 ||
        (r = need(v, K_TS, NULL, ret_reason)) < 0 || (r = need(v, K_PE, NULL, ret_reason)) < 0 ||
        (r = need(v, K_QE, NULL, ret_reason)) < 0)
        return r;

    uint32_t sl = v->slen[K_SYM];
    if (sl >= TC_SYMBOL_NAME_MAX) {
        *ret_reason = TC_MSGPACK_TICK_REJ_LONG;
        return TC_ERR(-EPROTO, "symbol of %u bytes (at most %d)", sl, TC_SYMBOL_NAME_MAX - 1);
    }
    if (sl == 0) {
        *ret_reason = TC_MSGPACK_TICK_REJ_RANGE;
        return TC_ERR(-EPROTO, "empty symbol");
    }
    for (uint32_t i = 0; i < sl; i++)
        if (v->s[K_SYM][i] <= 0x20 || v->s[K_SYM][i] >= 0x7f) {
            *ret_reason = TC_MSGPACK_TICK_REJ_RANGE;
            return TC_ERR(-EPROTO, "symbol has byte 0x%02x at %u (printable ASCII only)",
                          (unsigned char)v->s[K_SYM][i], i);
        }
    memcpy(m->sym, v->s[K_SYM], sl);
    m->sym[sl] = 0;

    size_t ki = 0;
    while (ki < N_KINDS && !str_is(v, K_KIND, kinds[ki].name))
        ki++;
    if (ki == N_KINDS) {
        *ret_reason = TC_MSGPACK_TICK_REJ_KIND;
        return TC_ERR(-EPROTO, "unknown kind \"%.*s\" (trade, quote, bid, ask or bar)",
                      (int)(v->slen[K_KIND] > 32 ? 32 : v->slen[K_KIND]), v->s[K_KIND]);
    }

    tc_tick_t *t = &m->tick;
    memset(t, 0, sizeof *t);
    t->kind = kinds[ki].kind;
    t->ts_event = v->i[K_TS];
    t->ts_recv = (v->seen & (1u << K_TR)) ? v->i[K_TR] : v->i[K_TS];
    if (v->i[K_PE] < -18 || v->i[K_PE] > 18 || v->i[K_QE] < -18 || v->i[K_QE] > 18) {
        *ret_reason = TC_MSGPACK_TICK_REJ_RANGE;
        return TC_ERR(-EPROTO, "exponent pe=%lld qe=%lld (each in -18..18)", (long long)v->i[K_PE],
                      (long long)v->i[K_QE]);
    }
    t->px_exp = (int8_t)v->i[K_PE];
    t->qty_exp = (int8_t)v->i[K_QE];
    for (int i = 0; i < 5; i++) {
        int k = kinds[ki].slot[i];
        if (k == K_N)
            continue;
        if (k != K_ID && (r = need(v, k, kinds[ki].name, ret_reason)) < 0)
            return r;
        t->v[i] = (v->seen & (1u << k)) ? v->i[k] : 0;
        if ((kinds[ki].size_mask >> i & 1) && t->v[i] < 0) {
            *ret_reason = TC_MSGPACK_TICK_REJ_RANGE;
            return TC_ERR(-EPROTO, "negative size \"%s\" = %lld", keys[k].name, (long long)t->v[i]);
        }
    }

    if (v->seen & (1u << K_FLAGS)) {
        if (v->u[K_FLAGS] > 0xff || (v->u[K_FLAGS] & TC_TICK_SIDE_MASK)) {
            *ret_reason = TC_MSGPACK_TICK_REJ_RANGE;
            return TC_ERR(-EPROTO, "flags %llu (0..255, side bits 0x03 go in \"side\")",
                          (unsigned long long)v->u[K_FLAGS]);
        }
        t->flags = (uint8_t)v->u[K_FLAGS];
    }
    if (v->seen & (1u << K_SIDE)) {
        if (str_is(v, K_SIDE, "buy"))
            t->flags |= TC_TICK_SIDE_BUY;
        else if (str_is(v, K_SIDE, "sell"))
            t->flags |= TC_TICK_SIDE_SELL;
        else if (!str_is(v, K_SIDE, "unknown") && !str_is(v, K_SIDE, "")) {
            *ret_reason = TC_MSGPACK_TICK_REJ_RANGE;
            return TC_ERR(-EPROTO, "side \"%.*s\" (buy, sell or unknown)",
                          (int)(v->slen[K_SIDE] > 32 ? 32 : v->slen[K_SIDE]), v->s[K_SIDE]);
        }
    }
    if (v->seen & (1u << K_COND)) {
        if (v->u[K_COND] > 0xff) {
            *ret_reason = TC_MSGPACK_TICK_REJ_RANGE;
            return TC_ERR(-EPROTO, "cond %llu (0..255)", (unsigned long long)v->u[K_COND]);
        }
        t->cond = (uint8_t)v->u[K_COND];
    }
    if (v->seen & (1u << K_VENUE)) {
        if (v->slen[K_VENUE] > 1) {
            *ret_reason = TC_MSGPACK_TICK_REJ_LONG;
            return TC_ERR(-EPROTO, "venue of %u bytes (one venue code character, or empty)",
                          v->slen[K_VENUE]);
        }
        t->venue = v->slen[K_VENUE] ? (uint8_t)v->s[K_VENUE][0] : 0;
    }
    m->has_seq = !!(v->seen & (1u << K_SEQ));
    m->seq = m->has_seq ? v->u[K_SEQ] : 0;
    return 0;
}

int tc_msgpack_tick_decode(tc_msgpack_tick_dec_t *d, const void *buf, size_t len,
                           tc_msgpack_tick_msg_t *ret_msg, int *ret_reason)
{
    if (len > TC_MSGPACK_TICK_MAX) {
        *ret_reason = TC_MSGPACK_TICK_REJ_LONG;
        return TC_ERR(-EPROTO, "message body of %zu bytes (at most %d)", len, TC_MSGPACK_TICK_MAX);
    }
    *ret_reason = TC_MSGPACK_TICK_REJ_MSGPACK;
    int r = prescan(buf, len);
    if (r < 0)
        return r;
    msgpack_object root;
    size_t off = 0;
    msgpack_unpack_return ur = msgpack_unpack(buf, len, &off, &d->zone, &root);
    if (ur != MSGPACK_UNPACK_SUCCESS) {
        msgpack_zone_clear(&d->zone);
        return TC_ERR(-EPROTO, "msgpack-c refused the message (%d)", (int)ur);
    }
    /* Everything below reads root, which lives in the zone: clear it on every exit. */
    if (root.type != MSGPACK_OBJECT_MAP) {
        r = TC_ERR(-EPROTO, "message is a msgpack %s, not a map", type_name(root.type));
        goto out;
    }
    const msgpack_object_map *map = &root.via.map;
    if (map->size == 0 || map->ptr[0].key.type != MSGPACK_OBJECT_STR ||
        map->ptr[0].key.via.str.size != 1 || map->ptr[0].key.via.str.ptr[0] != 'v') {
        *ret_reason = TC_MSGPACK_TICK_REJ_VERSION;
        r = TC_ERR(-EPROTO, "the first key is not \"v\" (the schema version)");
        goto out;
    }
    vals_t v;
    v.seen = 0;
    /* The version is checked before any other key: a later schema may change them all. */
    if ((r = take(&v, K_V, &map->ptr[0].val, ret_reason)) < 0)
        goto out;
    if (v.u[K_V] != TC_MSGPACK_TICK_VERSION) {
        *ret_reason = TC_MSGPACK_TICK_REJ_VERSION;
        r = TC_ERR(-EPROTO, "schema version %llu (this build reads %d)", (unsigned long long)v.u[K_V],
                   TC_MSGPACK_TICK_VERSION);
        goto out;
    }
    for (uint32_t i = 1; i < map->size; i++) {
        const msgpack_object_kv *kv = &map->ptr[i];
        if (kv->key.type != MSGPACK_OBJECT_STR)
            continue; /* not a key of this schema: ignored like any unknown key */
        int k = key_find(kv->key.via.str.ptr, kv->key.via.str.size);
        if (k < 0)
            continue;
        if ((r = take(&v, k, &kv->val, ret_reason)) < 0)
            goto out;
    }
    r = interpret(&v, ret_msg, ret_reason);
out:
    msgpack_zone_clear(&d->zone);
    return r;
}

/* ---- encoding ---------------------------------------------------------------------------- */

int tc_msgpack_tick_topic(char *buf, size_t cap, const char *sym)
{
    size_t n = strlen(sym);
    if (n == 0 || n >= TC_SYMBOL_NAME_MAX)
        return TC_ERR(-ENAMETOOLONG, "symbol '%.40s' (1..%d bytes)", sym, TC_SYMBOL_NAME_MAX - 1);
    if (cap < n + 6)
        return TC_ERR(-ENOSPC, "topic buffer of %zu bytes", cap);
    memcpy(buf, TC_MSGPACK_TICK_TOPIC, 5);
    memcpy(buf + 5, sym, n + 1);
    return (int)(n + 5);
}

static int pk_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    int r = msgpack_pack_str(pk, n);
    return r ? r : msgpack_pack_str_body(pk, s, n);
}

static int pk_int(msgpack_packer *pk, const char *key, int64_t val)
{
    int r = pk_str(pk, key);
    return r ? r : msgpack_pack_int64(pk, val);
}

int tc_msgpack_tick_encode(msgpack_packer *pk, const tc_tick_t *t, const char *sym,
                           uint64_t seq, int has_seq)
{
    size_t ki = 0;
    while (ki < N_KINDS && kinds[ki].kind != t->kind)
        ki++;
    if (ki == N_KINDS)
        return TC_ERR(-EINVAL, "tick kind %u is not carried by the feed", t->kind);
    size_t sl = strlen(sym);
    if (sl == 0 || sl >= TC_SYMBOL_NAME_MAX)
        return TC_ERR(-EINVAL, "symbol '%.40s' (1..%d bytes)", sym, TC_SYMBOL_NAME_MAX - 1);

    unsigned side = t->flags & TC_TICK_SIDE_MASK, flags = t->flags & ~TC_TICK_SIDE_MASK & 0xffu;
    uint32_t n = 7; /* v sym kind ts tr pe qe */
    for (int i = 0; i < 5; i++)
        n += kinds[ki].slot[i] != K_N;
    n += side != 0;
    n += t->venue != 0;
    n += flags != 0;
    n += t->cond != 0;
    n += has_seq != 0;

    int r = msgpack_pack_map(pk, n);
    r = r ? r : pk_str(pk, "v");
    r = r ? r : msgpack_pack_uint32(pk, TC_MSGPACK_TICK_VERSION);
    r = r ? r : pk_str(pk, "sym");
    r = r ? r : pk_str(pk, sym);
    r = r ? r : pk_str(pk, "kind");
    r = r ? r : pk_str(pk, kinds[ki].name);
    r = r ? r : pk_int(pk, "ts", t->ts_event);
    r = r ? r : pk_int(pk, "tr", t->ts_recv);
    r = r ? r : pk_int(pk, "pe", t->px_exp);
    r = r ? r : pk_int(pk, "qe", t->qty_exp);
    for (int i = 0; i < 5 && !r; i++)
        if (kinds[ki].slot[i] != K_N)
            r = pk_int(pk, keys[kinds[ki].slot[i]].name, t->v[i]);
    if (side && !r) {
        r = pk_str(pk, "side");
        r = r ? r : pk_str(pk, side == TC_TICK_SIDE_BUY ? "buy" : side == TC_TICK_SIDE_SELL ? "sell" : "unknown");
    }
    if (t->venue && !r) {
        char vs[2] = {(char)t->venue, 0};
        r = pk_str(pk, "venue");
        r = r ? r : pk_str(pk, vs);
    }
    if (flags && !r) {
        r = pk_str(pk, "flags");
        r = r ? r : msgpack_pack_uint32(pk, flags);
    }
    if (t->cond && !r) {
        r = pk_str(pk, "cond");
        r = r ? r : msgpack_pack_uint32(pk, t->cond);
    }
    if (has_seq && !r) {
        r = pk_str(pk, "seq");
        r = r ? r : msgpack_pack_uint64(pk, seq);
    }
    return r ? TC_ERR(-ENOMEM, "msgpack: the packer's buffer refused the write") : 0;
}
