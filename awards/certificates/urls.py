from django.urls import path

from awards.certificates.views import verify

urlpatterns = [
    # The code is secrets.token_urlsafe: letters, digits, "-" and "_".
    path("<str:code>/", verify, name="certificate_verify"),
]
