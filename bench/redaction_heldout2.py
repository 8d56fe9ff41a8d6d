#!/usr/bin/env python3
"""Second held-out PII-redaction evaluation set for Voxsight (call-centre dialogue fragments).

Independent of the other redaction benchmark files: every template here was written from scratch.
Each utterance is one or a few turns of a bank / insurer / hospital / retail call, in English or
Mandarin (simplified, plus some traditional-character templates), in one of two styles:

  written  cleaned transcript or chat log: speaker labels ("Agent: ... Customer: ...", "客服：... 客户：...") and punctuation.
  asr      recogniser output (Whisper, SenseVoice): speaker labels mostly dropped; English usually
           lower case without punctuation; Chinese punctuation dropped or turned into spaces;
           digits often spoken ("oh", "double", "triple", 幺, 两, 〇/零, 叉), Arabic and words mixed.

Callers hesitate (uh, um, 嗯, 那个, 就是), give numbers in pieces across turns, agents read numbers
back, callers correct a digit, and many unrelated numbers sit nearby.

Output: JSON Lines, UTF-8 (ensure_ascii=False), one object per line:
  {"id": "h2-en-007", "language": "en"|"zh", "style": "written"|"asr", "text": "...",
   "entities": [{"type": "CARD", "start": 12, "end": 31}, ...]}
start/end are Python str offsets; text[start:end] is exactly the entity as written.

Labelling rules
- Types: CARD, CVV, EXPIRY, BANK_ACCOUNT, PHONE, ID_NUMBER, PASSPORT, EMAIL, PIN, ADDRESS.
- A span is the value only. Internal spaces, dashes, slashes, "+"/"plus"/"加", number words and
  spoken e-mail words (dot, at, underscore, 艾特, 点, 下划线, 小老鼠) are inside; the announcing words
  ("my card number is", "卡号是") and surrounding punctuation are outside. Spans are sorted,
  non-overlapping, non-empty, start with a letter/digit/CJK char or "+", end with one of those.
- A value given in pieces (separated by words or punctuation) gets one span per piece, each with
  the value's type. Pieces separated only by whitespace are one span (so the ASR versions, whose
  commas are removed, merge such pieces). Read-backs, repeats and misheard/corrected pieces of a
  value given in the utterance are labelled with that value's type.
- CARD: 13-19 digit numbers with real issuer prefixes (Visa 4, Mastercard 51-55 / 2221-2720,
  Amex 34/37 with 15 digits, UnionPay 62); every whole card passes Luhn. A card or phone referred
  to only by its last four digits ("card ending 4821", "尾号4821") when the full number is not
  given in the utterance is NOT labelled.
- CVV: 3-4 digit security code announced as such. EXPIRY: card expiry in any form (not passport/contract dates).
- BANK_ACCOUNT: announced account numbers (8-20 digits) and IBANs (valid mod-97 check).
- PHONE: mainland mobile 1[3-9]+9 digits (optional +86), mainland landline 0xx-xxxxxxxx,
  Hong Kong 8 digits starting 2/3/5/6/9 (optional +852), international "+cc ...", US 10-digit
  numbers announced as a phone. Extensions, service hotlines (95588, 400-...) are not labelled.
- ID_NUMBER: PRC resident ID, 18 chars (area, valid YYYYMMDD, sequence, ISO 7064 MOD 11-2 check
  char) or 15-digit legacy (area, YYMMDD, sequence).
- PASSPORT: announced passport numbers (E/G + 8 digits, E + letter + 7 digits, 1-2 letters + 7-9 digits).
- EMAIL: written or spoken addresses, in English or Chinese speech ("艾特", "点com").
- PIN: PINs, passwords, one-time / verification codes announced as such.
- ADDRESS: Chinese [province] city district + road + 号 [+ building/floor/room]; English house
  number + street + suffix (apartment, city and zip code are outside the span).
- About 40% of utterances are negatives with no entity but many numbers: order (including
  11-digit ones starting with 1), tracking, case, ticket, policy (including wrong-check 18-digit),
  claim (including Luhn-failing 16-digit), invoice numbers, amounts, dates, times, durations,
  counts, ages, years, percentages, floors, extensions, card last-four, postcodes, flights,
  dosages, prices per month, loyalty points.

Deterministic: random.Random(seed).
Usage: python3 bench/redaction_heldout2.py --out bench/redaction_heldout2.jsonl [--seed N] [--per-language N]
"""
import argparse, datetime, json, random, re

DIG = "0123456789"
EW = "zero one two three four five six seven eight nine".split()
TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
MONTHS = "January February March April May June July August September October November December".split()
ZW = "零一二三四五六七八九"

def E(typ, s):
    return (typ, s)
def rd(r, n, first=DIG):
    return r.choice(first) + "".join(r.choice(DIG) for _ in range(n - 1))

def num_en(n):
    return EW[n] if n < 10 else TEENS[n - 10] if n < 20 else TENS[n // 10] + ("" if n % 10 == 0 else " " + EW[n % 10])

def cn_int(n):
    if n == 0:
        return "零"
    units, s, out, zero = ["", "十", "百", "千", "万"], str(n), "", False
    for i, c in enumerate(s):
        if c == "0":
            zero = True
            continue
        out, zero = out + ("零" if zero and out else "") + ZW[int(c)] + units[len(s) - 1 - i], False
    return out[1:] if out.startswith("一十") else out

def en_digits(d, r, oh=0.8, dbl=0.8):
    out, i = [], 0
    while i < len(d):
        c, run = d[i], 1
        while i + run < len(d) and d[i + run] == c and run < 3:
            run += 1
        w = "oh" if c == "0" and r.random() < oh else ("x" if c in "xX" else EW[int(c)])
        run = run if run > 1 and r.random() < dbl else 1
        out.append({1: "", 2: "double ", 3: "triple "}[run] + w)
        i += run
    return " ".join(out)

def zh_digits(d, r, yao=0.7):
    m = {"0": r.choice("零〇"), "1": "幺" if r.random() < yao else "一", "2": "两" if r.random() < 0.15 else "二", "X": "叉",
         "x": "叉"}
    return "".join(m.get(c, ZW[int(c)] if c.isdigit() else c) for c in d)

def say_en(d, r, a, p=0.5):
    """ASR: each space-separated group is spoken as words with probability p."""
    return " ".join(en_digits(g, r) if a and r.random() < p else g for g in d.split(" "))

def say_zh(d, r, a, p=0.5, yao=0.7):
    if not a or r.random() >= p:
        return d
    s = zh_digits(d, r, yao)
    return s if r.random() < 0.5 else s.replace(" ", "")

def ne(n, r, a):
    return num_en(n) if a and n < 100 and r.random() < 0.4 else str(n)
def nz(n, r, a):
    return cn_int(n) if a and r.random() < 0.4 else str(n)
def h(r):
    return r.choice(["uh, ", "um, ", "uh… ", "", "", "so, ", "hang on, ", "let me see, ", "okay, ", "um, sorry, "])
def hz(r):
    return r.choice(["嗯，", "那个，", "就是，", "呃，", "", "", "嗯……", "那个就是，", "我看一下啊，"])
def ht(r):
    return r.choice(["嗯，", "那個，", "就是，", "呃，", "", "我看一下，"])
def mutate(x, r):
    return (lambda i: x[:i] + r.choice([c for c in DIG if c != x[i]]) + x[i + 1:])(r.randrange(len(x)))

# ---------------------------------------------------------------- identifiers
def luhn_ok(d):
    s = 0
    for i, c in enumerate(reversed(d)):
        n = int(c) * (2 if i % 2 else 1)
        s += n - 9 if n > 9 else n
    return s % 10 == 0

def luhn_fill(prefix, n, r):
    body = prefix + "".join(r.choice(DIG) for _ in range(n - len(prefix) - 1))
    return next(body + c for c in DIG if luhn_ok(body + c))

def not_luhn(r, n, prefix=""):
    while True:
        d = prefix + "".join(r.choice(DIG) for _ in range(n - len(prefix)))
        if not luhn_ok(d):
            return d

CARD_KINDS = {"visa": (lambda r: "4", 16), "mc": (lambda r: str(r.randint(51, 55)), 16),
              "mc2": (lambda r: str(r.randint(2221, 2720)), 16), "amex": (lambda r: r.choice(["34", "37"]), 15),
              "up": (lambda r: r.choice(["6222", "6228", "6217", "6212", "6259", "6225"]), 16),
              "up19": (lambda r: r.choice(["6222", "6228", "6217", "6212"]), 19)}

def card(r, kind=None):
    return (lambda pre, n: luhn_fill(pre(r), n, r))(*CARD_KINDS[kind or r.choice(sorted(CARD_KINDS))])

def groups(d):
    return [d[:4], d[4:10], d[10:]] if len(d) == 15 else [d[i:i + 4] for i in range(0, len(d), 4)]
def fmt_card(d, r):
    return r.choice([" ", " ", "-", ""]).join(groups(d))

AREAS = ["110105", "110108", "310115", "310104", "440305", "440106", "330106", "510107", "420111", "320106", "120101",
         "370202", "500103", "610113", "350203", "210102", "430104", "410105"]
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

def id_check(body):
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11]
def birth(r, lo=1950, hi=2005):
    return (datetime.date(lo, 1, 1)
            + datetime.timedelta(days=r.randrange((datetime.date(hi, 12, 31) - datetime.date(lo, 1, 1)).days)))

