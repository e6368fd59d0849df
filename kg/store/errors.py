"""The store's errors, apart so that every store module can raise them without importing the interface."""


class StoreError(Exception):
    """A store could not be opened or written."""


class StoreLockedError(StoreError):
    """Another process holds the store open for writing."""
