"""English normalization (en-us, en-gb), one row per rule family and locale difference."""
import pytest

from app.speech.text.normalize import normalize

US = [
    # numbers: thousands separators, negatives, decimals, ordinals, percentages, leading zeros
    ("I have 1,200 apples and 7 pears.", "I have one thousand two hundred apples and seven pears."),
    ("It is -5 outside and 0.75 of it is 3.14.",
     "It is minus five outside and zero point seven five of it is three point one four."),
    ("She came 1st, he came 22nd and 103rd.", "She came first, he came twenty-second and one hundred third."),
    ("Prices rose 15% or 2.5 %.", "Prices rose fifteen percent or two point five percent."),
    ("Numbers 007 and 1,000,000,000.", "Numbers zero zero seven and one billion."),
    ("No. 7 is 4K and MP3.", "Number seven is four K and MP3."),
    # dates
    ("Due 2024-03-15.", "Due March fifteenth, twenty twenty-four."),
    ("Due 03/15/2024.", "Due March fifteenth, twenty twenty-four."),
    ("Born on July 4, 1776 and on 4th of July.", "Born on July fourth, seventeen seventy-six and on the fourth of July."),
    ("The 1990s and the 2000s were in 1999 and 2010.",
     "The nineteen nineties and the two thousands were in nineteen ninety-nine and two thousand ten."),
    # times
    ("Meet at 3:30 p.m. or 10am or 9:05 AM.", "Meet at three thirty p.m. or ten a.m. or nine oh five a.m."),
    ("The train leaves at 15:00 and 7:45.", "The train leaves at fifteen hundred and seven forty-five."),
    # money: decimals are cents, whole amounts are not (no "zero cents", no int-as-cents)
    ("It costs $12.50, $1, $0.99, €3 or £5.",
     "It costs twelve dollars and fifty cents, one dollar, ninety-nine cents, three euros or five pounds."),
    ("They raised $2.5 million and $5k.", "They raised two point five million dollars and five thousand dollars."),
    ("It costs ¥500 and ₩10,000.", "It costs five hundred yen and ten thousand won."),
    # units, singular and plural
    ("Speed 60 mph, 100 km/h, 1 mile, 20 °C, 72 °F, 50 m², 250 ml, 1 kg, 3 lbs.",
     "Speed sixty miles per hour, one hundred kilometers per hour, one mile, twenty degrees Celsius, seventy-two "
     "degrees Fahrenheit, fifty square meters, two hundred fifty milliliters, one kilogram, three pounds."),
    # abbreviations
    ("Dr. Jones and Mr. Lee met Mrs. Park and Ms. Kim at St. Mary's on Baker St. today.",
     "Doctor Jones and Mister Lee met Missus Park and Miz Kim at Saint Mary's on Baker Street today."),
    ("Apples, pears, etc. Next line.", "Apples, pears, et cetera. Next line."),
    ("Use e.g. a pen, i.e. not pencil, vs. crayons.", "Use for example a pen, that is not pencil, versus crayons."),
]

GB = [
    ("Due 15/03/2024.", "Due the fifteenth of March twenty twenty-four."),
    ("Due 03/15/2024.", "Due the fifteenth of March twenty twenty-four."),       # only one order is a date
    ("It is 101 metres or 3 km.", "It is one hundred and one metres or three kilometres."),
    ("On 5 March 2024 it cost £3.20.", "On the fifth of March twenty twenty-four it cost three pounds and twenty pence."),
]


@pytest.mark.parametrize("text,expected", US)
def test_en_us(text, expected):
    assert normalize(text, "en-us") == expected


@pytest.mark.parametrize("text,expected", GB)
def test_en_gb(text, expected):
    assert normalize(text, "en-gb") == expected


LINE = "On 03/15/2024 at 3:30 p.m. Dr. Smith paid $12.50 for 5 km and 1,200 items."
FLAGS = [
    ("numbers", "On March fifteenth, twenty twenty-four at three thirty p.m. Doctor Smith paid twelve dollars and "
                "fifty cents for 5 kilometers and 1,200 items."),
    ("dates", "On 03/15/2024 at three thirty p.m. Doctor Smith paid twelve dollars and fifty cents for five "
              "kilometers and one thousand two hundred items."),
    ("times", "On March fifteenth, twenty twenty-four at 3:30 p.m. Doctor Smith paid twelve dollars and fifty cents "
              "for five kilometers and one thousand two hundred items."),
    ("currency", "On March fifteenth, twenty twenty-four at three thirty p.m. Doctor Smith paid $12.50 for five "
                 "kilometers and one thousand two hundred items."),
    ("units", "On March fifteenth, twenty twenty-four at three thirty p.m. Doctor Smith paid twelve dollars and "
              "fifty cents for five km and one thousand two hundred items."),
    ("abbreviations", "On March fifteenth, twenty twenty-four at three thirty p.m. Dr. Smith paid twelve dollars and "
                      "fifty cents for five kilometers and one thousand two hundred items."),
]


@pytest.mark.parametrize("family,expected", FLAGS)
def test_each_flag_turns_its_family_off(family, expected):
    assert normalize(LINE, "en-us", {f"expand_{family}": False}) == expected


def test_everything_off_leaves_the_text_as_written():
    off = {f"expand_{f}": False for f in ("numbers", "dates", "times", "currency", "units", "abbreviations")}
    assert normalize(LINE, "en-us", off) == LINE
