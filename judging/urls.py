from django.urls import path

from . import views

app_name = "judging"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("<str:round_code>/next/", views.next_entry, name="next"),
    path("<str:round_code>/<str:blind_code>/", views.score, name="score"),
    path("<str:round_code>/<str:blind_code>/photos/<int:n>/", views.photo, name="photo"),
    path("<str:round_code>/<str:blind_code>/files/<int:n>/", views.attachment, name="attachment"),
    path("<str:round_code>/<str:blind_code>/conflict/", views.declare_conflict, name="declare_conflict"),
]
