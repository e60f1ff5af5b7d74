"""The full-text part of the search index, one per database backend.

SQLite: an FTS5 table over a view of search_searchdocument (external content), kept in step by
triggers. The view hides an answer's copy of its topic's title and tags from the full-text index
(they are kept on the row for display and filters), so that a word of a question's title finds
the question, not every one of its answers.

PostgreSQL: a generated, weighted tsvector column (title A, tags B, body C) with a GIN index.

Note for later migrations: on SQLite, Django rebuilds a table to alter it, which drops its
triggers; a migration that alters SearchDocument must run SQLITE_FORWARD's triggers again.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE VIEW search_fts_content AS
    SELECT id,
           CASE WHEN doc_type = 'topic' THEN title ELSE '' END AS title,
           body,
           CASE WHEN doc_type = 'topic' THEN tags ELSE '' END AS tags
    FROM search_searchdocument
    """,
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, tags,
        content='search_fts_content', content_rowid='id',
        tokenize='porter unicode61'
    )
    """,
    """
    CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, body, tags) VALUES (
            new.id,
            CASE WHEN new.doc_type = 'topic' THEN new.title ELSE '' END,
            new.body,
            CASE WHEN new.doc_type = 'topic' THEN new.tags ELSE '' END
        );
    END
    """,
    """
    CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, tags) VALUES (
            'delete',
            old.id,
            CASE WHEN old.doc_type = 'topic' THEN old.title ELSE '' END,
            old.body,
            CASE WHEN old.doc_type = 'topic' THEN old.tags ELSE '' END
        );
    END
    """,
    # Only when indexed text changes: flipping `solved` must not re-index the text.
    """
    CREATE TRIGGER search_fts_update AFTER UPDATE OF doc_type, title, body, tags ON search_searchdocument
    WHEN old.doc_type IS NOT new.doc_type OR old.body IS NOT new.body
         OR old.title IS NOT new.title OR old.tags IS NOT new.tags
    BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, tags) VALUES (
            'delete',
            old.id,
            CASE WHEN old.doc_type = 'topic' THEN old.title ELSE '' END,
            old.body,
            CASE WHEN old.doc_type = 'topic' THEN old.tags ELSE '' END
        );
        INSERT INTO search_fts(rowid, title, body, tags) VALUES (
            new.id,
            CASE WHEN new.doc_type = 'topic' THEN new.title ELSE '' END,
            new.body,
            CASE WHEN new.doc_type = 'topic' THEN new.tags ELSE '' END
        );
    END
    """,
    # Rows written before this migration (none on a new site) enter the index.
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
    "DROP VIEW IF EXISTS search_fts_content",
]

POSTGRESQL_FORWARD = [
    """
    ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig,
                              CASE WHEN doc_type = 'topic' THEN title ELSE '' END), 'A')
        || setweight(to_tsvector('english'::regconfig,
                                 CASE WHEN doc_type = 'topic' THEN tags ELSE '' END), 'B')
        || setweight(to_tsvector('english'::regconfig, body), 'C')
    ) STORED
    """,
    "CREATE INDEX search_document_vector ON search_searchdocument USING GIN (search_vector)",
]

POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
