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


async def test_a_reply_telegram_fails_to_take_is_sent_again_and_arrives_once(
    bot: BotProcess, fake_api: FakeBotAPI
) -> None:
    jo = fake_api.user(5005, "Jo")
    fake_api.fail_next("sendMessage", 500, times=1)
    since = fake_api.cursor()
    await fake_api.send_text(jo, "/help")
    reply = await fake_api.wait_for_message(jo["id"], since=since)
    assert "not medical advice" in reply.body
    await bot.stop()
    assert len(fake_api.sent_to(jo["id"], since)) == 1
    assert "again in" in bot.log_path.read_text()  # the outbox waited, then sent it


async def test_a_handler_that_keeps_failing_is_logged_tried_again_then_the_chat_is_told(
    bot: BotProcess, fake_api: FakeBotAPI
) -> None:
    robin = fake_api.user(5006, "Robin")
    group = fake_api.group_chat(-5006)
    # /dashboard asks Telegram whether Robin is an admin; Telegram fails all three attempts.
    fake_api.fail_next("getChatMember", 500, times=3)
    since = fake_api.cursor()
    update_id = await fake_api.send_text(robin, "/dashboard", chat=group)
    told = await fake_api.wait_for_message(group["id"], since=since, timeout=30)
    assert "something went wrong" in told.body.lower()
    attempts = [call for call, _ in fake_api.calls if call == "getChatMember"]
    assert len(attempts) == 3
    await bot.stop()
    log = bot.log_path.read_text()
    assert f"update {update_id} failed" in log
    assert f"update {update_id} failed 3 times; given up" in log
