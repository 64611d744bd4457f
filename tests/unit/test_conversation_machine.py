"""The declared conversation: every state can be shown, re-asked and left, every stored value is
declared, and docs/conversation.md is the page generated from it."""

from __future__ import annotations

import pytest

import handlers.conversation
import handlers.member_settings
import handlers.onboarding
import handlers.outcomes
import handlers.session  # noqa: F401 - importing registers the renderers
from bot.services import outcomes, pause_checkins, questions
from bot.services.buttons import parse_pchk
from bot.services.conversation_docs import COMMAND, default_docs_path, render_markdown
from bot.services.conversation_machine import MACHINE, Column, Exit, State
from bot.services.questions import Awaiting, SessionStep, Step
from handlers.conversation_texts import TOPICS
from handlers.replies import reask, render

NAMES = {(state.column, state.name) for state in MACHINE}


def _question(state: State) -> type:
    # The weekly PEG's question lives with its service (bot.services.outcomes).
    found: type = getattr(questions, state.question, None) or getattr(outcomes, state.question)
    return found


@pytest.mark.parametrize("state", MACHINE, ids=lambda state: f"{state.column.name}:{state.name}")
def test_every_state_has_a_renderer_a_reask_and_a_way_out(state: State) -> None:
    question = _question(state)
    assert render.dispatch(question) is not render.dispatch(object)
    assert reask.dispatch(question) is not reask.dispatch(object)
    targets = [target for _, target in state.transitions]
    assert any(target != state.name for target in targets), "no way out"
    for target in targets:
        assert isinstance(target, Exit) or any(target == name for _, name in NAMES), target


def test_every_value_stored_in_a_state_column_is_declared() -> None:
    declared = {column: {n for c, n in NAMES if c is column} for column in Column}
    assert set(Awaiting) | {"symptom:<item>"} <= declared[Column.AWAITING]
    assert set(SessionStep) <= declared[Column.SESSION]
    assert set(Step) - {Step.DECLINED} | {"screen:<item>"} <= declared[Column.ONBOARDING]
    assert declared[Column.PAUSE_CHECKIN] == {"pause_checkin:<n>"}


def test_the_pause_checkin_state_declares_every_answer_its_buttons_carry() -> None:
    (state,) = (s for s in MACHINE if s.column is Column.PAUSE_CHECKIN)
    assert f"<{'|'.join(pause_checkins.ANSWERS)}>" in state.buttons
    for answer in pause_checkins.ANSWERS:
        assert parse_pchk(f"pchk:1:{answer}") is not None
    shown = render(questions.AskPauseCheckin(2, "Mia"))
    keyboard = shown.keyboard
    assert "How is your back now?" in shown.text and keyboard is not None
    assert [b.callback_data for row in keyboard.inline_keyboard for b in row] == [
        f"pchk:2:{answer}" for answer in pause_checkins.ANSWERS
    ]


def test_every_question_a_command_can_close_says_what_it_was_about() -> None:
    for state in MACHINE:
        if state.column is Column.AWAITING:
            assert state.question in TOPICS


def test_the_conversation_page_is_fresh() -> None:
    current = default_docs_path().read_text(encoding="utf-8")
    assert current == render_markdown(), f"docs/conversation.md is stale: run {COMMAND}"
    assert current.count("```mermaid") == 1
