"""TRS: what readers need to trust medical content (after the HONcode principles).

Authority (who wrote it, with what qualifications), date (when it was last reviewed),
attribution (a source for every dose) and honesty in advertising (no adverts at all).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from pipeline.diagnostics import Diagnostic, Rule, make
from pipeline.model import Article
from pipeline.rules.context import Context
from pipeline.rules.structure import placeholder_in
from pipeline.rules.text import (
    Block,
    front_matter_strings,
    inline_blocks,
    position,
    without_code_spans,
)
from pipeline.suggest import closest

# Professional designations readers can look up; `credentials = [...]` in the configuration
# adds more. Compared without dots, spaces or case: "M.D." is MD, "MB ChB" is MBCHB.
CREDENTIALS: frozenset[str] = frozenset({
    # medicine
    "MD", "DO", "MBBS", "MBCHB", "MBBCH", "BMBCH", "BMBS", "MBBCHBAO", "MB", "BCH", "BS", "BM",
    "MRCP", "FRCP", "FRCPE", "FRCPI", "FRCS", "MRCS", "FRCSED", "MRCGP", "FRCGP", "FRCPATH",
    "MRCPCH", "FRCPCH", "FRCA", "FRCR", "FRCOG", "MRCOG", "FRCPSYCH", "MRCPSYCH", "FFPH",
    "MFPH", "FACP", "FACS", "FAAP", "FACC", "FRACP", "FRACS", "FRCPC", "FRCSC", "CCFP",
    "DCH", "DRCOG", "MFSRH", "DTMH", "MMED", "MPH", "DRPH", "MSC", "MS", "MA", "MPHIL",
    "PHD", "DPHIL", "DSC", "BSC", "BA", "MBA", "MHA", "MMSC", "MRES",
    # pharmacy
    "PHARMD", "BPHARM", "MPHARM", "RPH", "MRPHARMS", "FRPHARMS", "BCPS",
    # nursing and midwifery
    "RN", "RGN", "RSCN", "RMN", "RM", "BSN", "MSN", "DNP", "NP", "APRN", "CNM", "CRNA",
    "LPN", "RPN", "FNP", "ANP",
    # nutrition and allied health
    "RD", "RDN", "CDE", "CDCES", "IBCLC", "DPT", "PT", "OT", "OTR", "SLP", "CCCSLP",
    "PA", "PAC", "DC", "OD", "AUD", "PSYD", "DCLINPSY", "CPSYCHOL",
    # dentistry
    "DDS", "DMD", "BDS", "MDS", "FDS",
    # national medical degrees, diplomas and fellowships: India (NBE, MCI), Pakistan and
    # Bangladesh, Africa, Australasia, Ireland, Europe, North America
    "DNB", "DM", "MCH", "DGO", "DA", "DPM", "DMRD", "DMRT", "DOMS", "DLO", "DVD", "DDVL",
    "DTCD", "DPH", "DCP", "DIPNB", "MNAMS", "FNB", "FICS", "FIAP", "FICP", "FICOG",
    "FCPS", "MCPS", "FMCP", "FMCS", "FWACP", "FWACS", "FCP", "FCPSA", "FCS", "FCSSA",
    "MRCPI", "MICGP", "FCAI", "MRCEM", "FRCEM", "FCEM", "MRCA", "MRCPATH",
    "FRACGP", "FACRRM", "FACEM", "FANZCA", "FRANZCP", "FRANZCOG", "DRANZCOG", "FRCOPHTH",
    "FCFP", "FRCPSC", "FAAFP", "FACOG", "FACE", "FCCP", "FAHA", "FIDSA", "FAAN", "FACG",
    "FACR", "FASN", "FESC", "FAAD", "DRMED", "MDPHD", "BMEDSCI", "BMSC", "DIPHIV",
    # pharmacy, nursing and allied health, as more countries write them
    "MPS", "CPHT", "BSCN", "MSCN", "CNS", "CNP", "NPC", "FNPBC", "ACNP", "PMHNP", "RNEC",
    "RNP", "CPNP", "AGNP", "RRT", "CRT", "MT", "MLS", "EMTP", "NRP",
})

_CREDENTIAL_SPLIT = re.compile(r"[,;/]+")
_CREDENTIAL_NOISE = re.compile(r"[\s.\-()]+")
_SPECIALTY = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")  # `DNB (Paediatrics)`, `MBBS (Hons)`


def _credential_key(text: str) -> str:
    return _CREDENTIAL_NOISE.sub("", _SPECIALTY.sub(" ", text)).upper()


def recognised_credentials(context: Context) -> frozenset[str]:
    return CREDENTIALS | {_credential_key(c) for c in context.config.credentials}


def credentials(article: Article, context: Context) -> Iterator[Diagnostic]:
    """TRS101: each contributor's credentials are recognised designations."""
    contributors = article.front_matter.get("contributors")
    if not isinstance(contributors, list):
        return
    known = recognised_credentials(context)
    for index, person in enumerate(contributors):
        if not isinstance(person, dict) or not isinstance(person.get("credentials"), str):
            continue
        if placeholder_in(person["credentials"]):
            continue  # a draft's `TODO`: MED109 reports it
        unknown = [part.strip() for part in _CREDENTIAL_SPLIT.split(person["credentials"])
                   if part.strip() and _credential_key(part) not in known]
        if unknown:
            span = article.source_map.value(("contributors", index, "credentials"))
            listed = ", ".join(repr(u) for u in unknown)
            verb = "is not a recognised designation" if len(unknown) == 1 else \
                "are not recognised designations"
            near = [f"`{found}` for {part!r}" for part in unknown
                    if (found := _closest_credential(part, known)) is not None]
            yield make(article.path, span.line, span.column, "TRS101",
                       f"credentials {listed} of {person.get('name', 'a contributor')!s} {verb}",
                       (f"did you mean {', '.join(near)}? " if near else "")
                       + "write designations such as MD, MBBS, PhD, RN, PharmD or RD, separated "
                       "by commas; add others to `credentials = [...]` in [tool.pipeline]",
                       span.end_line, span.end_column)


