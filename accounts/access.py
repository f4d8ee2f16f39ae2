"""Access to the back-office pages that organizers run and supervisors (监委) only read."""

from django.http import Http404
from wagtail.admin.menu import MenuItem

from . import roles

READ_METHODS = ("GET", "HEAD", "OPTIONS")


class OrganizersChangeSupervisorsRead:
    """A view mixin: anyone else gets a 404 (the page does not exist for them), and so does a
    supervisor's (or, with ``read_only``, anyone's) attempt to change something. Sets
    ``self.can_change`` for the template, then calls ``load(**kwargs)``, where a view fetches
    its object (raising Http404 if it is gone)."""

    read_only = False

    def dispatch(self, request, *args, **kwargs):
        if not roles.can_read_back_office(request.user):
            raise Http404
        self.can_change = not self.read_only and roles.is_organizer(request.user)
        if request.method not in READ_METHODS and not self.can_change:
            raise Http404
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs) -> None:
        pass


class BackOfficeMenuItem(MenuItem):
    """Shown to organizers and supervisors."""

    def is_shown(self, request):
        return roles.can_read_back_office(request.user)
