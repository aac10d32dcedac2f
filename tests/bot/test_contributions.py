"""Growing the base: safe names and sheets, the guarded fetch, additions checked by the loaders,
requests to the team, alerts, and their place in /oubli and the purge."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy
from bot_testkit import FakeEngine, check_html, make_answer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.community.privacy import Privacy
from bot.contributions import sheets
from bot.contributions.additions import AdditionRefusedError, Additions
from bot.contributions.escalation import AlreadyAnsweredError, Escalations
from bot.contributions.fetching import FetchError, FetchPolicy, check_url, fetch_page
from bot.storage import contributions as store
from bot.storage import records
from bot.storage.records import hash_user
from bot.telegram import admin_messages as admin_render
from bot.telegram import answer_messages as render
from indexing.models import Answer

KEY = b"test-key"
NOW = dt.datetime(2026, 11, 12, 9, 30)
MEMBER, OTHER, MEMBER_CHAT = 1001, 2002, 1001
LOCAL = FetchPolicy(allow_private=True, timeout=5.0)


# ----------------------------------------------------------------------------- names and sheets
@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Rapport annuel 2025.PDF", "rapport-annuel-2025.pdf"),
        ("../../etc/passwd.md", "passwd.md"),
        ("..\\..\\Windows\\win.ini.txt", "win-ini.txt"),
        (".env.md", "env.md"),
        ("....md", "document.md"),
        ("Fiche écologie & numérique.docx", "fiche-ecologie-numerique.docx"),
    ],
)
def test_sent_file_names_are_made_safe(name: str, safe: str) -> None:
    assert sheets.safe_file_name(name, (".md", ".pdf", ".txt", ".docx")) == safe


@pytest.mark.parametrize("name", ["script.sh", "archive.tar.gz", "sans-extension", ".bashrc"])
def test_unknown_formats_are_refused(name: str) -> None:
    with pytest.raises(sheets.UnsafeNameError, match="format non pris en charge"):
        sheets.safe_file_name(name, (".md", ".pdf"))


def test_slugs_cut_between_words() -> None:
    assert sheets.slug("Qu'est-ce que le DLA ?") == "qu-est-ce-que-le-dla"
    long = sheets.slug("Comment financer un tiers-lieu numérique en milieu rural " * 3)
    assert len(long) <= sheets.SLUG_MAX and not long.endswith("-")
    assert long.split("-")[-1] in "comment financer un tiers lieu numerique en milieu rural"


def test_the_inbox_never_overwrites_and_stays_inside(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    inbox = sheets.Inbox(knowledge, knowledge / "reponses")
    first = inbox.write_new("fiche.md", b"un")
    second = inbox.write_new("fiche.md", b"deux")
    assert (first.name, second.name) == ("fiche.md", "fiche-2.md")
    assert first.read_bytes() == b"un" and second.read_bytes() == b"deux"
    assert inbox.relative(second) == "reponses/fiche-2.md"
    for bad in (".cache.md", "../evasion.md", "a/b.md"):
        with pytest.raises(sheets.UnsafeNameError):
            inbox.write_new(bad, b"x")
    with pytest.raises(sheets.UnsafeNameError):
        inbox.replace("ressources/dla.md", b"x")  # outside the inbox
    with pytest.raises(sheets.UnsafeNameError):
        sheets.Inbox(knowledge, tmp_path / "ailleurs")
    assert sorted(p.name for p in (knowledge / "reponses").iterdir()) == ["fiche-2.md", "fiche.md"]


# ----------------------------------------------------------------------------- fetching
@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/fiche", "http:// ou https://"),
        ("file:///etc/passwd", "http:// ou https://"),
        ("https://user:secret@example.org/", "identifiants"),
        ("http://127.0.0.1:8080/", "locale ou privée"),
        ("http://localhost/", "locale ou privée"),
        ("http://10.1.2.3/", "locale ou privée"),
        ("http://169.254.169.254/latest/meta-data", "locale ou privée"),
        ("http://[::1]/", "locale ou privée"),
        ("http://[fd00::1]/", "locale ou privée"),
    ],
)
def test_urls_outside_the_public_web_are_refused(url: str, reason: str) -> None:
    with pytest.raises(FetchError, match=reason):
        check_url(url, allow_private=False)


PAGE = (
    "<html><head><title>Le mécénat de compétences</title></head><body>"
    "<nav>Accueil · Contact · Plan du site</nav><article><h1>Le mécénat de compétences</h1>"
    "<p>Le mécénat de compétences est la mise à disposition gratuite de salariés d'une entreprise "
    "au profit d'une association d'intérêt général, sur leur temps de travail.</p>"
    "<p>L'entreprise peut déduire 60 % du coût salarial de son impôt, dans la limite de 20 000 "
    "euros ou de 0,5 % du chiffre d'affaires.</p></article><footer>Mentions légales</footer>"
    "</body></html>"
)


@pytest.fixture
def site() -> Iterator[str]:
    """A local web site: a page, redirects (one, a loop, one to ftp) and a huge page."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            routes = {"/ancienne": "/page", "/boucle": "/boucle", "/ftp": "ftp://example.org/"}
            if self.path in routes:
                self.send_response(302)
                self.send_header("Location", routes[self.path])
                self.end_headers()
                return
            kind, body = "text/html; charset=utf-8", PAGE.encode()
            if self.path == "/enorme":
                body = b"<p>" + b"x" * 200_000 + b"</p>"
            elif self.path == "/image":
                kind = "image/png"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.end_headers()  # no Content-Length: the limit must hold while reading
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_a_page_is_fetched_through_a_redirect_and_its_main_text_kept(site: str) -> None:
    page = fetch_page(f"{site}/ancienne", LOCAL)
    assert page.url == f"{site}/ancienne" and page.final_url == f"{site}/page"
    assert page.title == "Le mécénat de compétences"
    assert "60 % du coût salarial" in page.text
    assert "Mentions légales" not in page.text and "Plan du site" not in page.text


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/boucle", "trop de redirections"),
        ("/ftp", "http:// ou https://"),  # every hop is checked again
        ("/enorme", "trop grosse"),
        ("/image", "type de contenu non pris en charge"),
    ],
)
def test_fetch_limits(site: str, path: str, reason: str) -> None:
    policy = FetchPolicy(allow_private=True, timeout=5.0, max_bytes=100_000, max_redirects=3)
    with pytest.raises(FetchError, match=reason):
        fetch_page(f"{site}{path}", policy)


