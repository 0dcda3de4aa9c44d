"""British → American spellings, for comparing a script with what Whisper wrote (it writes US spelling).

Built from word families (a stem and the suffixes its forms take) plus single words; only used to
make both sides of a comparison spell a word the same way, so a form that does not exist is harmless.
"""
from __future__ import annotations

_OUR = ("colour", "flavour", "favour", "honour", "humour", "labour", "neighbour", "behaviour", "harbour",
        "rumour", "vapour", "vigour", "valour", "savour", "odour", "armour", "endeavour", "clamour", "rigour",
        "splendour", "tumour", "parlour", "saviour", "candour", "ardour", "fervour", "demeanour", "succour")
_OUR_SUFFIXES = ("", "s", "ed", "ing", "ful", "fully", "less", "able", "ably", "ite", "ites", "er", "ers",
                 "hood", "hoods", "ly", "ist", "ists", "ism", "y")

_ISE = ("organ", "real", "recogn", "apolog", "critic", "emphas", "minim", "maxim", "priorit", "summar",
        "special", "standard", "memor", "categor", "character", "author", "custom", "final", "util",
        "visual", "optim", "civil", "mobil", "normal", "stabil", "sympath", "legal", "modern", "global",
        "familiar", "local", "personal", "initial", "synchron", "symbol", "harmon", "public", "capital",
        "central", "colon", "commercial", "fertil", "hospital", "idol", "immun", "industrial", "jeopard",
        "monopol", "neutral", "patron", "penal", "polar", "popular", "pulver", "revolution", "scrutin",
        "sanit", "social", "terror", "theor", "vapor", "vandal", "agon", "antagon", "bapt", "fantas",
        "equal", "energ", "hypnot", "italic", "mesmer", "ostrac", "plagiar", "tantal", "trivial", "urban",
        "vocal", "western", "galvan", "demon", "dramat", "steril", "privat", "digit", "random", "token",
        "serial", "computer", "decentral", "desensit", "sensit", "moral", "material", "natural", "neutral",
        "subsid", "weather", "fratern", "woman", "human", "ideal", "journal", "liberal", "miniatur", "motor", "radical", "rational", "regular",
        "sensational", "spiritual", "vital", "formal", "actual", "individual", "conceptual", "contextual")
_ISE_SUFFIXES = {"ise": "ize", "ised": "ized", "ises": "izes", "ising": "izing", "isation": "ization",
                 "isations": "izations", "iser": "izer", "isers": "izers", "isable": "izable"}

_YSE = ("anal", "paral", "catal", "dial", "hydrol", "electrol")
_YSE_SUFFIXES = {"yse": "yze", "ysed": "yzed", "ysing": "yzing", "yser": "yzer", "ysers": "yzers"}

_RE = ("cent", "theat", "met", "lit", "fib", "calib", "sab", "somb", "spect", "lust", "meag", "kilomet",
       "centimet", "millimet", "scept", "sepulch", "goit", "mit", "ochr", "sombr")
_RE_SUFFIXES = {"re": "er", "res": "ers", "red": "ered", "ring": "ering"}

_DOUBLE_L = ("travel", "cancel", "label", "model", "level", "fuel", "signal", "channel", "dial", "total",
             "tunnel", "quarrel", "funnel", "rival", "counsel", "marshal", "pencil", "shovel", "snorkel",
             "yodel", "jewel", "libel", "panel", "pedal", "duel", "equal", "marvel", "cudgel", "enamel",
             "grovel", "kennel", "label", "spiral", "swivel", "tinsel", "towel", "unravel", "vial")
_DOUBLE_L_SUFFIXES = ("led", "ling", "ler", "lers")

