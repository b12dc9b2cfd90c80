/* symbols.h — the symbol table shared by importers, native tick files and the ingest
 * stage.  tc_tick_t.sym is an index into one of these tables (the file's, or the
 * instance's).  Fixed-size entries so a table can live in a file header or in shared
 * memory as it is. */
#ifndef TC_INGEST_SYMBOLS_H
#define TC_INGEST_SYMBOLS_H

#include "shm/records.h" /* tc_symbol_t lives with the other shared layouts */

#endif