def _closest_credential(written: str, known: frozenset[str]) -> str | None:
    """The recognised designation a misspelt one is nearest to (`MBSS` → `MBBS`); only for
    designations of three letters or more, where a near one is likely the one meant."""
    key = _credential_key(written)
    return closest(key, known, cutoff=0.75) if len(key) >= 3 else None


def reviewer_credentials(article: Article, context: Context) -> Iterator[Diagnostic]:
    """TRS106: a contributor whose role is `reviewer` states their credentials."""
    contributors = article.front_matter.get("contributors")
    if not isinstance(contributors, list):
        return
    for index, person in enumerate(contributors):
        if not isinstance(person, dict) or person.get("role") != "reviewer":
            continue
        given = person.get("credentials")
        if isinstance(given, str) and given.strip():
            continue
        span = article.source_map.value(("contributors", index, "role"))
        yield make(article.path, span.line, span.column, "TRS106",
                   f"reviewer {person.get('name', 'a contributor')!s} has no credentials: a "
                   "review vouches for the article only through the reviewer's qualifications",
                   "add `credentials:` to the reviewer (e.g. MD, MBBS, PharmD, RN), or give "
                   "the contributor another role (author or editor)",
                   span.end_line, span.end_column)


def _review_date(article: Article) -> date | None:
    value = article.front_matter.get("last_reviewed")
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None  # the schema reports it (FMT106)


def review_date(article: Article, context: Context) -> Iterator[Diagnostic]:
    """TRS102/TRS103: the review date is not in the future, and not too long ago."""
    reviewed = _review_date(article)
    if reviewed is None:
        return
    span = article.source_map.value(("last_reviewed",))
    today = context.today
    if reviewed > today:
        yield make(article.path, span.line, span.column, "TRS102",
                   f"last_reviewed {reviewed.isoformat()} is in the future "
                   f"(today is {today.isoformat()})",
                   "write the date the article was actually reviewed",
                   span.end_line, span.end_column)
        return
    age = (today - reviewed).days
    limit = context.config.review_max_age_days
    if age > limit:
        yield make(article.path, span.line, span.column, "TRS103",
                   f"the article was last reviewed {age} days ago, on {reviewed.isoformat()}; "
                   f"articles are reviewed at least every {limit} days",
                   "have a qualified contributor review the article, then update "
                   "`last_reviewed`", span.end_line, span.end_column)


