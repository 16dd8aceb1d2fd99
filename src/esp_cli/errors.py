"""One exception family and the documented exit codes.

The core raises these; the CLI turns each into one line on stderr and its exit code.
Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

import re
from enum import IntEnum

# What a terminal would act on rather than show: a carriage return overwrites the line, an
# escape starts a colour or moves the cursor. A line break is kept.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_NAMED = {"\t": "\\t", "\r": "\\r", "\x00": "\\0"}


def printable(text: str) -> str:
    """`text` with its control characters written out (`\\t`, `\\r`, `\\x1b`), so a
    path holding one reads as typed and cannot overwrite or recolour the line."""
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


class ExitCode(IntEnum):
    """Exit codes, documented in README.md ("Exit codes")."""

    OK = 0
    FAILED = 1  # the command could not do its work (see the message)
    USAGE = 2  # bad options or arguments
    BAD_INPUT = 3  # a file is missing, unreadable, not a workbook, or lacks needed columns
    BUSY = 4  # the workbook is open in Excel, being written, or changed since it was read
    FINDINGS = 5  # a check ran and found problems (esp doctor; conflicts left unresolved)
    WRITE_FAILED = 6  # writing failed (permissions, disk full); the original is untouched
    WAITING = 7  # busy: the change waits beside the tracker; nothing written yet, nothing lost


class EspError(Exception):
    """An error the user can act on: what failed, where, and how to fix it."""

    exit_code: ExitCode = ExitCode.FAILED

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        if self.fix:
            return printable(f"{self.message} Fix: {self.fix}")
        return printable(self.message)


class UsageError(EspError):
    exit_code = ExitCode.USAGE


class ConfigError(EspError):
    exit_code = ExitCode.USAGE


class NoSignerError(ConfigError):
    """No name to sign a note with (no --by, ESP_USER nor [people] user)."""


class InputFileError(EspError):
    """A file esp was asked to read cannot be used as given."""

    exit_code = ExitCode.BAD_INPUT


class MissingColumnsError(InputFileError):
    pass


class AgentNotFoundError(EspError):
    exit_code = ExitCode.BAD_INPUT


class StepOrderError(EspError):
    """An escalation step cannot be recorded as asked (out of order, or over a different
    recorded date): refused, nothing written."""

    exit_code = ExitCode.FAILED


class EarlyStepError(StepOrderError):
    """An escalation step recorded before the ladder's timing makes it due."""


class WorkbookBusyError(EspError):
    """The workbook is open elsewhere or changed under us: nothing was written.

    `holder` says who or what has it, as a sentence goes on ("open in Excel by Jo Smith",
    "being written by another esp command"); a change refused for it can wait beside the
    tracker (see esp_cli.workbook.waiting). None: a refusal a waiting change cannot help."""

    exit_code = ExitCode.BUSY

    def __init__(self, message: str, *, fix: str | None = None, holder: str | None = None) -> None:
        super().__init__(message, fix=fix)
        self.holder = holder


class UnsafeWriteError(EspError):
    """A write would damage the workbook (a formula, a merged cell, a table edge): refused."""

    exit_code = ExitCode.FAILED


class WriteFailedError(EspError):
    exit_code = ExitCode.WRITE_FAILED


class UndoConflictError(EspError):
    """An undo would overwrite cells changed since the operation: refused, nothing written."""

    exit_code = ExitCode.FAILED
