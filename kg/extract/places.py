"""Places: gazetteer resolution in the article's country context, regions, facilities.

Two passes: countries named or implied by demonyms set the context; then every place name spaCy
finds (and names it mistakes for people or organisations, when the gazetteer knows them in that
context) is resolved. "<X> province" becomes a Region, "northern Iraq" a directional Region in
Iraq, "<Name> bakery/camp/hospital..." a Facility located where the text puts it.
"""
from __future__ import annotations

import math
import re

from kg.extract.gazetteer import Candidate, gazetteer, normalise, strip_article
from kg.extract.model import Entity, Ref, Sentence, State
from kg.extract.step import step

PLACE_LABELS = {"GPE", "LOC", "FAC"}
GUESS_LABELS = {"ORG", "PERSON", "NORP"}


@step(requires=["sentences"], assigns=["places"])
def resolve_places(state: State) -> None:
    state.notes["context"] = context = _context_countries(state)
    for sentence in state.sentences:
        for ent in sentence.ents:
            _resolve_entity(state, sentence, ent, context)
        _scan_names(state, sentence, context)
        _capitals(state, sentence)
        _find_facilities(state, sentence)
        _find_settlements(state, sentence, context)
    for sentence in state.sentences:
        _stated_containers(state, sentence)


def _context_countries(state: State) -> set[str]:
    """Country codes named or implied (by demonyms) anywhere in the article."""
    gaz = gazetteer()
    codes: set[str] = set()
    for sentence in state.sentences:
        for ent in sentence.ents:
            if ent.label_ == "NORP":
                code = gaz.demonym(ent.text)
                if code:
                    codes.add(code)
            elif ent.label_ in PLACE_LABELS:
                best = gaz.resolve(_bare(ent.text), kinds=("Country",))
                if best:
                    codes.add(best.cc)
    return codes


def _bare(text: str) -> str:
    return text[4:] if text.lower().startswith("the ") else text


def _resolve_entity(state: State, sentence: Sentence, ent, context: set[str]) -> None:
    gaz = gazetteer()
    tokens = list(ent)
    if ent.label_ not in PLACE_LABELS | GUESS_LABELS:
        return
    while tokens and tokens[0].lower_ in ("the", "a", "an"):
        tokens = tokens[1:]
    if not tokens:
        return
    region_word = None
    if tokens[-1].lower_ in gaz.region_words and len(tokens) > 1:
        region_word, tokens = tokens[-1], tokens[:-1]
    else:
        after = sentence.span.doc[ent.end] if ent.end < len(sentence.span.doc) else None
        if after is not None and after.lower_ in gaz.region_words:
            region_word = after
    name = sentence.span.doc[tokens[0].i:tokens[-1].i + 1].text
    if ent.label_ in GUESS_LABELS:
        candidate = gaz.resolve(name, context)
        if candidate is None or (candidate.kind != "Country" and candidate.cc not in context) or gaz.demonym(name):
            return
    else:
        candidate = _in_context(gaz.resolve(name, context), context, name)
    start_tok = tokens[0].i
    if region_word is not None:
        _add_region(state, sentence, name, tokens[0].i, region_word, candidate, context)
        return
    if candidate is None:
        return
    direction = _direction_before(sentence, start_tok)
    place = add_place(state, candidate)
    _add_ref(state, sentence, place, start_tok, tokens[-1].i + 1, 0.9 if candidate.cc in context or candidate.kind == "Country" else 0.7)
    if direction is not None and candidate.kind in ("Country", "Region"):
        _add_directional_region(state, sentence, direction, place, start_tok, tokens[-1].i + 1)


CONTAINER_GLUE = {"in", ",", "of", "the", "'s", "’s", "province", "governorate", "countryside", "area"}


