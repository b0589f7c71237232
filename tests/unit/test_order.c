/*
 * The order of one key's writes from a file (src/engine/order.c): a later
 * version of a key waits until every earlier one is confirmed, other keys
 * go on, a key's waiting versions leave in file order, and keys equal as
 * DynamoDB compares them are one key.
 */
#include "unit.h"

#include "dynamo/order.h"

#include <stdio.h>

static struct table_desc desc(void)
{
	struct table_desc t;

	memset(&t, 0, sizeof(t));
	t.hash.name = (char *)"PK";
	t.hash.type = 'S';
	t.range.name = (char *)"SK";
	t.range.type = 'N';
	return t;
}

static struct slice sl(const char *s)
{
	return (struct slice){ s, strlen(s) };
}

#define V(pk, sk, v) "{\"PK\":{\"S\":\"" pk "\"},\"SK\":{\"N\":\"" sk "\"},\"v\":{\"N\":\"" v "\"}}"

/* The waiting item that may go now, as text ("" when none). */
static const char *next_text(struct key_order *o, char *buf, size_t n, struct page **pg)
{
	struct slice it;

	if (!order_next(o, &it, pg))
		return "";
	snprintf(buf, n, "%.*s", (int)it.n, it.p);
	return buf;
}

static void a_later_version_waits_for_the_earlier_and_other_keys_go_on(void **state)
{
	struct table_desc t = desc();
	struct key_order o;
	struct page *pg = NULL, *p1 = (struct page *)0x1, *p2 = (struct page *)0x2;
	char buf[256];

	(void)state;
	order_init(&o, &t);
	assert_int_equal(order_admit(&o, sl(V("a", "1", "0")), p1), 1);
	assert_int_equal(order_admit(&o, sl(V("a", "1", "1")), p1), 0);
	assert_int_equal(order_admit(&o, sl(V("b", "1", "0")), p2), 1);	/* another key goes on */
	assert_int_equal(order_admit(&o, sl(V("a", "1", "2")), p2), 0);
	assert_int_equal(order_waiting(&o), 2);
	assert_string_equal(next_text(&o, buf, sizeof(buf), &pg), "");	/* v0 of a is still out */
	order_confirm(&o, sl(V("b", "1", "0")));
	assert_string_equal(next_text(&o, buf, sizeof(buf), &pg), "");
	/* v0 written: v1 goes, and v2 still waits for it. */
	order_confirm(&o, sl(V("a", "1", "0")));
	assert_string_equal(next_text(&o, buf, sizeof(buf), &pg), V("a", "1", "1"));
	assert_ptr_equal(pg, p1);
	assert_string_equal(next_text(&o, buf, sizeof(buf), &pg), "");
	order_confirm(&o, sl(V("a", "1", "1")));
	assert_string_equal(next_text(&o, buf, sizeof(buf), &pg), V("a", "1", "2"));
	assert_ptr_equal(pg, p2);
	assert_int_equal(order_waiting(&o), 0);
	order_confirm(&o, sl(V("a", "1", "2")));
	assert_int_equal(o.used, 0);
	order_release(&o);
}

/* 1 and 1.0 are one number key; a key attribute missing is refused. */
static void keys_equal_as_dynamodb_compares_them_are_one_key(void **state)
{
	struct table_desc t = desc();
	struct key_order o;

	(void)state;
	order_init(&o, &t);
	assert_int_equal(order_admit(&o, sl(V("a", "1", "0")), NULL), 1);
	assert_int_equal(order_admit(&o, sl(V("a", "1.0", "1")), NULL), 0);
	assert_int_equal(order_admit(&o, sl(V("a", "10", "1")), NULL), 1);
	assert_int_equal(order_admit(&o, sl("{\"PK\":{\"S\":\"a\"}}"), NULL), -1);
	order_release(&o);
}

/* Many keys in and out: the table grows, and empties again (deletion keeps every probe chain). */
static void many_keys_in_and_out_leave_nothing(void **state)
{
	struct table_desc t = desc();
	struct key_order o;
	char item[128];
	int i;

	(void)state;
	order_init(&o, &t);
	for (i = 0; i < 20000; i++) {
		snprintf(item, sizeof(item), "{\"PK\":{\"S\":\"k%d\"},\"SK\":{\"N\":\"%d\"}}", i % 5000, i);
		assert_int_equal(order_admit(&o, sl(item), NULL), 1);
	}
	assert_int_equal(o.used, 20000);
	/* Confirmed in another order than admitted. */
	for (i = 19999; i >= 0; i -= 2) {
		snprintf(item, sizeof(item), "{\"PK\":{\"S\":\"k%d\"},\"SK\":{\"N\":\"%d\"}}", i % 5000, i);
		order_confirm(&o, sl(item));
	}
	for (i = 0; i < 20000; i += 2) {
		snprintf(item, sizeof(item), "{\"PK\":{\"S\":\"k%d\"},\"SK\":{\"N\":\"%d\"}}", i % 5000, i);
		/* Still out: a second version of it waits. */
		assert_int_equal(order_admit(&o, sl(item), NULL), 0);
		order_confirm(&o, sl(item));
	}
	for (i = 0; i < 10000; i++) {
		struct slice it;
		struct page *pg;

		assert_int_equal(order_next(&o, &it, &pg), 1);
		order_confirm(&o, it);
	}
	assert_int_equal(order_waiting(&o), 0);
	assert_int_equal(o.used, 0);
	order_release(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_later_version_waits_for_the_earlier_and_other_keys_go_on),
		cmocka_unit_test(keys_equal_as_dynamodb_compares_them_are_one_key),
		cmocka_unit_test(many_keys_in_and_out_leave_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
