/* Between root.c (resolution, reads) and root_write.c (writes): what the
 * write side borrows from the read side's resolution. Not for other
 * layers. */
#ifndef LATDOC_ROOT_INTERNAL_H
#define LATDOC_ROOT_INTERNAL_H

#include <stddef.h>

struct root;

/* Opens the directory that holds PATH's last component, resolved inside
 * the root, O_RDONLY | O_DIRECTORY; LEAF (of LEAFSZ bytes) gets that last
 * component, and DIRPATH (when not NULL) the directory's resolved path
 * where the walk by hand made one. Returns the descriptor or a negative errno; -EINVAL when the
 * last component is empty, "." or "..". */
int root_open_parent(struct root *r, const char *path, char *leaf, size_t leafsz, char *dirpath,
		     size_t dirpathsz);

#endif
