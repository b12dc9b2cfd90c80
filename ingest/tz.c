/* tz.c — local wall clock ↔ UTC for the time-zone rules of tz.h.  The US rules are the
 * Uniform Time Act as amended in 1986 and 2005; years before 1967 are read as standard
 * time (no tick file reaches them).  The per-year daylight span is cached in the
 * tc_tz_t so a conversion is two comparisons on the import hot path. */
#include "ingest/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/runtime/err.h"
#include "ingest/decimal.h"

#define NS_PER_S 1000000000LL
#define NS_PER_DAY (86400LL * NS_PER_S)

/* Day number of the n-th (1-based) Sunday of month m, or the last one for n = 0. */
static int64_t nth_sunday(int y, int m, int n)
{
    if (n == 0) {
        int64_t last = tc_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
        return last - tc_weekday(last);
    }
    int64_t first = tc_days_from_civil(y, m, 1);
    int64_t sun = first + (7 - tc_weekday(first)) % 7;
    return sun + 7 * (n - 1);
}

static void cache_year(tc_tz_t *tz, int y)
{
    tz->year_lo = tc_days_from_civil(y, 1, 1) * NS_PER_DAY;
    tz->year_hi = tc_days_from_civil(y + 1, 1, 1) * NS_PER_DAY;
    int64_t start, end;
    if (tz->kind != TC_TZ_US_EASTERN || y < 1967) {
        tz->dst_lo = tz->dst_hi = tz->year_lo;
        return;
    }
    if (y >= 2007) {
        start = nth_sunday(y, 3, 2);
        end = nth_sunday(y, 11, 1);
    } else if (y >= 1987) {
        start = nth_sunday(y, 4, 1);
        end = nth_sunday(y, 10, 0);
    } else if (y == 1974) { /* the energy-crisis years started early */
        start = tc_days_from_civil(1974, 1, 6);
        end = nth_sunday(y, 10, 0);
    } else if (y == 1975) {
        start = tc_days_from_civil(1975, 2, 23);
        end = nth_sunday(y, 10, 0);
    } else {
        start = nth_sunday(y, 4, 0);
        end = nth_sunday(y, 10, 0);
    }
    /* Daylight time on the wall clock: from 02:00 on the start day (02:00–03:00 does
     * not exist and is read as standard below, so the span begins at 03:00) to 02:00
     * daylight on the end day; 01:00–02:00 that day is ambiguous and taken as daylight. */
    tz->dst_lo = start * NS_PER_DAY + 3 * 3600 * NS_PER_S;
    tz->dst_hi = end * NS_PER_DAY + 2 * 3600 * NS_PER_S;
}

static void ensure_year(tc_tz_t *tz, int64_t wall_ns)
{
    if (wall_ns >= tz->year_lo && wall_ns < tz->year_hi)
        return;
    int64_t days = wall_ns / NS_PER_DAY - (wall_ns % NS_PER_DAY < 0);
    int y, m, d;
    tc_civil_from_days(days, &y, &m, &d);
    cache_year(tz, y);
}

int tc_tz_init(tc_tz_t *tz, const char *name)
{
    memset(tz, 0, sizeof *tz); /* an empty cache year: the first conversion fills it */
    if (!strcasecmp(name, "UTC") || !strcasecmp(name, "Z") || !strcasecmp(name, "GMT") ||
        !strcasecmp(name, "Etc/UTC")) {
        snprintf(tz->name, sizeof tz->name, "UTC");
        return 0;
    }
    if (!strcasecmp(name, "EST")) {
        tz->std_off_s = -5 * 3600;
        snprintf(tz->name, sizeof tz->name, "UTC-05:00");
        return 0;
    }
    if (!strcmp(name, "America/New_York") || !strcmp(name, "US/Eastern")) {
        tz->kind = TC_TZ_US_EASTERN;
        tz->std_off_s = -5 * 3600;
        snprintf(tz->name, sizeof tz->name, "America/New_York");
        return 0;
    }
    if (!strncasecmp(name, "UTC", 3) && (name[3] == '+' || name[3] == '-')) {
        const char *p = name + 4;
        size_t n = strlen(p);
        int hh = -1, mm = 0;
        if (n == 1 || n == 2)
            hh = tc_dec_digits(p, (int)n);
        else if (n == 4)
            hh = tc_dec_digits(p, 2), mm = tc_dec_digits(p + 2, 2);
        else if (n == 5 && p[2] == ':')
            hh = tc_dec_digits(p, 2), mm = tc_dec_digits(p + 3, 2);
        if (hh >= 0 && hh <= 14 && mm >= 0 && mm < 60) {
            int off = (hh * 3600 + mm * 60) * (name[3] == '-' ? -1 : 1);
            tz->std_off_s = off;
            snprintf(tz->name, sizeof tz->name, "UTC%c%02d:%02d", name[3], hh, mm);
            return 0;
        }
    }
    return TC_ERR(-EINVAL, "unknown time zone '%s' (UTC, UTC±hh[:mm], EST, America/New_York)", name);
}

int64_t tc_tz_local_to_utc(tc_tz_t *tz, int64_t local_ns)
{
    int64_t off = (int64_t)tz->std_off_s * NS_PER_S;
    if (tz->kind == TC_TZ_US_EASTERN) {
        ensure_year(tz, local_ns);
        if (local_ns >= tz->dst_lo && local_ns < tz->dst_hi)
            off += 3600 * NS_PER_S;
    }
    return local_ns - off;
}

int32_t tc_tz_offset_at(tc_tz_t *tz, int64_t utc_ns)
{
    if (tz->kind != TC_TZ_US_EASTERN)
        return tz->std_off_s;
    /* The change instants in UTC: spring at 02:00 standard wall time (dst_lo is 03:00,
     * one hour later on the wall), autumn at 02:00 daylight wall time (dst_hi), both
     * converted with the offset in force just before them. */
    int64_t wall_std = utc_ns + (int64_t)tz->std_off_s * NS_PER_S;
    ensure_year(tz, wall_std);
    int64_t start_utc = tz->dst_lo - NS_PER_S * 3600 - (int64_t)tz->std_off_s * NS_PER_S;
    int64_t end_utc = tz->dst_hi - NS_PER_S * 3600 - (int64_t)tz->std_off_s * NS_PER_S;
    if (utc_ns >= start_utc && utc_ns < end_utc)
        return tz->std_off_s + 3600;
    return tz->std_off_s;
}