def prc_id(r, bad=False, x=None):
    while True:
        body = r.choice(AREAS) + birth(r).strftime("%Y%m%d") + rd(r, 3)
        c = id_check(body)
        if bad:
            return body + r.choice([k for k in DIG if k != c])
        if x is None or (c == "X") == x:
            return body + c

def legacy_id(r):
    return r.choice(AREAS) + birth(r, 1940, 1980).strftime("%y%m%d") + rd(r, 3)

def iban(r):
    cc, bban = r.choice([("GB", lambda: r.choice(["WEST", "NWBK", "BARC", "HBUK", "LOYD"]) + rd(r, 14)),
                         ("DE", lambda: rd(r, 18)), ("NL", lambda: r.choice(["ABNA", "INGB", "RABO"]) + rd(r, 10)),
                         ("FR", lambda: rd(r, 23)), ("CH", lambda: rd(r, 17))])
    b = bban()
    chk = 98 - int("".join(str(int(ch, 36)) for ch in b + cc + "00")) % 97
    s = f"{cc}{chk:02d}{b}"
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))

def cn_mobile(r):
    return "1" + r.choice(["38", "39", "35", "37", "50", "58", "59", "86", "87", "77", "99", "36", "88", "52", "83",
                           "66", "91"]) + rd(r, 8)

def fmt_mobile(m, r, cc=False):
    return ("+86 " if cc else "") + r.choice([m, f"{m[:3]} {m[3:7]} {m[7:]}", f"{m[:3]}-{m[3:7]}-{m[7:]}"])

def landline(r):
    return r.choice(["010", "020", "021", "022", "023", "024", "025", "027", "028", "029"]), rd(r, 8, "2345678")
def hk_phone(r):
    return rd(r, 8, "23569")

INTL = [("+44", "London", lambda r: f"20 7946 {rd(r, 4)}"), ("+44", "Manchester", lambda r: f"7700 900{rd(r, 3)}"),
        ("+65", "Singapore", lambda r: f"{rd(r, 4, '89')} {rd(r, 4)}"),
        ("+61", "Sydney", lambda r: f"4{rd(r, 2)} {rd(r, 3)} {rd(r, 3)}"),
        ("+81", "Tokyo", lambda r: f"90 {rd(r, 4)} {rd(r, 4)}"),
        ("+1", "Toronto", lambda r: f"{rd(r, 3, '2345678')} 555 01{rd(r, 2)}"),
        ("+49", "Berlin", lambda r: f"151 {rd(r, 8)}")]
INTL_ZH = {"London": "伦敦", "Manchester": "曼彻斯特", "Singapore": "新加坡", "Sydney": "悉尼", "Tokyo": "东京", "Toronto": "多伦多",
           "Berlin": "柏林"}

def intl_phone(r):
    return (lambda cc, city, rest: (f"{cc} {rest(r)}", city))(*r.choice(INTL))

def passport(r):
    k = r.random()
    return r.choice("EG") + rd(r, 8) if k < 0.45 else "E" + r.choice("ABCDEFGHJK") + rd(r, 7) if k < 0.6 else \
        r.choice(["K", "H", "P", "AB", "CN", "X", "PE", "C"]) + rd(r, r.choice([7, 8, 9]))

def pp_say(p, r, a, lang):
    if not a or r.random() < 0.4:
        return p
    L = re.match(r"[A-Z]+", p).group()
    return L + " " + (en_digits(p[len(L):], r) if lang == "en" else zh_digits(p[len(L):], r, 0.3))

PY = ["zhang", "wei", "li", "na", "wang", "fang", "chen", "jie", "liu", "yang", "huang", "min", "zhao", "lei", "sun",
      "hao", "zhou", "ting", "xu", "ming"]
ENN = ["sarah", "mike", "lisa", "tom", "kate", "james", "emma", "dan", "amy", "kevin"]
DOMS = [["163", "com"], ["qq", "com"], ["126", "com"], ["gmail", "com"], ["outlook", "com"], ["hotmail", "com"],
        ["sina", "com"], ["yahoo", "com", "hk"], ["foxmail", "com"], ["icloud", "com"]]

def email(r, en=False, qq=False):
    if qq:
        return [rd(r, r.randint(8, 10), "123456789")], ["qq", "com"]
    u = [r.choice(ENN if en and r.random() < 0.6 else PY)]
    u += [r.choice([".", "_", ""]), r.choice(PY)] if r.random() < 0.7 else []
    u += [rd(r, r.choice([2, 4]), "123456789")] if r.random() < 0.6 else []
    return [x for x in u if x], r.choice(DOMS)

def em_w(e):
    return "".join(e[0]) + "@" + ".".join(e[1])

def em_en(e, r):
    sp = {".": "dot", "_": "underscore", "-": "dash"}
    def f(t):
        return sp.get(t) or (en_digits(t, r, dbl=0.5) if t.isdigit() and r.random() < 0.7 else t)
    return " ".join(f(t) for t in e[0]) + " at " + " dot ".join(f(t) for t in e[1])

def em_zh(e, r, trad=False):
    sp = {".": "點" if trad else "点", "_": "底線" if trad else "下划线", "-": "槓" if trad else "杠"}
    j = r.choice(["", " "])
    def f(t):
        return sp.get(t) or (zh_digits(t, r) if t.isdigit() and r.random() < 0.5 else t)
    at = r.choice(["小老鼠", "at", "艾特"] if trad else ["艾特", "at", "艾特", "圈a"])
    at = " at " if at == "at" else j + at + j
    return j.join(f(t) for t in e[0]) + at + (j + sp["."] + j).join(f(t) for t in e[1])

def expiry(r, lang, a):
    m, y = r.randint(1, 12), r.randint(2025, 2031)
    yy = y % 100
    if lang == "en" and not a:
        opts = [f"{m:02d}/{yy}", f"{MONTHS[m - 1]} {y}", f"{m:02d}/{y}", f"{m:02d}/{yy}"]
    elif lang == "en":
        opts = [f"{m:02d}/{yy}", f"{MONTHS[m - 1].lower()} {y}",
                f"{('oh ' + EW[m]) if m < 10 else num_en(m)} {num_en(yy)}",
                f"{MONTHS[m - 1].lower()} twenty {num_en(yy)}", f"{m:02d} {yy}"]
    elif not a:
        opts = [f"{m:02d}/{yy}", f"{y}年{m}月", f"{yy}年{m:02d}月", f"{m:02d}/{yy}"]
    else:
        opts = [f"{m:02d}/{yy}", f"{zh_digits(str(yy), r, 0)}年{cn_int(m)}月",
                f"{zh_digits(f'{m:02d}', r, 0)} {zh_digits(str(yy), r, 0)}", f"{m:02d}{yy}", f"{y}年{m}月"]
    return r.choice(opts)

