/* OpenSSL's libcrypto, loaded when rtt first signs or checks a probe; and
 * its libssl, which libcurl has loaded already when ttfb asks whether a TLS
 * session was resumed. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#include <openssl/ssl.h>

#include "lazy.h"

#define STR_(x) #x
#define STR(x) STR_(x)

struct lazy_lib lazy_libcrypto = { .soname = "libcrypto.so." STR(OPENSSL_VERSION_MAJOR) };
struct lazy_lib lazy_libssl = { .soname = "libssl.so." STR(OPENSSL_VERSION_MAJOR) };

const EVP_MD *EVP_sha256(void)
{
	LAZY_FN(lazy_libcrypto, EVP_sha256);
	return fn ? fn() : NULL;
}

unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len, const unsigned char *data,
		    size_t data_len, unsigned char *md, unsigned int *md_len)
{
	LAZY_FN(lazy_libcrypto, HMAC);
	return fn && evp_md ? fn(evp_md, key, key_len, data, data_len, md, md_len) : NULL;
}

int CRYPTO_memcmp(const void *a, const void *b, size_t len)
{
	LAZY_FN(lazy_libcrypto, CRYPTO_memcmp);
	return fn ? fn(a, b, len) : 1; /* unequal: a MAC that cannot be checked fails */
}

int SSL_session_reused(const SSL *s)
{
	LAZY_FN(lazy_libssl, SSL_session_reused);
	return fn ? fn(s) : 0;
}
