class ReaderError(Exception):
    """Base class of everything the reader refuses; the message is for people (Chinese)."""


class EmptyInput(ReaderError):
    pass


class BinaryInput(ReaderError):
    pass


class UndecodableInput(ReaderError):
    pass
