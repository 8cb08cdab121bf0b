/* libvirt's errors, said in latdoc's own words: libvirt prints each one to
 * stderr unless told otherwise. For the facts (reading domains) and for
 * tune (defining them) alike. */
#ifndef LATDOC_LIBVIRT_ERRORS_H
#define LATDOC_LIBVIRT_ERRORS_H

/* libvirt prints nothing of its own from now on. */
void libvirt_quiet(void);
/* The message of libvirt's last error on this thread, or "unknown error". */
const char *libvirt_last_error(void);

#endif
