"""Complaint cues in Spanish, French, Italian and Portuguese: see ``models.cues`` for how they are read."""

from __future__ import annotations

CUES: dict[str, dict[str, str]] = {
    "es": {
        "negative": "no funciona, no me funciona, no funcionan, dejó de funcionar, deja de funcionar, no carga, "
                    "no puedo entrar, no puedo acceder, no puedo iniciar, sin servicio, sin internet, sin conexión, "
                    "sin señal, sin cobertura, sin luz, caído, se cae, se cierra, se bloquea, cobraron, cobrado dos, "
                    "cobro doble, doble cobro, cobro indebido, cobran de más, cobraron de más, quiero mi dinero, "
                    "devuélvanme, devuelvan mi, estafa, estafador*, timo, fraude, vergüenza, vergonzoso, lamentable, "
                    "pésim*, fatal, horrible, terrible, desastre, el peor, la peor, malísim*, un asco, asqueroso, "
                    "inaceptable, indignante, indignado, harto, harta, hartos, decepcionad*, decepción, ridículo, "
                    "inútil, inútiles, nadie responde, nadie contesta, nadie me, sin respuesta, ninguna respuesta, "
                    "me cuelgan, me colgaron, hora esperando, horas esperando, días esperando, semanas esperando, "
                    "llevo esperando, sigo esperando, retrasad*, retraso, llegó tarde, llegó frío, llegó fría, "
                    "no ha llegado, no llegó, nunca llegó, no he recibido, no recibí, extraviad*, caducad*, podrido, "
                    "moho, peligroso, intoxicación, cancelad*, cancelaron, he cancelado, cancelé, darme de baja, "
                    "me doy de baja, me cambio de, nunca más, bloquearon, bloquead*, hackead*, subida de precio, "
                    "abusivo, abuso, robo, ladrones, factura errónea, factura incorrecta, mal servicio, mala atención, "
                    "cansado de, cansada de, sin fibra, sin wifi, sin línea, sin datos, no va nada, dos veces, "
                    "me han cobrado, me habéis cobrado, me cobraron, cortan la llamada, corten la llamada, "
                    "cortaron la llamada, me cortaron, me colgó, gracias por nada, maleducad*, groser*, "
                    "se queda colgad*, se cuelga, se congela, anulad*, anularon, todavía nada, aún nada, "
                    "paso de vosotros, porto la línea, no aguanto más, otra compañía, otras compañías, "
                    "me voy a la competencia, roto, rota, rotos, rotas, se rompió, se ha roto, mierda, una broma, "
                    "tomando el pelo, siempre comunicando, subidas de precio, otra subida, ningún aviso, sin aviso, "
                    "ni una palabra, todos nuestros agentes, contestador, cancelados, canceladas, no sirve, no sirven, "
                    "no responden, no contestan, no contesta, no me llega, da error, me da error, sale error, "
                    "cargo duplicado, doble cargo, cobro duplicado, me han estafado, no me devuelven, ni caso, "
                    "me ignoran, qué asco, basura, penos*, chapuza, cutre, sinvergüenzas, impresentable*, "
                    "no hay manera, imposible contactar, todavía no he, aún no he, va y viene, se corta cada, "
                    "se cortan, cada dos por tres, se desconecta, se reinicia sol*, me echa, me saca de, me expulsa, "
                    "se queda en blanco, pantalla en blanco, se queda cargando, lentísim*, a trozos, el doble, "
                    "el triple, cómo es posible, alguien me lo explica, alguien me explica, nunca pedí, "
                    "nunca he pedido, no he pedido, no he contratado, nunca contraté, sin avisar, sin previo aviso, "
                    "me habéis metido, me han metido, me están cobrando, cobrando de más, al mes para, faltaba, "
                    "faltaban, vino abiert*, llegó abiert*, tibi*, ni rastro, sin noticias, cada uno me dice, "
                    "cada uno me cuenta, me pasan de un, me pasan con otro, musiquita, música de espera, "
                    "sin explicación, sin explicaciones, nadie me explica, nadie me dice, dejaron tirad*, "
                    "dejasteis tirad*, dejan tirad*, tirados, perdí el vuelo, perdí la conexión, sin hotel, "
                    "sin maleta, sin ropa, cuenta limitada, cuenta restringida, restringida, suspendida, "
                    "me han cerrado, cerraron mi cuenta, ko, se ha caído, no hay forma, va fatal, nuevo récord, "
                    "todo un récord, qué maravilla pagar, sigue igual, zero respuestas, cero respuestas, sin poder, "
                    "no puedo trabajar, no hay quien, de pena, qué vergüenza, hora intentando, horas intentando, "
                    "se despeg*, despegad*, descosid*, mojad*, empapad*, robado, me lo robaron, lo robaron, "
                    "en una semana se, a la semana se, contestador automático, un robot, no hay nadie, no llega, "
                    "todavía no llega, aún no llega, sigue sin llegar, no me llega nada, nunca me llegó, "
                    "no me han devuelto, no me devolvieron, sin devolver, me lo han denegado, denegad*, rechazad*, "
                    "se cierra sol*, se cuelga sol*, no me deja, no deja entrar, no me deja entrar, "
                    "sigue sin aparecer, sigue sin funcionar, sigue sin resolver, siguen sin aparecer, "
                    "siguen sin llegar, se me cierra, se me cuelga, se me bloquea, se me apaga, "
                    "cancelo la suscripción, cancelo mi suscripción, cancelo el contrato, voy a cancelar, me borro, "
                    "no pienso pagar, no pienso seguir, maleta perdida, equipaje perdido, han perdido, perdieron mi, "
                    "dejarme tirad*, dejado tirad*, sin ninguna información, sin información, ninguna información, "
                    "ni un aviso, ni una disculpa, sin disculpas, esperando en la línea, esperando al teléfono, "
                    "minutos esperando, minutos de espera, horas de espera, lleva parad*, sigue parad*, está parad*, "
                    "parado desde, atascad*, no se mueve, ni se mueve, q asco, una mierda, veces más, "
                    "se ha triplicado, se ha duplicado, me gritó, me gritaron, nunca solicité, no he solicitado, "
                    "jamás contraté, sin que yo, nunca he contratado, no pedí, ni la bebida",
        "positive": "gracias, genial, encanta, excelente, perfecto, content*, feliz, satisfech*, resuelto, "
                    "solucionado, rápid*, maravilloso, recomiendo, puntual*, a su hora, encantad*, majísim*, rapidez, "
                    "va perfect*, de diez, un diez, como un tiro, de maravilla",
        "reports": "según, informa, informan, según informa, publica",
        "negators": "no, nunca, ni, tampoco, sin",
        "conditionals": "si",
        "clitics": "me, te, se, nos, os, le, les, lo, la, ha, han, he, has, hemos, habéis",
        "rhetorical": "por qué, porque, xq, pq, alguien me explica, cómo es posible, qué es esto",
        "ironic": "noche gratis, dormir en el aeropuerto, excursión de un día, de vacaciones sin mí, haciendo turismo, "
                  "de turismo, un placer como siempre, como siempre un placer",
    },
    "fr": {
        "negative": "ne marche pas, ne marche plus, marche pas, marche plus, ne fonctionne pas, ne fonctionne plus, "
                    "fonctionne pas, fonctionne plus, pas de connexion, plus de connexion, pas de réseau, "
                    "pas d internet, plus d internet, aucun réseau, sans connexion, sans internet, sans réseau, "
                    "en panne, panne, pannes, coupure*, coupe, plante, bug, bugue, prélevé deux fois, "
                    "débité deux fois, facturé deux fois, double prélèvement, surfacturé, facture erronée, "
                    "erreur de facturation, être remboursé, remboursez, arnaque*, escroc*, voleurs, trop cher, "
                    "personne ne répond, aucune réponse, pas de réponse, sans réponse, raccroché, ignoré, ignorée, "
                    "injoignable, pas reçu, jamais reçu, pas arrivé, jamais arrivé, pas livré, jamais livré, perdu, "
                    "en retard, retard, arrivée froide, arrivé froid, froide, moisi, périmé, dangereux, intoxication, "
                    "avarié, bloqué, bloquée, piraté, suspendu, impossible de, annulé, annulée, je résilie, résilié, "
                    "j ai annulé, change d opérateur, plus jamais, jamais plus, en ai marre, marre, ras le bol, nul, "
                    "nulle, nuls, honte, honteux, lamentable, scandale, scandaleux, inadmissible, inacceptable, pire, "
                    "pitoyable, catastrophe, catastrophique, déçu, déçue, décevant, déception, horrible, affreux, "
                    "minable, ridicule, inutile, incompétent*, importe quoi, plus de box, plus de wifi, pas de wifi, "
                    "plus de ligne, plus de fibre, pas de fibre, m avez prélevé, m avez débité, m avez facturé, "
                    "raccroché au nez, merci hein, désagréable, impoli, impolie, malpoli*, mal parlé, crash*, "
                    "aucune solution, toujours pas, toujours rien, je pars chez, trop c est trop, inutilisable, "
                    "c est du vol, répondeur, vous moquez, se moque, foutez de, regarde ailleurs, voir ailleurs, "
                    "c est plus possible, n est plus possible, pas un mot, message enregistré, essaie de vous joindre, "
                    "impossible de vous joindre, je vous quitte, marche mal, ne répond pas, ne répondez pas, "
                    "ne répond plus, message d erreur, prélevé à tort, débité à tort, remboursez moi, vous êtes nuls, "
                    "insupportable, furieux, furieuse, énervé*, agacé*, dégoûté*, pas normal, abusé, "
                    "foutage de gueule, j attends toujours, attends toujours, toujours en attente, coupe sans arrêt, "
                    "se coupe, se déconnecte, redémarre tout* seul*, écran noir, grésille, me déconnecte, me jette, "
                    "me renvoie, tombe à, débit ridicule, a doublé, a triplé, le double, le triple, jamais demandé, "
                    "jamais commandé, jamais souscrit, sans prévenir, sans m avertir, personne ne m a prévenu, "
                    "régularisation, sérieusement, par mois pour, il manquait, manquait, manque le, renversé*, tiède, "
                    "aucune nouvelle, sans nouvelles, chacun me dit, chacun repart, repart de zéro, me transfère, "
                    "musique d attente, sans explication, sans aucune explication, sans une annonce, laissés en plan, "
                    "laissé en plan, bloqués, coincés, reporté, sans hôtel, sans valise, compte fermé, "
                    "compte suspendu, compte restreint, a été fermé, hs, 0 retour, aucun retour, zéro retour, "
                    "du grand art, quel exploit, merci pour rien, toujours le même problème, je galère, galère, "
                    "quelle galère, n importe quoi, se ferme tout* seul*, se ferme, décollé*, s est décollée, "
                    "mouillé*, trempé*, volé, a été volé, comme un chien, comme à un chien, serveur vocal, "
                    "jamais remboursé, pas remboursé, toujours pas remboursé, refusé, refusée, me laisse pas, "
                    "ne me laisse pas, impossible de me connecter, n est jamais arrivé, clignote, sans rien, "
                    "débitée deux fois, prélevée deux fois, deux fois, me couper, m a coupé, coupé la ligne, "
                    "une blague, c est une blague, zéro barre, aucune barre, va pas du tout, jamais demandé*, "
                    "jamais commandé*, sans info*, aucune info*, aucune annonce, aucune explication, sans excuse*, "
                    "pas d excuse*, pas rembours*, jamais rembours*, coincé*, sans clim, sans climatisation, hurlé, "
                    "m a crié, crié dessus, fois plus cher, fois plus élevé*, encore annulé, encore en retard, "
                    "n a jamais, je me désabonne, me désabonner, vais me désabonner, je vais résilier, bloqué depuis, "
                    "pas bougé, bouge plus, bouge pas",
        "positive": "merci, super, génial, adore, excellent, parfait, content, contente, satisfait, satisfaite, ravi, "
                    "ravie, top, bravo, résolu, rapide, en avance, à l heure, nickel, rien à redire, au top, "
                    "impeccable, chapeau",
        "reports": "selon, d après, rapporte, rapportent, annonce",
        "negators": "ne, n, pas, jamais, sans",
        "conditionals": "si",
        "clitics": "me, m, te, t, se, s, nous, vous, lui, leur, l, y, en, a, ont, ai",
        "rhetorical": "pourquoi, c est quoi ce, c est quoi cette, comment ça se fait",
        "ironic": "nuit gratuite, nuit offerte, sur les sièges, a visité trois, fait du tourisme, fait le tour de",
    },
    "it": {
        "negative": "non funziona, non funzionano, non va, smesso di funzionare, senza internet, senza linea, "
                    "senza connessione, senza segnale, niente linea, cade, disservizi*, guasto, si blocca, bloccat*, "
                    "si chiude, crash*, addebitato due volte, addebito doppio, doppio addebito, bolletta sbagliata, "
                    "bolletta errata, fattura sbagliata, costa troppo, troppo cara, troppo caro, rivoglio, "
                    "i miei soldi, truffa, truffatori, ladri, nessuna risposta, nessuno risponde, non rispondete, "
                    "non risponde, ora in attesa, ore in attesa, in attesa da, che aspetto, sto aspettando, "
                    "aspetto ancora, chiuso la chiamata, chiuso il telefono, ignorat*, irraggiungibile, "
                    "non è arrivato, non è arrivata, mai arrivato, mai arrivata, non ricevuto, mai ricevuto, "
                    "non consegnato, smarrito, in ritardo, ritardo, fredd*, muffa, ammuffit*, scadut*, pericolos*, "
                    "intossicazione, avariato, sospeso, hackerato, non riesco ad accedere, non riesco a entrare, "
                    "cancellat*, annullat*, soppresso, cambio gestore, cambio operatore, disdico, ho disdetto, "
                    "ho annullato, mai più, basta con, basta, stufo, stufa, ne ho abbastanza, pessim*, vergogna, "
                    "vergognoso, schifo, schifoso, orribile, terribile, disastro, ridicolo, inaccettabile, scandaloso, "
                    "scandalo, delus*, delusione, inutile, incompetent*, peggiore, peggio, indecente, nessuno sa, "
                    "grazie tante, maleducat*, scortese, sgarbat*, aspetto da, con voi ho chiuso, ho chiuso con, "
                    "inutilizzabile, sempre occupato, state scherzando, prendete in giro, presa in giro, "
                    "altri operatori, altro operatore, non ce la faccio più, neanche una parola, nemmeno una parola, "
                    "aspetto il rimborso, non carica, non si apre, non parte, dà errore, addebito non autorizzato, "
                    "nessun rimborso, fa schifo, vergognatevi, vergognosi, pagliacci, incapaci, arrabbiat*, indignat*, "
                    "non ne posso più, esasperat*, allucinante, penoso, squallido, ancora niente, ancora nessuna, "
                    "va e viene, cade ogni, si disconnette, si riavvia, mi butta fuori, mi sbatte fuori, mi riporta, "
                    "schermata bianca, velocità del, lentissim*, a scatti, mi arriva una bolletta, come è possibile, "
                    "ma come è possibile, il doppio, il triplo, mai chiesto, mai richiesto, mai attivato, "
                    "senza avvisare, senza preavviso, conguaglio, straccio di spiegazione, al mese per, mancava, "
                    "mancavano, gelat*, tiepid*, schiacciat*, rovesciat*, nessuna notizia, ogni operatore, "
                    "mi dice una cosa diversa, pratica è ancora ferma, ancora ferma, ferma da, musichetta, "
                    "musica di attesa, passato a un altro, rimpallat*, senza spiegazion*, nessuno mi spiega, "
                    "lasciati a piedi, ferie rovinate, rovinat*, spostato di, senza hotel, senza valigia, "
                    "senza vestiti, mi avete limitato, limitato il conto, conto limitato, account sospeso, ko, "
                    "rete ko, zero risposte, nessun riscontro, siamo isolati, isolati, che bello pagare, bello pagare, "
                    "staccat*, si è staccata, si è rotta, si è rotto, bagnat*, fradici*, rubato, rubata, "
                    "risponditore automatico, un robot, mai rimborsato, non rimborsato, rifiutat*, respint*, "
                    "si chiude da sol*, non mi fa entrare, non mi fa accedere, non arriva, non è mai arrivat*, "
                    "fermo da, fermo al, fermo in, fermi a, fermi da, ferma al, bloccato da, nemmeno l ombra, "
                    "neanche l ombra, nessun annuncio, nemmeno un annuncio, neanche un annuncio, nessuna informazione, "
                    "nessuna info, senza informazioni, senza un avviso, riattacca, riattaccato, hanno riattaccato, "
                    "cade la linea, caduta la linea, ha urlato, urlato contro, urlava, mi ha trattato male, "
                    "trattato malissimo, disdetta, mai attivat*, mai richiest*, mai chiest*, mai sottoscritt*, "
                    "non ho mai, fa pena, una schifezza, rimborso non, ancora nessun rimborso, lenta, lento",
        "positive": "grazie, fantastic*, ottim*, perfetto, soddisfatt*, content*, adoro, bravi, eccellente, risolto, "
                    "veloce, puntual*, benissimo, alla grande, impeccabile, nulla di cui lamentarmi, bravissim*",
        "reports": "secondo il, secondo la, secondo i, secondo le, secondo lo, stando a, riporta, riportano, "
                   "riferisce, secondo quanto",
        "negators": "non, mai, senza",
        "conditionals": "se",
        "clitics": "mi, ti, ci, vi, si, gli, lo, la, è, ho, hanno, ha, sono",
        "rhetorical": "perché, come mai, com è possibile, che roba è",
        "ironic": "notte gratis, sulle panchine, sosta panoramica, fa turismo, giro turistico, "
                  "esperienza indimenticabile",
    },
    "pt": {
        "negative": "não funciona, não está a funcionar, parou de funcionar, deixou de funcionar, não abre, "
                    "sem internet, sem sinal, sem rede, sem ligação, sem conexão, sem serviço, caiu, fora do ar, "
                    "cai toda, cai sempre, travando, cobraram, cobrado duas vezes, cobrança duplicada, "
                    "cobrança indevida, cobrança errada, fatura errada, conta errada, dinheiro de volta, golpe, "
                    "fraude, roubo, ladrões, absurdo, aumento de preço, caro demais, muito caro, sem resposta, "
                    "nenhuma resposta, ninguém responde, ninguém atende, ninguém sabe, desligaram, à espera, "
                    "esperando há, em espera, ignorad*, não recebi, nunca recebi, não chegou, nunca chegou, "
                    "não foi entregue, extraviad*, atrasad*, atraso, frio, fria, mofo, bolor, estragado, podre, "
                    "vencido, fora de validade, perigoso, intoxicação, bloquead*, hackead*, invadida, suspensa, "
                    "não consigo entrar, não consigo aceder, não consigo acessar, cancelad*, cancelaram, vou cancelar, "
                    "cancelei, vou mudar de, mudar de operadora, nunca mais, cansei, farto, farta, péssim*, horrível, "
                    "terrível, vergonha, vergonhoso, lamentável, ridículo, inaceitável, decepcionad*, decepção, "
                    "desilusão, merda, lixo, pior, inútil, incompetentes, desrespeito, descaso, ninguém resolve, "
                    "parada há, parado há, sem atualização, sem nenhuma atualização, desligou, mal educad*, grosseria, "
                    "travou, trava toda, espero o reembolso, trocar de operadora, vou trocar de, rescindo, bugado, "
                    "bugou, quebrad*, palhaçada, é brincadeira, não dá mais, outras operadoras, nenhum aviso, "
                    "sem aviso, nem uma palavra, foi grosso, foi grossa, muito grosso, muito grossa, grosso comigo, "
                    "grossa comigo, cadê meu, cadê minha, cadê o meu, cadê a minha, cai na gravação, cancelados, "
                    "canceladas, não serve, não presta, não responde, não respondem, não atende, não atendem, "
                    "não carrega, dá erro, deu erro, cobrança em dobro, cobrado em dobro, cobraram em dobro, porcaria, "
                    "bosta, que raiva, indignad*, revoltad*, não aguento mais, insuportável, falta de respeito, "
                    "até agora nada, continua sem, ainda não chegou, oscila, cai toda hora, cai o tempo todo, some, "
                    "fica caindo, desconecta, reinicia sozinh*, me joga, me expulsa, apaga e volta, tela branca, "
                    "lento demais, lentíssim*, como assim, veio o dobro, o dobro, o triplo, nunca contratei, "
                    "nunca pedi, não contratei, não pedi, sem avisar, ninguém me avisou, tão me cobrando, "
                    "estão me cobrando, me cobrando, por mês pra, faltando, faltou, faltava, amassad*, revirad*, "
                    "morno, morna, nem sinal, estorno não caiu, estorno, cada atendente, resposta diferente, "
                    "continua do mesmo jeito, mesma coisa, musiquinha, música de espera, me transferirem, "
                    "me transferiram, me jogaram, largados, largaram, perder a conexão, perdi o voo, perdi a conexão, "
                    "mudaram meu voo, sem hotel, sem mala, sem roupa, conta restrita, restrita, restringida, "
                    "conta bloqueada, conta suspensa, protocolos, protocolo, e nada, mensagem pronta, só manda, "
                    "sem conseguir, não consigo trabalhar, descolou, descolad*, solt* a sola, molhad*, encharcad*, "
                    "roubad*, robô, mensagem automática, nunca foi reembolsad*, não foi reembolsad*, não reembolsaram, "
                    "recusad*, negad*, fecha sozinh*, não me deixa, não deixa entrar, não chega, nunca chega, "
                    "até hoje não, duplicad*, parado em, parada em, parado desde, parada desde, rastreio parado, "
                    "não se mexe, não anda, nada do reembolso, nada de reembolso, cadê o reembolso, reembolso não, "
                    "nenhuma informação, sem informação, sem nenhuma informação, nem uma água, nem água, "
                    "nem um pedido de desculpas, sem explicação, grosso, grossa, grossos, me tratou mal, "
                    "gritou comigo, que taxa é essa, que cobrança é essa, nunca solicitei, não solicitei, "
                    "nunca assinei, nunca mais piso, não volto mais, cancelei a assinatura, cancelei meu plano, "
                    "cancelar meu plano, cancelar a assinatura",
        "positive": "obrigad*, ótimo, ótima, excelente, perfeito, adoro, amei, satisfeit*, contente, feliz, resolvido, "
                    "rápid*, parabéns, top, valeu, rapidinh*, agilidade, amando, certinho, voando, show, "
                    "sem problemas, tranquilo, no horário",
        "reports": "segundo o, segundo a, de acordo com, informa, informou",
        "negators": "não, nunca, nem, sem",
        "conditionals": "se, caso",
        "clitics": "me, te, se, nos, lhe, lhes, o, a, foi, tem, está, ta",
        "rhetorical": "por que, porque, pq, alguém resolve, que taxa é essa, que cobrança é essa",
        "ironic": "noite grátis, fazendo turismo, cada cadeira, no chão do aeroporto, nas cadeiras do aeroporto",
    },
}
