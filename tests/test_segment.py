"""Sentence segmentation of diplomatic texts in de, en, es, ru, fr, and of whole documents."""

from __future__ import annotations

import logging
import random
import runpy

import pytest
from _paths import ROOT, SHARED

from aligner import Document, LanguageError, SegmentedDocument
from aligner.segment import MAX_SENTENCE_CHARS, segment, split_sentences

PUD = SHARED / "data" / "ud-pud"
NBSP = "\u00a0"

EN = [
    (
        "Foreign Minister S.V.Lavrov met his counterpart. They discussed Syria.",
        ["Foreign Minister S.V.Lavrov met his counterpart.", "They discussed Syria."],
    ),
    (
        "The talks were chaired by S. V. Lavrov. He opened the meeting.",
        ["The talks were chaired by S. V. Lavrov.", "He opened the meeting."],
    ),
    (
        "Mr. Smith and Mrs. Jones met Dr. Brown. The meeting was useful.",
        ["Mr. Smith and Mrs. Jones met Dr. Brown.", "The meeting was useful."],
    ),
    (
        "H.E. Mr. Sergey Lavrov received H.E. Ms. Ann Linde. They held talks.",
        ["H.E. Mr. Sergey Lavrov received H.E. Ms. Ann Linde.", "They held talks."],
    ),
    (
        "The agreement was signed on Nov. 5, 2020 in Moscow. It entered into force in Dec. 2020.",
        ["The agreement was signed on Nov. 5, 2020 in Moscow.", "It entered into force in Dec. 2020."],
    ),
    (
        "Trade grew to $1,000.5 million, or 1 000 tonnes. This is a record.",
        ["Trade grew to $1,000.5 million, or 1 000 tonnes.", "This is a record."],
    ),
    ("He said: “We agree.” Then he left.", ["He said: “We agree.”", "Then he left."]),
    ("“Are you sure?” he asked. “Yes.”", ["“Are you sure?” he asked.", "“Yes.”"]),
    (
        'He called it "a provocation". The talks were suspended.',
        ['He called it "a provocation".', "The talks were suspended."],
    ),
    (
        "The talks went on and on… Finally, an agreement was reached.",
        ["The talks went on and on…", "Finally, an agreement was reached."],
    ),
    (
        "The parties agreed on the following: 1. Trade will grow. 2. Visas will be simplified.",
        ["The parties agreed on the following: 1. Trade will grow.", "2. Visas will be simplified."],
    ),
    ("1. Trade will grow. 2. Visas will be simplified.", ["1. Trade will grow.", "2. Visas will be simplified."]),
    ("The agenda: a) Trade. b) Energy.", ["The agenda: a) Trade.", "b) Energy."]),
    (
        "Several countries, e.g. Germany and France, supported the resolution. Others abstained.",
        ["Several countries, e.g. Germany and France, supported the resolution.", "Others abstained."],
    ),
    (
        "The ministers agreed on a ceasefire, i.e. A complete halt. It starts today.",
        ["The ministers agreed on a ceasefire, i.e. A complete halt.", "It starts today."],
    ),
    ("They discussed trade, energy, culture, etc.", ["They discussed trade, energy, culture, etc."]),
    (
        "They discussed trade, energy, culture, etc. The next round will be held in Paris.",
        ["They discussed trade, energy, culture, etc.", "The next round will be held in Paris."],
    ),
    (
        "The text is at www.mid.ru. Questions may be sent to info@mid.ru. Thank you.",
        ["The text is at www.mid.ru.", "Questions may be sent to info@mid.ru.", "Thank you."],
    ),
    (
        "The delegation arrived in the U.S. The talks began on Monday.",
        ["The delegation arrived in the U.S.", "The talks began on Monday."],
    ),
    (
        "The U.S. Secretary of State arrived at 3 p.m. Moscow time.",
        ["The U.S. Secretary of State arrived at 3 p.m. Moscow time."],
    ),
    (
        "Resolution No. 2254 was adopted. It calls for talks.",
        ["Resolution No. 2254 was adopted.", "It calls for talks."],
    ),
    (
        "What is to be done? We must act now! The Council agrees.",
        ["What is to be done?", "We must act now!", "The Council agrees."],
    ),
    (
        "Russia – as always – supports dialogue. The EU agrees.",
        ["Russia – as always – supports dialogue.", "The EU agrees."],
    ),
    (
        "Rome was founded in 753 B.C. It grew quickly. In 44 B.C. Caesar was killed.",
        ["Rome was founded in 753 B.C.", "It grew quickly.", "In 44 B.C. Caesar was killed."],
    ),
    ("(The full text is attached.) The talks continue.", ["(The full text is attached.)", "The talks continue."]),
]

