"""The real bot process against the fake Bot API: it starts, answers, and shuts down cleanly."""

from tests.botprocess import FAKE_TOKEN, BotProcess
from tests.fakebotapi import FakeBotAPI


async def test_start_gets_an_answer_and_commands_are_registered(
    bot: BotProcess, fake_api: FakeBotAPI
) -> None:
    alex = fake_api.user(5001, "Alex")
    since = fake_api.cursor()
    await fake_api.send_text(alex, "/start")
    reply = await fake_api.wait_for_message(alex["id"], since=since)
    assert "Alex" in reply.body
    assert {c["command"] for c in fake_api.commands} >= {"start", "help"}


async def test_help_answers(bot: BotProcess, fake_api: FakeBotAPI) -> None:
    sam = fake_api.user(5002, "Sam")
    since = fake_api.cursor()
    await fake_api.send_text(sam, "/help")
    reply = await fake_api.wait_for_message(sam["id"], since=since)
    assert "not medical advice" in reply.body


async def test_a_redelivered_update_is_answered_once(bot: BotProcess, fake_api: FakeBotAPI) -> None:
    kim = fake_api.user(5003, "Kim")
    since = fake_api.cursor()
    update_id = await fake_api.send_text(kim, "/help")
    await fake_api.wait_for_message(kim["id"], since=since)
    await fake_api.wait_until_fetched(update_id)
    message = {
        "message_id": 99,
        "date": 0,
        "chat": fake_api.private_chat(kim),
        "from": kim,
        "text": "/help",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
    }
    await fake_api.push_update({"message": message}, update_id=update_id)
    await fake_api.send_text(kim, "/start")
    await fake_api.wait_for_message(kim["id"], since=since, match="Kim")
    assert len(fake_api.sent_to(kim["id"], since)) == 2


async def test_sigterm_stops_the_bot_cleanly_and_the_token_never_reaches_the_log(
    bot: BotProcess, fake_api: FakeBotAPI
) -> None:
    alex = fake_api.user(5004)
    since = fake_api.cursor()
    await fake_api.send_text(alex, "/start")
    await fake_api.wait_for_message(alex["id"], since=since)
    assert await bot.stop() == 0
    log = bot.log_path.read_text()
    assert "hipcoach stopped" in log
    assert FAKE_TOKEN not in log


async def test_a_failing_handler_is_logged_with_its_update_and_the_user_is_told(
    bot: BotProcess, fake_api: FakeBotAPI
) -> None:
    jo = fake_api.user(5005, "Jo")
    fake_api.fail_next("sendMessage", 500, times=1)
    since = fake_api.cursor()
    update_id = await fake_api.send_text(jo, "/help")
    reply = await fake_api.wait_for_message(jo["id"], since=since)
    assert "something went wrong" in reply.body.lower()
    question = await fake_api.wait_for_message(jo["id"], since=since, match="/start")
    assert "try that again" not in reply.body.lower()
    assert "Send /start to begin" in question.body  # where Jo stands, not "try again"
    await bot.stop()
    assert f"update {update_id} failed" in bot.log_path.read_text()
