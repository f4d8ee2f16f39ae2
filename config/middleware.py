from django.conf import settings


class AdminCSPMiddleware:
    """Give the Wagtail admin its relaxed policy; every other page keeps SECURE_CSP.

    Must sit after ContentSecurityPolicyMiddleware so that it sets the policy before the
    header is built.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(settings.ADMIN_URL_PREFIXES):
            response._csp_config = settings.ADMIN_CSP
        return response


class PrivatePagesNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every page under ``settings.PRIVATE_URL_PREFIXES``
    (a team's pages, the judges', log-in and passwords, the back office): neither a shared
    proxy nor the browser of a shared computer (a county office, an internet café) keeps a copy
    of a page that shows someone's entry, scores or a reset form. Set whatever the view said,
    redirects and error pages included. Photo renditions alone say ``private, no-cache`` (kept,
    but checked with the server at every use: ``common.renditions``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(settings.PRIVATE_URL_PREFIXES) and not getattr(
            response, "revalidated_private", False
        ):
            response["Cache-Control"] = "private, no-store"
        return response