_WORDS = {
    "grey": "gray", "greys": "grays", "greyish": "grayish", "tyre": "tire", "tyres": "tires",
    "aluminium": "aluminum", "programme": "program", "programmes": "programs", "cheque": "check",
    "cheques": "checks", "mum": "mom", "mums": "moms", "plough": "plow", "ploughs": "plows", "cosy": "cozy",
    "sceptical": "skeptical", "sceptic": "skeptic", "sceptics": "skeptics", "scepticism": "skepticism",
    "ageing": "aging", "judgement": "judgment", "judgements": "judgments",
    "acknowledgement": "acknowledgment", "aeroplane": "airplane", "aeroplanes": "airplanes",
    "draught": "draft", "draughts": "drafts", "kerb": "curb", "moustache": "mustache", "pyjamas": "pajamas",
    "storey": "story", "storeys": "stories", "yoghurt": "yogurt", "mould": "mold", "mouldy": "moldy",
    "smoulder": "smolder", "manoeuvre": "maneuver", "manoeuvres": "maneuvers", "paediatric": "pediatric",
    "encyclopaedia": "encyclopedia", "anaesthetic": "anesthetic", "oestrogen": "estrogen", "foetus": "fetus",
    "haemoglobin": "hemoglobin", "leukaemia": "leukemia", "orthopaedic": "orthopedic", "diarrhoea": "diarrhea",
    "gaol": "jail", "practise": "practice", "practised": "practiced", "practising": "practicing",
    "licence": "license", "licences": "licenses", "defence": "defense", "defences": "defenses",
    "offence": "offense", "offences": "offenses", "pretence": "pretense", "tonne": "ton", "tonnes": "tons",
    "catalogue": "catalog", "catalogues": "catalogs", "analogue": "analog", "jewellery": "jewelry",
    "enrol": "enroll", "enrols": "enrolls", "enrolment": "enrollment", "fulfil": "fulfill",
    "fulfils": "fulfills", "fulfilment": "fulfillment", "skilful": "skillful", "wilful": "willful",
    "instalment": "installment", "distil": "distill", "learnt": "learned", "spelt": "spelled",
    "dreamt": "dreamed", "burnt": "burned", "spoilt": "spoiled", "marvellous": "marvelous",
    "woollen": "woolen", "jeweller": "jeweler", "jewellers": "jewelers", "travellers": "travelers",
    "cancellation": "cancelation", "kilogramme": "kilogram",
    "ok": "okay", "alright": "all right", "whisky": "whiskey", "artefact": "artifact", "artefacts": "artifacts",
    "behove": "behoove", "colourise": "colorize", "dependant": "dependent", "doughnut": "donut", "doughnuts": "donuts", "sulphur": "sulfur",
    "pedlar": "peddler", "speciality": "specialty", "specialities": "specialties",
}


def _build() -> dict[str, str]:
    out: dict[str, str] = {}
    for stem in _OUR:
        us = stem[:-2] + "r"
        for suf in _OUR_SUFFIXES:
            out[stem + suf] = us + suf
    for stem in _ISE:
        for uk, us in _ISE_SUFFIXES.items():
            out[stem + uk] = stem + us
    for stem in _YSE:
        for uk, us in _YSE_SUFFIXES.items():
            out[stem + uk] = stem + us
    for stem in _RE:
        for uk, us in _RE_SUFFIXES.items():
            out[stem + uk] = stem + us
    for stem in _DOUBLE_L:
        for suf in _DOUBLE_L_SUFFIXES:
            out[stem + suf] = stem + suf[1:]
    out.update(_WORDS)
    # keep words that are the same in both spellings, and words whose "UK form" is a different US word
    for same in ("met", "lit", "our", "litre", "dialled", "sabres", "metre"):
        out.pop(same, None)
    out.update({"litre": "liter", "litres": "liters", "metre": "meter", "metres": "meters", "dialled": "dialed"})
    return {uk: us for uk, us in out.items() if uk != us}


UK_TO_US: dict[str, str] = _build()


def americanize(word: str) -> str:
    """The US spelling of a lower-case ``word`` (the word itself when it has no British form)."""
    return UK_TO_US.get(word, word)
