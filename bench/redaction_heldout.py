#!/usr/bin/env python3
"""Held-out labelled PII-redaction evaluation set for Voxsight (zh + en call-centre speech).

Independent of the tuning set: all templates are new.  Python 3.11 stdlib only, deterministic:
    python3 bench/redaction_heldout.py --out bench/redaction_heldout.jsonl [--seed 20250611]

Output: JSON Lines, UTF-8 (ensure_ascii=False), one utterance per line:
    {"id": "zh-asr-017", "language": "zh"|"en", "style": "written"|"asr",
     "text": "...", "entities": [{"type": "CARD", "start": 12, "end": 31}, ...]}
start/end are Python str offsets; text[start:end] is the entity exactly as written (internal spaces,
dashes and spoken digit words included; announcing words such as "card number is"/"验证码是" and
surrounding punctuation excluded).  Entities are sorted, non-overlapping, non-empty, never start or
end with whitespace/punctuation.  "entities": [] marks a negative (about 40%): numeric look-alikes
that must be left alone (order/waybill/ticket numbers, amounts, dates, times, last-four digits, ...).
Types: CARD CVV EXPIRY BANK_ACCOUNT PHONE ID_NUMBER PASSPORT EMAIL PIN ADDRESS.

style "written": typed text, Arabic digits.  style "asr": recogniser output; English digits as words
("oh", "double", "triple") in groups, Whisper-like (lower case, no punctuation) or with commas;
Chinese digits as 一二三 with 幺 and 〇/零, mixed with Arabic, spaces between groups, punctuation
kept / turned into spaces / dropped.  Some Mandarin templates are in traditional characters.

Conventions: a number dictated in two pieces is two spans of one type whose digits, concatenated,
form the valid number; a wrong number the speaker then corrects and an agent's read-back are labelled
too.  English ADDRESS = house number + street + suffix (+ flat/apartment/unit), city outside the span;
Chinese ADDRESS = province/city + district + road + 号 (+ building/room).  PIN also covers one-time and
verification codes announced as such.  Checks asserted for every label: CARD Luhn + issuer prefix,
ID_NUMBER birth date + ISO 7064 MOD 11-2 (legacy 15-digit: date), IBAN mod-97, phone shapes.

Template placeholders: {TYPE} / {TYPE:arg} a new entity; {TYPE=} the previous value again; {TYPE~}
a new value with one digit wrong (the next {TYPE=} is the right one); {TYPE<} / {TYPE>} the two
pieces of one value; {written|spoken} wording by style; {lowercase} an unlabelled FILL distractor.
"""
import argparse
import datetime
import json
import random
import re
from pathlib import Path

EN = "zero one two three four five six seven eight nine".split()
TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
MONTHS = "January February March April May June July August September October November December".split()
ZH = "零一二三四五六七八九"
ZMAP = dict(zip("零〇幺一二两兩三四五六七八九叉加", "00112223456789X+"))
WMAP = {w: str(i) for i, w in enumerate(EN)} | {"oh": "0", "plus": "+"}
PUNCT = set(",.;:!?，。；：！？、\"'()（）[]<>—-")
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
AREAS = ["110101", "110108", "310104", "310115", "440305", "440106", "330106", "320106",
         "510107", "420111", "120101", "350203", "370202", "610113", "500103", "530102"]
PHONE_RE = re.compile(r"(\+86)?1[3-9]\d{9}|0\d{2,3}\d{7,8}|(\+852)?[23569]\d{7}|\+(44|1|65|61|81)\d{7,11}")

# ---------------------------------------------------------------- numbers and checksums
def rd(r, n, first="0123456789"):
    return (r.choice(first) + "".join(r.choice("0123456789") for _ in range(n - 1))) if n else ""

def luhn_ok(d):
    t = 0
    for i, c in enumerate(reversed(d)):
        x = int(c) * (2 if i % 2 else 1)
        t += x - 9 if x > 9 else x
    return t % 10 == 0

def luhn_fill(prefix, n, r):
    body = prefix + rd(r, n - len(prefix) - 1)
    return next(body + c for c in "0123456789" if luhn_ok(body + c))

def card_digits(r, brand=None):
    if brand == "16":
        brand = r.choice(["visa", "mc", "up"])
    brand = brand or r.choice(["visa", "visa", "mc", "mc2", "amex", "up", "up19"])
    if brand == "amex":
        return luhn_fill(r.choice(["34", "37"]), 15, r), (4, 6, 5)
    pre = {"visa": "4", "mc": "5" + r.choice("12345"), "mc2": str(r.randint(2221, 2720))}.get(
        brand, r.choice(["6222", "6217", "6228", "6259", "6212", "6214", "6225"]))
    return (luhn_fill(pre, 19, r), (4, 4, 4, 4, 3)) if brand == "up19" else (luhn_fill(pre, 16, r), (4,) * 4)

def card_ok(d):
    pre = (d[:1] == "4" or "51" <= d[:2] <= "55" or "2221" <= d[:4] <= "2720" or d[:2] == "62"
           or (d[:2] in ("34", "37") and len(d) == 15))
    return d.isdigit() and 13 <= len(d) <= 19 and pre and luhn_ok(d)

def bad_card(r):  # a 16-digit card look-alike whose check digit is wrong
    d = card_digits(r, "16")[0]
    return d[:-1] + str((int(d[-1]) + r.randint(1, 9)) % 10)