def test_loopback_is_refused_unless_allowed(site: str) -> None:
    with pytest.raises(FetchError, match="locale ou privée"):
        fetch_page(f"{site}/page", FetchPolicy())


# ----------------------------------------------------------------------------- additions
@pytest.fixture
def additions(tmp_path: Path, sessions: sessionmaker[Session]) -> Additions:
    knowledge = tmp_path / "knowledge"
    (knowledge / "ressources").mkdir(parents=True)
    return Additions(
        sheets.Inbox(knowledge, knowledge / "reponses"),
        sessions,
        max_bytes=1_000_000,
        fetch_policy=LOCAL,
        clock=lambda: NOW,
    )


def test_a_team_answer_becomes_a_sheet_the_loaders_read(
    additions: Additions, tmp_path: Path
) -> None:
    question = 'Faut-il un "agrément ESUS" : pour quoi faire ?'
    saved = additions.add_answer(question, "Il ouvre l'accès à l'épargne solidaire.")
    assert saved.path == "reponses/faut-il-un-agrement-esus-pour-quoi-faire.md"
    assert saved.title == question and saved.kind == "reponse" and saved.passages == 1
    text = (tmp_path / "knowledge" / saved.path).read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: 'Faut-il un \"agrément ESUS\" : pour quoi faire ?'\n")
    assert "type: reponse\ndate: '2026-11-12'\nauteur: équipe\n---\n" in text
    assert "## Question" not in text and "## Réponse\n\nIl ouvre" in text
    again = additions.add_answer(question, "Autre réponse.")
    assert again.path.endswith("-2.md")  # never overwritten


