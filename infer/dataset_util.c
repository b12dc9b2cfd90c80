/* dataset_util.c — small helpers of dataset.h: the SHA-256 of an input file (its
 * provenance in a model's train_files) and UTC time parsing/formatting for --from/--to
 * and train_range.  SHA-256 follows FIPS 180-4; the tests check it against sha256sum.
 */
#include "infer/dataset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/runtime/err.h"

typedef struct sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes hashed */
    uint8_t buf[64];
    int fill;
} sha256_t;

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

static inline uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

static void sha256_init(sha256_t *s)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
    s->fill = 0;
}

static void sha256_update(sha256_t *s, const uint8_t *p, size_t n)
{
    s->len += n;
    while (n > 0) {
        size_t k = 64 - (size_t)s->fill < n ? 64 - (size_t)s->fill : n;
        memcpy(s->buf + s->fill, p, k);
        s->fill += (int)k;
        p += k;
        n -= k;
        if (s->fill == 64) {
            sha256_block(s->h, s->buf);
            s->fill = 0;
        }
    }
}

static void sha256_final(sha256_t *s, char hex[65])
{
    uint64_t bits = s->len * 8;
    uint8_t pad[72] = {0x80};
    size_t padlen = (s->fill < 56 ? 56 : 120) - (size_t)s->fill;
    for (int i = 0; i < 8; i++)
        pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_update(s, pad, padlen + 8);
    for (int i = 0; i < 8; i++)
        snprintf(hex + 8 * i, 9, "%08x", s->h[i]);
}

int tc_dataset_file_sha256(char hex[65], const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return TC_ERR(-errno, "%s: %s", path, strerror(errno));
    sha256_t s;
    sha256_init(&s);
    uint8_t buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&s, buf, n);
    int err = ferror(f);
    fclose(f);
    if (err)
        return TC_ERR(-EIO, "%s: read error", path);
    sha256_final(&s, hex);
    return 0;
}

int tc_dataset_time_parse(int64_t *ret_ns, const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end != s && *end == '\0' && errno == 0 && (end - s) > 8) { /* a bare ns count */
        *ret_ns = v;
        return 0;
    }
    int Y, M, D, h = 0, m = 0, n = 0;
    double sec = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &Y, &M, &D, &n) != 3)
        goto bad;
    const char *p = s + n;
    if (*p == 'T' || *p == ' ') {
        int k = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &m, &k) != 2)
            goto bad;
        p += 1 + k;
        if (*p == ':') {
            char *e;
            sec = strtod(p + 1, &e);
            if (e == p + 1)
                goto bad;
            p = e;
        }
    }
    if (*p == 'Z')
        p++;
    if (*p || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec < 0 || sec >= 61)
        goto bad;
    struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m};
    time_t t = timegm(&tm);
    long long whole = (long long)sec;
    *ret_ns = ((int64_t)t + whole) * 1000000000LL + (int64_t)((sec - (double)whole) * 1e9 + 0.5);
    return 0;
bad:
    return TC_ERR(-EINVAL, "\"%s\" is not a time (ns since the epoch or YYYY-MM-DDTHH:MM:SSZ)", s);
}

void tc_dataset_time_format(char *buf, size_t len, int64_t ns)
{
    int64_t sec = ns / 1000000000LL, frac = ns % 1000000000LL;
    if (frac < 0)
        frac += 1000000000LL, sec--;
    time_t t = (time_t)sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    if (frac)
        snprintf(buf, len, "%s.%09lldZ", date, (long long)frac);
    else
        snprintf(buf, len, "%sZ", date);
}
