"""Complaint cues in German, Dutch and Swedish: see ``models.cues`` for how they are read."""

from __future__ import annotations

CUES: dict[str, dict[str, str]] = {
    "de": {
        "negative": "funktioniert nicht, funktioniert nicht mehr, funktioniert gar nicht, geht nicht, geht nicht mehr, "
                    "geht gar nicht, kein netz, kein internet, keine verbindung, kein empfang, kein strom, ausfall*, "
                    "ausgefallen, fällt aus, störung*, stürzt, abgestürzt, doppelt abgebucht, doppelt berechnet, "
                    "zweimal abgebucht, zu viel berechnet, falsche rechnung, falsche abrechnung, abzocke, abzocker, "
                    "betrug, betrüger, mein geld, geld zurück, zurückerstatten, warteschleife, aufgelegt, "
                    "niemand antwortet, keiner antwortet, keine antwort, keine rückmeldung, keine info*, ignoriert, "
                    "nicht erreichbar, unerreichbar, nicht angekommen, nie angekommen, nicht geliefert, "
                    "nicht erhalten, nichts erhalten, nichts bekommen, verloren, verspätet, verspätung, zu spät, kalt, "
                    "schimmel, verschimmelt, abgelaufen, gefährlich, eklig, ekelhaft, vergiftet, gesperrt, gehackt, "
                    "ausgesperrt, komme nicht rein, kann mich nicht, gestrichen, storniert, annulliert, kündige, "
                    "gekündigt, wechsle den, nie wieder, nimmer wieder, reicht mir, mir reicht, hab genug, habe genug, "
                    "nase voll, katastrophe, katastrophal*, schlecht, schlechte, schlechter, schlechten, schlechtes, "
                    "schlechteste*, miserabel, mies, unverschämt*, frechheit, skandal*, schande, lächerlich, "
                    "enttäuscht, enttäuschend, enttäuschung, unzumutbar, inakzeptabel, nutzlos, unbrauchbar, "
                    "saftladen, sauladen, furchtbar, schrecklich, grauenhaft, ärgerlich, genervt, nervt, unmöglich, "
                    "kein dsl, kein wlan, kein lte, doppelt eingezogen, doppelt abgezogen, doppelt belastet, zweimal, "
                    "bewegt sich nicht, bewegt sich null, tut sich nichts, danke für nix, danke für nichts, "
                    "rausgeflogen, unfreundlich, unhöflich, pampig, respektlos, ausgelacht, hängt sich, friert ein, "
                    "eingefroren, gecancelt, abgesagt, großes kino, warte seit, warten seit, wechsel ich, wechsle ich, "
                    "tot, kaputt, einfach weg, komme nicht an, dreist, preiserhöhung*, bandansage, erreiche niemand*, "
                    "anderen anbieter, geht das nicht weiter, geht so nicht weiter, kein ton, kein wort, "
                    "kein einziges wort, versuche euch zu erreichen, versuche sie zu erreichen, gehts noch, "
                    "geht's noch, zum kotzen, kotzt mich an, armselig, peinlich, inkompetent*, unfähig*, "
                    "immer noch nicht, immer noch kein, immer noch keine, noch immer nicht, bis heute nicht, "
                    "fehlermeldung, lädt nicht, startet nicht, öffnet nicht, reagiert nicht, falsch geliefert, "
                    "falscher artikel, beschädigt, wucher, stinksauer, wütend, verärgert, ohne vorwarnung, "
                    "ohne ankündigung, bricht ab, bricht ständig, bricht alle, fliegt raus, fliege raus, "
                    "schmeißt mich, wirft mich, startet neu, startet ständig, blinkt rot, lauwarm, fehlte, fehlten, "
                    "fehlt die hälfte, doppelt so hoch, dreimal so hoch, nie bestellt, nie beauftragt, nicht bestellt, "
                    "nie gebucht, ohne dass ich, nachzahlung, nicht euer ernst, ist das euer ernst, kann doch nicht, "
                    "im monat für, andere auskunft, jeder sagt, jeder mitarbeiter, wartemusik, verbunden zu werden, "
                    "weiterverbunden, sitzen lassen, sitzen gelassen, gestrandet, ohne hotel, ohne erklärung, "
                    "ohne koffer, ohne klamotten, ohne gepäck, koffer ist, eingeschränkt, konto eingeschränkt, "
                    "konto gesperrt, down, null reaktion, keine reaktion, auf dem trockenen, weltrekord, "
                    "paralleluniversum, läuft bei euch, ständig, andauernd, jedes mal, löst sich, hat sich gelöst, "
                    "abgelöst, klatschnass, durchnässt, nass, gestohlen, geklaut, automat, sprachcomputer, "
                    "computerstimme, nie erstattet, nicht erstattet, noch nicht erstattet, abgelehnt, schließt sich, "
                    "lässt mich nicht, noch nicht angekommen, zero reaktion, zero antwort, null antwort, "
                    "nicht geklingelt, klingelt niemand, keiner geklingelt, leitung tot, netz tot, internet tot, "
                    "seid ihr mich los, bin ich weg, ich bin raus, bin raus, zugausfall, zugausfälle, lahm, "
                    "schneckentempo, lädt nix, nix lädt, nichts lädt, ohne begründung, ohne grund, eiskalt, kam kalt, "
                    "keine durchsage, keine ansage, keine information*, keine entschuldigung, nie abgeschlossen, "
                    "nie unterschrieben, nie beantragt, hängt seit, hängt im, steckt seit, liegt seit, musik gehört, "
                    "dudelmusik, angeschrien, angeschnauzt, angepampt, stehen lassen, stehen gelassen, dreifache, "
                    "noch kein geld, geld immer noch, kommt nicht an, stürzt ständig, drecksladen, mistladen, scheiß*, "
                    "beschissen, spinnt ihr, über den zaun, gesprungen",
        "positive": "danke, dank, super, toll, klasse, prima, zufrieden, begeistert, schnell, schnelle, gelöst, "
                    "perfekt, hervorragend, top, großartig, genial, lieben, pünktlich, einwandfrei, lob, "
                    "kann mich nicht beschweren, läuft super, wieder gut",
        "reports": "laut, zufolge, berichtet, berichten, meldet, melden",
        "negators": "nicht, kein, keine, keinen, nie, niemals, ohne",
        "conditionals": "wenn, falls",
        "after": "nicht, nie, niemals",
        "rhetorical": "warum, wieso, weshalb, spinnt ihr, was soll das",
        "ironic": "gratisnacht, gratis nacht, auf den stühlen, paralleluniversum, macht urlaub, auf weltreise",
    },
    "nl": {
        "negative": "werkt niet, werkt niet meer, doet het niet, geen bereik, geen internet, geen verbinding, "
                    "geen signaal, storing*, ligt eruit, ligt plat, crasht, loopt vast, valt weg, valt uit, "
                    "twee keer afgeschreven, dubbel afgeschreven, twee keer betaald, te veel betaald, teveel betaald, "
                    "te veel afgeschreven, verkeerde factuur, verkeerde rekening, klopt niet, oplichting, oplichters, "
                    "oplichter, geld terug, terugstorten, te duur, prijsverhoging, geen antwoord, geen reactie, "
                    "geen bericht, niemand reageert, niemand neemt, in de wacht, opgehangen, genegeerd, onbereikbaar, "
                    "niet ontvangen, niks ontvangen, niets ontvangen, nooit ontvangen, niet bezorgd, niet aangekomen, "
                    "nooit aangekomen, kwijt, vertraagd, vertraging, te laat, koud, schimmel, beschimmeld, bedorven, "
                    "over de datum, gevaarlijk, vies, voedselvergiftiging, geblokkeerd, gehackt, kan niet inloggen, "
                    "kom niet in, geannuleerd, opgezegd, zeg op, nooit meer, nooit weer, stap over, ben het zat, "
                    "genoeg van, klaar mee, slecht, slechte, slechter, slechtste, waardeloos, waardeloze, belachelijk, "
                    "schandalig, schande, bagger, drama, rampzalig, teleurgesteld, teleurstellend, onacceptabel, "
                    "onbeschoft, triest, walgelijk, nutteloos, dubbel geïncasseerd, dubbel betaald, "
                    "dubbel gefactureerd, twee keer, schiet niet op, nog steeds niet, nog steeds geen, afgebroken, "
                    "blijft hangen, gecanceld, gecanceled, lekker dan, wacht al, wachten al, kapot, niet binnen, "
                    "beschadigd, gebarsten, prijsstijging, diefstal, trek ik niet, trek het niet, andere provider, "
                    "andere providers, geen woord, bandje, zeg ik mijn abonnement op, zeg ik mijn contract op, "
                    "zeg ik het op, werkt nog steeds niet, laadt niet, start niet, reageert niet, foutmelding, "
                    "storingen, niemand helpt, boos, woedend, kwaad, gefrustreerd, frustrerend, ergerlijk, irritant, "
                    "absurd, zonder aankondiging, onterecht*, oplichterij, afzetterij, verkeerd geleverd, "
                    "klantonvriendelijk, valt elke, valt steeds, valt telkens, gooit me eruit, gooit mij eruit, "
                    "springt terug, knippert, lauw, ontbrak, ontbraken, twee keer zo hoog, drie keer zo hoog, "
                    "nooit aangevraagd, nooit besteld, niet aangevraagd, zonder dat ik, bijbetalen, hoe dan, "
                    "per maand voor, rekenen me, vertelt me iets anders, wachtmuziek*, doorverbonden, laten zitten, "
                    "gestrand, zelf regelen, zonder hotel, zonder koffer, zonder kleren, account is beperkt, beperkt, "
                    "down, stilstaande, staat stil, de hele dag thuis, elke keer, steeds weer, alweer, weer eens, "
                    "zero reactie, vertelt me steeds, laat los, liet los, losgelaten, kletsnat, doorweekt, nat, "
                    "gestolen, keuzemenu, computerstem, nooit terugbetaald, niet terugbetaald, "
                    "nog steeds niet terugbetaald, afgewezen, sluit zichzelf, sluit steeds af, laat me niet, "
                    "nog niet aangekomen, ligt al, ligt nu al, ligt sinds, staat al dagen, zit vast, vast bij, "
                    "vast in, vastgelopen, onbeschoft*, uitgelachen, uitgescholden, schreeuwde, ben ik weg, "
                    "ik ben weg, verleng niet, ik verleng niet, ik stop ermee, ga opzeggen, heb opgezegd, zeg het op, "
                    "zeg mijn, kut, klote, traag, slakkengang, niks laadt, laadt niks, verdrievoudigd, zonder uitleg, "
                    "zonder enige uitleg, zonder omroepbericht, geen omroepbericht, geen informatie, geen info, "
                    "geen excuses, op slot, kan niet bij, niet bij mijn geld, chat is stil, reageert niemand, "
                    "weer vertraging, nooit heb aangevraagd, nooit heb besteld, nooit aangevraagd heb",
        "positive": "bedankt, dank, dankjewel, top, super, geweldig, blij, tevreden, snel, snelle, opgelost, perfect, "
                    "fantastisch, beter, fijn, goed, toppie, op tijd, netjes, prima, kan niet klagen, complimenten",
        "reports": "volgens de, volgens het, volgens een, meldt, melden, aldus, bericht",
        "negators": "niet, geen, nooit, zonder",
        "conditionals": "als, indien",
        "after": "niet, nooit",
        "rhetorical": "waarom, hoezo, hoe kan het",
        "ironic": "gratis overnachting, gratis uurtje, op de bankjes, stilstaande trein, af en toe zin in",
    },
    "sv": {
        "negative": "fungerar inte, funkar inte, går inte, ingen täckning, inget internet, ingen uppkoppling, "
                    "ingen signal, ingen ström, är nere, ligger nere, avbrott, strul, krånglar, kraschar, hänger sig, "
                    "dubbeldebiterad, debiterad två gånger, två gånger, fel på fakturan, felaktig faktura, "
                    "fel faktura, för dyrt, prishöjning, bedrägeri, bluff, lurade, pengarna tillbaka, telefonkö, "
                    "inget svar, ingen svarar, inga svar, ingen kan, ingen återkoppling, ingen information, ignorera*, "
                    "inte kommit, aldrig kommit, aldrig kom, inte levererat, inte fått, aldrig fått, försvunnit, "
                    "försenad, försenat, försening, kall, kallt, mögel, möglig, utgånget, farlig, farligt, "
                    "matförgiftning, spärrat, spärrad, låst, hackat, hackad, kan inte logga, inställt, inställd, "
                    "inställda, ställdes in, säger upp, sagt upp, byter operatör, byter leverantör, aldrig mer, "
                    "aldrig igen, fått nog, trött på, less på, värdelös, värdelöst, värdelösa, katastrof*, skandal*, "
                    "pinsamt, bedrövlig*, uselt, usel, dålig, dåligt, dåliga, sämst, sämsta, oacceptabelt, inte okej, "
                    "besviken, besvikna, hemskt, fruktansvärd*, skämt, inget bredband, inget wifi, inget nät, "
                    "står still, lägger på, lade på, tack för ingenting, otrevlig*, oförskämd*, väntat på, orkar inte, "
                    "säger jag upp, nere igen, seg, segt, var är mitt paket, sprucken, spruckit, trasig*, sönder, "
                    "rån*, andra operatörer, håller inte, inte ett ord, inspelad röst, telefonsvarare, "
                    "väntar fortfarande, väntar på svar, väntar på återbetalning, appen fryser, fryser hela tiden, "
                    "fungerar fortfarande inte, laddar inte, startar inte, felmeddelande, arg, förbannad, irriterad, "
                    "frustrerande, upprörd, skitdåligt, skräp, oförskämt, utan förvarning, felaktigt, dragit dubbelt, "
                    "dragit två gånger, går ner, går ner var, loggar ut mig, slänger ut mig, hoppar tillbaka, "
                    "blinkar rött, ljummen, ljummet, saknades, saknas, dubbelt så hög, dubbelt så mycket, "
                    "tre gånger så, aldrig beställt, aldrig bett om, inte beställt, utan att jag, hur går det ens, "
                    "i månaden för, säger något nytt, säger olika, varje handläggare, väntmusik, kopplas vidare, "
                    "kopplade vidare, ordna själva, strandsatta, utan hotell, utan resväska, utan kläder, "
                    "konto begränsat, har varit begränsat, begränsat, down, noll svar, helt utan, varje gång, "
                    "gång på gång, igen och igen, noll återkoppling, lossnade, lossnat, gick sönder, genomblöt, blött, "
                    "blöt, stulen, stulet, röstbrevlåda, talsvar, aldrig återbetal*, inte återbetal*, "
                    "fortfarande inte återbetal*, nekad, nekade, avslag, stänger sig, släpper inte in, "
                    "har inte kommit, utan att röra sig, står på terminalen, stått stilla, står stilla, fastnat, "
                    "ingen återbetalning, inga pengar tillbaka, fortfarande ingen, fortfarande inga, fortfarande inte, "
                    "suger, värdelös*, kasst, laddar ingenting, utan förklaring, utan info, ingen info, inget besked, "
                    "ingen ursäkt, skrek, svarar inte, tre gånger högre, tre gånger dyrare, dubbelt så dyr*, "
                    "dubbelt så hög*",
        "positive": "tack, bra, toppen, grym, grymt, nöjd, jättenöjd, supernöjd, snabb, snabbt, perfekt, fantastisk*, "
                    "underbar*, löst, älskar, i tid, kan inte klaga, fint, flyter",
        "reports": "enligt, rapporterar, uppger, meddelar",
        "negators": "inte, ej, aldrig, utan",
        "conditionals": "om",
        "after": "inte, aldrig, ej",
        "rhetorical": "varför, hur kan",
        "ironic": "gratisnatten, gratisnatt, på stolarna, aldrig bott, påminner om modem",
    },
}
