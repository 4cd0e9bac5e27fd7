"""A small YAML emitter for model files, so that the client needs no YAML library.

It writes the subset of YAML that model files use: mappings (block style), lists (block style, or flow style
``[a, b]`` when every item is a scalar), strings, numbers, booleans and null. Strings are written plain when
they cannot be read back as anything else (``20 ms``, ``lif_delta``, ``-65 mV``) and double-quoted otherwise
(``"uniform(0 mV, 20 mV)"``, ``"true"``, ``"12"``). The output is also read by any YAML 1.1 or 1.2 parser as the
same data, which the tests check against the DistSnn loader.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

__all__ = ["to_yaml"]

# A plain scalar is safe when it consists of these characters only: no ':', '#', ',', brackets, braces, quotes,
# '&', '*', '!', '|', '>', '%', '@' or '`', which YAML gives meanings to somewhere in a line.
_PLAIN = re.compile(r"[A-Za-z0-9_.+\-][A-Za-z0-9_ .+\-]*")
# Words YAML 1.2 (true, false, null) or common YAML 1.1 parsers (yes, no, on, off) read as booleans or null.
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "~"}


def _is_plain(text: str) -> bool:
    """Whether ``text`` can be written without quotes and still be read back as this string."""
    if not _PLAIN.fullmatch(text) or text != text.strip() or "  " in text:
        return False
    if text.lower() in _RESERVED or text.startswith(("- ", "-.", ".")) or text == "-":
        return False
    # Anything a YAML parser (or a Python float/int) could take for a number stays quoted.
    try:
        float(text.replace("_", ""))
        return False
    except ValueError:
        pass
    return not re.fullmatch(r"[-+]?(0x[0-9a-fA-F]+|0o[0-7]+|0b[01]+|\.inf|\.nan|[0-9][0-9_:]*)", text, re.IGNORECASE)


def _scalar(value: Any) -> str:
    """One scalar as YAML text."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be written to a model file (only finite numbers are allowed)")
        return repr(value)
    if isinstance(value, str):
        return value if _is_plain(value) else json.dumps(value, ensure_ascii=False)
    raise TypeError(f"cannot write a {type(value).__name__} to YAML: {value!r}")


def _normalise(value: Any) -> Any:
    """Turns numpy scalars and arrays, tuples and objects with ``to_dict()`` into plain Python data."""
    if hasattr(value, "to_dict") and callable(value.to_dict):
        value = value.to_dict()
    if hasattr(value, "tolist") and callable(value.tolist):
        # numpy arrays and numpy scalars
        value = value.tolist()
    if isinstance(value, tuple):
        value = list(value)
    return value


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _emit(value: Any, indent: int, lines: list[str], prefix: str) -> None:
    """Appends ``value`` to ``lines``; ``prefix`` is what stands before it on its first line (a key or ``- ``)."""
    pad = " " * indent
    value = _normalise(value)
    if isinstance(value, dict):
        if not value:
            lines.append(f"{prefix}{{}}")
            return
        first = True
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"mapping keys must be strings, got {key!r}")
            head = (prefix if first else pad) + _scalar(key) + ":"
            first = False
            item = _normalise(item)
            if isinstance(item, dict) and item:
                lines.append(head)
                _emit(item, indent + 2, lines, " " * (indent + 2))
            elif isinstance(item, list) and item and not all(_is_scalar(_normalise(x)) for x in item):
                lines.append(head)
                _emit(item, indent + 2, lines, " " * (indent + 2))
            else:
                _emit(item, indent + 2, lines, head + " ")
        return
    if isinstance(value, list):
        items = [_normalise(x) for x in value]
        if all(_is_scalar(x) for x in items):
            lines.append(prefix + "[" + ", ".join(_scalar(x) for x in items) + "]")
            return
        first = True
        for item in items:
            head = (prefix if first else pad) + "- "
            first = False
            _emit(item, indent + 2, lines, head)
        return
    lines.append(prefix + _scalar(value))


def to_yaml(data: Any) -> str:
    """Returns ``data`` (dicts, lists, strings, numbers, booleans, None; numpy values too) as a YAML document.

    Dict order is kept. Raises ``TypeError`` for other types and ``ValueError`` for NaN or infinite numbers.
    """
    lines: list[str] = []
    _emit(data, 0, lines, "")
    return "\n".join(lines) + "\n"
