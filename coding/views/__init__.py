"""HTML pages of the coding app, one module per feature; coding/urls.py imports the submodules."""
