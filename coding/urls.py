from django.urls import path

from coding import views

app_name = "coding"
urlpatterns = [
    path("documents/<int:document_id>/code/", views.workspace, name="workspace"),
]
