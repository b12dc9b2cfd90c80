/* talib_fixtures.c — writes TA-Lib's outputs for non-default parameter sets, the
 * reference data of tests/golden/test_params.c.  Built and run by tools/talib-fixtures.sh
 * against TA-Lib's C library (npm package `talib`, compiled in a scratch directory); it
 * is not part of the tickcast build and uses only TA-Lib's public abstract API
 * (ta_abstract.h: TA_GetFuncHandle, TA_ParamHolderAlloc, TA_CallFunc).
 *
 *   talib_fixtures INPUT.csv BARS OUTDIR   one OUTDIR/<id>.csv per parameter set below,
 *                                          OUTDIR/params.tsv (their index) and
 *                                          OUTDIR/ranges.tsv (as --ranges)
 *   talib_fixtures --ranges                every function's parameters: kind, default
 *                                          and valid range, as TSV
 *
 * Files follow ../shared/golden/FUNCTIONS.md: `ts`, then derived inputs `in_*`, then the
 * outputs; empty cells during the lookback; shortest round-trip numbers.  Inputs are
 * mapped as FUNCTIONS.md says (one real series: close; two: high, low; OBV: close and
 * volume; the body-ratio series for ACOS ASIN COSH SINH EXP TANH; in_periods for MAVP).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ta_abstract.h"
#include "ta_common.h"

/* One non-default parameter set: fixture id (file name), function, "Name=Value ...". */
typedef struct pset {
    const char *id, *func, *params;
} pset_t;

