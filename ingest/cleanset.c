/* cleanset.c — per-symbol cleaners over one stream (cleanset.h). */
#include "ingest/cleanset.h"
#include "daemon/runtime/err.h"
#include "shm/segment.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct tc_cleanset {
    tc_clean_cfg_t base;
    char *spec;
    const char *(*names)(void *ctx, uint16_t id);
    void *ctx;
    tc_clean_t **c; /* (TC_SHM_SYMBOLS_MAX), NULL until the symbol's first tick */
    uint16_t active[TC_SHM_SYMBOLS_MAX]; /* ids with a cleaner, in creation order */
    int n_active;
    int flush_next; /* index into active tc_cleanset_flush looks at next */
};

void tc_cleanset_cfg_from_config(tc_clean_cfg_t *cfg, const tc_config_ingest_t *ic)
{
    tc_clean_cfg_default(cfg);
    cfg->window = ic->outlier_mad_k > 0 ? (int)ic->outlier_window : 0;
    cfg->k = ic->outlier_mad_k > 0 ? ic->outlier_mad_k : cfg->k;
    cfg->action[TC_CLEAN_OUTLIER] = TC_CLEAN_DROP;
    cfg->action[TC_CLEAN_CROSSED] =
        ic->crossed_policy == TC_CONFIG_CROSSED_DROP ? TC_CLEAN_DROP : TC_CLEAN_KEEP;
    cfg->gap_ns = ic->stale_gap;
}

/* Applies the spec's segments that concern symbol name (NULL: every segment, to check
 * them all at once).  0 or -EINVAL naming the item. */
static int apply_spec(tc_clean_cfg_t *cfg, const char *spec, const char *name)
{
    char buf[1024];
    if (strlen(spec) >= sizeof buf)
        return TC_ERR(-EINVAL, "ingest.clean: longer than %zu characters", sizeof buf - 1);
    strcpy(buf, spec);
    for (char *save = NULL, *seg = strtok_r(buf, ";", &save); seg; seg = strtok_r(NULL, ";", &save)) {
        char *colon = strchr(seg, ':');
        char *eq = strchr(seg, '=');
        if (colon && (!eq || colon < eq)) { /* "SYMBOL:key=value,..." */
            *colon = '\0';
            if (name && strcmp(seg, name))
                continue;
            seg = colon + 1;
        }
        if (*seg && tc_clean_cfg_parse(cfg, seg) < 0)
            return TC_ERR_APPEND(-EINVAL, "ingest.clean");
    }
    return 0;
}

tc_cleanset_t *tc_cleanset_create(const tc_clean_cfg_t *base, const char *spec,
                                  const char *(*names)(void *ctx, uint16_t id), void *ctx)
{
    tc_cleanset_t *cs = calloc(1, sizeof *cs);
    if (!cs || !(cs->c = calloc(TC_SHM_SYMBOLS_MAX, sizeof *cs->c)) ||
        !(cs->spec = strdup(spec ? spec : ""))) {
        TC_ERR(-ENOMEM, "cleaning: out of memory");
        tc_cleanset_destroy(cs);
        return NULL;
    }
    cs->base = *base;
    cs->names = names;
    cs->ctx = ctx;
    /* a bad spec is found now, not at some symbol's first tick */
    tc_clean_cfg_t check = *base;
    tc_clean_t *probe = NULL;
    if (apply_spec(&check, cs->spec, NULL) < 0 || !(probe = tc_clean_create(&check))) {
        tc_cleanset_destroy(cs);
        return NULL;
    }
    tc_clean_destroy(probe);
    return cs;
}

void tc_cleanset_destroy(tc_cleanset_t *cs)
{
    if (!cs)
        return;
    if (cs->c)
        for (int i = 0; i < cs->n_active; i++)
            tc_clean_destroy(cs->c[cs->active[i]]);
    free(cs->c);
    free(cs->spec);
    free(cs);
}

static tc_clean_t *cleaner(tc_cleanset_t *cs, uint16_t sym)
{
    if (sym >= TC_SHM_SYMBOLS_MAX)
        return NULL;
    if (!cs->c[sym]) {
        tc_clean_cfg_t cfg = cs->base;
        const char *name = cs->names ? cs->names(cs->ctx, sym) : NULL;
        if (apply_spec(&cfg, cs->spec, name ? name : "") < 0)
            return NULL;
        if ((cs->c[sym] = tc_clean_create(&cfg)))
            cs->active[cs->n_active++] = sym;
    }
    return cs->c[sym];
}

int tc_cleanset_push(tc_cleanset_t *cs, tc_tick_t *t, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        tc_clean_t *c = cleaner(cs, t[i].sym);
        if (!c)
            return TC_ERR(tc_err_code() ? tc_err_code() : -EINVAL,
                          "cleaning: no cleaner for symbol %u", t[i].sym);
        tc_tick_t in = t[i];
        k += tc_clean_push(c, &in, &t[k]); /* k <= i: writes only slots already read */
    }
    return k;
}

int tc_cleanset_flush(tc_cleanset_t *cs, tc_tick_t *out, int max)
{
    int k = 0;
    for (; cs->flush_next < cs->n_active && k + TC_CLEAN_CONFIRM_MAX <= max; cs->flush_next++)
        k += tc_clean_flush(cs->c[cs->active[cs->flush_next]], out + k, max - k);
    return k;
}

void tc_cleanset_stats(const tc_cleanset_t *cs, tc_clean_stats_t *ret)
{
    memset(ret, 0, sizeof *ret);
    for (int i = 0; i < cs->n_active; i++) {
        const tc_clean_stats_t *s = tc_clean_stats(cs->c[cs->active[i]]);
        ret->in += s->in;
        ret->out += s->out;
        ret->dropped += s->dropped;
        ret->gaps += s->gaps;
        for (int r = 0; r < TC_CLEAN_REASON_MAX; r++) {
            ret->hits[r] += s->hits[r];
            ret->dropped_by[r] += s->dropped_by[r];
        }
    }
}
