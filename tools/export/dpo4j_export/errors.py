"""The one exception type the exporter raises for user-facing problems."""


class ExportError(Exception):
    """A problem with the exporter's inputs (missing file, unsupported model, bad name...).

    The message always names the offending path / field and says what was expected.
    """
