"""Complaint cues in Spanish, French, Italian and Portuguese: see ``models.cues`` for how they are read."""

from __future__ import annotations

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
                    "no llegó, nunca llegó, no he recibido, no recibí, extraviado, caducado, caducada, podrido, "
                    "moho, peligroso, intoxicación, cancelado, cancelada, cancelaron, he cancelado, cancelé, "
                    "darme de baja, me doy de baja, me cambio de, nunca más, bloquearon, bloqueada, bloqueado, "
                    "hackeado, subida de precio, abusivo, abuso, robo, ladrones, factura errónea, "
                    "factura incorrecta, mal servicio, mala atención, cansado de, cansada de, sin fibra, sin wifi, "
                    "sin línea, sin datos, no me va, no va nada, dos veces, me han cobrado, me habéis cobrado, "
                    "me cobraron, cortan la llamada, corten la llamada, cortaron la llamada, me cortaron, me colgó, "
                    "gracias por nada, maleducad*, grosero, grosera, se queda colgad*, se cuelga, se congela, "
                    "anulado, anulada, anularon, todavía nada, aún nada, sigo sin, paso de vosotros, porto la línea, "
                    "no aguanto más, otra compañía, otras compañías, me voy a la competencia, roto, rota, rotos, "
                    "rotas, se rompió, se ha roto, mierda, una broma, tomando el pelo, siempre comunicando, "
                    "subidas de precio, otra subida, no abre, cancelados, canceladas, ningún aviso, sin aviso, "
                    "ni una palabra, todos nuestros agentes, contestador",
        "positive": "gracias, genial, encanta, excelente, perfecto, contento, contenta, feliz, satisfecho, "
                    "satisfecha, resuelto, solucionado, rápido, rápida, maravilloso, recomiendo, puntual*, "
                    "a su hora, encantad*, majísim*, rapidez",
        "reports": "según",
        "negators": "no, nunca, ni, tampoco, sin",
        "conditionals": "si",
    },
    "fr": {
        "negative": "ne marche pas, ne marche plus, marche pas, marche plus, ne fonctionne pas, ne fonctionne plus, "
                    "fonctionne pas, fonctionne plus, pas de connexion, plus de connexion, pas de réseau, "
                    "pas d internet, plus d internet, aucun réseau, sans connexion, sans internet, sans réseau, "
                    "en panne, panne, pannes, coupure*, coupe, coupé, plante, planté, bug, bugue, prélevé deux fois, "
                    "débité deux fois, facturé deux fois, double prélèvement, surfacturé, facture erronée, "
                    "erreur de facturation, être remboursé, remboursez, arnaque*, escroc*, voleurs, trop cher, "
                    "personne ne répond, aucune réponse, pas de réponse, sans réponse, raccroché, ignoré, ignorée, "
                    "injoignable, pas reçu, jamais reçu, pas arrivé, jamais arrivé, pas livré, jamais livré, perdu, "
                    "en retard, retard, arrivée froide, arrivé froid, froide, moisi, périmé, dangereux, "
                    "intoxication, avarié, bloqué, bloquée, piraté, suspendu, impossible de, annulé, annulée, "
                    "je résilie, résilié, j ai annulé, change d opérateur, plus jamais, jamais plus, en ai marre, "
                    "marre, ras le bol, nul, nulle, nuls, honte, honteux, lamentable, scandale, scandaleux, "
                    "inadmissible, inacceptable, pire, pitoyable, catastrophe, catastrophique, déçu, déçue, "
                    "décevant, déception, horrible, affreux, minable, ridicule, inutile, incompétent*, importe quoi, "
                    "plus de box, plus de wifi, pas de wifi, plus de ligne, plus de fibre, pas de fibre, "
                    "m avez prélevé, m avez débité, m avez facturé, raccroche, raccroché au nez, merci hein, "
                    "désagréable, impoli, impolie, malpoli*, mal parlé, crash*, aucune solution, toujours pas, "
                    "toujours rien, je quitte, je pars chez, trop c est trop, inutilisable, c est du vol, répondeur, "
                    "vous moquez, se moque, foutez de, regarde ailleurs, voir ailleurs, la concurrence, "
                    "c est plus possible, n est plus possible, pas un mot, message enregistré, "
                    "essaie de vous joindre, impossible de vous joindre",
        "positive": "merci, super, génial, adore, excellent, parfait, content, contente, satisfait, satisfaite, "
                    "ravi, ravie, top, bravo, résolu, rapide, en avance, à l heure",
        "reports": "selon, d après",
        "negators": "ne, n, pas, jamais, sans",
        "conditionals": "si",
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
                    "non consegnato, smarrito, in ritardo, ritardo, freddo, fredda, muffa, ammuffit*, scaduto, "
                    "scaduta, pericoloso, pericolosa, intossicazione, avariato, sospeso, hackerato, "
                    "non riesco ad accedere, non riesco a entrare, cancellato, annullato, soppresso, cambio gestore, "
                    "cambio operatore, disdico, ho disdetto, ho annullato, mai più, basta con, basta, stufo, stufa, "
                    "ne ho abbastanza, pessimo, pessima, vergogna, vergognoso, schifo, schifoso, orribile, "
                    "terribile, disastro, ridicolo, inaccettabile, scandaloso, scandalo, deluso, delusa, delusione, "
                    "inutile, incompetent*, peggiore, peggio, indecente, nessuno sa, grazie tante, maleducat*, "
                    "scortese, sgarbat*, aspetto il, aspetto da, con voi ho chiuso, ho chiuso con, inutilizzabile, "
                    "sempre occupato, state scherzando, prendete in giro, presa in giro, altri operatori, "
                    "altro operatore, non ce la faccio più, neanche una parola, nemmeno una parola, segreteria",
        "positive": "grazie, fantastico, fantastica, ottimo, ottima, perfetto, soddisfatto, soddisfatta, contento, "
                    "contenta, adoro, bravi, eccellente, risolto, veloce, puntual*, benissimo",
        "reports": "secondo il, secondo la, secondo i, secondo le, secondo lo, stando a",
        "negators": "non, mai, senza",
        "conditionals": "se",
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
                    "cancelado, cancelada, cancelaram, vou cancelar, cancelei, vou mudar de, mudar de operadora, "
                    "nunca mais, cansei, farto, farta, péssimo, péssima, horrível, terrível, vergonha, vergonhoso, "
                    "lamentável, ridículo, inaceitável, decepcionado, decepcionada, decepção, desilusão, merda, "
                    "lixo, pior, inútil, incompetentes, desrespeito, descaso, ninguém resolve, parada há, parado há, "
                    "sem atualização, sem nenhuma atualização, desligou, grosso, grossa, mal educad*, grosseria, "
                    "travou, trava toda, espero o reembolso, cadê, trocar de operadora, vou trocar de, rescindo, "
                    "bugado, bugou, quebrado, quebrada, palhaçada, é brincadeira, não dá mais, outras operadoras, "
                    "cancelados, canceladas, nenhum aviso, sem aviso, nem uma palavra, gravação",
        "positive": "obrigado, obrigada, ótimo, ótima, excelente, perfeito, adoro, amei, satisfeito, satisfeita, "
                    "contente, feliz, resolvido, rápido, rápida, parabéns, top, valeu, rapidinh*, agilidade, amando, "
                    "certinho",
        "reports": "segundo o, segundo a, de acordo com",
        "negators": "não, nao, nunca, nem, sem",
        "conditionals": "se, caso",
    },
}
