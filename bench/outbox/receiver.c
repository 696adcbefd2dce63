/* receiver.c — a fast webhook receiver for bench/outbox: answers 200 to every POST (after
 * reading the whole body, keep-alive kept), counts the requests and the distinct-looking
 * Idempotency-Keys' bytes, and optionally checks each X-Hoso-Signature.
 *   receiver PORT [SECRET]     prints "listening PORT", then on SIGTERM/SIGINT
 *                              "requests N bad_signatures M" and exits.
 * libmicrohttpd 0.9.75 drops keep-alive when a response is queued on the first callback
 * (DESIGN.md §8): the answer is queued on a later one. */
#include <microhttpd.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BODY 65536

static atomic_ulong requests, bad;
static const char *secret;
static struct MHD_Response *ok;
static char ok_body[] = "{\"ok\":true}";

struct conn {
	size_t len;
	char body[MAX_BODY];
};

static bool signature_ok(struct MHD_Connection *c, const struct conn *b)
{
	const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Hoso-Signature");
	if (!sig || strncmp(sig, "sha256=", 7) != 0)
		return false;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)b->body, b->len);
	crypto_auth_hmacsha256_final(&st, mac);
	char hex[65];
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	return strcmp(hex, sig + 7) == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **ctx)
{
	(void)cls; (void)url; (void)method; (void)version;
	if (!*ctx) {
		struct conn *b = calloc(1, sizeof(*b));
		if (!b)
			return MHD_NO;
		*ctx = b;
		return MHD_YES;
	}
	struct conn *b = *ctx;
	if (*upload_size) {
		size_t n = *upload_size;
		if (b->len + n < MAX_BODY) {
			memcpy(b->body + b->len, upload, n);
			b->len += n;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (secret && !signature_ok(c, b))
		atomic_fetch_add(&bad, 1);
	atomic_fetch_add(&requests, 1);
	return MHD_queue_response(c, MHD_HTTP_OK, ok);
}

static void on_done(void *cls, struct MHD_Connection *c, void **ctx,
                    enum MHD_RequestTerminationCode code)
{
	(void)cls; (void)c; (void)code;
	free(*ctx);
	*ctx = NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2 || sodium_init() < 0) {
		fprintf(stderr, "usage: receiver PORT [SECRET]\n");
		return 2;
	}
	secret = argc > 2 ? argv[2] : NULL;
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	ok = MHD_create_response_from_buffer(sizeof(ok_body) - 1, ok_body, MHD_RESPMEM_PERSISTENT);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)atoi(argv[1]), NULL, NULL,
		on_request, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
		MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_CONNECTION_LIMIT, 4096u,
		MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "receiver: cannot listen on port %s\n", argv[1]);
		return 1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("listening %u\n", info ? info->port : 0);
	fflush(stdout);
	int sig;
	sigwait(&stop, &sig);
	MHD_stop_daemon(d);
	MHD_destroy_response(ok);
	printf("requests %lu bad_signatures %lu\n", atomic_load(&requests), atomic_load(&bad));
	return 0;
}
