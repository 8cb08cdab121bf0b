/* Writes a hostile tar stream (uncompressed; pipe it through gzip) to
 * standard output: a machine skeleton a root would accept, then what the
 * archive backend must refuse or bound. Made here rather than committed:
 * the bombs are hundreds of megabytes once expanded.
 *
 *   mktar_hostile absolute   a member named /etc/latdoc-evil
 *   mktar_hostile climb      a member named a/../../latdoc-evil
 *   mktar_hostile through    etc -> /etc, then a member etc/latdoc-evil
 *   mktar_hostile linkout    etc/hostname -> /etc/hostname, proc/sys/kernel/hostname
 *                            -> ../../../../../etc/hostname: links that lead out
 *   mktar_hostile huge       proc/stat of 17 MiB: over the per-file cap
 *   mktar_hostile bomb       20 members of 16 MiB: 320 MiB expanded
 *   mktar_hostile liar       a header that says 8 GiB less a byte
 *   mktar_hostile many       200,001 members */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void header(const char *name, char type, unsigned long long size, const char *link)
{
	unsigned char h[512] = { 0 };
	unsigned sum = 0;

	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", type == '5' ? 0755 : 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", size & 077777777777ull); /* 8 GiB - 1 at most */
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = (unsigned char)type;
	if (link)
		snprintf((char *)h + 157, 100, "%s", link);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	fwrite(h, 1, 512, stdout);
}

static void file(const char *name, const char *text)
{
	static const char zero[512];
	size_t n = strlen(text);
	header(name, '0', n, NULL);
	fwrite(text, 1, n, stdout);
	fwrite(zero, 1, (512 - n % 512) % 512, stdout);
}

/* SIZE bytes of zeros as one member */
static void zeros(const char *name, unsigned long long size)
{
	static const char zero[65536];
	header(name, '0', size, NULL);
	for (unsigned long long left = (size + 511) / 512 * 512; left;) {
		size_t n = left < sizeof(zero) ? (size_t)left : sizeof(zero);
		fwrite(zero, 1, n, stdout);
		left -= n;
	}
}

static void skeleton(void)
{
	header("proc/", '5', 0, NULL);
	file("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n"
			     "model name\t: Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz\n\n");
	header("sys/devices/system/cpu/", '5', 0, NULL);
	file("sys/devices/system/cpu/online", "0\n");
}

int main(int argc, char **argv)
{
	const char *kind = argc > 1 ? argv[1] : "";
	static const char zero[1024];

	skeleton();
	if (!strcmp(kind, "absolute")) {
		file("/etc/latdoc-evil", "x\n");
	} else if (!strcmp(kind, "climb")) {
		file("a/../../latdoc-evil", "x\n");
	} else if (!strcmp(kind, "through")) {
		header("etc", '2', 0, "/etc");
		file("etc/latdoc-evil", "x\n");
	} else if (!strcmp(kind, "linkout")) {
		header("etc/hostname", '2', 0, "/etc/hostname");
		header("proc/sys/kernel/hostname", '2', 0, "../../../../../etc/hostname");
	} else if (!strcmp(kind, "huge")) {
		zeros("proc/stat", 17ull << 20);
	} else if (!strcmp(kind, "bomb")) {
		for (int i = 0; i < 20; i++) {
			char name[64];
			snprintf(name, sizeof(name), "var/bomb/%d", i);
			zeros(name, 16ull << 20);
		}
	} else if (!strcmp(kind, "liar")) {
		header("var/liar", '0', 077777777777ull, NULL);
	} else if (!strcmp(kind, "many")) {
		for (int i = 0; i <= 200000; i++) {
			char name[64];
			snprintf(name, sizeof(name), "var/many/%d", i);
			header(name, '0', 0, NULL);
		}
	} else {
		fprintf(stderr, "mktar_hostile: absolute, climb, through, linkout, huge, bomb, liar or many\n");
		return 2;
	}
	fwrite(zero, 1, sizeof(zero), stdout); /* the end of the archive */
	return fflush(stdout) ? 1 : 0;
}
