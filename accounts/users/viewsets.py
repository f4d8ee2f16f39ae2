"""Wagtail's user admin, with the rights that cannot be borrowed (``accounts.roles``).

An organizer manages coordinators' and judges' accounts but never a superuser's, an
organizer's or a supervisor's (their own included): such accounts have no edit link, and their
edit and delete URLs are refused. The forms offer no superuser flag, no guarded group and no
password fields to anyone but a superuser; a field sent anyway is ignored, with a message. The
bulk actions obey the same rules. Every change of rights or password is an ``AccountEvent``,
which supervisors read at 设置 → 报告 → 账号记录 (``accounts.users.events``).

Wired in through ``accounts.apps.WagtailUsersConfig.user_viewset`` (Wagtail's documented way).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from wagtail.users.views import users as wagtail_users
from wagtail.users.views.bulk_actions import AssignRoleBulkAction, DeleteBulkAction, SetActiveStateBulkAction

from accounts import roles

from . import services
from .forms import AccountCreationForm, AccountEditForm


def warn_ignored(request, form) -> None:
    if form.ignored_fields:
        messages.warning(request, _("只有运维管理员可以授予管理员权限或设置他人的密码；这些内容已忽略。"))


class ManagedAccountMixin:
    """Edit and delete: only an account the user may manage (else Wagtail's permission-denied
    answer: back to the dashboard with its message)."""

    def get_object(self, queryset=None):
        account = super().get_object(queryset)
        if not roles.can_manage_account(self.request.user, account):
            raise PermissionDenied
        return account


class IndexView(wagtail_users.IndexView):
    def manageable(self, account) -> bool:
        if "_group_names" not in account.__dict__:  # from the prefetched groups, not a query each
            account._group_names = frozenset(group.name for group in account.groups.all())
        return roles.can_manage_account(self.request.user, account)

    def get_edit_url(self, instance):
        return super().get_edit_url(instance) if self.manageable(instance) else None

    def get_delete_url(self, instance):
        return super().get_delete_url(instance) if self.manageable(instance) else None

    def get_base_queryset(self):
        # The edit links ask for each account's groups (``roles.group_names``): one query.
        return super().get_base_queryset().prefetch_related("groups")


class CreateView(wagtail_users.CreateView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def save_instance(self):
        account = super().save_instance()
        services.account_created(account=account, by=self.request.user, password_set=self.form.password_set)
        warn_ignored(self.request, self.form)
        return account


class EditView(ManagedAccountMixin, wagtail_users.EditView):
    template_name = "accounts/users/edit.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def save_instance(self):
        before = services.account_rights(account_id=self.object.pk)
        account = super().save_instance()
        services.account_changed(
            account=account,
            by=self.request.user,
            before=before,
            password_set=self.form.password_set,
            send_link=self.form.cleaned_data.get("send_password_link", False),
        )
        warn_ignored(self.request, self.form)
        return account


class DeleteView(ManagedAccountMixin, wagtail_users.DeleteView):
    def delete_action(self):
        services.account_deleting(account=self.object, by=self.request.user)
        super().delete_action()


class UserViewSet(wagtail_users.UserViewSet):
    index_view_class = IndexView
    add_view_class = CreateView
    edit_view_class = EditView
    delete_view_class = DeleteView

    def get_form_class(self, for_update=False):
        return AccountEditForm if for_update else AccountCreationForm


# --- Bulk actions on the user listing: the same rules per account ---------------------------


class ManagedAccountsBulkMixin:
    def check_perm(self, obj):
        return super().check_perm(obj) and roles.can_manage_account(self.request.user, obj)

    def get_execution_context(self):
        return {**super().get_execution_context(), "by": self.request.user}

    @classmethod
    def execute_action(cls, objects, by=None, **kwargs):
        before = {account.pk: services.account_rights(account_id=account.pk) for account in objects}
        result = super().execute_action(objects, **kwargs)
        for account in objects:
            services.account_rights_changed(account=account, by=by, before=before[account.pk])
        return result


class AccountAssignRoleBulkAction(ManagedAccountsBulkMixin, AssignRoleBulkAction):
    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        field = form.fields["role"]
        field.queryset = field.queryset.filter(
            pk__in=[g.pk for g in field.queryset if roles.can_grant_group(self.request.user, g.name)]
        )
        return form


class AccountSetActiveStateBulkAction(ManagedAccountsBulkMixin, SetActiveStateBulkAction):
    pass


class AccountDeleteBulkAction(DeleteBulkAction):
    def check_perm(self, obj):
        return super().check_perm(obj) and roles.can_manage_account(self.request.user, obj)

    def get_execution_context(self):
        return {**super().get_execution_context(), "by": self.request.user}

    @classmethod
    def execute_action(cls, objects, by=None, **kwargs):
        for account in objects:
            services.account_deleting(account=account, by=by)
        return super().execute_action(objects, **kwargs)


BULK_ACTIONS = (AccountAssignRoleBulkAction, AccountSetActiveStateBulkAction, AccountDeleteBulkAction)