static const pset_t psets[] = {
    /* Overlap studies: other periods and every MA type through MA, BBANDS, MAVP */
    {"ACCBANDS", "ACCBANDS", "TimePeriod=10"},
    {"BBANDS", "BBANDS", "TimePeriod=10 NbDevUp=1.5 NbDevDn=2.5 MAType=1"},
    {"DEMA", "DEMA", "TimePeriod=10"},
    {"EMA", "EMA", "TimePeriod=12"},
    {"KAMA", "KAMA", "TimePeriod=10"},
    {"MA_dema", "MA", "TimePeriod=10 MAType=3"},
    {"MA_trima", "MA", "TimePeriod=8 MAType=5"},
    {"MA_t3", "MA", "TimePeriod=9 MAType=8"},
    {"MA_wma", "MA", "TimePeriod=7 MAType=2"},
    {"MAMA", "MAMA", "FastLimit=0.3 SlowLimit=0.1"},
    {"MAVP", "MAVP", "MinPeriod=5 MaxPeriod=20 MAType=1"},
    {"MIDPOINT", "MIDPOINT", "TimePeriod=7"},
    {"MIDPRICE", "MIDPRICE", "TimePeriod=9"},
    {"SAR", "SAR", "Acceleration=0.03 Maximum=0.3"},
    {"SAREXT", "SAREXT",
     "StartValue=0 OffsetOnReverse=0.01 AccelerationInitLong=0.01 AccelerationLong=0.03 "
     "AccelerationMaxLong=0.25 AccelerationInitShort=0.03 AccelerationShort=0.01 "
     "AccelerationMaxShort=0.15"},
    {"SMA", "SMA", "TimePeriod=9"},
    {"T3", "T3", "TimePeriod=7 VFactor=0.5"},
    {"TEMA", "TEMA", "TimePeriod=9"},
    {"TRIMA", "TRIMA", "TimePeriod=11"},
    {"WMA", "WMA", "TimePeriod=12"},
    /* Momentum */
    {"ADX", "ADX", "TimePeriod=9"},
    {"ADXR", "ADXR", "TimePeriod=9"},
    {"APO", "APO", "FastPeriod=5 SlowPeriod=15 MAType=2"},
    {"AROON", "AROON", "TimePeriod=7"},
    {"AROONOSC", "AROONOSC", "TimePeriod=9"},
    {"CCI", "CCI", "TimePeriod=20"},
    {"CMO", "CMO", "TimePeriod=9"},
    {"DX", "DX", "TimePeriod=9"},
    {"IMI", "IMI", "TimePeriod=9"},
    {"MACD", "MACD", "FastPeriod=8 SlowPeriod=21 SignalPeriod=5"},
    {"MACDEXT", "MACDEXT",
     "FastPeriod=8 FastMAType=1 SlowPeriod=21 SlowMAType=2 SignalPeriod=5 SignalMAType=4"},
    {"MACDFIX", "MACDFIX", "SignalPeriod=6"},
    {"MFI", "MFI", "TimePeriod=10"},
    {"MINUS_DI", "MINUS_DI", "TimePeriod=9"},
    {"MINUS_DM", "MINUS_DM", "TimePeriod=9"},
    {"MOM", "MOM", "TimePeriod=5"},
    {"PLUS_DI", "PLUS_DI", "TimePeriod=9"},
    {"PLUS_DM", "PLUS_DM", "TimePeriod=9"},
    {"PPO", "PPO", "FastPeriod=6 SlowPeriod=19 MAType=1"},
    {"ROC", "ROC", "TimePeriod=5"},
    {"ROCR100", "ROCR100", "TimePeriod=8"},
    {"RSI", "RSI", "TimePeriod=9"},
    {"STOCH", "STOCH",
     "FastK_Period=9 SlowK_Period=4 SlowK_MAType=1 SlowD_Period=5 SlowD_MAType=2"},
    {"STOCHF", "STOCHF", "FastK_Period=8 FastD_Period=4 FastD_MAType=1"},
    {"STOCHRSI", "STOCHRSI", "TimePeriod=10 FastK_Period=4 FastD_Period=5 FastD_MAType=2"},
    {"TRIX", "TRIX", "TimePeriod=10"},
    {"ULTOSC", "ULTOSC", "TimePeriod1=5 TimePeriod2=10 TimePeriod3=20"},
    {"WILLR", "WILLR", "TimePeriod=9"},
    /* Volume, volatility */
    {"ADOSC", "ADOSC", "FastPeriod=5 SlowPeriod=14"},
    {"ATR", "ATR", "TimePeriod=7"},
    {"NATR", "NATR", "TimePeriod=10"},
    /* Price transform, statistics, math operators */
    {"AVGDEV", "AVGDEV", "TimePeriod=9"},
    {"BETA", "BETA", "TimePeriod=8"},
    {"CORREL", "CORREL", "TimePeriod=12"},
    {"LINEARREG", "LINEARREG", "TimePeriod=9"},
    {"LINEARREG_ANGLE", "LINEARREG_ANGLE", "TimePeriod=20"},
    {"LINEARREG_INTERCEPT", "LINEARREG_INTERCEPT", "TimePeriod=7"},
    {"LINEARREG_SLOPE", "LINEARREG_SLOPE", "TimePeriod=11"},
    {"STDDEV", "STDDEV", "TimePeriod=10 NbDev=2"},
    {"TSF", "TSF", "TimePeriod=8"},
    {"VAR", "VAR", "TimePeriod=9 NbDev=1.5"},
    {"MAX", "MAX", "TimePeriod=10"},
    {"MAXINDEX", "MAXINDEX", "TimePeriod=12"},
    {"MIN", "MIN", "TimePeriod=9"},
    {"MININDEX", "MININDEX", "TimePeriod=15"},
    {"MINMAX", "MINMAX", "TimePeriod=8"},
    {"MINMAXINDEX", "MINMAXINDEX", "TimePeriod=11"},
    {"SUM", "SUM", "TimePeriod=7"},
    /* Pattern recognition: the penetration parameter */
    {"CDLDARKCLOUDCOVER", "CDLDARKCLOUDCOVER", "Penetration=0.3"},
    {"CDLEVENINGSTAR", "CDLEVENINGSTAR", "Penetration=0.5"},
    {"CDLMORNINGSTAR", "CDLMORNINGSTAR", "Penetration=0.1"},
};
#define N_PSETS (sizeof psets / sizeof psets[0])

enum { C_TS, C_OPEN, C_HIGH, C_LOW, C_CLOSE, C_VOLUME, C_BODY, C_PERIODS, N_COLS };
static const char *const col_name[N_COLS] = {"ts",     "open",    "high",     "low",
                                              "close",  "volume",  "in_real", "in_periods"};

static double *col[N_COLS];
static int n_bars;

static void die(const char *what)
{
    fprintf(stderr, "talib_fixtures: %s\n", what);
    exit(1);
}

static void load_input(const char *path, int max_bars)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open the input CSV");
    char line[512];
    if (!fgets(line, sizeof line, f) || strncmp(line, "ts,open,high,low,close,volume", 29) != 0)
        die("the input CSV must start with ts,open,high,low,close,volume");
    for (int c = 0; c < N_COLS; c++)
        col[c] = calloc((size_t)max_bars, sizeof(double));
    while (n_bars < max_bars && fgets(line, sizeof line, f)) {
        char *s = line;
        for (int c = C_TS; c <= C_VOLUME; c++) {
            char *end;
            col[c][n_bars] = strtod(s, &end);
            if (end == s)
                die("malformed input row");
            s = *end == ',' ? end + 1 : end;
        }
        double o = col[C_OPEN][n_bars], h = col[C_HIGH][n_bars];
        double l = col[C_LOW][n_bars], c = col[C_CLOSE][n_bars];
        /* derived inputs, defined in golden/FUNCTIONS.md */
        col[C_BODY][n_bars] = h > l ? (c - o) / (h - l) : 0;
        col[C_PERIODS][n_bars] =
            (double)(((n_bars / 25) * 7) % 35) + (n_bars % 3 == 0 ? 0.75 : 0);
        n_bars++;
    }
    fclose(f);
}