DE = [
    (
        "Am 9. November 2020 trafen sich die Minister in Berlin. Sie erörterten die Lage.",
        ["Am 9. November 2020 trafen sich die Minister in Berlin.", "Sie erörterten die Lage."],
    ),
    (
        "Das Abkommen vom 9.11.2020 gilt weiter. Es wird verlängert.",
        ["Das Abkommen vom 9.11.2020 gilt weiter.", "Es wird verlängert."],
    ),
    ("Im 19. Jahrhundert war das anders. Heute nicht.", ["Im 19. Jahrhundert war das anders.", "Heute nicht."]),
    (
        "Deutschland belegte Platz 3. Die Niederlande folgten.",
        ["Deutschland belegte Platz 3.", "Die Niederlande folgten."],
    ),
    (
        "Das geschah im Jahr 2020. Deutschland reagierte sofort.",
        ["Das geschah im Jahr 2020.", "Deutschland reagierte sofort."],
    ),
    (
        "Minister S.W.Lawrow traf Herrn Dr. Steinmeier. Sie sprachen über Syrien.",
        ["Minister S.W.Lawrow traf Herrn Dr. Steinmeier.", "Sie sprachen über Syrien."],
    ),
    (
        "Das Gespräch führte S. W. Lawrow. Es dauerte zwei Stunden.",
        ["Das Gespräch führte S. W. Lawrow.", "Es dauerte zwei Stunden."],
    ),
    (
        "Viele Länder, z. B. Frankreich, unterstützen das. Andere nicht.",
        ["Viele Länder, z. B. Frankreich, unterstützen das.", "Andere nicht."],
    ),
    ("Es ging um Handel, Energie, Kultur usw.", ["Es ging um Handel, Energie, Kultur usw."]),
    (
        "Es ging um Handel, Energie, Kultur usw. Die nächste Runde folgt im Mai.",
        ["Es ging um Handel, Energie, Kultur usw.", "Die nächste Runde folgt im Mai."],
    ),
    ("Er sagte: „Wir sind einverstanden.“ Dann ging er.", ["Er sagte: „Wir sind einverstanden.“", "Dann ging er."]),
    ("Er sagte: »Wir sind einverstanden.« Dann ging er.", ["Er sagte: »Wir sind einverstanden.«", "Dann ging er."]),
    ("Er sprach von ›Provokation‹. Danach schwieg er.", ["Er sprach von ›Provokation‹.", "Danach schwieg er."]),
    (
        "Der Umsatz betrug 1.000,5 Mio. Euro. Das ist ein Rekord.",
        ["Der Umsatz betrug 1.000,5 Mio. Euro.", "Das ist ein Rekord."],
    ),
    (
        "Der Handel wuchs auf 5 Mio. Die Zahl der Touristen sank.",
        ["Der Handel wuchs auf 5 Mio.", "Die Zahl der Touristen sank."],
    ),
    (
        "Die Seiten vereinbarten Folgendes: 1. Der Handel wird ausgebaut. 2. Visa werden erleichtert.",
        ["Die Seiten vereinbarten Folgendes: 1. Der Handel wird ausgebaut.", "2. Visa werden erleichtert."],
    ),
    (
        "Weitere Informationen unter www.mid.ru. Anfragen an info@mid.ru. Danke.",
        ["Weitere Informationen unter www.mid.ru.", "Anfragen an info@mid.ru.", "Danke."],
    ),
    (
        "Die Verhandlungen dauerten an … Schließlich kam es zur Einigung.",
        ["Die Verhandlungen dauerten an …", "Schließlich kam es zur Einigung."],
    ),
    (
        "Die Resolution Nr. 2254 wurde angenommen. Sie fordert Gespräche.",
        ["Die Resolution Nr. 2254 wurde angenommen.", "Sie fordert Gespräche."],
    ),
    (
        "Das Abkommen vom 5. Okt. 2020 gilt. Es wird verlängert.",
        ["Das Abkommen vom 5. Okt. 2020 gilt.", "Es wird verlängert."],
    ),
    (
        "Der Botschafter beim Hl. Stuhl sprach. Er war zufrieden.",
        ["Der Botschafter beim Hl. Stuhl sprach.", "Er war zufrieden."],
    ),
    (
        "Das Reich Karls des Großen zerfiel. Ludwig II. Regierte danach.",
        ["Das Reich Karls des Großen zerfiel.", "Ludwig II. Regierte danach."],
    ),
    ("Was tun? Wir müssen handeln! Der Rat stimmt zu.", ["Was tun?", "Wir müssen handeln!", "Der Rat stimmt zu."]),
]