# -- advertising -------------------------------------------------------------------------------

_PRICE = (r"(?:[$£€¥]|\b(?:US|AU|CA|NZ)\$)\s?\d[\d,]*(?:\.\d+)?(?!\s*(?:[-\u2013]\s*\d+\s*)?"
          r"(?:billion|million|trillion|bn)\b)(?!\d)"
          r"|\b\d[\d,]*(?:\.\d{1,2})?\s?(?:USD|EUR|GBP|AUD|CAD|dollars|euros)\b")
# (what it is, triggers, the pattern): any match contains one of the triggers, as a whole word
# (letters and digits) or, for the currency signs, as a character.
PROMOTION: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (label, triggers, re.compile(pattern, re.IGNORECASE | re.MULTILINE))
    for label, triggers, pattern in (
        ("a price", ("$", "£", "€", "¥", "usd", "eur", "gbp", "aud", "cad", "dollars", "euros"),
         _PRICE),
        ("a discount", ("off", "half"),
         r"\b\d+\s?%\s+off\b|\b(?:per\s?cent|percent)\s+off\b|\bhalf\s+price\b"),
        ("a promotion code", ("code", "codes"),
         r"\b(?:promo(?:tion(?:al)?)?|discount|coupon|voucher|referral)\s+codes?\b"
         r"|\buse\s+(?:the\s+)?code\s+[A-Z0-9]"),
        ("a free trial or offer", ("free", "offer", "offers"),
         r"\bfree\s+(?:trial|consultation|shipping|delivery|gift|e-?book)s?\b"
         r"|\b(?:special|exclusive|limited|introductory|best)\s+offers?\b"
         r"|\boffer\s+(?:ends|expires|valid\s+until)\b"),
        ("a limited-time offer", ("limited", "stock", "stocks", "only", "miss"),
         r"\blimited[\s-]+time\b|\bwhile\s+stocks?\s+last\b|\b(?:today|now)\s+only\b"
         r"|\bdon'?t\s+miss\s+out\b"),
        ("a call to buy", ("now", "today", "buy", "online", "here", "guarantee"),
         r"\b(?:call|order|buy|shop|book|subscribe|sign\s+up|enrol|register|join)\s+"
         r"(?:now|today)\b|\bbuy\s+(?:online|here)\b|\b(?:order|shop)\s+online\b"
         r"|\bclick\s+here\s+to\s+(?:buy|order|shop|subscribe|get)\b"
         r"|\bmoney[\s-]+back\s+guarantee\b"),
        ("an advertisement", ("ad", "advert", "advertisement", "advertise", "sponsored", "paid"),
         r"^[ \t]*(?-i:Ad|Advert|Advertisement|ADVERTISEMENT|Sponsored|SPONSORED)[ \t]*[.:]"
         r"|^[ \t]*(?-i:Advertise)\s+on\b|\badvertise\s+(?:here|with\s+us)\b"
         r"|\bsponsored\s+(?:content|post|links?)\b|\bpaid\s+(?:promotion|partnership)\b"),
        ("a product plug", ("try", "our", "my"),
         r"\btry\s+(?:our|my|[\w-]+['\u2019]s)\s+(?:[\w-]+\s+){0,4}?(?:program(?:me)?|plan|"
         r"products?|app|service|clinic|course|formula|supplements?|pills?|shakes?|kit|system|"
         r"solution)s?\b|\b(?:our|my)\s+(?:weight[\s-]+loss\s+)?(?:program(?:me)?|"
         r"products?|online\s+(?:shop|store|clinic)|shop|store)\b"),
        ("a weight-loss advert", ("tired", "lose"),
         r"\btired\s+of\s+being\s+(?:overweight|fat)\b|\blose\s+\d+\s*(?:lbs?|pounds|kg|"
         r"kilos)\s+(?:fast|quickly|in\s+\d+\s+(?:days?|weeks?))\b"),
    ))
