"""The Dietary Reference Intakes for magnesium (magpk.intakes: RDA, EAR, AI and UL)."""

import pytest

import magpk
from magpk import intakes
from magpk.intakes import rda_mg_per_day, rda_ul


def _row(life_stage, sex, age):
    table = rda_ul()
    rows = table[(table["life_stage"] == life_stage) & (table["sex"].isin([sex, "both"]))
                 & (table["age_min_years"] <= age) & (age < table["age_max_years"])]
    assert len(rows) == 1, (life_stage, sex, age)
    return rows.iloc[0]


# ------------------------------------------------------------------ rda_ul

def test_rda_ul_columns_and_sources():
    table = rda_ul()
    for column in ("life_stage", "sex", "age", "age_min_years", "age_max_years",
                   "ear_mg_per_day", "rda_mg_per_day", "ai_mg_per_day",
                   "ul_supplemental_mg_per_day", "ul_applies_to", "source", "status"):
        assert column in table.columns
    assert table["source"].str.startswith("http").all()
    assert set(table["status"]) <= {"V", "V2"}
    assert set(table["life_stage"]) == {"infants", "children", "adolescents", "adults",
                                        "pregnancy", "lactation"}


@pytest.mark.parametrize("life_stage, sex, age, ear, rda", [
    ("adults", "male", 25, 330, 400),
    ("adults", "male", 40, 350, 420),
    ("adults", "male", 80, 350, 420),
    ("adults", "female", 25, 255, 310),
    ("adults", "female", 40, 265, 320),
    ("adults", "female", 65, 265, 320),
    ("adolescents", "male", 16, 340, 410),
    ("adolescents", "female", 16, 300, 360),
    ("children", "both", 2, 65, 80),
    ("children", "both", 6, 110, 130),
    ("pregnancy", "female", 25, 290, 350),
    ("pregnancy", "female", 35, 300, 360),
    ("pregnancy", "female", 17, 335, 400),
    ("lactation", "female", 25, 255, 310),
])
def test_rda_ear_known_values(life_stage, sex, age, ear, rda):
    row = _row(life_stage, sex, age)
    assert row["ear_mg_per_day"] == ear
    assert row["rda_mg_per_day"] == rda


def test_ul_is_supplemental_only():
    table = rda_ul()
    nine_plus = table[table["age_min_years"] >= 9]
    assert (nine_plus["ul_supplemental_mg_per_day"] == 350).all()
    assert _row("children", "both", 2)["ul_supplemental_mg_per_day"] == 65
    assert _row("children", "both", 6)["ul_supplemental_mg_per_day"] == 110
    infants = table[table["life_stage"] == "infants"]
    assert infants["ul_supplemental_mg_per_day"].isna().all()
    assert list(infants["ai_mg_per_day"]) == [30, 75]
    assert nine_plus["ul_applies_to"].str.contains("not food").all()


def test_rda_mg_per_day_is_the_table_rda_and_a_childs_default_diet():
    assert rda_mg_per_day(6, "female") == 130
    assert rda_mg_per_day(16, "male") == 410
    assert rda_mg_per_day(40, "female") == 320
    with pytest.raises(ValueError, match="no RDA"):
        rda_mg_per_day(0.5, "female")
    assert magpk.Subject(age_years=16, sex="male", weight_kg=60).diet_mg_per_day == 410


def test_exported_from_package():
    assert magpk.rda_ul is intakes.rda_ul
