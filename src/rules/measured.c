/* Configuration says what may cost latency; a measurement (check
 * --measure) says what it does cost here and now. The rules whose cost can
 * be measured weigh their finding with it: the figure goes into the
 * evidence, and the severity follows it, but only from figures above the
 * noise floor (measure/cost.h) and taken on an undisturbed machine, so the
 * verdict is the same run after run. cpu.cstate.cost is raised by the
 * measurement alone. */
#include "rules.h"

#include <stdio.h>
#include <string.h>

#include "../measure/measure.h"

/* The measured clock at or above this share of the rating: held down on
 * paper, not while it works. Below the critical share: slow even busy. */
#define MEASURED_CLOCK_FINE 0.90
#define MEASURED_CLOCK_CRITICAL 0.60
/* The cost of idle, judged by the lower bound of its interval, in us:
 * below NEGLIGIBLE nothing a request notices; from CRITICAL every
 * light-load request pays a wake-up as long as a slow request. */
#define CSTATE_COST_NEGLIGIBLE_US 5
#define CSTATE_COST_CRITICAL_US 50

static double slowest_clock(const struct freq_result *r)
{
	double best = 0;
	/* the slowest measured CPU is the one a request may land on */
	for (size_t i = 0; i < r->ncpus; i++)
		if (r->cpus[i].mhz > 0 && (best == 0 || r->cpus[i].mhz < best))
			best = r->cpus[i].mhz;
	return best;
}

void weigh_measured_clock(const struct facts *f, struct findings *out, struct finding *x)
{
	const struct freq_result *r = f->measured.freq;
	if (!x || !r)
		return;
	double mhz = slowest_clock(r), rated = r->rated_mhz > 0 ? r->rated_mhz : r->max_mhz;
	if (mhz <= 0) {
		finding_evidence(out, x, "latdoc measure freq", "no clock measured (see its notes)");
		return;
	}
	finding_evidence(out, x, "latdoc measure freq", "%.0f MHz measured on the slowest of %zu CPUs "
			 "(add and imul chains agreeing)%s", mhz, r->ncpus, rated > 0 ? "" : "; no rating to compare");
	if (r->disturbed[0]) {
		finding_evidence(out, x, "latdoc measure freq", "disturbed, not weighed: %s", r->disturbed);
		return;
	}
	if (rated <= 0)
		return;
	double ratio = mhz / rated;
	if (ratio >= MEASURED_CLOCK_FINE) {
		x->severity = SEV_INFO;
		finding_evidence(out, x, "latdoc measure freq", "%.0f%% of the rated %.0f MHz under load: "
				 "the clock rises when work arrives", 100 * ratio, rated);
	} else if (ratio < MEASURED_CLOCK_CRITICAL) {
		x->severity = SEV_CRITICAL;
		finding_evidence(out, x, "latdoc measure freq", "%.0f%% of the rated %.0f MHz even while "
				 "working", 100 * ratio, rated);
	}
}

/* --- the cost of idle ------------------------------------------------- */

struct named_probe {
	const struct wake_probe *p;
	char name[64];
};

static int wake_probes(const struct wake_result *w, struct named_probe *out)
{
	int n = 0;
	if (w->timer.done) {
		out[n].p = &w->timer;
		snprintf(out[n++].name, sizeof(out[0].name), "timer wake-up");
	}
	for (int i = 0; i < w->npairs; i++)
		if (w->pairs[i].probe.done) {
			out[n].p = &w->pairs[i].probe;
			snprintf(out[n++].name, sizeof(out[0].name), "cpu %d -> %d wake-up (%s sleeper)",
				 w->pairs[i].from, w->pairs[i].to, w->pairs[i].fifo ? "SCHED_FIFO" : "SCHED_OTHER");
		}
	return n;
}

static int diff_text(char *buf, size_t size, const char *what, const struct cost_diff *d)
{
	return snprintf(buf, size, "%s %+.1f us (95%% interval %+.1f to %+.1f)", what, d->point_us, d->lo_us,
			d->hi_us);
}

