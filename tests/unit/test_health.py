"""/healthz's judgement on explicit times: no clock, no server, every reason an operator can see."""

from __future__ import annotations

import pytest
from telegram import Update

from bot.observability.metrics import Heartbeat
from bot.observability.requests import result_label
from bot.observability.server import POLL_STALE_SECONDS, judge_health
from bot.observability.updates import update_type


def test_a_polling_bot_that_heard_telegram_recently_is_healthy() -> None:
    heartbeat = Heartbeat(started=0.0, last_poll=100.0, last_update=90.0)
    health = judge_health(heartbeat, polling=True, database_problem=None, now=110.0)
    assert health.ok
    assert health.reason == "ok (polling; last update 20 s ago)"


def test_no_getupdates_answer_for_too_long_is_503_with_the_reason() -> None:
    heartbeat = Heartbeat(started=0.0, last_poll=100.0)
    health = judge_health(
        heartbeat, polling=True, database_problem=None, now=100.0 + POLL_STALE_SECONDS + 1
    )
    assert not health.ok
    assert health.reason.startswith("telegram: no getUpdates answer for 46 s")


def test_a_bot_that_never_polled_gets_the_same_grace_from_its_start() -> None:
    heartbeat = Heartbeat(started=50.0)
    assert judge_health(heartbeat, polling=True, database_problem=None, now=60.0).ok
    assert not judge_health(heartbeat, polling=True, database_problem=None, now=500.0).ok


def test_a_database_that_does_not_answer_is_503_whatever_else() -> None:
    heartbeat = Heartbeat(started=0.0, last_poll=100.0)
    health = judge_health(heartbeat, polling=True, database_problem="OperationalError", now=101.0)
    assert (health.ok, health.reason) == (False, "database: OperationalError")


def test_a_quiet_webhook_bot_stays_healthy() -> None:
    heartbeat = Heartbeat(started=0.0)
    health = judge_health(heartbeat, polling=False, database_problem=None, now=86_400.0)
    assert health.ok
    assert health.reason == "ok (webhook; no update yet)"


@pytest.mark.parametrize(
    ("status", "label"), [(200, "ok"), (403, "403"), (429, "429"), (400, "4xx"), (502, "5xx")]
)
def test_bot_api_results_are_grouped_as_an_operator_reads_them(status: int, label: str) -> None:
    assert result_label(status) == label


def test_updates_are_typed_by_their_payload() -> None:
    message = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "hi"}
    assert update_type(Update.de_json({"update_id": 1, "message": message}, None)) == "message"
    assert update_type(object()) == "other"