def test_documents_are_checked_by_the_loaders_before_saving(
    additions: Additions, tmp_path: Path
) -> None:
    inbox = tmp_path / "knowledge" / "reponses"
    for name, data, reason in [
        ("rapport.pdf", b"%PDF-1.4 broken", "PDF illisible ou corrompu"),
        ("notes.txt", b"\x00\x01\x02 binaire", "fichier binaire"),
        ("latin1.txt", "Intérêt général".encode("latin-1"), "encodage non UTF-8"),
        ("vide.md", b"---\ntitle: Vide\n---\n", "fichier vide"),
        ("cassé.md", b"---\ntitle: [oops\n---\ntexte", "en-tête YAML invalide"),
        ("page.exe", b"MZ", "format non pris en charge"),
    ]:
        with pytest.raises(AdditionRefusedError, match=reason):
            additions.add_file(name, data)
    assert not inbox.exists() or not list(inbox.iterdir())
    saved = additions.add_file("Compte rendu.txt", b"Un compte rendu d'atelier.")
    assert saved.path == "reponses/compte-rendu.txt" and saved.kind == "document"


def test_the_same_url_updates_its_sheet(
    additions: Additions, site: str, tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    first = additions.add_page(f"{site}/page")
    second = additions.add_page(f"{site}/page")
    assert first.path == second.path == "reponses/le-mecenat-de-competences.md"
    assert not first.updated and second.updated
    assert len(list((tmp_path / "knowledge" / "reponses").iterdir())) == 1
    text = (tmp_path / "knowledge" / first.path).read_text(encoding="utf-8")
    assert f"url: {site}/page" in text and "type: ressource" in text
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(store.AdditionRecord)) == 1


# ----------------------------------------------------------------------------- the service
def ask(sessions: sessionmaker[Session], user_id: int, question: str, chat: str = "private") -> int:
    with sessions.begin() as session:
        record = records.add_question(
            session,
            make_answer(question, answered=False, sources=2),
            user_hash=hash_user(KEY, user_id),
            chat_type=chat,
            group_id=None,
            latency_ms=3,
            now=NOW,
        )
        return record.id


class Learning(FakeEngine):
    """Answers only the questions it has learnt."""

    def __init__(self) -> None:
        super().__init__()
        self.known: set[str] = set()

    def answer(self, question: str, limit: int = 5) -> Answer:
        return make_answer(question, answered=question in self.known, sources=1)


@pytest.fixture
def escalations(sessions: sessionmaker[Session]) -> Escalations:
    return Escalations(Learning(), sessions, hash_key=KEY, days=14, clock=lambda: NOW)


async def test_a_request_is_answered_once_and_forgets_the_chat(
    escalations: Escalations, sessions: sessionmaker[Session]
) -> None:
    question = ask(sessions, MEMBER, "Où trouver un local ?")
    assert await escalations.escalate(question, OTHER, 9) is None  # not theirs
    group = ask(sessions, MEMBER, "Dans un groupe", chat="group")
    assert await escalations.escalate(group, MEMBER, MEMBER_CHAT) is None  # private only
    request = await escalations.escalate(question, MEMBER, MEMBER_CHAT)
    assert request is not None and request.new and len(request.sources) == 2
    assert request.expires_at == NOW + dt.timedelta(days=14)
    again = await escalations.escalate(question, MEMBER, MEMBER_CHAT)
    assert again is not None and not again.new and again.id == request.id
    await escalations.record_team_messages(request.id, [(42, 500), (43, 501)])
    html = admin_render.escalation(request)
    check_html(html)
    assert "Où trouver un local ?" in html and "12 novembre" not in html  # expires 26 novembre
    assert await escalations.relay(42, 499, "pas une demande") is None
    relay = await escalations.relay(43, 501, "  Voyez la mairie.  ")
    assert relay is not None and relay.member_chat_id == MEMBER_CHAT
    assert relay.answer == "Voyez la mairie." and relay.team_messages == ((42, 500), (43, 501))
    with pytest.raises(AlreadyAnsweredError):
        await escalations.relay(42, 500, "Une seconde réponse")
    with sessions() as session:
        record = session.get(store.EscalationRecord, request.id)
        assert record is not None and record.member_chat_id is None
        assert record.answer_text == "Voyez la mairie."
    assert not await escalations.vote(request.id, OTHER, up=True)
    assert await escalations.vote(request.id, MEMBER, up=False)