# A price stated as a fact, as encyclopedias give them ("In the United States a month of
# treatment costs about 9,800 USD", "The wholesale cost in the developing world is about
# US$0.50 per dose"), is information; the same amount in a sales pitch is an advert.
_COST = re.compile(r"\b(?:costs?|costing|costed|prices?|priced|pricing|wholesale|expenses?|"
                   r"expenditure|spent|spending|supply|reimburs\w*)\b", re.IGNORECASE)
_PER_UNIT = re.compile(
    r"\s*(?:per|a|an|each|for\s+(?:a|an|one|each|the))\s+(?:(?:typical|standard|full|"
    r"single|whole)\s+)?(?:doses?|months?|years?|days?|weeks?|tablets?|pills?|capsules?|"
    r"vials?|ampoules?|injections?|courses?|treatments?|persons?|people|patients?|packs?|"
    r"bottles?|inhalers?|units?|prescriptions?|cycles?|infusions?|kg|g|mg|ml)\b",
    re.IGNORECASE)
_PITCH = re.compile(
    r"!|\b(?:buy|buying|shop|shopping|discount(?:s|ed)?|sale|deals?|offers?|save|saving|"
    r"coupons?|promo\w*|hurry|limited|subscribe|checkout|cart|cheapest|bargain|"
    r"free\s+(?:shipping|delivery|postage)|call|(?<!in\s)order(?:ing)?|get\s+yours)\b"
    r"|\d\s?%\s*off\b|\(\s*https?://[^)\s]*(?:shop|store|buy|cart|order|product)",
    re.IGNORECASE)
_PITCHED_AMOUNT = re.compile(r"\b(?:only|just)\s+(?:about\s+|around\s+)?$",
                             re.IGNORECASE)


def _price_is_a_fact(text: str, match: re.Match[str]) -> bool:
    """Whether the price `match` found is stated as a fact: its sentence says what something
    costs (cost, price, wholesale...) or the amount is per dose, month, course..., and nothing
    in it sells (buy, order, discount, offer, call, `!`, `% off`, a link to a shop, "only
    $9.99")."""
    start, end = match.start(), match.end()
    line_start = text.rfind("\n", 0, start)  # a sentence does not cross a line here
    before = max([line_start, *(found.start() for found in
                                _SENTENCE_STOP.finditer(text, line_start + 1, start))])
    after = _SENTENCE_STOP.search(text, end)
    line_end = text.find("\n", end)
    stop = min(after.end() if after else len(text), line_end if line_end >= 0 else len(text))
    sentence = text[before + 1:stop]
    if _PITCH.search(sentence) or _PITCHED_AMOUNT.search(text, before + 1, start):
        return False
    return bool(_COST.search(sentence) or _PER_UNIT.match(text, end))


_SENTENCE_STOP = re.compile(r"[.!?](?=\s|$)")
_MARKUP = re.compile(r"[*_~`\[\]]")
_WORD = re.compile(r"[^\W_]+")
_TRIGGERS = tuple((frozenset(t for t in triggers if t.isalnum()),
                   tuple(t for t in triggers if not t.isalnum())) for _, triggers, _ in PROMOTION)
# Not prose of the article: file names, credits' sources and licences, and the references,
# whose titles are the cited works' own (a news headline may well state a price).
_NOT_SCANNED = frozenset({"file", "source", "license", "references"})


def promotions(text: str) -> list[tuple[int, str]]:
    """Offset and label of the first advertising phrase on each line of `text`."""
    plain = _MARKUP.sub(" ", text)  # same length: `**call** now` still reads "call now"
    lowered = plain.lower()
    words = set(_WORD.findall(lowered))
    first: dict[int, tuple[int, str]] = {}
    for (label, _, pattern), (trigger_words, signs) in zip(PROMOTION, _TRIGGERS, strict=True):
        if words.isdisjoint(trigger_words) and not any(sign in lowered for sign in signs):
            continue  # cheap: most text has none of the words a pattern needs
        for match in pattern.finditer(plain):
            if label == "a price" and _price_is_a_fact(plain, match):
                continue
            row = plain.count("\n", 0, match.start())
            if row not in first or match.start() < first[row][0]:
                first[row] = (match.start(), label)
    return sorted(first.values())


