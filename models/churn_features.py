"""Features of a post for the churn-threat classifier: words, word pairs and named cues.

The brand the post is about becomes the token ``brandx`` and any other @handle ``otherx``, so
"switched to brandx" (a new customer) and "switching to otherx" (leaving) are different features.
Words after a negation carry a ``not_`` prefix ("i'm not cancelling" -> ``not_cancelling``), never past
the end of its sentence ("not happy. i'm cancelling" is a threat).  Cues
are short regular expressions for the paraphrase families of leaving, in the 15 languages of the
evaluation set, plus the things that look like leaving but are not (cancelling an order or a
flight, switching *to* the brand, coming back, a hedge, a condition).  Each cue that fires
becomes a feature and, when it pushes towards a churn threat, the readable reason shown to users.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from monitor.brands import BrandTerms

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@\w+")
_SUPPORT_PREFIX = re.compile(r"^(?:ask|hey|team)(?=[a-z]{3})")
_SUPPORT_SUFFIX = re.compile(r"_?(?:tweets|help|helps|support|cares|care|assist|service|team|uk|us|news)$")
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+")
_NEGATORS = frozenset(("not", "no", "never", "don't", "dont", "won't", "wont", "isn't", "wouldn't", "didn't", "can't",
                       "cannot", "ain't", "nie", "nicht", "kein", "keine", "pas", "jamais", "niet", "geen", "nunca",
                       "non", "não"))
_NEG_SPAN = 3
# where a sentence ends: a negation never reaches past one (line breaks survive ``prepare`` as "\n")
_SENTENCE_END = re.compile(r"[.!?;\n。．｡！？；؟؛]")

_REL = (r"(?:contract|subscription|sub|account|membership|plan|policy|service|broadband|internet|line|package|"
        r"direct debit|prime|supply|mortgage|tariff|delivery pass|pass)")
_OTHER_OBJ = (r"(?:order|flight|booking|reservation|ride|trip|appointment|delivery(?! pass)|slot|payment|transfer|item|"
              r"redelivery|add-on|dispute|engineer|visit|request|sim|card|profile|taxi|cab|train|bus|event|"
              r"concert|show|"
              r"class|match|game|meeting)")
_AWAY_STOP = (r"(?!brandx\b|you\b|dark\b|offline\b|paperless\b|bed\b|sleep\b|work\b|school\b|the cheaper\b|"
              r"an? (?:esim|smart)\b|anything\b|something\b|old\b|new\b|the (?:new|old)\b|"
              r"(?:the |a |an |my |our )?(?:[\w-]+ )?(?:plan|tariff|package|bundle|option|version|settings?|mode|"
              r"pickup|collection)\b|(?:an? |the |another )(?:\w+ )?(?:flight|seat|room|date|time|address|house|flat|"
              r"apartment|state|city|country|gate|terminal)\b)")
_CUES: dict[str, tuple[str, str]] = {
    # name: (pattern over the prepared text, the reason shown when it decides)
    "cancel_rel": (
        rf"\b(?:cancel+(?:ing|ed|led|lation)?|terminat\w*|end(?:ing)?|clos(?:e|ing)|delet(?:e|ing)|drop(?:ping)?|"
        rf"quit(?:ting)?)\b(?! (?:policy|fee|charge)s?\b)(?: \w+){{0,3}} {_REL}s?\b|"
        r"\bclos(?:e|ing) (?:my|our) (?:[\w&]+ )?credit card\b|\b(?:account|subscription|contract|membership|policy)s? "
        r"(?:\w+ )?(?:closed|cancel+ed|terminated)\b|"
        r"\b(?:dropping|dropped|ditching|ditched|dumping|dumped) brandx\b", "is cancelling their service"),
    "cancel_bare": (
        r"(?:^|[.!?] )(?:brandx )?cancel+(?:ed|led|ing)\b(?! (?:[\w'&]+ ){0,3}(?:" + _OTHER_OBJ + "|" + _REL + r"))|"
        r"\b(?:how (?:do|can) i|can i(?: just)?|where do i|how to|ways? to) cancel\b(?! (?:my |the |a |an |this |"
        r"that |our )?"
        r"(?:[\w'&]+ ){0,3}" + _OTHER_OBJ + r")(?! (?:the |a |an |my )?(?:add-?on|auto-? ?renew\w*|renewal|trial|"
        r"item)\b)|\bgonna cancel\b|\bcancel+ing (?:it|everything)\b|\bcancel+(?:ing|ed|led)? "
        r"brandx\b|\bcancel(?:lation)? (?:number|code|department|team|line)\b|\bcalled brandx to (?:cancel|leave)\b|"
        r"\b(?:i'?m|i am|i will|i'?ll|going to|about to|want to|trying to|tried to|go to|went to|have to|need to) "
        r"cancel+(?:ing)?\b(?! (?:my|the|our|a|"
        r"their|his|her) "
        r"(?:order|flight|booking|reservation|ride|trip|appointment|delivery|slot|profile|card|payment|taxi))",
        "says they will cancel"),
    "cancel_other": (
        rf"\bcancel+(?:ing|ed|led)?\b(?: [\w'&]+){{0,4}} {_OTHER_OBJ}s?\b|\bcancel+ation (?:policy|fee|charge)s?\b|"
        rf"\b{_OTHER_OBJ}s? (?:was |got |is )?cancel+(?:ed|led)\b", ""),
    "cancel_word": (r"\bcancel+(?:ing|ed|led|lation)?\b", ""),
    "switch_away": (
        rf"\b(?:(?:switch\w*|mov(?:e|ing)|port\w*|jump\w*|chang\w*|migrat\w*) (?:over |back )?|go(?:ing)? over |off )"
        rf"(?:to|out to) {_AWAY_STOP}(?:otherx|[a-z][\w&-]*)|\b(?:gone|went) (?:to|with) {_AWAY_STOP}(?!the\b|"
        rf"my\b|a\b|an\b|his\b|your\b|this\b|that\b|it\b|them\b|"
        r"her\b|our\b|their\b|waste\b|hell\b|(?:cancel|check|see|get|buy|pick|use|log|pay|order|call|book|change|store|"
        r"shop|help|fix|try|look|find|sign|make|open|do|go|collect|return|ask|sort|complain)\b)(?:otherx|[a-z][\w&-]*)|\b(?:fly|flying|go|going|stick|sticking|bank|"
        r"banking|shop|shopping) with otherx\b|\b(?:i'?ll|i will|we'?ll|we will) be (?:flying|using|banking|shopping "
        r"(?:at|with)|going with) (?!brandx\b|you\b|the\b|a\b|an\b|my\b|it\b|this\b)(?:otherx|[a-z][\w&-]*)|"
        r"\btake (?:it|my (?:phone|number|business|money)) to (?!brandx\b|you\b|the\b|a\b|an\b|my\b|work\b)"
        r"(?:otherx|[a-z][\w&-]*)|\b(?:dropping|ditching|dumping|dropped|ditched|dumped) (?:brandx|you|\w+) for "
        r"(?!the\b|a\b|an\b|now\b|good\b)(?:otherx|[a-z][\w&-]*)", "talks about switching to another company"),
    "switch_generic": (
        r"\b(?:switch\w*|chang\w*|leav\w*|mov\w*) (?:my |our )?(?:provider|bank|network|supplier|insurer|isp|airline|"
        r"carrier|operator|energy supplier|mobile network|banks|providers)\b|\b(?:i'?m|we'?re) switching\b|"
        r"(?:^|[.!?] )switching (?:next|this|tomorrow|today|soon)\b|\bthan stay with\b|\btime to (?:switch|leave|"
        r"move on|find a new)\b", "talks about changing provider"),
    "switch_to_brand": (
        r"\b(?:switch\w*|mov\w*|port\w*|came|join\w*|go\w*) (?:\w+ ){0,3}(?:over )?to (?:brandx|you)\b|"
        r"\bjoined brandx\b|\bsince i (?:switched|joined|moved)\b|\bcame back to\b|\brejoin\w*\b", ""),
    "porting": (
        r"\bport(?:ing|ed)? (?:my|our) (?:number|lines?)\b|\bport(?:ing|ed)? out\b|\bpac code\b|\bsend me my pac\b",
        "is porting their number away"),
    "never_again": (
        r"\bnever (?:again|(?:\w+ ){1,4}again)\b|\bnever (?:going to|gonna|will) (?:use|buy|fly|order|shop|book|come "
        r"back|return)\b|\bnever (?:flying|ordering|using|buying|booking)\b|\b(?:last|final) time (?:i|we) (?:ever )?"
        r"(?:book|fly|order|use|buy|shop)\b|\b(?:not|never) (?:going|coming) back\b|\bever again\b|"
        r"\b(?:not going to|won'?t|will not|never) (?:ever )?(?:choose|use|buy from|order from|fly with|"
        r"shop (?:at|with)|"
        r"book with) brandx\b|\b(?:first and )?last time (?:flying|ordering|using|shopping|booking|buying|eating)\b|"
        r"\b(?:my )?last (?:\w+ ){0,2}(?:flight|order|purchase|trip|stay|ride) (?:with|from) (?:you|brandx)\b|"
        r"\blast (?:brandx )?\w+ i(?:'?ll| will) (?:ever )?buy\b|\b(?:not|never|won'?t be) (?:buying|getting|ordering) "
        r"(?:another|a) brandx\b",
        "says they won't be back"),
    "done_with": (
        r"\b(?:done|finished|through) (?:with|using|shopping (?:at|with)|ordering from) (?:you|u|brandx|"
        r"this company|them)\b|"
        r"(?:^|[.!?] )(?:i'm|i am) (?:done|out)\b(?! (?:of|in|at|for|to|until|till|writing|\w+ing)\b)|"
        r"\b(?:i'm|i am|so) done\b(?! (?:for|at|writing|until|till|in|\w+ing)\b)"
        r"|\bi'm out\b(?! (?:of|in|at|for|to|until|till)\b)|"
        r"\bhad enough\b|\bthe (?:last|final) straw\b",
        "says they are done with the company"),
    "lost_customer": (
        r"\b(?:you(?:'ve| have)?|u|just) (?:just )?lost (?:a|another|my|one|this|a loyal) (?:\w+ )?(?:customer|custom|"
        r"business|flyer|client)\b|\blost my (?:business|custom)\b|\b(?:former|ex)[- ](?:brandx )?customer\b|"
        r"\bcost you (?:a|my|thousands)\b|\blost (?:this|another|a|one) (?:\w+ ){0,2}(?:customer|client|flyer)\b(?!')",
        "says the company lost a customer"),
    "elsewhere": (
        r"\b(?:tak\w*|mov\w*) (?:my )?(?:business|custom|money|savings|salary|mortgage|everything) (?:elsewhere|"
        r"somewhere else|to|away|out(?! (?:of )?(?:my|our|the) (?:account|card|bank)))\b|"
        r"\b(?:go|going|shop|shopping) (?:elsewhere|somewhere else)\b|\bshop(?:ping)? around\b|"
        r"\bsigned up (?:elsewhere|with)\b|\bmov\w* my salary\b|\bgone with another\b|\banyone but brandx\b|"
        r"\bgets my (?:money|business|"
        r"custom)\b|\botherx (?:only )?from now on\b|\bbuy (?:out )?(?:our|my) contract\b|\bgo (?:with )?another "
        r"(?:brand|company|provider|bank|network|airline)\b", "is taking their business elsewhere"),
    "alternative": (
        r"\balternatives? (?:to|for) (?:brandx|you|u|your|otherx|them)\b|\b(?:recommend|suggest)\w*(?: for)? (?:a |"
        r"an )?(?:\w+ ){0,2}(?:bank|provider|network|"
        r"isp|insurer|service|supplier|app)\b|\b(?:find|get|need) (?:a |an )?(?:new|different|another|better|cheaper) "
        r"(?:bank|provider|network|isp|insurer|supplier|broadband|energy|phone)\w*\b|\blook\w* (?:around )?(?:for|at) "
        r"(?:a |an |other )?(?:new|different|another|better|cheaper|other) \w+|\bwhat other (?:companies|providers|"
        r"banks)\b|\bcomparison sites?\b|\bcomparing (?:tariffs|deals|prices|providers)\b|\bwhat are y'?all using\b",
        "is looking at alternatives"),
    "not_renew": (
        r"\b(?:won'?t|will not|not|never) (?:be )?renew\w*\b|\bdon'?t (?:auto-?)?renew\b|\blet \w+ (?:\w+ )?lapse\b",
        "will not renew"),
    "leave": (
        r"\b(?:leav\w*|quit\w*) (?:you|brandx|u)\b|\bi want (?:out|to leave)\b|\bwant out of\b|\b(?:last|final) "
        r"(?:month|bill|week) (?:with|from)\b|\bsend my final bill\b|\bend for me\b|\bgoodbye brandx\b|\bbye brandx\b|"
        r"\bbye\b.{0,12}\bforever\b|\bhanded in my notice\b|\bwon'?t be (?:staying|using|ordering|buying|flying)\b|"
        r"\bthinking of leaving\b|\b(?:i'?m|i am|we'?re|we are) gone\b|\bnot for long\b|\bfree of (?:the )?brandx\b|"
        r"\bor i'?m (?:going|gone|leaving|"
        r"off|out)\b",
        "says they are leaving"),
    "uninstall": (
        r"(?<!tried )(?<!trying )(?<!try )(?<!and )(?<!& )(?<!even )(?:\buninstall\w*\b(?! and)|"
        r"\bdelet\w* (?:the |your )?(?:brandx )?app\b(?! and (?:re-?install|re-?download|download|tr|log|restart)))|"
        r"#delete\w*|"
        r"\bunsubscrib\w*\b(?! (?:me )?from (?:the |your |all |these )?(?:marketing|e-?mails?|newsletters?|texts|"
        r"messages|"
        r"notifications|promo))|\bdeactivat\w* my account\b",
        "says they removed the app or subscription"),
    "foreign_cancel": (
        r"(?:kündig\w*|gekündigt|résili\w*|darme de baja|doy de baja|cancel\w* (?:la |mi |el )?(?:suscripci|contrat|"
        r"cuenta|abono)\w*|annul\w* (?:mon |l')abonnement|opzeg\w*|zeg \w+ \w+ op|opgezegd|wypowiad\w*|rezygnuj\w*|"
        r"anulowa\w* subskrypc\w*|säger upp|sagt upp|(?:abonelik|üyelik|sözleşme)\w* (?:\w+ )?iptal|berhenti "
        r"berlangganan|langganan(?: \w+){1,3} batalkan|disdic\w*|disdetta|annullato l'abbonamento|cancelar o "
        r"(?:contrato|plano)|cancelei a assinatura|vou cancelar o|расторг\w*|отменил\w* подписк\w*|解約|해지|ألغي|"
        r"سألغي|ألغيت|zeg(?: \w+){1,4} op\b|rozwiąz\w* umow\w*|säg\w* (?:jag )?upp|iptal edece\w*|putus langganan|"
        r"rescind\w*|rescis\w*|bajo la línea|me doy de baja|disdir\w*|bağlı\w*|ألغي|الغي|بلغي|расторгну)",
        "is cancelling their service"),
    "foreign_switch": (
        r"(?<!brandx に)(?:wechsle|gewechselt zu einem anderen|change d'opérateur|changer d'opérateur|je quitte|"
        r"me cambio de compañía|contratado otra|overstap\w* naar een andere|stap over|zmieniam|byter leverantör|"
        r"operatör değiştir|pindah ke "
        r"provider lain|mudar de operadora|cambio gestore|ухожу к другому|перейду к|他社に乗り換え|다른 통신사로|"
        r"سأنتقل إلى شركة أخرى|\bme (?:voy|paso|cambio) (?:a|con) |\bporto (?:la|el|mi)|"
        r"\bwechs\w* (?:ich )?(?:zu|zur|zum)\b|"
        r"\bje (?:pars|passe|vais) chez\b|\bpass(?:o|erò|are|ato|ata|iamo) (?:a|ad|da) |"
        r"\bvado (?:con|da|a) |\bga (?:over )?naar\b|"
        r"\btroc\w* de operadora|\bvou (?:para|pra) a?|\bprzechodz\w* do|\bprzejd\w* do|\bbyter till|\bbyta till|"
        r"\w+'(?:e|a|ye|ya) geç\w*|(?:operatöre|şirkete) geç\w*|\bpindah ke|\bухож\w* к|\bперех\w* к|\bперейд\w* к|"
        r"乗り換え|乗り換える|"
        r"갈아타|갈아탑|بحول|بنتقل|سأحول)(?! ?(?:على |إلى |ل)?brandx)", "talks about switching to another company"),
    "foreign_elsewhere": (
        r"(?:otras? (?:compañías?|operador\w*)|otro operador|(?:anderen?|neuen?) anbieter|autres? opérateurs?|ailleurs|"
        r"altri operatori|altro operatore|andere (?:providers?|aanbieders?)|outras? operadoras?|innym operatorem|"
        r"innego operatora|innych operatorów|andra operatörer|annan operatör|başka (?:bir )?operatör\w*|provider lain|"
        r"други\w* оператор\w*|другой оператор|他社|他の会社|다른 통신사|شركة (?:ثانية|أخرى|ثانيه))",
        "is looking at alternatives"),
    "foreign_never": (
        r"(?:nie wieder|nunca más|plus jamais|nooit meer|aldrig mer|mai più|nigdy więcej|bir daha asla|tidak akan "
        r"pernah|nunca mais|больше никогда|二度と|다시는|لن .{0,30}أبدا)", "says they won't be back"),
    "foreign_other": (
        r"(?:pedido|bestellung|commande|bestelling|ordine|siparişi|注文|vuelo|flug|vol |vlucht|volo)(?: \w+){0,2} "
        r"(?:cancel|storn|annul|iptal)|(?:cancel\w*|storn\w*|annul\w*|iptal \w+) (?:\w+ ){0,2}(?:pedido|bestellung|"
        r"commande|bestelling|ordine|reserv)", ""),
    "general_exit": (
        r"\b(?:get|getting) (?:me )?out of (?:my|this|the) contract\b|\bearly termination fee\b|\bcontract buy ?out\b|"
        r"\bhow much (?:is it )?to cancel\b|\bretentions?(?: department| team)?\b|"
        r"\bunlock (?:my|the) phone so\b|\b(?:disconnect|shut off|stop) my (?:service|account|internet|line)\b|"
        r"\b(?:to|gonna|going to|will|i'?ll) disconnect\b(?! (?:and|from)\b)|"
        r"\bcut(?:ting)? the cord\b|\bcord[- ]cut\w*\b|#?boycott\w*\b|\bwon'?t be (?:back|returning|coming back)\b|"
        r"\bnever (?:shopping|eating|staying|banking) (?:here|with you|at brandx) again\b|\b(?:switching|changing) "
        r"(?:carriers|banks|networks|providers|airlines|insurers)\b|\b(?:find|try|use|using) (?:another|a different) "
        r"(?:airline|bank|carrier|provider|company|network|service)\b|\b(?:exploring|considering|looking at) "
        r"(?:other|my) options\b|\bi have (?:other )?options\b|\bplenty of other (?:companies|providers|banks|"
        r"options)\b|\bshould(?:'ve| have) (?:stayed|gone) with\b|\bwish i(?:'d| had) (?:stayed|gone) with\b|"
        r"\bregret (?:switching|joining|moving) to (?:you|brandx)\b|\b(?:going|went|switching|moving) back to "
        r"(?!brandx\b|you\b|bed\b|sleep\b|work\b|school\b|the\b)(?:otherx|[a-z][\w&-]*)|\bhello otherx\b|\bhere i come "
        r"(?!there\b|everyone\b|all\b|team\b|guys\b|again\b|brandx\b|world\b)(?:otherx|[a-z][\w&-]*)\b|"
        r"\b(?!brandx\b|what\b|that\b|this\b|so\b|as\b|how\b|here\b|there\b|sites\b|if\b|when\b|because\b|"
        r"and\b|but\b|or\b|now\b|then\b|yes\b|well\b|where\b|which\b|is\b|think\b|know\b|believe\b|said\b|says\b|say\b|learn\b|learned\b|thought\b|hope\b|feel\b|guess\b)"
        r"(?:otherx|[a-z]+) (?:it is|"
        r"here i come|gets my (?:money|business))\b(?! what)|"
        r"\b(?:peace out|adios|bye felicia)\b|\b(?:i|we) quit\b",
        "says they are leaving"),
    "alternative_to": (r"\balternatives? to\b", ""),
    "cancel_part": (r"\b(?:cancel\w*|clos(?:e|ing|ed)|delet\w*|remov\w*) (?:my |the |our |a |an |this )?(?:old|"
                    r"duplicate|"
                    r"second|extra|spare|other|child'?s?|son'?s|daughter'?s|kids?'?|joint|dead|"
                    r"unused) (?:\w+ )?(?:account|card|profile|subscription|line|sim)s?\b", ""),
    "from_now_on": (r"\bfrom now on\b|\bnext (?:time|trip|season)\b", ""),
    "hedge": (r"\b(?:thinking (?:of|about)|considering|consider|might|maybe|tempted|seriously thinking|could be "
              r"time)\b", ""),
    "conditional": (r"\bif (?:this|my|it|you|the)\b.{0,60}\b(?:i'?m|i will|i'll|i am)\b", ""),
    "charged_after": (r"\b(?:cancel+(?:ed|led)|left|disconnected|closed)\b.{0,40}\b(?:charg|bill|still)\w*", ""),
    "come_back": (r"\bcome back\b|\bcoming back\b|\bwant me back\b|\bcan i come back\b", ""),
    "happy": (r"\b(?:really happy|so happy|love|loving|great|brilliant|amazing|impressed|best decision|zero regrets|"
              r"no regrets|worth it|painless)\b", ""),
}
_COMPILED = {name: re.compile(pattern, re.MULTILINE) for name, (pattern, _reason) in _CUES.items()}
REASONS = {name: reason for name, (_pattern, reason) in _CUES.items() if reason}
_NEGATABLE = frozenset(REASONS) | {"cancel_word"}
_NEGATED_BEFORE = re.compile(r"(?:^|\W)(?:not|never|no|don'?t|won'?t|wouldn'?t|isn'?t|no plans to|why would i|nicht|"
                             r"niet|pas|non|não|nie|inte|değil|tidak|bukan|не|ما|no quiero|je ne veux)"
                             r"\W+(?:[\w']+\W+){0,2}$")
# Japanese and Korean negate after the verb: "解約したいわけじゃなくて", "해지하려는 게 아니라"
_NEGATED_AFTER = re.compile(r"^.{0,10}?(?:わけじゃ|わけでは|じゃな|しない|しません|아니|않)")

_CONDITION = re.compile(r"(?:^|\W)(?:if|unless|until|till|se|si|wenn|als|om|jak|jeśli|jeżeli|kalau|jika|eğer|"
                        r"если|اذا|إذا)\W")


@dataclass(frozen=True)
class Cue:
    name: str
    quote: str


def prepare(text: str, brand: BrandTerms | None = None) -> str:
    """Lower-case text with the brand as ``brandx``, other handles as ``otherx``, links gone; spaces collapse
    but each line break stays one "\n", a sentence end."""
    lowered = _URL.sub(" ", html.unescape((text or "")[:2000])).replace("’", "'").replace("‘", "'").lower()
    names = _brand_names(text, brand)
    for name in sorted(names, key=len, reverse=True):
        lowered = re.sub(rf"(?<![\w@])@?{re.escape(name)}(?!\w)", " brandx ", lowered)
    lines = (" ".join(line.split()) for line in _HANDLE.sub(" otherx ", lowered).splitlines())
    return "\n".join(line for line in lines if line)


def _brand_names(text: str, brand: BrandTerms | None) -> list[str]:
    """The brand's names and handles, plus each handle without its support suffix ("ChipotleTweets" ->
    "chipotle", "AskeBay" -> "ebay"); with no brand given, the post's first @handle is taken as the brand."""
    if brand is not None:
        names = [n.strip().lstrip("@").lower() for n in (brand.name, *brand.names, *brand.handles) if n and n.strip()]
    else:
        first = _HANDLE.search(text or "")
        names = [first.group(0)[1:].lower()] if first else []
    stems = [_SUPPORT_PREFIX.sub("", _SUPPORT_SUFFIX.sub("", n)) for n in names]
    return list(dict.fromkeys([n for n in names + stems if len(n) >= 3]))


