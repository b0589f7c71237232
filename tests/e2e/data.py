"""Test items in DynamoDB JSON that exercise every attribute type.

Numbers are kept as strings end to end (DynamoDB JSON), so a 38-digit
number checks that nothing on the way turned it into a double.
"""
NUMBERS = [
    "12345678901234567890123456789012345678",      # 38 significant digits
    "-12345678901234567890123456789012345678",
    "0.12345678901234567890123456789012345678",
    "9.9999999999999999999999999999999999999E+125",  # largest
    "-9.9999999999999999999999999999999999999E+125",
    "1E-130",                                        # smallest positive
    "-1E-130",
    "0",
    "-0.000000000000000000000000000000000001",
    "100",
    "3.14159265358979323846264338327950288",
]

STRINGS = [
    "",                                   # empty strings are allowed outside keys
    "plain",
    "quote \" backslash \\ slash /",
    "line\nbreak\ttab\rreturn",
    "unicode: caf\u00e9 \u65e5\u672c\u8a9e \u0416 \U0001F600 \u2028",
    "control \u0001\u001f",
    "{\"looks\":[\"like\",\"json\"]}",
]


def b64(raw):
    """A binary value as boto3 takes it (bytes; boto3 does the base64)."""
    return bytes(raw)


def rich_item(i, pk="PK", sk="SK", pk_value=None, sk_value=None):
    """Item i with every attribute type; keys named pk/sk (sk may be None)."""
    item = {pk: {"S": pk_value if pk_value is not None else "USER#%04d" % (i % 37)}}
    if sk:
        item[sk] = {"S": sk_value if sk_value is not None else "ITEM#%06d" % i}
    n = NUMBERS[i % len(NUMBERS)]
    s = STRINGS[i % len(STRINGS)]
    raw = bytes((i * 7 + k) % 256 for k in range(1 + i % 40))
    item.update({
        "num": {"N": n},
        "str": {"S": s},
        "bin": {"B": b64(raw)},
        "empty_bin": {"B": ""},
        "flag": {"BOOL": i % 2 == 0},
        "nothing": {"NULL": True},
        "tags": {"SS": sorted({"a", "b%d" % (i % 5), "caf\u00e9"})},
        "nums": {"NS": ["1", "-2.5", NUMBERS[(i + 1) % len(NUMBERS)], str(i + 10)]},
        "blobs": {"BS": [b64(b"\x00\x01"), b64(b"\xff" * (1 + i % 3)), b64(raw + b"x")]},
        "list": {"L": [{"S": s}, {"N": n}, {"B": b64(raw)}, {"NULL": True},
                       {"L": [{"BOOL": False}, {"M": {"deep": {"B": b64(b"\x80\x81")}}}]}]},
        "map": {"M": {"a": {"N": "1.50"}, "b": {"S": "\u00fcber"}, "c": {"B": b64(raw)},
                      "nested": {"M": {"l": {"L": [{"N": n}, {"SS": ["x", "y"]}]}, "e": {"S": ""}}},
                      "weird key \"#.:": {"S": "v"}}},
        "reserved": {"S": "status is a reserved word"},
    })
    return item


def rich_items(n, **kw):
    return [rich_item(i, **kw) for i in range(n)]


def big_item(i, pk="PK", sk="SK", size=399_000):
    """An item close to DynamoDB's 400 KB limit."""
    item = {pk: {"S": "BIG#%d" % i}}
    if sk:
        item[sk] = {"S": "B"}
    item["payload"] = {"S": ("0123456789abcdef" * (size // 16 + 1))[:size - 64]}
    return item
