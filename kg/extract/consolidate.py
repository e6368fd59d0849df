"""Consolidation: figures to attacks and claims (the ACLED rule), facility operators, places, the
article's main place (:func:`main_place`, written as its ``dcterms:spatial``), confidences.

An attack's own ``killed`` is the article's unattributed figure (the largest, as tolls rise); with
only claimed figures it is the lowest claimed one. Every claimed figure stays on its claim. The own
figures alone (``own_killed``, ``own_injured``) become the article's ``ckg:Report`` in RDF; the
store consolidates attacks across articles in ``kg.derive``.
"""
from __future__ import annotations

import re

from kg.extract.mentions import unnamed_source
from kg.extract.model import Attack, Claim, State
from kg.extract.step import step

OPERATED_MARKERS = {"run", "controlled", "held", "operated", "owned", "managed", "backed"}
FIGURE_REACH = 5  # sentences after an attack's last mention that may still report its toll


@step(requires=["attacks", "claims", "figures", "places"], assigns=["consolidated"])
def consolidate(state: State) -> None:
    _attach_figures(state)
    _attach_claims(state)
    _claims_on_the_attack(state)
    _passing_attacks_as_claims(state)
    _facility_operators(state)
    _cities_in_regions(state)
    _attack_places_from_targets(state)
    _dateline_places_are_not_attack_places(state)
    _most_specific_places(state)
    _places_told_nearby(state)
    _claims_default_to_the_principal_attack(state)
    state.notes["main_place"] = main_place(state)
    for attack in state.attacks:
        attack.confidence = attack_confidence(attack)


def _attack_for_sentence(state: State, sent: int) -> int | None:
    here = [i for i, a in enumerate(state.attacks) if sent in a.sentences]
    if here:
        return here[0]
    before = [(max(s for s in a.sentences if s <= sent), len(a.sentences), -i) for i, a in enumerate(state.attacks)
              if not a.passing and any(s <= sent for s in a.sentences)]
    if before:
        last, _, index = max(before)
        index = -index
        if sent - last <= FIGURE_REACH:
            return index
    return None


def _attach_figures(state: State) -> None:
    own: dict[int, dict] = {}
    for sent, figures in sorted(state.sentence_figures.items()):
        index = _attack_for_sentence(state, sent)
        if index is None:
            continue
        claims = [c for c in state.claims if c.sentence == sent]
        for claim in claims:
            if index not in claim.attacks:
                claim.attacks.append(index)
                claim.about = None
        if claims:
            continue
        bucket = own.setdefault(index, {"killed": [], "injured": [], "losses": [], "sentences": []})
        if figures["killed"] or figures["injured"]:
            bucket["sentences"].append(sent)
        bucket["killed"] += [v for v, _ in figures["killed"]]
        bucket["injured"] += [v for v, _ in figures["injured"]]
        bucket["losses"] += figures["losses"]
    for index, attack in enumerate(state.attacks):
        mine = own.get(index, {})
        claims = [c for c in state.claims if index in c.attacks]
        attack.killed = _figure(mine.get("killed"), [c.killed for c in claims])
        attack.injured = _figure(mine.get("injured"), [c.injured for c in claims])
        attack.losses = mine.get("losses") or _unique([loss for c in claims for loss in c.losses])
        attack.own_killed = _figure(mine.get("killed"), [])
        attack.own_injured = _figure(mine.get("injured"), [])
        attack.figure_sentences = mine.get("sentences", [])


def _unique(items: list) -> list:
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _figure(own: list[int] | None, claimed: list[list[int]]) -> list[int]:
    """The attack's figure: its own (largest) figure, else the lowest of the claims' figures.

    >>> _figure([25, 20], [[3, 8]]), _figure([], [[20], [3, 8, 9]])
    ([25], [9])
    """
    if own:
        return [max(own)]
    totals = [max(values) for values in claimed if values]
    return [min(totals)] if totals else []


def _attach_claims(state: State) -> None:
    """A post or claim with no attack of its own is about the attack on the facility it names."""
    for claim in state.claims:
        if claim.attacks:
            continue
        names = {r.key for r in state.refs if claim.span[0] <= r.span[0] < claim.span[1] and r.kind == "place"}
        names |= {key for (kind, key), e in state.entities.items() if kind == "place" and any(claim.span[0] <= s < claim.span[1] for s, _ in e.mentions)}
        for index, attack in enumerate(state.attacks):
            if names & set(attack.targets) and not attack.passing:
                claim.attacks.append(index)
                claim.about = None
                break


