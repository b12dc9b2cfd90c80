/* decimal.h — exact, allocation-free scanning of the numbers and dates in tick files.
 *
 * Prices are kept as the source wrote them: "1.38626" is mantissa 138626, exponent -5;
 * "1300.8" is 13008, -1 (trailing zeros are precision, so "1.121200" stays 1121200, -6).
 * No strtod, no locale: the scanners are inline because they run once per field on
 * the import hot path.  Every scanner takes [s, e) and returns 0 or a negative errno
 * (-EINVAL malformed, -ERANGE too many digits); out-parameters are untouched on error.
 */
#ifndef TC_INGEST_DECIMAL_H
#define TC_INGEST_DECIMAL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "shm/records.h"

#define TC_DEC_DIGITS_MAX 18 /* significant digits that always fit an int64 mantissa */

/* [-]digits[.digits]: a digit first, at most 18 significant digits (leading zeros are
 * free, so "0.000000000000000001" fits). */
static inline int tc_dec_parse(const char *s, const char *e, int64_t *ret_m, int *ret_exp)
{
    int neg = 0;
    if (s < e && *s == '-') {
        neg = 1;
        s++;
    }
    if (s == e || (unsigned)(unsigned char)*s - '0' >= 10)
        return -EINVAL;
    uint64_t m = 0;
    int sig = 0, frac = -1;
    for (; s < e; s++) {
        unsigned d = (unsigned)(unsigned char)*s - '0';
        if (d < 10) {
            m = m * 10 + d;
            sig += m != 0;
            if (frac >= 0)
                frac++;
            if (sig > TC_DEC_DIGITS_MAX)
                return -ERANGE;
        } else if (*s == '.' && frac < 0) {
            frac = 0;
        } else {
            return -EINVAL;
        }
    }
    if (frac == 0)
        return -EINVAL; /* "5." is not a number we accept */
    if (frac > 18)
        return -ERANGE; /* the exponent must stay within 10^-18 */
    *ret_m = neg ? -(int64_t)m : (int64_t)m;
    *ret_exp = frac > 0 ? -frac : 0;
    return 0;
}

/* [-]digits, any value of int64 (up to 19 digits: nanosecond epoch times need them). */
static inline int tc_dec_parse_int(const char *s, const char *e, int64_t *ret)
{
    int neg = 0;
    if (s < e && *s == '-') {
        neg = 1;
        s++;
    }
    if (s == e || e - s > 19)
        return s == e ? -EINVAL : -ERANGE;
    uint64_t m = 0; /* 19 digits always fit a uint64 */
    for (; s < e; s++) {
        unsigned d = (unsigned)(unsigned char)*s - '0';
        if (d >= 10)
            return -EINVAL;
        m = m * 10 + d;
    }
    if (m > (uint64_t)INT64_MAX + (uint64_t)neg)
        return -ERANGE;
    *ret = neg ? (int64_t)(0 - m) : (int64_t)m;
    return 0;
}

/* Unsigned hexadecimal without "0x", at most 16 digits (Lean condition masks). */
static inline int tc_dec_parse_hex(const char *s, const char *e, uint64_t *ret)
{
    if (s == e || e - s > 16)
        return s == e ? -EINVAL : -ERANGE;
    uint64_t v = 0;
    for (; s < e; s++) {
        unsigned c = (unsigned char)*s, d;
        if (c - '0' < 10)
            d = c - '0';
        else if ((c | 0x20) - 'a' < 6)
            d = (c | 0x20) - 'a' + 10;
        else
            return -EINVAL;
        v = v << 4 | d;
    }
    *ret = v;
    return 0;
}

/* Exactly n digits at s (no sign); returns the value or -1. */
static inline int tc_dec_digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d >= 10)
            return -1;
        v = v * 10 + (int)d;
    }
    return v;
}

/* m * 10^(from_exp - to_exp) for to_exp <= from_exp, checking overflow; -ERANGE if it
 * does not fit. */
static inline int tc_dec_rescale(int64_t m, int from_exp, int to_exp, int64_t *ret)
{
    int k = from_exp - to_exp;
    if (k < 0 || k > 18)
        return -ERANGE;
    int64_t r;
    if (__builtin_mul_overflow(m, tc_pow10_i64[k], &r))
        return -ERANGE;
    *ret = r;
    return 0;
}

/* Brings two decimals to the smaller (finer) exponent; -ERANGE on overflow. */
static inline int tc_dec_align2(int64_t *a, int *ea, int64_t *b, int *eb)
{
    if (*ea == *eb)
        return 0;
    if (*ea < *eb) {
        int r = tc_dec_rescale(*b, *eb, *ea, b);
        if (r < 0)
            return r;
        *eb = *ea;
    } else {
        int r = tc_dec_rescale(*a, *ea, *eb, a);
        if (r < 0)
            return r;
        *ea = *eb;
    }
    return 0;
}

/* Writes m * 10^exp in plain decimal with exactly max(0, -exp) decimals (no NUL);
 * returns the length (at most 41).  exp > 0 appends zeros. */
int tc_dec_fmt(char *buf, int64_t m, int exp);

/* ---- calendar ------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date.  This function can't fail. */
int64_t tc_days_from_civil(int y, int m, int d);
/* The date of a day number.  This function can't fail. */
void tc_civil_from_days(int64_t days, int *ret_y, int *ret_m, int *ret_d);
/* 0 if y-m-d is a real date (1..9999). */
int tc_date_check(int y, int m, int d);
/* 0 = Sunday ... 6 = Saturday. */
static inline int tc_weekday(int64_t days) { return (int)(((days % 7) + 11) % 7); }

/* "YYYYMMDD" at s (8 chars) → days since epoch; -EINVAL if not a real date or outside
 * 1700..2250 (int64 nanoseconds must hold every time of the day). */
int tc_date_parse_ymd8(const char *s, int64_t *ret_days);
/* "YYYY-MM-DD" at s (10 chars) → days since epoch; same rules. */
int tc_date_parse_iso(const char *s, int64_t *ret_days);

#endif
