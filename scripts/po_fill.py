"""List and fill untranslated entries of locale/en/LC_MESSAGES/django.po.

    python scripts/po_fill.py list                 # untranslated or fuzzy msgids, as JSON
    python scripts/po_fill.py fill answers.json    # {"msgid": "msgstr" | ["singular", "plural"]}

Run `make messages` first (it extracts new strings and compiles afterwards); run it again after
filling so the .mo is rebuilt. Keeps the file's layout; clears the fuzzy flag of filled entries.
"""

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line.strip()) for line in lines)


def _quote(text: str) -> list[str]:
    if "\n" not in text[:-1] and len(text) < 70:
        return [json.dumps(text, ensure_ascii=False)]
    parts = re.split(r"(?<=\n)", text)
    return ['""'] + [json.dumps(part, ensure_ascii=False) for part in parts if part]


def parse(text: str) -> list[list[str]]:
    return [block.split("\n") for block in text.strip("\n").split("\n\n")]


def fields(block: list[str]) -> dict[str, list[str]]:
    out, key = {}, None
    for line in block:
        match = re.match(r"^(msgid|msgid_plural|msgstr(?:\[\d\])?) (\".*\")$", line)
        if match:
            key = match.group(1)
            out[key] = [match.group(2)]
        elif line.startswith('"') and key:
            out[key].append(line)
    return out


def untranslated(blocks) -> list[str]:
    missing = []
    for block in blocks:
        f = fields(block)
        msgid = _unquote(f.get("msgid", ['""']))
        if not msgid:
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block)
        strs = [_unquote(v) for k, v in f.items() if k.startswith("msgstr")]
        if fuzzy or not all(strs):
            missing.append(msgid)
    return missing


def fill(blocks, answers: dict) -> list[list[str]]:
    result = []
    for block in blocks:
        f = fields(block)
        msgid = _unquote(f.get("msgid", ['""']))
        if msgid not in answers:
            result.append(block)
            continue
        answer = answers[msgid]
        head = []
        for line in block:
            if line.startswith("msgid") or line.startswith("msgstr") or line.startswith('"'):
                continue
            if line.startswith("#,"):
                flags = [x.strip() for x in line[2:].split(",") if x.strip() and x.strip() != "fuzzy"]
                if flags:
                    head.append("#, " + ", ".join(flags))
                continue
            if line.startswith("#|"):
                continue
            head.append(line)
        body = ["msgid " + _quote(msgid)[0]] + _quote(msgid)[1:]
        if "msgid_plural" in f:
            plural = _unquote(f["msgid_plural"])
            body += ["msgid_plural " + _quote(plural)[0]] + _quote(plural)[1:]
            forms = answer if isinstance(answer, list) else [answer, answer]
            for i, form in enumerate(forms):
                q = _quote(form)
                body += [f"msgstr[{i}] " + q[0]] + q[1:]
        else:
            q = _quote(answer)
            body += ["msgstr " + q[0]] + q[1:]
        result.append(head + body)
    return result


def main() -> None:
    blocks = parse(PO.read_text())
    if sys.argv[1:2] == ["list"]:
        print(json.dumps({m: "" for m in untranslated(blocks)}, ensure_ascii=False, indent=1))
    elif sys.argv[1:2] == ["fill"]:
        answers = json.loads(Path(sys.argv[2]).read_text())
        PO.write_text("\n\n".join("\n".join(b) for b in fill(blocks, answers)) + "\n")
        print(f"filled {len(answers)}; still missing: {len(untranslated(parse(PO.read_text())))}")
    else:
        print(__doc__)


if __name__ == "__main__":
    main()