RESPONSE_CUES = {"deny", "blame", "accuse", "condemn", "reject", "dismiss"}


def _claims_on_the_attack(state: State) -> None:
    """A denial or accusation with no attack of its own, or a claim by an attack's perpetrator, is
    about that attack (the article's main one for a denial)."""
    main = [i for i, a in enumerate(state.attacks) if not a.passing]
    if not main:
        return
    for claim in state.claims:
        if claim.attacks:
            continue
        own = [i for i in main if claim.source in state.attacks[i].perpetrators]
        principal = max(main, key=lambda i: (len(state.attacks[i].sentences), -i))
        if own:
            claim.attacks, claim.about = own[:1], None
        elif claim.cue.lower() in RESPONSE_CUES or _lemma_of(state, claim) in RESPONSE_CUES or _tells_of_attack(state, claim, principal):
            claim.attacks, claim.about = [principal], None


WEAPON_WORDS = {"gas", "chlorine", "sarin", "helicopter", "jet", "warplane", "barrel", "shell", "missile", "rocket", "bomb", "sniper", "mortar", "artillery", "aircraft", "drone"}


def _tells_of_attack(state: State, claim: Claim, index: int) -> bool:
    """The claim's sentence speaks of weapons or of the attack's perpetrator or target."""
    attack = state.attacks[index]
    sentence = state.sentences[claim.sentence]
    if any(t.lemma_.lower() in WEAPON_WORDS for t in sentence.span):
        return True
    keys = {r.key for r in state.refs_in(claim.sentence, "actor")}
    return bool(keys & (set(attack.perpetrators) | set(attack.targets)) - {claim.source})


def _lemma_of(state: State, claim: Claim) -> str:
    sentence = state.sentences[claim.sentence].span
    return next((t.lemma_.lower() for t in sentence if t.text == claim.cue), "")


def _passing_attacks_as_claims(state: State) -> None:
    """A past event mentioned in passing is asserted only through a claim: by its source if the
    sentence names one, else by the article's unnamed source."""
    for index, attack in enumerate(state.attacks):
        if not attack.passing or any(index in c.attacks for c in state.claims):
            continue
        for sent in attack.sentences:
            claims = [c for c in state.claims if c.sentence == sent]
            for claim in claims:
                claim.attacks.append(index)
                claim.about = None
            if not claims:
                sentence = state.sentences[sent]
                source = unnamed_source(state, sentence, sentence.span[0:1])
                state.claims.append(Claim(sent, (sentence.start, sentence.end), source.key, "mentioned in passing", [index], confidence=0.5))


def _facility_operators(state: State) -> None:
    """"an Islamic State-run bakery" ... "al-Andalus bakery": the named bakery is run by Islamic State;
    "X camp, the biggest IS training facility": the camp is run by IS."""
    from kg.extract.gazetteer import gazetteer

    nouns = gazetteer().facility_nouns | {"facility", "stronghold", "position", "post"}
    operated: dict[str, str] = {}
    for sentence in state.sentences:
        doc = sentence.span.doc
        for tok in sentence.span:
            if tok.lower_ in OPERATED_MARKERS and tok.i > 1 and doc[tok.i - 1].text == "-":
                ref = state.ref_at(sentence.index, tok.i - 2, "actor")
                noun = next((t for t in doc[tok.i + 1:tok.i + 4] if t.lemma_.lower() in nouns), None)
                if ref and noun is not None:
                    operated[noun.lemma_.lower()] = ref.key
        for ref in state.refs_in(sentence.index, "place"):
            place = state.entity("place", ref.key)
            if "Facility" in place.types and ref.tokens[1] < len(doc) and doc[ref.tokens[1]].text == ",":
                owner = _owner_in_description(state, sentence, ref.tokens[1] + 1, nouns)
                if owner:
                    place.props.setdefault("operated_by", owner)
    for place in [e for e in state.entities.values() if e.kind == "place" and "Facility" in e.types]:
        noun = place.label.split()[-1].lower()
        if noun in operated:
            place.props.setdefault("operated_by", operated[noun])


def _owner_in_description(state: State, sentence, start: int, nouns: set[str]) -> str | None:
    """The actor named in an appositive description ("the biggest IS training facility")."""
    owner = None
    for tok in sentence.span.doc[start:start + 8]:
        if tok.is_punct or tok.pos_ in ("VERB", "ADP"):
            return None
        ref = state.ref_at(sentence.index, tok.i, "actor")
        if ref:
            owner = ref.key
        if tok.lemma_.lower() in nouns:
            return owner
    return None