def _stated_containers(state: State, sentence: Sentence) -> None:
    """"Saraqeb in Idlib province", "Kafranbel, Idlib": a city or region the gazetteer locates only in
    its country is located where the text puts it, in a region or city of the same country (never
    in a place it contains)."""
    doc = sentence.span.doc
    refs = sorted(state.refs_in(sentence.index, "place"), key=lambda r: r.tokens[0])
    for inner, outer in zip(refs, refs[1:]):
        glue = doc[inner.tokens[1]:outer.tokens[0]]
        if not 1 <= len(glue) <= 3 or not {t.lower_ for t in glue} <= CONTAINER_GLUE or not {"in", ","} & {t.lower_ for t in glue}:
            continue
        place, container = state.entity("place", inner.key), state.entity("place", outer.key)
        if place is None or container is None or place is container or not _may_contain(state, container, place):
            continue
        place.props["located_in"] = container.key


def _may_contain(state: State, container: Entity, place: Entity) -> bool:
    """A region or city of the place's country, which the place does not contain, may be stated as
    its container when the gazetteer gives the place no nearer one than its country."""
    if not ({"City", "Region"} & place.types and {"City", "Region"} & container.types) or "Country" in container.types:
        return False
    if container.props.get("cc") != place.props.get("cc"):
        return False
    current = state.entity("place", place.props.get("located_in", ""))
    if current is not None and "Country" not in current.types:
        return False
    seen, step = set(), container
    while step is not None and step.key not in seen:  # no cycle: the container must not lie in the place
        if step.key == place.key:
            return False
        seen.add(step.key)
        step = state.entity("place", step.props.get("located_in", ""))
    return True


WELL_KNOWN_POPULATION = 100_000


def _scan_names(state: State, sentence: Sentence, context: set[str]) -> None:
    """Proper names spaCy's small model misses or mislabels ("hit Aleppo" as NORP, "Aleppos Marjeh" as a
    person): looked up in the gazetteer, kept when they are well-known places or in the article's
    countries."""
    gaz = gazetteer()
    doc = sentence.span.doc
    i = sentence.span.start
    while i < sentence.span.end:
        tok = doc[i]
        if not _name_token(tok) or state.ref_at(sentence.index, i) or gaz.demonym(tok.text) or tok.ent_type_ in NOT_PLACE_ENTS:
            i += 1
            continue
        for width in (3, 2, 1):
            if i + width > sentence.span.end:
                continue
            tokens = doc[i:i + width]
            if not all(_name_token(t) for t in tokens) or any(state.ref_at(sentence.index, t.i) for t in tokens):
                continue
            candidate = _guess(gaz, tokens.text, context)
            if candidate and _person_named(tokens):
                break
            if candidate:
                place = add_place(state, candidate)
                _add_ref(state, sentence, place, i, i + width, 0.7, "gazetteer-scan")
                i += width - 1
                break
        i += 1


def _person_named(tokens) -> bool:
    """A name spaCy reads as a person's that speaks ("Abu al-Hassan said", "Al-Hassan says"): a
    person, not a place (Hassan in India)."""
    from kg.extract.claims import SAY_VERBS

    root = tokens.root
    return any(t.ent_type_ == "PERSON" for t in tokens) and root.dep_ == "nsubj" and root.head.lemma_.lower() in SAY_VERBS


NOT_PLACE_ENTS = {"DATE", "TIME", "ORG", "MONEY", "WORK_OF_ART", "EVENT", "LAW", "PRODUCT", "CARDINAL", "ORDINAL", "PERCENT", "QUANTITY", "LANGUAGE"}
CALENDAR_WORDS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "god", "allah", "christmas", "ramadan", "eid",
}


CLAIMED_CAPITAL_WORDS = {"facto", "self-declared", "self-proclaimed", "self-styled", "declared", "proclaimed", "effective"}


