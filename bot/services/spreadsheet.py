"""CSV cells a spreadsheet cannot run: the member and coach exports are opened in Excel & co.

OWASP's rule for CSV injection: a text cell starting with `=`, `+`, `-`, `@`, TAB or CR may be
read as a formula (`=HYPERLINK(...)` in a member's name, say), so it gets a leading `'`, which
spreadsheets show as plain text. Numbers are written as numbers and left alone.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value as a spreadsheet should show it: text that could be a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value