/* Shortest decimal that strtod reads back to x, laid out as the goldens are (as
 * JavaScript's Number#toString: positional for exponents -6..20, else 1.5e-7 / 1e+21). */
static void fmt_real(char *buf, size_t len, double x)
{
    if (isnan(x)) {
        snprintf(buf, len, "nan");
        return;
    }
    if (isinf(x)) {
        snprintf(buf, len, x > 0 ? "inf" : "-inf");
        return;
    }
    if (x == 0) {
        snprintf(buf, len, signbit(x) ? "-0" : "0");
        return;
    }
    char e[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, x);
        if (strtod(e, NULL) == x)
            break;
    }
    char digits[24];
    int nd = 0;
    const char *s = e;
    int neg = *s == '-';
    if (neg)
        s++;
    for (; *s && *s != 'e'; s++)
        if (isdigit((unsigned char)*s))
            digits[nd++] = *s;
    int ex = atoi(s + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    char *o = buf;
    char *end = buf + len - 1;
#define PUT(ch) do { if (o < end) *o++ = (ch); } while (0)
    if (neg)
        PUT('-');
    if (ex >= -6 && ex < 21) {
        if (ex < 0) {
            PUT('0');
            PUT('.');
            for (int i = -1; i > ex; i--)
                PUT('0');
            for (int i = 0; i < nd; i++)
                PUT(digits[i]);
        } else {
            for (int i = 0; i <= ex || i < nd; i++) {
                if (i == ex + 1)
                    PUT('.');
                PUT(i < nd ? digits[i] : '0');
            }
        }
    } else {
        PUT(digits[0]);
        if (nd > 1) {
            PUT('.');
            for (int i = 1; i < nd; i++)
                PUT(digits[i]);
        }
        char ebuf[16];
        snprintf(ebuf, sizeof ebuf, "e%c%d", ex < 0 ? '-' : '+', abs(ex));
        for (char *q = ebuf; *q; q++)
            PUT(*q);
    }
#undef PUT
    *o = '\0';
}

/* Golden column name of a TA-Lib output: "outRealUpperBand" -> "upperband". */
static void out_name(char *buf, size_t len, const char *param)
{
    const char *s = strncmp(param, "out", 3) == 0 ? param + 3 : param;
    if (strncmp(s, "Real", 4) == 0 && s[4])
        s += 4;
    size_t i = 0;
    for (; s[i] && i + 1 < len; i++)
        buf[i] = (char)tolower((unsigned char)s[i]);
    buf[i] = '\0';
}

static int is_body_ratio_func(const char *name)
{
    static const char *const f[] = {"ACOS", "ASIN", "COSH", "SINH", "EXP", "TANH"};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (strcmp(name, f[i]) == 0)
            return 1;
    return 0;
}

/* Column of the n-th real input (k of n_real) of function name. */
static int real_input_col(const char *name, const char *param, int k, int n_real)
{
    if (strcmp(param, "inPeriods") == 0)
        return C_PERIODS;
    if (is_body_ratio_func(name))
        return C_BODY;
    if (n_real >= 2)
        return k == 0 ? C_HIGH : C_LOW;
    return C_CLOSE;
}

static int set_param(TA_ParamHolder *ph, const TA_FuncInfo *fi, const char *name, double v)
{
    for (unsigned i = 0; i < fi->nbOptInput; i++) {
        const TA_OptInputParameterInfo *oi;
        TA_GetOptInputParameterInfo(fi->handle, i, &oi);
        if (strcmp(oi->paramName + 5, name) != 0) /* skip "optIn" */
            continue;
        if (oi->type == TA_OptInput_IntegerRange || oi->type == TA_OptInput_IntegerList)
            return TA_SetOptInputParamInteger(ph, i, (int)v) == TA_SUCCESS ? 0 : -1;
        return TA_SetOptInputParamReal(ph, i, v) == TA_SUCCESS ? 0 : -1;
    }
    return -1;
}

