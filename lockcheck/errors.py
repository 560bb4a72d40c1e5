"""Errors that end a run with a one-line message instead of a traceback."""


class InputError(Exception):
    """Bad input from the user (path, file, config): exit code 2."""
