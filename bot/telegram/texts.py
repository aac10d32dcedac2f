"""French user-facing strings, as plain text: `bot.telegram.answer_messages` escapes
and formats them.
"""

from __future__ import annotations

from typing import Final

NETWORK: Final = "Réseau national des incubateurs de l'ESS"  # its name since 2025
BOT_NAME: Final = f"Assistant numérique du {NETWORK}"

WELCOME: Final = (
    "Bonjour ! Je réponds à vos questions sur le numérique à partir des ressources et des "
    f"comptes rendus d'ateliers du {NETWORK}, animé par l'Avise."
)
WELCOME_HOWTO: Final = (
    "Écrivez simplement votre question. Chaque réponse cite ses sources : vérifiez-les, "
    "elles font foi."
)
EXAMPLES_TITLE: Final = "Par exemple :"
EXAMPLES: Final = (
    "Quel outil libre pour partager des fichiers dans notre structure ?",
    "Comment se mettre en conformité avec le RGPD quand on accompagne des porteurs de projet ?",
    "Quelles bonnes pratiques pour animer un atelier à distance ?",
)
PRIVACY: Final = (
    "Confidentialité : je conserve vos questions et vos avis pour améliorer la base, "
    "sous un pseudonyme ; jamais avec votre nom ni votre identifiant Telegram. "
    "Détails et effacement : /confidentialite"
)

HELP_TITLE: Final = "Comment m'utiliser"
HELP_LINES: Final = (
    "En privé : écrivez votre question, je réponds avec les sources.",
    "Dans un groupe : /question suivi de votre question, ou mentionnez-moi, "
    "ou répondez à l'un de mes messages.",
    "Partout : tapez @{username} suivi d'une question pour envoyer une fiche réponse.",
    "Sous chaque réponse : 👍 / 👎 pour donner votre avis, 📤 Partager pour l'envoyer dans "
    "un groupe, \N{HEAVY PLUS SIGN} Plus de sources pour voir d'autres documents.",
    "Sans réponse, en privé : 🙋 Demander à l'équipe transmet votre question aux animateurs, "
    "🔔 Me prévenir vous envoie la réponse dès que la base la connaît.",
)
HELP_COMMANDS: Final = (
    ("/sources", "ce que couvre la base, par thème"),
    ("/ateliers", "les derniers comptes rendus d'ateliers"),
    ("/question", "poser une question (dans un groupe)"),
    ("/confidentialite", "ce que je conserve et comment l'effacer"),
    ("/oubli", "effacer toutes vos données (en privé)"),
    ("/aide", "ce message"),
)

GROUP_WELCOME: Final = (
    f"Bonjour à toutes et à tous ! Je suis l'assistant numérique du {NETWORK}, animé par "
    "l'Avise : je réponds aux questions sur le numérique à partir des ressources et des "
    "comptes rendus d'ateliers du réseau, avec leurs sources."
)
GROUP_HOWTO: Final = (
    "Je reste silencieux sauf si l'on s'adresse à moi : /question suivi de votre question, "
    "une mention, ou une réponse à l'un de mes messages."
)
GROUP_PRIVACY: Final = (
    "Confidentialité : je ne lis pas les conversations du groupe ; je conserve seulement les "
    "questions qui me sont posées, sous un pseudonyme, jamais avec votre nom. "
    "Détails : /confidentialite"
)

ANSWER_SOURCES: Final = "Sources"
MORE_SOURCES_TITLE: Final = "Autres sources"
NO_MORE_SOURCES: Final = "Je n'ai pas d'autre source pour cette question."
NO_ANSWER_TITLE: Final = "Je n'ai pas trouvé de réponse dans la base de ressources."
NO_ANSWER_RELATED: Final = "Documents les plus proches"
NO_ANSWER_COVERS: Final = "Pour voir ce que couvre la base : /sources"
NO_ANSWER_CONTACT: Final = "Pour aller plus loin, contactez {contact}."
CHECK_SOURCE: Final = "Réponse issue de la base de ressources du réseau : vérifiez la source."
CARD_QUESTION: Final = "Question"
CARD_NO_ANSWER: Final = "La base de ressources du réseau n'a pas de réponse à cette question."

