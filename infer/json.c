/* json.c — the strict JSON cursor of json.h (RFC 8259 grammar: no comments, no
 * trailing commas, no NaN, no leading zeros, UTF-8 in strings kept as it is).  It
 * reads untrusted headers, so every branch bounds-checks against the end and nesting
 * is limited to TC_JSON_MAX_DEPTH. */
#include "infer/json.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"

#define JERR(j, ...) json_err((j), __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 4, 5)))
static int json_err(const tc_json_t *j, const char *file, int line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tc_err_set(-EBADMSG, file, line, "JSON offset %zu: %s", tc_json_offset(j), msg);
}

void tc_json_init(tc_json_t *j, const char *s, size_t n)
{
    j->start = j->p = s;
    j->end = s + n;
    j->depth = 0;
}

static void ws(tc_json_t *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

int tc_json_peek(tc_json_t *j)
{
    ws(j);
    return j->p < j->end ? (unsigned char)*j->p : -1;
}

int tc_json_expect(tc_json_t *j, char c)
{
    int got = tc_json_peek(j);
    if (got != c) {
        if (got < 0)
            return JERR(j, "expected '%c', found the end", c);
        return JERR(j, "expected '%c', found '%c'", c, got);
    }
    j->p++;
    return 0;
}

int tc_json_member(tc_json_t *j, int *first, char *key, size_t cap)
{
    int c = tc_json_peek(j);
    if (c == '}') {
        /* A trailing comma never gets here: the ',' branch below demands a key. */
        j->p++;
        return 0;
    }
    if (!*first) {
        if (c != ',')
            return c < 0 ? JERR(j, "unterminated object") : JERR(j, "expected ',' or '}'");
        j->p++;
    }
    *first = 0;
    int r = tc_json_string(j, key, cap);
    if (r < 0)
        return r;
    r = tc_json_expect(j, ':');
    return r < 0 ? r : 1;
}

int tc_json_element(tc_json_t *j, int *first)
{
    int c = tc_json_peek(j);
    if (c == ']' && *first) {
        j->p++;
        return 0;
    }
    if (!*first) {
        if (c == ']') {
            j->p++;
            return 0;
        }
        if (c != ',')
            return c < 0 ? JERR(j, "unterminated array") : JERR(j, "expected ',' or ']'");
        j->p++;
        if (tc_json_peek(j) == ']')
            return JERR(j, "trailing comma in array");
    }
    *first = 0;
    return 1;
}

static int hex4(tc_json_t *j, unsigned *ret)
{
    if (j->end - j->p < 4)
        return JERR(j, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *j->p++;
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return JERR(j, "bad hex digit in \\u escape");
    }
    *ret = v;
    return 0;
}

int tc_json_string(tc_json_t *j, char *buf, size_t cap)
{
    int r = tc_json_expect(j, '"');
    if (r < 0)
        return r;
    size_t n = 0;
    for (;;) {
        if (j->p >= j->end)
            return JERR(j, "unterminated string");
        unsigned char c = (unsigned char)*j->p++;
        if (c == '"')
            break;
        if (c < 0x20)
            return JERR(j, "control character 0x%02x in string", c);
        char tmp[4];
        size_t k = 0;
        if (c != '\\') {
            tmp[k++] = (char)c;
        } else {
            if (j->p >= j->end)
                return JERR(j, "unterminated escape");
            char e = *j->p++;
            switch (e) {
            case '"': tmp[k++] = '"'; break;
            case '\\': tmp[k++] = '\\'; break;
            case '/': tmp[k++] = '/'; break;
            case 'b': tmp[k++] = '\b'; break;
            case 'f': tmp[k++] = '\f'; break;
            case 'n': tmp[k++] = '\n'; break;
            case 'r': tmp[k++] = '\r'; break;
            case 't': tmp[k++] = '\t'; break;
            case 'u': {
                unsigned u;
                if ((r = hex4(j, &u)) < 0)
                    return r;
                if (u >= 0xDC00 && u <= 0xDFFF)
                    return JERR(j, "lone low surrogate in string");
                if (u >= 0xD800 && u <= 0xDBFF) {
                    unsigned lo;
                    if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
                        return JERR(j, "lone high surrogate in string");
                    j->p += 2;
                    if ((r = hex4(j, &lo)) < 0)
                        return r;
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return JERR(j, "bad surrogate pair in string");
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                }
                if (u == 0)
                    return JERR(j, "\\u0000 in string");
                if (u < 0x80) {
                    tmp[k++] = (char)u;
                } else if (u < 0x800) {
                    tmp[k++] = (char)(0xC0 | (u >> 6));
                    tmp[k++] = (char)(0x80 | (u & 0x3F));
                } else if (u < 0x10000) {
                    tmp[k++] = (char)(0xE0 | (u >> 12));
                    tmp[k++] = (char)(0x80 | ((u >> 6) & 0x3F));
                    tmp[k++] = (char)(0x80 | (u & 0x3F));
                } else {
                    tmp[k++] = (char)(0xF0 | (u >> 18));
                    tmp[k++] = (char)(0x80 | ((u >> 12) & 0x3F));
                    tmp[k++] = (char)(0x80 | ((u >> 6) & 0x3F));
                    tmp[k++] = (char)(0x80 | (u & 0x3F));
                }
                break;
            }
            default:
                return JERR(j, "bad escape '\\%c' in string", e);
            }
        }
        if (n + k + 1 > cap)
            return JERR(j, "string longer than %zu bytes", cap - 1);
        memcpy(buf + n, tmp, k);
        n += k;
    }
    buf[n] = '\0';
    return 0;
}

/* Scans the JSON number grammar; *ret_int says whether it had no fraction/exponent. */
static int scan_number(tc_json_t *j, const char **ret_begin, int *ret_int)
{
    ws(j);
    const char *s = j->p, *p = s;
    int integral = 1;
    if (p < j->end && *p == '-')
        p++;
    if (p >= j->end || *p < '0' || *p > '9')
        return JERR(j, "expected a number");
    if (*p == '0') {
        p++;
        if (p < j->end && *p >= '0' && *p <= '9')
            return JERR(j, "leading zero in number");
    } else {
        while (p < j->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < j->end && *p == '.') {
        integral = 0;
        p++;
        if (p >= j->end || *p < '0' || *p > '9')
            return JERR(j, "digit expected after '.'");
        while (p < j->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < j->end && (*p == 'e' || *p == 'E')) {
        integral = 0;
        p++;
        if (p < j->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= j->end || *p < '0' || *p > '9')
            return JERR(j, "digit expected in exponent");
        while (p < j->end && *p >= '0' && *p <= '9')
            p++;
    }
    *ret_begin = s;
    *ret_int = integral;
    j->p = p;
    return 0;
}

int tc_json_int(tc_json_t *j, long long min, long long max, long long *ret)
{
    const char *s;
    int integral, r = scan_number(j, &s, &integral);
    if (r < 0)
        return r;
    if (!integral) {
        j->p = s;
        return JERR(j, "expected an integer");
    }
    /* Accumulate with an overflow check; the text is digits only. */
    int neg = *s == '-';
    unsigned long long v = 0;
    for (const char *p = s + neg; p < j->p; p++) {
        if (v > (ULLONG_MAX - 9) / 10) {
            j->p = s;
            return JERR(j, "integer too large");
        }
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (v > (unsigned long long)LLONG_MAX) {
        j->p = s;
        return JERR(j, "integer too large");
    }
    long long x = neg ? -(long long)v : (long long)v;
    if (x < min || x > max) {
        j->p = s;
        return JERR(j, "integer %lld out of range %lld..%lld", x, min, max);
    }
    *ret = x;
    return 0;
}

int tc_json_number(tc_json_t *j, double *ret)
{
    const char *s;
    int integral, r = scan_number(j, &s, &integral);
    if (r < 0)
        return r;
    char tmp[64];
    size_t n = (size_t)(j->p - s);
    if (n >= sizeof tmp) {
        j->p = s;
        return JERR(j, "number too long");
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    *ret = strtod(tmp, NULL);
    return 0;
}

static int skip_literal(tc_json_t *j, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
        return JERR(j, "unexpected character '%c'", *j->p);
    j->p += n;
    return 0;
}

int tc_json_skip(tc_json_t *j)
{
    int c = tc_json_peek(j), r, first = 1;
    char key[1024];
    switch (c) {
    case -1:
        return JERR(j, "expected a value, found the end");
    case '"':
        /* Strings may be long (a metadata value): walk them without copying. */
        j->p++;
        while (j->p < j->end && *j->p != '"') {
            if ((unsigned char)*j->p < 0x20)
                return JERR(j, "control character in string");
            if (*j->p == '\\')
                j->p++;
            j->p++;
        }
        if (j->p >= j->end)
            return JERR(j, "unterminated string");
        j->p++;
        return 0;
    case '{':
    case '[':
        if (++j->depth > TC_JSON_MAX_DEPTH)
            return JERR(j, "nesting deeper than %d", TC_JSON_MAX_DEPTH);
        j->p++;
        if (c == '{') {
            while ((r = tc_json_member(j, &first, key, sizeof key)) == 1)
                if ((r = tc_json_skip(j)) < 0)
                    return r;
        } else {
            while ((r = tc_json_element(j, &first)) == 1)
                if ((r = tc_json_skip(j)) < 0)
                    return r;
        }
        j->depth--;
        return r;
    case 't':
        return skip_literal(j, "true");
    case 'f':
        return skip_literal(j, "false");
    case 'n':
        return skip_literal(j, "null");
    default: {
        double d;
        return tc_json_number(j, &d);
    }
    }
}

int tc_json_finish(tc_json_t *j)
{
    if (tc_json_peek(j) != -1)
        return JERR(j, "trailing characters after the value");
    return 0;
}

int tc_json_quote(char *out, size_t cap, size_t *len, const char *s)
{
    size_t n = *len;
#define PUT(ch)                  \
    do {                         \
        if (n + 1 >= cap)        \
            return -ENOSPC;      \
        out[n++] = (char)(ch);   \
    } while (0)
    PUT('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            PUT('\\');
            PUT(*p);
        } else if (*p < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            for (char *e = esc; *e; e++)
                PUT(*e);
        } else {
            PUT(*p);
        }
    }
    PUT('"');
#undef PUT
    out[n] = '\0';
    *len = n;
    return 0;
}
