"""Ordinary work-group messages must pass the default lexicons untouched."""

from __future__ import annotations

from pathlib import Path

from bot.core.text.lexicon import load_dir

OFFICE = Path(__file__).parents[2] / "data" / "office_messages.txt"


def office_messages() -> list[str]:
    lines = OFFICE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def test_there_are_enough_messages() -> None:
    assert len(office_messages()) >= 200


def test_no_office_message_hits_the_default_lexicons() -> None:
    matcher = load_dir().matcher()
    hits = {text: matcher.scan(text) for text in office_messages()}
    assert {text: found for text, found in hits.items() if found} == {}
