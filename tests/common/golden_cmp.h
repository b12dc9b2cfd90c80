/* golden_cmp.h — the agreement rule for indicator outputs against TA-Lib, shared
 * by the golden and the non-default-parameter suites: real outputs within 1e-9 relative
 * or 1e-12 absolute, integer outputs identical, NaN and infinities equal as such. */
#ifndef TC_TESTS_GOLDEN_CMP_H
#define TC_TESTS_GOLDEN_CMP_H

#define TC_GOLDEN_REL_TOL 1e-9
#define TC_GOLDEN_ABS_TOL 1e-12

/* 1 if got agrees with want; a real output's relative error above the absolute
 * tolerance raises *worst.  Test support only. */
int tc_golden_close_enough(double want, double got, int is_int, double *worst);

#endif