FR = [
    (
        "M. Lavrov a rencontré M. Le Drian. Ils ont discuté de la Syrie.",
        ["M. Lavrov a rencontré M. Le Drian.", "Ils ont discuté de la Syrie."],
    ),
    (
        "S.E. M. Sergueï Lavrov a reçu l’ambassadeur. La rencontre a été cordiale.",
        ["S.E. M. Sergueï Lavrov a reçu l’ambassadeur.", "La rencontre a été cordiale."],
    ),
    (
        "Le ministre S.V.Lavrov a pris la parole. Il a salué les efforts.",
        ["Le ministre S.V.Lavrov a pris la parole.", "Il a salué les efforts."],
    ),
    (
        "Les entretiens ont été menés par S. V. Lavrov. Ils ont duré deux heures.",
        ["Les entretiens ont été menés par S. V. Lavrov.", "Ils ont duré deux heures."],
    ),
    (
        "Il a déclaré : « Nous sommes d’accord. » Puis il est parti.",
        ["Il a déclaré : « Nous sommes d’accord. »", "Puis il est parti."],
    ),
    (
        f"Il a demandé{NBSP}: «{NBSP}Êtes-vous sûr{NBSP}?{NBSP}» Puis il est parti.",
        [f"Il a demandé{NBSP}: «{NBSP}Êtes-vous sûr{NBSP}?{NBSP}»", "Puis il est parti."],
    ),
    (
        "Il a parlé d’une ‹ provocation ›. Les négociations ont été suspendues.",
        ["Il a parlé d’une ‹ provocation ›.", "Les négociations ont été suspendues."],
    ),
    (
        "MM. Lavrov et Le Drian ont signé. Le texte est publié.",
        ["MM. Lavrov et Le Drian ont signé.", "Le texte est publié."],
    ),
    (
        "Ils ont évoqué le commerce, l’énergie, la culture, etc. La prochaine session aura lieu à Moscou.",
        ["Ils ont évoqué le commerce, l’énergie, la culture, etc.", "La prochaine session aura lieu à Moscou."],
    ),
    (
        "Plusieurs pays, p. ex. l’Allemagne, ont soutenu le texte. D’autres se sont abstenus.",
        ["Plusieurs pays, p. ex. l’Allemagne, ont soutenu le texte.", "D’autres se sont abstenus."],
    ),
    (
        "Les échanges ont atteint 1 000,5 millions d’euros. C’est un record.",
        ["Les échanges ont atteint 1 000,5 millions d’euros.", "C’est un record."],
    ),
    (
        "L’accord signé le 9.11.2020 reste en vigueur. Il sera prolongé.",
        ["L’accord signé le 9.11.2020 reste en vigueur.", "Il sera prolongé."],
    ),
    (
        "La réunion du 5 nov. 2020 a été productive. Les parties ont signé.",
        ["La réunion du 5 nov. 2020 a été productive.", "Les parties ont signé."],
    ),
    (
        "La ville a été fondée au VIIe siècle av. J.-C. Elle est aujourd’hui la capitale.",
        ["La ville a été fondée au VIIe siècle av. J.-C.", "Elle est aujourd’hui la capitale."],
    ),
    (
        "Les discussions ont duré… Enfin, un accord a été trouvé.",
        ["Les discussions ont duré…", "Enfin, un accord a été trouvé."],
    ),
    (
        "Le texte est disponible sur www.mid.ru. Écrivez à info@mid.ru. Merci.",
        ["Le texte est disponible sur www.mid.ru.", "Écrivez à info@mid.ru.", "Merci."],
    ),
    (
        "Que faire ? Il faut agir ! Le Conseil est d’accord.",
        ["Que faire ?", "Il faut agir !", "Le Conseil est d’accord."],
    ),
    (
        "Les parties sont convenues de ce qui suit : 1. Développer le commerce. 2. Simplifier les visas.",
        ["Les parties sont convenues de ce qui suit : 1. Développer le commerce.", "2. Simplifier les visas."],
    ),
    (
        "Conformément à l’art. 51 de la Charte, chaque État a ce droit. C’est un principe reconnu.",
        ["Conformément à l’art. 51 de la Charte, chaque État a ce droit.", "C’est un principe reconnu."],
    ),
    (
        "La Russie — comme toujours — soutient le dialogue. L’UE est d’accord.",
        ["La Russie — comme toujours — soutient le dialogue.", "L’UE est d’accord."],
    ),
]