def promotional_content(article: Article, context: Context) -> Iterator[Diagnostic]:
    """TRS104: no offers, prices, promo codes, calls to buy or product plugs; one report per
    line."""
    hint = ("remove the advertising; an article informs, it does not sell (pasted pages often "
            "bring their adverts along)")
    strings = list(front_matter_strings(article.front_matter, skip=_NOT_SCANNED))
    blocks = inline_blocks(article)
    contents = [without_code_spans(block.content) for block in blocks]
    # One scan of everything first: it finds every match the string-by-string and
    # block-by-block scans find (and may find more across their boundaries, which those scans
    # then rule out). Nearly every article stops here.
    if not promotions("\n".join([text for _, text in strings] + contents)):
        return
    for path, text in strings:
        for offset, label in promotions(text)[:1]:
            span = article.source_map.value(path)
            yield make(article.path, span.line, span.column, "TRS104",
                       f"advertising in the front matter: {label} "
                       f"({_excerpt(text, offset)!r})", hint)
    for block, content in zip(blocks, contents, strict=True):
        for offset, label in promotions(content):
            line, column = position(article, block, offset)
            yield make(article.path, line, column, "TRS104",
                       f"advertising in the article: {label} ({_excerpt(content, offset)!r})",
                       hint)


def _excerpt(text: str, start: int) -> str:
    return " ".join(text[start:].split("\n", 1)[0][:60].split())


# -- doses -------------------------------------------------------------------------------------

DOSE = re.compile(
    r"(?<![\w.])\d+(?:[.,]\d+)?(?:\s*(?:-|\u2013|to)\s*\d+(?:[.,]\d+)?)?\s?"
    r"(?:mg|mcg|µg|μg|micrograms?|milligrams?|grams?|g|ml|mL|millilitres?|milliliters?|"
    r"units?|IU|tablets?|capsules?)(?!\w)(?!/\s?(?:d?l|dL|L|mmol|mol)\b)",
    re.IGNORECASE)


# A mass that is chemistry, not a dose: a molar mass (`259.349 g/mol`, `g·mol⁻¹`), or a mass
# in a sentence (or table) about molecular weight, daltons or a chemical formula.
_MASS_UNIT = re.compile(r"(?:mg|mcg|µg|μg|micrograms?|milligrams?|grams?|g)$", re.IGNORECASE)
_GRAMS = re.compile(r"(?<![a-zµμ])(?:grams?|g)$", re.IGNORECASE)  # how molar masses are given
_PER_MOLE = re.compile(r"\s*(?:[/·⋅∙.]|\s|\bper\s)\s*(?:mol|mole)\b", re.IGNORECASE)
_CHEMISTRY = re.compile(
    r"\b(?:molar\s+mass|molecular\s+(?:weight|mass)|formula\s+(?:weight|mass)|"
    r"chemical\s+formula|(?:kilo)?daltons?|g\s*[/·⋅∙]\s*mol|mol\s*(?:\u2212|-|\^-?|⁻)[1¹])(?!\w)"
    r"|\b(?-i:[km]?Da)\b"
    r"|(?<!\w)(?-i:C[\d₀-₉]+H[\d₀-₉]+(?:[A-Z][a-z]?[\d₀-₉]*)*)(?!\w)",  # C13H18O2
    re.IGNORECASE)


