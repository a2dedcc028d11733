"""Parse the dates shown on Arabic news pages into ISO 8601 strings.

``parse_date(s, tz=None, now=None)`` returns ``YYYY-MM-DDTHH:MM:SS`` followed by the
UTC offset of that local time in ``tz`` (DST-aware), or no offset when ``tz`` is
None; None when ``s`` is not a date. It never raises for any string (an unknown
``tz`` name is a configuration error and raises ``ZoneInfoNotFoundError``).

Tried in order, all on a normalised copy (western digits, cleaned whitespace,
alef/yeh/teh-marbuta unified, no tashkeel or tatweel):

1. numeric dates: ``2023-10-20 09:07:06``, ``2023/10/20``, ``20/10/2023``,
   ``20-10-2023 09:07``, ISO with ``T``, fraction and offset/``Z``; a numeric date
   followed by ``هـ`` is Hijri (stage 4), never a Gregorian year 1445;
2. ``[weekday،] D month [YYYY] [- | ، | الساعة] [HH:MM[:SS]] [ص|م|AM|PM]`` with our own
   table of Egyptian/Gulf, Levantine, Maghrebi and Algerian/Tunisian month names,
   pairs like ``تموز/يوليو`` reduced to one month;
3. month first, as moment.js prints its Arabic locales (``LLLL``):
   ``[weekday،] month D[,] YYYY[،] [HH:MM[:SS]] [ص|م]`` (the year is required);
4. Hijri (Umm al-Qura, converted by ``hijridate``): ``1445/03/12 هـ``,
   ``12-03-1445 هـ 10:30 ص``, ``14 رمضان 1432هـ``, ``12 ربيع الأول 1445`` (a Hijri month
   name needs no ``هـ``). A string that shows both calendars
   (``… هـ الموافق 14 أغسطس 2011``) gives the Gregorian date: stages 1-3 come first;
5. relative dates, relative to ``now`` (aware; default: the current UTC time):
   ``منذ ساعتين``, ``قبل 3 ساعات و 5 دقائق``, ``منذ يوم``, ``الآن``, ``أمس``, ``اليوم 10:30``,
   ``الجمعة 10:30`` (the latest Friday), a bare ``10:30`` (the latest such time);
6. one shared ``dateparser`` parser (Arabic only, never autodetection) for anything
   else that has a letter and a digit or a date word, e.g. ``أكتوبر 20, 2023``.
   Its result must contain at least a day and a month.

Strings without a digit and without a date word return None at once.

A numeric date with a year before 1900 and no Hijri mark (``1445/03/12``) is
returned as written: the record validation rejects it with its reason
(``newscrawler/pipelines/validate.py``), which a silent None would not give.
"""

from __future__ import annotations

import calendar
import re
import threading
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from hijridate import Hijri

from .text import clean_text, to_western_digits

__all__ = ["parse_date"]

# --- normalisation ---------------------------------------------------------

_FOLD = dict.fromkeys(list(range(0x064B, 0x0660)) + [0x0670, 0x0640])
_FOLD.update({ord(c): "ا" for c in "أإآٱ"})
_FOLD.update({ord("ى"): "ي", ord("ة"): "ه"})
_FOLD_TABLE = str.maketrans(_FOLD)


def _fold(s: str) -> str:
    return clean_text(to_western_digits(s)).translate(_FOLD_TABLE)


# --- month and weekday names -----------------------------------------------

_MONTH_NAMES = {
    1: "يناير كانون_الثاني كانون_ثاني جانفي",
    2: "فبراير شباط فيفري",
    3: "مارس آذار",
    4: "أبريل إبريل نيسان أفريل",
    5: "مايو أيار ماي مايس",
    6: "يونيو يونيه حزيران جوان",
    7: "يوليو يوليه تموز يوليوز جويلية",
    8: "أغسطس آب غشت أوت",
    9: "سبتمبر أيلول شتنبر",
    10: "أكتوبر تشرين_الأول تشرين_أول",
    11: "نوفمبر تشرين_الثاني تشرين_ثاني نونبر",
    12: "ديسمبر كانون_الأول كانون_أول دجنبر",
}