ES = [
    (
        "El Sr. Lavrov se reunió con la Sra. Linde. Hablaron de Siria.",
        ["El Sr. Lavrov se reunió con la Sra. Linde.", "Hablaron de Siria."],
    ),
    (
        "S.E. el Sr. Serguéi Lavrov recibió al embajador. La reunión fue cordial.",
        ["S.E. el Sr. Serguéi Lavrov recibió al embajador.", "La reunión fue cordial."],
    ),
    (
        "El Excmo. Sr. D. Serguéi Lavrov intervino. Luego habló el ministro.",
        ["El Excmo. Sr. D. Serguéi Lavrov intervino.", "Luego habló el ministro."],
    ),
    (
        "Se ha comentado la carta del sr. Comey. Nadie respondió.",
        ["Se ha comentado la carta del sr. Comey.", "Nadie respondió."],
    ),
    (
        "El ministro S.V.Lavrov tomó la palabra. Saludó los esfuerzos.",
        ["El ministro S.V.Lavrov tomó la palabra.", "Saludó los esfuerzos."],
    ),
    (
        "Las conversaciones fueron dirigidas por S. V. Lavrov. Duraron dos horas.",
        ["Las conversaciones fueron dirigidas por S. V. Lavrov.", "Duraron dos horas."],
    ),
    (
        "La delegación llegó a EE. UU. El diálogo comenzó el lunes.",
        ["La delegación llegó a EE. UU.", "El diálogo comenzó el lunes."],
    ),
    (
        "¿Qué hacer? ¡Hay que actuar! El Consejo está de acuerdo.",
        ["¿Qué hacer?", "¡Hay que actuar!", "El Consejo está de acuerdo."],
    ),
    ("Dijo: «Estamos de acuerdo.» Luego se fue.", ["Dijo: «Estamos de acuerdo.»", "Luego se fue."]),
    (
        "Lo llamó “una provocación”. Las conversaciones se interrumpieron.",
        ["Lo llamó “una provocación”.", "Las conversaciones se interrumpieron."],
    ),
    (
        "Se habló de comercio, energía, cultura, etc. La próxima ronda será en París.",
        ["Se habló de comercio, energía, cultura, etc.", "La próxima ronda será en París."],
    ),
    (
        "El comercio alcanzó 1.000,5 millones de euros. Es un récord.",
        ["El comercio alcanzó 1.000,5 millones de euros.", "Es un récord."],
    ),
    (
        "El acuerdo se firmó el 5 nov. 2020 en Moscú. Entró en vigor en dic. 2020.",
        ["El acuerdo se firmó el 5 nov. 2020 en Moscú.", "Entró en vigor en dic. 2020."],
    ),
    (
        "La ciudad fue fundada en el siglo VII a. C. Hoy es la capital.",
        ["La ciudad fue fundada en el siglo VII a. C.", "Hoy es la capital."],
    ),
    (
        "Varios países, p. ej. Alemania, apoyaron el texto. Otros se abstuvieron.",
        ["Varios países, p. ej. Alemania, apoyaron el texto.", "Otros se abstuvieron."],
    ),
    (
        "El texto está disponible en www.mid.ru. Escriba a info@mid.ru. Gracias.",
        ["El texto está disponible en www.mid.ru.", "Escriba a info@mid.ru.", "Gracias."],
    ),
    (
        "Las negociaciones duraron… Finalmente se llegó a un acuerdo.",
        ["Las negociaciones duraron…", "Finalmente se llegó a un acuerdo."],
    ),
    (
        "Las partes acordaron lo siguiente: 1. Ampliar el comercio. 2. Simplificar los visados.",
        ["Las partes acordaron lo siguiente: 1. Ampliar el comercio.", "2. Simplificar los visados."],
    ),
    (
        "Según el art. 51 de la Carta, los Estados tienen ese derecho. Es un principio reconocido.",
        ["Según el art. 51 de la Carta, los Estados tienen ese derecho.", "Es un principio reconocido."],
    ),
    (
        "Rusia —como siempre— apoya el diálogo. La UE está de acuerdo.",
        ["Rusia —como siempre— apoya el diálogo.", "La UE está de acuerdo."],
    ),
]