EN_ST = ["Oak", "Maple", "Cedar", "Lakeshore", "Kingsway", "Elm", "Harbor", "Willow", "Park", "Mission", "Queen",
         "Pine", "Sunset", "Riverside", "Chestnut"]
SUF = ["Street", "Avenue", "Road", "Boulevard", "Drive", "Lane", "Court", "Way"]
CITIES = ["Springfield", "Fremont", "Austin", "Vancouver", "Seattle", "Brooklyn", "Portland"]
ZH_REG = [("北京市", "朝阳区", "建国路 朝阳北路 东三环中路"), ("上海市", "浦东新区", "张杨路 世纪大道 浦东南路"), ("广东省深圳市", "南山区", "科技园路 深南大道 南海大道"),
          ("浙江省杭州市", "西湖区", "文三路 天目山路 教工路"), ("四川省成都市", "武侯区", "人民南路 科华北路 武侯祠大街"), ("湖北省武汉市", "洪山区", "珞喻路 雄楚大道"),
          ("江苏省南京市", "鼓楼区", "中山北路 北京西路"), ("广东省广州市", "天河区", "天河路 体育东路 黄埔大道"), ("天津市", "和平区", "南京路 多伦道"),
          ("山东省青岛市", "市南区", "香港中路 东海西路")]
TW = [("台北市", "大安區", "忠孝東路四段"), ("台北市", "信義區", "松仁路"), ("台中市", "西屯區", "臺灣大道三段"), ("高雄市", "苓雅區", "中正一路"),
      ("香港九龍", "油尖旺區", "彌敦道"), ("香港", "灣仔區", "軒尼詩道"), ("新北市", "板橋區", "文化路一段")]

def house_en(n):
    if n < 100:
        return num_en(n)
    hi, lo = divmod(n, 100)
    return ((num_en(hi) if hi >= 10 else EW[hi]) + " "
            + (num_en(lo) if lo >= 10 else ("hundred" if lo == 0 else "oh " + EW[lo])))

def street_en(r, a):
    n = r.randint(3, 4999)
    s = f"{r.choice(['', '', 'West ', 'North ', 'East '])}{r.choice(EN_ST)} {r.choice(SUF)}"
    return (house_en(n) if a and r.random() < 0.4 else str(n)) + " " + s

def addr_zh(r, a):
    pr, di, roads = r.choice(ZH_REG)
    n = r.randint(1, 999)
    bld = r.choice(["", "", f"{r.randint(1, 12)}栋{r.randint(1, 32)}{r.randint(1, 4):02d}室",
                    f"{r.randint(1, 9)}号楼{r.randint(1, 6)}单元{r.randint(1, 28)}{r.randint(1, 4):02d}"])
    ad = pr + di + r.choice(roads.split()) + (cn_int(n) if a and r.random() < 0.5 else str(n)) + "号" + bld
    return ad.replace("省", "").replace("市", "", 1) if a and r.random() < 0.4 else ad

def amt_en(r):
    return r.choice([f"${r.randint(20, 4999):,}.{r.randint(0, 99):02d}", f"${r.randint(1, 20) * 50}",
                     f"{r.randint(100, 9000)} dollars", f"£{r.randint(10, 900)}"])
def amt_zh(r, t=False):
    return r.choice([f"{r.randint(100, 50000)}元", f"{r.randint(2, 90) * 100}{'塊' if t else '块'}",
                     f"{cn_int(r.randint(2, 99) * 100)}{'塊' if t else '块'}",
                     f"¥{r.randint(50, 9999)}.{r.randint(0, 99):02d}"])
def date_en(r):
    return f"{r.choice(MONTHS)} {r.randint(1, 28)}"
def time_en(r):
    return f"{r.randint(1, 12)}:{r.choice(['00', '15', '30', '45'])}"
def date_zh(r, t=False):
    return f"{r.randint(1, 12)}月{r.randint(1, 28)}{'號' if t else '号'}"

def time_zh(r, t=False):
    p, lo, hi = r.choice([("上午", 8, 11), ("下午", 1, 5), ("晚上", 6, 9)])
    s = f"{p}{r.randint(lo, hi)}点" + r.choice(["", "半", "一刻", f"{r.randint(10, 50)}分"])
    return s.replace("点", "點") if t else s

def flight(r):
    return r.choice(["CA", "MU", "CZ", "BA", "CX", "UA", "SQ", "HU"]) + r.choice(["", " "]) + str(r.randint(100, 1999))
def dose_en(r):
    return (f"{r.choice([5, 10, 20, 40, 250, 500])} mg "
            f"{r.choice(['twice a day', 'once a day', 'three times a day', 'every eight hours'])}")

# ---------------------------------------------------------------- English templates with PII
def en_card_pieces(r, a):
    g = groups(card(r))
    def sy(x):
        return say_en(x, r, a, 0.6)
    it = ["Agent: Could you read me the long number on the front of the card? Customer: ", h(r),
          "okay, the first four are… ", E("CARD", sy(g[0])), ", then ", E("CARD", sy(g[1])),
          ". Agent: Sorry, was that ", E("CARD", g[1]), "? Customer: Yep. "]
    if g[2:-1]:
        it += ["Then ", E("CARD", sy(" ".join(g[2:-1]))), ", and "]
    return it + [f"the last {num_en(len(g[-1]))} are ", E("CARD", sy(g[-1])), ". Agent: So that's ",
                 E("CARD", " ".join(g)), ", and it expires? Customer: ", h(r), E("EXPIRY", expiry(r, "en", a)),
                 ". Agent: Thanks. I can see the ", amt_en(r), " charge from ", date_en(r), "."]
def en_card_spoken(r, a):
    kind = r.choice(["visa", "mc", "mc2", "amex", "up"])
    c = card(r, kind)
    where = "four digit code on the front" if kind == "amex" else "three digit security code on the back"
    return ["Customer: I'd like to pay off the ", amt_en(r),
            " balance on my other card. Agent: Of course, the card number when you're ready. Customer: ", h(r), "it's ",
            E("CARD", say_en(" ".join(groups(c)), r, a, 0.7) if a else fmt_card(c, r)),
            ". Agent: And the expiry date? Customer: ", E("EXPIRY", expiry(r, "en", a)),
            f". Agent: Lastly the {where}. Customer: ", h(r),
            E("CVV", say_en(rd(r, 4 if kind == "amex" else 3), r, a, 0.6)), ". Agent: Thank you, that takes ",
            ne(r.randint(2, 5), r, a), " working days to clear."]
def en_card_fix(r, a):
    c = card(r, r.choice(["visa", "mc", "up"]))
    g = groups(c)
    w = mutate(g[2], r)
    return ["Customer: The card is ", E("CARD", say_en(" ".join(g), r, a, 0.4) if a else fmt_card(c, r)),
            ". Agent: Let me check the last eight with you, ", E("CARD", f"{w} {g[3]}"), "? Customer: No, ", h(r),
            "it's ", E("CARD", say_en(g[2], r, a)), ", not ", E("CARD", w), ". Agent: Apologies, ",
            E("CARD", f"{g[2]} {g[3]}"), ". And the security code? Customer: ", E("CVV", say_en(rd(r, 3), r, a)),
            ". Agent: Great, your order ", rd(r, 9, "123456789"), " is paid."]