def find_cues(prepared: str) -> list[Cue]:
    """Every cue that fires on prepared text, with the words that fired it; a leaving cue right after
    a negation ("i'm not cancelling", "ik wil niet opzeggen") fires as ``neg_<name>`` instead."""
    found = []
    for name, pattern in _COMPILED.items():
        match = pattern.search(prepared)
        if match:
            negated = name in _NEGATABLE and _negated(prepared, match.start(), match.end())
            found.append(Cue(f"neg_{name}" if negated else name, match.group(0).strip()[:60]))
    return found


def _negated(prepared: str, start: int, end: int) -> bool:
    """A negation right before the cue (or, in Japanese/Korean, right after it) in the same sentence, not
    inside a condition ("if it's not back tomorrow I'm cancelling"); "not happy. i'm cancelling" is no negation."""
    opens = max((m.end() for m in _SENTENCE_END.finditer(prepared, 0, start + 1)), default=0)
    window = prepared[max(opens, start - 40):start]
    negation = _NEGATED_BEFORE.search(window)
    if negation is not None:
        return not _CONDITION.search(prepared[max(opens, start - 70):start - len(window) + negation.start() + 1])
    after = prepared[end:end + 12]
    closes = _SENTENCE_END.search(after)
    return bool(_NEGATED_AFTER.search(after[:closes.start()] if closes else after))


def features(prepared: str, cues: list[Cue] | None = None) -> list[str]:
    """Word unigrams and bigrams (negation-marked), one ``cue:`` feature per cue and ``cue:any_leaving``."""
    marked = []
    for sentence in _SENTENCE_END.split(prepared):
        left = 0  # the span after a negator ends with its sentence
        for token in ("0" if t.isdigit() else t for t in _TOKEN.findall(sentence)):
            marked.append(f"not_{token}" if left > 0 else token)
            left = _NEG_SPAN if token in _NEGATORS else left - 1
    out = ["w:" + t for t in marked]
    out += ["b:" + a + "_" + b for a, b in zip(marked, marked[1:], strict=False)]
    found = find_cues(prepared) if cues is None else cues
    out += ["cue:" + c.name for c in found]
    # one shared feature for any un-negated leaving cue: rare paraphrases borrow the strength of common ones
    out += ["cue:any_leaving"] if any(c.name in REASONS for c in found) else []
    return list(dict.fromkeys(out))
