"""The admin in each reader's language.

Wagtail builds its help menu once per process, and the "What's new in Wagtail" item's label is
translated then (``gettext_lazy(...) % version``): whoever asks first (e.g. in English) fixes
the language for everyone after. Each request gets a copy labelled in its own language.
"""

import copy

from django.utils.translation import gettext
from wagtail import hooks
from wagtail.utils.version import get_main_version

WHATS_NEW = "whats-new-in-wagtail-"


@hooks.register("construct_help_menu")
def label_whats_new_in_the_request_language(request, menu_items):
    for index, item in enumerate(menu_items):
        if getattr(item, "name", "").startswith(WHATS_NEW):
            item = copy.copy(item)
            item.label = gettext("What's new in Wagtail %(version)s") % {
                "version": get_main_version(include_patch=False)
            }
            menu_items[index] = item