def en_mobile(r, a):
    m = cn_mobile(r)
    w = mutate(m[7:], r)
    full = fmt_mobile(m, r, cc=r.random() < 0.6)
    if a and r.random() < 0.6:
        full = (("plus eight six " if full.startswith("+") else "")
                + " ".join(en_digits(x, r) for x in (m[:3], m[3:7], m[7:])))
    return ["Agent: What's the best number to reach you while you're in China? Customer: ", h(r), "my mobile there is ",
            E("PHONE", full), ". Agent: Let me repeat that, ", E("PHONE", f"{m[:3]} {m[3:7]} {w}"),
            "? Customer: No, the last four are ", E("PHONE", say_en(m[7:], r, a)), ", not ", E("PHONE", w),
            ". Agent: Sorry, ", E("PHONE", f"{m[:3]} {m[3:7]} {m[7:]}"), ". I'll call back in about ",
            ne(r.randint(10, 40), r, a), " minutes."]
def en_hk_phone(r, a):
    p, o = hk_phone(r), r.choice("23") + rd(r, 7)
    return ["Agent: Do you have a Hong Kong contact number? Customer: Yes, my mobile is ",
            E("PHONE", say_en(f"{p[:4]} {p[4:]}", r, a, 0.6)), ", or the office, that's ",
            E("PHONE", f"+852 {o[:4]} {o[4:]}"), ", extension ", rd(r, 3, "123456789"),
            ". Agent: And the office is on floor ", r.randint(5, 40), ", right? Customer: Yes, tower ",
            r.randint(1, 3), "."]
def en_us_phone(r, a):
    x, y, z = rd(r, 3, "2345678"), "555", "01" + rd(r, 2)
    num = f"{x}-{y}-{z}" if not a else r.choice([f"{x} {y} {z}", f"{x}-{y}-{z}",
                                                 " ".join(en_digits(q, r) for q in (x, y, z))])
    return ["Customer: Can someone call me back? I've been on hold for ", ne(r.randint(15, 55), r, a),
            " minutes. Agent: I'm sorry about that. What number should we use? Customer: ", h(r), "my cell, ",
            E("PHONE", num), ", any time after ", r.randint(4, 7), " pm. Agent: Noted on case number ", rd(r, 8), "."]
def en_intl(r, a):
    p, city = intl_phone(r)
    ps = p if not a or r.random() < 0.5 else "plus " + " ".join(en_digits(q, r) for q in p[1:].split())
    return ["Agent: Is there a number abroad we can reach you on? Customer: ", h(r), f"yes, I'm in {city} until ",
            date_en(r), ". It's ", E("PHONE", ps), ". Agent: Got it, ", E("PHONE", p),
            ", thank you. The time difference is about ", ne(r.randint(1, 13), r, a), " hours, right?"]
def en_email_spoken(r, a):
    e = email(r, en=True)
    rb = em_w(e) if not a or r.random() < 0.5 else em_en(e, r)
    return ["Agent: Can I get an email address for the statements? Customer: ", h(r), "sure, it's ",
            E("EMAIL", em_en(e, r)), ". Agent: So that's ", E("EMAIL", rb),
            "? Customer: Yes. And could you send the last ", ne(r.randint(3, 12), r, a), " months?"]
def en_email_chat(r, a):
    e1, e2 = email(r, en=True), email(r, qq=r.random() < 0.3)
    return ["Customer: Hi, I changed my email, the new one is ", E("EMAIL", em_w(e1)), ", please stop using ",
            E("EMAIL", em_w(e2)), ". Agent: Done. You'll get a confirmation within ", ne(r.randint(2, 24), r, a),
            " hours, reference REF-", rd(r, 6), "."]
def en_otp(r, a):
    def f(c):
        return say_en(f"{c[:3]} {c[3:]}" if r.random() < 0.5 else c, r, a, 0.6)
    return ["Agent: I've just sent a six digit verification code to the phone ending ", rd(r, 4),
            ". Could you read it out? Customer: ", h(r), "yeah, it's ", E("PIN", f(rd(r, 6))),
            "… oh wait, that one's expired, there's a new one, ", E("PIN", f(rd(r, 6))),
            ". Agent: Great, that's valid for ", r.choice([5, 10, 15]), " minutes."]
def en_pin(r, a):
    word, yr = r.choice(["Sunflower", "Dragon", "Panda", "Maple", "Shanghai", "Bluesky"]), str(r.randint(1970, 2024))
    pw = word + yr if not a else r.choice([word + yr, f"{word} {yr}", f"{word} {en_digits(yr, r)}"])
    return ["Customer: I'm locked out of telephone banking. I think my PIN is ", E("PIN", say_en(rd(r, 4), r, a)),
            ", or maybe ", E("PIN", say_en(rd(r, 4), r, a)),
            ". Agent: Please don't tell me your PIN, I'll reset it for you. Customer: Oh, and the online password was ",
            E("PIN", pw), " if that helps. Agent: I can see ", r.randint(3, 5), " failed attempts since ", time_en(r),
            " this morning."]
def en_account(r, a):
    acc = rd(r, r.choice([8, 10, 12]), "0123789")
    accs = acc if len(acc) == 8 or r.random() < 0.5 else " ".join(acc[i:i + 4] for i in range(0, len(acc), 4))
    return ["Customer: I want the refund of ", amt_en(r),
            " to go to my savings account instead. Agent: Sure, what's the account number? Customer: ", h(r),
            E("BANK_ACCOUNT", say_en(accs, r, a, 0.5)), ". Agent: Reading back, ", E("BANK_ACCOUNT", accs),
            ". It should arrive within ", ne(r.randint(3, 10), r, a), " days."]
def en_iban(r, a):
    ib = iban(r)
    return ["Customer: I need to send €", f"{r.randint(5, 90) * 100:,}", " to my landlord in Europe. His IBAN is ",
            E("BANK_ACCOUNT", ib), ". Agent: Let me confirm, it ends ", E("BANK_ACCOUNT", " ".join(ib.split()[-2:])),
            "? Customer: Yes. Agent: The fee is $", r.randint(10, 45), " and it takes ", ne(r.randint(2, 4), r, a),
            " business days."]
def en_passport(r, a):
    return ["Agent: For the travel insurance claim I'll need the passport number of the insured person. Customer: ",
            h(r), "okay, it's ", E("PASSPORT", pp_say(passport(r), r, a, "en")), ". We were on flight ", flight(r),
            " on ", date_en(r), ", and the claim is for ", amt_en(r), ". Agent: Thank you, your claim number is CLM",
            rd(r, 7), "."]
def en_hotel(r, a):
    ph, city = intl_phone(r)
    return ["Agent: For the hotel in Shanghai I need the guest's passport number. Customer: ", h(r), "it's ",
            E("PASSPORT", pp_say(passport(r), r, a, "en")),
            ". Agent: And a number while you're travelling? Customer: My ", city, " mobile, ", E("PHONE", ph),
            ". Agent: That's ", ne(r.randint(2, 6), r, a), " nights for ", ne(r.randint(2, 3), r, a),
            " adults, check-in from ", r.randint(1, 3), " pm, total ", amt_en(r), "."]
def en_addr(r, a):
    return ["Agent: Can you confirm the billing address? Customer: ", h(r), "it's ", E("ADDRESS", street_en(r, a)),
            ", apartment ", f"{r.randint(1, 30)}{r.choice('ABCD')}", ", ", r.choice(CITIES), ", ",
            rd(r, 5, "123456789"), ". Agent: And the last four of the card? Customer: ", rd(r, 4), "."]
def en_addr_move(r, a):
    return ["Customer: We moved last ", r.choice(MONTHS), " from ", E("ADDRESS", street_en(r, a)), " to ",
            E("ADDRESS", street_en(r, a)), ", but the letters for policy HX-", rd(r, 6),
            " keep going to the old place. Agent: I've updated it. The next bill of ", amt_en(r),
            " goes to the new address, and the flat is on floor ", r.randint(2, 20), "."]