TYPE_LABELS: Final = {
    "ressource": "ressource",
    "atelier": "compte rendu d'atelier",
    "glossaire": "glossaire",
    "reponse": "réponse de l'équipe",
}
WRITTEN_ON: Final = "fiche rédigée le {date}"  # date of a sheet: written or last reviewed
WORKSHOP_ON: Final = "atelier du {date}"
FACTS_OF: Final = "faits de {year}"
EXAMPLE_LABEL: Final = " (exemple)"  # after the title of a file marked `exemple: true`
TO_CHECK: Final = "⚠️ à vérifier"  # the sheet's review date has passed
FURTHER_READING: Final = "Pour aller plus loin"
MONTHS: Final = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

BUTTON_UP: Final = "👍"
BUTTON_DOWN: Final = "👎"
BUTTON_SHARE: Final = "📤 Partager"
BUTTON_MORE: Final = "\N{HEAVY PLUS SIGN} Plus de sources"
BUTTON_DOCUMENT: Final = "📎 Le document"
BUTTON_DOCUMENT_N: Final = "📎 Document {rank}"
DOCUMENT_UNAVAILABLE: Final = "Ce document n'est plus disponible dans la base."
BUTTON_THANKS: Final = "✅ Merci pour votre avis"
BUTTON_OPEN_PRIVATE: Final = "💬 Poser une question en privé"
BUTTON_ASK_BOT: Final = "💬 Poser une question à l'assistant"
BUTTON_CONTINUE_PRIVATE: Final = "💬 Continuer en privé"
REASONS: Final = {
    "hs": "Hors sujet",
    "inc": "Incomplet",
    "lien": "Lien cassé",
    "autre": "Autre",
}
FEEDBACK_THANKS: Final = "Merci pour votre avis !"
FEEDBACK_WHY: Final = "Merci ! Qu'est-ce qui n'allait pas ?"
FEEDBACK_UNKNOWN: Final = "Cette réponse n'est plus disponible."
SHARED_ANSWER_GONE: Final = (
    "Cette réponse n'est plus disponible : posez-moi à nouveau la question, je vous réponds ici."
)

CATALOGUE_TITLE: Final = "Ce que couvre la base de ressources"
CATALOGUE_MENU: Final = "{documents} et {themes}. Choisissez un thème pour voir ses documents :"
CATALOGUE_MORE: Final = "… et {count} autres : posez-moi une question pour les trouver."
CATALOGUE_BACK: Final = "⬅ Tous les thèmes"
CATALOGUE_GONE: Final = "Ce thème n'existe plus : tapez /sources pour voir les thèmes actuels."
CATALOGUE_EMPTY: Final = "La base de ressources est vide pour le moment."
CATALOGUE_OTHER_THEME: Final = "Autres sujets"
WORKSHOPS_TITLE: Final = "Derniers comptes rendus d'ateliers"
WORKSHOPS_EMPTY: Final = "Aucun compte rendu d'atelier dans la base pour le moment."

QUESTION_USAGE: Final = (
    "Posez votre question après la commande, par exemple : /question Quel outil pour "
    "faire une visioconférence ?"
)
MENTION_USAGE: Final = "Oui ? Posez-moi votre question dans le même message."
NON_TEXT: Final = (
    "Je ne sais lire que du texte : écrivez votre question en quelques mots "
    "(pas d'images, d'autocollants ni de messages vocaux)."
)
UNKNOWN_COMMAND: Final = (
    "Je ne connais pas cette commande. Tapez /aide pour voir ce que je sais faire."
)
RATE_LIMITED: Final = (
    "Vous avez posé beaucoup de questions en peu de temps. Réessayez dans {seconds} s, "
    "je serai ravi de vous répondre."
)
INDEX_NOT_READY: Final = (
    "La base de ressources est en cours de préparation. Réessayez dans quelques minutes."
)
ERROR_APOLOGY: Final = "Désolé, un problème m'empêche de répondre. Réessayez dans un instant."

