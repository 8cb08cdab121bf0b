/* libcurl, loaded when ttfb starts. */
#define CURL_DISABLE_TYPECHECK /* the type-checking macros would rename our definitions */
#include <curl/curl.h>
#include <stdarg.h>

#include "lazy.h"

struct lazy_lib lazy_libcurl = { .soname = "libcurl.so.4" };

CURLcode curl_global_init(long flags)
{
	LAZY_FN(lazy_libcurl, curl_global_init);
	return fn ? fn(flags) : CURLE_FAILED_INIT;
}

void curl_global_cleanup(void)
{
	LAZY_FN(lazy_libcurl, curl_global_cleanup);
	if (fn)
		fn();
}

CURL *curl_easy_init(void)
{
	LAZY_FN(lazy_libcurl, curl_easy_init);
	return fn ? fn() : NULL;
}

void curl_easy_cleanup(CURL *curl)
{
	LAZY_FN(lazy_libcurl, curl_easy_cleanup);
	if (fn)
		fn(curl);
}

CURLcode curl_easy_perform(CURL *curl)
{
	LAZY_FN(lazy_libcurl, curl_easy_perform);
	return fn ? fn(curl) : CURLE_FAILED_INIT;
}

const char *curl_easy_strerror(CURLcode code)
{
	LAZY_FN(lazy_libcurl, curl_easy_strerror);
	return fn ? fn(code) : "libcurl is not available";
}

/* The option's number says the type of its one argument (curl.h,
 * CURLOPTTYPE_*): hand it on as that type. */
CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
	LAZY_FN(lazy_libcurl, curl_easy_setopt);
	va_list ap;
	CURLcode rc = CURLE_FAILED_INIT;

	if (!fn)
		return rc;
	va_start(ap, option);
	if (option < CURLOPTTYPE_OBJECTPOINT)
		rc = fn(curl, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_FUNCTIONPOINT)
		rc = fn(curl, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_OFF_T)
		rc = fn(curl, option, va_arg(ap, void (*)(void)));
	else if (option < CURLOPTTYPE_BLOB)
		rc = fn(curl, option, va_arg(ap, curl_off_t));
	else
		rc = fn(curl, option, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
	LAZY_FN(lazy_libcurl, curl_easy_getinfo);
	va_list ap;
	CURLcode rc = CURLE_FAILED_INIT;

	if (!fn)
		return rc;
	va_start(ap, info);
	rc = fn(curl, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLU *curl_url(void)
{
	LAZY_FN(lazy_libcurl, curl_url);
	return fn ? fn() : NULL;
}

void curl_url_cleanup(CURLU *handle)
{
	LAZY_FN(lazy_libcurl, curl_url_cleanup);
	if (fn)
		fn(handle);
}

CURLUcode curl_url_set(CURLU *handle, CURLUPart what, const char *part, unsigned int flags)
{
	LAZY_FN(lazy_libcurl, curl_url_set);
	return fn ? fn(handle, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode curl_url_get(CURLU *handle, CURLUPart what, char **part, unsigned int flags)
{
	LAZY_FN(lazy_libcurl, curl_url_get);
	return fn ? fn(handle, what, part, flags) : CURLUE_OUT_OF_MEMORY;
}

void curl_free(void *p)
{
	LAZY_FN(lazy_libcurl, curl_free);
	if (fn)
		fn(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *data)
{
	LAZY_FN(lazy_libcurl, curl_slist_append);
	return fn ? fn(list, data) : NULL;
}

void curl_slist_free_all(struct curl_slist *list)
{
	LAZY_FN(lazy_libcurl, curl_slist_free_all);
	if (fn)
		fn(list);
}