RU = [
    (
        "Министр С.В.Лавров провел переговоры. Стороны обсудили Сирию.",
        ["Министр С.В.Лавров провел переговоры.", "Стороны обсудили Сирию."],
    ),
    (
        "Министр провел переговоры с И.Г.Алиевым. Стороны обсудили Карабах.",
        ["Министр провел переговоры с И.Г.Алиевым.", "Стороны обсудили Карабах."],
    ),
    (
        "Переговоры провел С. В. Лавров. Они продлились два часа.",
        ["Переговоры провел С. В. Лавров.", "Они продлились два часа."],
    ),
    (
        "Встреча состоялась 5 нояб. 2020 г. в Москве. Стороны подписали меморандум.",
        ["Встреча состоялась 5 нояб. 2020 г. в Москве.", "Стороны подписали меморандум."],
    ),
    (
        "Встреча прошла в г. Москве. Следующая пройдет в г. Баку.",
        ["Встреча прошла в г. Москве.", "Следующая пройдет в г. Баку."],
    ),
    (
        "Соглашение было подписано в 2020 г. В нем закреплены основные принципы.",
        ["Соглашение было подписано в 2020 г.", "В нем закреплены основные принципы."],
    ),
    (
        "22 октября 2020 г. Министр иностранных дел С.В.Лавров провел переговоры.",
        ["22 октября 2020 г. Министр иностранных дел С.В.Лавров провел переговоры."],
    ),
    (
        "Речь идет о ключевом партнере, т. е. Китае. Это важно.",
        ["Речь идет о ключевом партнере, т. е. Китае.", "Это важно."],
    ),
    (
        "Обсуждались торговля, энергетика, культура и т. д. Следующий раунд пройдет в Париже.",
        ["Обсуждались торговля, энергетика, культура и т. д.", "Следующий раунд пройдет в Париже."],
    ),
    ("Речь шла о санкциях, пошлинах и т.п.", ["Речь шла о санкциях, пошлинах и т.п."]),
    (
        "Речь шла о санкциях, пошлинах и т.п. Далее выступил посол.",
        ["Речь шла о санкциях, пошлинах и т.п.", "Далее выступил посол."],
    ),
    ("Он заявил: «Мы согласны.» Затем он ушел.", ["Он заявил: «Мы согласны.»", "Затем он ушел."]),
    ("Он назвал это «провокацией». Переговоры прервались.", ["Он назвал это «провокацией».", "Переговоры прервались."]),
    (
        "— Мы согласны, — сказал министр. — Документ будет подписан.",
        ["— Мы согласны, — сказал министр.", "— Документ будет подписан."],
    ),
    (
        "Товарооборот составил 1 000,5 млн долларов. Это рекорд.",
        ["Товарооборот составил 1 000,5 млн долларов.", "Это рекорд."],
    ),
    (
        "Объем инвестиций достиг 5 млрд. В прошлом году он был меньше.",
        ["Объем инвестиций достиг 5 млрд.", "В прошлом году он был меньше."],
    ),
    (
        "Товарооборот превысил 2,5 млрд. долл. США. Это рекорд.",
        ["Товарооборот превысил 2,5 млрд. долл. США.", "Это рекорд."],
    ),
    (
        "Он сказал: «Договоренности от 10 окт. 2020 г.» С.Лавров подчеркнул это.",
        ["Он сказал: «Договоренности от 10 окт. 2020 г.»", "С.Лавров подчеркнул это."],
    ),
    (
        "Г-н Лавров встретился с г-ном Блинкеном. Встреча прошла в Женеве.",
        ["Г-н Лавров встретился с г-ном Блинкеном.", "Встреча прошла в Женеве."],
    ),
    (
        "Подробности на сайте www.mid.ru. Вопросы направляйте на info@mid.ru. Спасибо.",
        ["Подробности на сайте www.mid.ru.", "Вопросы направляйте на info@mid.ru.", "Спасибо."],
    ),
    ("Переговоры шли долго… Наконец стороны договорились.", ["Переговоры шли долго…", "Наконец стороны договорились."]),
    ("Что делать? Надо договариваться! Совет согласен.", ["Что делать?", "Надо договариваться!", "Совет согласен."]),
    (
        "Стороны договорились: 1. Расширить торговлю. 2. Упростить визы.",
        ["Стороны договорились: 1. Расширить торговлю.", "2. Упростить визы."],
    ),
    (
        "Город был основан в VII в. до н. э. Сегодня это столица.",
        ["Город был основан в VII в. до н. э.", "Сегодня это столица."],
    ),
    (
        "Доклад сделал проф. Иванов. Дискуссия была оживленной.",
        ["Доклад сделал проф. Иванов.", "Дискуссия была оживленной."],
    ),
    (
        "Согласно ст. 51 Устава ООН государства имеют право на самооборону. Это общепризнано.",
        ["Согласно ст. 51 Устава ООН государства имеют право на самооборону.", "Это общепризнано."],
    ),
]

