"""Complaint signals per mention: churn threat, category, aimed at the brand, language.

Pure Python and fast (thousands of posts/s), each signal with a confidence and a short reason a
human can read.  Categories come from a configurable ``name -> description`` mapping so users add
their own without retraining: a description is comma-separated keywords or short phrases
(free text works too; its content words are used).  Repeat complainers and reach are computed
from stored history by the detection layer; this module only gives the per-mention pieces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from models.churn import find_churn
from models.language import detect_language
from models.textprep import normalize
from monitor.brands import BrandTerms

DEFAULT_CATEGORIES: dict[str, str] = {
    "outage": "outage, down, not working, doesn't work, no service, no signal, offline, no internet, "
              "connection dropped, disconnect, unreachable, loading, server error, no wifi, blackout, "
              "internet, connection, can't connect, cannot connect, won't connect, cuts out, keeps dropping, "
              "network, signal, speeds, mbps, buffering, buffers, website, site, without internet",
    "billing": "bill, billing, charged, overcharged, double charged, price, pricing, refund, fee, invoice, "
               "payment, expensive, subscription cost, hidden charges, rip off, money back, "
               "charge, cost, costs, pay, paying, paid, price rise, direct debit, fare, promo, discount, "
               "renewal, cheaper, subscription, subscribed, unsubscribed, plan",
    "support": "customer service, customer support, support, agent, on hold, hold, waiting, call centre, "
               "call center, no reply, nobody, ignored, rude, chat, helpline, complaint, escalate, staff, "
               "no one, no answer, answers, responding, response, reply, replies, call back, callback, "
               "called, queue, representative, rep, manager, supervisor",
    "delivery": "delivery, delivered, shipping, shipped, parcel, package, courier, late, arrived, "
                "tracking, never arrived, lost parcel, driver, dispatch, arrive, ups, "
                "usps, fedex, substitutions, missing items, shipment",
    "quality": "broken, breaks, break, faulty, defective, quality, slow, crash, bug, glitch, update, "
               "broke, stopped working, useless, poor quality, damaged, battery, "
               "app, error, error message, issue, problem, won't turn on, freezes, frozen, stutters, "
               "raw, stale, install, reinstall, reset",
    "safety": "unsafe, danger, dangerous, fire, injury, injured, hazard, burn, explode, exploded, recall, "
              "food poisoning, sick, allergic, smoke, toxic, mould, mold, expired, out of date",
    "account": "account, password, login, log in, sign in, hacked, locked out, security, breach, "
               "data leak, fraud, scam, phishing, verification, two factor, 2fa, "
               "email address, personal info, apple id, card holder, locked, blocked, id, profile",
}
# The same categories in the other languages the language detector names (short, common words only).
# CJK phrases match as substrings (no spaces between words); the rest match as stemmed words.
OTHER_LANGUAGES: dict[str, str] = {
    "outage": "kein netz, kein internet, ausfall, sin internet, sin conexión, sin señal, sans connexion, "
              "connexion, réseau, fibre, senza internet, connessione, disservizi, geen bereik, "
              "täckning, inget internet, zasięg, internet pada, tidak ada sinyal, internet mati, internet yok, "
              "kesinti, kesintilerden, sem internet, sem sinal, нет интернета, обрывы, الإنترنت, ينقطع, "
              "ネット, 回線, 신호, 인터넷",
    "billing": "rechnung, abrechnung, abgebucht, factura, cobraron, suscripción, caro, facture, prélevé, "
               "abonnement, cher, bolletta, abbonamento, costa, rekening, factuur, duur, faktura, fakturan, "
               "prishöjning, dyrt, subskrypcję, drogo, tagihan, harga, mahal, langganan, fatura, faturayı, zam, "
               "fatura, cobraram, cobrança, assinatura, preço, цены, الفاتورة, السعر, الاشتراك, 料金, 請求, "
               "가격, 요금, 청구서",
    "support": "kundenservice, warteschleife, service client, servicio, atención, nadie responde, "
               "servizio clienti, attesa, risposta, klantenservice, antwoord, telefonkö, obsługa, obsługi, "
               "infolinii, layanan, müşteri hizmetleri, cevap, atendimento, resposta, espera, поддержка, "
               "обслуживание, ответа, خدمة عملاء, 問い合わせ, 返事, 고객센터, 서비스",
    "delivery": "paket, lieferung, entrega, pedido, paquete, commande, livraison, colis, consegna, ordine, "
                "pakket, bestelling, bezorgd, paczka, paczkę, dostawa, paket, paketi, encomenda, rastreamento, "
                "посылка, посылку, الشحنة, 荷物, 配達, 届, 배송, 택배, 도착",
    "quality": "app, appli, application, aplicación, aplicativo, aplicação, aplikacja, aplikasi, aplikasinya, "
               "uygulama, applicazione, приложение, التطبيق, アプリ, 앱",
    "safety": "schimmel, gefährlich, caducado, moisi, dangereux, muffa, pericoloso, schimmel, pleśń, "
              "berjamur, berbahaya, küf, tehlikeli, mofo, perigoso, плесень, عفن, خطير, カビ, 곰팡이, 위험",
    "account": "konto, cuenta, contraseña, compte, account, conta, bloqueada, аккаунт, почту, حسابي, "
               "アカウント, メールアドレス, 계정, 이메일, e-mail, e-posta, e-postadress",
}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_STOP = frozenset(str.split("a an the and or of to in on for with is are was be my our your it this that i we you "
                  "about when their they them any such as by at from"))
_SUFFIXES = ("ings", "ing", "ies", "ied", "ed", "es", "s", "e", "y")


@dataclass(frozen=True)
class Signal:
    value: str
    confidence: float
    reason: str


@dataclass(frozen=True)
class Signals:
    churn_threat: Signal | None
    category: Signal | None
    aimed_at_brand: bool
    language: str
    non_english: bool

    def to_json(self) -> dict[str, Any]:
        def pack(signal: Signal | None) -> dict[str, Any] | None:
            return None if signal is None else {"value": signal.value, "confidence": signal.confidence,
                                                "reason": signal.reason}
        return {"churn_threat": pack(self.churn_threat), "category": pack(self.category),
                "aimed_at_brand": self.aimed_at_brand, "language": self.language,
                "non_english": self.non_english}


def _default_categories() -> dict[str, str]:
    return {name: f"{words}, {OTHER_LANGUAGES.get(name, '')}" for name, words in DEFAULT_CATEGORIES.items()}


def stem(word: str) -> str:
    """Crude suffix stripping so "charged"/"charges"/"charge" all meet."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _stems(text: str) -> list[str]:
    return [stem(token) for token in _TOKEN.findall(text.lower().replace("’", "'"))]