def en_id_pieces(r, a):
    i = prc_id(r, x=r.random() < 0.4)
    def sy(x):
        return say_en(x, r, a, 0.4)
    return ["Agent: To open the account I need your Chinese resident ID number. Customer: Okay, the first six are ",
            E("ID_NUMBER", sy(i[:6])), ", then it's my birthday, ", E("ID_NUMBER", i[6:14]), ", and the last four are ",
            E("ID_NUMBER", sy(i[14:])), ". Agent: So ", E("ID_NUMBER", i), ". And you're ", 2025 - int(i[6:10]),
            "? Customer: Yes, I was born in ", i[6:10], "."]
def en_hospital_id(r, a):
    return ["Nurse: Before we go through your medication, can I confirm your ID number? Patient: ", h(r), "it's ",
            E("ID_NUMBER", prc_id(r) if r.random() < 0.7 else legacy_id(r)), ". Nurse: Thank you. So it's ", dose_en(r),
            ", for ", ne(r.randint(5, 14), r, a), " days, and your next appointment is at ", time_en(r), " in room ",
            r.randint(101, 520), "."]

# ---------------------------------------------------------------- English negatives
def en_neg_order(r, a):
    o = cn_mobile(r)
    return ["Customer: ", h(r), "I'm calling about order number ",
            say_en(f"{o[:3]} {o[3:7]} {o[7:]}", r, a, 0.4) if a else o, ", it was supposed to arrive on ", date_en(r),
            ". Agent: I see it, ", ne(r.randint(2, 6), r, a), " items, total ", amt_en(r), ". It left the warehouse ",
            ne(r.randint(2, 9), r, a), " days ago."]
def en_neg_tracking(r, a):
    t = r.choice([f"1Z{rd(r, 3)}AA{rd(r, 10)}", f"SF{rd(r, 13)}", rd(r, 12, "789"), f"YT{rd(r, 16)}"])
    return ["Agent: Your tracking number is ", t, ". It's in the Memphis hub and should be delivered between ",
            r.randint(8, 10), " and ", r.randint(11, 12), " tomorrow. Customer: Um, the box weighs about ",
            r.randint(5, 25), " kilos, is that a problem? Agent: No, anything under 30 is fine."]
def en_neg_claim(r, a):
    c = not_luhn(r, 16, r.choice(["4", "51", "62", "37"]))
    return ["Customer: My claim number is ", " ".join(groups(c)), ". Agent: Thanks. The claim for ", amt_en(r),
            " was approved on ", date_en(r), ", and you'll get ", r.choice([70, 80, 90]), "% of the invoice amount."]
def en_neg_policy(r, a):
    return ["Agent: I have policy number ", prc_id(r, bad=True), " here, the premium is $",
            f"{r.randint(30, 300)}.{r.randint(0, 99):02d}", " a month, renewing on ", date_en(r),
            ". Customer: Right, uh, and it covers ", ne(r.randint(2, 5), r, a), " people?"]
def en_neg_case(r, a):
    return ["Agent: I've opened case ", f"{r.randint(2023, 2025)}{rd(r, 6)}", " and ticket INC", rd(r, 7),
            ". Customer: How long will it take? Agent: Usually ", ne(r.randint(24, 72), r, a), " hours. You're number ",
            r.randint(2, 40), " in the queue, and it's been ", ne(r.randint(3, 11), r, a), " minutes."]
def en_neg_lastfour(r, a):
    return ["Agent: Is this about the card ending in ", rd(r, 4), "? Customer: Yes, ", h(r), "the ", amt_en(r),
            " charge on ", date_en(r), ". Agent: I can see it was at ", time_en(r), ". I'll refund it in ",
            r.randint(3, 5), " to ", r.randint(7, 10), " days."]
def en_neg_billing(r, a):
    return ["Agent: Your plan is $", r.randint(20, 90), ".99 a month for the first ", ne(12, r, a),
            " months, then it goes up ", r.randint(5, 20), "%. Customer: Uh, and the contract renews on ",
            r.randint(1, 12), "/", r.randint(1, 28), "? Agent: Yes, with ", r.randint(10, 100), " GB of data."]
def en_neg_hospital(r, a):
    return ["Doctor: So Mr. Chen, you're ", r.randint(40, 88), ", and you've been taking ", dose_en(r), " since ",
            r.randint(2010, 2024), ". Patient: Um, yes, and ", dose_en(r),
            " at night. Doctor: Your blood pressure today is ", r.randint(110, 160), " over ", r.randint(60, 100),
            ". Let's see you again in ", ne(r.randint(2, 8), r, a), " weeks, bed ", r.randint(1, 40), " on ward ",
            r.randint(1, 12), "."]
def en_neg_points(r, a):
    return ["Agent: You have ", f"{r.randint(1000, 90000):,}", " points, worth about ", amt_en(r), ", member since ",
            r.randint(2005, 2022), ". Customer: Great, and how many for a ", ne(r.randint(2, 7), r, a),
            " night stay? Agent: ", ne(r.randint(20, 60), r, a), " thousand points, or ",
            r.choice([10, 15, 25]), "% off."]
def en_neg_flight(r, a):
    return ["Agent: Your flight ", flight(r), " departs at ", time_en(r), " from gate ", r.randint(1, 60), ", seat ",
            f"{r.randint(1, 45)}{r.choice('ABCDEF')}", ". The booking reference is ",
            "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6)), ". Customer: And baggage? Agent: ",
            ne(r.randint(2, 3), r, a), " bags of up to ", r.choice([23, 32]), " kilos each."]
def en_neg_ext(r, a):
    return ["Agent: I'll transfer you to our claims team on extension ", rd(r, 4, "123456789"),
            ". If we get cut off, call the main line and press ", r.randint(1, 9), ", then ", r.randint(1, 9),
            ". Customer: Okay, and your office is on floor ", r.randint(2, 50), "? Agent: Yes, building ",
            r.choice("ABCD"), "."]
def en_neg_invoice(r, a):
    return ["Customer: I'm looking at invoice INV-", r.randint(2023, 2025), "-", rd(r, 5), " for ", amt_en(r),
            ", dated ", date_en(r), ". Agent: That's for ", ne(r.randint(2, 50), r, a), " licenses at $",
            r.randint(9, 99), " each. Customer: And the zip code on it is ", rd(r, 5, "123456789"),
            ", that's wrong, we're at ", rd(r, 5, "123456789"), " now."]
def en_neg_balance(r, a):
    return ["Agent: Your balance is ", amt_en(r), ", the minimum payment is ", amt_en(r), ", due on the ",
            r.randint(1, 28), "th. Customer: Um, can I pay ", ne(r.randint(10, 50), r, a),
            " percent now? Agent: Yes, and your interest rate is ", f"{r.randint(12, 29)}.{r.randint(0, 9)}%", "."]

# ---------------------------------------------------------------- Chinese templates with PII
def zh_card_pieces(r, a):
    c = card(r, r.choice(["up19", "up19", "up"]))
    g = groups(c)
    return ["客服：麻烦您报一下银行卡号。客户：", hz(r), "好的，前面是", E("CARD", say_zh(" ".join(g[:2]), r, a)), "。客服：嗯，您继续。客户：后面是",
            E("CARD", say_zh(" ".join(g[2:]), r, a)), "。客服：我跟您核对一下，", E("CARD", " ".join(g) if r.random() < 0.6 else c),
            "，对吗？客户：对的。客服：这张卡上个月消费了", amt_zh(r), "，还款日是", date_zh(r), "。"]
