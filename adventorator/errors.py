"""The one exception hierarchy of Adventorator.

Every error a user can cause is an ``AdventoratorError``; the CLI prints its
message on one line and exits with its ``exit_code`` (2 unless stated), and
``--debug`` shows the traceback. Anything else is a bug.

    AdventoratorError
    ├── ConfigError          bad settings: DATABASE_URL scheme, unreadable config
    ├── DatabaseError        the database cannot be reached or used
    │   ├── SchemaMismatchError   schema behind or ahead of the code
    │   │   └── ForeignDatabaseError  tables, but no Adventorator migration history
    │   ├── PoolExhaustedError    no free pooled connection within pool_timeout
    │   ├── DatabaseBusyError     a lock or statement timeout ran out (try again)
    │   └── DamagedDatabaseError  a SQLite file that is not, or no longer, a database
    ├── InputError           malformed user input (JSON, options)
    │   └── DiceError        dice notation, carries the position (rules.dice)
    ├── NotFoundError        an unknown character, campaign, ...
    ├── ConflictError        a duplicate name, ...
    ├── PermissionDeniedError  acting on someone else's character
    └── LLMError             the language model failed (rules never depend on it)
"""

from __future__ import annotations

__all__ = [
    "AdventoratorError",
    "ConfigError",
    "ConflictError",
    "DamagedDatabaseError",
    "DatabaseBusyError",
    "DatabaseError",
    "ForeignDatabaseError",
    "InputError",
    "LLMError",
    "NotFoundError",
    "PermissionDeniedError",
    "PoolExhaustedError",
    "SchemaMismatchError",
]


class AdventoratorError(Exception):
    """Base class of every error caused by input, configuration or environment."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def context_lines(self) -> list[str]:
        """Extra lines shown under the message, e.g. an expression and a caret."""
        return []


class ConfigError(AdventoratorError):
    """A setting is missing or malformed."""


class DatabaseError(AdventoratorError):
    """The database cannot be reached, or refused the operation."""


class SchemaMismatchError(DatabaseError):
    """The database schema is not at the revision this code expects."""


class ForeignDatabaseError(SchemaMismatchError):
    """The database has tables but no migration history: it is not ours to migrate."""


class PoolExhaustedError(DatabaseError):
    """Every pooled connection stayed busy for the whole pool timeout."""


class DatabaseBusyError(DatabaseError):
    """Another session held a lock, or a statement ran, past its timeout."""


class DamagedDatabaseError(DatabaseError):
    """The SQLite file is not a database, or its pages are damaged."""


class InputError(AdventoratorError):
    """User input is malformed or out of range."""


class NotFoundError(AdventoratorError):
    """A named thing does not exist."""


class ConflictError(AdventoratorError):
    """The operation would break a uniqueness rule."""


class PermissionDeniedError(AdventoratorError):
    """The user may not act on this object."""


class LLMError(AdventoratorError):
    """The language model call failed; the message gives a short cause."""