def id_check(s17):
    return "10X98765432"[sum(int(c) * w for c, w in zip(s17, W)) % 11]

def rand_date(r, y0=1955, y1=2004):
    lo, hi = datetime.date(y0, 1, 1).toordinal(), datetime.date(y1, 12, 31).toordinal()
    return datetime.date.fromordinal(r.randint(lo, hi))

def prc_id(r, want_x=False):
    while True:
        s17 = r.choice(AREAS) + rand_date(r).strftime("%Y%m%d") + rd(r, 3)
        if not want_x or id_check(s17) == "X":
            return s17 + id_check(s17)

def legacy_id(r):
    return r.choice(AREAS) + rand_date(r, 1940, 1984).strftime("%y%m%d") + rd(r, 3)

def bad_id(r):  # valid-looking 18 digits with a wrong check character
    d = prc_id(r)
    return d[:-1] + r.choice([c for c in "0123456789" if c != d[-1]])

def date_ok(s):
    try:
        return bool(datetime.datetime.strptime(s, "%Y%m%d"))
    except ValueError:
        return False

def id_ok(d):
    if len(d) == 18:
        return d[:17].isdigit() and date_ok(d[6:14]) and id_check(d[:17]) == d[17]
    return len(d) == 15 and d.isdigit() and date_ok("19" + d[6:12])

def iban(r):
    cc = r.choice(["GB", "DE", "NL"])
    bban = {"GB": lambda: r.choice(["WEST", "NWBK", "BARC", "HBUK", "LOYD"]) + rd(r, 14),
            "DE": lambda: rd(r, 18), "NL": lambda: r.choice(["ABNA", "INGB", "RABO"]) + rd(r, 10)}[cc]()
    return f"{cc}{98 - int(''.join(str(int(c, 36)) for c in bban + cc + '00')) % 97:02d}{bban}"

def iban_ok(s):
    return s.isalnum() and int("".join(str(int(c, 36)) for c in s[4:] + s[:4])) % 97 == 1

def acct_digits(r, lang):  # never 11 digits, never a card prefix
    n = r.choice([8, 9, 10, 12, 14]) if lang == "en" else r.choice([12, 16, 17, 19, 20])
    return rd(r, n, "0189"), ((3, 6, 3) if n == 12 and r.random() < .5 else (4,) * 5)

def alter_digits(d, r, lo=2):
    i = r.randrange(lo, len(d))
    return d[:i] + str((int(d[i]) + r.randint(1, 9)) % 10) + d[i + 1:]

INTL = [lambda r: ("44", ["20", rd(r, 4, "378"), rd(r, 4)]),
        lambda r: ("1", [r.choice(["415", "212", "646", "604"]), "555", "01" + rd(r, 2)]),
        lambda r: ("65", [rd(r, 4, "89"), rd(r, 4)]),
        lambda r: ("61", ["4" + rd(r, 2), rd(r, 3), rd(r, 3)]),
        lambda r: ("81", ["90", rd(r, 4), rd(r, 4)])]

def phone_raw(r, kind=None):
    kind = kind or r.choice(["mob", "mob", "land", "hk", "intl"])
    if kind == "mob":
        d = "1" + rd(r, 10, "3456789")
        return kind, ("86" if r.random() < .25 else None), [d[:3], d[3:7], d[7:]]
    if kind == "land":
        a, n = (r.choice(["010", "021", "020", "022", "023", "025", "027", "028", "0755", "0571", "0512"]),
                rd(r, 8, "2345678"))
        return kind, None, [a, n[:4], n[4:]]
    if kind == "hk":
        d = rd(r, 8, "23569")
        return kind, ("852" if r.random() < .5 else None), [d[:4], d[4:]]
    return (kind,) + r.choice(INTL)(r)

def passport(r):
    if r.random() < .5:
        return r.choice("EG") + rd(r, 8)
    return r.choice(["K", "P", "PA", "AB", "C", "EA", "N"]) + rd(r, r.choice([7, 8, 9]))

