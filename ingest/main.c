/* main.c — tickcast-ingest (ingest/stage.h). */
#include "daemon/stage_cli.h"
#include "ingest/stage.h"

int main(int argc, char **argv) { return tc_stage_main(&tc_ingest_stage, argc, argv); }
