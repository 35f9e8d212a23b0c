"""The coding app's JSON API, one module per feature; config/api.py routes to them."""
