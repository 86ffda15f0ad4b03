"""The asset API views, by entity: files, datasets and any asset; `common` holds what they share."""
