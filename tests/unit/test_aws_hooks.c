/*
 * The AWS hooks of a call through the real transport (aws/call_headers.c
 * over src/http/): the request carries the protocol's content type and
 * X-Amz-Target, and an answer whose body does not match its x-amz-crc32 is
 * refused and retried (CRC32CheckFailed), while a matching one is taken
 * with its request id. A loopback stub answers each connection once.
 */
#include "unit.h"
#include "dynamo/aws_call.h"
#include "dynamo/crc32.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>

#define BODY "{\"TableNames\":[]}"

struct stub {
	int fd;				/* listening */
	int port;
	int answers;			/* connections to answer, one request each */
	unsigned long crc;		/* what x-amz-crc32 says */
	char request[4096];		/* the first request's header block */
	int served;
};

/* Reads one request (headers, then Content-Length bytes of body). */
static void read_request(int fd, char *head, size_t cap)
{
	char buf[8192];
	size_t got = 0;
	long body = 0;
	char *end = NULL, *cl;

	while (got < sizeof(buf) - 1) {
		ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);

		if (n <= 0)
			return;
		got += (size_t)n;
		buf[got] = '\0';
		if (!end && (end = strstr(buf, "\r\n\r\n"))) {
			cl = strcasestr(buf, "\r\nContent-Length:");
			body = cl ? strtol(cl + 17, NULL, 10) : 0;
			snprintf(head, cap, "%.*s", (int)(end - buf), buf);
		}
		if (end && got >= (size_t)(end + 4 - buf) + (size_t)body)
			return;
	}
}

static void *stub_main(void *arg)
{
	struct stub *s = arg;
	int i;

	for (i = 0; i < s->answers; i++) {
		char head[4096] = "", resp[512];
		int fd = accept(s->fd, NULL, NULL);

		if (fd < 0)
			break;
		read_request(fd, head, sizeof(head));
		if (i == 0)
			memcpy(s->request, head, sizeof(head));
		snprintf(resp, sizeof(resp),
			 "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"
			 "x-amz-crc32: %lu\r\nx-amzn-RequestId: STUB%d\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			 s->crc, i + 1, strlen(BODY), BODY);
		if (send(fd, resp, strlen(resp), 0) > 0)
			s->served++;	/* else the test sees served short */
		close(fd);
	}
	return NULL;
}

static void stub_start(struct stub *s, pthread_t *th, int answers, unsigned long crc)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	struct timeval tv = { 5, 0 };	/* accept gives up: a test fails, never hangs */

	memset(s, 0, sizeof(*s));
	s->answers = answers;
	s->crc = crc;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 8), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(th, NULL, stub_main, s), 0);
}

/* One unsigned DynamoDB-style call to the stub, with at most attempts attempts. */
static void call_stub(struct stub *s, int attempts, struct http_call *c)
{
	struct engine_config cfg;
	struct endpoint ep;
	struct engine *e;
	char url[64];

	engine_config_defaults(&cfg);
	cfg.max_attempts = attempts;
	cfg.backoff_base_ms = 1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", s->port);
	assert_int_equal(endpoint_parse(&ep, url, NULL), 0);
	e = engine_new(&cfg);
	http_call_init(c);
	c->ep = &ep;
	c->target = "DynamoDB_20120810.ListTables";
	c->hooks = &aws_json_hooks;
	buf_puts(&c->body, "{}");
	engine_submit(e, c);
	engine_run(e);
	engine_free(e);
	endpoint_release(&ep);
}

static void a_damaged_answer_is_refused_and_retried(void **unused)
{
	struct stub s;
	struct http_call c;
	pthread_t th;

	(void)unused;
	stub_start(&s, &th, 2, crc32_update(0, BODY, strlen(BODY)) ^ 1);
	call_stub(&s, 2, &c);
	pthread_join(th, NULL);
	close(s.fd);
	assert_int_equal(s.served, 2);
	assert_int_equal(c.outcome, HTTP_GAVE_UP);
	assert_string_equal(c.err.type, "CRC32CheckFailed");
	assert_true(c.err.retryable);
	assert_int_equal(c.attempt, 2);
	http_call_release(&c);
}

static void a_sound_answer_is_taken_with_its_request_id(void **unused)
{
	struct stub s;
	struct http_call c;
	pthread_t th;

	(void)unused;
	stub_start(&s, &th, 1, crc32_update(0, BODY, strlen(BODY)));
	call_stub(&s, 2, &c);
	pthread_join(th, NULL);
	close(s.fd);
	assert_int_equal(c.outcome, HTTP_OK);
	assert_int_equal(c.attempt, 1);
	assert_string_equal(c.request_id, "STUB1");
	assert_int_equal(c.resp.len, strlen(BODY));
	/* The AWS request headers come from the hooks, not the transport. */
	assert_non_null(strcasestr(s.request, "\r\nContent-Type: application/x-amz-json-1.0\r\n"));
	assert_non_null(strcasestr(s.request, "\r\nX-Amz-Target: DynamoDB_20120810.ListTables"));
	http_call_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_damaged_answer_is_refused_and_retried),
		cmocka_unit_test(a_sound_answer_is_taken_with_its_request_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
