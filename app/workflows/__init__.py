"""The workflow language: node catalog, definition shape, validation, config migrations, layout.

Pure Python: nothing in here knows about Flask requests or the database. The API, the editor,
the template writer and the run launcher all call `validation.validate_definition` (DESIGN §1.4).
"""
