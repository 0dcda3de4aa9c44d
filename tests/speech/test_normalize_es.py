"""Spanish normalization: es-es (1.200,50, "coma", céntimos) and es-mx (1,200.50, "punto", $ = pesos)."""
import pytest

from app.speech.text.normalize import normalize

ES = [
    ("Tengo 1.200 manzanas y 21 peras.", "Tengo mil doscientas manzanas y veintiuna peras."),   # agreement
    ("Hace -5 grados y 3,14 o 0,05.", "Hace menos cinco grados y tres coma catorce o cero coma cero cinco."),
    ("Subió un 15 % y 1 milla y 21 libras.", "Subió un quince por ciento y una milla y veintiuna libras."),
    ("Hay 21000 personas y 21 días.", "Hay veintiún mil personas y veintiún días."),
    ("Llegó el 1.º, la 2.ª y el 3.er puesto.", "Llegó el primero, la segunda y el tercer puesto."),
    ("Nos vemos el 15/03/2024 a las 15:30.",
     "Nos vemos el quince de marzo de dos mil veinticuatro a las quince y treinta."),
    ("Nació el 1 de mayo de 2024 y el 3 de marzo.",
     "Nació el primero de mayo de dos mil veinticuatro y el tres de marzo."),
    ("Vence el 2024-03-15.", "Vence el quince de marzo de dos mil veinticuatro."),
    ("Son las 3:30 p. m. y las 9 a. m.", "Son las tres y treinta de la tarde y las nueve de la mañana."),
    ("Abre a las 1:00.", "Abre a las una en punto."),
    ("Cuesta 12,50 € o 1 € o 21 €.",
     "Cuesta doce euros con cincuenta céntimos o un euro o veintiún euros."),
    ("Hay 1.000.000 € y £1.", "Hay un millón de euros y una libra."),
    ("Son 5 km, 1 km, 2,5 kg, 20 °C y 50 m².",
     "Son cinco kilómetros, un kilómetro, dos coma cinco kilogramos, veinte grados Celsius y cincuenta metros cuadrados."),
    ("El Sr. García y la Sra. López, etc.", "El señor García y la señora López, etcétera."),
    ("Vive en EE. UU., p. ej. en Texas.", "Vive en Estados Unidos, por ejemplo en Texas."),
]

MX = [
    ("Cuesta $1,200.50 y 3.14.", "Cuesta mil doscientos pesos con cincuenta centavos y tres punto catorce."),
    ("Cuesta US$5 y 0,5.", "Cuesta cinco dólares y cero punto cinco."),
    ("Son las 3:30 p. m.", "Son las tres y treinta de la tarde."),
    ("Son las 10 p. m.", "Son las diez de la noche."),
    ("Nos vemos el 15/03/2024.", "Nos vemos el quince de marzo de dos mil veinticuatro."),
    ("Cuesta 10,50 € el kilo.", "Cuesta diez euros con cincuenta centavos el kilo."),
]


@pytest.mark.parametrize("text,expected", ES)
def test_es_es(text, expected):
    assert normalize(text, "es-es") == expected


@pytest.mark.parametrize("text,expected", MX)
def test_es_mx(text, expected):
    assert normalize(text, "es-mx") == expected


@pytest.mark.parametrize("family,text,expected", [
    ("dates", "El 15/03/2024 a las 15:30.", "El 15/03/2024 a las quince y treinta."),
    ("times", "El 15/03/2024 a las 15:30.", "El quince de marzo de dos mil veinticuatro a las 15:30."),
    ("currency", "Cuesta 12,50 € y 3 kilos.", "Cuesta 12,50 € y tres kilos."),
    ("units", "Son 5 km.", "Son cinco km."),
    ("numbers", "Son 5 km y 1.200 pasos.", "Son 5 kilómetros y 1.200 pasos."),
    ("abbreviations", "El Sr. García, etc.", "El Sr. García, etc."),
])
def test_es_flags(family, text, expected):
    assert normalize(text, "es-es", {f"expand_{family}": False}) == expected


@pytest.mark.parametrize("text,locale", [("Tengo 1 de mayonesa.", "es-es"), ("o 1 de maior", "pt-br"),
                                         ("Son 2 de marzos.", "es-mx")])
def test_a_word_that_starts_like_a_month_is_no_date(text, locale):
    out = normalize(text, locale)
    assert "primero" not in out and "primeiro" not in out and "dos de marzo " not in out
    assert out.split()[-1].rstrip(".") == text.split()[-1].rstrip(".")
