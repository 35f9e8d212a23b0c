from django.urls import path

from policies.views import documents, projects, text

app_name = "policies"
urlpatterns = [
    path("", projects.project_list, name="project-list"),
    path("projects/<int:project_id>/", documents.project_home, name="project-home"),
    path("projects/<int:project_id>/upload/", documents.document_upload, name="upload"),
    path("projects/<int:project_id>/members/", projects.members_page, name="members"),
    path("projects/<int:project_id>/members/<int:member_id>/", projects.member_change, name="member-change"),
    path("projects/<int:project_id>/settings/", projects.project_settings, name="project-settings"),
    path("projects/<int:project_id>/attributes.csv", documents.attribute_sheet_download, name="attribute-sheet"),
    path(
        "projects/<int:project_id>/attributes/import/", documents.attribute_sheet_upload, name="attribute-sheet-import"
    ),
    path("documents/<int:document_id>/", documents.document_page, name="document"),
    path("documents/<int:document_id>/row/", documents.document_row, name="document-row"),
    path("documents/<int:document_id>/original/", documents.document_original, name="document-original"),
    path("documents/<int:document_id>/replace/", documents.document_replace, name="document-replace"),
    path("documents/<int:document_id>/delete/", documents.document_delete, name="document-delete"),
]
urlpatterns += [
    path("projects/<int:project_id>/word-frequency/", text.word_frequency_page, name="word-frequency"),
    path(
        "projects/<int:project_id>/word-frequency.csv",
        text.word_frequency_export,
        {"fmt": "csv"},
        name="word-frequency-csv",
    ),
    path(
        "projects/<int:project_id>/word-frequency.xlsx",
        text.word_frequency_export,
        {"fmt": "xlsx"},
        name="word-frequency-xlsx",
    ),
    path(
        "projects/<int:project_id>/word-frequency/cloud.svg",
        text.word_frequency_figure,
        {"figure": "cloud", "fmt": "svg"},
        name="word-frequency-cloud-svg",
    ),
    path(
        "projects/<int:project_id>/word-frequency/cloud.png",
        text.word_frequency_figure,
        {"figure": "cloud", "fmt": "png"},
        name="word-frequency-cloud-png",
    ),
    path(
        "projects/<int:project_id>/word-frequency/bars.svg",
        text.word_frequency_figure,
        {"figure": "bars", "fmt": "svg"},
        name="word-frequency-bars-svg",
    ),
    path(
        "projects/<int:project_id>/word-frequency/bars.png",
        text.word_frequency_figure,
        {"figure": "bars", "fmt": "png"},
        name="word-frequency-bars-png",
    ),
    path("projects/<int:project_id>/segmentation/", text.segmentation_status, name="segmentation-status"),
    path("projects/<int:project_id>/text-search/", text.text_search_page, name="text-search"),
    path("projects/<int:project_id>/dictionary/", text.dictionary_page, name="dictionary"),
]
