/* cmd_synth.c — `tickcast synth`: the seeded synthetic market (ingest/synth.h) written
 * to a native tick file, for demos and tests: the same seed and options give the same
 * file.  Stops after --ticks ticks (all symbols together) or --seconds of event time.
 */
#include "tools/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/runtime/err.h"
#include "ingest/synth.h"
#include "ingest/tickfile.h"

static int cmd_synth(int argc, char **argv)
{
    const char *out = NULL, *symbols = "EURUSD,USDJPY,XAUUSD,BTCUSDT";
    unsigned long long seed = 42, ticks = 0;
    double seconds = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *e = NULL;
        if (!v)
            return TC_ERR(-EINVAL, "%s needs a value (tickcast synth --help)", a), 1;
        errno = 0;
        if (!strcmp(a, "-o") || !strcmp(a, "--output"))
            out = v;
        else if (!strcmp(a, "--symbols"))
            symbols = v;
        else if (!strcmp(a, "--seed"))
            seed = strtoull(v, &e, 10);
        else if (!strcmp(a, "--ticks"))
            ticks = strtoull(v, &e, 10);
        else if (!strcmp(a, "--seconds"))
            seconds = strtod(v, &e);
        else
            return TC_ERR(-EINVAL, "unknown option %s (tickcast synth --help)", a), 1;
        if (e && (e == v || *e || errno || v[0] == '-'))
            return TC_ERR(-EINVAL, "%s \"%s\": expected a non-negative number", a, v), 1;
        i++;
    }
    if (!out)
        return TC_ERR(-EINVAL, "-o FILE.tck is required"), 1;
    if (!ticks && !(seconds > 0))
        return TC_ERR(-EINVAL, "give --ticks N or --seconds S"), 1;
    tc_synth_opts_t so = {.seed = seed};
    char names[TC_SYNTH_SYMBOLS_MAX][32], buf[1024];
    snprintf(buf, sizeof buf, "%s", symbols);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (so.n_symbols == TC_SYNTH_SYMBOLS_MAX)
            return TC_ERR(-EINVAL, "--symbols: at most %d", TC_SYNTH_SYMBOLS_MAX), 1;
        snprintf(names[so.n_symbols], 32, "%s", t);
        so.symbols[so.n_symbols] = names[so.n_symbols];
        so.n_symbols++;
    }
    tc_synth_t *s = tc_synth_create(&so);
    if (!s)
        return 1;
    tc_tickfile_t *tf = tc_tickfile_open(out, TC_TICKFILE_CREATE, NULL);
    int r = tf ? 0 : -EIO;
    for (int i = 0; r == 0 && i < tc_synth_count(s); i++) {
        int id = tc_tickfile_symbol_add(tf, tc_synth_symbol(s, i));
        if (id < 0)
            r = id;
        else if (id != i)
            r = TC_ERR(-EPROTO, "%s: symbol %d got index %d", out, i, id);
    }
    tc_tick_t batch[512];
    unsigned long long written = 0;
    int64_t end = 0;
    while (r == 0) {
        tc_synth_next(s, batch, 512);
        if (!end)
            end = batch[0].ts_event + (int64_t)(seconds * 1e9);
        int n = 512;
        if (ticks && written + (unsigned long long)n > ticks)
            n = (int)(ticks - written);
        if (!ticks)
            for (n = 0; n < 512 && batch[n].ts_event < end; n++)
                ;
        if (n > 0)
            r = tc_tickfile_append(tf, batch, n);
        written += (unsigned long long)n;
        if (n < 512)
            break;
    }
    int rc = tc_tickfile_close(tf);
    r = r < 0 ? r : rc;
    tc_synth_destroy(s);
    if (r < 0)
        return 1;
    fprintf(stderr, "tickcast synth: %llu ticks of %d symbols to %s\n", written, so.n_symbols, out);
    return 0;
}

TC_CLI_COMMAND(synth, "write the seeded synthetic market to a native tick file",
               "tickcast synth -o FILE.tck [--seed N] [--symbols A,B] [--ticks N | --seconds S]\n"
               "  -o FILE.tck     the tick file to create (replaced if it exists)\n"
               "  --seed N        the market's seed (default 42)\n"
               "  --symbols A,B   symbol names (default EURUSD,USDJPY,XAUUSD,BTCUSDT)\n"
               "  --ticks N       stop after N ticks, all symbols together\n"
               "  --seconds S     stop after S seconds of event time\n",
               cmd_synth);
