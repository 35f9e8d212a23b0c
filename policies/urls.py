from django.urls import path

from policies import views

app_name = "policies"
urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("projects/<int:project_id>/", views.project_home, name="project-home"),
    path("projects/<int:project_id>/upload/", views.document_upload, name="upload"),
    path("projects/<int:project_id>/members/", views.members_page, name="members"),
    path("projects/<int:project_id>/members/<int:member_id>/", views.member_change, name="member-change"),
    path("projects/<int:project_id>/settings/", views.project_settings, name="project-settings"),
    path("projects/<int:project_id>/attributes.csv", views.attribute_sheet_download, name="attribute-sheet"),
    path("projects/<int:project_id>/attributes/import/", views.attribute_sheet_upload, name="attribute-sheet-import"),
    path("documents/<int:document_id>/", views.document_page, name="document"),
    path("documents/<int:document_id>/row/", views.document_row, name="document-row"),
    path("documents/<int:document_id>/original/", views.document_original, name="document-original"),
    path("documents/<int:document_id>/replace/", views.document_replace, name="document-replace"),
    path("documents/<int:document_id>/delete/", views.document_delete, name="document-delete"),
]
urlpatterns += [
    path("projects/<int:project_id>/word-frequency/", views.word_frequency_page, name="word-frequency"),
    path(
        "projects/<int:project_id>/word-frequency.csv",
        views.word_frequency_export,
        {"fmt": "csv"},
        name="word-frequency-csv",
    ),
    path(
        "projects/<int:project_id>/word-frequency.xlsx",
        views.word_frequency_export,
        {"fmt": "xlsx"},
        name="word-frequency-xlsx",
    ),
    path(
        "projects/<int:project_id>/word-frequency/cloud.svg",
        views.word_frequency_figure,
        {"figure": "cloud", "fmt": "svg"},
        name="word-frequency-cloud-svg",
    ),
    path(
        "projects/<int:project_id>/word-frequency/cloud.png",
        views.word_frequency_figure,
        {"figure": "cloud", "fmt": "png"},
        name="word-frequency-cloud-png",
    ),
    path(
        "projects/<int:project_id>/word-frequency/bars.svg",
        views.word_frequency_figure,
        {"figure": "bars", "fmt": "svg"},
        name="word-frequency-bars-svg",
    ),
    path(
        "projects/<int:project_id>/word-frequency/bars.png",
        views.word_frequency_figure,
        {"figure": "bars", "fmt": "png"},
        name="word-frequency-bars-png",
    ),
    path("projects/<int:project_id>/segmentation/", views.segmentation_status, name="segmentation-status"),
    path("projects/<int:project_id>/text-search/", views.text_search_page, name="text-search"),
    path("projects/<int:project_id>/dictionary/", views.dictionary_page, name="dictionary"),
]