CASES = [
    (lang, text, want)
    for lang, cases in (("en", EN), ("de", DE), ("fr", FR), ("es", ES), ("ru", RU))
    for text, want in cases
]


@pytest.mark.parametrize(("lang", "text", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_diplomatic_sentences(lang: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, lang) == expected


@pytest.mark.parametrize(("lang", "text"), [(lang, text) for lang, text, _ in CASES])
def test_sentences_rebuild_the_paragraph(lang: str, text: str) -> None:
    spaced = text.replace(". ", ".  \n\t ").replace("? ", "?\n")
    assert " ".join(split_sentences(spaced, lang)) == text


def test_whitespace_is_normalised_but_single_no_break_spaces_are_kept() -> None:
    text = f"  Il a dit{NBSP}:  oui.\n\nPuis{NBSP}{NBSP}il est parti.  "
    assert split_sentences(text, "fr") == [f"Il a dit{NBSP}: oui.", "Puis il est parti."]


def test_a_no_break_space_after_a_period_never_splits() -> None:
    assert split_sentences(f"Это было в 2020 г.{NBSP}В Москве.", "ru") == [f"Это было в 2020 г.{NBSP}В Москве."]
    assert split_sentences("Это было в 2020 г. В Москве.", "ru") == ["Это было в 2020 г.", "В Москве."]


@pytest.mark.parametrize("lang", ["en", "de", "fr", "es", "ru"])
def test_random_text_is_never_altered(lang: str) -> None:
    pieces = [*"aZ. .!?…«»„“”\"'()[]:-—1 \n\tЖжé", NBSP, "Mr.", "г.", "z. B.", " 1. ", "U.S.", "etc. ", "В ", "The "]
    rng = random.Random(lang)
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(40)))
        sentences = split_sentences(text, lang)
        assert all(sentence and sentence == sentence.strip() for sentence in sentences)
        assert "".join("".join(sentences).split()) == "".join(text.split())


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text, "en") == []


def test_language_codes_are_normalised() -> None:
    text = "Mr. Smith arrived. He spoke."
    assert split_sentences(text, "EN-gb") == split_sentences(text, "eng") == ["Mr. Smith arrived.", "He spoke."]


@pytest.mark.parametrize("code", ["english", "xx", "", "e1"])
def test_unknown_language_code_is_an_error(code: str) -> None:
    with pytest.raises(LanguageError):
        split_sentences("Hello. World.", code)


