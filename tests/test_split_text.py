"""Long texts are split on line boundaries (then words, then hard cuts) under the limit."""

from __future__ import annotations

import pytest

from bot.platforms.text import split_text, utf16_len


def test_short_text_is_one_part() -> None:
    assert split_text("Привет!\nКак дела?", 100) == ["Привет!\nКак дела?"]


def test_text_exactly_at_the_limit_is_one_part() -> None:
    assert split_text("a" * 10, 10) == ["a" * 10]


@pytest.mark.parametrize("blank", ["", "   ", "\n\n"])
def test_blank_text_gives_no_parts(blank: str) -> None:
    assert split_text(blank, 10) == []


def test_splits_on_line_boundaries_and_loses_nothing() -> None:
    lines = [f"{i}. МАОУ «СОШ № {i}» — Верхнегорский городской округ" for i in range(200)]
    text = "\n".join(lines)
    parts = split_text(text, 1000)
    assert len(parts) > 1
    assert all(len(part) <= 1000 for part in parts)
    assert "\n".join(parts) == text
    assert all(part.split("\n")[0] in lines for part in parts)  # every part starts a line


def test_packs_lines_greedily() -> None:
    assert split_text("aaa\nbbb\nccc\nddd", 7) == ["aaa\nbbb", "ccc\nddd"]
    assert split_text("aaa\nbbb\nccc", 8) == ["aaa\nbbb", "ccc"]


def test_overlong_line_falls_back_to_words() -> None:
    text = "первая строка\n" + " ".join(["слово"] * 30) + "\nпоследняя"
    parts = split_text(text, 40)
    assert all(len(part) <= 40 for part in parts)
    assert parts[0] == "первая строка"
    assert parts[-1] == "последняя"
    words = " ".join(parts[1:-1]).split(" ")
    assert words == ["слово"] * 30
    assert not any(part.startswith(" ") or part.endswith(" ") for part in parts)


def test_overlong_word_is_cut_hard() -> None:
    word = "x" * 25
    assert split_text(word, 10) == ["x" * 10, "x" * 10, "x" * 5]
    parts = split_text(f"до {word} после", 10)
    assert all(len(part) <= 10 for part in parts)
    assert "".join(parts).replace(" ", "") == f"до{word}после"


def test_blank_lines_at_a_break_do_not_make_empty_parts() -> None:
    parts = split_text("a" * 8 + "\n\n\n\n" + "b" * 8, 8)
    assert parts == ["a" * 8, "b" * 8]


def test_utf16_len_counts_astral_characters_twice() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("Привет") == 6
    assert utf16_len("📚") == 2
    assert utf16_len("👍🏽") == 4
    assert utf16_len("a📚b") == len("a📚b".encode("utf-16-le")) // 2


def test_split_by_utf16_keeps_emoji_whole_and_under_the_limit() -> None:
    line = "📚" * 30  # 60 UTF-16 units, 30 characters
    parts = split_text(line, 25, utf16_len)
    assert all(utf16_len(part) <= 25 for part in parts)
    assert "".join(parts) == line
    assert [len(part) for part in parts] == [12, 12, 6]
    by_chars = split_text("\n".join([line] * 3), 70)  # fits by characters, not by UTF-16
    assert len(by_chars) == 2
    assert len(split_text("\n".join([line] * 3), 70, utf16_len)) == 3


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="limit"):
        split_text("text", 0)
