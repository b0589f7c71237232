#include "internal.h"
#include "dynamo/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef USE_EPOLL
#include <sys/epoll.h>
#endif

/* The loop: start what may start, wait on sockets and timers, collect what ended. */

#ifdef USE_EPOLL
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp,
		     void *socketp)
{
	struct engine *e = userp;
	struct epoll_event ev;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		/* The fd may already be closed; epoll then forgot it by itself. */
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, fd, NULL);
		curl_multi_assign(e->multi, fd, NULL);
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.data.fd = fd;
	ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) |
		    ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
	if (socketp || epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		epoll_ctl(e->epfd, EPOLL_CTL_MOD, fd, &ev);
	if (!socketp)
		curl_multi_assign(e->multi, fd, e);
	return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct engine *e = userp;

	(void)multi;
	e->timer_at_ms = timeout_ms < 0 ? UINT64_MAX :
			 clock_mono_ms() + (uint64_t)timeout_ms;
	return 0;
}

void http_loop_init(struct engine *e)
{
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0) {
		fputs("dynamo: cannot create an epoll instance\n", stderr);
		abort();
	}
	e->timer_at_ms = UINT64_MAX;
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, e);
}

void http_loop_release(struct engine *e)
{
	close(e->epfd);
}
#else
void http_loop_init(struct engine *e)
{
	(void)e;
}

void http_loop_release(struct engine *e)
{
	(void)e;
}
#endif

static void drain_completed(struct engine *e)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(e->multi, &left)))
		if (m->msg == CURLMSG_DONE)
			http_complete(e, m->easy_handle, m->data.result);
}

static void cancel_queued(struct engine *e)
{
	struct http_call *c;

	while ((c = http_ready_pop(e)))
		http_finish(e, c, HTTP_CANCELLED);
	while (e->nheap)
		http_finish(e, http_delayed_pop(e), HTTP_CANCELLED);
}

static void start_ready(struct engine *e)
{
	uint64_t now = clock_mono_ms();

	while (e->nheap && e->heap[0]->not_before_ms <= now)
		http_ready_push(e, http_delayed_pop(e));
	while (e->in_flight < e->cfg.max_in_flight && e->nready) {
		struct http_call *c = http_ready_pop(e);

		if (c->pacer && c->limiter) {
			uint64_t wait = c->pacer->reserve(c->limiter, c->cost);

			if (wait) {
				/* Ask again within a second: settled reservations may have paid the debt. */
				c->not_before_ms = now + (wait > 1000 ? 1000 : wait);
				http_delayed_push(e, c);
				continue;
			}
			c->reserved += c->cost;
		}
		http_start_call(e, c);
	}
}

/* How long the loop may wait: until the next delayed call, at most max_wait_ms. */
static int wait_budget(struct engine *e, int max_wait_ms)
{
	uint64_t now = clock_mono_ms();
	int wait = max_wait_ms;

	if (e->nready && e->in_flight < e->cfg.max_in_flight)
		return 0;
	if (e->nheap) {
		uint64_t nb = e->heap[0]->not_before_ms;
		uint64_t until = nb > now ? nb - now : 0;

		if (until < (uint64_t)wait)
			wait = (int)until;
	}
#ifdef USE_EPOLL
	if (e->timer_at_ms != UINT64_MAX) {
		uint64_t until = e->timer_at_ms > now ? e->timer_at_ms - now : 0;

		if (until < (uint64_t)wait)
			wait = (int)until;
	}
#endif
	return wait;
}

#ifdef USE_EPOLL
static void wait_and_drive(struct engine *e, int wait)
{
	struct epoll_event ev[64];
	int n, i, running;

	n = epoll_wait(e->epfd, ev, 64, wait);
	for (i = 0; i < n; i++) {
		int flags = ((ev[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
			    ((ev[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
			    ((ev[i].events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);

		curl_multi_socket_action(e->multi, ev[i].data.fd, flags, &running);
	}
	if (e->timer_at_ms <= clock_mono_ms()) {
		e->timer_at_ms = UINT64_MAX;
		curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
}
#else
static void wait_and_drive(struct engine *e, int wait)
{
	int running;

	curl_multi_poll(e->multi, NULL, 0, wait, NULL);
	curl_multi_perform(e->multi, &running);
}
#endif

void engine_step(struct engine *e, int max_wait_ms)
{
	if (http_stopping(e))
		cancel_queued(e);
	else
		start_ready(e);
	if (!e->in_flight && !e->nheap && !e->nready)
		return;
	wait_and_drive(e, wait_budget(e, max_wait_ms));
	drain_completed(e);
	if (http_stopping(e))
		cancel_queued(e);
	else
		start_ready(e);
}

int engine_run(struct engine *e)
{
	e->running++;
	while (engine_pending(e))
		engine_step(e, 100);
	e->running--;
	return engine_stop ? -1 : 0;
}
