"""Property tests: any string gives a valid value or None, never an exception."""

import re
import string
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawler.processors.dates import parse_date
from newscrawler.processors.scores import parse_score
from newscrawler.processors.source import split_source
from newscrawler.processors.text import clean_text, normalize_for_match, to_western_digits
from newscrawler.processors.urls import canonical_url, is_http_url, url_id

ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
OFFSET_RE = re.compile(r"[+-]\d{2}:\d{2}(:\d{2})?")

# Text made of the pieces the parsers look for, so that hypothesis explores their
# branches, not only random code points.
DATE_PIECES = st.sampled_from(
    ["2023", "10", "20", "٢٠", "-", "/", ":", " ", "،", "T", "Z", "+03:00", "م", "ص",
     "تموز", "يوليو", "كانون الثاني", "الجمعة", "منذ", "ساعتين", "أمس", "اليوم", "الساعة",
     "09:07", "\u00a0", "\u200f", "٪", "%"]
)
piecewise = st.lists(DATE_PIECES, max_size=12).map("".join)
texts = st.text() | piecewise
FIXED_NOW = datetime(2023, 10, 20, 9, 0, tzinfo=timezone.utc)


@given(texts)
def test_to_western_digits_total(s):
    out = to_western_digits(s)
    assert isinstance(out, str) and len(out) == len(s)
    assert not re.search("[٠-٩۰-۹]", out)


@given(texts)
def test_clean_text_total_and_idempotent(s):
    out = clean_text(s)
    assert isinstance(out, str)
    assert out == out.strip() and "  " not in out
    assert not re.search(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c]", out)
    assert not any(c.isspace() and c != " " for c in out)
    assert clean_text(out) == out


@given(texts)
def test_normalize_for_match_total(s):
    out = normalize_for_match(s)
    assert isinstance(out, str)
    assert out == out.strip() and "  " not in out
    assert not re.search(r"[\u064b-\u065f\u0670\u0640أإآٱىة«»“”\"'.,،؛؟!]", out)
    assert normalize_for_match(out) == out


@given(texts | st.integers() | st.none())
def test_parse_score_total(s):
    out = parse_score(s)
    assert out is None or (isinstance(out, int) and not isinstance(out, bool))


@given(st.integers(min_value=0, max_value=100))
def test_parse_score_roundtrip(n):
    assert parse_score(f"{n}%") == n
    assert parse_score(str(n).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) + "٪") == n


@given(texts | st.none())
def test_split_source_total(s):
    outlet, country = split_source(s)
    for part in (outlet, country):
        assert part is None or (isinstance(part, str) and part and part == clean_text(part))


@given(texts | st.none(), st.sampled_from([None, "Asia/Riyadh", "Europe/Paris", "UTC"]))
@settings(max_examples=300)
def test_parse_date_total(s, tz):
    out = parse_date(s, tz=tz, now=FIXED_NOW)
    assert out is None or isinstance(out, str)
    if out is not None:
        assert ISO_RE.match(out), out
        rest = out[19:]
        assert (rest == "") if tz is None else OFFSET_RE.fullmatch(rest), out
        datetime.fromisoformat(out)


@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S"]),
)
def test_parse_date_numeric_roundtrip(dt, fmt):
    text = dt.strftime(fmt)
    expected = datetime.strptime(text, fmt)
    assert parse_date(text) == expected.isoformat()


url_like = st.tuples(
    st.sampled_from(["http://", "HTTPS://", "https://user@", "ftp://", "mailto:", "//", ""]),
    st.text(alphabet=string.printable + "اعة٢\u00a0\u200f[]:@", max_size=30),
).map("".join)


@given(texts | url_like)
def test_canonical_url_total(s):
    out = canonical_url(s)
    assert isinstance(out, str)
    assert canonical_url(out) == out
    assert re.fullmatch(r"[0-9a-f]{40}", url_id(s))
    assert isinstance(is_http_url(s), bool)


http_urls = st.builds(
    lambda scheme, host, port, path, query, frag: f"{scheme}://{host}{port}/{path}?{query}#{frag}",
    st.sampled_from(["http", "https", "HTTP", "hTTps"]),
    st.from_regex(r"[a-zA-Z0-9]{1,10}(\.[a-zA-Z]{2,5}){1,2}", fullmatch=True),
    st.sampled_from(["", ":80", ":443", ":8080"]),
    st.text(alphabet=string.ascii_letters + string.digits + "/-_.%~ا", max_size=20),
    st.lists(
        st.tuples(
            st.sampled_from(["utm_source", "utm_x", "fbclid", "gclid", "id", "q", "page", "_ga"]),
            st.text(alphabet=string.ascii_letters + string.digits + "%+ ع", max_size=5),
        ),
        max_size=4,
    ).map(lambda kv: "&".join(f"{k}={v}" for k, v in kv)),
    st.text(max_size=5),
)


@given(http_urls)
def test_canonical_url_on_http_urls(url):
    out = canonical_url(url)
    assert canonical_url(out) == out
    parts = urlsplit(out)
    assert not parts.fragment and "#" not in out
    keys = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    assert not {k for k in keys if k.startswith("utm_")} | (keys & {"fbclid", "gclid", "_ga"})
    assert is_http_url(out)
    assert out.split("://", 1)[0] in ("http", "https")
