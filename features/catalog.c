/* catalog.c — the list of every streaming TA-Lib function, and instance management
 * (parameter parsing and validation, one state block per instance).  The functions
 * themselves live in the family files ta_*.c. */
#include "features/ta.h"
#include "daemon/runtime/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern const tc_ta_func_t *const tc_ta_family_overlap[];
extern const tc_ta_func_t *const tc_ta_family_cycle[];
extern const tc_ta_func_t *const tc_ta_family_momentum[];
extern const tc_ta_func_t *const tc_ta_family_volume[];
extern const tc_ta_func_t *const tc_ta_family_volatility[];
extern const tc_ta_func_t *const tc_ta_family_price[];
extern const tc_ta_func_t *const tc_ta_family_stats[];
extern const tc_ta_func_t *const tc_ta_family_math[];
extern const tc_ta_func_t *const tc_ta_family_pattern[];

static const tc_ta_func_t *const *const families[] = {
    tc_ta_family_overlap, tc_ta_family_cycle,  tc_ta_family_momentum,
    tc_ta_family_volume,  tc_ta_family_volatility, tc_ta_family_price,
    tc_ta_family_stats,   tc_ta_family_math,   tc_ta_family_pattern,
};
#define N_FAMILIES (sizeof families / sizeof families[0])

int tc_ta_count(void)
{
    int n = 0;
    for (size_t i = 0; i < N_FAMILIES; i++)
        for (const tc_ta_func_t *const *f = families[i]; *f; f++)
            n++;
    return n;
}

const tc_ta_func_t *tc_ta_at(int idx)
{
    for (size_t i = 0; i < N_FAMILIES; i++)
        for (const tc_ta_func_t *const *f = families[i]; *f; f++)
            if (idx-- == 0)
                return *f;
    return NULL;
}

const tc_ta_func_t *tc_ta_find(const char *name)
{
    for (size_t i = 0; i < N_FAMILIES; i++)
        for (const tc_ta_func_t *const *f = families[i]; *f; f++)
            if (strcasecmp((*f)->name, name) == 0)
                return *f;
    return NULL;
}

int tc_ta_params_check(const tc_ta_func_t *f, const double *p)
{
    for (int i = 0; i < f->n_param; i++) {
        const tc_ta_param_t *d = &f->param[i];
        if (isnan(p[i]) || p[i] < d->min || p[i] > d->max)
            return TC_ERR(-EINVAL, "%s: %s=%g is outside its range [%g, %g]", f->name, d->name,
                          p[i], d->min, d->max);
        if (d->type != TC_TA_PARAM_REAL && p[i] != floor(p[i]))
            return TC_ERR(-EINVAL, "%s: %s=%g must be an integer", f->name, d->name, p[i]);
    }
    return 0;
}

int tc_ta_params_parse(const tc_ta_func_t *f, const char *spec, double *p)
{
    for (int i = 0; i < f->n_param; i++)
        p[i] = f->param[i].def;
    if (!spec)
        return 0;
    const char *s = spec;
    while (*s) {
        while (*s == ' ' || *s == ',' || *s == '\t')
            s++;
        if (!*s)
            break;
        const char *eq = strchr(s, '=');
        size_t len = strcspn(s, " ,\t");
        if (!eq || (size_t)(eq - s) >= len)
            return TC_ERR(-EINVAL, "%s: '%.*s' is not NAME=VALUE", f->name, (int)len, s);
        size_t nlen = (size_t)(eq - s);
        int k = -1;
        for (int i = 0; i < f->n_param; i++)
            if (strlen(f->param[i].name) == nlen && strncasecmp(f->param[i].name, s, nlen) == 0)
                k = i;
        if (k < 0)
            return TC_ERR(-EINVAL, "%s: unknown parameter '%.*s'", f->name, (int)nlen, s);
        char buf[64];
        size_t vlen = len - nlen - 1;
        if (vlen == 0 || vlen >= sizeof buf)
            return TC_ERR(-EINVAL, "%s: bad value for %s", f->name, f->param[k].name);
        memcpy(buf, eq + 1, vlen);
        buf[vlen] = '\0';
        char *end;
        double v = strtod(buf, &end);
        if (*end)
            return TC_ERR(-EINVAL, "%s: %s='%s' is not a number", f->name, f->param[k].name, buf);
        p[k] = v;
        s += len;
    }
    return tc_ta_params_check(f, p);
}

struct tc_ta {
    int (*update)(void *st, const double *in, double *out); /* f->update, one load nearer */
    const tc_ta_func_t *f;
    double p[TC_TA_MAX_PARAM];
    int mode;
    int ready;
    size_t size;
    _Alignas(16) unsigned char state[];
};

tc_ta_t *tc_ta_create(const tc_ta_func_t *f, const double *p, int mode)
{
    double def[TC_TA_MAX_PARAM];
    if (!p) {
        tc_ta_params_parse(f, NULL, def);
        p = def;
    }
    if (tc_ta_params_check(f, p) < 0)
        return NULL;
    size_t size = f->state_size(p);
    tc_ta_t *ta = calloc(1, sizeof *ta + size);
    if (!ta) {
        TC_ERR(-ENOMEM, "%s: out of memory for %zu bytes of state", f->name, size);
        return NULL;
    }
    ta->f = f;
    ta->update = f->update;
    memcpy(ta->p, p, sizeof(double) * (size_t)f->n_param);
    ta->mode = mode;
    ta->size = size;
    if (f->init(ta->state, ta->p, mode) < 0) {
        free(ta);
        return NULL;
    }
    return ta;
}

void tc_ta_destroy(tc_ta_t *ta) { free(ta); }

void tc_ta_reset(tc_ta_t *ta)
{
    memset(ta->state, 0, ta->size);
    ta->ready = 0;
    ta->f->init(ta->state, ta->p, ta->mode);
}

int tc_ta_update(tc_ta_t *ta, const double *in, double *out)
{
    int r = ta->update(ta->state, in, out);
    if (!ta->ready) /* written once, not on every bar */
        ta->ready = r;
    return r;
}

int tc_ta_lookback(const tc_ta_t *ta) { return ta->f->lookback(ta->p); }
const tc_ta_func_t *tc_ta_func(const tc_ta_t *ta) { return ta->f; }
int tc_ta_ready(const tc_ta_t *ta) { return ta->ready; }
