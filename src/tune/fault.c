/* Fault points, compiled only into the test build (meson -Dtest_hooks=
 * true, which `make san` sets): LATDOC_FAULT_AT=N kills the process with
 * SIGKILL at the Nth point reached, as a crash or a power cut would stop
 * it, so that the tests can stop a run after each journal record and each
 * write and check that revert still restores everything. */
#include "tune.h"

#ifdef LATDOC_TEST_HOOKS
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void fault_point(const char *what)
{
	static long reached;
	const char *at = getenv("LATDOC_FAULT_AT");
	if (!at || ++reached != atol(at))
		return;
	fprintf(stderr, "latdoc: fault point %ld (%s): killed\n", reached, what);
	raise(SIGKILL);
}
#endif