def chemistry(text: str, match: re.Match[str], around: str = "") -> bool:
    """Whether the `DOSE` match in `text` is a mass of chemistry rather than a dose: a mass
    per mole (`g/mol`, `g·mol⁻¹`, `mg per mole`), or a mass in grams in a sentence (or in
    `around`: the rest of its table, where an infobox gives them) that speaks of molar
    mass, molecular weight or daltons, or names a chemical formula. Doses in mg or
    micrograms next to them stay doses."""
    if not _MASS_UNIT.search(match.group(0)):
        return False
    if _PER_MOLE.match(text, match.end()):
        return True
    if not _GRAMS.search(match.group(0)):
        return False
    start = max([0, *(found.end() for found in _SENTENCE_END.finditer(text, 0, match.start()))])
    after = _SENTENCE_END.search(text, match.end())
    sentence = text[start:after.start() + 1 if after else len(text)]
    return bool(_CHEMISTRY.search(sentence) or _CHEMISTRY.search(around))


_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+(?=[^a-z\s])")
_ONLY_CITATIONS = re.compile(r"(?:\s|\[[^\]]*@[^\]]*\])*")
_CAPTION = re.compile(r"(?:Table)?:\s", re.IGNORECASE)


def _is_reference(token: Any) -> bool:
    return token.type == "link_open" and str(token.attrs.get("href", "")).startswith("https://")


def _citation_offsets(block: Block) -> list[int]:
    """Where each citation of the block starts in its inline source."""
    offsets: list[int] = []
    cursor = 0
    for child in block.token.children or []:
        if child.type == "citation":
            found = block.content.find(child.content, cursor)
            if found >= 0:
                offsets.append(found)
                cursor = found + len(child.content)
    return offsets


def _cited_sentences(text: str, citations: list[int]) -> list[tuple[int, int]]:
    """The (start, end) of each sentence of `text` that holds a citation; a citation written
    just after a full stop (`200 mg. [@bnf]`) also counts for the sentence it follows."""
    starts = [0, *(match.end() for match in _SENTENCE_END.finditer(text))]
    sentences = list(zip(starts, [*starts[1:], len(text) + 1], strict=True))
    cited: list[tuple[int, int]] = []
    for offset in citations:
        number = next(n for n, (start, end) in enumerate(sentences) if start <= offset < end)
        cited.append(sentences[number])
        start = sentences[number][0]
        if number and _ONLY_CITATIONS.fullmatch(text, start, offset):
            cited.append(sentences[number - 1])
    return cited


def _captioned_tables(article: Article) -> dict[int, bool]:
    """Each table row (index of its `tr_open`) → whether the table's caption cites a source:
    a paragraph just before or after the table starting `Table:` or `:` (Pandoc's caption)."""
    tokens = article.tokens
    rows: dict[int, bool] = {}
    table = -1
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            table = index
        elif token.type == "tr_open":
            rows[index] = False
        elif token.type == "table_close" and table >= 0:
            captions = [tokens[i] for i in (table - 2, index + 2)
                        if 0 <= i < len(tokens) and tokens[i].type == "inline"
                        and tokens[i + (1 if i < table else -1)].type in
                        ("paragraph_close", "paragraph_open")
                        and _CAPTION.match(tokens[i].content)]
            cited = any(child.type == "citation" for caption in captions
                        for child in caption.children or [])
            for row in rows:
                if table < row < index:
                    rows[row] = cited
    return rows


def _table_texts(article: Article) -> dict[int, str]:
    """Each table row (index of its `tr_open`) → the text of its whole table, where a
    chemistry infobox names the formula and the molar mass."""
    rows: dict[int, str] = {}
    inside: list[int] = []
    parts: list[str] = []
    for index, token in enumerate(article.tokens):
        if token.type == "table_open":
            inside, parts = [], []
        elif token.type == "tr_open":
            inside.append(index)
        elif token.type == "inline" and inside:
            parts.append(token.content)
        elif token.type == "table_close":
            text = " | ".join(parts)
            rows.update(dict.fromkeys(inside, text))
            inside, parts = [], []
    return rows


