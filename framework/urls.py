from django.urls import path, re_path

from framework import views

app_name = "framework"
urlpatterns = [
    path("projects/<int:project_id>/codebook/", views.codebook_page, name="codebook"),
    path("projects/<int:project_id>/codebook/tree/", views.tree_panel, name="tree"),
    path("projects/<int:project_id>/codebook/nodes/", views.node_create, name="node-create"),
    path("projects/<int:project_id>/codebook/template/", views.template_apply, name="template-apply"),
    path("projects/<int:project_id>/codebook/import/", views.codebook_import, name="import"),
    re_path(
        r"^projects/(?P<project_id>[0-9]+)/codebook/export\.(?P<fmt>csv|json|qdc)$",
        views.codebook_export,
        name="export",
    ),
    path("projects/<int:project_id>/codebook/figure.svg", views.figure_svg, name="figure"),
    path("projects/<int:project_id>/codebook/figure.png", views.figure_svg, {"fmt": "png"}, name="figure-png"),
    path("codebook/nodes/<int:node_id>/", views.node_detail, name="node"),
    path("codebook/nodes/<int:node_id>/move/", views.node_move, name="node-move"),
    path("codebook/nodes/<int:node_id>/merge/", views.node_merge, name="node-merge"),
    path("codebook/nodes/<int:node_id>/delete/", views.node_delete, name="node-delete"),
]