# ---------------------------------------------------------------- how digits are written / spoken
def en_small(n):
    if n < 20:
        return (EN + TEENS)[n]
    return TENS[n // 10] + ("" if n % 10 == 0 else " " + EN[n % 10])

def en_num(n, r):  # how people say house numbers and years: "four seventy eight", "twelve oh seven"
    if n < 100:
        return en_small(n)
    if n % 1000 == 0:
        return EN[n // 1000] + " thousand"
    a, b = divmod(n, 100)
    if b == 0:
        return en_small(a) + " hundred"
    if n < 1000 and r.random() < .5:
        return EN[a] + " hundred " + en_small(b)
    return en_small(a) + " " + ("oh " + EN[b] if b < 10 else en_small(b))

def zh_num(n, liang=True):  # counting form: 478 -> 四百七十八, 2000 -> 两千
    s, out, zero = str(n), "", False
    for i, c in enumerate(s):
        if c == "0":
            zero = True
            continue
        out += ("零" if zero and out else "") + ZH[int(c)] + ["", "十", "百", "千", "万"][len(s) - 1 - i]
        zero = False
    out = out[1:] if out.startswith("一十") else out or "零"
    return "两" + out[1:] if liang and len(s) >= 3 and out[0] == "二" else out

def groups(d, sizes):
    out, i = [], 0
    for s in sizes or (len(d),):
        if i < len(d):
            out.append(d[i:i + s])
        i += s
    return out + ([d[i:]] if i < len(d) else [])

def wr(d, r, sizes=(), sep=None):
    return (r.choice([" ", " ", "-", ""]) if sep is None else sep).join(groups(d, sizes))

def say_en(d, r, sizes=(), sep=None):
    zero, out = ("oh" if r.random() < .6 else "zero"), []
    for g in groups(d, sizes):
        w, i = [], 0
        while i < len(g):
            c = g[i]
            run = len(g[i:]) - len(g[i:].lstrip(c)) if c.isdigit() else 1
            word = zero if c == "0" else EN[int(c)] if c.isdigit() else c
            k = 3 if run >= 3 and r.random() < .5 else 2 if run >= 2 and r.random() < .5 else 1
            w.append({3: "triple ", 2: "double ", 1: ""}[k] + word)
            i += k
        out.append(" ".join(w))
    return (r.choice([" ", ", ", ", "]) if sep is None else sep).join(out)

def say_zh(d, r, sizes=(), sep=None):
    one, zero, mode = ("幺" if r.random() < .7 else "一"), r.choice("〇零"), r.choice(["cn"] * 3 + ["mixed", "arabic"])
    cn = {"1": one, "0": zero} | {str(i): ZH[i] for i in range(2, 10)}
    out = [g if mode == "arabic" or (mode == "mixed" and r.random() < .5) else "".join(cn.get(c, c) for c in g)
           for g in groups(d, sizes)]
    return (r.choice([" ", " ", ""]) if sep is None else sep).join(out)

def norm(s):  # surface -> canonical digits/letters, used to check every label
    s = "".join(ZMAP.get(c, c) for c in s).replace("+", " + ")
    out, mult = [], 1
    for t in re.findall(r"[A-Za-z]+|\d+|\+", s):
        if t.lower() in ("double", "triple"):
            mult = 2 if t.lower() == "double" else 3
            continue
        out.append(WMAP.get(t.lower(), t.upper()) * mult)
        mult = 1
    return "".join(out)

def check(typ, surface):
    d = norm(surface)
    return {"CARD": lambda: card_ok(d), "ID_NUMBER": lambda: id_ok(d),
            "BANK_ACCOUNT": lambda: iban_ok(d) if d[:2].isalpha() else d.isdigit() and 8 <= len(d) <= 20,
            "PHONE": lambda: bool(PHONE_RE.fullmatch(d)),
            "PASSPORT": lambda: bool(re.fullmatch(r"[A-Z]{1,2}\d{7,9}", d)),
            "PIN": lambda: d.isdigit() and 4 <= len(d) <= 8, "CVV": lambda: d.isdigit() and 3 <= len(d) <= 4,
            "EMAIL": lambda: any(a in surface for a in ("@", " at ", "艾特")),
            }.get(typ, lambda: bool(surface))()

# ---------------------------------------------------------------- surface builders
FIRST = ["anna", "david", "wei", "jenny", "michael", "kevin", "mei", "sarah", "tom", "grace", "chen", "ivy"]
LAST = ["lee", "wong", "chan", "smith", "zhang", "liu", "brown", "ho", "lin", "patel", "cheung"]
DOM_EN = ["outlook.com", "gmail.com", "yahoo.com.hk", "hotmail.co.uk", "icloud.com", "netvigator.com"]
DOM_ZH = ["163.com", "qq.com", "126.com", "sina.com", "foxmail.com", "139.com"]
PINYIN = ["wangwei", "zhangmin", "liuyang", "chenjing", "lina", "zhaolei", "huangli", "xuqiang", "sunhao"]
ZH_AREA = [("北京市", "朝阳区"), ("上海市", "浦东新区"), ("广东省深圳市", "南山区"), ("广东省广州市", "天河区"),
           ("浙江省杭州市", "西湖区"), ("江苏省南京市", "鼓楼区"), ("四川省成都市", "武侯区"),
           ("湖北省武汉市", "洪山区"), ("福建省厦门市", "思明区"), ("山东省青岛市", "市南区")]
ZH_ROAD = ["建国路", "世纪大道", "科技园南路", "天河北路", "文三路", "中山北路", "人民南路", "珞喻路",
           "湖滨南路", "香港中路", "解放大街", "长江路"]
TW_AREA = [("廣東省深圳市", "南山區"), ("台北市", "信義區"), ("上海市", "徐匯區"), ("北京市", "海淀區"),
           ("浙江省杭州市", "西湖區")]
TW_ROAD = ["科技園南路", "松仁路", "漕溪北路", "中關村大街", "文三路", "忠孝東路"]
EN_ST = ["Willow", "Maple", "Harbour", "Elm", "Victoria", "Church", "Station", "Oak", "Cedar",
         "Riverside", "Kingfisher", "Beacon"]
EN_SUF = ["Street", "Road", "Avenue", "Lane", "Drive", "Close", "Crescent", "Court", "Way", "Boulevard"]

class G:
    """Formatting context for one (language, style) slice."""

    def __init__(self, r, lang, asr):
        self.r, self.lang, self.asr = r, lang, asr

    def v(self, written, spoken):
        return spoken if self.asr else written

    def n(self, d, sizes=(), sep=None):
        if not self.asr:
            return wr(d, self.r, sizes, sep)
        if self.lang == "zh":
            return say_zh(d, self.r, sizes, sep)
        return wr(d, self.r, sizes, " ") if self.r.random() < .1 else say_en(d, self.r, sizes, sep)

    def pin(self, d):
        return self.n(d, self.r.choice([(), (3, 3)]) if len(d) == 6 and self.asr else ())

    def iban(self, s):
        if not self.asr:
            return wr(s, self.r, (4,) * 8, self.r.choice([" ", " ", ""]))
        return (say_en if self.lang == "en" else say_zh)(s, self.r, (4,) * 8)

    def pid(self, d):
        r = self.r
        if not self.asr:
            return wr(d, r, (6, 8, 4) if r.random() < .3 else (), " ")
        sz = r.choice([(6, 8, 4), (3, 3, 4, 4, 4), (6, 4, 4, 4)]) if len(d) != 15 else (6, 6, 3)
        if self.lang == "en":
            return say_en(d, r, sz)
        return say_zh(d, r, sz).replace("X", "叉" if r.random() < .2 else "X")

    def pp(self, p):
        k = len(p) - len(p.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        if not self.asr:
            return p
        if self.lang == "en":
            return say_en(p, self.r, (k, 4, 4), " ")
        return say_zh(p, self.r, (k, 4, 4), self.r.choice(["", " "]))

    def phone(self, raw):
        (kind, cc, gs), r = raw, self.r
        if not self.asr:
            if kind == "land":
                body = gs[0] + r.choice(["-", " "]) + r.choice(["", " "]).join(gs[1:])
            else:
                body = (" " if kind == "intl" else r.choice([" ", "", "-"])).join(gs)
            return (f"+{cc} " if cc else "") + body
        if self.lang == "en":
            sep = r.choice([" ", ", "])
            body = say_en("".join(gs), r, tuple(map(len, gs)), sep) if r.random() < .9 else " ".join(gs)
            return ("plus " + say_en(cc, r, (), " ") + sep if cc else "") + body
        pre = r.choice(["+" + cc + " ", "加" + say_zh(cc, r, (), "")]) if cc else ""
        return pre + say_zh("".join(gs), r, tuple(map(len, gs)))

    def exp(self):
        r = self.r
        m, y = r.randint(1, 12), r.randint(2025, 2031)
        if self.lang == "en" and not self.asr:
            return r.choice([f"{m:02d}/{y % 100}", f"{m:02d}/{y}", f"{MONTHS[m - 1]} {y}", f"{m:02d}-{y % 100}"])
        if self.lang == "en":
            mm, yy = ("oh " + EN[m] if m < 10 else en_small(m)), en_small(y % 100)
            return r.choice([f"{mm} {yy}", f"{mm} slash {yy}", f"{MONTHS[m - 1]} twenty {yy}", f"{MONTHS[m - 1]} {yy}"])
        if not self.asr:
            return r.choice([f"{y}年{m}月", f"{y % 100}年{m}月", f"{m:02d}/{y % 100}", f"{y}年{m:02d}月"])
        yz = "".join(r.choice("零〇") if c == "0" else ZH[int(c)] for c in str(y))
        return r.choice([f"{yz}年{zh_num(m)}月", f"{yz[2:]}年{zh_num(m)}月", say_zh(f"{m:02d}{y % 100}", r, (2, 2))])

    def mail(self):
        r = self.r
        if self.lang == "en" or r.random() < .3:
            parts, dom = [r.choice(FIRST), r.choice(LAST)], r.choice(DOM_EN)
        else:
            parts, dom = [r.choice(PINYIN)], r.choice(DOM_ZH)
        num = r.choice(["", "", rd(r, 2, "123456789"), str(r.randint(1975, 2002))])
        joiner = r.choice([".", "_", ""]) if len(parts) > 1 else ""
        if not self.asr:
            return joiner.join(parts) + num + "@" + dom
        if self.lang == "en":
            numw = (" " + (say_en(num, r, (), " ") if len(num) == 2 or r.random() < .5 else en_num(int(num), r))
                    if num else "")
            return ({".": " dot ", "_": " underscore ", "": " "}[joiner].join(parts) + numw + " at "
                    + dom.replace(".", " dot "))
        numz = r.choice([num, say_zh(num, r, (), "")]) if num else ""
        return ({".": " 点 ", "_": " 下划线 ", "": ""}[joiner].join(parts) + numz
                + r.choice([" 艾特 ", " at ", "@"]) + dom.replace(".", r.choice([" 点 ", "点", "."])))

    def addr(self, trad=False):
        r = self.r
        if self.lang == "en":
            n = r.choice([r.randint(1, 99), r.randint(100, 999), r.randint(1000, 4999)])
            s = f"{en_num(n, r) if self.asr else n} {r.choice(EN_ST)} {r.choice(EN_SUF)}"
            if r.random() < .3:
                u, letter, kind = r.randint(1, 30), r.choice(["", "", "A", "B", "C"]), r.choice(["Apt", "Unit", "Flat"])
                s += (f" {dict(Apt='apartment').get(kind, kind.lower())} {en_small(u)}"
                      + (" " + letter.lower() if letter else "")
                      if self.asr else f", {kind} {u}{letter}")
            return s
        (area, dist), hao, num = r.choice(TW_AREA if trad else ZH_AREA), ("號" if trad else "号"), r.randint(1, 999)
        s = (area + dist + r.choice(TW_ROAD if trad else ZH_ROAD)
             + (zh_num(num, False) if self.asr and r.random() < .7 else str(num)) + hao)
        k, b = r.random(), r.randint(1, 15)
        if k < .3:
            s += (zh_num(b) if self.asr else str(b)) + hao + ("樓" if trad else "楼")
        elif k < .5:
            s += r.choice("ABCD") + "座"
        elif k < .65:
            s += (zh_num(b % 9 + 1) if self.asr else str(b % 9 + 1)) + ("棟" if trad else "栋")
        if k < .8:
            room = f"{r.randint(2, 32)}{r.randint(1, 12):02d}"
            s += (say_zh(room, r, (), "") if self.asr else room) + "室"
        return s


# type -> (make a raw value from (g, arg), render a raw value as text, one-digit-wrong version, two pieces)
ENTITY = {
    "CARD": (lambda g, a: card_digits(g.r, a), lambda g, x: g.n(*x), None,
             lambda x: ((x[0][:8], (4, 4)), (x[0][8:], (4, 4)))),
    "CVV": (lambda g, a: rd(g.r, int(a or 3)), lambda g, x: g.n(x), None, None),
    "PIN": (lambda g, a: rd(g.r, int(a or g.r.choice([4, 6, 6, 6, 8]))), lambda g, x: g.pin(x), None, None),
    "EXPIRY": (lambda g, a: g.exp(), lambda g, x: x, None, None),
    "BANK_ACCOUNT": (lambda g, a: acct_digits(g.r, g.lang), lambda g, x: g.n(*x),
                     lambda x, r: (alter_digits(x[0], r), x[1]), None),
    "IBAN": (lambda g, a: iban(g.r), lambda g, x: g.iban(x), None, None),
    "PHONE": (lambda g, a: phone_raw(g.r, a), lambda g, x: g.phone(x),
              lambda x, r: (x[0], x[1], x[2][:-1] + [alter_digits(x[2][-1], r, 0)]),
              lambda x: ((x[0], x[1], x[2][:-1]), (x[0], None, x[2][-1:]))),
    "ID_NUMBER": (lambda g, a: legacy_id(g.r) if a == "old" else prc_id(g.r, a == "x"), lambda g, x: g.pid(x),
                  None, lambda x: (x[:6], x[6:])),
    "PASSPORT": (lambda g, a: passport(g.r), lambda g, x: g.pp(x), None, None),
    "EMAIL": (lambda g, a: g.mail(), lambda g, x: x, None, None),
    "ADDRESS": (lambda g, a: g.addr(a == "tw"), lambda g, x: x, None, None),
}

def flight(g):
    code, num = g.r.choice(["CA", "MU", "CZ", "CX", "HU"]), str(g.r.randint(100, 9999))
    if g.lang == "en" and g.asr:
        return " ".join(code) + " " + say_en(num, g.r, (), " ")
    return code + g.n(num)

FILL = {  # distractors: never labelled
    "order16": lambda g: g.n(bad_card(g.r), (4,) * 4), "badid": lambda g: g.n(bad_id(g.r), (6, 8, 4)),
    "order11": lambda g: g.n("1" + rd(g.r, 10, "3456789"), (3, 4, 4)), "track": lambda g: g.n(rd(g.r, 12), (4,) * 3),
    "case": lambda g: g.n("2025" + rd(g.r, 8, "01"), (4,) * 3), "room": lambda g: g.n(rd(g.r, 4, "123")),
    "zip": lambda g: g.n(rd(g.r, 5, "123456789")),
    "pc": lambda g: g.n(g.r.choice(["1000", "2000", "5180"]) + rd(g.r, 2)),
    "inv": lambda g: g.n(rd(g.r, 5, "0")), "flight": flight,
    "amt": lambda g: (lambda n: g.v(f"{n}元", zh_num(n) + "块"))(g.r.randint(800, 2999)),
}

# ---------------------------------------------------------------- templates
EN_POS = [
    "Sure, the card number is {CARD}, it expires {EXPIRY} and the security code on the back is {CVV}.",
    "Okay, um, the first eight digits are {CARD<:16}. And then, uh, the last eight, {CARD>}.",
    "Agent: Let me just read that back to you. {CARD}, valid through {EXPIRY}, is that correct? Customer: "
    "Yep, that's the one.",
    "It's an Amex, so there's only fifteen digits, {CARD:amex}. And the four-digit code on the front is {CVV:4}.",
    "I've been with you {12|twelve} years, I've got {3|three} cards, and the one ending in {d4} is fine, but this one, "
    "{CARD}, got charged {£59.99|fifty nine ninety nine} twice on the {3rd|third}.",
    "Um, so, the, the card is a Mastercard, {CARD:mc2}, and, uh, I'm in Hong Kong, the number is {PHONE:hk}.",
    "Agent: And the expiry? Customer: {EXPIRY}. Agent: And the three digits on the back? Customer: {CVV}.",
    "The expiry date, let me see, uh, it's {EXPIRY}. Yeah, {EXPIRY=}, and the CVV is {CVV}.",
    "You can reach me on {PHONE~}, oh sorry, no, {PHONE=}. I always mix those two up.",
    "The office line is {PHONE:hk} extension {d4}, but honestly my mobile's better, that's {PHONE:mob}.",
    "I'm travelling at the moment, so the best number is {PHONE:intl}, it's about {7|seven} hours ahead of you.",
    "My mobile starts with {PHONE<:mob}. Then the last four are, um, {PHONE>}.",
    "It's {PHONE}. I'll say it again, {PHONE=}, okay?",
    "Yeah my email's {EMAIL}, all lower case, and the landline at my parents' place is {PHONE:land}.",
    "For the refund, please use my IBAN, it's {IBAN}, it's a European account.",
    "I'm calling about the wire on the {15th|fifteenth}, {€8,250|eight thousand two hundred fifty euros} went to "
    "{IBAN} and the beneficiary says nothing arrived.",
    "I moved {$2,400|two thousand four hundred dollars} out of my savings account, number {BANK_ACCOUNT}, on "
    "{May 3rd|May third} and it still hasn't shown up.",
    "Agent: Which account should the money go into? Customer: Um, it's {BANK_ACCOUNT}. Agent: {BANK_ACCOUNT=}, got it.",
    "The account number is {BANK_ACCOUNT~}, no wait, sorry, I read one wrong, it's {BANK_ACCOUNT=}.",
    "I just got a text, uh, the verification code is {PIN:6}, it says it's only good for {5|five} minutes.",
    "Can I change my PIN? The current one is {PIN:4} and I think someone saw me type it at the cash machine on Friday.",
    "The one-time passcode, hang on, it's {PIN}. No wait, that's the old text, the new one is {PIN}.",
    "Agent: For security, what's the code we just texted you? Customer: Oh, {PIN:6}. Sorry, {PIN=}.",
    "Could you email the statement to {EMAIL}? That's my personal address, not the work one.",
    "Send it to {EMAIL}, and, um, copy in my husband as well, he's {EMAIL}.",
    "For the travel insurance claim I gave my passport, number {PASSPORT}, issued in {2019|twenty nineteen}, and the "
    "trip was {14|fourteen} days.",
    "Agent: Could I take your passport number? Customer: Yes, it's {PASSPORT}. Agent: {PASSPORT=}? "
    "Customer: That's it.",
    "My passport number is {PASSPORT}, uh, it's the new one, and my phone over here is {PHONE:intl}.",
    "I'm a Chinese national, my resident ID number is {ID_NUMBER}, and I've lived in "
    "Singapore since {2016|twenty sixteen}.",
    "My old ID card, the fifteen-digit one, had the number {ID_NUMBER:old}. Does that still work for verification?",
    "Please send the replacement card to {ADDRESS} in Leeds, we moved there in March.",
    "The delivery address is {ADDRESS}, and the contact number is {PHONE}, the courier can ring "
    "that if nobody answers.",
    "My address is {ADDRESS}, postcode {zip}, and if you need to call me it's {PHONE:mob}.",
    "Sure, so my email is {EMAIL}, mobile {PHONE:mob}, and the card I'm calling about is {CARD}.",
    "Right, uh, ID number {ID_NUMBER:x}, that ends with an X, and the card is {CARD:up}, a UnionPay one.",
]
EN_NEG = [
    "My order number is {order16}, I placed it on {June 1st|June first} and it still says processing.",
    "The tracking number they gave me is {track}, and the parcel's only {2.5 kilos|two and a half kilos}.",
    "I was charged {$1,249.50|one thousand two hundred forty nine fifty} instead of {$249.50|two forty nine fifty}, so "
    "that's a thousand dollars extra.",
    "The plan is {$19.99 a month|nineteen ninety nine a month} for the first {6|six} months and then "
    "{$24.99|twenty four ninety nine}, right?",
    "The payment was due on {06/01/2025|June first twenty twenty five} and I paid at {3:45|three forty five} in the "
    "afternoon, so why is there a late fee?",
    "It's the Visa ending in {d4}, not the Mastercard ending {d4}.",
    "My case reference is {case}, I spoke to someone on Tuesday about it.",
    "I was on flight {flight} to Beijing on the {14th|fourteenth} and the card got charged in yuan.",
    "I bought an {iPhone 15 Pro|iPhone fifteen Pro}, {256 gigs|two fifty six gigs}, on a {24-month|twenty four month} "
    "plan, and it was delivered on the {9th|ninth}.",
    "My rate went from {3.5%|three point five percent} to {4.25%|four point two five percent} in "
    "{2024|twenty twenty four}, on a {25-year|twenty five year} mortgage.",
    "Can you put me through to extension {d4}? It's the team on the {12th|twelfth} floor, room {room}.",
    "Is the branch at postcode {SW1A 1AA|S W one A, one A A} open on Saturdays, or should I try "
    "the one in zip code {zip}?",
    "Invoice number {INV-2025-|I N V twenty twenty five }{inv} was for {3,200|three thousand two hundred} dollars, "
    "paid in {2|two} parts.",
    "The transfer reference on my screen is {badid}, does that help you find it?",
    "I've called {4|four} times this week, waited {45|forty five} minutes each time, and been transferred "
    "{3|three} times, um, this is ridiculous.",
    "I'm paying for {500 megabits|five hundred megabits} and getting maybe {40|forty} after {9 pm|nine pm}, and the "
    "engineer came at {10:30|ten thirty} and left at {10:45|ten forty five}.",
    "Uh, the order number is {order11}, it's on the confirmation email from Monday.",
    "Agent: Can you confirm the last four digits of the card? Customer: {d4}. Agent: Thanks, and the amount was "
    "{$88.20|eighty eight twenty}?",
    "The parcel was {3.2 kg|three point two kilos}, shipped {Sept 14|September fourteenth}, and they charged me "
    "{HK$180|a hundred and eighty Hong Kong dollars} for delivery.",
    "My son's {16|sixteen}, he was born in {2009|two thousand nine}, and I want to add him as a supplementary "
    "cardholder with a {500|five hundred} dollar limit.",
    "The ticket number is {d7}, and they said someone would call back within {48|forty eight} hours, "
    "that was on {June 3rd|June third}.",
    "The car was doing {120|a hundred and twenty} kilometres an hour, it's a {2022|twenty twenty two} model, and the "
    "claim is for {$14,600|fourteen thousand six hundred dollars}.",
]
ZH_POS = [
    "我的卡号是{CARD}，有效期{EXPIRY}，背面安全码是{CVV}。",
    "那个，卡号前面八位是{CARD<:16}，嗯，后面八位是{CARD>}。",
    "客服：跟您核对一下，卡号{CARD}，有效期到{EXPIRY}，对吗？客户：对对对，没错。",
    "客服：麻烦您报一下卡背后三位数字。客户：嗯，{CVV}。客服：好的，有效期呢？客户：{EXPIRY}。",
    "我这张卡办了有{5|五}年了，额度{2万|两万}，上个月{15号|十五号}刷了{3800|三千八}，卡号是{CARD}，你帮我查一下那笔。",
    "那个卡是银联的，{CARD:up19}，十九位的，密码我就不说了。",
    "手机号是{PHONE~:mob}，哦不对不对，是{PHONE=}。",
    "你打我们公司座机也行，{PHONE:land}，转分机{d3}，找财务的刘姐。",
    "我人在香港，电话是{PHONE:hk}，晚上{8点|八点}以后打比较方便。",
    "我手机号前面是{PHONE<:mob}，嗯，后面四位是{PHONE>}。",
    "号码是{PHONE}，我再说一遍啊，{PHONE=}。",
    "客服：您好，请问您的手机号码是？客户：{PHONE:mob}。客服：{PHONE=}，对吧？客户：嗯对。",
    "我现在在国外出差，号码是{PHONE:intl}，有事打这个。",
    "身份证号码{ID_NUMBER:x}，最后一位是X。",
    "我身份证号是{ID_NUMBER}，你那边能查到吗？",
    "我那个还是老身份证，十五位的，号码是{ID_NUMBER:old}。",
    "身份证前六位是{ID_NUMBER<}，后面是{ID_NUMBER>}，出生日期那段没错的。",
    "我从账号{BANK_ACCOUNT}转了{3万块钱|三万块钱}出去，到现在还没到账。",
    "账号是{BANK_ACCOUNT~}，不好意思，说错了一位，是{BANK_ACCOUNT=}。",
    "收款人是欧洲的公司，IBAN是{IBAN}，麻烦帮我办一笔境外汇款。",
    "刚收到短信，验证码是{PIN:6}，是{5分钟|五分钟}内有效吧？",
    "我的取款密码是{PIN:6}，输错了{3次|三次}，现在卡被锁了。",
    "我上个月{20号|二十号}在商场刷了{6800|六千八}，可是那个，那个验证码{PIN:6}我根本没收到过啊。",
    "王伟的邮箱是{EMAIL}，你们把对账单发到这个邮箱就行。",
    "你记一下啊，邮箱{EMAIL}，手机{PHONE:mob}，有问题随时联系。",
    "我是用护照开的户，护照号{PASSPORT}，{2019年|二零一九年}签发的。",
    "新卡寄到{ADDRESS}，收件人写我名字就行。",
    "地址是{ADDRESS}，电话{PHONE}，快递到了让他打我电话。",
    "我想改一下账单地址，改成{ADDRESS}，邮编{pc}，谢谢。",
    "嗯，那个，我叫李娜，身份证{ID_NUMBER}，手机{PHONE:mob}，卡号{CARD}，就这些。",
    "我的電話是{PHONE}，身份證號碼是{ID_NUMBER}。",
    "帳號是{BANK_ACCOUNT}，麻煩幫我查一下餘額，謝謝。",
    "驗證碼{PIN}，我剛剛才收到的。",
    "信用卡號{CARD}，到期日{EXPIRY}，卡背後三位數是{CVV}。",
    "地址是{ADDRESS:tw}，郵箱是{EMAIL}。",
    "護照號碼是{PASSPORT}，那個，我下個月要出國。",
    "客服：請問您的手機號碼？客戶：嗯，{PHONE:mob}，然後電子郵件是{EMAIL}。",
]
ZH_NEG = [
    "我的订单号是{order16}，昨天晚上下的单，一直显示待发货。",
    "快递运单号{order11}，显示已经签收了，但我没收到。",
    "您的工单号是{badid}，后续有问题可以报这个号。",
    "这个月账单是{¥3,580.00|三千五百八十块}，我明明只刷了两千八百块。",
    "我是{2025年6月1日|二零二五年六月一号}下午四点一刻打的电话，到现在都没人回。",
    "是尾号{d4}的那张卡，不是尾号{d4}的。",
    "我坐的是{flight}航班，{3月8号|三月八号}从北京飞上海的。",
    "我用信用卡分期买了个{iPhone 15|iPhone 十五}，分{12|十二}期，每期{699|六百九十九}。",
    "房贷利率现在是{3.85%|百分之三点八五}吗？我贷了{30年|三十年}。",
    "我在公司{18楼|十八楼}，你们的人到了去{room}会议室找我就行。",
    "邮编是{pc}，不是{pc}，你们上次写错了。",
    "麻烦帮我转分机{d4}，我找理财经理。",
    "发票号码{d8}，开票金额{12,000元|一万二}，那个，税率{6%|百分之六}。",
    "我们家宽带是{300兆|三百兆}的，每个月{129|一百二十九}，网速才{20兆|二十兆}。",
    "投诉编号是TS{case}，你们查一下处理进度。",
    "我这张卡分了{24|二十四}期，还剩{7|七}期，每期{amt}。",
    "我{1988年|一九八八年}出生的，今年{37|三十七}岁，在你们银行开户十几年了。",
    "那个，你们App上显示我积分{12,580|一万两千五百八十}分，能换{2|两}张电影票吗？",
    "上周五{晚上9:30|晚上九点半}，我在ATM取了{2000|两千}，机器吞了{500|五百}。",
    "我的訂單號碼是{order16}，昨天下的單，帳單金額是{3,580元|三千五百八十塊}。",
    "包裹重{5公斤|五公斤}，運費{28元|二十八塊}，快遞員說{下午3點|下午三點}到。",
    "我打了{3|三}次電話，每次都等了{20分鐘|二十分鐘}，工單號碼是{badid}。",
]

# ---------------------------------------------------------------- assembly
TRAD, TRAD_MARK = str.maketrans("点划线两块号楼栋区", "點劃線兩塊號樓棟區"), set("電話號帳驗護郵單說鐘")

def render(tpl, g):
    """Template string -> list of plain strings and (TYPE, surface[, piece]) tuples."""
    parts = fill(tpl, g)
    if TRAD_MARK & set(tpl):  # traditional-character line: keep builder output traditional too
        parts = [p.translate(TRAD) if isinstance(p, str) else (p[0], p[1].translate(TRAD)) + p[2:] for p in parts]
    return parts

def fill(tpl, g):
    parts, mem = [], {}
    for i, tok in enumerate(re.split(r"\{([^{}]*)\}", tpl)):
        if i % 2 == 0:
            parts.append(tok)
        elif "|" in tok:
            parts.append(g.v(*tok.split("|")))
        elif tok[0].islower():
            parts.append(g.n(rd(g.r, int(tok[1:]))) if re.fullmatch(r"d\d+", tok) else FILL[tok](g))
        else:
            name, op, arg = re.fullmatch(r"([A-Z_]+)([=~<>]?)(?::(\w+))?", tok).groups()
            make, show, wrong, split = ENTITY[name]
            typ = "BANK_ACCOUNT" if name == "IBAN" else name
            if op in ("", "~", "<"):
                mem[name] = make(g, arg)
            x = mem[name]
            if op == "~":
                parts.append((typ, show(g, wrong(x, g.r))))
            elif op in ("<", ">"):
                parts.append((typ, show(g, split(x)[op == ">"]), 1))
            else:
                parts.append((typ, show(g, x)))
    return parts

def tweak(s, mode, ent):
    if mode == "whisper":
        s = re.sub(r"[,.?!;:]+(?=\s|$)", "", s.lower())
    elif mode in ("zh_space", "zh_none"):
        s = re.sub(r"[，。？！、：；]+", " " if mode == "zh_space" else "", s)
    return s.strip() if ent else re.sub(r" {2,}", " ", s)

def build(parts, mode):
    text, ents, pieces = "", [], {}
    for p in parts:
        if isinstance(p, tuple):
            s = tweak(p[1], mode, True)
            ents.append({"type": p[0], "start": len(text), "end": len(text) + len(s)})
            text += s
            if len(p) > 2:
                pieces.setdefault(p[0], []).append(s)
            else:
                assert check(p[0], s), (p[0], s)
        else:
            s = tweak(p, mode, False)
            text += s.lstrip(" ") if text.endswith(" ") or not text else s
    for typ, ss in pieces.items():
        assert len(ss) == 2 and check(typ, " ".join(ss)), (typ, ss)
    return text.rstrip(), ents

def validate(row):
    text, prev = row["text"], 0
    assert text and text == text.strip() and "{" not in text, row
    for e in row["entities"]:
        span = text[e["start"]:e["end"]]
        assert e["start"] >= prev and e["end"] > e["start"], row
        assert span == span.strip() and span[0] not in PUNCT and span[-1] not in PUNCT, (span, row)
        prev = e["end"]

def take(r, templates, n):
    order = []
    while len(order) < n:
        order += r.sample(templates, len(templates))
    return order[:n]

def generate(seed, n_pos=60, n_neg=40):
    r, rows = random.Random(seed), []
    for lang, pos, neg in (("zh", ZH_POS, ZH_NEG), ("en", EN_POS, EN_NEG)):
        for style in ("written", "asr"):
            g = G(r, lang, style == "asr")
            plan = [(t, True) for t in take(r, pos, n_pos)] + [(t, False) for t in take(r, neg, n_neg)]
            r.shuffle(plan)
            for k, (tpl, positive) in enumerate(plan):
                mode = r.choice(["whisper", "commas"] if lang == "en" else ["keep", "zh_space", "zh_none"])
                text, ents = build(render(tpl, g), mode if style == "asr" else None)
                assert bool(ents) == positive, tpl
                row = {"id": f"{lang}-{style}-{k:03d}", "language": lang, "style": style, "text": text,
                       "entities": ents}
                validate(row)
                rows.append(row)
    return rows

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(Path(__file__).with_suffix(".jsonl")))
    ap.add_argument("--seed", type=int, default=20250611)
    a = ap.parse_args()
    rows = generate(a.seed)
    with open(a.out, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    print(f"wrote {len(rows)} utterances to {a.out}")

if __name__ == "__main__":
    main()
