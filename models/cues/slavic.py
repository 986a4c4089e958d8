"""Complaint cues in Polish and Russian: see ``models.cues`` for how they are read."""

from __future__ import annotations

CUES: dict[str, dict[str, str]] = {
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
                    "odwołany, odwołali, anulowany, anulowali, wypowiadam, rezygnuję, anulowałem, anulowałam, "
                    "zmieniam operatora, zmieniam dostawcę, nigdy więcej, mam dość, dość tego, mam dosyć, fataln*, "
                    "beznadziejn*, tragedia, tragiczn*, żenada, żenujące, skandal*, wstyd, porażka, okropn*, "
                    "najgorsz*, rozczarowan*, kpina, dramat, masakra, bezużyteczn*, badziew*, nie mam internetu, "
                    "nie mam zasięgu, nie mam prądu, zero info, niemił*, opryskliw*, chamsk*, bezczeln*, zacina*, "
                    "czekam na zwrot, odchodzę do, mam was dość, mam was dosyć, rozwiązuję umowę, spóźnieni*, "
                    "brak netu, brak neta, brak sieci, gdzie moja paczka, gdzie moje zamówienie, pęknięt*, "
                    "uszkodzon*, zniszczon*, złodziej*, jakiś żart, innym operatorem, innego operatora, nie da rady, "
                    "ani słowa, próbuję się dodzwonić, nie mogę się dodzwonić, wciąż nie działa, dalej nie działa, "
                    "nadal nie działa, nie ładuje, nie włącza, wyskakuje błąd, skandaliczn*, żenujący, frustrując*, "
                    "wkurzon*, wkurza, irytując*, syf, szajs, bez uprzedzenia, niesłusznie, dwukrotnie",
        "positive": "dziękuję, dzięki, super, świetn*, wspaniał*, zadowolon*, polecam, szybk*, rozwiązan*, brawo, "
                    "doskonał*, punktualn*",
        "reports": "według, wg, jak podaje, jak podają",
        "negators": "nie, nigdy, bez, ani",
        "conditionals": "jak, jeśli, jeżeli",
    },
    "ru": {
        "negative": "не работает, не работают, перестал работать, перестало работать, не грузит, не загружается, "
                    "не открывается, нет интернета, нет связи, нет сети, нет сигнала, нет света, пропал, пропала, "
                    "отключили, сбой, сбои, обрыв*, вылетает, глючит, виснет, дважды, списали, лишние деньги, "
                    "неправильный сч*, верните, мошенник*, обман*, развод, грабёж, дорого, подняли цены, "
                    "повысили цены, слишком, нет ответа, никто не, не отвечают, никакого ответа, никакой информации, "
                    "без ответа, игнорир*, ждал, ждала, жду уже, жду ответа, до сих пор, бросили трубку, не пришла, "
                    "не пришло, не пришёл, не доставили, не получил, не получила, потеряли, опоздал*, задерж*, "
                    "холодн*, плесень, заплесневел*, просрочен*, опасно, опасный, отравлен*, тухл*, заблокировали, "
                    "заблокирован*, взломали, взломан*, не могу войти, не могу зайти, отменили, отменён, "
                    "отмена рейса, расторгаю, ухожу, больше никогда, никогда больше, надоел*, достали, хватит, "
                    "сыт по горло, ужасн*, отвратительн*, кошмар, позор, безобразие, худш*, плох*, разочарован*, "
                    "отстой, бесполезн*, хамство, хамы, некомпетентн*, издевательство, беспредел, возмутительн*, "
                    "жесть, никакого движения, положил* трубку, нахамил*, хамит*, хамят, жду возврат*, расторгну, "
                    "опоздание, нет инет*, где мой заказ, треснул*, сломан*, разбит*, издевает*, друг* оператор*, "
                    "так дальше нельзя, ни слова, автоответчик, пытаюсь дозвониться, не дозвониться, лагает, лагать, "
                    "лаги, так и не, всё ещё не, по-прежнему не, не приходит, не доходит, не отвечает, "
                    "выдаёт ошибку, бесит, бесят, возмущен*, позорище, лохотрон, кидалово, без предупреждения",
        "positive": "спасибо, благодарю, отлично, супер, класс, быстро, решили, доволен, довольна, рад, рада, "
                    "прекрасно, молодцы, люблю, здорово, вовремя",
        "reports": "по данным, по сообщению, по сообщениям, сообщает, сообщают, по информации",
        "negators": "не, ни, никогда, без",
        "conditionals": "если",
    },
}
