/* JSON results on stdout: one line for --json, indented for people. */
#include "dynamo/json_print.h"
#include "dynamo/buf.h"
#include "dynamo/redact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void newline(struct buf *out, int depth)
{
	buf_printf(out, "\n%*s", depth * 2, "");
}

/*
 * Compact JSON re-indented by two spaces a level, as jq and the AWS CLI
 * print it; values are copied as they stand (numbers never re-read).
 */
static void indent_json(const char *s, struct buf *out)
{
	int depth = 0, in_string = 0;

	for (; *s; s++) {
		if (in_string) {
			buf_putc(out, *s);
			if (*s == '\\' && s[1])
				buf_putc(out, *++s);
			else if (*s == '"')
				in_string = 0;
			continue;
		}
		switch (*s) {
		case '"':
			in_string = 1;
			buf_putc(out, *s);
			break;
		case '{':
		case '[':
			buf_putc(out, *s);
			if (s[1] == '}' || s[1] == ']')
				buf_putc(out, *++s);	/* empty: {} or [] */
			else
				newline(out, ++depth);
			break;
		case '}':
		case ']':
			newline(out, --depth);
			buf_putc(out, *s);
			break;
		case ',':
			buf_putc(out, ',');
			newline(out, depth);
			break;
		case ':':
			buf_puts(out, ": ");
			break;
		default:
			buf_putc(out, *s);
		}
	}
}

static void print_json(const cJSON *v, int indented)
{
	char *s = cJSON_PrintUnformatted(v);
	struct buf out = BUF_INIT, text = BUF_INIT;

	if (indented && s) {
		indent_json(s, &text);
		free(s);
		s = buf_detach(&text);
	}

	/* Results quote servers (errors, descriptions): no secret in them. */
	redact_into(s ? s : "null", s ? strlen(s) : 4, &out);
	printf("%s\n", out.data);
	buf_release(&out);
	free(s);
}

void print_json_line(const cJSON *v)
{
	print_json(v, 0);
}

void print_json_indented(const cJSON *v)
{
	print_json(v, 1);
}