ADMIN_REFUSED: Final = "Cette commande est réservée aux administrateurs de l'assistant."
REINDEX_STARTED: Final = "Réindexation de la base lancée…"
REINDEX_PROGRESS: Final = "Réindexation en cours : lecture, {done}/{total} fichiers"
REINDEX_PROGRESS_ENCODING: Final = "Réindexation en cours : encodage, {done}/{total} fichiers"
REINDEX_PROGRESS_SENTENCES: Final = (
    "Réindexation en cours : encodage des réponses types, {done}/{total} phrases"
)
REINDEX_BUSY: Final = "Une réindexation est déjà en cours ; attendez qu'elle se termine."
REINDEX_DONE: Final = "Réindexation terminée"
REINDEX_UNCHANGED: Final = "Aucun changement : la base était à jour."
REINDEX_COUNTS: Final = (
    ("added", "Fichiers ajoutés"),
    ("updated", "Fichiers mis à jour"),
    ("removed", "Fichiers retirés"),
    ("failed", "Fichiers en échec"),
)
REINDEX_UNCHANGED_COUNT: Final = "Fichiers inchangés : {count}"
REINDEX_UNUSABLE: Final = "Attention : l'index n'est pas utilisable, les réponses sont suspendues."

STATS_TITLE: Final = "Statistiques sur {period}"
STATS_QUESTIONS: Final = "Questions : {count}"
STATS_ANSWERED: Final = "Avec réponse : {count} ({rate})"
STATS_FEEDBACK: Final = "Avis : 👍 {up} · 👎 {down}"
STATS_REASONS: Final = "Raisons des 👎 : {reasons}"
STATS_UNANSWERED: Final = "Questions sans réponse les plus fréquentes"
STATS_NONE: Final = "Aucune question sans réponse sur la période."
STATS_USAGE: Final = "Usage : /stats [nombre de jours], par exemple /stats 7"

INLINE_SHARE_TITLE: Final = "Partager cette réponse"
INLINE_ANSWER_TITLE: Final = "Réponse : {question}"
INLINE_NO_ANSWER_TITLE: Final = "Pas de réponse dans la base"

COMMANDS_PRIVATE: Final = (
    ("start", "Présentation et exemples"),
    ("aide", "Comment m'utiliser"),
    ("sources", "Ce que couvre la base, par thème"),
    ("ateliers", "Derniers comptes rendus d'ateliers"),
    ("question", "Poser une question"),
    ("confidentialite", "Vos données et leur effacement"),
    ("oubli", "Effacer toutes mes données"),
)
COMMANDS_GROUP: Final = (
    ("question", "Poser une question à l'assistant"),
    ("aide", "Comment m'utiliser"),
    ("sources", "Ce que couvre la base, par thème"),
    ("ateliers", "Derniers comptes rendus d'ateliers"),
    ("confidentialite", "Vos données et leur effacement"),
)
COMMANDS_ADMIN: Final = (
    ("reindex", "Réindexer la base (admin)"),
    ("stats", "Statistiques d'usage (admin)"),
    ("verifier", "Vérifier les fiches de la base (admin)"),
    ("ajouter", "Ajouter une page web à la base (admin)"),
    ("resume", "Questions à traiter, sans attendre le résumé (admin)"),
    ("liens", "Vérifier les liens cités, maintenant (admin)"),
)

CHART_CAPTION: Final = "Questions par semaine, taux de réponse et satisfaction sur {period}"
CHART_CAPTION_THEMES: Final = "Thèmes les plus demandés : {themes}"

