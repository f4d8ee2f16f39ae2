from django.urls import path

from . import views

urlpatterns = [
    path("stations/", views.station_search, name="station_search"),
]
