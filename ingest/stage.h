/* stage.h — the tickcast-ingest stage: reads ticks from the configured source (the
 * seeded synthetic market; file replay and the live ZeroMQ feed as they are wired in),
 * registers symbols in the instance table, and publishes ticks on the ticks ring. */
#ifndef TC_INGEST_STAGE_H
#define TC_INGEST_STAGE_H

#include "daemon/stage.h"

extern const tc_stage_ops_t tc_ingest_stage;

#endif
