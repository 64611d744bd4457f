"""`hipcoach` as an operator meets it: clear one-line errors, exit code 2, no traceback, and a
`check` that reports every section however much is broken."""

import asyncio
import json
import re
import shutil
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.coaching.loader import default_content_dir
from bot.db.models import Alert
from tests.botprocess import FAKE_TOKEN
from tests.coachdata import add_group
from tests.fakebotapi import FakeBotAPI
from tests.reminder_data import add_member

OTHER_TOKEN = "987654321:AAOtherTokenTheServerDoesNotKnow_xyz12"


def hipcoach(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "BOT_TOKEN: is missing"),
        ({"BOT_TOKEN": "12345"}, "BOT_TOKEN: is malformed"),
        ({"BOT_TOKEN": FAKE_TOKEN, "DATABASE_URL": "oracle://x/y"}, "DATABASE_URL: must be"),
        (
            {"BOT_TOKEN": FAKE_TOKEN, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"},
            "DATABASE_URL: cannot use",
        ),
    ],
)
def test_run_with_bad_settings_exits_2_with_one_line(
    env: dict[str, str], expected: str, tmp_path: Path
) -> None:
    result = hipcoach("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert FAKE_TOKEN not in result.stderr


def test_settings_come_from_a_dotenv_file_in_the_current_folder(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=nope\n")
    result = hipcoach("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "BOT_TOKEN: is malformed" in result.stderr


def test_migrate_then_check_pass_on_a_new_sqlite_file(tmp_path: Path) -> None:
    env = {"BOT_TOKEN": FAKE_TOKEN, "DATABASE_URL": "sqlite:///data/hip.db"}
    before = hipcoach("check", env=env, cwd=tmp_path)
    assert before.returncode == 1
    assert "run `hipcoach migrate`" in before.stdout
    migrated = hipcoach("migrate", env=env, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "data" / "hip.db").exists()
    after = hipcoach("check", env=env, cwd=tmp_path)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "database: ok (sqlite" in after.stdout
    assert "reminders: 0 due, 0 overdue" in after.stdout
    assert "content: ok" in after.stdout


def _broken_content(tmp_path: Path) -> Path:
    """A clinician's copy with two mistakes: a rule out of range and a ladder deleted."""
    copy = tmp_path / "edited"
    shutil.copytree(default_content_dir(), copy)
    rules = copy / "rules.yaml"
    rules.write_text(re.sub(r"green_max: \d+", "green_max: 99", rules.read_text()))
    (copy / "exercises" / "lunge.yaml").unlink()
    return copy


def test_check_reports_every_broken_section_at_once(tmp_path: Path) -> None:
    env = {
        "BOT_TOKEN": "12345:" + "x" * 5,
        "LISTEN_PORT": "99999",
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
        "CONTENT_DIR": str(_broken_content(tmp_path)),
    }
    result = hipcoach("check", env=env, cwd=tmp_path)
    assert result.returncode == 1
    out = result.stdout
    assert "settings: 2 problem(s)" in out
    assert "BOT_TOKEN: is malformed" in out
    assert "LISTEN_PORT: must be a port number" in out
    assert "database: 1 problem(s)" in out
    assert "cannot connect to postgresql+asyncpg://nobody@127.0.0.1:1/none" in out
    assert "content: 2 problem(s)" in out
    assert "edited/rules.yaml: field 'pain_zones.green_max'" in out
    assert "there is no ladder 'lunge'" in out
    assert "12345:xxxxx" not in out + result.stderr
    assert "Traceback" not in result.stderr


def test_check_without_a_token_still_checks_the_database_and_content(tmp_path: Path) -> None:
    result = hipcoach("check", env={"DATABASE_URL": "sqlite:///hip.db"}, cwd=tmp_path)
    assert result.returncode == 1
    assert "BOT_TOKEN: is missing" in result.stdout
    assert "run `hipcoach migrate`" in result.stdout
    assert "content: ok" in result.stdout


def test_check_json_names_each_section_and_the_overall_result(tmp_path: Path) -> None:
    env = {"BOT_TOKEN": FAKE_TOKEN, "CONTENT_DIR": str(_broken_content(tmp_path))}
    assert hipcoach("migrate", env=env, cwd=tmp_path).returncode == 0
    result = hipcoach("check", "--json", env=env, cwd=tmp_path)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    sections = report["sections"]
    assert [sections[name]["ok"] for name in ("settings", "database", "content")] == [
        True,
        True,
        False,
    ]
    assert sections["database"]["details"]["current"] == sections["database"]["details"]["head"]
    assert len(sections["content"]["problems"]) == 2
    assert FAKE_TOKEN not in result.stdout


async def test_check_counts_overdue_reminders_and_stuck_alerts(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    async with sessionmaker.begin() as session:
        late = await add_member(session, 1, next_at=now - timedelta(hours=1))
        await add_member(session, 2, next_at=now + timedelta(hours=1), status="paused")
        group = await add_group(session, -100)
        session.add(
            Alert(
                coach_group_id=group.id,
                member_id=late.id,
                kind="red_flag",
                local_date=now.date(),
                created_at=now - timedelta(hours=2),
            )
        )
    result = await asyncio.to_thread(
        hipcoach, "check", env={"BOT_TOKEN": FAKE_TOKEN, "DATABASE_URL": database_url}, cwd=tmp_path
    )
    assert result.returncode == 1
    assert "members: active 1, paused 1" in result.stdout
    assert "reminders: 1 due, 1 overdue" in result.stdout
    assert "1 reminder(s) overdue: is `hipcoach run` running?" in result.stdout
    assert "alerts: 1 unsent, oldest since" in result.stdout


async def test_check_online_asks_the_bot_api(fake_api: FakeBotAPI, tmp_path: Path) -> None:
    env = {"BOT_TOKEN": FAKE_TOKEN, "TELEGRAM_API_URL": fake_api.url}
    assert (await asyncio.to_thread(hipcoach, "migrate", env=env, cwd=tmp_path)).returncode == 0
    good = await asyncio.to_thread(hipcoach, "check", "--online", env=env, cwd=tmp_path)
    assert good.returncode == 0, good.stdout
    assert "bot api: ok (@hipcoach_test_bot, webhook not set, 0 updates waiting)" in good.stdout
    refused = await asyncio.to_thread(
        hipcoach, "check", "--online", env=env | {"BOT_TOKEN": OTHER_TOKEN}, cwd=tmp_path
    )
    assert refused.returncode == 1
    assert "BOT_TOKEN: the Bot API server rejected it" in refused.stdout
    assert OTHER_TOKEN not in refused.stdout + refused.stderr


@pytest.mark.parametrize("command", ["run", "migrate", "check"])
def test_every_subcommand_has_help(command: str, tmp_path: Path) -> None:
    result = hipcoach(command, "--help", env={}, cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: hipcoach" in result.stdout


@pytest.mark.parametrize(
    ("token", "api_url", "expected"),
    [
        (OTHER_TOKEN, None, "BOT_TOKEN: the Bot API server rejected it"),
        (FAKE_TOKEN, "http://127.0.0.1:1", "TELEGRAM_API_URL: cannot reach http://127.0.0.1:1"),
    ],
)
async def test_run_against_a_refusing_or_absent_api_exits_2_with_one_line(
    token: str, api_url: str | None, expected: str, fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env={
            "PATH": "/usr/bin:/bin",
            "BOT_TOKEN": token,
            "TELEGRAM_API_URL": api_url or fake_api.url,
            "DATABASE_URL": "sqlite:///data/hip.db",
        },
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    errors = stderr.decode()
    assert process.returncode == 2, errors
    # PTB logs its own failure first; the operator's answer is the last line.
    assert errors.strip().splitlines()[-1].startswith(f"hipcoach: {expected}")
    assert token not in errors


async def test_run_with_the_metrics_port_taken_exits_2_naming_it(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            "BOT_TOKEN": FAKE_TOKEN,
            "TELEGRAM_API_URL": fake_api.url,
            "DATABASE_URL": "sqlite:///data/hip.db",
            "METRICS_PORT": str(port),
        }
        result = await asyncio.to_thread(hipcoach, "run", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"hipcoach: METRICS_PORT: cannot listen on 127.0.0.1:{port}")
