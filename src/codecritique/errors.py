"""Errors that name what went wrong and where, so a user can fix the input."""

from __future__ import annotations


class CodecritiqueError(Exception):
    """Base class of the project's own errors."""


class DataError(CodecritiqueError, ValueError):
    """A malformed input record: names the file, the line (1-based, if any), the field and the problem."""

    def __init__(self, path: str | None, message: str, *, line: int | None = None, field: str | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.reason = message
        where = self.path or ""
        if line is not None:
            where += f"{'line ' if not where else ':'}{line}"
        if field:
            where += f"{': ' if where else ''}field '{field}'"
        super().__init__(f"{where}: {message}" if where else message)


class ConfigError(CodecritiqueError, ValueError):
    """A setting that cannot work, found before any work starts: names the setting (a config field, e.g.
    ``judge.workers``) and what is wrong. The CLI shows it under the option's name (``--workers``)."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.reason = message
        super().__init__(f"{field}: {message}")

    @property
    def option(self) -> str:
        """The command-line option of the field (its last part, dashed)."""
        return "--" + self.field.rsplit(".", 1)[-1].replace("_", "-")


class EndpointError(CodecritiqueError):
    """A model endpoint that cannot be used (unreachable, refusing, serving no model)."""


def require(ok: bool, field: str, message: str) -> None:
    """Raise a :class:`ConfigError` for ``field`` unless ``ok``."""
    if not ok:
        raise ConfigError(field, message)


def require_number(field: str, value: float | None, *, minimum: float, strict: bool = False,
                   maximum: float | None = None, optional: bool = False) -> None:
    """``value`` must be a number >= ``minimum`` (> with ``strict``) and <= ``maximum``; None only if optional."""
    if value is None and optional:
        return
    bound = f"> {minimum:g}" if strict else f">= {minimum:g}"
    if maximum is not None:
        bound += f" and <= {maximum:g}"
    ok = value is not None and (value > minimum if strict else value >= minimum) and \
        (maximum is None or value <= maximum)
    require(ok, field, f"must be {bound}, got {value}")
