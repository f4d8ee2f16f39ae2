from django.conf import settings
from django.utils.translation import get_language


def platform(request):
    english = (get_language() or "").startswith("en")
    return {"platform_name": settings.PLATFORM_NAME_EN if english else settings.PLATFORM_NAME}
