from django.urls import path

from coding.analysis import figure_views, report_views

app_name = "analysis"
urlpatterns = [
    path("projects/<int:project_id>/report/", report_views.report_page, name="report"),
    path("projects/<int:project_id>/report/report.docx", report_views.report_docx, name="report-docx"),
    path("projects/<int:project_id>/matrix/map.svg", figure_views.province_map_export, {"fmt": "svg"}, name="map-svg"),
    path("projects/<int:project_id>/matrix/map.png", figure_views.province_map_export, {"fmt": "png"}, name="map-png"),
    path(
        "projects/<int:project_id>/matrix/timeline.svg",
        figure_views.timeline_export,
        {"fmt": "svg"},
        name="timeline-svg",
    ),
    path(
        "projects/<int:project_id>/matrix/timeline.png",
        figure_views.timeline_export,
        {"fmt": "png"},
        name="timeline-png",
    ),
]
