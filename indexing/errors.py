"""Domain exceptions of the knowledge engine."""


class EngineError(Exception):
    """Base class: a problem the user can understand and act on."""


class IndexNotBuiltError(EngineError):
    """No usable index yet: run `essbot index`."""


class ReindexInProgressError(EngineError):
    """Another reindex holds the lock."""


class UnreadableFileError(EngineError):
    """A file of the knowledge folder cannot be read; the message says why."""


class EmbedderError(EngineError):
    """The embedding model cannot be loaded or used."""


class DataFolderError(EngineError):
    """The data folder is missing, read-only or unusable; the message names it."""