def _capitals(state: State, sentence: Sentence) -> None:
    """"the Syrian capital", "Iraq's capital": the country's capital city; not a group's ("the
    Islamic State group's de facto Syrian capital" is Raqqa, not Damascus)."""
    gaz = gazetteer()
    for tok in sentence.span:
        if tok.lower_ != "capital" or tok.pos_ != "NOUN" or state.ref_at(sentence.index, tok.i):
            continue
        before = {t.lower_ for t in sentence.span.doc[max(tok.i - 4, sentence.span.start):tok.i]}
        if before & CLAIMED_CAPITAL_WORDS or any(t.dep_ == "poss" and not _country_ref(state, sentence, t) for t in tok.lefts):
            continue
        for mod in tok.lefts:
            place_ref = state.ref_at(sentence.index, mod.i, "place")
            country = state.entity("place", place_ref.key) if place_ref else None
            cc = gaz.demonym(mod.text) if mod.dep_ == "amod" else (country.props.get("cc") if country and "Country" in country.types else None)
            city = gaz.capital(cc) if cc else None
            if city is not None:
                _add_ref(state, sentence, add_place(state, city), mod.i, tok.i + 1, 0.8, "capital")
                break


def _country_ref(state: State, sentence: Sentence, tok) -> bool:
    ref = state.ref_at(sentence.index, tok.i, "place")
    place = state.entity("place", ref.key) if ref else None
    return place is not None and "Country" in place.types


def _name_token(tok) -> bool:
    return tok.pos_ == "PROPN" and tok.text[:1].isupper() and tok.is_alpha and not tok.text.isupper() \
        and tok.lower_ not in CALENDAR_WORDS and tok.ent_type_ not in NOT_PLACE_ENTS


FAR_KM = 1500


def _in_context(candidate: Candidate | None, context: set[str], name: str) -> Candidate | None:
    """The candidate, unless it is a small town far from the article's countries: in an article about
    Syria, "Madaya" is not the town of that name in Myanmar. A country, a region, a well-known city,
    or a town within ``FAR_KM`` of a capital of the article's countries (Afrin, in an article that
    names only Turkey) stays, if the text calls it by its own name: in an article about Syria,
    "Ariha" is not Jericho, which some call Ariha, but a Syrian town the gazetteer lacks."""
    if candidate is None or candidate.kind != "City" or not context or candidate.cc in context:
        return candidate
    if (candidate.population or 0) >= WELL_KNOWN_POPULATION or candidate.lat is None:
        return candidate
    if strip_article(normalise(name)) != strip_article(normalise(candidate.name)):
        return None
    capitals = [c for c in (gazetteer().capital(cc) for cc in context) if c is not None and c.lat is not None]
    return candidate if any(_km(candidate, c) <= FAR_KM for c in capitals) else None


