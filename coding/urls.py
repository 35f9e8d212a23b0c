from django.urls import path

from coding import autocode_views
from coding.suggest import views as suggest_views
from coding.views import agreement, exchange, matrix, memos, team, workspace

app_name = "coding"
urlpatterns = [
    path("documents/<int:document_id>/code/", workspace.workspace, name="workspace"),
    path("documents/<int:document_id>/memo/", memos.document_memo, name="document-memo"),
    path("documents/<int:document_id>/audit/", memos.audit_page, name="audit"),
    path("projects/<int:project_id>/nodes/<int:node_id>/passages/", memos.node_view, name="node-view"),
    path("projects/<int:project_id>/journal/", memos.journal, name="journal"),
    path("projects/<int:project_id>/text-search/auto-code/", autocode_views.text_search_autocode, name="auto-code"),
    path("projects/<int:project_id>/text-search/undo/", autocode_views.text_search_undo, name="auto-code-undo"),
    path("projects/import/", exchange.project_import, name="project-import"),
]
urlpatterns += [
    path("projects/<int:project_id>/matrix/", matrix.matrix_page, name="matrix"),
    path("projects/<int:project_id>/matrix/cell/", matrix.matrix_cell, name="matrix-cell"),
    path("projects/<int:project_id>/matrix/matrix.csv", matrix.matrix_export, {"fmt": "csv"}, name="matrix-csv"),
    path("projects/<int:project_id>/matrix/matrix.xlsx", matrix.matrix_export, {"fmt": "xlsx"}, name="matrix-xlsx"),
    path("projects/<int:project_id>/matrix/heatmap.svg", matrix.matrix_export, {"fmt": "svg"}, name="matrix-svg"),
    path("projects/<int:project_id>/matrix/heatmap.png", matrix.matrix_export, {"fmt": "png"}, name="matrix-png"),
    path("projects/<int:project_id>/counts/", matrix.attribute_counts, name="attribute-counts"),
    path(
        "projects/<int:project_id>/counts/counts.csv", matrix.attribute_counts_export, {"fmt": "csv"}, name="counts-csv"
    ),
    path(
        "projects/<int:project_id>/counts/counts.xlsx",
        matrix.attribute_counts_export,
        {"fmt": "xlsx"},
        name="counts-xlsx",
    ),
    path(
        "projects/<int:project_id>/counts/chart.svg", matrix.attribute_counts_export, {"fmt": "svg"}, name="counts-svg"
    ),
    path(
        "projects/<int:project_id>/counts/chart.png", matrix.attribute_counts_export, {"fmt": "png"}, name="counts-png"
    ),
    path("projects/<int:project_id>/summary/", matrix.framework_summary, name="framework-summary"),
    path(
        "projects/<int:project_id>/summary/summary.csv",
        matrix.framework_summary_export,
        {"fmt": "csv"},
        name="summary-csv",
    ),
    path(
        "projects/<int:project_id>/summary/summary.xlsx",
        matrix.framework_summary_export,
        {"fmt": "xlsx"},
        name="summary-xlsx",
    ),
    path(
        "projects/<int:project_id>/summary/figure.svg",
        matrix.framework_summary_export,
        {"fmt": "svg"},
        name="summary-figure",
    ),
    path(
        "projects/<int:project_id>/summary/figure.png",
        matrix.framework_summary_export,
        {"fmt": "png"},
        name="summary-figure-png",
    ),
]
urlpatterns += [
    path("projects/<int:project_id>/team/", team.team_page, name="team"),
    path("documents/<int:document_id>/done/", team.assignment_done, name="assignment-done"),
]
urlpatterns += [
    path("projects/<int:project_id>/agreement/", agreement.agreement_page, name="agreement"),
    path(
        "projects/<int:project_id>/agreement/documents/<int:document_id>/",
        agreement.disagreement_page,
        name="disagreement",
    ),
]
urlpatterns += [
    path("projects/<int:project_id>/suggestions/", suggest_views.suggestions_page, name="suggestions"),
    path("projects/<int:project_id>/suggestions/train/", suggest_views.suggestions_train, name="suggestions-train"),
    path(
        "projects/<int:project_id>/suggestions/accept/",
        suggest_views.suggestions_accept_above,
        name="suggestions-accept",
    ),
    path(
        "projects/<int:project_id>/suggestions/threshold/",
        suggest_views.suggestions_threshold,
        name="suggestions-threshold",
    ),
    path("suggestions/<int:suggestion_id>/review/", suggest_views.suggestion_review, name="suggestion-review"),
    path("documents/<int:document_id>/suggestions/", suggest_views.suggestions_panel, name="suggestions-panel"),
]
