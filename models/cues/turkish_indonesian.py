"""Complaint cues in Turkish and Indonesian: see ``models.cues`` for how they are read."""

from __future__ import annotations

CUES: dict[str, dict[str, str]] = {
    "tr": {
        "negative": "çalışmıyor, açılmıyor, bağlanmıyor, yüklenmiyor, internet yok, sinyal yok, çekmiyor, kesinti*, "
                    "kesildi, kesiliyor, arıza*, çöktü, çöküyor, donuyor, iki kez, iki defa, iki kere, fazladan, "
                    "yanlış, paramı, iade istiyorum, dolandırıcı*, soygun, zam, kazık, pahalı, cevap yok, yanıt yok, "
                    "cevap vermiyor, kimse, bekledim, bekliyorum, bekletildi*, kapandı, kapattı*, ilgilenmiyor, "
                    "ulaşamıyorum, gelmedi, ulaşmadı, teslim edilmedi, almadım, kayboldu, kayıp, gecikti, geç geldi, "
                    "geç kaldı, gecikme, soğuk, küf*, bozuk, bozulmuş, son kullanma, tehlikeli, zehirlen*, engellendi, "
                    "bloke, kilitlendi, hacklendi, yapamıyorum, iptal edildi, iptal ettiler, rötar, değiştiriyorum, "
                    "iptal ediyorum, iptal ettim, bir daha, asla, bıktım, yeter, bıktır*, rezalet, rezil, berbat, "
                    "kötü, felaket, saçma, saçmalık, yazık, utanç, ayıp, skandal, hayal kırıklığı, işe yaramaz, "
                    "beceriksiz, çöp, mağdur*, kaba, kabalık, saygısız, iptal edece*, internet gitti, elektrik gitti, "
                    "siparişim nerede, siparişim nerde, kargom nerede, kargom nerde, kırık, kırılmış, başka operatör*, "
                    "böyle olmaz, otomatik mesaj, yine patladı, sistem patladı, hata veriyor, hata alıyorum, "
                    "sinir oldum, sinir bozucu, rezillik, saygısızlık, haksızlık, dolandırıldım, haber vermeden, "
                    "habersiz, şikayetçiyim, gidip geliyor, gidip gelip, kopuyor, kopup duruyor, dışarı atıyor, "
                    "geri atıyor, kırmızı yanıyor, ılık, eksik, eksikti, iki katı, üç katı, istemediğim, "
                    "hiç istemediğim, onayım olmadan, nasıl hesap, bu nasıl, başka bir şey söylüyor, olduğu yerde, "
                    "yerinde sayıyor, bekleme müziği, aktardılar, aktarıyorlar, ortada bıraktı*, otel bile, "
                    "otel vermediniz, bavulum, valizim, kısıtlı, kısıtlandı, askıya alındı, yine gitti, ses yok, "
                    "ses seda yok, dönüş yok, geri dönüş yok, her seferinde, her aradığımda, yine aynı, çalışamıyoruz, "
                    "çalışamıyorum, çalışmıyo, çalışmadı*, çalışmıyordu, gelmiyor*, gelmedi*, açılmadı*, bağlanmadı*, "
                    "yüklenmedi*, ulaşmıyor*, ulaşılmıyor, dönmüyor*, dönmediler, dönüş yapmadı*, cevap vermedi*, "
                    "yanıt vermedi*, cevap verilmedi, iade edilmedi*, iade etmedi*, iade yapılmadı, tabanı ayrıldı, "
                    "söküldü, sökülmüş, ıslak, ıslandı, çalındı, çalınmış, reddedildi, reddetti*, "
                    "kendi kendine kapanıyor, giremiyorum, bekliyor, hala yatmadı, yatmadı, iade edilmedi, "
                    "yüzüme kapat*, kapattılar, bağırdı, azarla*, saygısız*, katı gelmiş, kat fazla, bilgi yok, "
                    "hiçbir bilgi, açıklama yok, özür bile, su bile yok, almadığım, onaylamadığım, bir haftada, "
                    "başka operatöre taşıyorum, numaramı taşıyorum",
        "positive": "teşekkür*, sağol*, harika, süper, mükemmel, memnun*, çözüldü, hızlı, bayıldım, güzel, tebrik*, "
                    "zamanında, tıkır tıkır, sorunsuz, teşekkürler, kibar*",
        "reports": "haber* göre, bildirdi, aktardı",
        "negators": "",
        "after": "değil",
        "hypothetical": "*rsanız, *rseniz, *rsam, *rsem, *rsak, *rsek, *rsa, *rse, eğer",
        "rhetorical": "neden, niye, niçin",
        "ironic": "bedava bir gece, sandalyelerinde, türkiye turunda, ezberledim, hızında internet",
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
                    "berhenti langganan, saya batalkan, ganti provider, tidak akan lagi, kapok, capek, muak, kecewa, "
                    "mengecewakan, parah, buruk, terburuk, jelek, payah, keterlaluan, memalukan, tidak becus, "
                    "gak becus, sampah, menyebalkan, kesal, kacau, tidak profesional, tanpa pemberitahuan, nyangkut, "
                    "ga gerak, tidak bergerak, kasar, force close, belum masuk, putus langganan, sinyal ilang, "
                    "paketku mana, paket saya mana, pesanan saya mana, pesananku mana, retak, rusak, nyekik, "
                    "ga nyambung, gak nyambung, tidak nyambung, gimana sih, ga tahan, gak tahan, tidak tahan, "
                    "tanpa pengumuman, tanpa kabar, masih belum, masih tidak bisa, masih gak bisa, gak jalan, "
                    "ga jalan, nggak jalan, gagal terus, kesel, nyebelin, dirugikan, tidak ada kabar, ga ada kabar, "
                    "gak ada kabar, lelet, nyambung putus, putus nyambung, putus-putus, keluar sendiri, "
                    "ditendang keluar, balik ke halaman, lampu merah, merah terus, kurang setengah, tidak lengkap, "
                    "ga lengkap, gak lengkap, dua kali lipat, tiga kali lipat, nggak pernah saya daftar, "
                    "tidak pernah daftar, tidak pernah saya daftar, gak pernah daftar, ga pernah daftar, "
                    "tanpa persetujuan, kok bisa, kepotong, terpotong, dipotong, jawabannya beda, beda-beda, "
                    "gitu-gitu aja, gitu gitu aja, musik tunggu, dioper, dilempar, disuruh cari sendiri, cari sendiri, "
                    "tanpa hotel, tanpa baju, dibatasi, ga bs, gak bs, gk bisa, gk bs, zero respon, ga ada respon, "
                    "gak ada respon, nggak ada respon, tanpa info, tanpa informasi, lumpuh, kayak siput, siput, "
                    "tiap kali, setiap kali, lagi-lagi, copot, jebol, basah, kehujanan, dicuri, kecurian, "
                    "mesin penjawab, ditolak, nutup sendiri, menutup sendiri, tidak bisa masuk, ga bisa masuk, "
                    "gak bisa masuk, belum dikembalikan, belum kembali, belum direfund, belum di refund, refund belum, "
                    "dana belum, belum cair, belum juga, mulu, melulu, kemana, ke mana, ketutup sendiri, "
                    "tertutup sendiri, x lipat, kali lipat, lipat dari biasanya, ga dikasih, gak dikasih, "
                    "tidak dikasih, tanpa kompensasi, tidak pernah saya, gak pernah saya, ga pernah saya, "
                    "nggak pernah saya, ditutup gitu aja",
        "positive": "terima kasih, makasih, mantap, bagus, puas, senang, cepat, selesai, keren, hebat, luar biasa, "
                    "suka, tepat waktu, lancar, lancar jaya, ramah, rapi",
        "reports": "menurut berita, menurut laporan, dilaporkan, diberitakan, melaporkan",
        "negators": "tidak, tak, bukan, gak, ga, nggak, enggak, belum",
        "conditionals": "kalau, kalo, jika",
        "hypothetical": "kalau, kalo, jika, klo, kl, seandainya",
        "clitics": "juga, pernah, bisa, ada, lagi",
        "rhetorical": "kenapa, mengapa, knp, napa, kok",
        "ironic": "nginep gratis, menginap gratis, jalan-jalan keliling, hafal semua, di kursi bandara",
    },
}
