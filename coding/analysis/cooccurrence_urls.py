"""Code co-occurrence pages and files (config/urls.py includes them; the JSON API is in config/api.py)."""

from django.urls import path

from coding.analysis import cooccurrence_views as views

app_name = "cooccurrence"
urlpatterns = [
    path("projects/<int:project_id>/cooccurrence/", views.cooccurrence_page, name="page"),
    path("projects/<int:project_id>/cooccurrence/cell/", views.cooccurrence_cell, name="cell"),
    path(
        "projects/<int:project_id>/cooccurrence/cooccurrence.csv", views.cooccurrence_export, {"fmt": "csv"}, name="csv"
    ),
    path(
        "projects/<int:project_id>/cooccurrence/cooccurrence.xlsx",
        views.cooccurrence_export,
        {"fmt": "xlsx"},
        name="xlsx",
    ),
    path("projects/<int:project_id>/cooccurrence/heatmap.svg", views.cooccurrence_export, {"fmt": "svg"}, name="svg"),
    path(
        "projects/<int:project_id>/cooccurrence/network.svg",
        views.cooccurrence_export,
        {"fmt": "network"},
        name="network",
    ),
]
