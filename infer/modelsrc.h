/* modelsrc.h — where the inference stage gets its model: the registry alias
 * (infer.registry, infer.model, infer.model_alias) or one file (infer.model_file).
 *
 * tc_modelsrc_poll is called at start and then every infer.model_poll: it loads the
 * model the source names now when that differs from the one last seen (a new version
 * under the alias, or a replaced file).  A model that fails to load is remembered, so
 * it is reported once, not on every poll.
 */
#ifndef TC_INFER_MODELSRC_H
#define TC_INFER_MODELSRC_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "daemon/runtime/config.h"
#include "infer/model.h"

typedef struct tc_modelsrc_info {
    char name[64];     /* registry model name, or the file's base name */
    uint32_t version;  /* registry version; for a model file, 1, 2, ... per load */
    char path[4096];
    char sha256[65];   /* "" when not known */
} tc_modelsrc_info_t;

typedef struct tc_modelsrc {
    int from_registry;
    char path[4096];   /* model file, or registry database */
    char model[64], alias[64];
    void *reg;         /* tc_registry_t, opened read-only on first use */
    /* identity of the model last seen (served or refused) */
    dev_t dev;
    ino_t ino;
    struct timespec mtime;
    off_t size;
    uint32_t version;
    int seen;
    char why[256];          /* why nothing is served yet */
} tc_modelsrc_t;

/* Resolves the configured source (paths relative to state_dir).  Opening does not load
 * anything; 0, or a negative errno with TC_ERR for an unusable setting. */
int tc_modelsrc_open(tc_modelsrc_t *s, const tc_config_t *cfg);
void tc_modelsrc_close(tc_modelsrc_t *s);
/* 1: a new model was loaded into *ret (owned by the caller) and *info names it;
 * 0: nothing new; a negative errno: the new model could not be loaded (TC_ERR says
 * why; it is not retried until the source names another one). */
int tc_modelsrc_poll(tc_modelsrc_t *s, tc_modelsrc_info_t *info, tc_model_t **ret);
/* One line saying where models come from and why none is served, for logs. */
const char *tc_modelsrc_describe(tc_modelsrc_t *s);

#endif
