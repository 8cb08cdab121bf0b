/* placeholder until the HTML writer lands */
#include "commands.h"
static const struct opt opts[] = { { "output", 'o', OPT_STRING, "FILE", "x", NULL, 0, 0, false, 0 } };
const struct opt_table report_options = OPT_TABLE(opts);
int cmd_report(const struct opt_result *o) { (void)o; return EXIT_ERROR; }
