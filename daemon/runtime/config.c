/* config.c — parsing, loading, checking and printing of the configuration table of
 * config.h (the rows themselves are in config_table.c).
 *
 * Files are parsed by inih.  inih does not report line numbers to its handler (the
 * Debian build has INI_HANDLER_LINENO off), so the file is fed through our own line
 * reader, which counts lines and also catches what inih would silently mangle: lines
 * longer than inih's buffer, NUL bytes, and indented lines that inih would glue to the
 * previous value.  It also checks inih's line grammar itself, since inih reports only
 * its first syntax error and `tickcast config --check` lists them all.  Everything is
 * parsed into a scratch tc_config_t and copied to the caller's only when the whole file,
 * the overrides and the cross-key rules are good.
 *
 * Value syntax: durations "250ms", "1.5s", "10s", "5m", "1h", "1d" (and "0"); sizes
 * "4096", "64KiB"/"64K", "256MiB"/"256M", "1GiB", and SI "kB", "MB", "GB", "TB";
 * booleans true/false, yes/no, on/off, 1/0.  Not on any hot path: allocation is fine.
 */
#include "daemon/runtime/config.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"
#include "daemon/runtime/jsonout.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define WHY_MAX 512

typedef union value {
    char s[TC_CONFIG_PATH_MAX];
    int64_t i;
    double d;
    bool b;
    int e;
} value_t;

/* ---- lookup ------------------------------------------------------------------------ */

const tc_config_key_t *tc_config_key_find(const char *section, const char *key)
{
    char sec[TC_CONFIG_NAME_MAX];
    if (!key) {
        const char *dot = strchr(section, '.');
        if (!dot || (size_t)(dot - section) >= sizeof sec)
            return NULL;
        memcpy(sec, section, (size_t)(dot - section));
        sec[dot - section] = '\0';
        section = sec;
        key = dot + 1;
    }
    int n;
    const tc_config_key_t *k = tc_config_keys(&n);
    for (int i = 0; i < n; i++)
        if (strcmp(k[i].section, section) == 0 && strcmp(k[i].key, key) == 0)
            return &k[i];
    return NULL;
}

/* k's row number in the table. */
static int key_index(const tc_config_key_t *k)
{
    int n;
    return (int)(k - tc_config_keys(&n));
}

static int section_known(const char *section)
{
    int n;
    const tc_config_key_t *k = tc_config_keys(&n);
    for (int i = 0; i < n; i++)
        if (strcmp(k[i].section, section) == 0)
            return 1;
    return 0;
}

/* Edit distance, for "did you mean"; names are short. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    int prev[64], cur[64];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int sub = prev[j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
    }
    return prev[lb];
}

/* The closest section (key == NULL) or key of section to name, or NULL if none is close. */
static const char *closest(const char *section, const char *name)
{
    int n, best = 3;
    const char *hit = NULL;
    const tc_config_key_t *k = tc_config_keys(&n);
    for (int i = 0; i < n; i++) {
        const char *cand = section ? k[i].key : k[i].section;
        if (section && strcmp(k[i].section, section) != 0)
            continue;
        int d = edit_distance(name, cand);
        if (d < best && d <= (int)strlen(cand) / 2) {
            best = d;
            hit = cand;
        }
    }
    return hit;
}

/* ---- numbers with units ------------------------------------------------------------- */

typedef struct unit {
    const char *name;
    int64_t mult;
} unit_t;

static const unit_t duration_units[] = {
    {"ns", 1},
    {"us", 1000},
    {"ms", 1000000},
    {"s", 1000000000},
    {"m", 60LL * 1000000000},
    {"min", 60LL * 1000000000},
    {"h", 3600LL * 1000000000},
    {"d", 86400LL * 1000000000},
    {NULL, 0},
};
/* Printing prefers the largest unit that divides exactly. */
static const unit_t duration_print[] = {
    {"d", 86400LL * 1000000000}, {"h", 3600LL * 1000000000}, {"m", 60LL * 1000000000},
    {"s", 1000000000},           {"ms", 1000000},            {"us", 1000},
    {NULL, 0},
};

static const unit_t size_units[] = {
    {"", 1},          {"B", 1},
    {"K", 1LL << 10}, {"KiB", 1LL << 10}, {"M", 1LL << 20}, {"MiB", 1LL << 20},
    {"G", 1LL << 30}, {"GiB", 1LL << 30}, {"T", 1LL << 40}, {"TiB", 1LL << 40},
    {"kB", 1000},     {"KB", 1000},       {"MB", 1000000},  {"GB", 1000000000},
    {"TB", 1000000000000LL},
    {NULL, 0},
};
static const unit_t size_print[] = {
    {"TiB", 1LL << 40}, {"GiB", 1LL << 30}, {"MiB", 1LL << 20}, {"KiB", 1LL << 10}, {NULL, 0},
};

/* "<digits>[.<digits>]<unit>" to a whole number of base units, exactly (no floating
 * point, so "0.1s" is 100000000 ns, not 99999999).  0 or -1 with why. */
