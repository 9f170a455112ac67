"""One person, one key (issue 11 #2): recusal matches the person concerned by a normalized key, never by
the text as typed. Full-width and half-width forms are folded (NFKC), case is folded, and every space,
invisible character and name-separating dot is dropped, so “冯乙 ”, “冯 乙”, “冯　乙” and
“阿依古丽 · 买买提” / “阿依古丽·买买提” are each one person."""

from __future__ import annotations

import re
import unicodedata

_IGNORED = re.compile(r"[\s\u00b7\u2022\u2027\u30fb\u200b-\u200f\u2060\ufeff]+")


def person_key(name: str) -> str:
    """The key two spellings of one person's name share."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", name or "")).casefold()
