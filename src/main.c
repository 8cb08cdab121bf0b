/* latdoc: find, prove and fix what makes a Linux server answer slowly. */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"

const struct command commands[] = {
	{ "check", cmd_check, "audit CPU power, idle states, memory, KVM VMs and a guest's hardware",
	  "  --root DIR         audit the machine dumped in DIR (default /)\n"
	  "  --connect URI      also ask libvirt at URI for its domains (read-only); on\n"
	  "                     this machine qemu:///system is asked when it is a KVM host\n"
	  "  --json             print facts and findings as JSON\n"
	  "  --fail-on LEVEL    exit 1 when a finding reaches LEVEL: critical, warning\n"
	  "                     (default) or info\n"
	  "  --only PREFIX      run only the checks whose id starts with PREFIX (cpu, mem.thp)\n"
	  "  --list-checks      print every check id and what it looks for\n"
	  "  --color WHEN       auto (default), always or never\n"
	  "  --measure          also measure the clock and wake-up latency here (a few\n"
	  "                     seconds) and weigh the findings with them\n" },
	{ "measure", cmd_measure, "measure the real clock (freq) or wake-up latency (wake)",
	  "  freq | wake        what to measure\n"
	  "  --cpus LIST        CPUs to measure (default: the online ones, at most 8)\n"
	  "  --duration S       wake: seconds per run, 0.05 to 60 (default 0.5)\n"
	  "  --interval US      wake: the timer period in microseconds (default 1000)\n"
	  "  --json             print the measurements as JSON\n" },
	{ "rtt", cmd_rtt, "round-trip latency to a latdoc rtt --serve, with percentiles",
	  "  HOST[:PORT]        the server to probe (port 7478 by default)\n"
	  "  --count N          probes to send (default 100), or\n"
	  "  --duration S       send for S seconds (also bounds --serve)\n"
	  "  --interval D       paced, every D (1ms, 250us, 0.5) with +-10% jitter; default\n"
	  "                     back to back\n"
	  "  --size B           probe size in bytes, 64 to 9000 (default 64)\n"
	  "  --tcp              over TCP with TCP_NODELAY instead of UDP\n"
	  "  --timeout S        wait for a reply at most S seconds (default 1)\n"
	  "  --key FILE         sign probes with HMAC-SHA256 under the key in FILE\n"
	  "  --json             print the result as JSON\n"
	  "  --serve            answer probes instead; with --listen ADDR:PORT (default\n"
	  "                     :7478), --key FILE (answer signed probes only, no replays),\n"
	  "                     --delay-us N (hold each reply), --rate-limit PPS per source\n"
	  "                     (default 100000), --quiet\n" },
	{ "ttfb", cmd_ttfb, "HTTP time to first byte, by phase, with percentiles",
	  "  URL                what to request\n"
	  "  --count N          requests (default 20)\n"
	  "  --rate R           R requests a second on a fixed schedule, each timed from when\n"
	  "                     it was due; default one after another\n"
	  "  --reuse            keep the connection; default a new one (and DNS) each time\n"
	  "  --timeout S        per request (default 10)\n"
	  "  --json             print the result as JSON\n" },
	{ "snapshot", cmd_snapshot, "copy every file check reads into a directory",
	  "  -o, --output DIR   where to write; must be new or empty (required)\n"
	  "  --root DIR         snapshot a dump instead of this machine\n" },
	{ "help", cmd_help, "show the commands, or one command's options", "  [COMMAND]\n" },
	{ "version", cmd_version, "print the version", "" },
};
const size_t commands_count = sizeof(commands) / sizeof(commands[0]);

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < commands_count; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

void command_usage(FILE *out, const struct command *c)
{
	fprintf(out, "usage: latdoc %s [options]\n%s\n\n%s", c->name, c->summary, c->usage);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		cmd_help(1, argv);
		return EXIT_ERROR;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h"))
		name = "help";
	else if (!strcmp(name, "--version") || !strcmp(name, "-V"))
		name = "version";
	const struct command *c = command_find(name);
	if (!c) {
		fprintf(stderr, "latdoc: '%s' is not a command; 'latdoc help' lists them\n", argv[1]);
		return EXIT_ERROR;
	}
	return c->run(argc - 1, argv + 1);
}