static int parse_units(const char *s, const unit_t *units, int unit_required,
                       const char *what, int64_t *ret, char *why, size_t n)
{
    const char *p = s;
    __int128 whole = 0, frac = 0, scale = 1;
    if (!isdigit((unsigned char)*p))
        goto bad;
    while (isdigit((unsigned char)*p)) {
        whole = whole * 10 + (*p++ - '0');
        if (whole > INT64_MAX)
            goto range;
    }
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            goto bad;
        while (isdigit((unsigned char)*p)) {
            if (scale < (__int128)1000000000000000000LL) {
                frac = frac * 10 + (*p - '0');
                scale *= 10;
            } else if (*p != '0') {
                goto fine;
            }
            p++;
        }
    }
    const unit_t *u = NULL;
    for (const unit_t *t = units; t->name; t++)
        if (strcmp(p, t->name) == 0) {
            u = t;
            break;
        }
    if (!u) {
        if (*p || (unit_required && (whole != 0 || frac != 0)))
            goto bad;
        u = units; /* bare zero */
    }
    __int128 v = whole * u->mult;
    if (v > INT64_MAX)
        goto range;
    if ((frac * u->mult) % scale != 0)
        goto fine;
    v += frac * u->mult / scale;
    if (v > INT64_MAX)
        goto range;
    *ret = (int64_t)v;
    return 0;
bad:
    if (units == duration_units)
        snprintf(why, n, "'%s' is not a %s (a number with a unit: ns, us, ms, s, m, h, d)", s, what);
    else
        snprintf(why, n, "'%s' is not a %s (bytes, or a number with a unit: KiB, MiB, GiB, "
                         "TiB, K, M, G, T, kB, MB, GB, TB)", s, what);
    return -1;
fine:
    snprintf(why, n, "'%s' is not a whole number of %s", s,
             units == duration_units ? "nanoseconds" : "bytes");
    return -1;
range:
    snprintf(why, n, "'%s' is too large", s);
    return -1;
}

static void format_units(int64_t v, const unit_t *units, char *buf, size_t n)
{
    if (v != 0)
        for (const unit_t *u = units; u->name; u++)
            if (v % u->mult == 0) {
                snprintf(buf, n, "%lld%s", (long long)(v / u->mult), u->name);
                return;
            }
    snprintf(buf, n, "%lld%s", (long long)v, v != 0 && units == duration_print ? "ns" : "");
}

