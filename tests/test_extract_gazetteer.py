"""The prepared gazetteer file: what the builder produces, and lookups read from it."""
from kg.extract.gazetteer import Candidate, Gazetteer, Tables, build_tables, read_prepared, serialise


def test_shipped_tables_match_what_the_builder_produces():
    """Fails when kg/data/gazetteer.tsv.gz is stale: regenerate it with `python -m kg.extract.gazetteer`."""
    assert read_prepared() == serialise(build_tables())


def small_tables() -> Tables:
    tables = Tables()
    syria = tables.new(Candidate("Country", "Syria", "SY", 163843, population=22198110, code="SY"))
    tables.add("Syria", syria)
    tables.new(Candidate("Region", "Idlib", "SY", code="SY-ID"))
    for name, geonames in (("Raqqa", 163915), ("Raqqa", 1), ("Raqqa Hills", 2)):
        city = tables.new(Candidate("City", name, "SY", geonames, 35.95, 39.01, 5000, admin1="04"))
        tables.add(name, city)
        tables.add("al-" + name, city)
    tables.capitals["SY"] = "Damascus"
    return tables


def test_lookups_find_every_candidate_of_a_name_in_order_and_nothing_for_a_prefix():
    gaz = Gazetteer(serialise(small_tables()))
    assert [c.geonames for c in gaz.lookup("Raqqa")] == [163915, 1]
    assert [c.geonames for c in gaz.lookup("ar-Raqqa Hills")] == [2]
    assert gaz.lookup("Raq") == [] and gaz.lookup("Raqqa Hillsides") == [] and gaz.lookup("zzz") == []
    assert gaz.countries["SY"].name == "Syria" and [r.code for r in gaz.subdivisions["SY"]] == ["SY-ID"]
    assert gaz.lookup("Raqqa")[0] is gaz.lookup("al Raqqa")[0]  # decoded once


def test_a_candidate_reads_back_with_its_types():
    city = Gazetteer(serialise(small_tables())).lookup("Raqqa")[0]
    assert city == Candidate("City", "Raqqa", "SY", 163915, 35.95, 39.01, 5000, admin1="04")
    assert isinstance(city.lat, float) and isinstance(city.population, int) and city.code is None
