/* tickdir.h — a directory of native tick files used as one journal: the writer rolls to
 * a new file by size and/or by UTC day of event time; the reader replays every file of
 * the directory as one stream merged in event-time order.
 *
 * Files are named <prefix>-<serial>-<YYYYMMDD>.tck (serial: 6 digits, creation order;
 * date: UTC day of the file's first tick), so a listing by name is creation order.
 * Every file carries the whole symbol table of the directory as it was when the file
 * was started plus what was added later, so each file is readable on its own, and a
 * symbol has the same index in every file the writer made.  docs/FORMATS.md,
 * "Directories of tick files", is the reference.
 */
#ifndef TC_INGEST_TICKDIR_H
#define TC_INGEST_TICKDIR_H

#include "ingest/tickfile.h"

typedef struct tc_tickdir_opts {
    tc_tickfile_opts_t file; /* for the files written (codec, block size) and read (skip_damaged) */
    const char *prefix;      /* file name prefix, NULL = "ticks" */
    uint64_t roll_bytes;     /* writer: start a new file once one reaches this size (0 = never) */
    int roll_daily;          /* writer: start a new file when the UTC day of ts_event changes */
} tc_tickdir_opts_t;

typedef struct tc_tickdir tc_tickdir_t;

/* Lists the *.tck files of dir, sorted by name.  Returns the count and a malloc'd array
 * of malloc'd paths in *ret_paths (the caller frees each and the array), or -errno. */
int tc_tickdir_list(const char *dir, char ***ret_paths);

/* Opens dir in TC_TICKFILE_READ or TC_TICKFILE_APPEND mode (the directory must exist;
 * appending continues its newest file, cutting a torn tail).  NULL with the reason on
 * the error stack. */
tc_tickdir_t *tc_tickdir_open(const char *dir, int mode, const tc_tickdir_opts_t *o);
/* Flushes (no fdatasync) and closes; returns the flush result.  NULL does nothing. */
int tc_tickdir_close(tc_tickdir_t *td);

/* Writer: as tc_tickfile_symbol_add, for the directory's table. */
int tc_tickdir_symbol_add(tc_tickdir_t *td, const tc_symbol_t *s);
/* Writer: appends n ticks, rolling files as configured.  0 or -errno. */
int tc_tickdir_append(tc_tickdir_t *td, const tc_tick_t *t, int n);
/* Writer: everything appended so far is on disk (current file; rolled files were
 * synced when they were closed).  0 or -errno. */
int tc_tickdir_sync(tc_tickdir_t *td);

/* Writer: the last tick on disk, from the newest file that has one (as
 * tc_tickfile_last): 1 with *out filled, 0 when no file has a tick, or -errno. */
int tc_tickdir_last(tc_tickdir_t *td, tc_tick_t *out);

/* Reader: the next up to max ticks of all files merged by ts_event (ties: the file
 * earlier by name first; within a file, file order).  tick.sym indexes the table of
 * tc_tickdir_symbols.  Count, 0 at the end, <0 as tc_replay_read. */
int tc_tickdir_read(tc_tickdir_t *td, tc_tick_t *out, int max);

/* The directory's symbol table (the union over its files, by name and venue).
 * Borrowed; valid until close or the next symbol_add. */
const tc_symbol_t *tc_tickdir_symbols(const tc_tickdir_t *td, int *ret_n);

/* Files in the directory (read: listed at open; write: including those made since). */
int tc_tickdir_file_count(const tc_tickdir_t *td);

#endif
