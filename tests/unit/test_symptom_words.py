"""The symptom words of content/red_flags.yaml, read the way a member types: a table of phrases
(misspellings included) that must and must not make the bot ask, with negation handled, and
the readers never raising or mistaking a symptom for an answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching.loader import default_content_dir, load_library
from bot.coaching.screening import Screen
from bot.services.members import TypedAnswer
from handlers import answers

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _real_screen() -> Screen:
    screen = load_library(default_content_dir()).screen
    assert screen is not None
    return screen


SCREEN = _real_screen()  # hypothesis tests take no pytest fixtures

# (typed text, the screen item it must ask about)
MUST_MATCH = [
    ("my leg went numb", "worsening_weakness"),
    ("My leg is numb", "saddle_numbness"),
    ("3, and my leg is numb", "both_legs"),
    ("numbness in my bum", "saddle_numbness"),
    ("my foot feels numm", "worsening_weakness"),
    ("some numness down my leg", "worsening_weakness"),
    ("tingling in my toes", "worsening_weakness"),
    ("tingly legs", "both_legs"),
    ("tingeling in my foot", "worsening_weakness"),
    ("pins and needles", "worsening_weakness"),
    ("pins and needels in my calf", "worsening_weakness"),
    ("I can't pee", "bladder_bowel"),
    ("i cant pee properly", "bladder_bowel"),
    ("I wet myself", "bladder_bowel"),
    ("problems with my bladder", "bladder_bowel"),
    ("bowels not working", "bladder_bowel"),
    ("numb around my groin", "saddle_numbness"),
    ("numb in the saddle area", "saddle_numbness"),
    ("my leg gives way", "worsening_weakness"),
    ("legs giving way on the stairs", "worsening_weakness"),
    ("my leg feels weak", "worsening_weakness"),
    ("weak leg today", "worsening_weakness"),
    ("my foot keeps dragging, foot drop", "worsening_weakness"),
    ("pain in both legs", "both_legs"),
    ("I have a fever", "fever"),
    ("feaver and chills", "fever"),
    ("I fell down the stairs", "significant_trauma"),
    ("had a fall yesterday", "fracture_risk"),
    ("car accident last week", "significant_trauma"),
    ("the pain wakes me up at night", "constant_night_pain"),
    ("I've lost weight", "weight_loss"),
    ("I'm pregnant", "pregnancy"),
    ("no pain but my leg is numb", "worsening_weakness"),
    ("not sure, my leg is numb", "worsening_weakness"),
    ("MY LEG WENT NUMB!!!", "worsening_weakness"),
    ("my leg went numb\u2019", "worsening_weakness"),
    ("never had numbness before today", "worsening_weakness"),
    ("no, my leg is numb", "worsening_weakness"),
    ("I can't feel my toes", "worsening_weakness"),
    ("my foot went dead", "worsening_weakness"),
    ("hard to pass urine", "bladder_bowel"),
    ("I peed a bit when I sneezed", "bladder_bowel"),
    ("feeling hot and shivery", "fever"),
    ("I have a temperature", "fever"),
    ("I slipped on the ice", "significant_trauma"),
    ("tingles", "worsening_weakness"),
    ("I feel unwell", "fever"),
    ("my knee gave way", "worsening_weakness"),
    ("I was in a car crash", "significant_trauma"),
    ("I got the chills", "fever"),
    ("back pain at night", "constant_night_pain"),
]
# Chosen false positives: asking one extra yes/no question is safer than reading past a symptom.
ACCEPTED_FALSE_POSITIVES = [
    "numbness has gone now",
    "leg day made my legs weak",
    "numbness? no",  # a negation after the symptom is not read
    "I had a fall but I am fine",
]
# Typed texts that must not ask: negated, everyday phrases, answers.
MUST_NOT_MATCH = [
    "no numbness",
    "No numbness or tingling",
    "not numb at all",
    "I don't have any tingling",
    "without pins and needles today",
    "I feel weak-willed today",
    "I fell asleep early",
    "falling asleep in the chair",
    "3",
    "all",
    "7:30",
    "the number is 3",
    "yes",
    "no",
    "leg day",
    "my back is sore",
    "it hurts a bit",
    "tired",
    "Berlin",
    "band, chair",
    "I fell for it",
    "weekly football match",
    "my pee is fine",
    "No fever",
    "not pregnant",
    "I cant sleep",
    "my legs feel a bit heavy",
]


@pytest.fixture
def screen() -> Screen:
    return SCREEN


@pytest.mark.parametrize(("text", "item"), MUST_MATCH)
def test_symptoms_as_members_type_them_ask_the_matching_item(
    screen: Screen, text: str, item: str
) -> None:
    assert item in screen.match(text)


@pytest.mark.parametrize("text", ACCEPTED_FALSE_POSITIVES)
def test_symptom_words_without_negation_ask_even_when_harmless(screen: Screen, text: str) -> None:
    assert screen.match(text)


@pytest.mark.parametrize("text", MUST_NOT_MATCH)
def test_negated_and_everyday_phrases_do_not_ask(screen: Screen, text: str) -> None:
    assert screen.match(text) == ()


def test_a_symptom_with_a_number_is_read_as_the_symptom_and_the_number_alike(
    screen: Screen,
) -> None:
    """The conversation asks about the symptom first; the reading itself stays complete."""
    read = answers.read("3, and my leg is numb", NOW, screen)
    assert read.symptoms and read.pain is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_no_typed_text_ever_raises(text: str) -> None:
    answers.read(text, NOW)
    SCREEN.match(text)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["numb", "tingling", "bladder", "fever", "fell", "pins and needles"]),
    st.sampled_from(["3", "all", "yes", "7:30", "10 reps"]),
    st.sampled_from([", ", " and ", " but ", ". "]),
)
def test_an_answer_with_a_symptom_in_it_is_never_taken_as_only_the_answer(
    symptom: str, answer: str, joiner: str
) -> None:
    """Whatever the answer, a symptom beside it is reported, so the conversation asks about
    the symptom before recording anything (conversation.answer_typed checks symptoms first)."""
    read = answers.read(f"{answer}{joiner}my leg {symptom}", NOW, SCREEN)
    assert read.symptoms
    assert read != TypedAnswer()