/* One line of evidence: the cost of one probe, or why there is none. */
static void cost_evidence(struct findings *out, struct finding *x, const struct named_probe *np)
{
	const struct cost_verdict *v = &np->p->cost;
	char line[400];
	int n = 0;

	switch (v->state) {
	case COST_NOT_MEASURED:
		n = snprintf(line, sizeof(line), "not measured: %s",
			     np->p->hold == HOLD_NOT_ALLOWED ? "idle states could not be held off (run as root)"
							     : "too few blocks");
		break;
	case COST_NOTHING_TO_HOLD:
		n = snprintf(line, sizeof(line), "nothing to hold off: %s",
			     np->p->hold == HOLD_NO_STATES ? "no cpuidle driver"
							   : "the CPUs entered no idle state beyond polling either way");
		break;
	case COST_WITHIN_NOISE:
	case COST_FOUND:
		n = snprintf(line, sizeof(line), "%s: allowed minus held off, ",
			     v->state == COST_FOUND ? "a cost" : "no cost above the noise");
		n += diff_text(line + n, sizeof(line) - (size_t)n, "p50", &v->p50);
		if (v->p99.have) {
			n += snprintf(line + n, sizeof(line) - (size_t)n, ", ");
			n += diff_text(line + n, sizeof(line) - (size_t)n, "p99", &v->p99);
		}
		n += snprintf(line + n, sizeof(line) - (size_t)n, "; %d blocks each", v->blocks_allowed);
		break;
	}
	if (np->p->disturbed[0] && n < (int)sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, "; disturbed, not weighed: %s", np->p->disturbed);
	finding_evidence(out, x, "latdoc measure wake", "%s: %s", np->name, line);
}

/* What the undisturbed probes say together. */
struct cost_overall {
	int judged;          /* probes with an interval, undisturbed */
	bool found;          /* one of them has a cost */
	double lower_us;     /* the largest lower bound of those with a cost */
	double upper_us;     /* the largest upper bound of all judged */
};

static void overall(const struct named_probe *np, int n, struct cost_overall *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < n; i++) {
		const struct cost_verdict *v = &np[i].p->cost;
		if (np[i].p->disturbed[0] || (v->state != COST_FOUND && v->state != COST_WITHIN_NOISE))
			continue;
		o->judged++;
		if (v->upper_us > o->upper_us)
			o->upper_us = v->upper_us;
		if (v->state == COST_FOUND) {
			o->found = true;
			if (v->lower_us > o->lower_us)
				o->lower_us = v->lower_us;
		}
	}
}

void weigh_measured_cstate_cost(const struct facts *f, struct findings *out, struct finding *x)
{
	const struct wake_result *w = f->measured.wake;
	struct named_probe np[1 + WAKE_MAX_PAIRS];
	struct cost_overall o;

	if (!x || !w)
		return;
	int n = wake_probes(w, np);
	for (int i = 0; i < n; i++)
		cost_evidence(out, x, &np[i]);
	if (!n) {
		finding_evidence(out, x, "latdoc measure wake", "not measured (see its notes)");
		return;
	}
	overall(np, n, &o);
	if (o.found && o.lower_us >= CSTATE_COST_CRITICAL_US)
		x->severity = SEV_CRITICAL;
	else if (o.found && o.lower_us >= CSTATE_COST_NEGLIGIBLE_US)
		x->severity = SEV_WARNING;
	else if (o.judged && !o.found && o.upper_us < CSTATE_COST_NEGLIGIBLE_US)
		x->severity = SEV_INFO; /* enabled, but at most a few us here: measured, not guessed */
}

