"""REFI-QDA project exchange (.qdpx): export, backup, restore and import from other QDA tools.

`qde` writes and reads project.qde over plain values (pure), `offsets` maps positions in a producing tool's text
onto our normalized text (pure), `qdpx` loads a project and writes the zip, `services` imports one as a new project.
"""
