"""Text normalized for search: lower case, no accents, words of letters and digits only.

The same function prepares the stored `search_document` and the words of a query, so
"José", "jose" and "JOSÉ" all meet.
"""

import re
import unicodedata

MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 40
_NOT_WORD = re.compile(r"[^0-9a-z]+")
# Letters that do not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i", "þ": "th"})


def normalize(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text or "")).casefold().translate(_LETTERS)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    # "ß" casefolds to "ss", "æ" stays: drop whatever is not a plain letter or digit.
    return " ".join(_NOT_WORD.split(without_marks)).strip()


def query_words(query: str) -> list[str]:
    """The distinct words of a query, at most MAX_QUERY_WORDS of them, each cut to a sane length."""
    # Look at the start of the query only: a pasted book is not a search.
    words: list[str] = []
    for word in normalize(str(query or "")[:1000]).split():
        word = word[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
        if len(words) == MAX_QUERY_WORDS:
            break
    return words
