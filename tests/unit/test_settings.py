"""Settings: a typo in .env must stop start-up with one line that names the setting."""

from pathlib import Path

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
    assert s.content_dir is None
    assert s.metrics_port is None
    assert s.metrics_host == "127.0.0.1"
    assert s.log_format == "text"


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
        ({"CONTENT_DIR": "/no/such/folder"}, "CONTENT_DIR"),
        ({"METRICS_PORT": "0"}, "METRICS_PORT"),
        ({"METRICS_HOST": "http://0.0.0.0"}, "METRICS_HOST"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
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


def test_every_broken_setting_is_named_on_one_line() -> None:
    with pytest.raises(SettingsError) as raised:
        settings(BOT_TOKEN="nope", LISTEN_PORT="x", LOG_LEVEL="loud")
    assert raised.value.names == ["BOT_TOKEN", "LISTEN_PORT", "LOG_LEVEL"]
    assert raised.value.name == "BOT_TOKEN"
    assert str(raised.value) == "; ".join(raised.value.problems)
    assert "\n" not in str(raised.value)
    assert "nope" not in str(raised.value)


def test_inspecting_keeps_the_good_settings_and_defaults_the_broken_ones() -> None:
    checked, problems = Settings.inspect_env(
        {"DATABASE_URL": "postgresql://u@db/hip", "LISTEN_PORT": "x", "METRICS_PORT": "9102"}
    )
    assert [problem.name for problem in problems] == ["BOT_TOKEN", "LISTEN_PORT"]
    assert checked.database_url == "postgresql+asyncpg://u@db/hip"
    assert checked.listen_port == 8443
    assert checked.metrics_port == 9102


def test_content_dir_is_resolved_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "edited").mkdir()
    monkeypatch.chdir(tmp_path)
    assert settings(CONTENT_DIR="edited").content_dir == tmp_path / "edited"
