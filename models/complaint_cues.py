"""Complaint cues per language: the word lists ``models.keywords`` reads posts with when no sentiment model
covers their language.

Written as ``models.signals.OTHER_LANGUAGES`` is (comma-separated short phrases a person can read and extend),
for the languages the category keywords cover.  Only strong cues: an outage ("no funciona"), a double charge,
hours on hold, a parcel that never came, a cancelled flight, a churn threat, an insult ("pésimo").  Words a
neutral question also uses ("cancelar", "reembolso", "Kündigung") are left out on purpose: precision first.

- ``negative``: the cues.  A word ending in ``*`` matches any word it starts (``awari*``: "awaria",
  "awarie"); other words match whole words; a phrase matches consecutive words.  Accents are ignored.
- ``positive``: thanks and praise.  A post with one of them needs two different cues to be read as negative
  ("Super Service" after an hour on hold is still a complaint; "thanks, problem solved" is not).
- ``negators``: a cue one to three words after one of them does not count ("no es una estafa"); cues that
  start with a negator ("no funciona") are exempt.  ``after``: negators that follow the cue (Turkish "değil").
- Japanese, Korean and Arabic cues match anywhere in the text (no spaces between words, or prefixes and
  particles glued to them), so they are written as the stems people type.
"""

from __future__ import annotations

SUBSTRING_LANGUAGES = frozenset({"ja", "ko", "ar", "zh"})
SAME_CUES = {"ms": "id"}  # fastText often names Indonesian posts Malay: the words are the same

