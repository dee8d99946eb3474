"""One exception hierarchy. Errors that a user can fix carry a one-line message saying what to do."""

from __future__ import annotations


class MLZeroError(Exception):
    """Base class of every error raised on purpose by mlzero-jupyter."""


class UserInputError(MLZeroError):
    """The user gave something we cannot use (a path, a file, an option); the message says what to do.

    Front ends (CLI, magic, MCP) print ``str(error)`` as one line, without a traceback.
    """


class DataError(UserInputError):
    """The data itself is unreadable, empty or does not define a learnable task."""


class ConfigError(UserInputError):
    """A configuration value or option is invalid."""


class RunFolderError(UserInputError):
    """A run folder is missing, damaged or would be overwritten."""


class ProviderError(MLZeroError):
    """An LLM provider failed; ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class CredentialsError(ProviderError, UserInputError):
    """Credentials for a provider are missing or rejected; the message names what to set."""