def _month_table(names: dict[int, str]) -> tuple[dict[str, int], str]:
    """Folded name -> month number, and the regex alternation (longest first, any spaces)."""
    table = {_fold(name.replace("_", " ")): num for num, words in names.items() for name in words.split()}
    return table, "|".join(re.escape(m).replace(r"\ ", r"\s+") for m in sorted(table, key=len, reverse=True))


_MONTHS, _MONTH_ALT = _month_table(_MONTH_NAMES)
_WEEKDAYS = {  # datetime.weekday() numbers
    _fold(name): num
    for num, names in enumerate(
        ["الاثنين الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
    )
    for name in names.split()
}
_WEEKDAY_ALT = "|".join(_WEEKDAYS)
_HIJRI_MONTH_NAMES = {  # "_" stands for a space
    1: "محرم المحرم",
    2: "صفر",
    3: "ربيع_الأول ربيع_أول ربيع_الاول",
    4: "ربيع_الآخر ربيع_الثاني ربيع_ثاني ربيع_آخر",
    5: "جمادى_الأولى جمادى_الأول جمادى_أولى",
    6: "جمادى_الآخرة جمادى_الثانية جمادى_الآخر جمادى_الثاني",
    7: "رجب",
    8: "شعبان",
    9: "رمضان",
    10: "شوال",
    11: "ذو_القعدة ذي_القعدة",
    12: "ذو_الحجة ذي_الحجة",
}
_HIJRI_MONTHS, _HIJRI_MONTH_ALT = _month_table(_HIJRI_MONTH_NAMES)

# --- regexes (applied to the folded string) ----------------------------------

# Possessive quantifiers: no catastrophic backtracking on runs like "- - - -".
_SEP = r"(?:\s*+(?:[،,|\-\u2013\u2014]|(?:الساعه|في|at)(?!\w)))*+\s*+"
_AMPM = r"(?:صباحا|مساء|ص|م|[ap]\.?m\.?)(?!\w)"
_TIME = rf"(?P<H>\d{{1,2}}):(?P<M>\d{{2}})(?::(?P<S>\d{{2}}))?(?:\s*(?P<ap>{_AMPM}))?"
_OFFSET = r"(?P<tz>z|(?:utc|gmt)?\s?[+-]\d{1,2}(?::?\d{2})?|utc|gmt)"

_NUMERIC_RE = re.compile(
    r"(?<![\d/.\-])(?:"
    r"(?P<y>\d{4})(?P<s1>[-/.])(?P<mo>\d{1,2})(?P=s1)(?P<d>\d{1,2})"
    r"|(?P<d2>\d{1,2})(?P<s2>[-/.])(?P<mo2>\d{1,2})(?P=s2)(?P<y2>\d{4})"
    r")(?![\d/.\-]\d)"
    r"(?:(?:t|" + _SEP + r")(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"(?:\s*(?P<ap>" + _AMPM + r"))?(?:\s*" + _OFFSET + r")?)?(?!\d)",
    re.IGNORECASE,
)
_NAMED_RE = re.compile(
    rf"(?<![\d:])(?P<d>\d{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?(?P<m1>{_MONTH_ALT})(?!\w)"
    rf"(?:\s*[/(\-\u2013]\s*(?P<m2>{_MONTH_ALT})(?!\w)\s*\)?)?"
    r"(?:\s*[،,]?\s*(?P<y>\d{4})(?!\d)(?:\s*م(?!\w))?)?"
    rf"(?:{_SEP}{_TIME}(?:\s*{_OFFSET}(?!\d))?)?",
    re.IGNORECASE,
)
_MONTH_FIRST_RE = re.compile(  # moment.js "LLLL": الأحد، فيفري 14 2010، 3:25:50 م
    rf"(?<![\d\w])(?P<m1>{_MONTH_ALT})\s*(?P<d>\d{{1,2}})(?![\d:])"
    r"(?:\s*[،,]?\s*(?P<y>\d{4})(?!\d))?"
    rf"(?:{_SEP}{_TIME}(?:\s*{_OFFSET}(?!\d))?)?",
    re.IGNORECASE,
)
_HIJRI_MARK = r"\s*(?:هجريه|هجري|ه)(?!\w)"
_HIJRI_NUMERIC_RE = re.compile(
    r"(?<![\d/.\-])(?:"
    r"(?P<y>1[34]\d\d)(?P<s1>[-/.])(?P<mo>\d{1,2})(?P=s1)(?P<d>\d{1,2})"
    r"|(?P<d2>\d{1,2})(?P<s2>[-/.])(?P<mo2>\d{1,2})(?P=s2)(?P<y2>1[34]\d\d)"
    rf"){_HIJRI_MARK}(?:{_SEP}{_TIME})?",
    re.IGNORECASE,
)
_HIJRI_NAMED_RE = re.compile(
    rf"(?<![\d:])(?P<d>\d{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?(?P<m>{_HIJRI_MONTH_ALT})(?!\w)"
    rf"\s*[،,]?\s*(?P<y>1[34]\d\d)(?!\d)(?:{_HIJRI_MARK})?(?:{_SEP}{_TIME})?",
    re.IGNORECASE,
)
_HIJRI_AFTER_RE = re.compile(_HIJRI_MARK)
_HIJRI_HINT_RE = re.compile(rf"\d{_HIJRI_MARK}|(?<!\w)(?:{_HIJRI_MONTH_ALT})\s*[،,]?\s*1[34]\d\d(?!\d)")
_TIME_BEFORE_RE = re.compile(
    rf"{_TIME}{_SEP}(?:(?:{_WEEKDAY_ALT})\s*[،,]?\s*)?$", re.IGNORECASE
)
_DAY_WORD_RE = re.compile(  # checked for a word or a time after matching
    rf"(?P<w>اول امس|اول من امس|اول البارحه|قبل امس|قبل يوم امس|امس|البارحه|اليوم|{_WEEKDAY_ALT})?"
    rf"{_SEP}(?:{_TIME})?",
    re.IGNORECASE,
)
_UNITS = {
    "ثانيه": ("seconds", 1), "ثانيتين": ("seconds", 2), "ثانيتان": ("seconds", 2),
    "ثوان": ("seconds", 0), "ثواني": ("seconds", 0),
    "دقيقه": ("minutes", 1), "دقيقتين": ("minutes", 2), "دقيقتان": ("minutes", 2),
    "دقائق": ("minutes", 0), "دقايق": ("minutes", 0),
    "ساعه": ("hours", 1), "ساعتين": ("hours", 2), "ساعتان": ("hours", 2),
    "ساعات": ("hours", 0),
    "يوم": ("days", 1), "يومين": ("days", 2), "يومان": ("days", 2), "ايام": ("days", 0),
    "اسبوع": ("weeks", 1), "اسبوعين": ("weeks", 2), "اسبوعان": ("weeks", 2),
    "اسابيع": ("weeks", 0),
    "شهر": ("months", 1), "شهرين": ("months", 2), "شهران": ("months", 2),
    "اشهر": ("months", 0), "شهور": ("months", 0),
    "سنه": ("years", 1), "سنتين": ("years", 2), "سنتان": ("years", 2),
    "سنوات": ("years", 0), "سنين": ("years", 0),
    "عام": ("years", 1), "عامين": ("years", 2), "عامان": ("years", 2), "اعوام": ("years", 0),
}
_UNIT_ALT = "|".join(sorted(_UNITS, key=len, reverse=True))
_AGO_PART = rf"(?:(\d{{1,4}})\s*)?({_UNIT_ALT})(?!\w)(?:\s+واحد(?:ه)?(?!\w))?"
_AGO_RE = re.compile(rf"(?:منذ|قبل)\s+{_AGO_PART}(?:\s*و\s*{_AGO_PART})*(?:\s+تقريبا)?")
_AGO_PART_RE = re.compile(_AGO_PART)
_NOW_RE = re.compile(r"الان|حالا|منذ (?:لحظات|لحظه|قليل)|قبل (?:لحظات|لحظه|قليل)")
_DATE_WORD_RE = re.compile(rf"منذ|قبل|امس|البارحه|اليوم|الان|{_WEEKDAY_ALT}")
_LETTER_RE = re.compile(r"[^\W\d_]")
_YEAR_RE = re.compile(r"(?<!\d)\d{4}(?!\d)")
_MAX_DATEPARSER_LEN = 80


