/* tz.h — the source time zones of the tick formats: UTC, fixed offsets ("UTC-05",
 * "EST" as HistData uses it) and America/New_York with the US daylight-saving rules
 * (1967–1986 last Sunday of April → last Sunday of October, except 1974 from January 6
 * and 1975 from February 23; 1987–2006 first Sunday of
 * April → last Sunday of October, 2007 on second Sunday of March → first Sunday of
 * November; changes at 02:00 local).  No tz database is read: the formats need these
 * three rules only, and a fixed rule cannot change under a replay.
 */
#ifndef TC_INGEST_TZ_H
#define TC_INGEST_TZ_H

#include <stdint.h>

enum tc_tz_kind { TC_TZ_FIXED = 0, TC_TZ_US_EASTERN = 1 };

typedef struct tc_tz {
    int kind;            /* enum tc_tz_kind */
    int32_t std_off_s;   /* standard offset east of UTC, seconds (-18000 for New York) */
    char name[32];       /* canonical name: "UTC", "UTC-05:00", "America/New_York" */
    /* cache of the year last converted (local wall-clock ns, as if UTC) */
    int64_t year_lo, year_hi;      /* [Jan 1, next Jan 1) of the cached year */
    int64_t dst_lo, dst_hi;        /* wall-clock span observed as daylight time */
} tc_tz_t;

/* Parses "UTC", "Z", "UTC+hh[:mm]", "UTC-hh[:mm]", "EST" (fixed −05:00), "America/New_York"
 * (also "US/Eastern").  Returns 0 or -EINVAL with the reason on the error stack. */
int tc_tz_init(tc_tz_t *tz, const char *name);

/* UTC ns of a local wall-clock time given as ns since 1970-01-01 00:00 local.  Wall
 * times repeated at the autumn change resolve to the first (daylight) one; wall times
 * skipped in spring are read with the standard offset.  Updates the cache only. */
int64_t tc_tz_local_to_utc(tc_tz_t *tz, int64_t local_ns);

/* Offset east of UTC in seconds in effect at utc_ns.  Updates the cache only. */
int32_t tc_tz_offset_at(tc_tz_t *tz, int64_t utc_ns);

#endif