def _km(a: Candidate, b: Candidate) -> float:
    """Great-circle distance between two places, in kilometres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlong = lat2 - lat1, math.radians(b.long - a.long)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlong / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def _guess(gaz, name: str, context: set[str]) -> Candidate | None:
    candidate = gaz.resolve(name, context)
    if candidate is None and name.endswith("s"):
        candidate = gaz.resolve(name[:-1], context)  # "Aleppos": a possessive whose apostrophe was lost
        if candidate is not None and candidate.cc not in context:
            return None
    if candidate is None:
        return None
    exact = normalise(candidate.name) in (normalise(name), normalise(name[:-1]))
    if candidate.kind == "Country" or candidate.cc in context or exact and (candidate.population or 0) >= WELL_KNOWN_POPULATION:
        return candidate
    return None


def add_place(state: State, candidate: Candidate) -> Entity:
    """The place entity for a gazetteer candidate, located in its first-level subdivision when the
    gazetteer tells it (a city), else in its country."""
    gaz = gazetteer()
    props = {"cc": candidate.cc, "geonames": candidate.geonames, "population": candidate.population,
             "lat": candidate.lat, "long": candidate.long, "code": candidate.code}
    place = state.add_entity(Entity("place", candidate.key, candidate.name, {candidate.kind}, props={k: v for k, v in props.items() if v is not None}))
    if candidate.kind == "Region":
        place.alt_labels.update(gaz.other_names(candidate))
    region = gaz.admin_region(candidate)
    if region is not None and region.key != candidate.key:
        place.props.setdefault("located_in", add_place(state, region).key)
    elif candidate.kind != "Country" and candidate.cc in gaz.countries:
        country = add_place(state, gaz.countries[candidate.cc])
        place.props.setdefault("located_in", country.key)
    return place


def _add_ref(state: State, sentence: Sentence, entity: Entity, start_tok: int, end_tok: int, confidence: float, how: str = "gazetteer") -> Ref:
    doc = sentence.span.doc
    span = doc[start_tok:end_tok]
    offsets = sentence.offsets(span)
    entity.add_mention(offsets, span.text, confidence)
    ref = Ref(offsets, entity.kind, entity.key, sentence.index, (start_tok, end_tok), how)
    return state.add_ref(ref)


def _direction_before(sentence: Sentence, start_tok: int) -> str | None:
    doc = sentence.span.doc
    if start_tok == 0:
        return None
    before = doc[start_tok - 1]
    return gazetteer().directions.get(before.lower_) if before.pos_ in ("ADJ", "PROPN", "NOUN", "ADV") else None


def _add_directional_region(state: State, sentence: Sentence, direction: str, container: Entity, start_tok: int, end_tok: int) -> None:
    label = f"{direction} {container.label}"
    props = {"located_in": container.key, "cc": container.props.get("cc"), "direction": direction}
    region = state.add_entity(Entity("place", f"{label}", label, {"Region"}, props=props))
    _add_ref(state, sentence, region, start_tok - 1, end_tok, 0.8, "direction")


def _add_region(state: State, sentence: Sentence, base: str, start_tok: int, region_word, candidate: Candidate | None, context: set[str]) -> None:
    """"<X> province": a Region, matched to an ISO subdivision when one fits, in X's country."""
    gaz = gazetteer()
    country, base, start_tok = _country_before(sentence, base, start_tok)
    if country is not None:
        candidate = gaz.resolve(base, {country.cc}) or country
        cc = country.cc
    else:
        cc = candidate.cc if candidate else (next(iter(context)) if len(context) == 1 else None)
    if candidate and candidate.kind == "Country" and candidate is not country:
        return
    subdivision = gaz.region_for(base, cc) if cc else None
    bare = strip_article(normalise(base))
    label = f"{_display_base(base)} {region_word.lower_}"
    if subdivision is not None:  # the subdivision itself, whatever the word ("province", "governorate")
        region = add_place(state, subdivision)
        if "base" not in region.props:  # named by the article for the first time: its words, the gazetteer's as another name
            region.props["base"] = bare
            region.alt_labels.add(region.label)
            region.label = label
    else:
        props = {"cc": cc, "base": bare}
        if cc in gaz.countries:
            props["located_in"] = add_place(state, gaz.countries[cc]).key
        region = state.add_entity(Entity("place", f"{bare}-{cc or 'xx'}-{region_word.lower_}", label, {"Region"}, props={k: v for k, v in props.items() if v}))
    _add_ref(state, sentence, region, start_tok, region_word.i + 1, 0.85, "region")


def _country_before(sentence: Sentence, base: str, start_tok: int) -> tuple[Candidate | None, str, int]:
    """"Syria's Idlib" (or "Syrias Idlib", its apostrophe lost): the country, the name after it, and
    the token where that name starts; else no country and the name as it was."""
    words = base.split()
    if len(words) < 2:
        return None, base, start_tok
    gaz = gazetteer()
    country = gaz.resolve(words[0], kinds=("Country",)) or gaz.resolve(re.sub(r"['’]?s$", "", words[0]), kinds=("Country",))
    if country is None:
        return None, base, start_tok
    doc = sentence.span.doc
    skip = 2 if start_tok + 1 < len(doc) and doc[start_tok + 1].lower_ in ("'s", "’s") else 1
    return country, " ".join(words[1:]), start_tok + skip


