/* decimal.c — the out-of-line parts of decimal.h: decimal formatting (the inverse of
 * tc_dec_parse, used by the text exporter) and proleptic Gregorian calendar arithmetic
 * (days from civil date and back, Howard Hinnant's well-known era decomposition).
 * Time zones live in tz.c. */
#include "ingest/decimal.h"

#include <string.h>

int tc_dec_fmt(char *buf, int64_t m, int exp)
{
    char tmp[24];
    int n = 0, len = 0;
    uint64_t u = m < 0 ? (uint64_t)0 - (uint64_t)m : (uint64_t)m;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (m < 0)
        buf[len++] = '-';
    if (exp >= 0) {
        while (n)
            buf[len++] = tmp[--n];
        for (int i = 0; i < exp && i < 18; i++)
            buf[len++] = '0';
        return len;
    }
    int dec = -exp > 18 ? 18 : -exp;
    if (n <= dec) { /* 0.000ddd */
        buf[len++] = '0';
        buf[len++] = '.';
        for (int i = n; i < dec; i++)
            buf[len++] = '0';
        while (n)
            buf[len++] = tmp[--n];
        return len;
    }
    while (n > dec)
        buf[len++] = tmp[--n];
    buf[len++] = '.';
    while (n)
        buf[len++] = tmp[--n];
    return len;
}

int64_t tc_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tc_civil_from_days(int64_t z, int *ret_y, int *ret_m, int *ret_d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    const int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *ret_y = (int)(yoe + era * 400 + (m <= 2));
    *ret_m = m;
    *ret_d = d;
}

int tc_date_check(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        return -EINVAL;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[m - 1] + (m == 2 && leap);
    return d <= max ? 0 : -EINVAL;
}

/* Dates in tick files must fit int64 nanoseconds (1677-09-21 .. 2262-04-11); the
 * parsers keep to whole years well inside that, so day * ns-per-day never overflows. */
#define YEAR_MIN 1700
#define YEAR_MAX 2250

int tc_date_parse_ymd8(const char *s, int64_t *ret_days)
{
    int y = tc_dec_digits(s, 4), m = tc_dec_digits(s + 4, 2), d = tc_dec_digits(s + 6, 2);
    if (y < YEAR_MIN || y > YEAR_MAX || m < 0 || d < 0 || tc_date_check(y, m, d) < 0)
        return -EINVAL;
    *ret_days = tc_days_from_civil(y, m, d);
    return 0;
}

int tc_date_parse_iso(const char *s, int64_t *ret_days)
{
    if (s[4] != '-' || s[7] != '-')
        return -EINVAL;
    int y = tc_dec_digits(s, 4), m = tc_dec_digits(s + 5, 2), d = tc_dec_digits(s + 8, 2);
    if (y < YEAR_MIN || y > YEAR_MAX || m < 0 || d < 0 || tc_date_check(y, m, d) < 0)
        return -EINVAL;
    *ret_days = tc_days_from_civil(y, m, d);
    return 0;
}
