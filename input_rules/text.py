"""Text PostgreSQL cannot store: a NUL character (text and jsonb refuse it) or an unpaired UTF-16
surrogate (it has no UTF-8 form, so the driver cannot send it). Nothing else is refused here:
other control characters are stored as they are and escaped wherever they are shown."""
from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"  # what a reader shows for a character that cannot be shown


def unstorable(text: str) -> bool:
    return bool(_UNSTORABLE.search(text))


def unstorable_description(text: str) -> str:
    """What is wrong, in words a person can act on, e.g. 'a NUL character (byte 0)'."""
    match = _UNSTORABLE.search(text)
    if match is None:
        return ""
    if match.group() == "\x00":
        return "a NUL character (byte 0)"
    return "a broken character (an unpaired surrogate)"


def storable(text: str) -> str:
    """`text` with every character the database refuses replaced by �, so a message quoting
    a bad value can itself be saved."""
    return _UNSTORABLE.sub(REPLACEMENT, text)


def storable_data(value):
    """`storable` applied to every string inside lists and dicts (a JSON field's value)."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {storable_data(key): storable_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [storable_data(item) for item in value]
    return value
