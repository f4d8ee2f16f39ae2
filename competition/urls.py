from django.urls import path

from . import views

app_name = "competition"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("team/", views.team_profile, name="team"),
    path("contests/<slug:contest_slug>/entries/new/", views.entry_create, name="entry_create"),
    path("entries/<uuid:public_id>/", views.entry_detail, name="entry_detail"),
    path("entries/<uuid:public_id>/edit/", views.entry_edit, name="entry_edit"),
    path("entries/<uuid:public_id>/withdraw/", views.entry_withdraw, name="entry_withdraw"),
    path("entries/<uuid:public_id>/reopen/", views.entry_reopen, name="entry_reopen"),
    path("files/photos/<uuid:public_id>/", views.photo_file, name="photo_file"),
    path("files/photos/<uuid:public_id>/<int:width>/", views.photo_rendition, name="photo_rendition"),
    path("files/attachments/<uuid:public_id>/", views.attachment_file, name="attachment_file"),
]
