"""Words for describing voices: locale labels and accents, sample sentences, and the phrases the
catalog's descriptions are made of."""
from __future__ import annotations

LOCALE_LABELS = {
    "en-us": "US English", "en-gb": "British English", "de-de": "German", "es-es": "Spanish (Spain)",
    "es-mx": "Latin American Spanish", "fr-fr": "French", "ja-jp": "Japanese", "ko-kr": "Korean",
    "pt-br": "Brazilian Portuguese", "pt-pt": "European Portuguese", "zh-cn": "Mandarin Chinese",
}

# The accent a locale's standard voice speaks with (VoiceAccent values).
LOCALE_ACCENTS = {
    "en-us": "american", "en-gb": "british", "de-de": "german", "es-es": "spanish", "es-mx": "latin_american",
    "fr-fr": "french", "ja-jp": "japanese", "ko-kr": "korean", "pt-br": "latin_american", "pt-pt": "portuguese",
    "zh-cn": "chinese",
}

# Search words per locale (language and accent adjectives people type).
LOCALE_WORDS = {
    "en-us": ["english", "american", "us", "usa"], "en-gb": ["english", "british", "uk", "england"],
    "de-de": ["german", "deutsch", "germany"], "es-es": ["spanish", "castilian", "spain", "european"],
    "es-mx": ["spanish", "latin", "american", "mexican", "latino"], "fr-fr": ["french", "france", "francais"],
    "ja-jp": ["japanese", "japan"], "ko-kr": ["korean", "korea"],
    "pt-br": ["portuguese", "brazilian", "brazil"], "pt-pt": ["portuguese", "portugal", "european"],
    "zh-cn": ["chinese", "mandarin", "china", "putonghua"],
}

# Regional voices: the accent tags added to the locale's words and the accent's name, by a marker in
# the engine's voice name.
REGIONAL_TAGS = {
    "scotland": ["scottish"], "new york": ["new york", "nyc"], "lancaster": ["lancashire", "northern english"],
    "west midlands": ["west midlands", "brummie"], "received pronunciation": ["received pronunciation", "rp", "posh"],
}
REGIONAL_ACCENTS = {
    "scotland": "a Scottish English accent", "new york": "a New York City English accent",
    "lancaster": "a Lancashire (northern English) accent", "west midlands": "a West Midlands English accent",
    "received pronunciation": "a Received Pronunciation (RP) British accent",
}

# Short lines for previews (one per locale) and a second line for voiceprints. Japanese is in kana:
# espeak-ng reads kanji as "Chinese letter".
SAMPLE_TEXTS = {
    "en-us": "Hello! This is how I sound when I read your script: clear, steady and easy to follow.",
    "en-gb": "Hello! This is how I sound when I read your script aloud, at a calm and steady pace.",
    "de-de": "Hallo! So klinge ich, wenn ich Ihren Text vorlese: klar, ruhig und gut verständlich.",
    "es-es": "¡Hola! Así sueno cuando leo tu guion: con claridad, con calma y a buen ritmo.",
    "es-mx": "¡Hola! Así sueno cuando leo tu guion: con claridad, con calma y a buen ritmo.",
    "fr-fr": "Bonjour ! Voici ma voix quand je lis votre texte : claire, posée et facile à suivre.",
    "ja-jp": "こんにちは。わたしの こえで、あなたの げんこうを ゆっくり よみあげます。",
    "ko-kr": "안녕하세요! 제가 대본을 읽으면 이렇게 들립니다. 또렷하고 차분하게 읽어 드릴게요.",
    "pt-br": "Olá! É assim que eu soo quando leio o seu roteiro: com clareza e com calma.",
    "pt-pt": "Olá! É assim que eu soo quando leio o seu texto: com clareza e com calma.",
    "zh-cn": "你好！这是我朗读你的脚本时的声音，清晰、平稳、容易听懂。",
}
ENROLL_TEXTS = {
    "en-us": "Every evening the old lighthouse keeper wrote a short letter home, then climbed the stairs.",
    "en-gb": "Every evening the old lighthouse keeper wrote a short letter home, then climbed the stairs.",
    "de-de": "Jeden Abend schrieb der alte Leuchtturmwärter einen kurzen Brief nach Hause.",
    "es-es": "Cada tarde, el viejo farero escribía una carta breve a su casa y subía la escalera.",
    "es-mx": "Cada tarde, el viejo farero escribía una carta breve a su casa y subía la escalera.",
    "fr-fr": "Chaque soir, le vieux gardien du phare écrivait une courte lettre, puis montait l'escalier.",
    "ja-jp": "まいばん、とうだいの おじいさんは みじかい てがみを かいて、かいだんを のぼりました。",
    "ko-kr": "매일 저녁 늙은 등대지기는 집에 짧은 편지를 쓰고 계단을 올라갔습니다.",
    "pt-br": "Toda noite, o velho faroleiro escrevia uma carta curta para casa e subia a escada.",
    "pt-pt": "Todas as noites, o velho faroleiro escrevia uma carta curta para casa e subia a escada.",
    "zh-cn": "每天晚上，老灯塔看守人都会给家里写一封短信，然后爬上楼梯。",
}

GENDER_NOUNS = {"female": "female voice", "male": "male voice", "neutral": "voice", None: "voice"}

CATEGORY_USES = {
    "narration": "Good for drafts, prototypes and long reads where speed and clarity matter more than warmth.",
    "conversational": "Its livelier pitch suits dialogue and short conversational lines.",
    "educational": "The plain, neutral default for this language: intelligible and predictable, good for "
                   "e-learning drafts and screen-reader-style reading.",
    "story": "Suits bedtime stories, characters and atmospheric reads.",
    "news": "Suits announcements, headlines and public-address style reads.",
    "social_media": "Fun for short social clips, games and sound effects; not for serious narration.",
}
