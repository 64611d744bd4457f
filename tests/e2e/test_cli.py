"""`hipcoach` as an operator meets it: clear one-line errors, exit code 2, no traceback."""

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from tests.botprocess import FAKE_TOKEN
from tests.fakebotapi import FakeBotAPI


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
    assert "pending" in before.stdout
    migrated = hipcoach("migrate", env=env, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "data" / "hip.db").exists()
    after = hipcoach("check", env=env, cwd=tmp_path)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "schema up to date" in after.stdout
    assert "content: ok" in after.stdout


@pytest.mark.parametrize("command", ["run", "migrate", "check"])
def test_every_subcommand_has_help(command: str, tmp_path: Path) -> None:
    result = hipcoach(command, "--help", env={}, cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: hipcoach" in result.stdout


OTHER_TOKEN = "987654321:AAOtherTokenTheServerDoesNotKnow_xyz12"


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
