"""Splitting long texts into messages under a messenger's length limit."""

from __future__ import annotations

from collections.abc import Callable

Measure = Callable[[str], int]


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (a character outside the BMP counts 2)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def split_text(text: str, limit: int, measure: Measure = len) -> list[str]:
    """Split `text` into parts of at most `limit` (as `measure` counts) each.

    Parts break at line boundaries where possible (the newline at a break is dropped), a line
    that alone is too long breaks between words (the space at a break is dropped), and a single
    word that is still too long is cut hard. Parts that would be blank are left out, so blank
    text gives no parts. `measure` must be additive over concatenation (`len`, `utf16_len`).
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if measure(text) <= limit:
        return [text] if text.strip() else []
    parts: list[str] = []
    for chunk in _pack(text.split("\n"), "\n", limit, measure):
        if measure(chunk) <= limit:
            parts.append(chunk)
            continue
        for piece in _pack(chunk.split(" "), " ", limit, measure):
            parts.extend([piece] if measure(piece) <= limit else _hard_cut(piece, limit, measure))
    return [part for part in parts if part.strip()]


def _pack(pieces: list[str], glue: str, limit: int, measure: Measure) -> list[str]:
    """Join consecutive pieces with `glue` while they fit; an overlong piece stays alone."""
    glue_size = measure(glue)
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for piece in pieces:
        piece_size = measure(piece)
        if current and size + glue_size + piece_size <= limit:
            current.append(piece)
            size += glue_size + piece_size
            continue
        if current:
            chunks.append(glue.join(current))
        current, size = [piece], piece_size
    if current:
        chunks.append(glue.join(current))
    return chunks


def _hard_cut(word: str, limit: int, measure: Measure) -> list[str]:
    """Cut between characters (never inside one), each cut at most `limit`."""
    cuts: list[str] = []
    start = size = 0
    for index, char in enumerate(word):
        char_size = measure(char)
        if size + char_size > limit and index > start:
            cuts.append(word[start:index])
            start, size = index, 0
        size += char_size
    cuts.append(word[start:])
    return cuts
