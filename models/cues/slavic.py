"""Complaint cues in Polish and Russian: see ``models.cues`` for how they are read."""

from __future__ import annotations

CUES: dict[str, dict[str, str]] = {
    "pl": {
        "negative": "nie działa, nie działają, przestał działać, przestała działać, przestało działać, nie da się, "
                    "brak internetu, brak zasięgu, brak sygnału, brak połączenia, brak prądu, awari*, pada, padł, "
                    "padło, zawiesza, zawiesił, wywala, rozłącz*, pobrali dwa, dwa razy, podwójnie, zła faktura, "
                    "błędna faktura, oszustwo, oszuści, złodzieje, zdzierstwo, za drogo, podwyżk*, zwrot pieniędzy, "
                    "oddajcie, brak odpowiedzi, bez odpowiedzi, nikt nie, zero informacji, zero odpowiedzi, czekałem, "
                    "czekałam, czekam od, czekam już, zignorowa*, olewa*, nie dotarła, nie dotarło, nie doszła, "
                    "nie dostałem, nie dostałam, nie otrzymałem, nie otrzymałam, zaginęł*, zgubili, spóźnion*, "
                    "opóźnion*, opóźnienie, zimne, zimna, zimny, pleśń, spleśniał*, przeterminowan*, niebezpieczn*, "
                    "zatrucie, zablokowa*, zhakowa*, nie mogę się zalogować, nie mogę zalogować, odwołany, odwołali, "
                    "anulowany, anulowali, wypowiadam, rezygnuję, anulowałem, anulowałam, zmieniam operatora, "
                    "zmieniam dostawcę, nigdy więcej, mam dość, dość tego, mam dosyć, fataln*, beznadziejn*, tragedia, "
                    "tragiczn*, żenada, żenujące, skandal*, wstyd, porażka, okropn*, najgorsz*, rozczarowan*, kpina, "
                    "dramat, masakra, bezużyteczn*, badziew*, nie mam internetu, nie mam zasięgu, nie mam prądu, "
                    "zero info, niemił*, opryskliw*, chamsk*, bezczeln*, zacina*, czekam na zwrot, odchodzę do, "
                    "mam was dość, mam was dosyć, rozwiązuję umowę, spóźnieni*, brak netu, brak neta, brak sieci, "
                    "gdzie moja paczka, gdzie moje zamówienie, pęknięt*, uszkodzon*, zniszczon*, złodziej*, "
                    "jakiś żart, innym operatorem, innego operatora, nie da rady, ani słowa, próbuję się dodzwonić, "
                    "nie mogę się dodzwonić, wciąż nie działa, dalej nie działa, nadal nie działa, nie ładuje, "
                    "nie włącza, wyskakuje błąd, skandaliczn*, żenujący, frustrując*, wkurzon*, wkurza, irytując*, "
                    "syf, szajs, bez uprzedzenia, niesłusznie, dwukrotnie, co chwilę się, co chwila się, rozłącza się, "
                    "wylogowuje, wyrzuca mnie, wywala mnie, mruga na czerwono, restartuje się, letnie, letni, "
                    "brakowało, brakuje, dwa razy wyższ*, dwa razy więcej, trzy razy więcej, nigdy nie zamawiałem, "
                    "nigdy nie zamawiałam, nie zamawiałem, nie zamawiałam, nie zlecałem, bez mojej zgody, "
                    "jak to w ogóle możliwe, jak to możliwe, miesięcznie za, każdy konsultant, mówi mi coś innego, "
                    "stoi w miejscu, sprawa stoi, muzyczk*, przełączyli mnie, przełączają, odsyłają, zostawili nas, "
                    "sami załatwić, bez hotelu, bez bagażu, bez ubrań, konto ograniczone, ograniczone, "
                    "zawieszone konto, konto zawieszone, padł znowu, znowu nie, zero odzewu, brak odzewu, odzewu, "
                    "bez sieci, za każdym razem, kolejny raz, znowu to samo, nie działa*, nie działał*, nie dotarł*, "
                    "nie doszł*, nie dostał*, nie otrzymał*, nie odpowiada*, nie odpisuj*, nie odpisal*, nie odbiera*, "
                    "nie przyszł*, nie przyszedł, nie zwrócil*, nie oddal*, odkleił*, odpadł*, przemokł*, mokr*, "
                    "ukradzion*, skradzion*, odrzucon*, odmówil*, zamyka się, nie wpuszcza, nie mogę się dostać, "
                    "ciągle automat, nie ma internetu, nie ma zasięgu, nie ma prądu, jak nie było tak nie ma, stoi od, "
                    "leży od, utknęła, utknęło, utknął, dalej brak, nadal brak, wciąż brak, dalej nic, nadal nic, "
                    "wciąż nic, razy droższy, co to ma być, co to za, bez informacji, brak informacji, bez klimy, "
                    "bez słowa, nakrzyczała, nakrzyczał, krzyczała, krzyczał, niemiła, niemiły, niemiłe, lipa, "
                    "beznadzie*, wywaliło, nie brałem, nie brałam, rozłączył*",
        "positive": "dziękuję, dzięki, super, świetn*, wspaniał*, zadowolon*, polecam, szybk*, rozwiązan*, brawo, "
                    "doskonał*, punktualn*, elegancko, bez zarzutu, śmiga, nie mogę narzekać",
        "reports": "według, wg, jak podaje, jak podają, podaje, podają, informuje, informują",
        "negators": "nie, nigdy, bez, ani",
        "conditionals": "jak, jeśli, jeżeli",
        "hypothetical": "jeśli, jeżeli, gdyby",
        "clitics": "mi, mu, nam, wam, im, się, jeszcze, już, mnie",
        "rhetorical": "czemu, dlaczego, co to za, co to ma",
        "ironic": "darmowy nocleg, na krzesłach, zwiedzania pola, w innym mieście, jak modem",
    },
    "ru": {
        "negative": "не работает, не работают, перестал работать, перестало работать, не грузит, не загружается, "
                    "не открывается, нет интернета, нет связи, нет сети, нет сигнала, нет света, пропал, пропала, "
                    "отключили, сбой, обрыв*, вылетает, глючит, виснет, дважды, списали, лишние деньги, "
                    "неправильный сч*, верните, мошенник*, обман*, развод, грабёж, дорого, подняли цены, "
                    "повысили цены, слишком, нет ответа, никто не, не отвечают, никакого ответа, никакой информации, "
                    "без ответа, игнорир*, ждал, ждала, жду уже, жду ответа, до сих пор, бросили трубку, не пришла, "
                    "не пришло, не пришёл, не доставили, не получил, не получила, потеряли, опоздал*, задерж*, "
                    "холодн*, плесень, заплесневел*, просрочен*, опасно, опасный, отравлен*, тухл*, заблокировали, "
                    "заблокирован*, взломали, взломан*, не могу войти, не могу зайти, отменили, отменён, отмена рейса, "
                    "расторгаю, ухожу, больше никогда, никогда больше, надоел*, достали, хватит, сыт по горло, ужасн*, "
                    "отвратительн*, кошмар, позор, безобразие, худш*, плох*, разочарован*, отстой, бесполезн*, "
                    "хамство, хамы, некомпетентн*, издевательство, беспредел, возмутительн*, жесть, никакого движения, "
                    "положил* трубку, нахамил*, хамит*, хамят, жду возврат*, расторгну, опоздание, нет инет*, "
                    "где мой заказ, треснул*, сломан*, разбит*, издевает*, друг* оператор*, так дальше нельзя, "
                    "ни слова, автоответчик, пытаюсь дозвониться, не дозвониться, лагает, лагать, лаги, так и не, "
                    "всё ещё не, по-прежнему не, не приходит, не доходит, не отвечает, выдаёт ошибку, бесит, бесят, "
                    "возмущен*, позорище, лохотрон, кидалово, без предупреждения, отваливается, отваливает*, "
                    "вылетает из, выкидывает, выбрасывает, разлогинивает, мигает красным, перезагружается, еле тёпл*, "
                    "не хватало, не хватает, вдвое больше, в два раза больше, втрое больше, не подключал, "
                    "не подключала, не заказывал, не заказывала, без моего согласия, это как вообще, как так, "
                    "в месяц за, каждый оператор, рассказывает своё, стоит на месте, перевели в, переключили, "
                    "бросили нас, ищем сами, без гостиницы, без багажа, без вещей, заморозили, ограничили, "
                    "аккаунт ограничен, лежит, опять, снова не, тишина, ни ответа, каждый раз, в который раз, "
                    "как в пещере, музыку на линии, музыка на линии, музыки на линии, музыка ожидания, "
                    "музыку ожидания, не работа*, не приш*, не доставил*, не получил*, не отвеча*, не вернул*, "
                    "не верну*, не возвращ*, отклеил*, отвалил*, промок*, мокр*, украли, украден*, автоответ*, "
                    "отказали, отказано, отклонили, закрывается сам*, не пускает, не могу попасть, так и не пришл*, "
                    "висит, висят, зависла, застряла, застрял, третью неделю, вторую неделю, который день, "
                    "отменяю подписку, отписываюсь, отключаюсь, ухожу к, больше не буду, платить не буду, хамит, "
                    "наорал*, грубит, грубо, ужас, тормозит, ничего не грузит, без объяснений, без объяснения, "
                    "ноль информации, без информации, сбросили, короткие гудки, ухожу от вас, положил трубку, "
                    "положила трубку, в три раза больше, в три раза дороже, в два раза дороже",
        "positive": "спасибо, благодарю, отлично, супер, класс, быстро, решили, доволен, довольна, рад, рада, "
                    "прекрасно, молодцы, люблю, здорово, вовремя, летает, без нареканий, приятно, жаловаться не на что",
        "reports": "по данным, по сообщению, по сообщениям, сообщает, сообщают, по информации, сообщил*, передаёт",
        "negators": "не, ни, никогда, без",
        "conditionals": "если",
        "clitics": "мне, нам, ему, ей, им, вам, ещё, уже, так, и",
        "rhetorical": "почему, зачем, с какой стати, что за",
        "ironic": "бесплатную ночёвку, бесплатная ночёвка, на креслах, путешествует по, картинку по минуте",
    },
}
