"""Errors that a user can act on.

Every command-line entry point catches :class:`ReproError` and prints its
message as one line on standard error with a non-zero exit, so a message
must name the file or flag at fault and say what is wrong with it.
"""


class ReproError(Exception):
    """An error caused by the user's input or environment, not by a bug."""


class DataError(ReproError):
    """A data file is missing, unreadable, corrupt or inconsistent."""


class GoldenError(ReproError):
    """A golden file is missing, unreadable or malformed."""


class UsageError(ReproError):
    """A flag value makes no sense for the run asked for."""