def doses(article: Article, context: Context) -> Iterator[Diagnostic]:
    """TRS105: in a drug article, every dose has its source: an https link in the same
    paragraph, list item or table row, or a citation (`[@key]`) in the same sentence, list
    item or table (a cell of the same row, or the caption)."""
    if article.type != "drug":
        return
    groups: dict[int, list[Block]] = {}
    for block in inline_blocks(article):
        groups.setdefault(block.container, []).append(block)
    captioned: dict[int, bool] | None = None
    tables: dict[int, str] | None = None
    for container, blocks in groups.items():
        children = [child for block in blocks for child in block.token.children or []]
        if any(_is_reference(child) for child in children):
            continue
        kind = article.tokens[container].type
        if kind in ("list_item_open", "tr_open") and any(
                child.type == "citation" for child in children):
            continue
        if kind == "tr_open":
            if captioned is None:
                captioned = _captioned_tables(article)
            if captioned.get(container):
                continue
        table = ""  # a table row is read with its whole table (an infobox)
        if kind == "tr_open":
            if tables is None:
                tables = _table_texts(article)
            table = tables.get(container, "")
        for block in blocks:
            text = without_code_spans(block.content)
            cited = _cited_sentences(text, _citation_offsets(block))
            match = next((m for m in DOSE.finditer(text)
                          if not any(start <= m.start() < end for start, end in cited)
                          and not chemistry(text, m, table)), None)
            if match is not None:
                line, column = position(article, block, match.start())
                yield make(article.path, line, column, "TRS105",
                           f"dose {match.group(0)!r} is stated without a reference",
                           "cite the source in the same sentence, e.g. `[@bnf2024]` (or in the "
                           "same list item or table row), or link it in the same paragraph, "
                           "e.g. `([BNF](https://bnf.nice.org.uk/...))`; or leave doses to the "
                           "prescriber and the leaflet")
                break


RULES: tuple[Rule, ...] = (
    Rule("TRS101", "unrecognised-credentials", "warning",
         "A contributor's credentials are not a recognised professional designation "
         "(extend the list with `credentials = [...]`).",
         "Readers judge advice by who gives it (HONcode: authority); credentials must mean "
         "something they can check.",
         "    credentials: Health guru\n", "    credentials: MD, PhD\n",
         check=credentials),
    Rule("TRS102", "review-date-in-future", "error",
         "`last_reviewed` is later than today.",
         "A review date in the future misleads readers about how current the article is.",
         "last_reviewed: 2099-01-01\n", "last_reviewed: 2026-06-01\n",
         check=review_date),
    Rule("TRS103", "review-overdue", "warning",
         "The article has not been reviewed for longer than `review_max_age_days` "
         "(default 3 years).",
         "Medical knowledge changes; old advice can be wrong advice (HONcode: date).",
         "last_reviewed: 2019-05-01\n", "last_reviewed: 2026-06-01\n",
         check=review_date),
    Rule("TRS104", "promotional-content", "error",
         "The article contains advertising: offers, prices, promo codes, calls to buy, "
         "product plugs.",
         "An encyclopedia article must keep advertising apart from information "
         "(HONcode: honesty in advertising).",
         "Try W8MD's weight loss program. Call now for 20% off!\n",
         "Weight loss can improve blood glucose control.\n",
         check=promotional_content),
    Rule("TRS105", "dose-without-reference", "warning",
         "A drug article states a dose without a reference: a citation (`[@key]`) in the "
         "same sentence, list item or table (the caption, or a cell of the same row), or an "
         "https link in the same paragraph, list item or table row.",
         "A dose is the most dangerous thing to get wrong; readers must be able to check it "
         "(HONcode: attribution).",
         "Adults usually take 200 to 400 mg every 4 to 6 hours.\n",
         "Adults usually take 200 to 400 mg every 4 to 6 hours [@bnf2024].\n",
         check=doses),
    Rule("TRS106", "reviewer-without-credentials", "error",
         "A contributor with `role: reviewer` has no `credentials`.",
         "A medical review is only as good as the reviewer's qualifications; readers (and "
         "search engines, through `reviewedBy`) are told who reviewed the article "
         "(HONcode: authority).",
         "  - name: A. Reviewer\n    role: reviewer\n",
         "  - name: A. Reviewer\n    credentials: MD\n    role: reviewer\n",
         check=reviewer_credentials),
)
