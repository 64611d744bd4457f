"""Button data that a modified client cannot forge: every callback_data the bot sends is signed.

Telegram hands a button's data back verbatim, and any client can send any data it likes, so a
button is only trustworthy if the bot can tell it made it. `SigningBot` appends a truncated HMAC
to every inline button's data on the way out (PTB's `_replace_keyboard` hook, which every send
and edit goes through) and checks it on the way in (`insert_callback_data`, which PTB calls for
every update from polling and from the webhook) before any handler parses it. A press that fails
the check reaches the handlers as `EXPIRED`, which one handler answers ("That button has
expired" and the member's current question); handlers only ever see data the bot signed.

The key is derived from the bot token, so no new secret has to be managed; a new token makes all
older buttons expire, which is the safe way round.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from telegram.ext import ExtBot

# What a press whose signature fails is turned into; no handler prefix matches it but one.
EXPIRED = "expired"
# Telegram's limit on callback_data, in bytes.
MAX_CALLBACK_DATA = 64
# 9 bytes (72 bits) of HMAC-SHA256: 12 base64url characters, no padding. A forger gets one
# guess per button press, checked by Telegram's rate limits; 2^72 guesses is out of reach.
SIGNATURE_BYTES = 9
SEPARATOR = "~"
SIGNATURE_CHARS = 12
# What a handler's own data may use: the rest of the 64 bytes carry the signature.
PAYLOAD_BUDGET = MAX_CALLBACK_DATA - len(SEPARATOR) - SIGNATURE_CHARS

_KEY_CONTEXT = b"hipcoach callback data v1"


def callback_key(bot_token: str) -> bytes:
    """A key for button signatures only, derived from the token (never the token itself)."""
    return hmac.new(bot_token.encode(), _KEY_CONTEXT, hashlib.sha256).digest()


def _tag(key: bytes, data: str) -> str:
    mac = hmac.new(key, data.encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(mac).decode()


def sign(key: bytes, data: str) -> str:
    """`data` with its signature; data too long to sign within Telegram's 64 bytes is a bug."""
    if len(data.encode()) > PAYLOAD_BUDGET:
        raise ValueError(f"callback data {data!r} is over {PAYLOAD_BUDGET} bytes")
    return f"{data}{SEPARATOR}{_tag(key, data)}"


def verify(key: bytes, signed: str) -> str | None:
    """The data the bot signed, or None for anything it did not (forged, altered, unsigned)."""
    data, separator, tag = signed.rpartition(SEPARATOR)
    if not separator or not hmac.compare_digest(tag.encode(), _tag(key, data).encode()):
        return None
    return data


def _map_buttons(
    markup: InlineKeyboardMarkup, change: Callable[[str], str]
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(button.text, callback_data=change(button.callback_data))
            if isinstance(button.callback_data, str)
            else button
            for button in row
        ]
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(rows)


class SigningBot(ExtBot[Any]):
    """PTB's ExtBot with signed callback data; handlers neither see nor make signatures."""

    __slots__ = ("_callback_key",)

    def __init__(self, token: str, **kwargs: Any) -> None:
        super().__init__(token, **kwargs)
        self._callback_key = callback_key(token)

    def _replace_keyboard(self, reply_markup: Any) -> Any:
        markup = super()._replace_keyboard(reply_markup)
        if isinstance(markup, InlineKeyboardMarkup):
            return _map_buttons(markup, lambda data: sign(self._callback_key, data))
        return markup

    def _unsigned(self, data: str) -> str:
        return verify(self._callback_key, data) or EXPIRED

    def _strip_message(self, message: Message) -> None:
        """The bot's own keyboard on a message, as the handlers made it (for labels of presses)."""
        if isinstance(message.reply_markup, InlineKeyboardMarkup):
            with message._unfrozen():
                message.reply_markup = _map_buttons(message.reply_markup, self._unsigned)

    def _insert_callback_data(self, obj: Any) -> Any:
        obj = super()._insert_callback_data(obj)
        if isinstance(obj, CallbackQuery):
            if obj.data is not None:
                with obj._unfrozen():
                    obj.data = self._unsigned(obj.data)
            if isinstance(obj.message, Message):
                self._strip_message(obj.message)
        elif isinstance(obj, Message):
            self._strip_message(obj)
        return obj