def _cities_in_regions(state: State) -> None:
    """A city named like a region of its country the article mentions ("Raqqa", "Raqqa province")."""
    from kg.extract.gazetteer import normalise, strip_article

    regions = [e for e in state.entities.values() if e.kind == "place" and "Region" in e.types and e.props.get("base")]
    for city in [e for e in state.entities.values() if e.kind == "place" and "City" in e.types]:
        names = {strip_article(normalise(n)) for n in (city.label, *city.alt_labels)}
        for region in regions:
            if region.props.get("cc") == city.props.get("cc") and region.props["base"] in names:
                city.props["located_in"] = region.key


DATE_HEAD_WORDS = {"last", "updated", "update", "published", "posted", "on", "at", "date", "of", "publication", "am", "pm",
                   "mon", "tue", "wed", "thu", "fri", "sat", "sun", "gmt", "utc"}  # beside month and day names


def _dateline_places_are_not_attack_places(state: State) -> None:
    """A town named at the head of the article, after nothing but its date and before the story
    ("Last updated at Jan 20 2015 Beirut Syrian government air strikes killed ..."), is the
    dateline: where the report was filed, not where the attack happened. A town the article names
    only there is no attack's place (nor what an attack told nearby is placed in,
    :func:`_places_told_nearby`). A town that starts the headline ("Sat 24 Aug 2013 Damascus
    explosion due to rocket bomb") is no dateline."""
    mined = [s for s in state.sentences if s.segment.kind in ("body", "title")]
    if not mined:
        return
    head, lead = mined[0].start, {s.index for s in mined[:2]}
    title = _words(state.meta.get("title") or "").strip()

    def in_dateline(ref) -> bool:
        place = state.entity("place", ref.key)
        if ref.sent not in lead or place is None or "City" not in place.types or not _date_head(state.text[head:ref.span[0]]):
            return False
        return not (title and _words(state.text[ref.span[0]:ref.span[0] + 3 * len(title)]).strip().startswith(title))

    named: dict[str, bool] = {}  # place → named in the dateline only
    for ref in state.refs:
        if ref.kind == "place":
            named[ref.key] = named.get(ref.key, True) and in_dateline(ref)
    only = {key for key, dateline in named.items() if dateline}
    for attack in state.attacks:
        attack.places = [key for key in attack.places if key not in only and not only.intersection(containers(state, key))]
    state.notes["dateline_places"] = sorted(only)


def _date_head(text: str) -> bool:
    """Whether ``text`` is only a date with its words.

    >>> _date_head("Last updated at Jan 202015 "), _date_head("In "), _date_head("Wed 05 Apr 2017 ")
    (True, False, True)
    """
    from kg.extract.dates import MONTHS
    from kg.extract.places import CALENDAR_WORDS

    words = re.findall(r"\w+", text.lower())
    return bool(words) and any(w.isdigit() for w in words) and all(
        w.isdigit() or w in DATE_HEAD_WORDS or w in CALENDAR_WORDS or w in MONTHS for w in words)


def _attack_places_from_targets(state: State) -> None:
    for attack in state.attacks:
        if attack.places:
            continue
        for key in attack.targets:
            place = state.entity("place", key)
            if place and place.props.get("located_in"):
                attack.places.append(place.props["located_in"])
                break


def containers(state: State, key: str) -> list[str]:
    """The keys of the places containing a place, nearest first (``located_in``, transitively)."""
    found, place = [], state.entity("place", key)
    while place is not None and place.props.get("located_in") and place.props["located_in"] not in found + [key]:
        found.append(place.props["located_in"])
        place = state.entity("place", found[-1])
    return found


def _most_specific_places(state: State) -> None:
    """An attack "in Syria" and "in Khan Shaykhun" happened in Khan Shaykhun: a place containing
    another of the attack's places is implied by it (``ckg:locatedIn``) and dropped. So is a part
    of a country told by its direction ("in the city of Hasaka in northeastern Syria", "strikes in
    northern Syria on Manbij"): the named place in that country says where."""
    for attack in state.attacks:
        implied = {c for key in attack.places for c in containers(state, key)}
        implied |= {key for key in attack.places if _directional(state, key) and any(
            other != key and not _directional(state, other) and state.entity("place", key).props["located_in"] in containers(state, other)
            for other in attack.places)}
        kept = [key for key in attack.places if key not in implied]
        if kept:
            attack.places = kept


