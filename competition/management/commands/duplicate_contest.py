"""``manage.py duplicate_contest --from 2026 --year 2027``: next year's contest from this
year's (settings, categories, quotas, rounds, rubrics and pages; no entries)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from competition import selectors, services
from competition.errors import ContestError


class Command(BaseCommand):
    help = (
        "复制一届大赛的设置、类别、名额、评审轮次、评分标准和页面到新的年度（不含参赛项目），日期按整年顺延。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source_year", type=int, required=True, help="复制哪一年度的大赛")
        parser.add_argument("--year", type=int, required=True, help="新一届的年度")

    def handle(self, *args, source_year, year, **options):
        source = selectors.contest_of_year(year=source_year)
        if source is None:
            raise CommandError(_("没有 %(year)s 年度的大赛。") % {"year": source_year})
        try:
            copy = services.contest_duplicate(source=source, year=year)
        except ContestError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            _("已复制为“%(title)s”（%(year)s 年度，网址标识 %(slug)s），开始申报前请在后台核对日期和页面。")
            % {"title": copy.title, "year": copy.year, "slug": copy.slug}
        )
