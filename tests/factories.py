"""factory_boy factories for the data core. Defaults make complete, valid objects."""

import hashlib
from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import COORDINATORS, ORGANIZERS, SUPERVISORS
from common.storage import random_file_name
from competition.models import (
    Category,
    Contest,
    Coordinator,
    County,
    Entry,
    EntryPhoto,
    Organization,
    Team,
    TeamMember,
)
from judging.roles import JUDGES

PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:04d}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_in_group(group_name: str, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def organizer(**kwargs):
    return user_in_group(ORGANIZERS, is_staff=True, **kwargs)


def supervisor(**kwargs):
    return user_in_group(SUPERVISORS, is_staff=True, **kwargs)


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("name",)

    name = factory.Iterator(["潞州区", "上党区", "屯留区", "潞城区", "襄垣县", "平顺县"])
    short_name = factory.LazyAttribute(lambda c: c.name[:-1])
    sort_order = factory.Sequence(int)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"第{n}新时代文明实践站")
    kind = Organization.Kind.STATION
    county = factory.SubFactory(CountyFactory)
    star_level = 3


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"红马甲志愿服务队{n}")
    organization = factory.SubFactory(OrganizationFactory)
    contact_name = "张建国"
    contact_phone = "13812341234"


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    team = factory.SubFactory(TeamFactory)
    name = "李秀英"
    role = "队长"


def coordinator_for(county: County, **kwargs):
    user = user_in_group(COORDINATORS, is_staff=True, **kwargs)
    Coordinator.objects.create(user=user, county=county)
    return user


class ContestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contest
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"第{n}届志愿服务项目大赛")
    year = 2026
    slug = factory.Sequence(lambda n: f"contest-{n}")
    submission_opens = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    submission_closes = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    max_entries_per_team = 3

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create:
            obj.categories.set(extracted if extracted is not None else Category.objects.all())


def close_submission(contest: Contest) -> Contest:
    """End the contest's submission window now if it is still open (a round may open for
    scoring only after it has closed)."""
    now = timezone.now()
    if contest.submission_closes > now:
        opens = min(contest.submission_opens, now - timedelta(days=1))
        Contest.objects.filter(pk=contest.pk).update(submission_opens=opens, submission_closes=now)
        contest.submission_opens, contest.submission_closes = opens, now
    return contest


def category(code: str = "education") -> Category:
    return Category.objects.get(code=code)


class EntryFactory(factory.django.DjangoModelFactory):
    """A complete draft; ``submitted=True`` makes it a submitted one."""

    class Meta:
        model = Entry

    class Params:
        submitted = factory.Trait(
            status=Entry.Status.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now)
        )

    contest = factory.SubFactory(ContestFactory)
    team = factory.SubFactory(TeamFactory)
    category = factory.LazyFunction(category)
    title = factory.Sequence(lambda n: f"七彩课堂留守儿童助学{n}")
    summary = "为留守儿童提供课后辅导。"
    need = "村里留守儿童多，课后无人辅导。"
    approach = "每周三次课后辅导，志愿者轮值。"
    innovation = "大学生与退休教师结对。"
    outcomes = "服务儿童三百余人次。"
    volunteers = 25
    beneficiaries = 300
    service_hours = 1200
    activities = 80
    started_on = date(2019, 3, 1)
    consent_publish = True
    consent_guardians = True


def add_photo(entry: Entry, content: bytes = b"", caption: str = "") -> EntryPhoto:
    """Attach a stored photo (real JPEG bytes) to an entry, as the service would."""
    from django.core.files.base import ContentFile

    from common.storage import private_storage
    from tests.files import jpeg_bytes

    content = content or jpeg_bytes()
    name = private_storage().save(random_file_name("photos", "jpg"), ContentFile(content))
    return EntryPhoto.objects.create(
        entry=entry,
        file=name,
        content_type="image/jpeg",
        width=64,
        height=48,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        caption=caption,
    )


def judge(**kwargs):
    return user_in_group(JUDGES, **kwargs)


def add_attachment(entry: Entry, content: bytes = b"", title: str = "申报材料.pdf"):
    """Attach a stored PDF (real bytes) to an entry, as the service would."""
    from django.core.files.base import ContentFile

    from common.storage import private_storage
    from competition.models import EntryAttachment
    from tests.files import pdf_bytes

    content = content or pdf_bytes()
    name = private_storage().save(random_file_name("attachments", "pdf"), ContentFile(content))
    return EntryAttachment.objects.create(entry=entry, file=name, title=title, size=len(content), pages=1)