def _display_base(base: str) -> str:
    """"al-Raqqa" → "Raqqa": the region's label without the article, as English usage has it."""
    words = base.split("-", 1)
    return words[1] if len(words) == 2 and words[0].lower() in ("al", "ar", "as", "ad", "an", "el", "az", "at") else base


def _find_facilities(state: State, sentence: Sentence) -> None:
    """"al-Andalus bakery", "Shifa hospital": a named facility noun, located in a place of the text."""
    gaz = gazetteer()
    doc = sentence.span.doc
    for token in sentence.span:
        if token.pos_ not in ("NOUN", "PROPN") or token.lemma_.lower() not in gaz.facility_nouns:
            continue
        start = _name_start(doc, token)
        if any(c.dep_ == "det" and c.lower_ in ("a", "an", "another", "some", "any") for c in token.lefts):
            continue  # "an Islamic court": a description, not a name
        if start is None or state.covered(sentence.offsets(doc[start:token.i + 1]), sentence.index):
            continue
        name = doc[start:token.i + 1].text
        container = _facility_container(state, sentence, token)
        key = f"{normalise(name)}-{container or 'unlocated'}"
        facility = state.add_entity(Entity("place", key, name, {"Facility"}, props={"located_in": container} if container else {}))
        _add_ref(state, sentence, facility, start, token.i + 1, 0.8, "facility")


NAME_GLUE = {"al", "el", "ar", "as", "ad", "an", "az", "ash", "at", "-", "'", "’"}


def _find_settlements(state: State, sentence: Sentence, context: set[str]) -> None:
    """"the village of Al-Shafah", "Deir al-Sharqi village": a populated place the gazetteer lacks,
    named by its settlement noun, located in what the text puts it in."""
    gaz = gazetteer()
    doc = sentence.span.doc
    for noun in sentence.span:
        if noun.pos_ not in ("NOUN", "PROPN") or noun.lemma_.lower() not in gaz.settlement_nouns:
            continue
        after = [c for c in noun.rights if c.dep_ == "prep" and c.lower_ == "of"]
        span = _name_after(doc, after[0].i + 1) if after else None
        if span is None:
            start = _name_start(doc, noun)
            span = doc[start:noun.i] if start is not None else None
        if span is None or state.covered(sentence.offsets(span), sentence.index) or gaz.demonym(span.text) \
                or all(t.ent_type_ == "NORP" or gaz.demonym(t.text) for t in span) \
                or gaz.resolve(span.text, kinds=("Country",)) or any(state.ref_at(sentence.index, t.i) for t in span):
            continue  # "the Syrian Kurdish city": words of a people, not a name
        known = _in_context(gaz.resolve(span.text, context, kinds=("City",)), context, span.text)
        if known is not None and known.cc in context:
            _add_ref(state, sentence, add_place(state, known), span.start, span.end, 0.8, "settlement")
            continue
        container = _settlement_container(state, sentence, noun, span, context)
        key = f"{normalise(span.text)}-{container or 'unlocated'}"
        props = {"located_in": container, "cc": _cc(state, container), "unlisted": True}
        place = state.add_entity(Entity("place", key, span.text, {"City"}, props={k: v for k, v in props.items() if v}))
        _add_ref(state, sentence, place, span.start, span.end, 0.7, "settlement")


def _name_after(doc, start: int):
    """The proper name that starts at ``start`` ("Al-Shafah", "Deir al-Adas"), or None."""
    end = start
    while end < len(doc) and (doc[end].text[:1].isupper() and doc[end].pos_ == "PROPN" or doc[end].lower_ in NAME_GLUE):
        end += 1
    while end > start and doc[end - 1].lower_ in NAME_GLUE:
        end -= 1
    capitalised = doc[start].text[:1].isupper() or doc[start].lower_ in NAME_GLUE and end > start + 2 and doc[start + 2].text[:1].isupper()
    return doc[start:end] if end > start and capitalised else None


