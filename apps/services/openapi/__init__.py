"""The parts of the OpenAPI importer; `apps.services.importer` composes them and is what the
rest of the project imports. None of them imports Django: they are pure functions over data."""
