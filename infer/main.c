/* main.c — tickcast-infer (infer/stage.h). */
#include "daemon/stage_cli.h"
#include "infer/stage.h"

int main(int argc, char **argv) { return tc_stage_main(&tc_infer_stage, argc, argv); }