def test_other_languages_use_generic_rules_and_warn_once(caplog: pytest.LogCaptureFixture) -> None:
    text = "La kunveno okazis en Berlino. Dr. Zamenhof parolis. Ĉu vi konsentas? Jes!"
    with caplog.at_level(logging.WARNING, logger="aligner.segment"):
        first = split_sentences(text, "eo")
        second = split_sentences(text, "EO")
    assert first == second == ["La kunveno okazis en Berlino.", "Dr. Zamenhof parolis.", "Ĉu vi konsentas?", "Jes!"]
    warnings = [r for r in caplog.records if r.name == "aligner.segment"]
    assert len(warnings) == 1 and "'eo'" in warnings[0].getMessage() and "generic" in warnings[0].getMessage()


def test_segment_splits_title_and_each_paragraph_separately() -> None:
    document = Document(
        lang="ru",
        title="Выступление С.В.Лаврова",
        paragraphs=("Уважаемые коллеги! Благодарю вас", "за приглашение. Начнем."),
        source="https://www.mid.ru/ru/1",
        date="5 нояб. 2020 г.",
        doc_id="1",
    )
    result = segment(document)
    assert result == SegmentedDocument(
        lang="ru",
        paragraphs=(
            ("Выступление С.В.Лаврова",),
            ("Уважаемые коллеги!", "Благодарю вас"),
            ("за приглашение.", "Начнем."),
        ),
        source="https://www.mid.ru/ru/1",
        doc_id="1",
        date="5 нояб. 2020 г.",
    )
    assert result.paragraph_starts == (0, 1, 3)


def test_segment_normalises_the_language_and_keeps_blank_blocks_empty() -> None:
    result = segment(Document(lang="DE-de", paragraphs=("Gut. Danke.", "  ")))
    assert result.lang == "de"
    assert result.paragraphs == (("Gut.", "Danke."), ())


def test_segment_rejects_an_unknown_language() -> None:
    with pytest.raises(LanguageError):
        segment(Document(lang="klingon", paragraphs=("Qapla'.",)))


@pytest.mark.skipif(not PUD.is_dir(), reason=f"UD PUD treebanks not found at {PUD}")
@pytest.mark.parametrize("lang", ["en", "de", "fr", "es", "ru"])
def test_pud_boundary_f1_is_at_least_99(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(ROOT / "benchmarks")  # as `python benchmarks/segment_pud.py` would: for _common
    pud = runpy.run_path(str(ROOT / "benchmarks" / "segment_pud.py"))
    documents = pud["load_documents"](PUD / f"{lang}_pud-ud-test.conllu")
    _, _, f1 = pud["prf"](*pud["score"](lang, documents, False))
    assert f1 >= 99.0


def test_an_overlong_sentence_is_split_at_clause_boundaries_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    clause = "the parties reaffirmed their commitment to the principles of the charter"  # 72 characters
    text = "; ".join([clause] * 100) + "."
    with caplog.at_level(logging.WARNING, logger="aligner.segment"):
        result = segment(Document(lang="en", paragraphs=(text,), source="long.txt"))
    sentences = result.sentences
    assert len(sentences) > 1
    assert all(len(s) <= MAX_SENTENCE_CHARS for s in sentences)
    assert all(s.endswith((";", ".")) for s in sentences)  # cut after a clause, not inside one
    assert " ".join(sentences) == text
    assert any("long.txt" in r.getMessage() and "1 sentence" in r.getMessage() for r in caplog.records)


def test_a_line_without_punctuation_is_split_at_spaces_and_a_run_without_spaces_anywhere() -> None:
    words = " ".join(["word"] * 10_000)
    pieces = split_sentences(words, "en")
    assert all(len(p) <= MAX_SENTENCE_CHARS for p in pieces)
    assert " ".join(pieces) == words
    blob = "x" * (3 * MAX_SENTENCE_CHARS)
    assert "".join(split_sentences(blob, "en")) == blob


def test_ordinary_long_sentences_are_left_whole() -> None:
    sentence = "The ministers, " + "having met at length, " * 40 + "agreed."
    assert split_sentences(sentence, "en") == [sentence]
