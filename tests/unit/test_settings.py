"""Settings: a typo in .env must stop start-up with one line that names the setting."""

import pytest

from bot.config import Settings, SettingsError

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmn"


def settings(**env: str) -> Settings:
    return Settings.from_env({"BOT_TOKEN": TOKEN, **env})


def test_defaults_give_polling_against_telegram_with_a_sqlite_file() -> None:
    s = settings()
    assert s.bot_mode == "polling"
    assert s.telegram_api_url == "https://api.telegram.org"
    assert s.database_url == "sqlite+aiosqlite:///data/hipcoach.db"
    assert s.default_timezone == "UTC"
    assert s.log_level == "INFO"
    assert s.reminder_grace_hours == 3.0


def test_plain_database_urls_get_async_drivers() -> None:
    assert settings(DATABASE_URL="postgresql://u:p@db/hip").database_url == (
        "postgresql+asyncpg://u:p@db/hip"
    )
    assert settings(DATABASE_URL="sqlite:///x.db").database_url == "sqlite+aiosqlite:///x.db"


def test_api_url_trailing_slash_is_dropped() -> None:
    assert settings(TELEGRAM_API_URL="http://127.0.0.1:8081/").telegram_api_url == (
        "http://127.0.0.1:8081"
    )


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"BOT_TOKEN": ""}, "BOT_TOKEN"),
        ({"BOT_TOKEN": "not-a-token"}, "BOT_TOKEN"),
        ({"BOT_TOKEN": "123:short"}, "BOT_TOKEN"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://localhost"}, "DATABASE_URL"),
        ({"TELEGRAM_API_URL": "ftp://example.org"}, "TELEGRAM_API_URL"),
        ({"BOT_MODE": "push"}, "BOT_MODE"),
        ({"BOT_MODE": "webhook"}, "WEBHOOK_URL"),
        ({"BOT_MODE": "webhook", "WEBHOOK_URL": "https://bot.example.org/hook"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "http://insecure.example.org"}, "WEBHOOK_URL"),
        ({"WEBHOOK_SECRET": "has spaces"}, "WEBHOOK_SECRET"),
        ({"LISTEN_PORT": "70000"}, "LISTEN_PORT"),
        ({"LISTEN_PORT": "http"}, "LISTEN_PORT"),
        ({"DEFAULT_TIMEZONE": "Mars/Olympus"}, "DEFAULT_TIMEZONE"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"REMINDER_GRACE_HOURS": "-1"}, "REMINDER_GRACE_HOURS"),
    ],
)
def test_bad_values_name_the_setting(env: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError) as raised:
        settings(**env)
    assert raised.value.name == name
    assert str(raised.value).startswith(f"{name}: ")
    assert "\n" not in str(raised.value)


def test_webhook_mode_with_url_and_secret() -> None:
    s = settings(BOT_MODE="webhook", WEBHOOK_URL="https://b.example.org/tg", WEBHOOK_SECRET="s3")
    assert (s.bot_mode, s.webhook_url, s.webhook_secret) == (
        "webhook",
        "https://b.example.org/tg",
        "s3",
    )


def test_token_is_not_in_the_settings_repr() -> None:
    assert TOKEN not in repr(settings())
    assert "p4ss" not in repr(settings(DATABASE_URL="postgresql://u:p4ss@db/hip"))