AUTO_REINDEX_SCHEDULED: Final = "Réindexation automatique (planifiée)"
AUTO_REINDEX_WATCH: Final = "Réindexation automatique (fichiers modifiés)"
AUTO_REINDEX_FAILED: Final = "La réindexation automatique a échoué"
AUTO_REINDEX_FAILED_HINT: Final = (
    "Les membres reçoivent toujours les réponses de l'index précédent. Relancez /reindex "
    "ou consultez le journal du bot."
)
LINKS_TITLE: Final = "Liens à vérifier dans la base"
REVIEW_DUE_TITLE: Final = "Fiches à relire (date de relecture passée)"
CHECK_TITLE: Final = "Vérification de la base"
CHECK_ERRORS: Final = "À corriger"
CHECK_WARNINGS: Final = "À savoir"
CHECK_CLEAN: Final = "Rien à corriger."
DIGEST_TITLE: Final = "Questions à traiter ({period})"
DIGEST_EMPTY: Final = "Aucune question sans réponse ni 👎 ({period}) : rien à traiter."
DIGEST_USAGE: Final = "Usage : /resume [nombre de jours], par exemple /resume 30"
LINKS_CHECKING: Final = "Vérification des liens cités par la base…"
DIGEST_COUNTS: Final = "Sans réponse : {unanswered} · Avec un 👎 : {disliked}"
DIGEST_INTRO: Final = (
    "Regroupées par similarité, les plus fréquentes d'abord : de quoi choisir les prochaines "
    "ressources et les prochains ateliers."
)
DIGEST_GROUP: Final = "{questions} : {unanswered} sans réponse, {disliked} avec un 👎"
DIGEST_REASONS: Final = "raisons : {reasons}"
DIGEST_ALSO: Final = "aussi : "

PRIVACY_TITLE: Final = "Vos données et votre vie privée"
PRIVACY_KEPT_TITLE: Final = "Ce que je conserve"
PRIVACY_KEPT: Final = (
    "les questions que vous me posez, la réponse donnée et les documents cités ;",
    "vos avis 👍 / 👎 et la raison choisie ;",
    "les groupes où je suis présent (leur nom, pas leurs conversations).",
)
PRIVACY_PSEUDONYM: Final = (
    "Vous n'y apparaissez que sous un pseudonyme, une empreinte chiffrée de votre identifiant "
    "Telegram : jamais votre nom, votre identifiant ni votre numéro. Avant d'enregistrer une "
    "question, j'y masque les adresses e-mail, numéros de téléphone et IBAN."
)
PRIVACY_WHY_TITLE: Final = "Pourquoi"
PRIVACY_WHY: Final = (
    "Pour vous répondre et permettre le partage d'une réponse ; pour repérer les questions "
    "restées sans réponse et enrichir les ressources et les ateliers ; pour des statistiques "
    "anonymes destinées aux partenaires du réseau."
)
PRIVACY_REQUESTS: Final = (
    "Si vous choisissez 🙋 Demander à l'équipe ou 🔔 Me prévenir : votre question (données "
    "personnelles masquées) et, le temps de la demande, l'identifiant de notre conversation "
    "pour vous répondre ; il est effacé dès la réponse envoyée, ou après {days} jours."
)
PRIVACY_HOW_LONG_TITLE: Final = "Combien de temps"
PRIVACY_HOW_LONG: Final = "{days} jours, puis tout est effacé automatiquement."
PRIVACY_ERASE_TITLE: Final = "Comment tout effacer"
PRIVACY_ERASE: Final = (
    "Envoyez-moi /oubli en message privé : après confirmation, j'efface aussitôt toutes vos "
    "questions et tous vos avis."
)
PRIVACY_CONTACT: Final = "Pour toute autre demande sur vos données, contactez {contact}."

FORGET_CONFIRM: Final = (
    "Voulez-vous effacer toutes vos questions, vos avis et vos demandes en attente ? "
    "C'est définitif, et les "
    "boutons sous mes anciennes réponses ne fonctionneront plus."
)
FORGET_YES: Final = "🗑 Oui, tout effacer"
FORGET_NO: Final = "Annuler"
FORGET_DONE: Final = "C'est fait : {questions} et {feedback} effacés. Il ne reste rien de vous ici."
FORGET_REQUESTS: Final = "Demandes à l'équipe et alertes effacées : {count}."
FORGET_NOTHING: Final = "Je n'avais rien enregistré à votre sujet : il n'y avait rien à effacer."
FORGET_CANCELLED: Final = "D'accord, rien n'a été effacé."
FORGET_PRIVATE_ONLY: Final = "Pour effacer vos données, envoyez-moi /oubli en message privé."

