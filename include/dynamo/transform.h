#ifndef DYNAMO_TRANSFORM_H
#define DYNAMO_TRANSFORM_H

#include <cJSON.h>
#include "dynamo/buf.h"
#include "dynamo/ddb.h"
#include "dynamo/mask.h"
#include "dynamo/msg.h"

/*
 * Transforms applied to items on their way (copy, export, import):
 *
 *   --set NAME=VALUE      sets a top-level attribute to VALUE (DynamoDB
 *                         JSON: --set 'env={"S":"staging"}'), adding it
 *                         where the item lacks it
 *   --remove NAME         drops a top-level attribute
 *   --mask NAME           replaces a top-level attribute's value with its
 *                         pseudonym (mask.h), inside lists, maps and sets too
 *   --rename-prefix OLD=NEW
 *                         rewrites every string value that begins with OLD
 *                         to begin with NEW instead: key attributes, index
 *                         keys and plain attributes, at any depth inside
 *                         lists and maps, and the elements of string sets
 *                         (not binaries, numbers or attribute names). With
 *                         several, the longest OLD that matches wins; a
 *                         value is renamed once.
 *
 * Each top-level attribute gets one of these at most (naming one attribute
 * in two of --set, --remove and --mask is refused); --rename-prefix applies
 * to the attributes none of them names. NAME is a top-level attribute name
 * as it stands (no document paths); NAME and OLD end at the first '='.
 *
 * Keys. --set and --remove never touch the table's own key attributes (an
 * item without its key cannot be written; --rename-prefix is the way to
 * rewrite keys). They may touch index keys: --remove takes the item out of
 * that index (sparse indexes), --set must give the index key's type and,
 * for S and B, a non-empty value. --mask of one of the table's key
 * attributes (partition or sort key) is allowed only together with --mask
 * of every other key attribute of the same type, the table's and every
 * index's (GSI and LSI): single-table designs copy keys into index keys
 * (GSI1SK = PK), and a copy left unmasked would both leak the value and
 * no longer match its masked original (the mask of a value is the same in
 * every attribute, so masked copies still match). Masking an attribute
 * that is only an index key needs nothing more: index keys need not be
 * unique. A masked key attribute is not also renamed, so --mask of a
 * string key attribute with --rename-prefix is refused.
 *
 * Life cycle: transform_init, the transform_add_* calls as the flags come,
 * transform_bind against the target table's description, then one
 * transformer per thread (the bound transform is read-only).
 */

struct transform_set {
	char *name;		/* owned */
	char *value;		/* owned: the attribute value, DynamoDB JSON, checked */
	char type[8];		/* its type tag */
};

struct transform_rename {
	char *from, *to;	/* owned */
	size_t from_len, to_len;
};

/* A key attribute of the table or an index, for the checks of each item. */
struct transform_key {
	char *name;		/* owned */
	char type;		/* 'S', 'N' or 'B' */
	size_t max_bytes;	/* 2048 for partition keys, 1024 for sort keys */
	int table;		/* the table's own key (else only an index's) */
};

struct transform {
	struct transform_set *sets;	/* owned array */
	int nsets;
	char **removes;			/* owned array of owned names */
	int nremoves;
	char **masks;			/* owned array of owned names */
	int nmasks;
	struct transform_rename *renames;	/* owned array, longest from first */
	int nrenames;
	/* set by transform_bind */
	int bound;
	struct transform_key *keys;	/* owned array: every distinct key attribute */
	int nkeys;
	char **quoted;			/* owned: "NAME" of each --remove and --mask, as JSON */
	int nquoted;
};

void transform_init(struct transform *t);
void transform_release(struct transform *t);

/* The flags, one value each; every error is one line naming the flag. */
int transform_add_set(struct transform *t, const char *spec, struct errbuf *eb);
int transform_add_remove(struct transform *t, const char *name, struct errbuf *eb);
int transform_add_mask(struct transform *t, const char *name, struct errbuf *eb);
int transform_add_rename_prefix(struct transform *t, const char *spec,
				struct errbuf *eb);

/* Whether there is any transform at all; whether one needs a mask key. */
int transform_any(const struct transform *t);
int transform_needs_mask_key(const struct transform *t);

/*
 * Checks the transforms against the table the items go to (its keys and
 * indexes; see "Keys" above) and keeps what applying them needs.
 */
int transform_bind(struct transform *t, const struct table_desc *td,
		   struct errbuf *eb);

/*
 * Whether a bound transform may give an item other keys than it had in the
 * table it came from: a --rename-prefix, or a --mask of a key attribute of
 * the table. Then the target's keys cannot be looked up in the source.
 */
int transform_may_change_keys(const struct transform *t);

/*
 * The renames applied to one string (UTF-8 bytes): 1 and NEW + rest
 * appended to out when a rename applies, 0 (out untouched) when none does.
 * For instance to carry a --pk-prefix over to the target's keys.
 */
int transform_rename_text(const struct transform *t, const char *s, size_t n,
			  struct buf *out);

/* For the dry run: "set 'env' to {"S":"staging"}, mask 'email', ..." ("" when none). */
void transform_describe(const struct transform *t, struct buf *out);
/* For --json: adds set, remove, mask and rename_prefix to obj (never the key). */
void transform_to_json(const struct transform *t, cJSON *obj);

/* One thread's state for applying a bound transform. */
struct transformer {
	const struct transform *t;	/* borrowed, bound */
	struct masker m;		/* owned, when the transform masks */
	int masking;
	unsigned char *set_seen;	/* owned: one flag per --set */
	struct buf name, tmp, joined;	/* owned: scratch */
	char why[400];			/* why the last apply failed */
};

/* key: the mask key (NULL when nothing is masked). */
int transformer_init(struct transformer *x, const struct transform *t,
		     const struct mask_key *key, struct errbuf *eb);
void transformer_release(struct transformer *x);

/*
 * Applies the transforms to one item (DynamoDB JSON, as DynamoDB sent it).
 * 1: the item changed and the new item is appended to out; 0: nothing
 * changed, out is as it was (keep moving the original bytes; an item that
 * holds nothing a transform could touch is not even walked, so not
 * checked either: DynamoDB checks what it is sent); -1: the item
 * cannot be transformed (malformed, or a rename would leave a key empty or
 * too long, or a string set with a value twice): x->why says why, out is
 * as it was.
 */
int transformer_apply(struct transformer *x, struct slice item, struct buf *out);

#endif