# --- helpers ---------------------------------------------------------------


@lru_cache(maxsize=64)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _hour(h: int, ap: str | None) -> int:
    if ap:
        pm = ap[0] in "مpP"
        if pm and h < 12:
            return h + 12
        if not pm and h == 12:
            return 0
    return h


def _format_local(dt: datetime, tz: str | None) -> str:
    """Format a naive site-local datetime, rounded to whole seconds."""
    if dt.microsecond >= 500_000:
        dt += timedelta(seconds=1)
    dt = dt.replace(microsecond=0)
    if tz:
        dt = dt.replace(tzinfo=_zone(tz))
    return dt.isoformat()


def _format_aware(dt: datetime, tz: str | None) -> str:
    """Format an aware instant in ``tz`` (or its own wall-clock time without tz)."""
    if tz:
        return _format_local(dt.astimezone(_zone(tz)).replace(tzinfo=None), tz)
    return _format_local(dt.replace(tzinfo=None), None)


def _parse_offset(text: str) -> timezone:
    text = text.lower().replace("utc", "").replace("gmt", "").strip()
    if text in ("", "z"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "0")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


def _time_of(m: re.Match) -> tuple[int, int, int]:
    if not m["H"]:
        return 0, 0, 0
    return _hour(int(m["H"]), m["ap"]), int(m["M"]), int(m["S"] or 0)


