from django.urls import path

from awards.notice.views import notice

app_name = "notice"

urlpatterns = [
    path("<slug:slug>/", notice, name="notice"),
]