/* The shortest %g form that reads back as the same double. */
static void format_double(double d, char *buf, size_t n)
{
    /* whole numbers read better without an exponent: 1000, not 1e+03 */
    if (d == floor(d) && fabs(d) < 1e15) {
        snprintf(buf, n, "%.0f", d);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

static void format_plain(const tc_config_key_t *k, int64_t v, char *buf, size_t n)
{
    if (k->type == TC_CONFIG_DURATION)
        format_units(v, duration_print, buf, n);
    else if (k->type == TC_CONFIG_SIZE)
        format_units(v, size_print, buf, n);
    else
        snprintf(buf, n, "%lld", (long long)v);
}

/* ---- one value ------------------------------------------------------------------------ */

static int check_string(const tc_config_key_t *k, const char *s, char *why, size_t n)
{
    size_t len = strlen(s);
    if (len >= k->size) {
        snprintf(why, n, "is longer than %zu characters", k->size - 1);
        return -1;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            snprintf(why, n, "has a control character at position %zu", i + 1);
            return -1;
        }
    /* What an INI file cannot carry would not survive a dump and reload. */
    if (len && (isspace((unsigned char)s[0]) || isspace((unsigned char)s[len - 1]))) {
        snprintf(why, n, "'%s' has leading or trailing blanks, which an INI file drops", s);
        return -1;
    }
    if (s[0] == ';' || strstr(s, " ;")) {
        snprintf(why, n, "'%s' has a ';' after a blank, which an INI file reads as a comment", s);
        return -1;
    }
    return 0;
}

/* Parses and validates text for key k into *v.  0, or -1 with why. */
static int value_parse(const tc_config_key_t *k, const char *text, value_t *v, char *why,
                       size_t n)
{
    char lo[64], hi[64];
    memset(v, 0, sizeof *v);
    switch (k->type) {
    case TC_CONFIG_STRING:
        if (check_string(k, text, why, n) < 0)
            return -1;
        snprintf(v->s, sizeof v->s, "%s", text);
        return k->check ? k->check(v->s, why, n) : 0;
    case TC_CONFIG_BOOL:
        if (!strcasecmp(text, "true") || !strcasecmp(text, "yes") || !strcasecmp(text, "on") ||
            !strcmp(text, "1"))
            v->b = true;
        else if (!strcasecmp(text, "false") || !strcasecmp(text, "no") ||
                 !strcasecmp(text, "off") || !strcmp(text, "0"))
            v->b = false;
        else {
            snprintf(why, n, "'%s' is not a boolean (true or false)", text);
            return -1;
        }
        return k->check ? k->check(&v->b, why, n) : 0;
    case TC_CONFIG_ENUM: {
        for (const tc_config_enum_t *e = k->values; e->name; e++)
            if (!strcasecmp(text, e->name)) {
                v->e = e->value;
                return k->check ? k->check(&v->e, why, n) : 0;
            }
        int len = snprintf(why, n, "'%s' is not one of ", text);
        for (const tc_config_enum_t *e = k->values; e->name && len > 0 && (size_t)len < n; e++)
            len += snprintf(why + len, n - (size_t)len, "%s%s", e->name, e[1].name ? ", " : "");
        return -1;
    }
    case TC_CONFIG_DOUBLE: {
        char *end;
        errno = 0;
        double d = strtod(text, &end);
        if (!text[0] || *end || isspace((unsigned char)text[0]) || errno == ERANGE ||
            !isfinite(d)) {
            snprintf(why, n, "'%s' is not a number", text);
            return -1;
        }
        if (d < k->dmin || d > k->dmax) {
            format_double(k->dmin, lo, sizeof lo);
            format_double(k->dmax, hi, sizeof hi);
            snprintf(why, n, "%s is out of range %s..%s", text, lo, hi);
            return -1;
        }
        v->d = d;
        return k->check ? k->check(&v->d, why, n) : 0;
    }
    case TC_CONFIG_INT: {
        char *end;
        errno = 0;
        long long x = strtoll(text, &end, 10);
        if (!text[0] || *end || isspace((unsigned char)text[0]) || errno == ERANGE) {
            snprintf(why, n, "'%s' is not a whole number", text);
            return -1;
        }
        v->i = x;
        break;
    }
    case TC_CONFIG_DURATION:
        if (parse_units(text, duration_units, 1, "duration", &v->i, why, n) < 0)
            return -1;
        break;
    case TC_CONFIG_SIZE:
        if (parse_units(text, size_units, 0, "size", &v->i, why, n) < 0)
            return -1;
        break;
    }
    /* INT, DURATION, SIZE; the power of two first, as it is the likelier slip */
    if ((k->flags & TC_CONFIG_POW2) && (v->i <= 0 || (v->i & (v->i - 1)) != 0)) {
        snprintf(why, n, "%s is not a power of two", text);
        return -1;
    }
    if (v->i < k->min || v->i > k->max) {
        format_plain(k, k->min, lo, sizeof lo);
        format_plain(k, k->max, hi, sizeof hi);
        snprintf(why, n, "%s is out of range %s..%s", text, lo, hi);
        return -1;
    }
    return k->check ? k->check(&v->i, why, n) : 0;
}

static void value_store(const tc_config_key_t *k, const value_t *v, tc_config_t *c)
{
    char *dst = (char *)c + k->offset;
    switch (k->type) {
    case TC_CONFIG_STRING:
        memset(dst, 0, k->size);
        memcpy(dst, v->s, strlen(v->s) + 1);
        break;
    case TC_CONFIG_BOOL:
        memcpy(dst, &v->b, sizeof v->b);
        break;
    case TC_CONFIG_ENUM:
        memcpy(dst, &v->e, sizeof v->e);
        break;
    case TC_CONFIG_DOUBLE:
        memcpy(dst, &v->d, sizeof v->d);
        break;
    default:
        memcpy(dst, &v->i, sizeof v->i);
        break;
    }
}

int tc_config_value_format(const tc_config_t *c, const tc_config_key_t *k, char *buf,
                           size_t size)
{
    const char *src = (const char *)c + k->offset;
    int64_t i;
    double d;
    int e;
    bool b;
    char tmp[TC_CONFIG_PATH_MAX + 1];
    switch (k->type) {
    case TC_CONFIG_STRING:
        snprintf(tmp, sizeof tmp, "%.*s", (int)k->size - 1, src);
        break;
    case TC_CONFIG_BOOL:
        memcpy(&b, src, sizeof b);
        snprintf(tmp, sizeof tmp, "%s", b ? "true" : "false");
        break;
    case TC_CONFIG_ENUM:
        memcpy(&e, src, sizeof e);
        snprintf(tmp, sizeof tmp, "%d", e); /* a value outside the table prints as a number */
        for (const tc_config_enum_t *t = k->values; t->name; t++)
            if (t->value == e)
                snprintf(tmp, sizeof tmp, "%s", t->name);
        break;
    case TC_CONFIG_DOUBLE:
        memcpy(&d, src, sizeof d);
        format_double(d, tmp, sizeof tmp);
        break;
    default:
        memcpy(&i, src, sizeof i);
        format_plain(k, i, tmp, sizeof tmp);
        break;
    }
    size_t len = strlen(tmp);
    if (len >= size) {
        if (size)
            snprintf(buf, size, "%s", "");
        return -ENOSPC;
    }
    memcpy(buf, tmp, len + 1);
    return (int)len;
}

void tc_config_defaults(tc_config_t *c)
{
    int n;
    const tc_config_key_t *k = tc_config_keys(&n);
    memset(c, 0, sizeof *c);
    for (int i = 0; i < n; i++) {
        value_t v;
        char why[WHY_MAX];
        int r = value_parse(&k[i], k[i].def, &v, why, sizeof why);
        assert(r == 0 && "every default passes its validator (tests/runtime/test_config.c)");
        (void)r;
        value_store(&k[i], &v, c);
    }
}

/* ---- loading ------------------------------------------------------------------------ */

#define ORIGIN_DEFAULT 0
#define ORIGIN_OVERRIDE (-1)

typedef struct load {
    tc_config_t cfg;
    const char *path;
    FILE *f;
    char *line; /* getline buffer */
    size_t cap;
    int lineno;
    int indented;     /* the current raw line starts with a blank */
    int after_key;    /* a key was seen since the last [section] (inih's prev_name) */
    int *origin;      /* per key: ORIGIN_DEFAULT, ORIGIN_OVERRIDE or the file line */
    int n_keys;
    char section[TC_CONFIG_NAME_MAX]; /* the last [section] header, if unknown */
    int section_line;                 /* its line, 0 when known or none */
    int section_keys;                 /* keys seen under it */
    FILE *report;     /* tc_config_lint: every problem, one per line */
    int syntax_line;  /* the first syntax error found by load_syntax_ok */
    int errors;       /* how many problems were found */
    int first_line;   /* line of the reported one (the earliest) */
    char first[TC_ERR_MSG_MAX];
} load_t;

__attribute__((format(printf, 3, 4))) static void load_error(load_t *L, int line,
                                                               const char *fmt, ...)
{
    char msg[TC_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    L->errors++;
    if (L->report)
        fprintf(L->report, "%s\n", msg);
    if (L->first[0] && line >= L->first_line)
        return;
    memcpy(L->first, msg, sizeof msg);
    L->first_line = line;
}

/* inih's own grammar, so that every syntax error is found (inih reports only the
 * first): blank, comment, "[section]", a continuation, or "name = value" / "name: value",
 * where ';' after a blank starts a comment. */
static int load_syntax_ok(const char *line, int lineno, int after_key)
{
    const char *p = line;
    if (lineno == 1 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
        (unsigned char)p[2] == 0xBF)
        p += 3;
    int indented = isspace((unsigned char)*p);
    while (isspace((unsigned char)*p))
        p++;
    if (!*p || *p == ';' || *p == '#' || (indented && after_key))
        return 1;
    int was_space = 0;
    const char *want = *p == '[' ? "]" : "=:";
    for (const char *q = *p == '[' ? p + 1 : p; *q; q++) {
        if (strchr(want, *q))
            return 1;
        if (was_space && *q == ';')
            return 0;
        was_space = isspace((unsigned char)*q);
    }
    return 0;
}

/* An unknown section with no key under it would never reach the handler (inih calls it
 * for keys only): report it at its header line. */
static void section_close(load_t *L)
{
    if (L->section_line && !L->section_keys) {
        const char *hint = closest(NULL, L->section);
        load_error(L, L->section_line, "%s:%d %s: unknown section [%s]%s%s%s", L->path,
                   L->section_line, L->section, L->section, hint ? " (did you mean [" : "",
                   hint ? hint : "", hint ? "]?)" : "");
    }
    L->section_line = 0;
    L->section_keys = 0;
}

/* Notes a "[name]" header line (inih's reading: up to ']'). */
static void section_open(load_t *L, const char *line)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '[')
        return;
    size_t len = strcspn(p + 1, "]");
    if (p[1 + len] != ']')
        return; /* a syntax error, and inih stays in the previous section */
    section_close(L);
    L->after_key = 0;
    snprintf(L->section, sizeof L->section, "%.*s", (int)len, p + 1);
    if (!section_known(L->section))
        L->section_line = L->lineno;
}

/* inih's fgets: one whole line per call, counted, with what inih cannot handle turned
 * into an error here and a blank line for inih. */
static char *load_reader(char *str, int num, void *stream)
{
    load_t *L = stream;
    ssize_t len = getline(&L->line, &L->cap, L->f);
    if (len < 0)
        return NULL;
    L->lineno++;
    if (strlen(L->line) != (size_t)len) {
        load_error(L, L->lineno, "%s:%d: has a NUL byte", L->path, L->lineno);
        snprintf(str, (size_t)num, "\n");
        return str;
    }
    while (len && (L->line[len - 1] == '\n' || L->line[len - 1] == '\r'))
        L->line[--len] = '\0';
    /* inih keeps num - 1 bytes; ours gets a '\n' back so inih never splits a line. */
    if (len > num - 2) {
        load_error(L, L->lineno, "%s:%d: line is longer than %d characters", L->path,
                   L->lineno, num - 2);
        snprintf(str, (size_t)num, "\n");
        return str;
    }
    L->indented = len && (L->line[0] == ' ' || L->line[0] == '\t');
    if (!load_syntax_ok(L->line, L->lineno, L->after_key)) {
        if (!L->syntax_line)
            L->syntax_line = L->lineno;
        load_error(L, L->lineno, "%s:%d: expected '[section]' or 'key = value'", L->path,
                   L->lineno);
    }
    section_open(L, L->line);
    memcpy(str, L->line, (size_t)len);
    str[len] = '\n';
    str[len + 1] = '\0';
    return str;
}

/* inih's handler: one "name = value" in section.  Returns 1 so inih goes on and reports
 * only its own syntax errors. */
static int load_handler(void *user, const char *section, const char *name, const char *value)
{
    load_t *L = user;
    char why[WHY_MAX];
    int line = L->lineno;
    int continuation = L->indented && L->after_key;
    L->after_key = 1;
    /* inih glues an indented line after a key to that key's value (configparser's
     * multi-line values); nobody means that in this file. */
    if (continuation) {
        load_error(L, line, "%s:%d %s.%s: an indented line continues the previous value; "
                   "remove the indentation", L->path, line, section, name);
        return 1;
    }
    if (!section[0]) {
        load_error(L, line, "%s:%d %s: key before any [section]", L->path, line, name);
        return 1;
    }
    if (!section_known(section)) {
        L->section_keys++;
        const char *hint = closest(NULL, section);
        load_error(L, line, "%s:%d %s.%s: unknown section [%s]%s%s%s", L->path, line, section,
                   name, section, hint ? " (did you mean [" : "", hint ? hint : "",
                   hint ? "]?)" : "");
        return 1;
    }
    const tc_config_key_t *k = tc_config_key_find(section, name);
    if (!k) {
        const char *hint = closest(section, name);
        load_error(L, line, "%s:%d %s.%s: unknown key%s%s%s%s%s", L->path, line, section, name,
                   hint ? " (did you mean " : "", hint ? section : "", hint ? "." : "",
                   hint ? hint : "", hint ? "?)" : "");
        return 1;
    }
    int idx = key_index(k);
    if (L->origin[idx] > 0) {
        load_error(L, line, "%s:%d %s.%s: set twice (first on line %d)", L->path, line,
                   section, name, L->origin[idx]);
        return 1;
    }
    value_t v;
    if (value_parse(k, value, &v, why, sizeof why) < 0) {
        load_error(L, line, "%s:%d %s.%s: %s", L->path, line, section, name, why);
        return 1;
    }
    value_store(k, &v, &L->cfg);
    L->origin[idx] = line;
    return 1;
}

static int load_file(load_t *L)
{
    L->f = fopen(L->path, "re");
    if (!L->f) {
        int e = errno;
        return TC_ERR(-e, "%s: cannot open: %s", L->path, strerror(e));
    }
    struct stat st;
    if (fstat(fileno(L->f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(L->f);
        L->f = NULL;
        return TC_ERR(-EISDIR, "%s: is a directory", L->path);
    }
    int r = ini_parse_stream(load_reader, L, load_handler, L);
    int read_errno = ferror(L->f) ? errno : 0;
    fclose(L->f);
    L->f = NULL;
    if (read_errno)
        return TC_ERR(-read_errno, "%s:%d: cannot read: %s", L->path, L->lineno + 1,
                      strerror(read_errno));
    section_close(L);
    if (r > 0 && r != L->syntax_line) /* inih saw one that load_syntax_ok missed */
        load_error(L, r, "%s:%d: expected '[section]' or 'key = value'", L->path, r);
    else if (r < 0)
        return TC_ERR(-ENOMEM, "%s: inih failed (%d)", L->path, r);
    return 0;
}

/* Who to blame for a broken rule: whichever key was set last (an override after any file
 * line), else key a. */
static const tc_config_key_t *rule_blame(const load_t *L, const tc_config_rule_t *rule,
                                         int *ret_origin)
{
    const tc_config_key_t *a = tc_config_key_find(rule->a, NULL);
    const tc_config_key_t *b = tc_config_key_find(rule->b, NULL);
    int oa = L ? L->origin[key_index(a)] : 0, ob = L ? L->origin[key_index(b)] : 0;
    int ra = oa == ORIGIN_OVERRIDE ? 1 << 30 : oa, rb = ob == ORIGIN_OVERRIDE ? 1 << 30 : ob;
    *ret_origin = rb > ra ? ob : oa;
    return rb > ra ? b : a;
}

/* Why rule i fails on c, as "[path:line ]section.key: why" in msg, blaming the key set
 * last (L may be NULL: no origins); 0 when c obeys it, else -1. */
static int rule_broken(const load_t *L, const tc_config_t *c, const tc_config_rule_t *rule,
                       char *msg, size_t size)
{
    char why[WHY_MAX];
    if (rule->fn(c, rule, why, sizeof why) == 0)
        return 0;
    int origin;
    const tc_config_key_t *k = rule_blame(L, rule, &origin);
    if (origin > 0)
        snprintf(msg, size, "%s:%d %s.%s: %s", L->path, origin, k->section, k->key, why);
    else
        snprintf(msg, size, "%s%s.%s: %s", origin == ORIGIN_OVERRIDE ? "-o " : "", k->section,
                 k->key, why);
    return -1;
}

/* Problems after the file's, in this order when the first is picked. */
#define LINE_OVERRIDE (1 << 29)
#define LINE_RULE (1 << 30)

static void override_apply(load_t *L, int i, const char *ov)
{
    char name[2 * TC_CONFIG_NAME_MAX], why[WHY_MAX];
    const char *eq = strchr(ov, '=');
    size_t len = eq ? (size_t)(eq - ov) : 0;
    if (!eq || len == 0 || len >= sizeof name) {
        load_error(L, LINE_OVERRIDE + i, "-o %s: expected section.key=value", ov);
        return;
    }
    memcpy(name, ov, len);
    name[len] = '\0';
    const tc_config_key_t *k = tc_config_key_find(name, NULL);
    if (!k) {
        load_error(L, LINE_OVERRIDE + i, "-o %s: unknown key", name);
        return;
    }
    value_t v;
    if (value_parse(k, eq + 1, &v, why, sizeof why) < 0) {
        load_error(L, LINE_OVERRIDE + i, "-o %s: %s", name, why);
        return;
    }
    value_store(k, &v, &L->cfg);
    L->origin[key_index(k)] = ORIGIN_OVERRIDE;
}

/* Defaults, file, overrides, then (only if all of those were good, since a half-read
 * file would break rules spuriously) the rules.  Problems are counted in L; returns
 * -errno only when the file cannot be read at all. */
static int load_run(load_t *L, const char *path, char *const *overrides, int n_overrides)
{
    tc_config_keys(&L->n_keys);
    L->origin = calloc((size_t)L->n_keys, sizeof L->origin[0]);
    if (!L->origin)
        return TC_ERR(-ENOMEM, "config: out of memory");
    tc_config_defaults(&L->cfg);
    L->path = path;
    if (path) {
        int r = load_file(L);
        if (r < 0)
            return r;
    }
    for (int i = 0; i < n_overrides; i++)
        override_apply(L, i, overrides[i]);
    if (L->errors)
        return 0;
    int n;
    const tc_config_rule_t *rules = tc_config_rules(&n);
    for (int i = 0; i < n; i++) {
        char msg[TC_ERR_MSG_MAX];
        if (rule_broken(L, &L->cfg, &rules[i], msg, sizeof msg) < 0)
            load_error(L, LINE_RULE, "%s", msg);
    }
    return 0;
}

static void load_free(load_t *L)
{
    free(L->line);
    free(L->origin);
    free(L);
}

int tc_config_load_overrides(tc_config_t *c, const char *path, char *const *overrides,
                             int n_overrides)
{
    load_t *L = calloc(1, sizeof *L);
    if (!L)
        return TC_ERR(-ENOMEM, "config: out of memory");
    int r = load_run(L, path, overrides, n_overrides);
    if (r == 0 && L->errors > 1)
        r = TC_ERR(-EINVAL, "%s (and %d more error%s)", L->first, L->errors - 1,
                   L->errors > 2 ? "s" : "");
    else if (r == 0 && L->errors)
        r = TC_ERR(-EINVAL, "%s", L->first);
    else if (r == 0)
        *c = L->cfg;
    load_free(L);
    return r;
}

int tc_config_lint(const char *path, char *const *overrides, int n_overrides, FILE *report)
{
    load_t *L = calloc(1, sizeof *L);
    if (!L)
        return TC_ERR(-ENOMEM, "config: out of memory");
    L->report = report;
    int r = load_run(L, path, overrides, n_overrides);
    if (r == 0)
        r = L->errors;
    load_free(L);
    return r;
}

int tc_config_load(tc_config_t *c, const char *path)
{
    return tc_config_load_overrides(c, path, NULL, 0);
}

int tc_config_reload(tc_config_t *c, const char *path, char *const *overrides, int n_overrides)
{
    tc_config_t next;
    int r = tc_config_load_overrides(&next, path, overrides, n_overrides);
    if (r < 0)
        return r;
    int n;
    const tc_config_key_t *k = tc_config_keys(&n);
    int changed = 0;
    for (int i = 0; i < n; i++) {
        char was[TC_CONFIG_PATH_MAX + 1], now[TC_CONFIG_PATH_MAX + 1];
        tc_config_value_format(c, &k[i], was, sizeof was);
        tc_config_value_format(&next, &k[i], now, sizeof now);
        if (strcmp(was, now) == 0)
            continue;
        changed++;
        TC_LOG(TC_LOG_NOTICE, "config reload: %s.%s: %s -> %s%s", k[i].section, k[i].key,
               was[0] ? was : "\"\"", now[0] ? now : "\"\"",
               k[i].flags & TC_CONFIG_RESTART ? " (applies at restart)" : "");
    }
    *c = next;
    return changed;
}

int tc_config_set(tc_config_t *c, const char *section_dot_key, const char *value)
{
    char why[WHY_MAX];
    const tc_config_key_t *k = tc_config_key_find(section_dot_key, NULL);
    if (!k)
        return TC_ERR(-EINVAL, "%s: unknown key", section_dot_key);
    value_t v;
    if (value_parse(k, value, &v, why, sizeof why) < 0)
        return TC_ERR(-EINVAL, "%s: %s", section_dot_key, why);
    value_store(k, &v, c);
    return 0;
}

int tc_config_check(const tc_config_t *c)
{
    int n;
    const tc_config_key_t *k = tc_config_keys(&n);
    for (int i = 0; i < n; i++) {
        char text[TC_CONFIG_PATH_MAX + 1], why[WHY_MAX];
        value_t v;
        if (k[i].type == TC_CONFIG_STRING && !memchr((const char *)c + k[i].offset, 0, k[i].size))
            return TC_ERR(-EINVAL, "%s.%s: not NUL-terminated", k[i].section, k[i].key);
        if (tc_config_value_format(c, &k[i], text, sizeof text) < 0 ||
            value_parse(&k[i], text, &v, why, sizeof why) < 0)
            return TC_ERR(-EINVAL, "%s.%s: %s", k[i].section, k[i].key, why);
    }
    int nr;
    const tc_config_rule_t *rules = tc_config_rules(&nr);
    for (int i = 0; i < nr; i++) {
        char msg[TC_ERR_MSG_MAX];
        if (rule_broken(NULL, c, &rules[i], msg, sizeof msg) < 0)
            return TC_ERR(-EINVAL, "%s", msg);
    }
    return 0;
}

/* ---- output --------------------------------------------------------------------------- */

/* "int 1024..1073741824, power of two", "duration 1ms..1h", "one of spin, yield, futex". */
static void describe_type(const tc_config_key_t *k, char *buf, size_t n)
{
    char lo[64], hi[64];
    int len = 0;
    switch (k->type) {
    case TC_CONFIG_STRING:
        len = snprintf(buf, n, "string");
        break;
    case TC_CONFIG_BOOL:
        len = snprintf(buf, n, "bool");
        break;
    case TC_CONFIG_ENUM:
        len = snprintf(buf, n, "one of ");
        for (const tc_config_enum_t *e = k->values; e->name && (size_t)len < n; e++)
            len += snprintf(buf + len, n - (size_t)len, "%s%s", e->name, e[1].name ? ", " : "");
        break;
    case TC_CONFIG_DOUBLE:
        format_double(k->dmin, lo, sizeof lo);
        format_double(k->dmax, hi, sizeof hi);
        len = snprintf(buf, n, "number %s..%s", lo, hi);
        break;
    default:
        format_plain(k, k->min, lo, sizeof lo);
        format_plain(k, k->max, hi, sizeof hi);
        len = snprintf(buf, n, "%s %s..%s",
                       k->type == TC_CONFIG_INT ? "int" :
                       k->type == TC_CONFIG_DURATION ? "duration" : "size", lo, hi);
        if (k->flags & TC_CONFIG_POW2)
            len += snprintf(buf + len, n - (size_t)len, ", power of two");
        break;
    }
    (void)len;
}

/* Writes text as '# ' comment lines of at most width columns. */
static void comment_wrap(FILE *f, const char *text, int width)
{
    const char *p = text;
    while (*p) {
        int room = width - 2, take = (int)strlen(p);
        if (take > room) {
            take = room;
            while (take > 0 && p[take] != ' ')
                take--;
            if (take == 0)
                take = room;
        }
        fprintf(f, "# %.*s\n", take, p);
        p += take;
        while (*p == ' ')
            p++;
    }
}

int tc_config_dump(const tc_config_t *c, FILE *f, int with_docs)
{
    int n;
    const tc_config_key_t *k = tc_config_keys(&n);
    if (with_docs)
        fputs("# tickcast configuration: one INI file, a section per process.\n"
              "#\n"
              "# Every key has a default, so any key, or the whole file, may be left out.\n"
              "# Check a file:  tickcast config --check --config FILE\n"
              "# This file:     tickcast config --dump --docs   (docs/CONFIG.md has the same)\n"
              "# Override:      -o section.key=value on any tickcast program's command line\n"
              "# Durations: 250ms, 1.5s, 10s, 5m, 1h, 1d.  Sizes: 4096, 64KiB, 256MiB, 1GiB.\n"
              "# Booleans: true/false.  Comments start with ';' or '#'; values are not quoted.\n"
              "# SIGHUP (systemctl reload tickcast) reads the file again: a bad file keeps the\n"
              "# running configuration.  Keys marked \"restart\" apply when their process\n"
              "# restarts.\n",
              f);
    const char *section = "";
    for (int i = 0; i < n; i++) {
        char val[TC_CONFIG_PATH_MAX + 1], type[256];
        if (strcmp(section, k[i].section) != 0) {
            section = k[i].section;
            fprintf(f, "%s[%s]\n", i || with_docs ? "\n" : "", section);
        } else if (with_docs) {
            fputc('\n', f);
        }
        if (tc_config_value_format(c, &k[i], val, sizeof val) < 0)
            return TC_ERR(-EIO, "config: %s.%s does not fit", k[i].section, k[i].key);
        if (with_docs) {
            describe_type(&k[i], type, sizeof type);
            comment_wrap(f, k[i].doc, 88);
            char meta[512];
            const char *q = k[i].type == TC_CONFIG_STRING ? "\"" : "";
            snprintf(meta, sizeof meta, "%s; default %s%s%s%s", type, q, k[i].def, q,
                     k[i].flags & TC_CONFIG_RESTART ? "; restart" : "");
            comment_wrap(f, meta, 88);
        }
        fprintf(f, "%s =%s%s\n", k[i].key, val[0] ? " " : "", val);
    }
    fflush(f);
    return ferror(f) ? TC_ERR(-EIO, "config: write failed") : 0;
}

int tc_config_json(const tc_config_t *c, FILE *f)
{
    int n;
    const tc_config_key_t *k = tc_config_keys(&n);
    const char *section = "";
    fputc('{', f);
    for (int i = 0; i < n; i++) {
        char val[TC_CONFIG_PATH_MAX + 1];
        if (strcmp(section, k[i].section) != 0) {
            fputs(i ? "\n  },\n  " : "\n  ", f);
            section = k[i].section;
            tc_json_put_str(f, section);
            fputs(": {", f);
        } else {
            fputc(',', f);
        }
        fputs("\n    ", f);
        tc_json_put_str(f, k[i].key);
        fputs(": ", f);
        tc_config_value_format(c, &k[i], val, sizeof val);
        if (k[i].type == TC_CONFIG_INT || k[i].type == TC_CONFIG_DOUBLE ||
            k[i].type == TC_CONFIG_BOOL)
            fputs(val, f);
        else
            tc_json_put_str(f, val);
    }
    fputs(n ? "\n  }\n}\n" : "}\n", f);
    fflush(f);
    return ferror(f) ? TC_ERR(-EIO, "config: write failed") : 0;
}

static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', f);
        fputc(*s, f);
    }
}

int tc_config_markdown(FILE *f)
{
    int n, nr;
    const tc_config_key_t *k = tc_config_keys(&n);
    const tc_config_rule_t *rules = tc_config_rules(&nr);
    fputs("# Configuration reference\n\n"
          "<!-- Generated by `tickcast config --markdown` from daemon/runtime/config_table.c;\n"
          "     tests/runtime/test_config.c fails when this file is stale. -->\n\n"
          "Every tickcast process reads one INI file (`--config FILE`; the service uses\n"
          "`/etc/tickcast/tickcast.conf`, whose shipped copy is `systemd/tickcast.conf`),\n"
          "with a section per process. Every key has a default, so no file is needed.\n"
          "`-o section.key=value` overrides one key on the command line.\n\n"
          "- An unknown section or key, a value that does not parse or is out of range,\n"
          "  a key set twice and a broken rule between keys are errors naming\n"
          "  `file:line section.key` and why, e.g.\n"
          "  `tickcast.conf:12 shm.ticks_capacity: 1000 is not a power of two`.\n"
          "- Durations: a number and a unit, `ns`, `us`, `ms`, `s`, `m` (or `min`), `h`, `d`\n"
          "  (`250ms`, `1.5s`, `5m`); `0` needs none.\n"
          "- Sizes: bytes, or a number and a unit: `KiB`, `MiB`, `GiB`, `TiB` (or `K`,\n"
          "  `M`, `G`, `T`), or SI `kB`, `MB`, `GB`, `TB`.\n"
          "- Booleans: `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0`.\n"
          "- Lists (`stages`, `synthetic_symbols`): comma-separated names.\n"
          "- Comments start a line with `;` or `#`, or follow a value after ` ;`. Values\n"
          "  are not quoted; a line holds at most 198 characters (inih's limit).\n"
          "- Relative paths are taken from `tickcastd.state_dir`, else `$STATE_DIRECTORY`,\n"
          "  else the current directory.\n"
          "- `tickcastd` reloads the file on SIGHUP (`systemctl reload tickcast`); a bad\n"
          "  file keeps the running configuration. Keys marked *restart* apply when their\n"
          "  process restarts.\n",
          f);
    const char *section = "";
    for (int i = 0; i < n; i++) {
        char type[256];
        if (strcmp(section, k[i].section) != 0) {
            section = k[i].section;
            fprintf(f, "\n## [%s]\n\n| key | type | default | description |\n"
                       "| --- | --- | --- | --- |\n", section);
        }
        describe_type(&k[i], type, sizeof type);
        fprintf(f, "| `%s` | ", k[i].key);
        md_cell(f, type);
        fprintf(f, " | %s%s%s | ", k[i].def[0] ? "`" : "", k[i].def[0] ? k[i].def : "(empty)",
                k[i].def[0] ? "`" : "");
        md_cell(f, k[i].doc);
        fprintf(f, "%s |\n", k[i].flags & TC_CONFIG_RESTART ? " *restart*" : "");
    }
    fputs("\n## Rules between keys\n\n", f);
    for (int i = 0; i < nr; i++)
        fprintf(f, "- `%s`, `%s`: %s\n", rules[i].a, rules[i].b, rules[i].doc);
    fflush(f);
    return ferror(f) ? TC_ERR(-EIO, "config: write failed") : 0;
}

int tc_config_diff(const tc_config_t *a, const tc_config_t *b, const tc_config_key_t **keys,
                   int max)
{
    int n, count = 0;
    const tc_config_key_t *k = tc_config_keys(&n);
    for (int i = 0; i < n; i++) {
        char va[TC_CONFIG_PATH_MAX + 1], vb[TC_CONFIG_PATH_MAX + 1];
        tc_config_value_format(a, &k[i], va, sizeof va);
        tc_config_value_format(b, &k[i], vb, sizeof vb);
        if (strcmp(va, vb) == 0)
            continue;
        if (count < max)
            keys[count] = &k[i];
        count++;
    }
    return count;
}

int tc_config_list_split(const char *list, char (*items)[TC_CONFIG_NAME_MAX], int max)
{
    int count = 0;
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && isspace((unsigned char)*a))
            a++;
        while (b > a && isspace((unsigned char)b[-1]))
            b--;
        if (b > a) {
            if (count < max) {
                size_t len = (size_t)(b - a);
                if (len > TC_CONFIG_NAME_MAX - 1)
                    len = TC_CONFIG_NAME_MAX - 1;
                memcpy(items[count], a, len);
                items[count][len] = '\0';
            }
            count++;
        }
        p = *end ? end + 1 : end;
    }
    return count;
}

int tc_config_path_resolve(const tc_config_t *c, const char *path, char *buf, size_t size)
{
    const char *base = c->tickcastd.state_dir;
    size_t base_len = strlen(base);
    if (!base[0]) {
        /* systemd joins several state directories with ':'; ours is the first. */
        const char *env = getenv("STATE_DIRECTORY");
        base = env ? env : "";
        base_len = strcspn(base, ":");
    }
    int len;
    if (!path[0] || path[0] == '/' || base_len == 0)
        len = snprintf(buf, size, "%s", path);
    else
        len = snprintf(buf, size, "%.*s%s%s", (int)base_len, base,
                       base[base_len - 1] == '/' ? "" : "/", path);
    if (len < 0 || (size_t)len >= size)
        return TC_ERR(-ENAMETOOLONG, "path %s: longer than %zu characters", path, size - 1);
    return len;
}