def zh_credit(r, a):
    kind = r.choice(["visa", "mc", "mc2", "amex", "up"])
    c = card(r, kind)
    where = "卡正面的四位安全码" if kind == "amex" else "卡背面的三位安全码"
    return ["客户：我想用信用卡交一下这个月的保费，", amt_zh(r), "。客服：好的，请提供卡号。客户：", hz(r), "卡号是",
            E("CARD", say_zh(" ".join(groups(c)), r, a, 0.5, 0.3) if a else fmt_card(c, r)), "。客服：有效期呢？客户：",
            E("EXPIRY", expiry(r, "zh", a)), "。客服：还有", where, "。客户：", hz(r),
            E("CVV", say_zh(rd(r, 4 if kind == "amex" else 3), r, a, 0.5, 0.2)), "。客服：好的，分", r.choice(["3", "6", "12"]),
            "期的话每期手续费是", r.choice(["0.6", "0.75", "0.5"]), "%。"]
def zh_card_fix(r, a):
    c = card(r, r.choice(["up", "visa", "mc"]))
    g = groups(c)
    w = mutate(g[2], r)
    return ["客户：卡号是", E("CARD", say_zh(" ".join(g), r, a) if a else fmt_card(c, r)), "。客服：后八位我再确认一下，",
            E("CARD", f"{w} {g[3]}"), "？客户：", r.choice(["不对不对", "不是", "哎不对"]), "，倒数第二组是", E("CARD", say_zh(g[2], r, a)),
            "，不是", E("CARD", w), "。客服：抱歉，", E("CARD", f"{g[2]} {g[3]}"), "，好的。这笔", amt_zh(r), "的退款",
            nz(r.randint(3, 7), r, a), "个工作日到账。"]
def zh_mobile(r, a):
    m = cn_mobile(r)
    w = mutate(m[7:], r)
    def sy(x):
        return zh_digits(x, r, 0.9) if a and r.random() < 0.7 else x
    return ["客服：请问您的手机号码是多少？客户：", hz(r), E("PHONE", sy(m[:3])), "，", E("PHONE", sy(m[3:7])), "，", E("PHONE", sy(m[7:])),
            "。客服：我复述一下，", E("PHONE", f"{m[:3]} {m[3:7]} {w}"), "，对吧？客户：不对，最后四位是", E("PHONE", sy(m[7:])), "。客服：好的，",
            E("PHONE", m), "，稍后有短信发到这个号码，大概", nz(r.randint(5, 30), r, a), "分钟内。"]
def zh_landline(r, a):
    ac, n = landline(r)
    s = r.choice([f"{ac}-{n}", f"{ac} {n[:4]} {n[4:]}", f"{ac}-{n}"])
    s = zh_digits(ac, r, 0.8) + " " + zh_digits(n, r, 0.8) if a and r.random() < 0.5 else s
    return ["客服：方便留一个单位的座机吗？客户：", hz(r), "座机是", E("PHONE", s), "，转分机", rd(r, 4, "123456789"), "，我在",
            nz(r.randint(3, 30), r, a), "楼办公。客服：好的，我们会在", nz(r.randint(1, 3), r, a), "个工作日内回电。"]
def zh_id_pieces(r, a):
    i = prc_id(r, x=r.random() < 0.4)
    def sy(x):
        return zh_digits(x, r, 0.5) if a and r.random() < 0.5 else x
    return ["客服：请报一下您的身份证号码。客户：", hz(r), "前面六位是", E("ID_NUMBER", sy(i[:6])), "，中间是出生日期", E("ID_NUMBER", sy(i[6:14])),
            "，最后四位是", E("ID_NUMBER", sy(i[14:])), "。客服：我复述一下，", E("ID_NUMBER", i), "，没错吧？客户：",
            "对，最后一位是字母。" if i[-1] == "X" else "对的。", "客服：您今年", 2025 - int(i[6:10]), "岁，对吧？"]
def zh_id_whole(r, a):
    i = prc_id(r)
    return ["客户：我要挂失，卡是", r.randint(2010, 2022), "年办的。客服：请提供一下开户时用的身份证号。客户：", hz(r), "身份证号是",
            E("ID_NUMBER", zh_digits(i, r, 0.4) if a and r.random() < 0.6 else i), "。客服：好的，核实通过，您名下有",
            nz(r.randint(2, 4), r, a), "张卡，是尾号", rd(r, 4), "的这张吗？客户：对，就是这张。"]
def zh_id_legacy(r, a):
    o = legacy_id(r)
    body = o[:6] + "19" + o[6:]
    return ["客户：我这个是老的十五位身份证，", E("ID_NUMBER", say_zh(o, r, a, 0.4)), "，系统里是不是还没升级？客服：您现在的十八位号码是多少？客户：", hz(r),
            E("ID_NUMBER", body + id_check(body)), "。客服：好的，已经帮您更新，保单会在", nz(r.randint(3, 10), r, a), "天内生效。"]
def zh_passport(r, a):
    return ["客服：办理境外旅游险需要被保险人的护照号码。客户：", hz(r), "护照号是", E("PASSPORT", pp_say(passport(r), r, a, "zh")), "。我们坐",
            flight(r), "航班，", date_zh(r), "出发，一共", nz(r.randint(2, 6), r, a), "个人。客服：好的，保费一共", amt_zh(r), "。"]
def zh_visa(r, a):
    p = r.choice("EG") + rd(r, 8)
    return ["客服：签证加急需要您的护照号码。客户：", hz(r), "护照号是", E("PASSPORT", p[:5]), "，后面是",
            E("PASSPORT", say_zh(p[5:], r, a, 0.5, 0.3)), "。客服：我复述一下，", E("PASSPORT", p), "，对吗？客户：对，",
            r.randint(2027, 2034), "年到期。客服：加急费", r.randint(2, 6) * 100, "元，", nz(r.randint(3, 7), r, a), "个工作日出签。"]
def zh_email(r, a):
    e = email(r)
    return ["客服：电子账单发到哪个邮箱？客户：", hz(r), "发到", E("EMAIL", em_zh(e, r) if a or r.random() < 0.3 else em_w(e)),
            "。客服：我重复一遍，", E("EMAIL", em_zh(e, r) if a else em_w(e)), "，对吗？客户：对，之前那", nz(r.randint(2, 6), r, a),
            "期的也帮我补发一下。"]
def zh_email_qq(r, a):
    u = email(r, qq=True)[0][0]
    s = (zh_digits(u, r, 0.9) if a else u) + (r.choice(["艾特", " at "]) + "qq点com" if a else "@qq.com")
    return ["客户：我的邮箱就是QQ邮箱，", E("EMAIL", s), "。客服：好的，QQ号就是前面那串数字对吧？客户：对，", hz(r), "一共", len(u), "位。客服：报告会在",
            nz(r.randint(1, 5), r, a), "个工作日内发过去。"]
def zh_otp(r, a):
    def sy(c):
        return zh_digits(c, r, 0.8) if a and r.random() < 0.5 else (" ".join(c) if r.random() < 0.3 else c)
    return ["客服：我这边给您尾号", rd(r, 4), "的手机发了一个六位数的验证码，麻烦您念一下。客户：", hz(r), "验证码是", E("PIN", sy(rd(r, 6))),
            "……哦不对，又来了一条新的，", E("PIN", sy(rd(r, 6))), "。客服：好的，验证通过，验证码", r.choice([5, 10]), "分钟内有效。"]
def zh_pwd(r, a):
    kind = r.choice(["查询密码", "取款密码", "交易密码", "网银登录密码"])
    pw = r.choice(PY) + rd(r, r.choice([4, 6])) if kind == "网银登录密码" else say_zh(rd(r, 6), r, a, 0.4)
    return ["客户：我", kind, "忘了，是不是", E("PIN", pw), "？客服：您好，密码请不要在电话里告诉我们，您可以带上身份证到柜台重置，大概", nz(r.randint(10, 30), r, a),
            "分钟就能办好。客户：哦，我之前还试过", E("PIN", say_zh(rd(r, 6), r, a, 0.4)), "，连着输错了", nz(r.randint(3, 5), r, a), "次。"]
