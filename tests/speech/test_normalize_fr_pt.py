"""French (1 200,50; 1er/1re/2e; 15h30; M./Mme) and Portuguese (pt-br / pt-pt) normalization."""
import pytest

from app.speech.text.normalize import normalize

FR = [
    ("J'ai 1 200 pommes.", "J'ai mille deux cents pommes."),
    ("J'ai 1\u202f200 pommes.", "J'ai mille deux cents pommes."),               # narrow no-break space
    ("Il fait -5 degrés et 3,14 ou 0,05.", "Il fait moins cinq degrés et trois virgule quatorze ou zéro virgule zéro cinq."),
    ("Une hausse de 15 %.", "Une hausse de quinze pour cent."),
    ("La 1re fois, le 2e étage et le 21e siècle.", "La première fois, le deuxième étage et le vingt et unième siècle."),
    ("Le 1er mai 2024 et le 3 mars.", "Le premier mai deux mille vingt-quatre et le trois mars."),
    ("Rendez-vous le 15/03/2024 à 15h30.", "Rendez-vous le quinze mars deux mille vingt-quatre à quinze heures trente."),
    ("Échéance 2024-03-15.", "Échéance quinze mars deux mille vingt-quatre."),
    ("À 21h, 1h et 15:30.", "À vingt et une heures, une heure et quinze heures trente."),
    ("Ça coûte 12,50 € ou 1 €.", "Ça coûte douze euros et cinquante centimes ou un euro."),
    ("Il y a 1 000 000 € et £1.", "Il y a un million d'euros et une livre."),
    ("Il fait 1,5 km, 2,5 km, 20 °C, 50 m², 10 Go.",
     "Il fait un virgule cinq kilomètre, deux virgule cinq kilomètres, vingt degrés Celsius, cinquante mètres carrés, "
     "dix gigaoctets."),
    ("M. Dupont et Mme Martin, etc.", "Monsieur Dupont et Madame Martin, et cetera."),
    ("Voir p. ex. le n° 5.", "Voir par exemple le numéro cinq."),
]

BR = [
    ("Tenho 1.200 maçãs e 21 peras.", "Tenho mil e duzentas maçãs e vinte e uma peras."),
    ("Faz -5 graus e 3,14.", "Faz menos cinco graus e três vírgula catorze."),
    ("Subiu 15 % e 16 km, 1 km, 2 casas, 2 dias.",
     "Subiu quinze por cento e dezesseis quilômetros, um quilômetro, duas casas, dois dias."),
    ("O 1º lugar e a 2ª vez.", "O primeiro lugar e a segunda vez."),
    ("Nos vemos em 15/03/2024 às 15h30.",
     "Nos vemos em quinze de março de dois mil e vinte e quatro às quinze e trinta."),
    ("Nasceu em 1 de maio de 2024.", "Nasceu em primeiro de maio de dois mil e vinte e quatro."),
    ("Às 1h e às 2h.", "Às uma hora e às duas horas."),
    ("Custa R$ 12,50 ou R$ 1,00 ou 1.000.000 R$.",
     "Custa doze reais e cinquenta centavos ou um real ou um milhão de reais."),
    ("O Sr. Silva e a Dra. Costa, etc.", "O senhor Silva e a doutora Costa, et cetera."),
]

PT = [
    ("Custa 12,50 € e 16 km.", "Custa doze euros e cinquenta cêntimos e dezasseis quilómetros."),
    ("São 19 pessoas.", "São dezanove pessoas."),
]


@pytest.mark.parametrize("text,expected", FR)
def test_fr(text, expected):
    assert normalize(text, "fr-fr") == expected


@pytest.mark.parametrize("text,expected", BR)
def test_pt_br(text, expected):
    assert normalize(text, "pt-br") == expected


@pytest.mark.parametrize("text,expected", PT)
def test_pt_pt(text, expected):
    assert normalize(text, "pt-pt") == expected


@pytest.mark.parametrize("locale,family,text,expected", [
    ("fr-fr", "dates", "Le 15/03/2024 à 15h30.", "Le 15/03/2024 à quinze heures trente."),
    ("fr-fr", "times", "Le 15/03/2024 à 15h30.", "Le quinze mars deux mille vingt-quatre à 15h30."),
    ("fr-fr", "currency", "Ça coûte 12,50 € pour 3 kilos.", "Ça coûte 12,50 € pour trois kilos."),
    ("fr-fr", "units", "Encore 5 km.", "Encore cinq km."),
    ("fr-fr", "numbers", "Encore 5 km et 1 200 pas.", "Encore 5 kilomètres et 1 200 pas."),
    ("fr-fr", "abbreviations", "M. Dupont, etc.", "M. Dupont, etc."),
    ("pt-br", "currency", "Custa R$ 12,50.", "Custa R$ 12,50."),
    ("pt-br", "abbreviations", "O Sr. Silva.", "O Sr. Silva."),
])
def test_fr_pt_flags(locale, family, text, expected):
    assert normalize(text, locale, {f"expand_{family}": False}) == expected
