/* stage_cli.c — the common main() of stage processes: options, config, logging,
 * signals, then tc_stage_run.  Each stage's main.c is one call:
 *
 *     int main(int argc, char **argv) { return tc_stage_main(&tc_features_stage, argc, argv); }
 */
#include "daemon/stage_cli.h"
#include "daemon/runtime/err.h"
#include "daemon/runtime/log.h"

#include <stdio.h>
#include <string.h>

void tc_stage_env_from_config(tc_stage_env_t *env, const tc_config_t *cfg, const char *instance)
{
    memset(env, 0, sizeof *env);
    env->instance = instance && *instance ? instance : cfg->tickcastd.instance;
    env->wait_kind = cfg->shm.wait == TC_CONFIG_WAIT_SPIN    ? TC_WAIT_SPIN
                     : cfg->shm.wait == TC_CONFIG_WAIT_YIELD ? TC_WAIT_YIELD
                                                             : TC_WAIT_FUTEX;
    env->wait.store = cfg->shm.stores == TC_CONFIG_STORES_CACHED      ? TC_STORE_CACHED
                      : cfg->shm.stores == TC_CONFIG_STORES_STREAMING ? TC_STORE_STREAMING
                                                                      : TC_STORE_AUTO;
    env->wait.spins = (uint32_t)cfg->shm.spin_count;
    env->wait.yields = (uint32_t)cfg->shm.yield_count;
    env->wait.futex_timeout_ns = cfg->shm.futex_timeout;
    env->wait.dead_after_ns = cfg->shm.consumer_dead_after;
    env->heartbeat_interval_ns = cfg->shm.heartbeat_interval;
    env->drain_timeout_ns = cfg->tickcastd.drain_timeout;
    env->config = cfg;
}

static void usage(const tc_stage_ops_t *ops, FILE *f)
{
    fprintf(f,
            "usage: tickcast-%s [--instance NAME] [--config FILE] [-o section.key=value ...]\n\n"
            "Runs the %s stage attached to a running instance's shared-memory segment\n"
            "(/dev/shm/tickcast.<instance>).  tickcastd normally starts it; started by hand it\n"
            "attaches the same way and resumes from its cursors.  SIGTERM drains and exits 0.\n",
            ops->name, ops->name);
}

int tc_stage_main(const tc_stage_ops_t *ops, int argc, char **argv)
{
    static tc_config_t cfg; /* lives for the whole process; stages keep pointers into it */
    const char *config_path = NULL, *instance = NULL;
    char *overrides[64];
    int n_over = 0;
    char ident[48];
    snprintf(ident, sizeof ident, "tickcast-%s", ops->name);
    tc_log_set_ident(ident);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(ops, stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("%s %s\n", ident, TC_VERSION);
            return 0;
        } else if (!strcmp(a, "--config") && i + 1 < argc) {
            config_path = argv[++i];
        } else if (!strcmp(a, "--instance") && i + 1 < argc) {
            instance = argv[++i];
        } else if (!strcmp(a, "-o") && i + 1 < argc && n_over < 64) {
            overrides[n_over++] = argv[++i];
        } else {
            fprintf(stderr, "%s: unknown or incomplete option '%s' (--help)\n", ident, a);
            return 2;
        }
    }
    if (tc_config_load_overrides(&cfg, config_path, overrides, n_over) < 0) {
        fprintf(stderr, "%s: %s\n", ident, tc_err_msg());
        return 2;
    }
    tc_log_set_level(cfg.tickcastd.log_level);
    tc_stage_env_t env;
    tc_stage_env_from_config(&env, &cfg, instance);
    tc_stage_signals_install();
    int r = tc_stage_run(ops, &env);
    if (r < 0) {
        TC_LOG(TC_LOG_ERR, "%s", tc_err_msg());
        return 1;
    }
    return 0;
}
