from django.urls import path

from judging.conflicts.views import declare_conflict
from judging.judges.views import accept_invitation
from judging.scoring.views import attachment, dashboard, next_entry, photo, photo_rendition, score

app_name = "judging"

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("invitation/<str:token>/", accept_invitation, name="accept_invitation"),
    path("<str:round_code>/next/", next_entry, name="next"),
    path("<str:round_code>/<str:blind_code>/", score, name="score"),
    path("<str:round_code>/<str:blind_code>/photos/<int:n>/", photo, name="photo"),
    path(
        "<str:round_code>/<str:blind_code>/photos/<int:n>/<int:width>/",
        photo_rendition,
        name="photo_rendition",
    ),
    path("<str:round_code>/<str:blind_code>/files/<int:n>/", attachment, name="attachment"),
    path("<str:round_code>/<str:blind_code>/conflict/", declare_conflict, name="declare_conflict"),
]
