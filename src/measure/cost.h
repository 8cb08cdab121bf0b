/* The cost of allowing idle states, one way for every caller (measure
 * wake, check --measure, the rules cpu.cstate.deep and cpu.cstate.cost):
 * wake-ups recorded in blocks that alternate between idle states allowed
 * (A) and held off (B) in the order A B B A A B B A ..., so a drift of the
 * machine falls on both alike; the first COST_GUARD_NS after each change
 * are dropped; the difference of p50 and of p99 gets a 95% confidence
 * interval from a bootstrap that resamples whole blocks, so the spread
 * between repeats is the noise floor. A cost is reported only when its
 * interval excludes 0 (Kunsch, "The jackknife and the bootstrap for
 * general stationary observations", Ann. Statist. 1989: the block bootstrap
 * keeps the correlation within a block). */
#ifndef LATDOC_COST_H
#define LATDOC_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define COST_BLOCKS_MAX 64
#define COST_GUARD_NS 20000000 /* after each change: the hold settling, caches */
#define COST_MIN_BLOCKS 4      /* of each condition, for an interval at all */
#define COST_RESAMPLES 1000

/* Samples, block by block, as recorded. */
struct cost_blocks {
	int n;
	bool held[COST_BLOCKS_MAX]; /* the condition of each block */
	struct samples s[COST_BLOCKS_MAX];
};

/* The condition of each of N blocks: A B B A A B B A ... (false: allowed). */
void cost_schedule(int n, bool *held);

/* Takes room for N blocks of CAP samples each, in the ABBA order. */
int cost_blocks_init(struct cost_blocks *b, int n, size_t cap);
void cost_blocks_free(struct cost_blocks *b);
/* Adds SRC's samples to DST's, block by block (same schedule). */
void cost_blocks_merge(struct cost_blocks *dst, const struct cost_blocks *src);
/* All samples of one condition, pooled, summarised. */
void cost_blocks_summarise(const struct cost_blocks *b, bool held, struct summary *out);

enum cost_state {
	COST_NOT_MEASURED,    /* no hold (not root), too few blocks, or no samples */
	COST_NOTHING_TO_HOLD, /* no idle state to keep the CPUs out of, or holding changed no idle counter */
	COST_WITHIN_NOISE,    /* every interval includes 0 (or lies below it) */
	COST_FOUND,           /* an interval lies above 0 */
};
const char *cost_state_name(enum cost_state s);

/* A difference, allowed minus held off, with its 95% interval, in us. */
struct cost_diff {
	bool have; /* p99 needs SUMMARY_P99_MIN samples in each condition */
	double point_us, lo_us, hi_us;
};

struct cost_verdict {
	enum cost_state state;
	int blocks_allowed, blocks_held;
	struct summary allowed, held; /* pooled over the blocks of each condition */
	struct cost_diff p50, p99;
	double lower_us; /* COST_FOUND: the larger lower bound above 0, by which severity goes */
	double upper_us; /* the largest upper bound: below a threshold, the cost is below it too */
};

/* Why a hold would change nothing, before any judging. */
enum cost_hold {
	HOLD_DONE,        /* held and idle counters moved */
	HOLD_NOT_ALLOWED, /* could not hold (no root, no device) */
	HOLD_NO_STATES,   /* no cpuidle driver: no idle state to hold off */
	HOLD_NO_CHANGE,   /* held, and the CPUs entered no idle state beyond polling either way */
};

/* Judges B. Deterministic: the same blocks give the same verdict. */
void cost_judge(const struct cost_blocks *b, enum cost_hold hold, struct cost_verdict *out);

#endif
