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
