"""证书 in the back office (under 评审管理): a contest's certificates, thank-you letters and
judges' letters of thanks with their state, filtered by kind; organizers issue what is missing
and revoke one with a reason; supervisors read."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from accounts.access import BackOfficeMenuItem, OrganizersChangeSupervisorsRead
from awards.certificates.forms import RevokeForm
from awards.certificates.selectors import contest_certificates
from awards.certificates.services import certificate_revoke, certificates_issue
from awards.documents.certificates import certificates_unprintable, judges_of
from awards.models import Certificate
from common.errors import DomainError
from common.pages import paginate
from competition.selectors import contest_by_id, contests_newest_first
from judging.menu import JUDGING_SUBMENU_HOOK


class CertificatesIndexView(OrganizersChangeSupervisorsRead, WagtailAdminTemplateMixin, TemplateView):
    template_name = "awards/admin/certificates_index.html"
    page_title = gettext_lazy("证书")
    header_icon = "doc-full"
    read_only = True

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": _("证书")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["contests"] = contests_newest_first()
        return context


class ContestCertificatesMixin(OrganizersChangeSupervisorsRead, WagtailAdminTemplateMixin):
    header_icon = "doc-full"

    def load(self, **kwargs):
        self.contest = contest_by_id(kwargs["contest_id"])
        if self.contest is None:
            raise Http404

    def list_url(self) -> str:
        return reverse("awards_certificates:contest", args=[self.contest.pk])

    def get_page_subtitle(self):
        return self.contest.title


class ContestCertificatesView(ContestCertificatesMixin, TemplateView):
    template_name = "awards/admin/certificates.html"
    page_title = gettext_lazy("证书")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("awards_certificates:index"), "label": _("证书")},
            {"url": "", "label": self.contest.title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = self.request.GET.get("kind", "")
        if kind not in Certificate.Kind.values:
            kind = ""
        certificates = contest_certificates(contest=self.contest, kind=kind or None)
        page, page_range = paginate(self.request, certificates)
        # Whom each judge's letter thanks (organizers may see it; the public page does not).
        judges = judges_of(page.object_list)
        for certificate in page.object_list:
            certificate.judge_shown = judges.get(certificate.judge_id)
        context.update(
            contest=self.contest,
            kind=kind,
            kinds=Certificate.Kind.choices,
            certificates=page,
            elided_page_range=page_range,
            can_change=self.can_change,
            # Characters of the names no font can print, over every certificate (one query).
            unprintable=certificates_unprintable(certificates),
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            issued = certificates_issue(contest=self.contest)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已颁发 %(count)s 份证书或感谢信。") % {"count": len(issued)})
        return redirect(self.list_url())


class RevokeView(ContestCertificatesMixin, TemplateView):
    template_name = "awards/admin/certificate_revoke.html"
    page_title = gettext_lazy("撤销证书")

    def load(self, **kwargs):
        super().load(**kwargs)
        self.certificate = (
            Certificate.objects.filter(contest=self.contest, pk=kwargs["pk"])
            .select_related("entry__team", "featured__tier", "revoked_by")
            .first()
        )
        if self.certificate is None:
            raise Http404

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("awards_certificates:index"), "label": _("证书")},
            {"url": self.list_url(), "label": self.contest.title},
            {"url": "", "label": self.certificate.serial},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            contest=self.contest,
            certificate=self.certificate,
            form=kwargs.get("form") or RevokeForm(),
            can_change=self.can_change,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = RevokeForm(request.POST)
        if form.is_valid():
            try:
                certificate_revoke(
                    certificate=self.certificate, reason=form.cleaned_data["reason"], by=request.user
                )
            except DomainError as error:
                form.add_error("reason", error.message)
            else:
                messages.success(request, _("已撤销证书 %(serial)s。") % {"serial": self.certificate.serial})
                return redirect(self.list_url())
        return self.render_to_response(self.get_context_data(form=form))


class CertificatesViewSet(ViewSet):
    name = "awards_certificates"
    url_prefix = "awards/certificates"
    icon = "doc-full"
    menu_label = gettext_lazy("证书")
    menu_item_class = BackOfficeMenuItem
    menu_hook = JUDGING_SUBMENU_HOOK
    menu_order = 160

    def get_urlpatterns(self):
        return [
            path("", CertificatesIndexView.as_view(), name="index"),
            path("<int:contest_id>/", ContestCertificatesView.as_view(), name="contest"),
            path("<int:contest_id>/<int:pk>/revoke/", RevokeView.as_view(), name="revoke"),
        ]


certificates_viewset = CertificatesViewSet()