def _utc_now(now: datetime | None) -> datetime:
    """``now`` as an aware datetime (a naive one is taken as UTC)."""
    now = now or datetime.now(timezone.utc)
    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now


def _local_now(now: datetime | None, tz: str | None) -> datetime:
    """``now`` as a naive wall-clock time in ``tz`` (UTC when tz is None)."""
    return _utc_now(now).astimezone(_zone(tz) if tz else timezone.utc).replace(tzinfo=None)


def _add_months(dt: datetime, months: int) -> datetime:
    y, m = divmod(dt.month - 1 + months, 12)
    year, month = dt.year + y, m + 1
    last_day = calendar.monthrange(year, month)[1]
    return dt.replace(year=year, month=month, day=min(dt.day, last_day))


# --- the parsing stages ----------------------------------------------------


@lru_cache(maxsize=4096)  # a sidebar shows the same teasers' dates on many pages; no "now" in it
def _numeric(s: str, tz: str | None, before_1900: bool = False) -> str | None:
    """The first numeric Gregorian date; with ``before_1900`` the first one
    with a year before 1900 (kept as written for the validation to reject)."""
    for m in _NUMERIC_RE.finditer(s):
        y = int(m["y"] or m["y2"])
        if (y < 1900) != before_1900 or _HIJRI_AFTER_RE.match(s, m.end("d") if m["y"] else m.end("y2")):
            continue
        return _numeric_value(m, tz)
    return None


