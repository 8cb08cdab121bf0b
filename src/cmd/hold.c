/* latdoc hold: hold a PM QoS CPU latency limit in the foreground, for a
 * systemd unit (contrib/systemd/latdoc-hold.service). The kernel keeps a
 * request on /dev/cpu_dma_latency only while the file is open, and reads
 * a binary signed 32-bit value (the text "20" would be read as hex, 32 us):
 * so this process writes the value and stays, visibly, until SIGTERM. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "../rules/rules.h"
#include "commands.h"

enum { LATENCY };

static const struct opt opts[] = {
	[LATENCY] = { .name = "latency-us", .type = OPT_INT, .arg = "N",
		      .help = "the limit in microseconds, 0 to 1000000 (default 20, the exit latency "
			      "above which latdoc check calls an idle state deep); 0 keeps CPUs out "
			      "of every idle state but polling",
		      .min = 0, .max = 1000000 },
};
const struct opt_table hold_options = OPT_TABLE(opts);

#define ME "latdoc hold"
#define DEVICE "/dev/cpu_dma_latency"

/* Tells systemd (Type=notify) that the hold is in place. A socket that
 * does not read (a busy or wrong NOTIFY_SOCKET) gets a second: the signals
 * that end the hold are blocked until the wait, so a send that blocked for
 * ever would keep the limit against SIGTERM. */
static void notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = path ? strlen(path) : 0;

	if (!path || (path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	struct timeval patience = { .tv_sec = 1 };
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &patience, sizeof(patience))) {
		close(fd);
		return;
	}
	sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
	close(fd);
}

static const char *device(bool *test)
{
	*test = false;
#ifdef LATDOC_TEST_HOOKS
	/* the test build holds a file instead: tests never hold this
	 * machine's real limit */
	const char *t = getenv("LATDOC_TEST_DMA_LATENCY");
	if (t) {
		*test = true;
		return t;
	}
#endif
	return DEVICE;
}

int cmd_hold(const struct opt_result *o)
{
	int32_t want = o->v[LATENCY].set ? (int32_t)o->v[LATENCY].num : DEEP_IDLE_LATENCY_US, now = -1;
	bool test;
	const char *dev = device(&test);
	struct stat st;
	sigset_t stop;
	int sig;

	if (o->nargs) {
		fprintf(stderr, ME ": unexpected argument '%s'\n", o->args[0]);
		return EXIT_ERROR;
	}
	/* the signals that end the hold are taken before the hold exists, so
	 * none is lost between the write and the wait */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	int fd = open(dev, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		fprintf(stderr, ME ": cannot open %s: %s%s\n", dev, strerror(errno),
			errno == EACCES || errno == EPERM ? " (run as root)" : "");
		return EXIT_ERROR;
	}
	if (fstat(fd, &st) < 0 || (!test && !S_ISCHR(st.st_mode))) {
		fprintf(stderr, ME ": %s is not the PM QoS device\n", dev);
		close(fd);
		return EXIT_ERROR;
	}
	if (write(fd, &want, sizeof(want)) != (ssize_t)sizeof(want)) {
		fprintf(stderr, ME ": writing %d to %s: %s\n", want, dev, strerror(errno));
		close(fd);
		return EXIT_ERROR;
	}
	/* a 4-byte read gives the effective limit, every holder's minimum */
	if (pread(fd, &now, sizeof(now), 0) != (ssize_t)sizeof(now))
		now = -1;
	char status[160];
	snprintf(status, sizeof(status), "holding %d us on %s (in effect: %d us)", want, dev, now);
	printf(ME ": %s; the limit ends when this process does (SIGTERM)\n", status);
	fflush(stdout);
	char ready[200];
	snprintf(ready, sizeof(ready), "READY=1\nSTATUS=%s", status);
	notify(ready);
	do
		sig = sigwaitinfo(&stop, NULL);
	while (sig < 0 && errno == EINTR);
	notify("STOPPING=1");
	close(fd);
	printf(ME ": released (signal %d)\n", sig);
	return EXIT_CLEAN;
}
