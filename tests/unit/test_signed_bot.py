"""Button signatures: what the bot signed comes back intact, anything else is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.signed_bot import (
    MAX_CALLBACK_DATA,
    PAYLOAD_BUDGET,
    callback_key,
    sign,
    verify,
)

KEY = callback_key("123:token")
# The longest data each prefix can carry, with Telegram's largest ids (int64) where ids go.
LONGEST = [
    "sess:9223372036854775807:999:reps:skip",
    "dash:9223372036854775807:9999",
    "data:9223372036854775807:delete",
    "rem:9223372036854775807:snooze:60",
    "rem:9223372036854775807:chk:better",
    "onb:join:yes:9223372036854775807",
    "onb:zone_ok:yes:America/Argentina/ComodRivadavia",
    "onb:equipment:resistance_band",
]


@pytest.mark.parametrize("data", LONGEST)
def test_the_longest_data_of_every_prefix_fits_telegrams_64_bytes_once_signed(data: str) -> None:
    signed = sign(KEY, data)
    assert len(signed.encode()) <= MAX_CALLBACK_DATA
    assert verify(KEY, signed) == data


def test_data_over_the_budget_is_refused_when_sending_not_truncated() -> None:
    with pytest.raises(ValueError):
        sign(KEY, "x" * (PAYLOAD_BUDGET + 1))


@given(st.text(max_size=PAYLOAD_BUDGET // 4))
def test_every_signed_value_verifies_and_a_changed_one_does_not(data: str) -> None:
    signed = sign(KEY, data)
    assert verify(KEY, signed) == data
    assert verify(callback_key("456:other"), signed) is None
    assert verify(KEY, signed[:-1]) is None
    assert verify(KEY, data + "x" + signed[len(data) :]) is None


@given(st.text(max_size=MAX_CALLBACK_DATA))
def test_unsigned_junk_never_verifies(junk: str) -> None:
    assert verify(KEY, junk) is None