def zh_addr(r, a):
    return ["客服：请问快递寄到哪里？客户：", hz(r), "寄到", E("ADDRESS", addr_zh(r, a)), "，邮编", rd(r, 6, "123456"), "。客服：好的，预计",
            nz(r.randint(2, 3), r, a), "到", nz(r.randint(4, 5), r, a), "天送达，运费", r.randint(8, 25), "元。"]
def zh_update(r, a):
    m = cn_mobile(r)
    e = email(r)
    return ["客户：我搬家了，帮我改一下地址，新地址是", E("ADDRESS", addr_zh(r, a)), "。客服：好的，联系电话还是尾号", rd(r, 4), "的吗？客户：不是，换成",
            E("PHONE", say_zh(fmt_mobile(m, r), r, a, 0.5, 0.9)), "了，邮箱也换成", E("EMAIL", em_zh(e, r) if a else em_w(e)),
            "。客服：已更新，", nz(r.randint(1, 3), r, a), "个工作日后生效。"]
def zh_account(r, a):
    acc = rd(r, r.choice([12, 15, 17, 19, 20]), "1079")
    s = acc if r.random() < 0.5 else " ".join(acc[i:i + 4] for i in range(0, len(acc), 4))
    return ["客户：我要给供应商转一笔货款，", amt_zh(r), "。客服：请提供收款方的对公账号。客户：", hz(r), "账号是", E("BANK_ACCOUNT", say_zh(s, r, a, 0.3)),
            "，开户行是", r.choice(["工商银行", "建设银行", "招商银行"]), r.choice(["徐汇", "天河", "南山", "朝阳"]), "支行。客服：我核对一下后四位，",
            E("BANK_ACCOUNT", acc[-4:]), "，对吗？客户：对。"]
def zh_iban(r, a):
    return ["客户：我要往欧洲汇一笔学费，", r.randint(2, 30) * 1000, "欧元。客服：请提供收款人的IBAN。客户：", hz(r), E("BANK_ACCOUNT", iban(r)),
            "。客服：手续费是", r.randint(50, 200), "元，大概", nz(r.randint(2, 5), r, a), "个工作日到账。"]
def zh_intl(r, a):
    p, city = intl_phone(r)
    return ["客服：您在国外的联系电话是？客户：", hz(r), "我现在在", INTL_ZH[city], "，号码是",
            E("PHONE", p if not a or r.random() < 0.5 else "加" + p[1:]), "，那边跟国内有", nz(r.randint(1, 13), r, a),
            "个小时时差。客服：好的，我们", time_zh(r), "给您回电。"]
def zh_trad_hk(r, a):
    p, o = hk_phone(r), "3" + rd(r, 7)
    return ["客服：請問您的聯絡電話是？客戶：", ht(r), "我的手機是", E("PHONE", f"{p[:4]} {p[4:]}" if r.random() < 0.6 else p), "，公司電話是",
            E("PHONE", f"+852 {o[:4]} {o[4:]}"), "，內線", rd(r, 3, "123456789"), "。客服：好的，我們會在", r.randint(2, 5),
            "個工作天內回覆您。"]
def zh_trad_card(r, a):
    c = card(r, r.choice(["visa", "mc", "amex"]))
    am = len(c) == 15
    return ["客戶：我想用信用卡繳費，HK$", f"{r.randint(300, 9000):,}", "。客服：請提供信用卡號碼。客戶：", ht(r), "號碼是", E("CARD", fmt_card(c, r)),
            "，到期日是", E("EXPIRY", expiry(r, "zh", a)), "。客服：還有卡", "正面的四位" if am else "背面的三位", "安全碼。客戶：",
            E("CVV", rd(r, 4 if am else 3)), "。客服：好的，這筆款項", r.randint(1, 3), "個工作天內入帳。"]
def zh_trad_addr(r, a):
    c, d, road = r.choice(TW)
    ad = (c + d + road + str(r.randint(1, 600)) + "號"
          + r.choice(["", f"{r.randint(2, 30)}樓", f"{r.randint(2, 30)}樓{r.choice('ABCD')}室"]))
    e = email(r)
    return ["客服：請問帳單地址是？客戶：", ht(r), "寄到", E("ADDRESS", ad), "。電子郵件是",
            E("EMAIL", em_zh(e, r, trad=True) if a else em_w(e)), "。客服：好的，",
            f"帳單會在{r.randint(2, 5)}個工作天內寄出。客戶：好的，平日下午{r.randint(2, 6)}點以後有人在。" if c.startswith("香港") else
            f"郵遞區號是{rd(r, 3, '1234')}嗎？客戶：對，平日下午{r.randint(2, 6)}點以後有人在。"]
def zh_trad_otp(r, a):
    return ["客服：我們剛剛發送了一個六位數的驗證碼到您尾號", rd(r, 4), "的手機。客戶：", ht(r), "驗證碼是", E("PIN", say_zh(rd(r, 6), r, a, 0.4)),
            "。客服：驗證成功。另外請提供您的護照號碼。客戶：護照號碼是", E("PASSPORT", passport(r)), "，", r.randint(2026, 2034), "年到期。"]

# ---------------------------------------------------------------- Chinese negatives
def zn_order(r, a):
    o = cn_mobile(r)
    return ["客户：", hz(r), "我查一下订单，订单号是", say_zh(o, r, a, 0.4, 0.8), "，", date_zh(r), "下的单，一共",
            nz(r.randint(2, 9), r, a), "件，", amt_zh(r), "。客服：这个订单已经发货了，预计", nz(r.randint(2, 5), r, a), "天到。"]
def zn_express(r, a):
    t = r.choice([f"SF{rd(r, 13)}", f"7{rd(r, 14)}", f"JDVA{rd(r, 11)}", f"YT{rd(r, 13)}"])
    return ["客服：您的快递单号是", t, "，目前在", r.choice(["武汉", "廊坊", "东莞", "嘉兴"]), "转运中心，明天", time_zh(r), "之前送达。客户：那个包裹大概",
            nz(r.randint(2, 20), r, a), "公斤，需要本人签收吗？客服：需要的。"]
def zn_policy(r, a):
    return ["客服：您的保单号是", prc_id(r, bad=True), "，每月保费", r.randint(80, 900), "元，保障期限", nz(r.randint(10, 30), r, a),
            "年。客户：", hz(r), "理赔比例是", r.choice([80, 90, 100]), "%吗？客服：是的，免赔额是", r.choice([100, 500, 1000]), "元。"]
def zn_claim(r, a):
    return ["客户：我的理赔案件号是", not_luhn(r, 16, r.choice(["62", "4", "5"])), "，", date_zh(r), "报的案，到现在",
            nz(r.randint(10, 40), r, a), "天了还没处理。客服：抱歉，您的案件排在第", r.randint(3, 60), "位，预计", nz(r.randint(3, 7), r, a),
            "个工作日内完成。"]
def zn_lastfour(r, a):
    return ["客户：我尾号", rd(r, 4), "的那张卡昨天", time_zh(r), "被扣了", amt_zh(r), "。客服：我看到了，是一笔会员自动续费，",
            nz(r.randint(3, 12), r, a), "个月的。客户：我没开过啊。客服：我帮您申请退款，", nz(r.randint(3, 5), r, a), "到",
            nz(r.randint(7, 10), r, a), "个工作日退回。"]
def zn_plan(r, a):
    return ["客服：您现在的套餐是每个月", r.choice([39, 59, 99, 129]), "块，包含", r.choice([10, 30, 60]), "G流量和",
            r.choice([200, 500, 1000]), "分钟通话。客户：就是，我想改成", r.choice([69, 79, 169]), "块的那个。客服：可以的，下个月", r.randint(1, 28),
            "号生效，合约期", nz(r.choice([12, 24]), r, a), "个月，打", r.choice(["八", "九", "8.5"]), "折。"]
