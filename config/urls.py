from django.conf import settings
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from awards.certificates.views import judge_letter_download, team_certificate_download
from awards.outcomes.views import team_results
from competition.views import signup, signup_sent
from config import health, views

urlpatterns = [
    # For monitoring and load balancers: JSON, 200 or 503, never cached (config/health.py).
    path("healthz", health.healthz, name="healthz"),
    # One log-in page for everyone (with the lock-out), the back office included.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    # Wagtail's own front-end log-in would skip the lock-out: the one log-in page instead.
    path("_util/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # A team's sign-up is the data core's; the rest of /accounts/ is the accounts app.
    path("accounts/signup/", signup, name="signup"),
    path("accounts/signup/sent/", signup_sent, name="signup_sent"),
    path("accounts/", include("accounts.urls")),
    # The station picker's search (public: a team searches before it has an account).
    path("places/", include("competition.stations.urls")),
    path("my/results/<uuid:public_id>/", team_results, name="team_results"),
    path("my/results/<uuid:public_id>/certificate/", team_certificate_download, name="team_certificate"),
    path("my/", include("competition.urls")),
    # A judge's letter of thanks (awards; before judging's own pages, whose round codes are
    # eight characters, never "thanks").
    path("judging/thanks/<int:contest_id>/", judge_letter_download, name="judge_letter"),
    path("judging/", include("judging.urls")),
    path("notice/", include("awards.notice.urls")),
    # A certificate's public verification page, which its QR code opens.
    path("verify/", include("awards.certificates.urls")),
    path("messages/", include("messaging.urls")),
    # The public vote of a contest (gallery, verification, votes): voting/.
    path("vote/", include("voting.urls")),
    # The image challenge's pictures (django-simple-captcha), asked for by the vote's defences.
    path("captcha/", include("captcha.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("cms.urls")),
]

if settings.SERVE_PUBLIC_MEDIA:
    # Published images from this process when nothing in front of it serves /media/ (one
    # machine, `make run`, `make serve`); docs/deploy.md hands them to nginx instead.
    urlpatterns += [re_path(r"^media/(?P<path>.+)$", views.public_media, name="public_media")]

if settings.BENCH_VIEWS:
    # Reference views for bench/public.py (never in a real deployment).
    from config import bench_views

    urlpatterns += [
        path("bench/trivial/", bench_views.trivial),
        path("bench/template/", bench_views.template_page),
    ]

urlpatterns += [path("", include(wagtail_urls))]
