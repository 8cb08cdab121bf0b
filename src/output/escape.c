#include "escape.h"

#include <string.h>

#include "../lib/utf8.h"

void output_escaped(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t c = utf8_char(p + i, n - i);
		if (!c || p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\') {
			if (p[i] == '\\')
				fputs("\\\\", out);
			else
				fprintf(out, "\\x%02x", p[i]);
			i++;
			continue;
		}
		/* C1 controls (U+0080-U+009F) act as escapes on some terminals */
		if (c == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0) {
			fprintf(out, "\\x%02x\\x%02x", p[i], p[i + 1]);
		} else {
			fwrite(p + i, 1, c, out);
		}
		i += c;
	}
}
