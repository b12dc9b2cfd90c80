/* stage_cli.h — main() of a stage process (options, config, signals, run). */
#ifndef TC_DAEMON_STAGE_CLI_H
#define TC_DAEMON_STAGE_CLI_H

#include "daemon/runtime/config.h"
#include "daemon/stage.h"

/* Parses --instance, --config and -o overrides, loads the config, runs the stage.
 * Returns the process exit status: 0 after a clean drain, 1 on failure, 2 on usage. */
int tc_stage_main(const tc_stage_ops_t *ops, int argc, char **argv);
/* Fills env from the config (instance "" or NULL: the config's). */
void tc_stage_env_from_config(tc_stage_env_t *env, const tc_config_t *cfg, const char *instance);

#endif
