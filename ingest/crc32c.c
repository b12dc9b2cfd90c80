/* crc32c.c — CRC-32C over byte buffers: the SSE4.2 crc32 instruction where the CPU has
 * it (chosen once, at first use), and a slicing-by-8 table otherwise.
 *
 * Both produce the standard CRC-32C (init ~0, reflected, final xor ~0); the caller sees
 * the pre/post inversion hidden so calls chain.  The hardware path runs three
 * independent crc32 streams over thirds of a large buffer and joins them with a
 * "shift by n zero bytes" operator, because one stream is latency-bound (3 cycles per
 * 8 bytes) while three keep the unit busy; the join is the standard GF(2) matrix method
 * (zlib's crc32_combine), here precomputed for the fixed stripe length.
 */
#include "ingest/crc32c.h"

#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#define POLY 0x82F63B78u

static uint32_t crc_table[8][256];
static atomic_int crc_table_ready;

static void crc_table_build(void)
{
    if (atomic_load_explicit(&crc_table_ready, memory_order_acquire))
        return;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (POLY & (0u - (c & 1u)));
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
    /* Racing builders write identical values, so a duplicate build is harmless. */
    atomic_store_explicit(&crc_table_ready, 1, memory_order_release);
}

static uint32_t crc_sw_raw(uint32_t c, const uint8_t *p, size_t n)
{
    while (n && ((uintptr_t)p & 7)) {
        c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xff];
        n--;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= c;
        c = crc_table[7][w & 0xff] ^ crc_table[6][(w >> 8) & 0xff] ^ crc_table[5][(w >> 16) & 0xff] ^
            crc_table[4][(w >> 24) & 0xff] ^ crc_table[3][(w >> 32) & 0xff] ^
            crc_table[2][(w >> 40) & 0xff] ^ crc_table[1][(w >> 48) & 0xff] ^ crc_table[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--)
        c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xff];
    return c;
}

uint32_t tc_crc32c_sw(uint32_t crc, const void *p, size_t n)
{
    crc_table_build();
    return ~crc_sw_raw(~crc, p, n);
}

#if defined(__x86_64__)

/* Stripe length of the three-way path; buffers shorter than 3 stripes use one stream. */
#define STRIPE 4096

/* shift_tab[k][b]: the CRC register after feeding STRIPE zero bytes, as a linear map
 * applied to the register byte by byte (4 tables of 256). */
static uint32_t shift_tab[4][256];
static atomic_int hw_state; /* 0 unknown, 1 hardware, 2 software */

/* GF(2) 32x32 matrix times vector. */
static uint32_t gf2_times(const uint32_t *mat, uint32_t vec)
{
    uint32_t sum = 0;
    for (int i = 0; vec; i++, vec >>= 1)
        if (vec & 1)
            sum ^= mat[i];
    return sum;
}

static void gf2_square(uint32_t *sq, const uint32_t *mat)
{
    for (int i = 0; i < 32; i++)
        sq[i] = gf2_times(mat, mat[i]);
}

/* Builds the operator "append STRIPE zero bytes" and tabulates it. */
static void shift_tab_build(void)
{
    uint32_t odd[32], even[32], op[32];
    /* odd: one zero bit */
    odd[0] = POLY;
    for (int i = 1; i < 32; i++)
        odd[i] = 1u << (i - 1);
    gf2_square(even, odd); /* 2 bits */
    gf2_square(odd, even); /* 4 bits */
    gf2_square(even, odd); /* 1 byte */
    /* op = identity, then multiply by 2^k-byte powers per bit of STRIPE */
    for (int i = 0; i < 32; i++)
        op[i] = 1u << i;
    uint32_t *cur = even, *nxt = odd;
    for (unsigned len = STRIPE; len; len >>= 1) {
        if (len & 1) {
            uint32_t tmp[32];
            for (int i = 0; i < 32; i++)
                tmp[i] = gf2_times(cur, op[i]);
            memcpy(op, tmp, sizeof tmp);
        }
        gf2_square(nxt, cur);
        uint32_t *t = cur;
        cur = nxt;
        nxt = t;
    }
    for (int k = 0; k < 4; k++)
        for (uint32_t b = 0; b < 256; b++)
            shift_tab[k][b] = gf2_times(op, b << (8 * k));
}

static inline uint32_t crc_shift(uint32_t c)
{
    return shift_tab[0][c & 0xff] ^ shift_tab[1][(c >> 8) & 0xff] ^ shift_tab[2][(c >> 16) & 0xff] ^
           shift_tab[3][c >> 24];
}

__attribute__((target("sse4.2"))) static uint32_t crc_hw_raw(uint32_t c, const uint8_t *p, size_t n)
{
    uint64_t c0 = c;
    while (n && ((uintptr_t)p & 7)) {
        c0 = _mm_crc32_u8((uint32_t)c0, *p++);
        n--;
    }
    while (n >= 3 * STRIPE) {
        uint64_t c1 = 0, c2 = 0;
        const uint8_t *p1 = p + STRIPE, *p2 = p + 2 * STRIPE;
        for (size_t i = 0; i < STRIPE; i += 8) {
            uint64_t w0, w1, w2;
            memcpy(&w0, p + i, 8);
            memcpy(&w1, p1 + i, 8);
            memcpy(&w2, p2 + i, 8);
            c0 = _mm_crc32_u64(c0, w0);
            c1 = _mm_crc32_u64(c1, w1);
            c2 = _mm_crc32_u64(c2, w2);
        }
        /* crc(A|B) = shift(crc(A)) ^ crc0(B) where crc0 starts from a zero register. */
        c0 = crc_shift(crc_shift((uint32_t)c0) ^ (uint32_t)c1) ^ (uint32_t)c2;
        p += 3 * STRIPE;
        n -= 3 * STRIPE;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c0 = _mm_crc32_u64(c0, w);
        p += 8;
        n -= 8;
    }
    while (n--)
        c0 = _mm_crc32_u8((uint32_t)c0, *p++);
    return (uint32_t)c0;
}

int tc_crc32c_hw(void)
{
    int s = atomic_load_explicit(&hw_state, memory_order_acquire);
    if (s == 0) {
        __builtin_cpu_init();
        s = __builtin_cpu_supports("sse4.2") ? 1 : 2;
        if (s == 1)
            shift_tab_build();
        else
            crc_table_build();
        /* Publishes shift_tab/crc_table; pairs with the acquire load above. */
        atomic_store_explicit(&hw_state, s, memory_order_release);
    }
    return s == 1;
}

uint32_t tc_crc32c(uint32_t crc, const void *p, size_t n)
{
    if (tc_crc32c_hw())
        return ~crc_hw_raw(~crc, p, n);
    return ~crc_sw_raw(~crc, p, n);
}

#else

int tc_crc32c_hw(void) { return 0; }

uint32_t tc_crc32c(uint32_t crc, const void *p, size_t n) { return tc_crc32c_sw(crc, p, n); }

#endif
