"""Registers the shortlist pages (入围名单, under 评审管理) and the county report (县区统计, under
大赛管理, where coordinators find it) and the certificates (证书, under 评审管理)."""

from wagtail import hooks

from awards.certificates.admin_views import certificates_viewset
from awards.documents.admin_views import documents_viewset
from awards.report.admin_views import county_report_viewset
from awards.shortlist.admin_views import shortlist_viewset


@hooks.register("register_admin_viewset")
def register_shortlist_viewset():
    return shortlist_viewset


@hooks.register("register_admin_viewset")
def register_county_report_viewset():
    return county_report_viewset


@hooks.register("register_admin_viewset")
def register_documents_viewset():
    return documents_viewset


@hooks.register("register_admin_viewset")
def register_certificates_viewset():
    return certificates_viewset
