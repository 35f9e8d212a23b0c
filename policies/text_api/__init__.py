"""JSON API for text analytics, one module per feature (auto-coding from a search is coding.autocode_views);
config/api.py imports the submodules."""
