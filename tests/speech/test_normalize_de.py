"""German normalization: 1.200,50, inflected ordinals and dates, "Uhr", ein/eine before nouns."""
import pytest

from app.speech.text.normalize import normalize

CASES = [
    ("Ich habe 1.200 Äpfel und 7 Birnen.", "Ich habe eintausendzweihundert Äpfel und sieben Birnen."),
    ("Es sind -5 Grad und 3,14 bzw. 0,5.",
     "Es sind minus fünf Grad und drei Komma eins vier beziehungsweise null Komma fünf."),
    ("50 % und 1 Minute, 1 Tag, 1 Million.", "fünfzig Prozent und eine Minute, ein Tag, eine Million."),
    # ordinals take their ending from the words before them
    ("Der 3. Platz und im 20. Jahrhundert, in der 2. Woche.",
     "Der dritte Platz und im zwanzigsten Jahrhundert, in der zweiten Woche."),
    ("Er wurde 3. Dann ging er.", "Er wurde drei. Dann ging er."),          # a sentence end, not an ordinal
    # dates
    ("Wir treffen uns am 15.03.2024 um 15:30 Uhr.",
     "Wir treffen uns am fünfzehnten März zweitausendvierundzwanzig um fünfzehn Uhr dreißig."),
    ("Heute ist der 15.03.2024.", "Heute ist der fünfzehnte März zweitausendvierundzwanzig."),
    ("Heute ist 15.03.", "Heute ist fünfzehnter März."),
    ("Er kam am 3. Oktober 1990.", "Er kam am dritten Oktober neunzehnhundertneunzig."),
    ("Fällig 2024-03-15.", "Fällig fünfzehnter März zweitausendvierundzwanzig."),
    ("Seit 1999 und im Jahr 2024 ist alles anders.",
     "Seit neunzehnhundertneunundneunzig und im Jahr zweitausendvierundzwanzig ist alles anders."),
    # times
    ("Um 1 Uhr und um 9.45 Uhr.", "Um ein Uhr und um neun Uhr fünfundvierzig."),
    ("Abfahrt 7:05.", "Abfahrt sieben Uhr fünf."),
    # money (decimals are cents; "ein Euro", not "eins Euro")
    ("Das kostet 12,50 € oder 1 € oder 3 Euro.",
     "Das kostet zwölf Euro und fünfzig Cent oder ein Euro oder drei Euro."),
    ("Das kostet $5 und £3,20.", "Das kostet fünf Dollar und drei Pfund und zwanzig Pence."),
    # units
    ("Die Strecke ist 5 km lang, 1 km, 1,5 km, 20 °C, 50 m², 1 kWh.",
     "Die Strecke ist fünf Kilometer lang, ein Kilometer, eins Komma fünf Kilometer, zwanzig Grad Celsius, "
     "fünfzig Quadratmeter, eine Kilowattstunde."),
    # abbreviations
    ("Dr. Müller, z. B. usw. und Nr. 5 in der Hauptstr. 3.",
     "Doktor Müller, zum Beispiel und so weiter und Nummer fünf in der Hauptstraße drei."),
    ("Preise, Mengen usw. Dann mehr.", "Preise, Mengen und so weiter. Dann mehr."),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_de(text, expected):
    assert normalize(text, "de-de") == expected


@pytest.mark.parametrize("family,text,expected", [
    ("dates", "Am 15.03.2024 um 15:30 Uhr.", "Am 15.03.2024 um fünfzehn Uhr dreißig."),
    ("times", "Am 15.03.2024 um 15:30 Uhr.", "Am fünfzehnten März zweitausendvierundzwanzig um 15:30 Uhr."),
    ("currency", "Es kostet 12,50 € für 3 Personen.", "Es kostet 12,50 € für drei Personen."),
    ("units", "Noch 5 km.", "Noch fünf km."),
    ("numbers", "Noch 5 km und 1.200 Schritte.", "Noch 5 Kilometer und 1.200 Schritte."),
    ("abbreviations", "Dr. Müller z. B.", "Dr. Müller z. B."),
])
def test_de_flags(family, text, expected):
    assert normalize(text, "de-de", {f"expand_{family}": False}) == expected