static void run_pset(const pset_t *ps, const char *outdir, FILE *index)
{
    const TA_FuncHandle *h;
    const TA_FuncInfo *fi;
    if (TA_GetFuncHandle(ps->func, &h) != TA_SUCCESS || TA_GetFuncInfo(h, &fi) != TA_SUCCESS) {
        fprintf(stderr, "talib_fixtures: %s: unknown function\n", ps->func);
        exit(1);
    }
    TA_ParamHolder *ph;
    if (TA_ParamHolderAlloc(h, &ph) != TA_SUCCESS)
        die("TA_ParamHolderAlloc failed");

    char inputs[256] = "";
    int derived[2], n_derived = 0;
    int n_real = 0;
    for (unsigned i = 0; i < fi->nbInput; i++) {
        const TA_InputParameterInfo *ii;
        TA_GetInputParameterInfo(h, i, &ii);
        n_real += ii->type == TA_Input_Real && strcmp(ii->paramName, "inPeriods") != 0;
    }
    for (unsigned i = 0, k = 0; i < fi->nbInput; i++) {
        const TA_InputParameterInfo *ii;
        TA_GetInputParameterInfo(h, i, &ii);
        size_t l = strlen(inputs);
        if (ii->type == TA_Input_Price) {
            static const struct { int flag, col; } pf[] = {
                {TA_IN_PRICE_OPEN, C_OPEN}, {TA_IN_PRICE_HIGH, C_HIGH}, {TA_IN_PRICE_LOW, C_LOW},
                {TA_IN_PRICE_CLOSE, C_CLOSE}, {TA_IN_PRICE_VOLUME, C_VOLUME}};
            for (size_t j = 0; j < sizeof pf / sizeof pf[0]; j++)
                if (ii->flags & pf[j].flag) {
                    l = strlen(inputs);
                    snprintf(inputs + l, sizeof inputs - l, "%s%s", l ? " " : "",
                             col_name[pf[j].col]);
                }
            TA_SetInputParamPricePtr(ph, i, ii->flags & TA_IN_PRICE_OPEN ? col[C_OPEN] : NULL,
                                     ii->flags & TA_IN_PRICE_HIGH ? col[C_HIGH] : NULL,
                                     ii->flags & TA_IN_PRICE_LOW ? col[C_LOW] : NULL,
                                     ii->flags & TA_IN_PRICE_CLOSE ? col[C_CLOSE] : NULL,
                                     ii->flags & TA_IN_PRICE_VOLUME ? col[C_VOLUME] : NULL, NULL);
        } else if (ii->type == TA_Input_Real) {
            int c = real_input_col(fi->name, ii->paramName, (int)k++, n_real);
            snprintf(inputs + l, sizeof inputs - l, "%s%s=%s", l ? " " : "", ii->paramName,
                     col_name[c]);
            if (c >= C_BODY)
                derived[n_derived++] = c;
            TA_SetInputParamRealPtr(ph, i, col[c]);
        } else {
            die("integer inputs are not used by any TA-Lib function");
        }
    }

    char spec[512];
    snprintf(spec, sizeof spec, "%s", ps->params);
    for (char *tok = strtok(spec, " "); tok; tok = strtok(NULL, " ")) {
        char *eq = strchr(tok, '=');
        if (!eq)
            die("parameter set is not NAME=VALUE");
        *eq = '\0';
        if (set_param(ph, fi, tok, strtod(eq + 1, NULL)) < 0) {
            fprintf(stderr, "talib_fixtures: %s: parameter %s refused\n", ps->id, tok);
            exit(1);
        }
    }

    double *outr[3] = {0};
    int *outi[3] = {0};
    int is_int[3] = {0};
    char names[3][32];
    for (unsigned i = 0; i < fi->nbOutput; i++) {
        const TA_OutputParameterInfo *oi;
        TA_GetOutputParameterInfo(h, i, &oi);
        out_name(names[i], sizeof names[i], oi->paramName);
        if (oi->type == TA_Output_Integer) {
            is_int[i] = 1;
            outi[i] = calloc((size_t)n_bars, sizeof(int));
            TA_SetOutputParamIntegerPtr(ph, i, outi[i]);
        } else {
            outr[i] = calloc((size_t)n_bars, sizeof(double));
            TA_SetOutputParamRealPtr(ph, i, outr[i]);
        }
    }
    TA_Integer beg = 0, nb = 0;
    TA_RetCode rc = TA_CallFunc(ph, 0, n_bars - 1, &beg, &nb);
    if (rc != TA_SUCCESS) {
        fprintf(stderr, "talib_fixtures: %s: TA_CallFunc returned %d\n", ps->id, (int)rc);
        exit(1);
    }

    char path[1024];
    snprintf(path, sizeof path, "%s/%s.csv", outdir, ps->id);
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write a fixture");
    fprintf(f, "ts");
    for (int d = 0; d < n_derived; d++)
        fprintf(f, ",%s", col_name[derived[d]]);
    for (unsigned i = 0; i < fi->nbOutput; i++)
        fprintf(f, ",%s", names[i]);
    fputc('\n', f);
    char num[48];
    for (int r = 0; r < n_bars; r++) {
        fmt_real(num, sizeof num, col[C_TS][r]);
        fputs(num, f);
        for (int d = 0; d < n_derived; d++) {
            fmt_real(num, sizeof num, col[derived[d]][r]);
            fprintf(f, ",%s", num);
        }
        for (unsigned i = 0; i < fi->nbOutput; i++) {
            fputc(',', f);
            if (r < beg || r >= beg + nb)
                continue;
            if (is_int[i])
                fprintf(f, "%d", outi[i][r - beg]);
            else {
                fmt_real(num, sizeof num, outr[i][r - beg]);
                fputs(num, f);
            }
        }
        fputc('\n', f);
    }
    fclose(f);
    fprintf(index, "%s\t%s\t%s\t%s\t%d\n", ps->id, fi->name, inputs, ps->params, (int)beg);
    for (unsigned i = 0; i < fi->nbOutput; i++) {
        free(outr[i]);
        free(outi[i]);
    }
    TA_ParamHolderFree(ph);
}