async def test_alerts_are_sent_once_when_the_base_learns(
    sessions: sessionmaker[Session],
) -> None:
    engine = Learning()
    escalations = Escalations(engine, sessions, hash_key=KEY, days=14, clock=lambda: NOW)
    question = ask(sessions, MEMBER, "Comment créer une SCIC ?")
    assert not await escalations.subscribe(question, OTHER, 5)
    assert await escalations.subscribe(question, MEMBER, MEMBER_CHAT)
    assert await escalations.subscribe(question, MEMBER, MEMBER_CHAT)  # twice: one alert
    assert await escalations.due_notices() == []  # still unknown
    engine.known.add("Comment créer une SCIC ?")
    [notice] = await escalations.due_notices()
    assert notice.chat_id == MEMBER_CHAT and notice.asked_at == NOW and notice.answer.answered
    assert await escalations.due_notices() == []  # once
    html = render.notice(notice.asked_at, notice.answer)
    check_html(html)
    assert html.startswith("🔔 <b>Votre question du 12 novembre a maintenant une réponse :</b>")
    with sessions() as session:
        [alert] = session.scalars(select(store.NotificationRecord)).all()
        assert alert.status == store.SENT and alert.chat_id is None


def test_french_days_say_1er() -> None:
    assert render.day_month(dt.date(2026, 12, 1)) == "1er décembre"
    assert render.day_month(dt.date(2026, 11, 12)) == "12 novembre"


# ----------------------------------------------------------------------------- privacy
async def test_forget_removes_requests_and_alerts(
    escalations: Escalations, sessions: sessionmaker[Session], db: sqlalchemy.Engine
) -> None:
    mine = ask(sessions, MEMBER, "Ma question")
    theirs = ask(sessions, OTHER, "Leur question")
    request = await escalations.escalate(mine, MEMBER, MEMBER_CHAT)
    assert request is not None
    await escalations.record_team_messages(request.id, [(42, 7)])
    await escalations.subscribe(mine, MEMBER, MEMBER_CHAT)
    await escalations.subscribe(theirs, OTHER, OTHER)
    erased = await Privacy(sessions, hash_key=KEY, retention_days=365).forget(MEMBER)
    assert erased.requests == 2 and erased.questions == 1
    assert erased.team_messages == ((42, 7),)  # to be marked withdrawn in the team chat
    assert "Demandes à l'équipe et alertes effacées : 2." in render.forget_done(erased)
    with sessions() as session:
        assert session.scalars(select(store.EscalationRecord)).all() == []
        assert session.scalars(select(store.TeamMessageRecord)).all() == []
        [kept] = session.scalars(select(store.NotificationRecord)).all()
        assert kept.user_hash == hash_user(KEY, OTHER)
    with db.connect() as connection:  # no chat id of the member left anywhere
        for table in ("bot_escalations", "bot_notifications", "bot_escalation_messages"):
            rows = connection.exec_driver_sql(f"SELECT * FROM {table}").all()  # noqa: S608
            assert all(MEMBER_CHAT not in row for row in rows)