# --- When the base does not know: asking the team, alerts, additions (issue 13) ---
BUTTON_ESCALATE: Final = "🙋 Demander à l'équipe"
BUTTON_NOTIFY: Final = "🔔 Me prévenir"
BUTTON_ADD_TO_BASE: Final = "\N{HEAVY PLUS SIGN} Ajouter à la base"
ESCALATED: Final = (
    "Votre question a été transmise à l'équipe d'animation. Sa réponse arrivera ici, en "
    "général sous quelques jours ; sans réponse d'ici le {date}, la demande expire."
)
ESCALATED_AGAIN: Final = "Cette question a déjà été transmise à l'équipe."
ESCALATION_NO_TEAM: Final = (
    "Je n'ai pas pu joindre l'équipe pour le moment. Contactez {contact} directement."
)
NOTIFY_OK: Final = (
    "C'est noté : je vous enverrai la réponse ici si la base la trouve d'ici {days} jours."
)
TEAM_TITLE: Final = "🙋 Question d'un membre"
TEAM_QUESTION: Final = "Question"
TEAM_NEAREST: Final = "Documents les plus proches"
TEAM_NO_NEAREST: Final = "Aucun document proche dans la base."
TEAM_HOWTO: Final = (
    "Répondez à ce message pour transmettre votre réponse au membre, sans votre nom "
    "(commencez par {tag} pour la signer de votre prénom). Une seule réponse par question."
)
TEAM_EXPIRES: Final = "La demande expire le {date}."
TEAM_ANSWERED: Final = "✅ Répondu"
TEAM_ANSWER_LABEL: Final = "Réponse transmise"
TEAM_RELAYED: Final = (
    "Réponse transmise au membre. Pour que la base la connaisse, ajoutez-la en fiche."
)
TEAM_ALREADY: Final = (
    "Cette question a déjà reçu une réponse de l'équipe (ou la demande a expiré) : votre "
    "message n'a pas été transmis."
)
TEAM_MEMBER_GONE: Final = "Le membre n'a pas pu être joint (conversation fermée) : réponse perdue."
TEAM_WITHDRAWN: Final = "Demande retirée : le membre a effacé ses données (/oubli)."
SIGN_TAG: Final = "#signé"
TEAM_REPLY_TITLE: Final = "Réponse de l'équipe :"
TEAM_REPLY_SIGNED: Final = "Réponse de l'équipe ({name}) :"
TEAM_REPLY_QUESTION: Final = "Votre question : "
NOTICE_TITLE: Final = "Votre question du {date} a maintenant une réponse :"
ADDED_TITLE: Final = "Ajouté à la base : {title}"
UPDATED_TITLE: Final = "Mis à jour dans la base : {title}"
ADDED_FILE: Final = "Fichier : {path}"
ADDED_PASSAGES: Final = "Passages indexés : {count}"
ADDED_LATER: Final = "Une réindexation est en cours : le fichier sera indexé par la suivante."
ADD_ALREADY: Final = "Cette réponse est déjà dans la base : {path}"
ADD_REFUSED: Final = "Je n'ai rien ajouté : {reason}."
ADD_WORKING: Final = "Vérification, enregistrement et indexation…"
ADD_USAGE: Final = (
    "Usage : /ajouter <adresse d'une page>, par exemple /ajouter https://www.avise.org/"
)
DOCUMENT_MEMBER_REFUSED: Final = (
    "Merci ! Seuls les administrateurs peuvent ajouter des documents à la base : pour proposer "
    "une ressource, contactez {contact}. Je n'ai rien enregistré."
)
DOCUMENT_TOO_BIG: Final = "Je n'ai rien ajouté : fichier trop gros (limite {limit} Mo)."
STATS_CONTRIBUTIONS: Final = (
    "Demandes à l'équipe : {escalations} · réponses de l'équipe : {team_answers} · "
    "ajouts à la base : {additions} · alertes envoyées : {notifications}"
)