def _numeric_value(m: re.Match, tz: str | None) -> str:
    if m["y"]:
        y, mo, d = int(m["y"]), int(m["mo"]), int(m["d"])
    else:
        y, mo, d = int(m["y2"]), int(m["mo2"]), int(m["d2"])
    time_m = m if m["H"] else _TIME_BEFORE_RE.search(m.string, 0, m.start())  # "19:00 ، 2016-12-22"
    dt = datetime(y, mo, d, *(_time_of(time_m) if time_m else (0, 0, 0)))
    if m["f"]:
        dt += timedelta(microseconds=round(float("0." + m["f"]) * 1_000_000))
    if m["tz"]:
        return _format_aware(dt.replace(tzinfo=_parse_offset(m["tz"])), tz)
    return _format_local(dt, tz)


def _named(s: str, tz: str | None, now: datetime | None) -> str | None:
    m = _NAMED_RE.search(s)
    if m is None:
        return None
    month = _MONTHS[re.sub(r"\s+", " ", m["m1"])]
    if m["m2"] and _MONTHS[re.sub(r"\s+", " ", m["m2"])] != month:
        return None
    time_m = m if m["H"] else _TIME_BEFORE_RE.search(s, 0, m.start())
    hms = _time_of(time_m) if time_m else (0, 0, 0)
    day = int(m["d"])
    if m["y"]:
        dt = datetime(int(m["y"]), month, day, *hms)
        if m["H"] and m["tz"]:
            return _format_aware(dt.replace(tzinfo=_parse_offset(m["tz"])), tz)
        return _format_local(dt, tz)
    if _YEAR_RE.search(s, m.end()):  # a year in a layout we do not know: do not guess
        return None
    # No year: the most recent such date that is not in the future.
    local_now = _local_now(now, tz)
    year = local_now.year
    if date(year, month, day) > local_now.date():
        year -= 1
    return _format_local(datetime(year, month, day, *hms), tz)


def _month_first(s: str, tz: str | None) -> str | None:
    m = _MONTH_FIRST_RE.search(s)
    if m is None or not m["y"]:  # "أكتوبر 14 8:00 صباحا": no year, left to dateparser
        return None
    month = _MONTHS[re.sub(r"\s+", " ", m["m1"])]
    dt = datetime(int(m["y"]), month, int(m["d"]), *_time_of(m))
    if m["H"] and m["tz"]:
        return _format_aware(dt.replace(tzinfo=_parse_offset(m["tz"])), tz)
    return _format_local(dt, tz)


def _hijri(s: str, tz: str | None) -> str | None:
    """An Umm al-Qura date converted to the Gregorian calendar (hijridate)."""
    m = _HIJRI_NUMERIC_RE.search(s)
    if m:
        y, mo, d = (int(m["y"]), int(m["mo"]), int(m["d"])) if m["y"] else \
            (int(m["y2"]), int(m["mo2"]), int(m["d2"]))
    else:
        m = _HIJRI_NAMED_RE.search(s)
        if m is None:
            return None
        y, mo, d = int(m["y"]), _HIJRI_MONTHS[re.sub(r"\s+", " ", m["m"])], int(m["d"])
    try:
        day = Hijri(y, mo, d).to_gregorian()
    except (ValueError, OverflowError):  # outside 1343-1500 AH or no such day
        return None
    return _format_local(datetime(day.year, day.month, day.day, *_time_of(m)), tz)


def _relative(s: str, tz: str | None, now: datetime | None) -> str | None:
    if _NOW_RE.fullmatch(s):
        return _format_local(_local_now(now, tz), tz)
    m = _AGO_RE.fullmatch(s)
    if m:
        instant = _utc_now(now)
        months = 0
        for count, unit in _AGO_PART_RE.findall(s):
            kind, implied = _UNITS[unit]
            n = int(count) if count else implied
            if n == 0:  # a bare plural ("منذ ساعات") has no amount
                return None
            if kind == "months":
                months += n
            elif kind == "years":
                months += 12 * n
            else:
                instant -= timedelta(**{kind: n})
        if not months:
            return _format_aware(instant, tz)
        local = _local_now(instant, tz)
        return _format_local(_add_months(local, -months), tz)
    m = _DAY_WORD_RE.fullmatch(s)
    if m and (m["w"] or m["H"]):
        return _day_word(m, _local_now(now, tz), tz)
    return None