CUES: dict[str, dict[str, str]] = {
    "es": {
        "negative": "no funciona, no me funciona, no funcionan, dejó de funcionar, deja de funcionar, no carga, "
                    "no puedo entrar, no puedo acceder, no puedo iniciar, sin servicio, sin internet, sin conexión, "
                    "sin señal, sin cobertura, sin luz, caído, se cae, se cierra, se bloquea, cobraron, cobrado dos, "
                    "cobro doble, doble cobro, cobro indebido, cobran de más, cobraron de más, quiero mi dinero, "
                    "devuélvanme, devuelvan mi, estafa, estafadores, timo, fraude, vergüenza, vergonzoso, "
                    "lamentable, pésimo, pésima, fatal, horrible, terrible, desastre, el peor, la peor, malísimo, "
                    "malísima, un asco, asqueroso, inaceptable, indignante, indignado, harto, harta, hartos, "
                    "decepcionado, decepcionada, decepción, ridículo, inútil, inútiles, nadie responde, "
                    "nadie contesta, nadie me, sin respuesta, ninguna respuesta, me cuelgan, me colgaron, "
                    "hora esperando, horas esperando, días esperando, semanas esperando, llevo esperando, "
                    "sigo esperando, retrasado, retraso, llegó tarde, llegó frío, llegó fría, no ha llegado, "
                    "no llegó, "
                    "nunca llegó, no he recibido, no recibí, extraviado, caducado, caducada, podrido, moho, "
                    "peligroso, intoxicación, cancelado, cancelada, cancelaron, he cancelado, cancelé, "
                    "darme de baja, "
                    "me doy de baja, me cambio de, nunca más, bloquearon, bloqueada, bloqueado, hackeado, "
                    "subida de precio, abusivo, abuso, robo, ladrones, factura errónea, factura incorrecta, "
                    "mal servicio, mala atención, cansado de, cansada de",
        "positive": "gracias, genial, encanta, excelente, perfecto, contento, contenta, feliz, satisfecho, "
                    "satisfecha, resuelto, solucionado, rápido, rápida, maravilloso, recomiendo",
        "negators": "no, nunca, ni, tampoco, sin",
    },
    "de": {
        "negative": "funktioniert nicht, funktioniert nicht mehr, funktioniert gar nicht, geht nicht, "
                    "geht nicht mehr, "
                    "geht gar nicht, kein netz, kein internet, keine verbindung, kein empfang, kein strom, ausfall*, "
                    "ausgefallen, fällt aus, störung*, stürzt, abgestürzt, doppelt abgebucht, doppelt berechnet, "
                    "zweimal abgebucht, zu viel berechnet, falsche rechnung, falsche abrechnung, abzocke, abzocker, "
                    "betrug, betrüger, mein geld, geld zurück, zurückerstatten, warteschleife, aufgelegt, "
                    "niemand antwortet, keiner antwortet, keine antwort, keine rückmeldung, keine info*, ignoriert, "
                    "nicht erreichbar, unerreichbar, nicht angekommen, nie angekommen, nicht geliefert, "
                    "nicht erhalten, nichts erhalten, nichts bekommen, verloren, verspätet, verspätung, zu spät, "
                    "kalt, schimmel, verschimmelt, abgelaufen, gefährlich, eklig, ekelhaft, vergiftet, gesperrt, "
                    "gehackt, ausgesperrt, komme nicht rein, kann mich nicht, gestrichen, storniert, annulliert, "
                    "kündige, gekündigt, wechsle den, nie wieder, nimmer wieder, reicht mir, mir reicht, "
                    "hab genug, habe genug, nase voll, katastrophe, katastrophal*, schlecht, schlechte, schlechter, "
                    "schlechten, schlechtes, schlechteste*, miserabel, mies, unverschämt*, frechheit, skandal*, "
                    "schande, lächerlich, enttäuscht, enttäuschend, enttäuschung, unzumutbar, inakzeptabel, nutzlos, "
                    "unbrauchbar, saftladen, sauladen, furchtbar, schrecklich, grauenhaft, ärgerlich, genervt, "
                    "nervt, unmöglich",
        "positive": "danke, dank, super, toll, klasse, prima, zufrieden, begeistert, schnell, schnelle, gelöst, "
                    "perfekt, "
                    "hervorragend, top, großartig, genial, lieben",
        "negators": "nicht, kein, keine, keinen, nie, niemals, ohne",
    },
    "fr": {
        "negative": "ne marche pas, ne marche plus, marche pas, marche plus, ne fonctionne pas, ne fonctionne plus, "
                    "fonctionne pas, fonctionne plus, pas de connexion, plus de connexion, pas de réseau, "
                    "pas d internet, plus d internet, aucun réseau, sans connexion, sans internet, sans réseau, "
                    "en panne, panne, pannes, coupure*, coupe, coupé, plante, planté, bug, bugue, "
                    "prélevé deux fois, débité deux fois, facturé deux fois, double prélèvement, surfacturé, "
                    "facture erronée, erreur de facturation, être remboursé, remboursez, arnaque*, escroc*, voleurs, "
                    "trop cher, personne ne répond, aucune réponse, pas de réponse, sans réponse, raccroché, ignoré, "
                    "ignorée, injoignable, pas reçu, jamais reçu, pas arrivé, jamais arrivé, pas livré, "
                    "jamais livré, perdu, en retard, retard, arrivée froide, arrivé froid, froide, moisi, périmé, "
                    "dangereux, intoxication, avarié, bloqué, bloquée, piraté, suspendu, impossible de, annulé, "
                    "annulée, je résilie, résilié, j ai annulé, change d opérateur, plus jamais, jamais plus, "
                    "en ai marre, marre, ras le bol, nul, nulle, nuls, honte, honteux, lamentable, scandale, "
                    "scandaleux, inadmissible, inacceptable, pire, pitoyable, catastrophe, catastrophique, déçu, "
                    "déçue, décevant, déception, horrible, affreux, minable, ridicule, inutile, incompétent*, "
                    "importe quoi",
        "positive": "merci, super, génial, adore, excellent, parfait, content, contente, satisfait, satisfaite, "
                    "ravi, "
                    "ravie, top, bravo, résolu, rapide",
        "negators": "ne, n, pas, jamais, sans",
    },
    "it": {
        "negative": "non funziona, non funzionano, non va, smesso di funzionare, senza internet, senza linea, "
                    "senza connessione, senza segnale, niente linea, cade, disservizi*, guasto, si blocca, "
                    "bloccat*, si chiude, crash*, addebitato due volte, addebito doppio, doppio addebito, "
                    "bolletta sbagliata, bolletta errata, fattura sbagliata, costa troppo, troppo cara, troppo caro, "
                    "rivoglio, i miei soldi, truffa, truffatori, ladri, nessuna risposta, nessuno risponde, "
                    "non rispondete, non risponde, ora in attesa, ore in attesa, in attesa da, che aspetto, "
                    "sto aspettando, aspetto ancora, chiuso la chiamata, chiuso il telefono, ignorat*, "
                    "irraggiungibile, non è arrivato, non è arrivata, mai arrivato, mai arrivata, non ricevuto, "
                    "mai ricevuto, non consegnato, smarrito, in ritardo, ritardo, freddo, fredda, muffa, ammuffit*, "
                    "scaduto, scaduta, pericoloso, pericolosa, intossicazione, avariato, sospeso, hackerato, "
                    "non riesco ad accedere, non riesco a entrare, cancellato, annullato, soppresso, "
                    "cambio gestore, cambio operatore, disdico, "
                    "ho disdetto, ho annullato, mai più, basta con, basta, stufo, stufa, ne ho abbastanza, pessimo, "
                    "pessima, vergogna, vergognoso, schifo, schifoso, orribile, terribile, disastro, ridicolo, "
                    "inaccettabile, scandaloso, scandalo, deluso, delusa, delusione, inutile, incompetent*, "
                    "peggiore, peggio, indecente",
        "positive": "grazie, fantastico, fantastica, ottimo, ottima, perfetto, soddisfatto, soddisfatta, contento, "
                    "contenta, adoro, bravi, eccellente, risolto, veloce",
        "negators": "non, mai, senza",
    },
    "nl": {
        "negative": "werkt niet, werkt niet meer, doet het niet, geen bereik, geen internet, geen verbinding, "
                    "geen signaal, storing*, ligt eruit, ligt plat, crasht, loopt vast, valt weg, valt uit, "
                    "twee keer afgeschreven, dubbel afgeschreven, twee keer betaald, te veel betaald, "
                    "teveel betaald, "
                    "te veel afgeschreven, verkeerde factuur, verkeerde rekening, klopt niet, oplichting, "
                    "oplichters, "
                    "oplichter, geld terug, terugstorten, te duur, prijsverhoging, geen antwoord, geen reactie, "
                    "geen bericht, niemand reageert, niemand neemt, in de wacht, opgehangen, genegeerd, "
                    "onbereikbaar, niet ontvangen, niks ontvangen, niets ontvangen, nooit ontvangen, niet bezorgd, "
                    "niet aangekomen, nooit aangekomen, kwijt, vertraagd, vertraging, te laat, koud, schimmel, "
                    "beschimmeld, bedorven, over de datum, gevaarlijk, vies, voedselvergiftiging, geblokkeerd, "
                    "gehackt, kan niet inloggen, kom niet in, geannuleerd, opgezegd, zeg op, nooit meer, nooit weer, "
                    "stap over, ben het zat, genoeg van, klaar mee, slecht, slechte, slechter, slechtste, "
                    "waardeloos, "
                    "waardeloze, belachelijk, schandalig, schande, bagger, drama, rampzalig, teleurgesteld, "
                    "teleurstellend, onacceptabel, onbeschoft, triest, walgelijk, nutteloos",
        "positive": "bedankt, dank, dankjewel, top, super, geweldig, blij, tevreden, snel, snelle, opgelost, "
                    "perfect, "
                    "fantastisch, beter, fijn, goed",
        "negators": "niet, geen, nooit, zonder",
    },
    "pt": {
        "negative": "não funciona, nao funciona, não está a funcionar, parou de funcionar, deixou de funcionar, "
                    "não abre, sem internet, sem sinal, sem rede, sem ligação, sem conexão, sem serviço, caiu, "
                    "fora do ar, cai toda, cai sempre, travando, cobraram, cobrado duas vezes, cobrança duplicada, "
                    "cobrança indevida, cobrança errada, fatura errada, conta errada, dinheiro de volta, golpe, "
                    "fraude, roubo, ladrões, absurdo, aumento de preço, caro demais, muito caro, sem resposta, "
                    "nenhuma resposta, ninguém responde, ninguém atende, ninguém sabe, desligaram, à espera, "
                    "esperando há, em espera, ignorad*, não recebi, nunca recebi, não chegou, nunca chegou, "
                    "não foi entregue, extraviad*, atrasado, atrasada, atraso, frio, fria, mofo, bolor, estragado, "
                    "podre, vencido, fora de validade, perigoso, intoxicação, bloqueada, bloqueado, hackeada, "
                    "hackeado, invadida, suspensa, não consigo entrar, não consigo aceder, não consigo acessar, "
                    "cancelado, cancelada, cancelaram, vou cancelar, "
                    "cancelei, vou mudar de, mudar de operadora, nunca mais, cansei, farto, farta, péssimo, péssima, "
                    "horrível, terrível, vergonha, vergonhoso, lamentável, ridículo, inaceitável, decepcionado, "
                    "decepcionada, decepção, desilusão, merda, lixo, pior, inútil, incompetentes, desrespeito, "
                    "descaso",
        "positive": "obrigado, obrigada, ótimo, ótima, excelente, perfeito, adoro, amei, satisfeito, satisfeita, "
                    "contente, feliz, resolvido, rápido, rápida, parabéns, top",
        "negators": "não, nao, nunca, nem, sem",
    },
    "pl": {
        "negative": "nie działa, nie działają, przestał działać, przestała działać, przestało działać, nie da się, "
                    "brak internetu, brak zasięgu, brak sygnału, brak połączenia, brak prądu, awari*, pada, padł, "
                    "padło, zawiesza, zawiesił, wywala, rozłącz*, pobrali dwa, dwa razy, podwójnie, zła faktura, "
                    "błędna faktura, oszustwo, oszuści, złodzieje, zdzierstwo, za drogo, podwyżk*, zwrot pieniędzy, "
                    "oddajcie, brak odpowiedzi, bez odpowiedzi, nikt nie, zero informacji, zero odpowiedzi, "
                    "czekałem, czekałam, czekam od, czekam już, zignorowa*, olewa*, nie dotarła, nie dotarło, "
                    "nie doszła, nie dostałem, nie dostałam, nie otrzymałem, nie otrzymałam, zaginęł*, zgubili, "
                    "spóźnion*, opóźnion*, opóźnienie, zimne, zimna, zimny, pleśń, spleśniał*, przeterminowan*, "
                    "niebezpieczn*, zatrucie, zablokowa*, zhakowa*, nie mogę się zalogować, nie mogę zalogować, "
                    "odwołany, odwołali, anulowany, "
                    "anulowali, wypowiadam, rezygnuję, anulowałem, anulowałam, zmieniam operatora, "
                    "zmieniam dostawcę, "
                    "nigdy więcej, mam dość, dość tego, mam dosyć, fataln*, beznadziejn*, tragedia, tragiczn*, "
                    "żenada, żenujące, skandal*, wstyd, porażka, okropn*, najgorsz*, rozczarowan*, kpina, dramat, "
                    "masakra, bezużyteczn*, badziew*",
        "positive": "dziękuję, dzięki, super, świetn*, wspaniał*, zadowolon*, polecam, szybk*, rozwiązan*, brawo, "
                    "doskonał*",
        "negators": "nie, nigdy, bez, ani",
    },
    "sv": {
        "negative": "fungerar inte, funkar inte, går inte, ingen täckning, inget internet, ingen uppkoppling, "
                    "ingen signal, ingen ström, är nere, ligger nere, avbrott, strul, krånglar, kraschar, "
                    "hänger sig, "
                    "dubbeldebiterad, debiterad två gånger, två gånger, fel på fakturan, felaktig faktura, "
                    "fel faktura, för dyrt, prishöjning, bedrägeri, bluff, lurade, pengarna tillbaka, telefonkö, "
                    "inget svar, ingen svarar, inga svar, ingen kan, ingen återkoppling, ingen information, "
                    "ignorera*, inte kommit, aldrig kommit, aldrig kom, inte levererat, inte fått, aldrig fått, "
                    "försvunnit, försenad, försenat, försening, kall, kallt, mögel, möglig, utgånget, farlig, "
                    "farligt, "
                    "matförgiftning, spärrat, spärrad, låst, hackat, hackad, kan inte logga, inställt, inställd, "
                    "inställda, ställdes in, säger upp, sagt upp, byter operatör, byter leverantör, aldrig mer, "
                    "aldrig igen, fått nog, trött på, less på, värdelös, värdelöst, värdelösa, katastrof*, skandal*, "
                    "pinsamt, bedrövlig*, uselt, usel, dålig, dåligt, dåliga, sämst, sämsta, oacceptabelt, "
                    "inte okej, besviken, besvikna, hemskt, fruktansvärd*, skämt",
        "positive": "tack, bra, toppen, grym, grymt, nöjd, jättenöjd, supernöjd, snabb, snabbt, perfekt, "
                    "fantastisk*, "
                    "underbar*, löst, älskar",
        "negators": "inte, ej, aldrig, utan",
    },
    "tr": {
        "negative": "çalışmıyor, açılmıyor, bağlanmıyor, yüklenmiyor, internet yok, sinyal yok, çekmiyor, kesinti*, "
                    "kesildi, kesiliyor, arıza*, çöktü, çöküyor, donuyor, iki kez, iki defa, iki kere, fazladan, "
                    "yanlış, paramı, iade istiyorum, dolandırıcı*, soygun, zam, kazık, pahalı, cevap yok, yanıt yok, "
                    "cevap vermiyor, kimse, bekledim, bekliyorum, bekletildi*, kapandı, kapattı*, ilgilenmiyor, "
                    "ulaşamıyorum, gelmedi, ulaşmadı, teslim edilmedi, almadım, kayboldu, kayıp, gecikti, geç geldi, "
                    "geç kaldı, gecikme, soğuk, küf*, bozuk, bozulmuş, son kullanma, tehlikeli, zehirlen*, "
                    "engellendi, bloke, kilitlendi, hacklendi, yapamıyorum, iptal edildi, iptal ettiler, rötar, "
                    "değiştiriyorum, iptal ediyorum, iptal ettim, bir daha, asla, bıktım, yeter, bıktır*, rezalet, "
                    "rezil, berbat, kötü, felaket, saçma, saçmalık, yazık, utanç, ayıp, skandal, hayal kırıklığı, "
                    "işe yaramaz, beceriksiz, çöp, mağdur*",
        "positive": "teşekkür*, sağol*, harika, süper, mükemmel, memnun*, çözüldü, hızlı, bayıldım, güzel, tebrik*",
        "negators": "",
        "after": "değil, degil",
    },
    "id": {
        "negative": "tidak bisa, tidak berfungsi, tidak jalan, tidak ada sinyal, tidak ada internet, gak bisa, "
                    "ga bisa, nggak bisa, enggak bisa, tak bisa, error, eror, mati, gangguan, lemot, putus, "
                    "hilang sinyal, dipotong dua, ditagih dua, terpotong dua, dua kali, tagihan salah, salah tagih, "
                    "kembalikan uang, dikembalikan uangnya, penipuan, penipu, mahal, naik lagi, kemahalan, "
                    "tidak ada jawaban, tidak dibalas, tidak direspon, tidak ada respon, tidak ada tanggapan, "
                    "tidak ditanggapi, lama sekali, lambat, sudah menunggu, lama menunggu, diabaikan, cuek, "
                    "belum sampai, tidak sampai, belum diterima, belum terima, tidak diterima, hilang, terlambat, "
                    "telat, dingin, berjamur, basi, kadaluarsa, kedaluwarsa, berbahaya, keracunan, diblokir, "
                    "terblokir, dibekukan, dihack, diretas, dibatalkan, ditunda, berhenti berlangganan, "
                    "berhenti langganan, saya batalkan, ganti provider, tidak akan lagi, kapok, capek, muak, "
                    "kecewa, mengecewakan, parah, buruk, terburuk, jelek, payah, keterlaluan, memalukan, "
                    "tidak becus, gak becus, sampah, menyebalkan, kesal, kacau, tidak profesional, "
                    "tanpa pemberitahuan",
        "positive": "terima kasih, makasih, mantap, bagus, puas, senang, cepat, selesai, keren, hebat, "
                    "luar biasa, suka",
        "negators": "tidak, tak, bukan, gak, ga, nggak, enggak, belum",
    },
    "ru": {
        "negative": "не работает, не работают, перестал работать, перестало работать, не грузит, не загружается, "
                    "не открывается, нет интернета, нет связи, нет сети, нет сигнала, нет света, пропал, пропала, "
                    "отключили, сбой, сбои, обрыв*, вылетает, глючит, виснет, дважды, списали, лишние деньги, "
                    "неправильный сч*, верните, мошенник*, обман*, развод, грабёж, дорого, подняли цены, "
                    "повысили цены, слишком, нет ответа, никто не, не отвечают, никакого ответа, никакой информации, "
                    "без ответа, игнорир*, ждал, ждала, жду уже, жду ответа, до сих пор, бросили трубку, "
                    "не пришла, не пришло, не пришёл, не доставили, не получил, не получила, потеряли, опоздал*, "
                    "задерж*, холодн*, плесень, заплесневел*, просрочен*, опасно, опасный, отравлен*, тухл*, "
                    "заблокировали, заблокирован*, взломали, взломан*, не могу войти, не могу зайти, отменили, "
                    "отменён, отмена рейса, "
                    "расторгаю, ухожу, больше никогда, никогда больше, надоел*, достали, хватит, сыт по горло, "
                    "ужасн*, отвратительн*, кошмар, позор, безобразие, худш*, плох*, разочарован*, отстой, "
                    "бесполезн*, хамство, хамы, некомпетентн*, издевательство, беспредел, возмутительн*, жесть",
        "positive": "спасибо, благодарю, отлично, супер, класс, быстро, решили, доволен, довольна, рад, рада, "
                    "прекрасно, молодцы, люблю, здорово",
        "negators": "не, ни, никогда, без",
    },
    "ja": {
        "negative": "繋がらない, つながらない, 使えない, 動かない, 落ちる, 落ちて, 落ちた, 切れる, 切れて, 切れた, "
                    "切られ, 障害, 不具合, エラー, 通信できない, 圏外, ログインできない, 開かない, 起動しない, "
                    "フリーズ, 二重, 2回請求, 二回請求, 請求が間違, 返金して, 詐欺, 高すぎ, 値上げ, 待たされ, "
                    "返事がない, 返事がありません, 返事もない, 返信がない, 回答がない, 連絡がない, 連絡もない, "
                    "対応が悪い, 対応が遅い, 無視, たらい回し, 届いていない, 届いてない, 届かない, 届きません, "
                    "届いていません, 紛失, 遅れ, 遅延, 冷めて, 冷たかった, カビ, 腐って, 期限切れ, 危険, 危ない, "
                    "食中毒, ロックされ, 凍結, 乗っ取られ, 不正利用, 欠航, 運休, キャンセルされ, 解約します, "
                    "解約する, 二度と, もう使わない, やめます, 退会します, 他社に, 最悪, ひどい, 酷い, 最低, "
                    "ありえない, あり得ない, がっかり, ふざけ, 腹立, 不満, 迷惑です, 迷惑だ, 大迷惑, 使い物にならない, "
                    "いい加減, 教えてもらえません, 説明もない",
        "positive": "ありがとう, 助かり, 助かる, 最高, 素晴らし, 満足, 解決しました, 早い, 嬉しい, 感謝, 便利",
        "negators": "",
    },
    "ko": {
        "negative": "인터넷이 안, 신호가 안, 앱이 안, 연결이 안, 접속이 안, 작동이 안, 로그인이 안, 안 잡혀, 먹통, "
                    "끊겨, 끊김, 끊어, 장애, 오류, 에러, 튕겨, 멈춰, 두 번 결제, 이중 결제, 중복 결제, 두 번 청구, "
                    "잘못 청구, 잘못 나왔, 요금 폭탄, 환불해, 사기, 가격 인상, 너무 비싸, 답변이 없, 답이 없, "
                    "연락이 없, 응답이 없, 아무도, 기다렸, 무시, 받은 적이 없, 못 받았, 받지 못, 안 왔, "
                    "도착하지 않, 분실, 늦게, 지연, 식어서, 식었, 곰팡이, 상했, 유통기한, 위험, 식중독, 잠겼, "
                    "정지, 해킹, 도용, 결항, 취소됐, 취소되었, 해지하겠, 해지할, 해지합니다, 해지했, 탈퇴하겠, "
                    "탈퇴합니다, 탈퇴했, 다시는, 갈아탈, 지쳤, 질렸, 지긋지긋, 최악, 별로, 실망, 엉망, 형편없, 짜증, "
                    "화가, 어이없, 황당, 너무하, 답답, 쓰레기, 불친절, 불만",
        "positive": "감사, 고마, 최고, 만족, 해결해 주셔서, 해결됐, 해결되었, 빠른, 훌륭, 친절, 대박",
        "negators": "",
    },
    "ar": {
        "negative": "لا يعمل, لا تعمل, مش شغال, ما يشتغل, متوقف, يتوقف, توقف, انقطاع, ينقطع, مقطوع, منقطع, "
                    "لا توجد تغطية, لا يوجد انترنت, لا يوجد إنترنت, بدون انترنت, بدون إنترنت, بدون تغطية, "
                    "لا توجد شبكة, لا أستطيع, لا استطيع, عطل, خلل, تعطل, بطيء, مرتين, تم خصم, استرجاع أموالي, "
                    "أريد أموالي, احتيال, نصب, نصابين, سرقة, حرامية, مرتفع جدا, غالي جدا, خاطئة, خطأ في الفاتورة, "
                    "انتظرت, أنتظر منذ, لا أحد, لا يرد, لم يرد, بلا رد, دون رد, لا رد, أغلقوا الخط, تجاهل, "
                    "لم أستلم, لم يصل, لم تصل, ما وصل, ما وصلت, لم يتم التسليم, مفقود, ضائع, تأخر, متأخر, تأخير, "
                    "باردة, بارد, عفن, متعفن, منتهي الصلاحية, منتهية الصلاحية, خطير, تسمم, إيقاف حسابي, تم إيقاف, "
                    "محظور, تم قفل, مقفل, اختراق, مخترق, إلغاء الرحلة, ألغيت الرحلة, تم إلغاء, ألغوا, سألغي, ألغيت, "
                    "سأغير, سأنتقل, لن أتعامل, لن أستخدم, لن أشتري, سئمت, زهقت, طفح الكيل, أسوأ, الأسوأ, سيئة, سيئ, "
                    "سيء, فاشل, فاشلة, زفت, مخزي, عار, مهزلة, فضيحة, مقرف, مخيب, خيبة, محبط, غير مقبول, رديء, "
                    "رديئة, تعبت, مستفز, حرام عليكم",
        "positive": "شكرا, شكراً, ممتاز, ممتازة, رائع, رائعة, جميل, سعيد, مبسوط, تم حل, أحسنتم, سريع, سريعة",
        "negators": "",
    },
}
