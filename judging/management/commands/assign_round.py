"""Run the assigner on a round (for staff who script, and for checks)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from judging.assignment.services import assign_round
from judging.errors import JudgingError
from judging.models import Round


class Command(BaseCommand):
    help = "Assign judges to a round's entries (or repair the assignment after a change)."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, required=True, dest="round_id", help="the round's id")

    def handle(self, *args, round_id, **options):
        round = Round.objects.filter(pk=round_id).first()
        if round is None:
            raise CommandError(_("没有编号为 %(id)s 的轮次。") % {"id": round_id})
        try:
            report = assign_round(round=round)
        except JudgingError as error:
            raise CommandError(error.message) from None
        write = self.stdout.write
        write(
            _(
                "%(round)s：%(assignments)s 个分配（新增 %(added)s，撤销 %(removed)s），"
                "%(entries)s 个项目，%(judges)s 位评委。"
            )
            % {
                "round": round,
                "assignments": report["assignments"],
                "added": report["added"],
                "removed": report["removed"],
                "entries": report["entries"],
                "judges": report["judges"],
            }
        )
        missing = sum(u["missing"] for u in report["uncovered"])
        if missing:
            write(_("还有 %(missing)s 个评审名额无法分配（评委需回避或已满额）。") % {"missing": missing})
        write(
            _("评委与项目连成 %(components)s 个部分（1 表示所有评委的宽严可以互相比较）。")
            % {"components": report["components"]}
        )
        if "components_across_rounds" in report:
            write(
                _(
                    "连同前几轮：%(components)s 个部分；%(seen)s 个分配是评委再次评同一项目；"
                    "%(new)s 位评委此前没有评过。"
                )
                % {
                    "components": report["components_across_rounds"],
                    "seen": report["seen_again"],
                    "new": report["new_judges"],
                }
            )