def _places_told_nearby(state: State) -> None:
    """An attack placed only in a country or a part of it ("a chemical attack in Syria", "strikes in
    northern Syria", "a bakery" the text puts nowhere nearer) happened where the report says, a
    sentence on or before: a town or province of that country named in its own sentences, else in
    the sentences beside them, else in the lead. A place the attack's words already give stays;
    an unnamed site or an unlisted village is located in the town named."""
    from kg.extract.attacks import ADJECTIVAL_PARTICIPLES

    for attack in state.attacks:
        if attack.passing or not attack.places or not all(_vague(state, key) for key in attack.places) or _habitual(state, attack):
            continue
        countries = {_country_of(state, key) for key in attack.places} - {None} or _article_countries(state)
        anchor = _nearby_anchor(state, attack, countries, ADJECTIVAL_PARTICIPLES)
        if anchor is None:
            continue
        places = []
        for key in attack.places:
            place = state.entity("place", key)
            if "Country" in place.types or place.props.get("direction"):
                places.append(anchor)
            else:
                place.props["located_in"] = anchor
                places.append(key)
        attack.places = list(dict.fromkeys(places))


LEAD_WEIGHT = 3  # an attack told in the headline or the lead counts as this many told further down
TITLE_WEIGHT = 2  # a town or province the headline names gains as much as this many attacks there


def main_place(state: State) -> str | None:
    """The article's main place: the town or province where its attacks are told to happen, the
    headline's and the lead's attacks weighing most (and a town the headline names, most of all when
    the lead places its attack nowhere nearer than a country), then the most specific place of the
    principal attack there ("the village of Urum al-Joz in Idlib province", not the hospital in it
    that the text locates nowhere). A country or a part of one told by its direction only when
    nothing nearer is known; an unnamed site ("a crowd") never."""
    attacks = [a for a in state.attacks if not a.passing and a.places] or [a for a in state.attacks if a.places]
    lead = _lead_sentences(state)
    support: dict[str, float] = {}
    for attack in attacks:
        weight = LEAD_WEIGHT if lead & set(attack.sentences) else 1
        for key in dict.fromkeys(a for place in attack.places for a in _anchors_of(state, place)):  # in order: ties stay stable
            support[key] = support.get(key, 0) + weight
    lead_placed = any(not _vague(state, key) for key, score in support.items() if score >= LEAD_WEIGHT)
    in_title = _named_in_title(state)
    for key in in_title:
        if _grounded_name(state, key):
            support[key] = support.get(key, 0) + TITLE_WEIGHT + (0 if lead_placed or _vague(state, key) else LEAD_WEIGHT)
    near = {key: score for key, score in support.items() if not _vague(state, key)}
    if not (near or support):
        return None

    def country_support(key: str) -> float:
        country = _country_of(state, key)
        return support.get(country, 0) if country else 0

    # ties go to a place the headline names, then to the country the attacks are told in most, then to the wider place
    best = max(near or support, key=lambda key: (support[key], key in in_title, country_support(key), -_depth(state, key)))
    told = [a for a in attacks if any(best in _anchors_of(state, p) for p in a.places)]
    if not told:
        return best
    principal = max(told, key=lambda a: (bool(lead & set(a.sentences)), len(a.sentences), -min(a.sentences, default=0)))
    named = [p for p in principal.places if best in _anchors_of(state, p) and _grounded_name(state, p)]
    return max(named, key=lambda p: _depth(state, p), default=best)


def _anchors_of(state: State, key: str) -> list[str]:
    """The place and those containing it that a reader can name a town or province by: gazetteer
    towns and provinces, unlisted villages, countries and their directional parts (not sites)."""
    chain = [key, *containers(state, key)]
    return [k for k in chain if _grounded_name(state, k)]


def _grounded_name(state: State, key: str) -> bool:
    place = state.entity("place", key)
    return place is not None and not place.props.get("local") and "Facility" not in place.types


def _depth(state: State, key: str) -> int:
    return len(containers(state, key))


def _lead_sentences(state: State) -> set[int]:
    """The headline's sentences and the first of the body."""
    title = {s.index for s in state.sentences if s.segment.kind == "title"}
    body = [s.index for s in state.sentences if s.segment.kind == "body"][:1]
    return title | set(body)


def _named_in_title(state: State) -> list[str]:
    """The places the headline names (the title given by the source, or read from the text), in the
    order the text first names them."""
    from kg.extract.gazetteer import normalise, strip_article

    title = _words(state.meta.get("title") or "")
    if not title.strip():
        return []
    found = []
    for (kind, key), place in state.entities.items():
        if kind != "place":
            continue
        names = {place.label, *place.alt_labels, *(state.text[s:e] for s, e in place.mentions)}
        if any(_words(n) in title or _words(strip_article(normalise(n))) in title for n in names if len(n) > 2):
            found.append(key)
    return found


