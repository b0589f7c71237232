#include "dynamo/http.h"
#include "dynamo/clock.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The transport's process-wide settings: the stop flag, the defaults, the backoff. */

/* A plain store of a lock-free atomic is async-signal-safe. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && sizeof(sig_atomic_t) == sizeof(int),
	       "engine_stop must be a lock-free atomic");

_Atomic sig_atomic_t engine_stop;

struct engine_config engine_global_config;

void engine_config_defaults(struct engine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_in_flight = 16;
	cfg->max_attempts = 10;
	cfg->connect_timeout_ms = 10000;
	cfg->timeout_ms = 60000;
	cfg->retry_budget_ms = 300000;
	cfg->backoff_base_ms = 50;
	cfg->backoff_cap_ms = 20000;
	cfg->max_response = 32u << 20;
	cfg->verify_ssl = 1;
}

uint64_t engine_backoff_ms(const struct engine_config *cfg, int n)
{
	uint64_t ceiling = cfg->backoff_base_ms;
	static __thread unsigned int seed;

	if (!seed)
		seed = (unsigned int)clock_mono_us() | 1u;
	while (n-- > 1 && ceiling < cfg->backoff_cap_ms)
		ceiling *= 2;
	if (ceiling > cfg->backoff_cap_ms)
		ceiling = cfg->backoff_cap_ms;
	/* Full jitter: anywhere between nothing and the ceiling. */
	return (uint64_t)((double)rand_r(&seed) / ((double)RAND_MAX + 1) *
			  (double)(ceiling + 1));
}