/* One TSV row per optional parameter (a "-" row for functions without any):
 * function, group, parameter, kind (int, real, list), default, min, max. */
static void print_ranges(const TA_FuncInfo *fi, void *opaque)
{
    FILE *out = opaque;
    if (fi->nbOptInput == 0)
        fprintf(out, "%s\t%s\t-\t-\t-\t-\t-\n", fi->name, fi->group);
    for (unsigned i = 0; i < fi->nbOptInput; i++) {
        const TA_OptInputParameterInfo *oi;
        TA_GetOptInputParameterInfo(fi->handle, i, &oi);
        char def[48], lo[48], hi[48];
        fmt_real(def, sizeof def, oi->defaultValue);
        const char *kind = "real";
        if (oi->type == TA_OptInput_RealRange) {
            const TA_RealRange *r = oi->dataSet;
            fmt_real(lo, sizeof lo, r->min);
            fmt_real(hi, sizeof hi, r->max);
        } else if (oi->type == TA_OptInput_IntegerRange) {
            const TA_IntegerRange *r = oi->dataSet;
            kind = "int";
            fmt_real(lo, sizeof lo, r->min);
            fmt_real(hi, sizeof hi, r->max);
        } else if (oi->type == TA_OptInput_IntegerList) {
            const TA_IntegerList *l = oi->dataSet;
            kind = "list";
            fmt_real(lo, sizeof lo, l->data[0].value);
            fmt_real(hi, sizeof hi, l->data[l->nbElement - 1].value);
        } else {
            const TA_RealList *l = oi->dataSet;
            kind = "reallist";
            fmt_real(lo, sizeof lo, l->data[0].value);
            fmt_real(hi, sizeof hi, l->data[l->nbElement - 1].value);
        }
        fprintf(out, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", fi->name, fi->group, oi->paramName + 5,
                kind, def, lo, hi);
    }
}

static void write_ranges(FILE *out)
{
    fprintf(out, "function\tgroup\tparameter\tkind\tdefault\tmin\tmax\n");
    TA_ForEachFunc(print_ranges, out);
}

int main(int argc, char **argv)
{
    if (TA_Initialize() != TA_SUCCESS)
        die("TA_Initialize failed");
    if (argc == 2 && strcmp(argv[1], "--ranges") == 0) {
        write_ranges(stdout);
        TA_Shutdown();
        return 0;
    }
    if (argc != 4)
        die("usage: talib_fixtures INPUT.csv BARS OUTDIR | --ranges");
    load_input(argv[1], atoi(argv[2]));
    char path[1024];
    snprintf(path, sizeof path, "%s/params.tsv", argv[3]);
    FILE *index = fopen(path, "w");
    if (!index)
        die("cannot write params.tsv");
    fprintf(index, "id\tfunction\tinputs\tparameters\tlookback\n");
    for (size_t i = 0; i < N_PSETS; i++)
        run_pset(&psets[i], argv[3], index);
    fclose(index);
    snprintf(path, sizeof path, "%s/ranges.tsv", argv[3]);
    FILE *ranges = fopen(path, "w");
    if (!ranges)
        die("cannot write ranges.tsv");
    write_ranges(ranges);
    fclose(ranges);
    TA_Shutdown();
    return 0;
}
