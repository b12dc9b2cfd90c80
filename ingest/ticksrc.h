/* ticksrc.h — one reader for "a tick source given by a path": a directory of native
 * tick files (merged in time order), one native file (.tck, replayed through io_uring),
 * or any file the importers read.  `tickcast replay`, training and evaluation use it. */
#ifndef TC_INGEST_TICKSRC_H
#define TC_INGEST_TICKSRC_H

#include "ingest/import.h"
#include "ingest/replay.h"
#include "ingest/tickdir.h"

typedef struct tc_ticksrc {
    tc_replay_t *rp;
    tc_tickdir_t *dir;
    tc_import_t *imp;
} tc_ticksrc_t;

/* Opens path by what it is; 0, or a negative errno with "path: reason" on the stack. */
int tc_ticksrc_open(tc_ticksrc_t *s, const char *path);
/* Up to max ticks (symbol ids index tc_ticksrc_symbols); 0 at the end, <0 on error. */
int tc_ticksrc_read(tc_ticksrc_t *s, tc_tick_t *out, int max);
/* The source's symbol table (an imported file has one symbol). */
const tc_symbol_t *tc_ticksrc_symbols(tc_ticksrc_t *s, int *ret_n);
/* Safe on a zeroed or failed source. */
void tc_ticksrc_close(tc_ticksrc_t *s);

#endif
