from django.urls import path

from awards.notice.views import featured_list, notice

app_name = "notice"

urlpatterns = [
    path("<slug:slug>/", notice, name="notice"),
    path("<slug:slug>/list/", featured_list, name="list"),
]