def zn_hospital(r, a):
    return ["护士：阿姨您今年", nz(r.randint(50, 90), r, a), "岁对吧？患者：对。护士：这个药每次", r.choice([5, 10, 25, 50, 250]), "毫克，一天",
            r.choice(["两次", "三次", "一次"]), "，饭后吃，连吃", nz(r.randint(5, 14), r, a), "天。您住在", r.randint(1, 40), "号床，",
            r.randint(3, 20), "楼", r.randint(1, 5), "病区。患者：血压是", r.randint(120, 170), "/", r.randint(70, 100), "，要紧吗？"]
def zn_points(r, a):
    y = r.randint(2010, 2022)
    return ["客服：您目前的积分是", r.randint(1000, 99999), "分，可以兑换", r.choice([10, 30, 50, 100]), "元的话费，会员等级是金卡，", y, "年入会的。客户：",
            hz(r), "积分什么时候过期？客服：", r.randint(2025, 2027), "年", r.randint(1, 12), "月", r.randint(1, 28), "号。"]
def zn_flight(r, a):
    return ["客服：您的航班是", flight(r), "，", date_zh(r), time_zh(r), "起飞，登机口", r.randint(1, 60), "，座位",
            f"{r.randint(1, 45)}{r.choice('ABCDEF')}", "。客户：行李能带几件？客服：经济舱免费托运", nz(r.randint(1, 2), r, a), "件，每件不超过",
            r.choice([20, 23]), "公斤。"]
def zn_ext(r, a):
    return ["客服：我帮您转到理赔部门，分机号", rd(r, 4, "123456789"), "。如果断线了，您可以拨打客服热线",
            r.choice(["95588", "95533", "95555", "400-820-8820"]), "，按", r.randint(1, 9), "号键。客户：你们办公室在几楼？客服：在",
            nz(r.randint(3, 40), r, a), "楼。"]
def zn_invoice(r, a):
    return ["客户：发票号码是", rd(r, 8), "，发票代码", "0" + rd(r, 11), "，金额", amt_zh(r), "，税率", r.choice(["6%", "13%", "9%"]),
            "。客服：好的，邮编", rd(r, 6, "123456"), "对吗？我们", nz(r.randint(3, 7), r, a), "天内重新开给您。"]
def zn_trad_policy(r, a):
    return ["客服：您的保單號碼是", "HK" + rd(r, 10), "，每月保費HK$", f"{r.randint(300, 5000):,}", "，", r.choice([10, 20, 25]),
            "年期。客戶：", ht(r), "我", r.randint(2008, 2020), "年買的，現在退保可以拿回", r.randint(40, 90), "%嗎？客服：大約可以拿回",
            amt_zh(r, t=True), "。"]
def zn_trad_order(r, a):
    return ["客戶：我的訂單編號是", cn_mobile(r), "，", date_zh(r, t=True), "下單，已經等了", r.randint(5, 20), "天。客服：不好意思，您的包裹現在在",
            r.choice(["桃園", "高雄", "沙田"]), "物流中心，預計", time_zh(r, t=True), "前送達，運費", r.randint(60, 150), "元。"]

EN_POS = [en_card_pieces, en_card_spoken, en_card_fix, en_mobile, en_hk_phone, en_us_phone, en_intl, en_email_spoken,
          en_email_chat, en_otp, en_pin, en_account, en_iban, en_passport, en_hotel, en_addr, en_addr_move,
          en_id_pieces, en_hospital_id]
EN_NEG = [en_neg_order, en_neg_tracking, en_neg_claim, en_neg_policy, en_neg_case, en_neg_lastfour, en_neg_billing,
          en_neg_hospital, en_neg_points, en_neg_flight, en_neg_ext, en_neg_invoice, en_neg_balance]
ZH_POS = [zh_card_pieces, zh_credit, zh_card_fix, zh_mobile, zh_landline, zh_id_pieces, zh_id_whole, zh_id_legacy,
          zh_passport, zh_visa, zh_email, zh_email_qq, zh_otp, zh_pwd, zh_addr, zh_update, zh_account, zh_iban, zh_intl,
          zh_trad_hk, zh_trad_card, zh_trad_addr, zh_trad_otp]
ZH_NEG = [zn_order, zn_express, zn_policy, zn_claim, zn_lastfour, zn_plan, zn_hospital, zn_points, zn_flight, zn_ext,
          zn_invoice, zn_trad_policy, zn_trad_order]

# ---------------------------------------------------------------- rendering
LABEL = {"en": re.compile(r"\b(Agent|Customer|Nurse|Patient|Doctor): ?"), "zh": re.compile(r"(客服|客户|客戶|护士|護士|患者|医生)：")}
PUNCT = {"en": set(",.?!;…"), "zh": set("，。？！、；：…")}

def render(items, lang, a, r):
    """items: strings (or numbers) and E(type, text) tuples -> (text, entities)."""
    parts = [(x[1], x[0]) if isinstance(x, tuple) else (str(x), None) for x in items]
    low = strip = False
    if a:
        drop = lang == "zh" or r.random() < 0.5
        low = lang == "en" and r.random() < 0.75
        strip = low or (lang == "zh" and r.random() < 0.75)
        parts = [((LABEL[lang].sub(" ", s) if drop and t is None else s).lower() if low else
                  (LABEL[lang].sub(" ", s) if drop and t is None else s), t) for s, t in parts]
    text, spans, inside = "", [], []
    for s, t in parts:
        if t:
            spans.append((t, len(text), len(text) + len(s)))
        inside += [bool(t)] * len(s)
        text += s
    out, pos = [], [None] * len(text)
    for i, ch in enumerate(text):
        if not inside[i]:
            nxt = text[i + 1] if i + 1 < len(text) else " "
            if strip and ch in PUNCT[lang] and (lang == "zh" or nxt.isspace()):
                prv = out[-1] if out else " "
                gap = (lang == "en" or (prv.isascii() and prv.isalnum() and nxt.isascii() and nxt.isalnum())
                       or r.random() < 0.4)
                if not gap:
                    continue
                ch = " "
            if ch.isspace():
                if not out or out[-1] == " ":
                    continue
                ch = " "
        pos[i] = len(out)
        out.append(ch)
    while out and out[-1] == " ":
        out.pop()
    text = "".join(out)
    ents = []
    for t, s, e in spans:
        s2, e2 = pos[s], pos[e - 1] + 1
        if ents and ents[-1]["type"] == t and not text[ents[-1]["end"]:s2].strip():
            ents[-1]["end"] = e2
        else:
            ents.append({"type": t, "start": s2, "end": e2})
    last = -1
    for en in ents:
        v = text[en["start"]:en["end"]]
        assert last < en["start"] < en["end"] <= len(text), (text, en)
        assert v == v.strip() and (v[0].isalnum() or v[0] == "+") and v[-1].isalnum(), (text, v)
        last = en["end"]
    return text, ents

def build(seed, per_lang):
    r = random.Random(seed)
    rows = []
    for lang, pos, neg in (("en", EN_POS, EN_NEG), ("zh", ZH_POS, ZH_NEG)):
        bags = {True: [], False: []}
        for i in range(per_lang):
            a, isneg = i % 2 == 1, i % 5 in (1, 3)   # 50% asr, 40% negatives in each style
            if not bags[isneg]:
                bags[isneg] = r.sample(neg if isneg else pos, len(neg if isneg else pos))
            f = bags[isneg].pop()
            text, ents = render(f(r, a), lang, a, r)
            assert bool(ents) != isneg, (f.__name__, text)
            rows.append({"id": f"h2-{lang}-{i:03d}", "language": lang, "style": "asr" if a else "written", "text": text,
                         "entities": ents})
    return rows

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20250611)
    ap.add_argument("--per-language", type=int, default=170)
    args = ap.parse_args()
    rows = build(args.seed, args.per_language)
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    print(f"wrote {len(rows)} utterances to {args.out}")

if __name__ == "__main__":
    main()
