/* test_tz.c — time zones and decimals.  America/New_York is checked hour by hour over
 * 1970–2037 against the system tz database through libc (localtime_r with
 * TZ=America/New_York), skipped when the database is absent.  Decimal parsing and
 * formatting are checked against strtod/printf on seeded random values and edge cases. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/runtime/err.h"
#include "ingest/decimal.h"
#include "ingest/tz.h"

#define NS 1000000000LL

Test(tz, new_york_matches_tzdata)
{
    if (access("/usr/share/zoneinfo/America/New_York", R_OK) != 0)
        cr_skip_test("no tz database for America/New_York on this machine");
    setenv("TZ", "America/New_York", 1);
    tzset();
    tc_tz_t tz;
    cr_assert_eq(tc_tz_init(&tz, "America/New_York"), 0);
    long checked = 0, local_checked = 0;
    for (time_t t = 0; t < (time_t)2145916800; t += 3600) { /* 1970 → 2038, hourly */
        struct tm lt;
        localtime_r(&t, &lt);
        int32_t off = tc_tz_offset_at(&tz, (int64_t)t * NS);
        cr_assert_eq(off, lt.tm_gmtoff, "offset at %lld: %d, tzdata %ld", (long long)t, off, lt.tm_gmtoff);
        checked++;
        /* local → UTC, away from the repeated autumn hour (ambiguous by nature) */
        struct tm before, after;
        time_t tb = t - 3600, ta = t + 3600;
        localtime_r(&tb, &before);
        localtime_r(&ta, &after);
        if (before.tm_gmtoff == lt.tm_gmtoff && after.tm_gmtoff == lt.tm_gmtoff) {
            int64_t wall = ((int64_t)t + lt.tm_gmtoff) * NS;
            cr_assert_eq(tc_tz_local_to_utc(&tz, wall), (int64_t)t * NS, "local→UTC at %lld", (long long)t);
            local_checked++;
        }
    }
    cr_expect_gt(checked, 590000);
    cr_expect_gt(local_checked, 580000);
    unsetenv("TZ");
}

Test(tz, fixed_offsets_and_names)
{
    tc_tz_t tz;
    cr_assert_eq(tc_tz_init(&tz, "UTC-05"), 0);
    cr_expect_str_eq(tz.name, "UTC-05:00");
    cr_expect_eq(tc_tz_local_to_utc(&tz, 0), 5 * 3600 * NS);
    cr_assert_eq(tc_tz_init(&tz, "EST"), 0);
    cr_expect_eq(tc_tz_offset_at(&tz, 1404000000LL * NS), -18000, "EST is fixed, even in July");
    cr_assert_eq(tc_tz_init(&tz, "UTC+05:30"), 0);
    cr_expect_eq(tc_tz_offset_at(&tz, 0), 19800);
    cr_assert_eq(tc_tz_init(&tz, "UTC"), 0);
    cr_expect_eq(tc_tz_local_to_utc(&tz, 123), 123);
    cr_expect_lt(tc_tz_init(&tz, "UTC+25"), 0);
    cr_expect_lt(tc_tz_init(&tz, "Europe/Paris"), 0);
    cr_expect(strstr(tc_err_msg(), "Europe/Paris") != NULL);
    /* the spring gap 02:00–03:00 on 2013-03-10 is read as standard time */
    cr_assert_eq(tc_tz_init(&tz, "America/New_York"), 0);
    int64_t wall = (tc_days_from_civil(2013, 3, 10) * 86400 + 2 * 3600 + 1800) * NS;
    cr_expect_eq(tc_tz_local_to_utc(&tz, wall), wall + 5 * 3600 * NS);
    /* the repeated 01:30 on 2013-11-03 resolves to the first (daylight) one */
    wall = (tc_days_from_civil(2013, 11, 3) * 86400 + 3600 + 1800) * NS;
    cr_expect_eq(tc_tz_local_to_utc(&tz, wall), wall + 4 * 3600 * NS);
}

