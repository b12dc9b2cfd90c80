/* symbols.h — the symbol table shared by importers, native tick files and the ingest
 * stage.  tc_tick_t.sym is an index into one of these tables (the file's, or the
 * instance's).  Fixed-size entries so a table can live in a file header or in shared
 * memory as it is. */
#ifndef TC_INGEST_SYMBOLS_H
#define TC_INGEST_SYMBOLS_H

#include <stdint.h>

#define TC_SYMBOL_NAME_MAX 32
#define TC_SYMBOLS_MAX 1024

typedef struct tc_symbol {
    char name[TC_SYMBOL_NAME_MAX];  /* "EURUSD", "SPY", "BTCUSDT" (NUL-terminated) */
    char venue[16];                 /* "FXCM", "binance", "" when unknown */
    char tz[32];                    /* IANA time zone of the source's clock ("America/New_York", "UTC") */
    int64_t tick_size;              /* price increment as a decimal mantissa (0 unknown) */
    int8_t tick_exp;                /* ... and its exponent: 0.1 = (1, -1) */
    int8_t px_exp;                  /* the usual price exponent of this symbol's ticks */
    int8_t qty_exp;                 /* the usual size exponent */
    uint8_t asset_class;            /* enum tc_asset_class */
    uint8_t reserved[4];
} tc_symbol_t;

_Static_assert(sizeof(tc_symbol_t) == 96, "symbol table entries are fixed-size");

enum tc_asset_class {
    TC_ASSET_UNKNOWN = 0, TC_ASSET_FX, TC_ASSET_CFD, TC_ASSET_CRYPTO, TC_ASSET_EQUITY,
    TC_ASSET_FUTURE, TC_ASSET_SYNTHETIC,
};

#endif