def _settlement_container(state: State, sentence: Sentence, noun, span, context: set[str]) -> str | None:
    """Where the text puts a settlement: a place named just after the phrase ("in Idlib province",
    ", Idlib", "neighbourhood of Homs") or as its modifier ("the Homs neighbourhood of al-Waer"), else
    the last province named in this or the two sentences before, else the country of the last place
    named."""
    gaz, doc = gazetteer(), sentence.span.doc
    first, last = min(span.start, noun.i), max(span.end, noun.i + 1)
    for ref in sorted(state.refs_in(sentence.index, "place"), key=lambda r: r.tokens[0]):
        entity = state.entity("place", ref.key)
        if entity is None or "Facility" in entity.types or ref.tokens[0] < span.end and ref.tokens[1] > span.start:
            continue
        between = {t.lower_ for t in doc[last:ref.tokens[0]]}
        if ref.tokens[0] >= last and between and between <= CONTAINER_GLUE and ref.tokens[0] - last <= 3:
            return ref.key
        if ref.tokens[1] <= first and {t.lower_ for t in doc[ref.tokens[1]:first]} <= {"'s", "’s", "s"} and noun.i < span.start:
            return ref.key  # "the Homs neighbourhood of al-Waer", "Idlib's town of Saraqeb"
    earlier = [r for r in state.refs if r.kind == "place" and (r.sent, r.tokens[0]) < (sentence.index, span.start)]
    for ref in reversed(earlier):
        entity = state.entity("place", ref.key)
        if entity is not None and "Region" in entity.types and entity.props.get("code") and sentence.index - ref.sent <= 2:
            return ref.key
    for ref in reversed(earlier):
        entity = state.entity("place", ref.key)
        if entity is not None and entity.props.get("geonames") and entity.props.get("cc") in gaz.countries:
            return add_place(state, gaz.countries[entity.props["cc"]]).key
    return add_place(state, gaz.countries[next(iter(context))]).key if len(context) == 1 and next(iter(context)) in gaz.countries else None


def _cc(state: State, key: str | None) -> str | None:
    place = state.entity("place", key) if key else None
    return place.props.get("cc") if place is not None else None


def _name_start(doc, noun) -> int | None:
    """First token of the proper name in front of a facility noun, if there is one."""
    i = noun.i - 1
    start = None
    while i >= 0:
        tok = doc[i]
        if tok.text in ("-", "'", "’") or tok.lower_ in ("al", "el", "ar", "as", "ad", "an") and i + 1 < noun.i and doc[i + 1].text == "-":
            start = i
        elif (tok.pos_ == "PROPN" or tok.text[:1].isupper()) and tok.dep_ in ("compound", "nmod", "amod", "npadvmod", "nsubj", "poss") and not tok.is_sent_start:
            start = i
        elif tok.pos_ == "PROPN" and tok.dep_ == "compound":
            start = i
        else:
            break
        i -= 1
    if start is None or not any(t.text[:1].isupper() for t in doc[start:noun.i]):
        return None
    if doc[start].text in ("-", "'", "’"):
        start += 1
    return start if start < noun.i else None


def _facility_container(state: State, sentence: Sentence, noun) -> str | None:
    """The place the sentence puts the facility in ("in X" just after it), else the last city named."""
    doc = sentence.span.doc
    for ref in sorted(state.refs_in(sentence.index, "place"), key=lambda r: r.tokens[0]):
        entity = state.entity("place", ref.key)
        between = doc[noun.i + 1:ref.tokens[0]]
        if ref.tokens[0] > noun.i and entity and "Facility" not in entity.types and len(between) <= 8 \
                and not any(t.pos_ == "VERB" for t in between):
            return ref.key
    for ref in reversed([r for r in state.refs if r.kind == "place" and r.sent <= sentence.index]):
        entity = state.entity("place", ref.key)
        if entity and "City" in entity.types:
            return ref.key
    return None
