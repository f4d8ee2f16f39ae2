from django.urls import path

from . import public_views

app_name = "notice"

urlpatterns = [
    path("<slug:slug>/", public_views.notice, name="notice"),
]
