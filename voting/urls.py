from django.urls import path

from .ballots.views import vote
from .gallery.views import entry_page, gallery, photo
from .voters.views import verify

app_name = "voting"

urlpatterns = [
    path("<slug:slug>/", gallery, name="gallery"),
    path("<slug:slug>/verify/", verify, name="verify"),
    path("<slug:slug>/e/<str:code>/", entry_page, name="entry"),
    path("<slug:slug>/e/<str:code>/vote/", vote, name="vote"),
    path("<slug:slug>/e/<str:code>/photo/<int:position>/<int:width>.jpg", photo, name="photo"),
]
