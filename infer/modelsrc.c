/* modelsrc.c — the inference stage's model source (modelsrc.h). */
#include "infer/modelsrc.h"
#include "daemon/runtime/err.h"
#include "infer/forecast.h"
#include "infer/registry.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>


int tc_modelsrc_open(tc_modelsrc_t *s, const tc_config_t *cfg)
{
    memset(s, 0, sizeof *s);
    const char *p = cfg->infer.model_file[0] ? cfg->infer.model_file : cfg->infer.registry;
    s->from_registry = cfg->infer.model_file[0] == 0;
    if (tc_config_path_resolve(cfg, p, s->path, sizeof s->path) < 0)
        return TC_ERR(-ENAMETOOLONG, "infer.%s: path too long",
                      s->from_registry ? "registry" : "model_file");
    snprintf(s->model, sizeof s->model, "%s", cfg->infer.model);
    snprintf(s->alias, sizeof s->alias, "%s", cfg->infer.model_alias);
    return 0;
}

void tc_modelsrc_close(tc_modelsrc_t *s)
{
    tc_registry_close(s->reg);
    s->reg = NULL;
}

const char *tc_modelsrc_describe(tc_modelsrc_t *s)
{
    if (!s->why[0])
        snprintf(s->why, sizeof s->why, "%s %s", s->from_registry ? "registry" : "model file",
                 s->path);
    return s->why;
}

static int load(tc_modelsrc_t *s, const tc_modelsrc_info_t *info, tc_model_t **ret)
{
    tc_model_load_opts_t o = {.max_batch = 1, .max_steps = 1, .feature_known = tc_forecast_feature_known};
    int r = tc_model_load(ret, info->path, &o);
    return r < 0 ? r : 1;
}

static int poll_file(tc_modelsrc_t *s, tc_modelsrc_info_t *info, tc_model_t **ret)
{
    struct stat st;
    if (stat(s->path, &st) < 0) {
        snprintf(s->why, sizeof s->why, "model file %s: %s", s->path, strerror(errno));
        return 0;
    }
    if (s->seen && st.st_dev == s->dev && st.st_ino == s->ino && st.st_size == s->size &&
        st.st_mtim.tv_sec == s->mtime.tv_sec && st.st_mtim.tv_nsec == s->mtime.tv_nsec)
        return 0;
    s->seen = 1;
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->size = st.st_size;
    s->mtime = st.st_mtim;
    memset(info, 0, sizeof *info);
    const char *base = strrchr(s->path, '/');
    snprintf(info->name, sizeof info->name, "%s", base ? base + 1 : s->path);
    char *dot = strrchr(info->name, '.');
    if (dot && dot != info->name)
        *dot = 0;
    snprintf(info->path, sizeof info->path, "%s", s->path);
    info->version = s->version + 1; /* a model file's versions count its loads */
    int r = load(s, info, ret);
    if (r > 0)
        s->version = info->version;
    return r;
}

/* The version the alias names now; 0 and *v, or 1 when there is nothing to serve yet
 * (s->why says why), or a negative errno from the registry. */
static int registry_target(tc_modelsrc_t *s, tc_registry_version_t *v)
{
    if (!s->reg) {
        if (tc_registry_open((tc_registry_t **)&s->reg, s->path, TC_REGISTRY_READONLY) < 0) {
            snprintf(s->why, sizeof s->why, "%s", tc_err_msg());
            tc_err_clear();
            return 1; /* not created yet: look again at the next poll */
        }
    } else if (s->seen && tc_registry_changed(s->reg) == 0) {
        return 2; /* nothing committed since the last look */
    }
    char name[TC_REGISTRY_NAME_MAX];
    snprintf(name, sizeof name, "%s", s->model);
    if (!name[0] && tc_registry_model_only(s->reg, name) < 0) {
        snprintf(s->why, sizeof s->why, "registry %s: %s", s->path, tc_err_msg());
        tc_err_clear();
        s->seen = 1;
        return 1;
    }
    s->seen = 1;
    if (tc_registry_resolve(s->reg, name, s->alias, v) < 0) {
        snprintf(s->why, sizeof s->why, "registry %s: no version of model '%s' is under alias '%s'",
                 s->path, name, s->alias);
        tc_err_clear();
        return 1;
    }
    return 0;
}

static int poll_registry(tc_modelsrc_t *s, tc_modelsrc_info_t *info, tc_model_t **ret)
{
    tc_registry_version_t v;
    int r = registry_target(s, &v);
    if (r != 0 || (uint32_t)v.version == s->version)
        return 0;
    s->version = (uint32_t)v.version; /* served or refused, it is not tried again */
    memset(info, 0, sizeof *info);
    snprintf(info->name, sizeof info->name, "%s", v.model);
    info->version = (uint32_t)v.version;
    snprintf(info->path, sizeof info->path, "%s", v.path);
    snprintf(info->sha256, sizeof info->sha256, "%s", v.sha256);
    /* the file must still be the one registered: a model is never served on trust */
    if ((r = tc_registry_verify(&v)) < 0)
        return r;
    return load(s, info, ret);
}

int tc_modelsrc_poll(tc_modelsrc_t *s, tc_modelsrc_info_t *info, tc_model_t **ret)
{
    *ret = NULL;
    return s->from_registry ? poll_registry(s, info, ret) : poll_file(s, info, ret);
}