def _words(text: str) -> str:
    """The text's words, normalised as the gazetteer does, each between spaces, for whole-word search.

    >>> _words("Syria's Idlib: 15 killed")
    ' syrias idlib 15 killed '
    """
    from kg.extract.gazetteer import normalise

    return " " + " ".join(re.findall(r"\w+", normalise(text))) + " "


def _habitual(state: State, attack: Attack) -> bool:
    """An attack told in the simple present outside the headline ("its air force only targets
    militants in Syria"): a habit, which has no one place."""
    if attack.trigger is None:
        return False
    for sentence in state.sentences:
        if sentence.index in attack.sentences and sentence.start <= attack.trigger[0] < sentence.end:
            tok = next((t for t in sentence.span if sentence.offsets(t)[0] == attack.trigger[0]), None)
            return sentence.index > 0 and tok is not None and tok.tag_ in ("VBZ", "VBP")
    return False


def _nearby_anchor(state: State, attack: Attack, countries: set[str], participles: set[str]) -> str | None:
    own = sorted(set(attack.sentences))
    first, last = own[0], own[-1]
    datelines = set(state.notes.get("dateline_places", ()))
    order = own + [s for d in (1, 2) for s in (first - d, last + d)] + [0]
    for sent in dict.fromkeys(s for s in order if 0 <= s < len(state.sentences)):
        doc = state.sentences[sent].span.doc
        for ref in sorted(state.refs_in(sent, "place"), key=lambda r: r.tokens[0]):
            end = ref.tokens[1]
            if end + 1 < len(doc) and doc[end].text == "-" and doc[end + 1].lower_ in participles:
                continue  # "Aleppo-based"
            if any(state.ref_at(sent, i, "actor") for i in range(*ref.tokens)):
                continue  # "the Idlib Army"
            if _anchor(state, ref.key) and _country_of(state, ref.key) in countries and ref.key not in datelines:
                return ref.key
    return None


def _anchor(state: State, key: str) -> bool:
    """A town or a province the gazetteer knows."""
    place = state.entity("place", key)
    return place is not None and not place.props.get("local") and (
        "City" in place.types and bool(place.props.get("geonames")) or "Region" in place.types and bool(place.props.get("code")))


def _vague(state: State, key: str) -> bool:
    """A country, a part of one told by its direction, or a site or unlisted village that the text
    locates in nothing nearer."""
    place = state.entity("place", key)
    if place is None:
        return False
    if "Country" in place.types or place.props.get("direction"):
        return True
    if not (place.props.get("local") or place.props.get("unlisted")):
        return False
    return not any(_anchor(state, c) for c in containers(state, key))


def _article_countries(state: State) -> set[str]:
    """The article's one country (the key of its place), when it names or implies only one."""
    from kg.extract.gazetteer import gazetteer

    context = state.notes.get("context") or set()
    known = gazetteer().countries
    return {known[cc].key for cc in context if cc in known} if len(context) == 1 else set()


def _country_of(state: State, key: str) -> str | None:
    place = state.entity("place", key)
    if place is None:
        return None
    if "Country" in place.types:
        return key
    return next((c for c in containers(state, key) if "Country" in (state.entity("place", c) or place).types), None)


def _directional(state: State, key: str) -> bool:
    """A part of a country named by its direction ("northern Syria")."""
    place = state.entity("place", key)
    return place is not None and bool(place.props.get("direction")) and bool(place.props.get("located_in"))


def attack_confidence(attack: Attack) -> float:
    """0.4 for a bare trigger, more for a strong one and each argument found; less in passing.

    >>> attack_confidence(Attack("Airstrike", strong=True, perpetrators=["x"], places=["p"], dates=["2014-09-06"]))
    0.9
    """
    score = 0.4 + (0.2 if attack.strong else 0) + 0.1 * sum(bool(x) for x in (attack.perpetrators, attack.places, attack.dates))
    score += 0.05 * (len(attack.sentences) > 1) - (0.15 if attack.passing else 0)
    return round(min(score, 0.95), 2)


def _claims_default_to_the_principal_attack(state: State) -> None:
    """A claim that names nothing else is, in a report of an attack, about that attack."""
    main = [i for i, a in enumerate(state.attacks) if not a.passing]
    if not main:
        return
    principal = max(main, key=lambda i: (len(state.attacks[i].sentences), -i))
    for claim in state.claims:
        if not claim.attacks and not claim.about:
            claim.attacks = [principal]
            claim.confidence = min(claim.confidence, 0.5)