static void cost_fix(const struct facts *f, struct findings *out, struct finding *x)
{
	char now[900], keep[600], cmdline[400], was[32];
	bool haltpoll = !strcmp(f->cpuidle.driver, "haltpoll");
	bool guest = f->platform.role == ROLE_GUEST;

	if (guest && haltpoll && f->cpuidle.guest_halt_poll_ns >= 200000) {
		snprintf(now, sizeof(now),
			 "This guest already polls up to %ld us before it halts. On the host: keep the CPUs "
			 "that run this VM's vCPUs out of deep C-states (cpupower -c LIST idle-set -D 21).",
			 f->cpuidle.guest_halt_poll_ns / 1000);
		snprintf(keep, sizeof(keep), "On the host: intel_idle.max_cstate=1 or tuned's "
					     "latency-performance on the CPUs of this VM.");
	} else if (guest && haltpoll) {
		snprintf(was, sizeof(was), "%ld", f->cpuidle.guest_halt_poll_ns);
		finding_action(out, x, FIX_SYSFS, FIX_RUNTIME, NEEDS_ROOT,
			       "/sys/module/haltpoll/parameters/guest_halt_poll_ns", NULL,
			       f->cpuidle.guest_halt_poll_ns >= 0 ? was : NULL, "200000");
		finding_action(out, x, FIX_CMDLINE, FIX_PERSISTENT, NEEDS_ROOT | NEEDS_REBOOT,
			       "haltpoll.guest_halt_poll_ns", NULL, NULL, "200000");
		fix_cmdline_text(f, "haltpoll.guest_halt_poll_ns=200000", cmdline, sizeof(cmdline));
		snprintf(now, sizeof(now),
			 "In this guest: echo 200000 > /sys/module/haltpoll/parameters/guest_halt_poll_ns "
			 "(cpuidle-haltpoll polls up to 200 us before it halts to the host, the kernel's "
			 "default; it costs guest CPU time while idle).\n"
			 "On the host: keep the CPUs that run this VM's vCPUs out of deep C-states "
			 "(cpupower -c LIST idle-set -D 21), and leave KVM's halt_poll_ns at its default.");
		snprintf(keep, sizeof(keep), "In this guest: %s. On the host: intel_idle.max_cstate=1 "
					     "or tuned's latency-performance on the CPUs of this VM.", cmdline);
	} else if (guest) {
		fix_cmdline_text(f, "cpuidle_haltpoll.force=1", cmdline, sizeof(cmdline));
		snprintf(now, sizeof(now),
			 "In this guest: load cpuidle-haltpoll (modprobe cpuidle-haltpoll), which polls "
			 "before halting to the host.\n"
			 "On the host: keep the CPUs that run this VM's vCPUs out of deep C-states "
			 "(cpupower -c LIST idle-set -D 21).");
		snprintf(keep, sizeof(keep), "In this guest: %s. On the host: intel_idle.max_cstate=1 "
					     "or tuned's latency-performance on the CPUs of this VM.", cmdline);
	} else {
		snprintf(now, sizeof(now),
			 "The sleep is the firmware's: in the BIOS, turn off C1E and package C-states "
			 "(\"C-States\", \"C1E\", or a performance profile); or keep /dev/cpu_dma_latency "
			 "open with the binary value 0 written, which keeps CPUs polling (costs power).");
		snprintf(keep, sizeof(keep), "The BIOS setting; or tuned's latency-performance.");
	}
	finding_fix(out, x, now, keep);
}

void rule_cpu_cstate_cost(const struct facts *f, struct findings *out)
{
	const struct wake_result *w = f->measured.wake;
	struct named_probe np[1 + WAKE_MAX_PAIRS];
	struct cost_overall o;
	char subject[300];

	/* with a deep state in sight, cpu.cstate.deep is the finding and
	 * weighs the measurement itself */
	if (!w || cstate_deep_reachable(f))
		return;
	int n = wake_probes(w, np);
	overall(np, n, &o);
	if (!o.found || o.lower_us < CSTATE_COST_NEGLIGIBLE_US)
		return;
	cpus_subject(&w->cpus, subject, sizeof(subject));
	struct finding *x = finding_add(out, o.lower_us >= CSTATE_COST_CRITICAL_US ? SEV_CRITICAL : SEV_WARNING,
					subject, "waking from idle costs %.0f us or more, though no deep idle "
					"state is visible", o.lower_us);
	for (int i = 0; i < n; i++)
		cost_evidence(out, x, &np[i]);
	finding_evidence(out, x, "/sys/devices/system/cpu/cpuidle/current_driver", "%s",
			 f->cpuidle.driver[0] ? f->cpuidle.driver : "none");
	if (f->cpuidle.guest_halt_poll_ns >= 0)
		finding_evidence(out, x, "/sys/module/haltpoll/parameters/guest_halt_poll_ns", "%ld",
				 f->cpuidle.guest_halt_poll_ns);
	finding_why(out, x,
		    "A wake-up that finds its CPU idle waited at least %.0f us longer than one that found it "
		    "polling, measured in alternating blocks and above their spread. No idle state this "
		    "deep is visible to this kernel: %s",
		    o.lower_us,
		    f->platform.role == ROLE_GUEST
			    ? "a guest's idle is a halt to the host, whose CPU may then sleep in C6; the "
			      "exit is paid by the next packet or wake-up."
			    : "the firmware promotes idle CPUs to deeper states (C1E, package C-states) "
			      "behind the kernel's back.");
	cost_fix(f, out, x);
}