def _day_word(m: re.Match, local: datetime, tz: str | None) -> str:
    """Today, yesterday, a weekday or a bare time: the latest such moment."""
    w = m["w"] or ""
    if w in _WEEKDAYS:  # the latest such weekday, today included
        back = (local.weekday() - _WEEKDAYS[w]) % 7
    else:
        back = {"": 0, "اليوم": 0, "امس": 1, "البارحه": 1}.get(w, 2)
    if not m["H"]:
        if w in _WEEKDAYS:  # a bare weekday is that day, not "now minus n days"
            local = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return _format_local(local - timedelta(days=back), tz)
    h, mi, sec = _time_of(m)
    at = local.replace(hour=h, minute=mi, second=sec, microsecond=0)
    if back == 0 and at > local and w != "اليوم":  # prefer the past
        back = 7 if w else 1
    return _format_local(at - timedelta(days=back), tz)


# --- dateparser fallback ---------------------------------------------------

_dateparser = None
_dateparser_lock = threading.Lock()


def _get_dateparser():
    global _dateparser
    if _dateparser is None:
        from dateparser.date import DateDataParser  # slow import, only when needed

        _dateparser = DateDataParser(
            languages=["ar"],
            settings={
                "PREFER_DATES_FROM": "past",
                "RETURN_AS_TIMEZONE_AWARE": False,
                "RELATIVE_BASE": datetime(2000, 1, 1),
                "TIMEZONE": "UTC",
                # no "timestamp" or "no-spaces-time": bare numbers are not dates
                "PARSERS": ["relative-time", "custom-formats", "absolute-time"],
            },
        )
    return _dateparser


def _with_dateparser(s: str, tz: str | None, now: datetime | None) -> str | None:
    base = _local_now(now, tz)
    with _dateparser_lock:
        parser = _get_dateparser()
        # There is no per-call setting; dateparser's own search module swaps
        # _settings the same way.
        parser._settings = parser._settings.replace(
            RELATIVE_BASE=base, TIMEZONE=tz or "UTC"
        )
        data = parser.get_date_data(s)
    parts = getattr(data, "parts", None) or ()
    if data.date_obj is None or "day" not in parts or "month" not in parts:
        return None
    return _format_local(data.date_obj.replace(tzinfo=None), tz)


# --- public API ------------------------------------------------------------


def parse_date(
    s: str | datetime | None, tz: str | None = None, now: datetime | None = None
) -> str | None:
    """Parse a site-local date string; see the module docstring."""
    if tz:
        _zone(tz)  # a bad zone name is a configuration error: raise
    if isinstance(s, datetime):
        try:
            return _format_aware(s, tz) if s.tzinfo else _format_local(s, tz)
        except (ValueError, OverflowError):
            return None
    if not s or not isinstance(s, str):
        return None
    try:
        folded = _fold(s)
        has_digit = any(c.isdigit() for c in folded)
        if has_digit:
            result = (_numeric(folded, tz) or _named(folded, tz, now) or _month_first(folded, tz)
                      or _hijri(folded, tz) or _numeric(folded, tz, before_1900=True))
            if result or _HIJRI_HINT_RE.search(folded):  # a Hijri date we cannot convert: never a guess
                return result
        if not has_digit and not _DATE_WORD_RE.search(folded):
            return None
        result = _relative(folded, tz, now)
        if result or len(folded) > _MAX_DATEPARSER_LEN or not _LETTER_RE.search(folded):
            return result
        return _with_dateparser(clean_text(to_western_digits(s)), tz, now)
    except Exception:  # noqa: BLE001 - a date we cannot read is None, never an error
        return None
