/* stage.h — the tickcast-infer stage: reads the features ring, runs the served model's
 * streaming step per symbol (engine.h), writes the predictions ring and publishes
 * pred.<SYMBOL> over ZeroMQ (docs/PROTOCOL.md).
 *
 * The model comes from the registry alias infer.model_alias (or infer.model_file); the
 * stage checks for a new one every infer.model_poll and switches between two records:
 * the record before the switch is predicted by the old model, the one after by the new
 * one, none is dropped, and the switch is announced on the `model` topic.  Without a
 * usable model the stage still consumes the features ring (it is a required consumer,
 * and must not stall the pipeline) and counts the records it could not serve.
 */
#ifndef TC_INFER_STAGE_H
#define TC_INFER_STAGE_H

#include "daemon/stage.h"

extern const tc_stage_ops_t tc_infer_stage;

#endif
