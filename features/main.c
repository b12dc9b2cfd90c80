/* main.c — tickcast-features (features/stage.h). */
#include "daemon/stage_cli.h"
#include "features/stage.h"

int main(int argc, char **argv) { return tc_stage_main(&tc_features_stage, argc, argv); }