@lru_cache(maxsize=64)
def _compile_categories(items: tuple[tuple[str, str], ...]) -> list[tuple[str, list[tuple[str, bool, str]]]]:
    """Per category: (needle, whether it is looked up in the stems, display text); long free-text pieces become
    single words.  Needles are built once here (" stem stem ") since every post is checked against all of them."""
    compiled = []
    for name, description in items:
        phrases: list[tuple[tuple[str, ...], str]] = []
        for piece in re.split(r"[,;\n]", description):
            words = [w for w in _TOKEN.findall(piece.lower()) if w]
            if _CJK.search(piece):
                phrases.append(((), piece.strip().lower()))  # no spaces to split on: a substring match
            elif 0 < len(words) <= 3:
                phrases.append((tuple(stem(w) for w in words), " ".join(words)))
            else:
                phrases += [((stem(w),), w) for w in words if w not in _STOP]
        phrases.append(((stem(name.lower()),), name.lower()))
        compiled.append((name, [(f" {' '.join(phrase)} " if phrase else shown, bool(phrase), shown)
                                for phrase, shown in phrases]))
    return compiled


def classify_category(text: str, categories: Mapping[str, str] | None = None) -> Signal | None:
    """Best-matching category by phrase hits (longer phrases count more), or None."""
    stems = _stems(text[:2000])
    if not stems:
        return None
    joined = " " + " ".join(stems) + " "
    lowered = text[:2000].lower()
    scored: list[tuple[float, str, list[str]]] = []
    for name, phrases in _compile_categories(tuple((categories or _default_categories()).items())):
        hits = [shown for needle, in_stems, shown in phrases if needle in (joined if in_stems else lowered)]
        if hits:
            unique = list(dict.fromkeys(hits))
            scored.append((sum(0.6 + 0.4 * len(h.split()) for h in unique), name, unique))
    if not scored:
        return None
    scored.sort(key=lambda s: -s[0])
    best, name, hits = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    confidence = min(0.95, 0.35 + 0.2 * best - 0.15 * runner_up / best)
    quoted = ", ".join(f'"{h}"' for h in hits[:3])
    return Signal(name, round(max(0.2, confidence), 2), f"mentions {quoted}")


def aimed_at(text: str, brand: BrandTerms | None) -> bool:
    """True when the post names the brand (name, alias or handle); True if no brand is given."""
    if brand is None:
        return True
    lowered = text.lower()
    names = {n.lower().lstrip("@") for n in (brand.name, *brand.names, *brand.handles) if n and n.strip()}
    if not names:
        return True
    if any(x.lower() in lowered for x in brand.exclude if x) and not any(
            f"@{h.lower().lstrip('@')}" in lowered for h in brand.handles if h):
        return False
    return any(re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", lowered) for n in names)


def extract_signals(text: str, brand: BrandTerms | None = None, categories: Mapping[str, str] | None = None,
                    *, language: str | None = None, lang_hint: str | None = None) -> Signals:
    """All per-mention signals for one post; never raises on odd text.  ``language`` skips detection
    when the caller already knows it; ``lang_hint`` is the platform's own language tag, if any."""
    raw = (text or "")[:5000].replace("\x00", " ")
    clean = normalize(raw)
    found = find_churn(raw, brand)
    churn = Signal("churn_threat", found[0], found[1]) if found else None
    category = classify_category(clean, categories)
    language = language or detect_language(raw, lang_hint)
    return Signals(churn, category, aimed_at(raw, brand), language, language not in ("en", "und"))
