/* affinity.h — where each stage may run: tickcastd.cpu_affinity.
 *
 * The value is a blank-separated list of STAGE:CPUS entries, CPUS written as taskset -c
 * and the kernel's cpulist files write them (comma list of CPUs and ranges):
 *
 *     cpu_affinity = ingest:0 features:1 infer:1 strategy:1
 *     cpu_affinity = ingest:0-3 infer:4,6
 *
 * tickcastd pins each listed stage between fork and exec; a stage not listed runs where
 * the scheduler puts it, within tickcastd's own CPUs.  Placement matters when there are
 * more busy stages than cores (BENCHMARKS.md, "Rings": a second consumer beside its
 * producer, or beside the first consumer, moves two-consumer throughput between half and
 * four fifths of one consumer's).
 */
#ifndef TC_RUNTIME_AFFINITY_H
#define TC_RUNTIME_AFFINITY_H

#include <sched.h> /* cpu_set_t: _GNU_SOURCE is defined project-wide */
#include <stddef.h>

/* Parses a cpulist ("0", "0,2", "1-3,6") into *set.  Returns 0, or -1 with the reason in
 * why ("'3-1' is a backward range").  CPUs must be below CPU_SETSIZE. */
int tc_affinity_cpulist_parse(const char *list, cpu_set_t *set, char *why, size_t why_size);

/* Writes *set as a cpulist ("0-2,5"), "" when empty.  Returns the length, or -1 when it
 * did not fit (buf then holds a cut, NUL-terminated prefix). */
int tc_affinity_cpulist_format(const cpu_set_t *set, char *buf, size_t size);

/* Writes the CPUs process pid may run on as a cpulist; returns the length, or -1 when
 * the kernel will not tell (no such process) with buf "". */
int tc_affinity_of(int pid, char *buf, size_t size);

/* Sets the CPUs of every thread of process pid (sched_setaffinity on a pid moves only
 * that thread; the others keep their own masks).  0, or -errno of the first thread that
 * could not be moved (a thread that exits meanwhile is not an error). */
int tc_affinity_set_process(int pid, const cpu_set_t *set);

/* Checks a whole cpu_affinity value: each entry STAGE:CPUS with a stage name of letters,
 * digits, '_', '-', '.', a good cpulist, no stage twice.  0, or -1 with why. */
int tc_affinity_check(const char *spec, char *why, size_t why_size);

/* The CPUs spec gives stage: 1 with *set filled, 0 when the stage is not listed, -1 when
 * spec does not parse (with why). */
int tc_affinity_lookup(const char *spec, const char *stage, cpu_set_t *set, char *why,
                       size_t why_size);

/* Checks spec as tc_affinity_check does, then calls fn(stage, set, arg) for each entry
 * in order; fn returns 0 to go on or a positive value to stop, which is returned.
 * Returns 0 after the last entry, or -1 with why when spec does not parse (nothing is
 * called then). */
int tc_affinity_each(const char *spec, int (*fn)(const char *stage, const cpu_set_t *set, void *arg),
                     void *arg, char *why, size_t why_size);

#endif
