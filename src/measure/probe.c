#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../parse/text.h"
#include "../root/root.h"
#include "../lib/doubles.h"

int probe_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int probe_fifo(int prio)
{
	struct sched_param sp = { .sched_priority = prio };
	return -pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
}

int probe_lock_memory(void)
{
	return mlockall(MCL_CURRENT | MCL_FUTURE) ? -errno : 0;
}

double probe_clock_overhead_ns(void)
{
	enum { PAIRS = 201 };
	double d[PAIRS];

	for (int i = 0; i < PAIRS; i++) {
		int64_t a = probe_now_ns(), b = probe_now_ns();
		d[i] = (double)(b - a);
	}
	doubles_sort(d, PAIRS);
	return d[PAIRS / 2];
}

void probe_sleep_ns(int64_t ns)
{
	struct timespec until;
	int64_t t = probe_now_ns() + ns;

	until.tv_sec = t / 1000000000;
	until.tv_nsec = t % 1000000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
		;
}

bool probe_sleep_until(int64_t t)
{
	struct timespec until = { .tv_sec = t / 1000000000, .tv_nsec = t % 1000000000 };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
		if (probe_interrupted())
			return false;
	return !probe_interrupted();
}

static atomic_bool interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	atomic_store(&interrupted, true);
}

void probe_catch_interrupt(void)
{
	/* no SA_RESTART: a sleep or a wait returns EINTR and sees the flag */
	struct sigaction sa = { .sa_handler = on_interrupt, .sa_flags = SA_RESETHAND };
	sigemptyset(&sa.sa_mask);
	atomic_store(&interrupted, false);
	sigaction(SIGINT, &sa, NULL);
}

bool probe_interrupted(void)
{
	return atomic_load(&interrupted);
}

void probe_block_interrupt(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static long read_qos(int fd)
{
	int32_t v;
	return read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v) ? (long)v : -1;
}

int pmqos_hold(struct pmqos_hold *h)
{
	int32_t zero = 0;

	h->readback_us = h->after_us = -1;
	h->fd = open("/dev/cpu_dma_latency", O_RDWR | O_CLOEXEC);
	if (h->fd < 0)
		return -errno;
	if (write(h->fd, &zero, sizeof(zero)) != (ssize_t)sizeof(zero)) {
		int err = -errno;
		close(h->fd);
		h->fd = -1;
		return err;
	}
	h->readback_us = read_qos(h->fd);
	return 0;
}

void pmqos_drop(struct pmqos_hold *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

long pmqos_effective_us(void)
{
	/* a reader's own request is "no constraint": it does not move the value */
	int fd = open("/dev/cpu_dma_latency", O_RDONLY | O_CLOEXEC);
	long v = -1;
	if (fd >= 0) {
		v = read_qos(fd);
		close(fd);
	}
	return v;
}

void pmqos_release(struct pmqos_hold *h)
{
	if (h->fd < 0)
		return;
	pmqos_drop(h);
	h->after_us = pmqos_effective_us();
}

void idle_counts_read(struct root *r, const struct facts *f, const struct cpuset *cpus,
		      struct idle_counts *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < f->ncpus; i++) {
		const struct cpu *c = &f->cpus[i];
		if (!cpuset_has(cpus, c->id))
			continue;
		for (size_t k = 0; k < c->nstates && k < IDLE_MAX_STATES; k++) {
			char path[128], line[32];
			long long usage = 0, time_us = 0;
			unsigned long long v;
			snprintf(path, sizeof(path), "sys/devices/system/cpu/cpu%d/cpuidle/state%zu/usage", c->id, k);
			if (!root_read_line(r, path, line, sizeof(line)) && !parse_ullong(line, &v))
				usage = (long long)v;
			snprintf(path, sizeof(path), "sys/devices/system/cpu/cpu%d/cpuidle/state%zu/time", c->id, k);
			if (!root_read_line(r, path, line, sizeof(line)) && !parse_ullong(line, &v))
				time_us = (long long)v;
			int s = 0;
			while (s < out->nstates && strcmp(out->name[s], c->states[k].name))
				s++;
			if (s == out->nstates) {
				if (out->nstates == IDLE_MAX_STATES)
					continue;
				str_copy(out->name[s], sizeof(out->name[s]), c->states[k].name);
				out->nstates++;
			}
			out->usage[s] += usage;
			out->time_us[s] += time_us;
		}
	}
}

void idle_counts_delta(struct idle_counts *after, const struct idle_counts *before)
{
	for (int s = 0; s < after->nstates; s++)
		for (int b = 0; b < before->nstates; b++)
			if (!strcmp(after->name[s], before->name[b])) {
				after->usage[s] -= before->usage[b];
				after->time_us[s] -= before->time_us[b];
			}
}

int steal_ticks_read(struct root *r, const struct cpuset *cpus, long long *steal, long long *total)
{
	char *buf;
	size_t len;
	*steal = *total = 0;
	if (root_read(r, "proc/stat", &buf, &len))
		return -1;
	for (char *line = buf; *line; line += strcspn(line, "\n"), line += *line == '\n') {
		int cpu, n;
		unsigned long long v[8] = { 0 };
		if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu%n", &cpu, &v[0], &v[1], &v[2],
			   &v[3], &v[4], &v[5], &v[6], &v[7], &n) < 9 ||
		    !cpuset_has(cpus, cpu))
			continue;
		for (int i = 0; i < 8; i++)
			*total += (long long)v[i];
		*steal += (long long)v[7];
	}
	free(buf);
	return 0;
}

static bool progress_shown;

void probe_progress(const char *what, double done_s, double total_s)
{
	if (total_s < 1.0 || !isatty(STDERR_FILENO))
		return;
	double left = total_s - done_s;
	fprintf(stderr, "\r\033[K%s, %.0f s left", what, left > 0 ? left : 0);
	progress_shown = true;
}

void probe_progress_done(void)
{
	if (progress_shown)
		fprintf(stderr, "\r\033[K");
	progress_shown = false;
}
