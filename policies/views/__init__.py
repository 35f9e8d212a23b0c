"""HTML pages of the policies app, one module per feature; policies/urls.py imports the submodules."""
