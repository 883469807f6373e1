from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "taizhang.core"
    verbose_name = "核心"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import history  # noqa: F401  (connects the change-reason receiver)

        connection_created.connect(_sqlite_variables)


def _sqlite_variables(sender, connection, **kwargs) -> None:
    """Django assumes SQLite's old limit of 999 bound values a statement; SQLite 3.32+ allows
    32766. Bulk inserts of wide rows then go in tens of statements instead of hundreds."""
    if connection.vendor != "sqlite":
        return
    import sqlite3

    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    connection.features.max_query_params = max(999, limit)
