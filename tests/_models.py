"""What tests that run the real encoder share: a five-language text and one on-disk embedding cache.

The encoder itself comes from the session-scoped ``use_encoder`` fixture in ``conftest.py``. Library
tests wrap it in ``EmbeddingCache(use_encoder, cache_dir=...)`` and CLI tests pass the same folder as
``--cache-dir``, so a text embedded by one test module is read from disk by the next instead of being
embedded (and the model loaded) again.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def embedding_cache_dir(factory: pytest.TempPathFactory) -> Path:
    """The session's embedding cache folder (under pytest's base temporary directory)."""
    folder = factory.getbasetemp() / "embeddings"
    folder.mkdir(exist_ok=True)
    return folder


#: One short statement; sentence k of every language translates sentence k of every other.
PARALLEL: dict[str, tuple[str, ...]] = {
    "en": (
        "The museum reopened on Saturday after two years of renovation.",
        "More than five thousand visitors came on the first day.",
        "The new wing houses a collection of medieval manuscripts.",
        "Entry is free for children under twelve.",
        "The director thanked the city for its financial support.",
        "Next spring the museum will host an exhibition on the history of printing.",
        "Tickets can be bought online or at the entrance.",
        "The café on the roof offers a view over the old town.",
    ),
    "de": (
        "Das Museum wurde am Samstag nach zwei Jahren Renovierung wiedereröffnet.",
        "Am ersten Tag kamen mehr als fünftausend Besucher.",
        "Im neuen Flügel befindet sich eine Sammlung mittelalterlicher Handschriften.",
        "Für Kinder unter zwölf Jahren ist der Eintritt frei.",
        "Der Direktor dankte der Stadt für ihre finanzielle Unterstützung.",
        "Im nächsten Frühjahr zeigt das Museum eine Ausstellung zur Geschichte des Buchdrucks.",
        "Eintrittskarten kann man online oder am Eingang kaufen.",
        "Das Café auf dem Dach bietet einen Blick über die Altstadt.",
    ),
    "fr": (
        "Le musée a rouvert samedi après deux ans de rénovation.",
        "Plus de cinq mille visiteurs sont venus le premier jour.",
        "La nouvelle aile abrite une collection de manuscrits médiévaux.",
        "L'entrée est gratuite pour les enfants de moins de douze ans.",
        "Le directeur a remercié la ville pour son soutien financier.",
        "Au printemps prochain, le musée accueillera une exposition sur l'histoire de l'imprimerie.",
        "Les billets peuvent être achetés en ligne ou à l'entrée.",
        "Le café sur le toit offre une vue sur la vieille ville.",
    ),
    "es": (
        "El museo reabrió el sábado tras dos años de renovación.",
        "Más de cinco mil visitantes acudieron el primer día.",
        "El ala nueva alberga una colección de manuscritos medievales.",
        "La entrada es gratuita para los niños menores de doce años.",
        "El director agradeció a la ciudad su apoyo financiero.",
        "La próxima primavera el museo acogerá una exposición sobre la historia de la imprenta.",
        "Las entradas pueden comprarse en línea o en la entrada.",
        "La cafetería de la azotea ofrece vistas al casco antiguo.",
    ),
    "ru": (
        "Музей вновь открылся в субботу после двух лет реконструкции.",
        "В первый день его посетили более пяти тысяч человек.",
        "В новом крыле размещена коллекция средневековых рукописей.",
        "Для детей до двенадцати лет вход бесплатный.",
        "Директор поблагодарил город за финансовую поддержку.",
        "Следующей весной в музее пройдёт выставка, посвящённая истории книгопечатания.",
        "Билеты можно купить онлайн или у входа.",
        "Кафе на крыше предлагает вид на старый город.",
    ),
}