Test(decimal, calendar_matches_timegm)
{
    for (int64_t d = -800000; d < 800000; d += 37) {
        int y, m, dd;
        tc_civil_from_days(d, &y, &m, &dd);
        cr_assert_eq(tc_days_from_civil(y, m, dd), d);
        cr_assert_eq(tc_date_check(y, m, dd), y >= 1 ? 0 : -EINVAL);
        if (y >= 1902 && y < 2100) {
            struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = dd};
            cr_assert_eq((int64_t)timegm(&tm), d * 86400);
        }
    }
    int64_t days;
    cr_expect_eq(tc_date_parse_ymd8("20140502", &days), 0);
    cr_expect_eq(days, 16192);
    cr_expect_lt(tc_date_parse_ymd8("20140230", &days), 0);
    cr_expect_lt(tc_date_parse_ymd8("2014050x", &days), 0);
    cr_expect_eq(tc_date_parse_iso("2000-02-29", &days), 0);
    cr_expect_lt(tc_date_parse_iso("1900-02-29", &days), 0);
    cr_expect_lt(tc_date_parse_iso("2300-01-01", &days), 0, "past what int64 ns can hold");
    cr_expect_lt(tc_date_parse_ymd8("16991231", &days), 0);
}

Test(decimal, parse_and_format_exact)
{
    struct { const char *s; int ok; int64_t m; int e; } cases[] = {
        {"1.38626", 1, 138626, -5}, {"1300.8", 1, 13008, -1}, {"1301", 1, 1301, 0},
        {"1.121200", 1, 1121200, -6}, {"-0.5", 1, -5, -1}, {"0", 1, 0, 0},
        {"123456789012345678", 1, 123456789012345678LL, 0}, {"0.000000000000000001", 1, 1, -18},
        {"1234567890123456789", 0, 0, 0}, {"", 0, 0, 0}, {"-", 0, 0, 0}, {".5", 0, 0, 0},
        {"5.", 0, 0, 0}, {"1e5", 0, 0, 0}, {"1.2.3", 0, 0, 0}, {" 1", 0, 0, 0}, {"+1", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t m = 77;
        int e = 77;
        int r = tc_dec_parse(cases[i].s, cases[i].s + strlen(cases[i].s), &m, &e);
        if (cases[i].ok) {
            cr_expect_eq(r, 0, "'%s'", cases[i].s);
            cr_expect_eq(m, cases[i].m, "'%s'", cases[i].s);
            cr_expect_eq(e, cases[i].e, "'%s'", cases[i].s);
        } else {
            cr_expect_lt(r, 0, "'%s' must be refused", cases[i].s);
            cr_expect_eq(m, 77, "untouched on error");
        }
    }
    /* random mantissas and exponents: format → parse is the identity, and the double
     * of the decimal is what strtod gives for the same text */
    unsigned seed = 99;
    char buf[64];
    for (int i = 0; i < 200000; i++) {
        int64_t m = ((int64_t)rand_r(&seed) << 31 | rand_r(&seed)) % 1000000000000000LL;
        if (rand_r(&seed) & 1)
            m = -m;
        int e = -(int)(rand_r(&seed) % 16);
        int n = tc_dec_fmt(buf, m, e);
        buf[n] = 0;
        int64_t m2;
        int e2;
        cr_assert_eq(tc_dec_parse(buf, buf + n, &m2, &e2), 0, "%s", buf);
        cr_assert_eq(m2, m, "%s", buf);
        cr_assert_eq(e2, e, "%s", buf);
        cr_assert_eq(tc_decimal_to_double(m, e), strtod(buf, NULL), "%s", buf);
    }
    uint64_t h;
    const char *hx = "80000000", *bad = "12G";
    cr_expect_eq(tc_dec_parse_hex(hx, hx + 8, &h), 0);
    cr_expect_eq(h, 0x80000000u);
    cr_expect_lt(tc_dec_parse_hex(bad, bad + 3, &h), 0);
    int64_t v;
    const char *big = "9223372036854775807", *over = "9223372036854775808";
    cr_expect_eq(tc_dec_parse_int(big, big + 19, &v), 0);
    cr_expect_eq(v, INT64_MAX);
    cr_expect_lt(tc_dec_parse_int(over, over + 19, &v), 0);
    int64_t a = 13008, b = 1301618;
    int ea = -1, eb = -3;
    cr_expect_eq(tc_dec_align2(&a, &ea, &b, &eb), 0);
    cr_expect_eq(a, 1300800);
    cr_expect_eq(ea, -3);
    int64_t huge = INT64_MAX / 5;
    int eh = 0, e1 = -3;
    int64_t one = 1;
    cr_expect_lt(tc_dec_align2(&huge, &eh, &one, &e1), 0, "overflow is refused");
}