async def test_the_purge_expires_pending_requests_then_deletes_old_ones(
    sessions: sessionmaker[Session],
) -> None:
    asked = NOW - dt.timedelta(days=20)
    old = Escalations(Learning(), sessions, hash_key=KEY, days=14, clock=lambda: asked)
    question = ask(sessions, MEMBER, "Une vieille question")
    assert await old.escalate(question, MEMBER, MEMBER_CHAT) is not None
    assert await old.subscribe(question, MEMBER, MEMBER_CHAT)
    fresh = ask(sessions, OTHER, "Une question récente")
    recent = Escalations(Learning(), sessions, hash_key=KEY, days=14, clock=lambda: NOW)
    assert await recent.subscribe(fresh, OTHER, OTHER)
    privacy = Privacy(sessions, hash_key=KEY, retention_days=365, clock=lambda: NOW)

    purged = privacy.purge_now()

    assert purged.expired == 2 and purged.requests == 0
    with sessions() as session:
        [request] = session.scalars(select(store.EscalationRecord)).all()
        assert request.status == store.EXPIRED and request.member_chat_id is None
        alerts = {a.user_hash: a for a in session.scalars(select(store.NotificationRecord))}
        assert alerts[hash_user(KEY, MEMBER)].chat_id is None
        assert alerts[hash_user(KEY, OTHER)].status == store.PENDING  # not yet 14 days
    assert privacy.purge_now(days=1).requests == 2  # retention: the expired rows go too


# ----------------------------------------------------------------------------- essbot add
def test_essbot_add_a_file_and_a_page_then_the_report_counts_them(
    tmp_path: Path,
    kb_dir: Path,
    site: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    for name in ("DATABASE_URL", "FETCH_ALLOW_PRIVATE", "KNOWLEDGE_INBOX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EMBEDDING_MODEL", "hashing")
    note = tmp_path / "Compte rendu du comité.md"
    note.write_text(
        "# Comité de pilotage\nLe comité valide le budget du tiers-lieu.\n", encoding="utf-8"
    )
    base = ["--data", "data", "--knowledge", str(kb_dir)]
    assert main([*base, "add", str(note)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Ajouté : reponses/compte-rendu-du-comite.md — Comité de pilotage")
    assert (kb_dir / "reponses" / "compte-rendu-du-comite.md").read_bytes() == note.read_bytes()

    assert main([*base, "add", f"{site}/page"]) == 1  # loopback, without the setting
    assert "adresse locale ou privée refusée" in capsys.readouterr().err
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE", "true")
    assert main([*base, "add", f"{site}/page"]) == 0
    assert "Le mécénat de compétences (" in capsys.readouterr().out
    assert main([*base, "add", f"{site}/page"]) == 0
    assert capsys.readouterr().out.startswith("Mis à jour : reponses/le-mecenat-de-competences.md")
    assert main([*base, "add", str(tmp_path / "absent.pdf")]) == 1

    today = records.utcnow().date().isoformat()
    assert main([*base, "report", "--from", today, "--to", today, "--out", "r"]) == 0
    report = Path(capsys.readouterr().out.split()[0]).read_text(encoding="utf-8")
    assert "- Ajouts à la base (fiches, documents, pages) : 2" in report


def test_stats_and_privacy_pages_mention_the_requests() -> None:
    from bot.storage.figures import Stats

    figures = Stats(7, 4, 2, 1, 1, (), (), store.ContributionCounts(3, 2, 5, 1))
    [page] = render.stats(figures)
    check_html(page)
    assert (
        "Demandes à l'équipe : 3 · réponses de l'équipe : 2 · ajouts à la base : 5 · "
        "alertes envoyées : 1" in page
    )
    privacy = "\n".join(render.privacy(365, "l'équipe", escalation_days=14))
    check_html(privacy)
    assert "Me prévenir" in privacy and "après 14 jours" in privacy


def test_an_unwritable_inbox_refuses_clearly(additions: Additions, tmp_path: Path) -> None:
    (tmp_path / "knowledge" / "reponses").write_text("not a folder", encoding="utf-8")
    with pytest.raises(AdditionRefusedError, match="pas accessible en écriture"):
        additions.add_file("fiche.md", b"# Fiche\nDu texte.\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#signé Voyez la mairie.", ("Voyez la mairie.", "Alex")),
        ("#SIGNE : Voyez la mairie.", ("Voyez la mairie.", "Alex")),
        ("Voyez la mairie. #signé", ("Voyez la mairie. #signé", None)),
    ],
)
def test_a_team_answer_is_signed_only_on_request(text: str, expected: tuple[str, str]) -> None:
    from bot.telegram.contributions import signed

    assert signed(text, "Alex") == expected
