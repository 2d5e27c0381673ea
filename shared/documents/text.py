"""Text the core PDF fonts can print: they speak Latin-1, so everything else is folded."""

import unicodedata

# Letters NFKD does not decompose, and punctuation whose ASCII look-alike reads right.
_FOLDS = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Ħ": "H",
        "ħ": "h",
        "ı": "i",
        "Œ": "OE",
        "œ": "oe",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "‘": "'",
        "’": "'",
        "‚": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "″": '"',
        "…": "...",
        "•": "*",
        "€": "EUR",
        "\u2009": " ",
        "\u202f": " ",
    }
)


def _fold_char(char: str) -> str:
    if ord(char) < 256:
        return char
    # Accented letters outside Latin-1 (ź, ő, ş, ...) lose their accent.
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base and all(ord(c) < 256 for c in base) else "?"


def latin1(value: object) -> str:
    """`value` as Latin-1 text: hand folds, then accents dropped, anything else '?'."""
    text = "" if value is None else str(value)
    return "".join(_fold_char(char) for char in text.translate(_FOLDS))
