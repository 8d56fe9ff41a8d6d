#!/usr/bin/env python3
"""Third held-out PII-redaction evaluation set for Voxsight (call-centre dialogue).

Independent of the other redaction benchmark files and written blind to the redactor: the author
saw only the format and labelling rules below (shared with redaction_heldout2.py), never the
redactor's code, its other benchmark sets or its scores. Every template was written from scratch.

Each utterance is a short multi-turn exchange from a bank, telecom operator, insurer, hospital,
airline, online shop, courier or government service line, in English or Mandarin (simplified,
about a fifth rendered in traditional characters), in one of two styles:

  written  cleaned transcript or chat log: speaker labels ("Agent: ... Customer: ...",
           "客服：... 客户：...") and punctuation; numbers in Arabic digits.
  asr      recogniser output (Whisper, SenseVoice): no speaker labels; English lower case without
           sentence punctuation; Chinese punctuation dropped or turned into spaces; digits spoken
           ("oh", "zero", "double", "triple", "forty five", 幺, 两, 〇/零, 叉) or Arabic, or mixed.

Hard cases on purpose: numbers given in two or three pieces over turns, agents reading values back,
one-group corrections, passports spelled letter by letter ("E as in echo, 1 2 3 4 ..."), PINs and
one-time codes announced in many ways, hesitations (uh, um, 嗯, 那个) inside phone numbers, e-mails
spoken in English and Chinese (dot, underscore, 艾特, 小老鼠, 点com, 下划线), addresses, 11-digit
order numbers beside 11-digit mobiles, ID-shaped policy numbers, card-shaped claim numbers.

Output: JSON Lines, UTF-8 (ensure_ascii=False), one object per line:
  {"id": "h3-en-007", "language": "en"|"zh", "style": "written"|"asr", "text": "...",
   "entities": [{"type": "CARD", "start": 12, "end": 31}, ...]}
start/end are Python str offsets; text[start:end] is exactly the entity as written.

Labelling rules (same as redaction_heldout2.py)
- Types: CARD, CVV, EXPIRY, BANK_ACCOUNT, PHONE, ID_NUMBER, PASSPORT, EMAIL, PIN, ADDRESS.
- A span is the value only. Internal spaces, dashes, slashes, "+"/"plus"/"加", number words,
  spelled letters ("E as in echo") and spoken e-mail words (dot, at, underscore, 艾特, 点, 下划线,
  小老鼠) are inside; announcing words ("my card number is", "卡号是") and surrounding punctuation
  are outside. Spans are sorted, non-overlapping, non-empty, start with a letter/digit/CJK char or
  "+", end with a letter/digit/CJK char.
- A value given in pieces (separated by words or punctuation) gets one span per piece, each with
  the value's type. Pieces separated only by whitespace are one span (so ASR versions, whose commas
  are removed, merge such pieces). Read-backs, repeats and misheard/corrected pieces of a value
  given in the utterance are labelled with that value's type (including "ending 2291" when the
  full card was given in the same utterance).
- CARD: 13-19 digits with real issuer prefixes (Visa 4, Mastercard 51-55 / 2221-2720, Amex 34/37
  with 15 digits, UnionPay 62); every whole card passes Luhn. A card or phone referred to only by
  its last four digits ("card ending 4821", "尾号4821") when the full number is not given in the
  utterance is NOT labelled.
- CVV: 3-4 digit security code announced as such. EXPIRY: card expiry in any form (passport,
  policy and contract dates are not labelled).
- BANK_ACCOUNT: announced account numbers (8-20 digits) and IBANs (valid mod-97 check).
- PHONE: mainland mobile 1[3-9]+9 digits (optional +86), mainland landline 0xx-xxxxxxxx,
  Hong Kong 8 digits starting 2/3/5/6/9 (optional +852), international "+cc ...", US 10-digit
  numbers announced as a phone. Extensions and service hotlines (95588, 400-..., 10086) are not.
- ID_NUMBER: PRC resident ID, 18 chars (real area code, valid YYYYMMDD, sequence, ISO 7064
  MOD 11-2 check char) or 15-digit legacy (area, YYMMDD, sequence).
- PASSPORT: announced passport numbers (E/G + 8 digits, E + letter + 7 digits, 1-2 letters + 7-9
  digits).
- EMAIL: written or spoken addresses, in English or Chinese speech.
- PIN: PINs, passwords, passcodes, PUK codes, one-time / verification / dynamic codes announced as
  such.
- ADDRESS: Chinese [province] city district + road + 号 [+ building/floor/room]; English house
  number + street + suffix (apartment, city and zip code are outside the span).
- About 40% of utterances are negatives with no entity but many numbers: order numbers (including
  11-digit ones starting with 1), tracking, case, ticket, policy (including ID-shaped 18-digit
  ones with a wrong check character), claim (including Luhn-failing 16-digit ones), invoice
  numbers, amounts, dates, times, durations, counts, ages, percentages, floors, rooms, extensions,
  hotlines, card last-four, postcodes, flights, seats, dosages, prices per month, loyalty points.

The generator checks every row before writing: text[start:end] equals the intended string, spans
are sorted, non-overlapping and well-bounded, the pieces of each value spell the value (spoken
digits and e-mail words are normalised back), every labelled card passes Luhn with a real prefix,
every ID has a real area code, valid birth date and check character, every IBAN passes mod 97;
no unlabelled card- or ID-valid digit run is left in the text. It raises on any failure.

Deterministic: random.Random(seed).
Usage: python3 bench/redaction_heldout3.py --out bench/redaction_heldout3.jsonl [--seed N] [--per-language N]
"""
import argparse, datetime, json, random, re
from collections import Counter

TYPES = ("CARD", "CVV", "EXPIRY", "BANK_ACCOUNT", "PHONE", "ID_NUMBER", "PASSPORT", "EMAIL", "PIN", "ADDRESS")
DIG = "0123456789"

# ----------------------------------------------------------------------------------------------
# spoken numbers
EW = "zero one two three four five six seven eight nine".split()
TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty", 9: "ninety"}
TENS_R = {w: k for k, w in TENS.items()}
MONTHS = "January February March April May June July August September October November December".split()
ZD = "零一二三四五六七八九"
NUMWORDS = set(EW) | set(TEENS) | set(TENS.values()) | {"oh", "double", "triple", "hundred", "thousand"}
ZH_NUMCH = set("零〇一二三四五六七八九幺两兩十百千万")


def en_2(n):
    if n < 10:
        return EW[n]
    if n < 20:
        return TEENS[n - 10]
    return TENS[n // 10] + ("" if n % 10 == 0 else " " + EW[n % 10])


def en_house(n):
    """house numbers the way people say them: 42, three nineteen, fourteen twenty eight"""
    if n < 100:
        return en_2(n)
    if n < 1000:
        rest = n % 100
        return EW[n // 100] + " " + ("hundred" if rest == 0 else ("oh " + EW[rest] if rest < 10 else en_2(rest)))
    hi, lo = divmod(n, 100)
    return en_2(hi) + " " + ("hundred" if lo == 0 else ("oh " + EW[lo] if lo < 10 else en_2(lo)))


def en_words(r, s, zero="oh", pairs=0.0, dbl=0.4):
    """digits (and letters) one by one, with double/triple and some two-digit pairs"""
    dw = lambda c: zero if c == "0" else EW[int(c)]
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if not c.isdigit():
            out.append(c.lower())
            i += 1
            continue
        run = 1
        while i + run < len(s) and s[i + run] == c and run < 3:
            run += 1
        if run == 3 and r.random() < dbl:
            out += ["triple", dw(c)]
            i += 3
            continue
        if run >= 2 and r.random() < dbl:
            out += ["double", dw(c)]
            i += 2
            continue
        if pairs and i + 1 < len(s) and s[i + 1].isdigit() and c != "0" and r.random() < pairs:
            v = int(s[i:i + 2])
            if v < 20:
                out.append(TEENS[v - 10])
                i += 2
                continue
            if v % 10:
                out.append(TENS[v // 10] + " " + EW[v % 10])
                i += 2
                continue
        out.append(dw(c))
        i += 1
    return " ".join(out)


def zh_int(n):
    if n == 0:
        return "零"
    if n >= 10000:
        hi, lo = divmod(n, 10000)
        return zh_int(hi) + "万" + (("零" if lo < 1000 else "") + zh_int(lo) if lo else "")
    units = ["", "十", "百", "千"]
    s, out, zero = str(n), "", False
    for i, ch in enumerate(s):
        d, pos = int(ch), len(s) - 1 - i
        if d == 0:
            zero = True
            continue
        if zero and out:
            out += "零"
        zero = False
        out += ZD[d] + units[pos]
    return out[1:] if out.startswith("一十") else out


def zh_digits(s, one="幺", zero="零", two="二", x="叉"):
    m = {"0": zero, "1": one, "2": two}
    return "".join(m.get(c) or (ZD[int(c)] if c.isdigit() else (x if c in "Xx" else c)) for c in s)


def grp(s, sizes):
    if isinstance(sizes, int):
        return [s[i:i + sizes] for i in range(0, len(s), sizes)]
    out, i = [], 0
    for k in sizes:
        out.append(s[i:i + k])
        i += k
    if i < len(s):
        out.append(s[i:])
    return out


# ----------------------------------------------------------------------------------------------
# normalisers used by the self-check (spoken form -> canonical value)
ZH_N = {"零": "0", "〇": "0", "幺": "1", "一": "1", "二": "2", "两": "2", "兩": "2", "三": "3", "四": "4",
        "五": "5", "六": "6", "七": "7", "八": "8", "九": "9", "叉": "X", "加": "+", "＋": "+", "+": "+"}
EN_N = {w: str(i) for i, w in enumerate(EW)}
EN_N["oh"] = "0"
SKIP = {"dash", "hyphen", "slash", "then"}


def norm_value(text):
    toks = re.findall(r"[A-Za-z]+|\d|\S", text)
    out, i = [], 0
    while i < len(toks):
        t, tl = toks[i], toks[i].lower()
        if t.isdigit():
            out.append(t)
        elif tl in EN_N:
            out.append(EN_N[tl])
        elif tl in ("double", "triple"):
            nxt = toks[i + 1].lower()
            d = EN_N.get(nxt) or (nxt if nxt.isdigit() else None)
            if d is None:
                raise ValueError("bad %s in %r" % (tl, text))
            out.append(d * (2 if tl == "double" else 3))
            i += 1
        elif tl in TEENS:
            out.append(str(10 + TEENS.index(tl)))
        elif tl in TENS_R:
            if i + 1 < len(toks) and toks[i + 1].lower() in EW[1:]:
                out.append(str(TENS_R[tl] * 10 + EW.index(toks[i + 1].lower())))
                i += 1
            else:
                out.append(str(TENS_R[tl] * 10))
        elif tl == "plus":
            out.append("+")
        elif tl == "as" and i + 2 < len(toks) and toks[i + 1].lower() == "in":
            if not out or toks[i + 2][0].upper() != out[-1][-1]:
                raise ValueError("bad spelling alphabet in %r" % text)
            i += 2
        elif tl == "for" and i + 1 < len(toks) and out and toks[i + 1][0].upper() == out[-1][-1]:
            i += 1  # "E for Edward"
        elif tl in SKIP or t in "-/.·":
            pass
        elif t in ZH_N:
            out.append(ZH_N[t])
        elif re.fullmatch(r"[A-Za-z]+", t):
            out.append(t.upper())
        else:
            raise ValueError("cannot normalise %r in %r" % (t, text))
        i += 1
    return "".join(out)


def norm_email(text):
    s = text
    for a, b in (("艾特", " @ "), ("小老鼠", " @ "), ("下划线", " _ "), ("下劃線", " _ "), ("横杠", " - "),
                 ("橫槓", " - "), ("点", " . "), ("點", " . ")):
        s = s.replace(a, b)
    toks = re.findall(r"[A-Za-z]+|\d|\S", s)
    out, i = [], 0
    while i < len(toks):
        t, tl = toks[i], toks[i].lower()
        if tl == "at" or t == "@":
            out.append("@")
        elif tl == "dot" or t == ".":
            out.append(".")
        elif tl == "underscore" or t == "_":
            out.append("_")
        elif tl in ("dash", "hyphen") or t == "-":
            out.append("-")
        elif tl in EN_N:
            out.append(EN_N[tl])
        elif tl in ("double", "triple"):
            out.append(EN_N.get(toks[i + 1].lower(), toks[i + 1]) * (2 if tl == "double" else 3))
            i += 1
        elif tl in TEENS:
            out.append(str(10 + TEENS.index(tl)))
        elif tl in TENS_R and i + 1 < len(toks) and toks[i + 1].lower() in EW[1:]:
            out.append(str(TENS_R[tl] * 10 + EW.index(toks[i + 1].lower())))
            i += 1
        elif re.fullmatch(r"[A-Za-z0-9]+", t):
            out.append(tl)
        else:
            raise ValueError("cannot normalise %r in e-mail %r" % (t, text))
        i += 1
    return "".join(out)


# ----------------------------------------------------------------------------------------------
# valid values
def luhn_ok(s):
    tot = 0
    for i, ch in enumerate(reversed(s)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        tot += d
    return tot % 10 == 0


def card_prefix_ok(s):
    n = len(s)
    if not s.isdigit() or not 13 <= n <= 19:
        return False
    return ((s[0] == "4" and n in (13, 16, 19)) or (s[:2] in ("51", "52", "53", "54", "55") and n == 16)
            or (2221 <= int(s[:4]) <= 2720 and n == 16) or (s[:2] in ("34", "37") and n == 15)
            or (s[:2] == "62" and 16 <= n <= 19))


def looks_like_card(s):
    return card_prefix_ok(s) and luhn_ok(s)


def rdig(r, n):
    return "".join(r.choice(DIG) for _ in range(n))


UP_BINS = ["622848", "621700", "622202", "622588", "621226", "625965", "622700", "623058", "621483", "622609"]


def gen_card(r, kind=None):
    kind = kind or r.choice(["visa", "visa", "mc", "mc2", "amex", "up16", "up19", "visa13"])
    prefix, n = {
        "visa": ("4" + rdig(r, 5), 16), "visa13": ("4" + rdig(r, 5), 13),
        "mc": (r.choice(["51", "52", "53", "54", "55"]) + rdig(r, 4), 16),
        "mc2": (str(r.randint(2221, 2720)) + rdig(r, 2), 16),
        "amex": (r.choice(["34", "37"]) + rdig(r, 4), 15),
        "up16": (r.choice(UP_BINS), 16), "up19": (r.choice(UP_BINS), 19)}[kind]
    body = prefix + rdig(r, n - len(prefix) - 1)
    for c in DIG:
        if luhn_ok(body + c):
            return body + c


def card_groups(c):
    if len(c) == 15:
        return [4, 6, 5]
    if len(c) == 13:
        return [4, 3, 3, 3]
    return [4] * (len(c) // 4) + ([len(c) % 4] if len(c) % 4 else [])


AREAS = {"110101": "北京市东城区", "110105": "北京市朝阳区", "110108": "北京市海淀区", "310104": "上海市徐汇区",
         "310115": "上海市浦东新区", "440305": "深圳市南山区", "440106": "广州市天河区", "330106": "杭州市西湖区",
         "320106": "南京市鼓楼区", "510107": "成都市武侯区", "420111": "武汉市洪山区", "500103": "重庆市渝中区",
         "610113": "西安市雁塔区", "370202": "青岛市市南区", "120101": "天津市和平区", "350203": "厦门市思明区",
         "430104": "长沙市岳麓区", "410105": "郑州市金水区", "210102": "沈阳市和平区", "230103": "哈尔滨市南岗区"}
ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_check(s17):
    return "10X98765432"[sum(int(a) * w for a, w in zip(s17, ID_W)) % 11]


def rdate(r, y0, y1):
    d0 = datetime.date(y0, 1, 1).toordinal()
    return datetime.date.fromordinal(r.randint(d0, datetime.date(y1, 12, 31).toordinal()))


def gen_id(r, want_x=None, legacy=False):
    while True:
        area = r.choice(sorted(AREAS))
        if legacy:
            d = rdate(r, 1935, 1969)
            return area + d.strftime("%y%m%d") + rdig(r, 3)
        d = rdate(r, 1956, 2004)
        s17 = area + d.strftime("%Y%m%d") + rdig(r, 3)
        ch = id_check(s17)
        if want_x is None or (ch == "X") == want_x:
            return s17 + ch


def id_ok(s):
    if len(s) == 15 and s.isdigit():
        try:
            datetime.datetime.strptime("19" + s[6:12], "%Y%m%d")
        except ValueError:
            return False
        return s[:6] in AREAS
    if len(s) != 18 or not s[:17].isdigit() or s[:6] not in AREAS:
        return False
    try:
        datetime.datetime.strptime(s[6:14], "%Y%m%d")
    except ValueError:
        return False
    return id_check(s[:17]) == s[17]


def id_shaped_wrong(r):
    """policy number that looks like an ID (real area, valid date) but has the wrong check char"""
    s = gen_id(r, want_x=False)
    bad = r.choice([c for c in "0123456789" if c != s[17]])
    return s[:17] + bad


def iban_digits(s):
    return int("".join(str(int(c, 36)) for c in s))


def iban_ok(s):
    s = s.replace(" ", "").upper()
    return bool(re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", s)) and iban_digits(s[4:] + s[:4]) % 97 == 1


def gen_iban(r, cc=None):
    cc = cc or r.choice(["GB", "DE", "FR", "NL", "ES", "IT"])
    if cc == "GB":
        bban = r.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]) + rdig(r, 14)
    elif cc == "DE":
        bban = rdig(r, 18)
    elif cc == "FR":
        bban = rdig(r, 23)
    elif cc == "NL":
        bban = r.choice(["ABNA", "INGB", "RABO", "TRIO"]) + rdig(r, 10)
    elif cc == "IT":
        bban = r.choice("ABCDEFGHJKLMNPRSTUVWXYZ") + rdig(r, 22)
    else:
        bban = rdig(r, 20)
    chk = 98 - iban_digits(bban + cc + "00") % 97
    s = cc + "%02d" % chk + bban
    assert iban_ok(s)
    return s


def gen_account(r, n=None):
    """domestic account number, 10-20 digits, deliberately not card-shaped"""
    n = n or r.randint(10, 20)
    while True:
        s = r.choice(["1", "3", "7", "8"]) + rdig(r, n - 1)
        if s[:2] not in ("34", "37") and not looks_like_card(s):
            return s


CN_MOB = ["134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182", "183", "187",
          "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "181", "189", "177", "199",
          "166", "198", "173", "175", "176", "147", "195"]


def cn_mobile(r):
    return r.choice(CN_MOB) + rdig(r, 8)


def cn_landline(r):
    return "0" + r.choice(["10", "20", "21", "22", "23", "24", "25", "27", "28", "29"]) + r.choice("2345678") + rdig(r, 7)


def hk_phone(r):
    return r.choice("23569") + rdig(r, 7)


def us_phone(r):
    return r.choice(["212", "312", "415", "617", "206", "303", "512", "646", "718", "213", "404", "503"]) + \
        r.choice("23456789") + rdig(r, 2) + rdig(r, 4)


def intl_phone(r, cc=None):
    """returns (country code, national part, grouping of national part)"""
    cc = cc or r.choice(["44", "61", "65", "1", "49", "33"])
    if cc == "44":
        return cc, "7" + r.choice("45789") + rdig(r, 8), [4, 6]
    if cc == "61":
        return cc, "4" + rdig(r, 8), [3, 3, 3]
    if cc == "65":
        return cc, r.choice("89") + rdig(r, 7), [4, 4]
    if cc == "1":
        return cc, us_phone(r), [3, 3, 4]
    if cc == "49":
        return cc, "15" + rdig(r, 9), [3, 8]
    if cc == "86":
        return cc, cn_mobile(r), [3, 4, 4]
    return cc, r.choice("67") + rdig(r, 8), [1, 2, 2, 2, 2]


def phone_ok(s):
    return bool(re.fullmatch(r"(\+86)?1[3-9]\d{9}|0\d{2}[2-8]\d{7}|(\+852)?[23569]\d{7}|\+\d{8,15}|[2-9]\d{2}[2-9]\d{6}", s))


def gen_passport(r, kind=None):
    kind = kind or r.choice(["E8", "E8", "G8", "EL7", "LL7"])
    if kind == "E8":
        return "E" + rdig(r, 8)
    if kind == "G8":
        return "G" + rdig(r, 8)
    if kind == "EL7":
        return "E" + r.choice("ABCDEFGHJK") + rdig(r, 7)
    return r.choice(["PA", "PB", "LK", "AB", "FR", "XN", "SK"]) + rdig(r, 7)


NATO = {"A": "alpha", "B": "bravo", "C": "charlie", "D": "delta", "E": "echo", "F": "foxtrot", "G": "golf",
        "H": "hotel", "J": "juliet", "K": "kilo", "L": "lima", "N": "november", "P": "papa", "R": "romeo",
        "S": "sierra"}
NAMES_FOR = {"E": "Edward", "G": "George", "A": "Apple", "P": "Peter", "K": "King", "B": "Bob", "L": "London",
             "S": "Sam", "F": "Frank", "C": "Charlie", "D": "David", "H": "Harry", "J": "John"}

EMAIL_RE = re.compile(r"[a-z0-9][a-z0-9._-]*[a-z0-9]@[a-z0-9-]+(\.[a-z0-9-]+)+")


def valid_value(typ, canon):
    if typ == "CARD":
        return looks_like_card(canon)
    if typ == "CVV":
        return bool(re.fullmatch(r"\d{3,4}", canon))
    if typ == "EXPIRY":
        m = re.fullmatch(r"(\d\d)/(\d\d)", canon)
        return bool(m) and 1 <= int(m.group(1)) <= 12
    if typ == "BANK_ACCOUNT":
        return (canon.isdigit() and 8 <= len(canon) <= 20 and not looks_like_card(canon)) or iban_ok(canon)
    if typ == "PHONE":
        return phone_ok(canon)
    if typ == "ID_NUMBER":
        return id_ok(canon)
    if typ == "PASSPORT":
        return bool(re.fullmatch(r"[EG]\d{8}|E[A-Z]\d{7}|[A-Z]{1,2}\d{7,9}", canon))
    if typ == "EMAIL":
        return bool(EMAIL_RE.fullmatch(canon))
    if typ == "PIN":
        return bool(re.fullmatch(r"\d{4,8}|[A-Za-z]+\d+", canon))
    if typ == "ADDRESS":
        return bool(re.search(r"(路|街|道|大街|大道)[^号號]*[号號]", canon)) or bool(
            re.fullmatch(r"\d+ [A-Z][a-z]+( [A-Z][a-z]+)* (Avenue|Street|Road|Drive|Lane|Boulevard|Court|Way|Place|Terrace)", canon))
    return False


# ----------------------------------------------------------------------------------------------
# traditional characters (1:1 map, so offsets are unchanged)
# pairs "simplified traditional"; every pair is one character to one character
_PAIRS = """
号號 码碼 银銀 请請 说說 这這 个個 电電 话話 对對 后後 发發 给給 让讓 确確 认認 邮郵 区區 门門 账賬 户戶 验驗
证證 时時 间間 单單 订訂 么麼 还還 没沒 问問 题題 谢謝 帮幫 们們 务務 险險 医醫 为為 开開 东東 广廣 国國
来來 过過 经經 内內 两兩 万萬 块塊 钱錢 费費 转轉 张張 刘劉 陈陳 杨楊 赵趙 黄黃 吴吳 郑鄭 孙孫 联聯 络絡 线線
应應 该該 记記 录錄 设設 诉訴 听聽 见見 觉覺 现現 实實 际際 变變 换換 种種 类類 专專 处處 办辦 护護 签簽 续續
长長 岁歲 阳陽 历曆 楼樓 层層 栋棟 浙浙 苏蘇 汉漢 庆慶 宁寧 厦廈 岳嶽 岗崗 宾賓 馆館 员員 网網 数數 据據 资資
讯訊 报報 纸紙 节節 终終 断斷 缴繳 纳納 税稅 产產 车車 辆輛 驾駕 驶駛 绑綁 储儲 贷貸 款款 扣扣 余餘 额額 当當
态態 稍稍 核核 统統 显顯 诊診 挂掛 药藥 剂劑 师師 约約 预預 贝貝 书書 读讀 写寫 谈談 论論 议議 访訪 识識 调調
选選 择擇 义義 标標 则則 关關 闭閉 业業 优優 惠惠 积積 级級 别別 归歸 属屬 营營 厅廳 点點 热熱 机機 场場 乘乘
舱艙 进進 济濟 动動 牌牌 频頻 键鍵 输輸 错錯 锁鎖 柜櫃 携攜 运運 套套 餐餐 剩剩 销銷 详詳 细細 补補 损損
坏壞 递遞 送送 货貨 骑騎 颗顆 胶膠 囊囊 审審 批批 度度 窗窗 复複 丢丟 籍籍 迁遷 档檔 养養 领領 汇匯 币幣 钞鈔
欧歐 遍遍 误誤 拼拼 亲親 妈媽 爷爺 儿兒 夫夫 那那 谁誰 闻聞 联聯 达達 旅旅 游遊 头頭 离離 购購 买買 卖賣
宝寶 价價 库庫 厢廂 幢幢 县縣 镇鎮 乡鄉 编編 疗療 检檢 告告 结結 果果 体體 温溫 压壓 划劃 杠槓 吗嗎 几幾 须須
试試 气氣 卡卡 箱箱 状狀 币幣 码碼 储儲 蓄蓄 盗盜 诈詐 骗騙 冻凍 临臨 样樣 码碼 务務 绍紹 设設 备備 维維 修修
师師 门門 保保 修修 障障 故故 调調 机機 型型 号號 税稅 识識 别別 纳納 抬抬 头頭 废廢 邮郵 寄寄 递遞 饭飯 衣衣
服服 售售 满滿 减減 优優 惠惠 复複 核核 积積 兑兌 换換 程程 会會 员員 阿阿 莫莫 孩孩 龄齡 称稱 处處 方方
酒酒 预預 确確 认認 双雙 早早 退退 房房 楼樓 骑騎 距距 赔賠 红紅 槛檻 饿餓 时時 钟鐘 启啟 飞飛 议議 讲講 级級
额額 航航 班班 续續 签簽 规規 这這 样樣 请請 问問 务務 称稱 单單 丝絲 纸紙 扫掃 码碼 缘緣 录錄 拨撥 打打 询詢
询詢 话話 费費 协協 议議 约約 剩剩 余餘 漫漫 游遊 量量 项項 详詳 细細 账賬 单單 仓倉 发發 货貨 运運 输輸 转轉
证證 续續 办辦 审審 阶階 段段 结結 邮郵 领領 窗窗 阅閱 览覽 态態 户戶 现現 换換 补補 卫衛 视視 顺順 丰豐 寄寄
驻駐 贸貿 农農 兴興 浦浦 华華 众眾 储儲 蓄蓄 银銀 绑綁 筹籌 济濟 扩擴 缩縮 钥鑰 匙匙 锁鎖 罗羅 韩韓 邓鄧 许許
刚剛 让讓 骗騙 盗盜 说說 尔爾 边邊 难難 鲁魯 环環 湾灣 岭嶺 层層 栋棟 汤湯 织織 赁賃 团團 队隊 区區 县縣 镇鎮
计計 划劃 录錄 价價 币幣 国國 际際 护護 照照 签簽 续續 长長 龙龍 凤鳳 贵貴 宾賓 乐樂 乔喬 庄莊 杂雜 浅淺 圆圓
轮輪 涨漲 跃躍 迟遲 适適 选選 讯訊 设設 备備 冲衝 宽寬 带帶 组組 织織 亏虧 贯貫 读讀 块塊 页頁 传傳 签簽 须須
杭杭 湖湖 蓝藍 绿綠 滨濱 禾禾 喻喻 磨磨 杨楊 肇肇 嘉嘉 汇匯 丽麗 泽澤 殿殿 满滿 荣榮 惯慣 闹鬧 乱亂 厉厲
听聽 响響 灵靈 猎獵 团團 执執 亚亞 尽盡 担擔 顾顧 虑慮 惊驚 顶頂 鸡雞 坚堅 险險 监監 测測 谁誰 该該 陆陸 关關
剧劇 迁遷 户戶 社社 妇婦 幼幼 腔腔 皮皮 肤膚 诊診 楼樓 预預 约約 贷貸 凭憑 苹蘋 绩績 疗療 爱愛 际際 单單 质質
问問 们們 众眾 态態 顺順 丰豐 诚誠 恳懇 谅諒 怀懷 疑疑 让讓 错錯 误誤 虽雖 仅僅 够夠 笔筆 扣扣 种種 项項 宠寵 横橫 准準 连連 随隨 齐齊 烦煩 咨諮 栏欄 续續 确確 从從 无無 条條 总總 纪紀 财財 园園 学學 托託
"""
TRAD = {}
for _pair in _PAIRS.split():
    assert len(_pair) == 2, _pair
    TRAD.setdefault(ord(_pair[0]), _pair[1])


def to_trad(s):
    """word-level fixes first (same length), then the character map"""
    s = s.replace("联系", "聯繫").replace("系统", "系統").replace("柜台", "櫃檯")
    s = re.sub(r"(?<!公)里(?!程)", "裡", s)
    return s.translate(TRAD)



# ----------------------------------------------------------------------------------------------
# utterance builder
class Val:
    def __init__(self, typ, canon):
        assert typ in TYPES, typ
        self.typ, self.canon = typ, canon


class Piece:
    def __init__(self, val, text, occ="main"):
        self.val, self.text, self.occ = val, text, occ


def E(val, text, occ="main"):
    """a labelled piece; occ: 'main' / 'rb' (whole value), 'p..' (part of value), 'w' (misheard part)"""
    return Piece(val, text, occ)


EN_LABELS = {"A": ["Agent", "Agent", "Rep", "Advisor"], "C": ["Customer", "Customer", "Caller"]}
ZH_LABELS = {"A": ["客服", "客服", "坐席", "工作人员"], "C": ["客户", "客户", "来电人", "用户"]}


def asr_en(s):
    s = s.replace("—", " ").replace("…", " ")
    s = re.sub(r'["“”()]', " ", s)
    s = re.sub(r"[,.?!;:]+(?=\s|$)", "", s)
    s = re.sub(r"(?<=\s)-+(?=\s)", " ", s)
    return re.sub(r"\s+", " ", s.lower())


ZH_NUMCLASS = "0-9零〇一二三四五六七八九十百千万幺两兩"


def asr_zh(s, mode):
    rep = "" if mode == "drop" else " "
    # punctuation between two numbers becomes a space, so that separate numbers never fuse
    s = re.sub(r"(?<=[%s])[，。？！：；、,.?!;:]+(?=[%s])" % (ZH_NUMCLASS, ZH_NUMCLASS), " ", s)
    s = re.sub(r"[，。？！：；、“”‘’（）《》…—]+", rep, s)
    s = re.sub(r"[,?!;:.]+(?=\s|$)", rep, s)
    return re.sub(r" +", " ", s)


class Row:
    def __init__(self, r, lang, style):
        self.r, self.lang, self.style = r, lang, style
        self.asr = style == "asr"
        self.en = lang == "en"
        self.turns = []
        self.trad = False
        self.lab = {}
        self.zmode = r.choice(["drop", "space", "space"])
        self.zw = r.random() < 0.3  # written Chinese row that spells small numbers in characters

    # -- content
    def say(self, who, *parts):
        self.turns.append((who, parts))

    def pick(self, *opts):
        return self.r.choice(opts)

    def n(self, s, groups=None, sep=" ", mode=None):
        """render a digit string (letters allowed) in this row's style"""
        r = self.r
        chunks = grp(s, groups) if groups else [s]
        if not self.asr:
            return sep.join(chunks)
        if self.en:
            mode = mode or r.choice(["words", "words", "words", "mixed", "arabic"])
            zero = r.choice(["oh", "oh", "zero"])
            pairs = r.choice([0.0, 0.0, 0.3])
            out = []
            for c in chunks:
                if mode == "arabic" or (mode == "mixed" and r.random() < 0.5):
                    out.append(c.lower())
                else:
                    out.append(en_words(r, c, zero, pairs))
            return " ".join(out)
        mode = mode or r.choice(["cn", "cn", "cn", "arabic", "mixed"])
        one = r.choice(["幺", "幺", "一"])
        zero = r.choice(["零", "零", "〇"])
        two = "两" if r.random() < 0.25 else "二"
        x = r.choice(["叉", "叉", "X", "x"])
        out = []
        for c in chunks:
            if mode == "cn" or (mode == "mixed" and r.random() < 0.5):
                out.append(zh_digits(c, one, zero, two, x))
            else:
                out.append(c)
        j = r.choice([" ", ""]) if mode == "cn" else " "
        return j.join(out)

    def dn(self, s, groups=None, sep=" ", mode=None):
        """render a distractor number (letters in codes stay letters, hyphens are dropped in Chinese speech)"""
        if self.asr and not self.en:
            mode = mode or self.r.choice(["cn", "cn", "arabic"])
            if mode == "cn":
                one, zero = self.r.choice(["幺", "一"]), self.r.choice(["零", "〇"])
                two = "两" if self.r.random() < 0.2 else "二"
                chunks = grp(s, groups) if groups else [s]
                return " ".join(zh_digits(c.replace("-", ""), one, zero, two, x="X") for c in chunks)
        return self.n(s, groups, sep, mode)

    def amt_zh(self, yuan, cents=False):
        r = self.r
        if self.asr and r.random() < 0.6:
            return zh_int(yuan) + r.choice(["块", "元"]) + (ZD[r.randint(1, 9)] if cents else "")
        return ("%d.%02d" % (yuan, r.randint(1, 99)) if cents else str(yuan)) + "元"

    def zi(self, k):
        """small integer (date, time, ordinal) in Chinese style: mostly Arabic when written, words when asr"""
        if self.asr:
            return zh_int(k) if self.r.random() < 0.8 else str(k)
        return zh_int(k) if self.zw else str(k)

    def zc(self, k):
        """a count before a measure word: 2 is 两 when said in words"""
        t = self.zi(k)
        return "两" if t == "二" else t

    def ei(self, k):
        """small integer in English style"""
        return en_2(k) if (self.asr and k < 100 and self.r.random() < 0.6) else str(k)

    # -- build and check
    def build(self):
        r = self.r
        labels = self.lab.copy()
        pool = EN_LABELS if self.en else ZH_LABELS
        for k in ("A", "C"):
            labels.setdefault(k, r.choice(pool[k]))
        text, pieces = "", []

        def add_text(t):
            nonlocal text
            if self.asr:
                t = asr_en(t) if self.en else asr_zh(t, self.zmode)
            if not text:
                t = t.lstrip()
            elif text[-1] == " " and t[:1] == " ":
                t = t.lstrip(" ")
            elif not self.en and re.match("[%s]" % ZH_NUMCLASS, text[-1]) and re.match("[%s]" % ZH_NUMCLASS, t[:1]):
                t = " " + t
            text += t

        for i, (who, parts) in enumerate(self.turns):
            if text and text[-1] != " ":
                glue = self.asr and not self.en and self.zmode == "drop" and r.random() < 0.5
                text += "" if glue and not re.match("[%s]" % ZH_NUMCLASS, text[-1]) else " "
            if not self.asr:
                text += labels[who] + (": " if self.en else "：")
            for p in parts:
                if isinstance(p, str):
                    add_text(p)
                else:
                    s = len(text)
                    text += p.text
                    pieces.append((s, len(text), p))
        text = text.rstrip()
        if self.trad:
            text = to_trad(text)
        return check_and_merge(self, text, pieces)


SPAN_FIRST = re.compile(r"[0-9A-Za-z\u4e00-\u9fff〇+]")
SPAN_LAST = re.compile(r"[0-9A-Za-z\u4e00-\u9fff〇]")


class BadRow(Exception):
    pass


def check_and_merge(row, text, pieces):
    def fail(msg):
        raise BadRow("%s\n  text: %s" % (msg, text))

    groups = {}
    for s, e, p in pieces:
        want = to_trad(p.text) if row.trad else p.text
        if text[s:e] != want or s >= e:
            fail("span text mismatch %r != %r" % (text[s:e], want))
        if not SPAN_FIRST.match(text[s]) or not SPAN_LAST.match(text[e - 1]):
            fail("bad span boundary %r" % text[s:e])
        groups.setdefault((id(p.val), p.occ), (p.val, []))[1].append(p.text)
    # every value valid; every occurrence spells it
    for (vid, occ), (val, texts) in groups.items():
        if not valid_value(val.typ, val.canon):
            fail("invalid %s value %r" % (val.typ, val.canon))
        if val.typ in ("EXPIRY", "ADDRESS"):
            continue
        if val.typ == "EMAIL":
            got = "".join(norm_email(t) for t in texts)
            canon = val.canon
            if occ.startswith("p"):
                got, canon = got.replace("-", ""), canon.replace("-", "")
        else:
            got = "".join(norm_value(t) for t in texts)
            canon = val.canon.upper()
        if occ == "w":
            if val.typ in ("CARD", "ID_NUMBER", "BANK_ACCOUNT") and len(got) >= 8:
                fail("misheard piece too long to be a piece: %r" % got)
            if got in canon:
                fail("misheard piece %r is not actually wrong" % got)
        elif occ.startswith("p"):
            if got not in canon:
                fail("%s part %r not in %r" % (val.typ, got, canon))
        elif got != canon:
            fail("%s pieces %r spell %r, not %r" % (val.typ, texts, got, canon))
    # whole-value spans of checkable types must be valid on their own
    for s, e, p in pieces:
        if p.val.typ in ("CARD", "ID_NUMBER", "BANK_ACCOUNT") and p.occ != "w":
            v = norm_value(p.text)
            if p.val.typ == "CARD" and len(v) >= 13 and not looks_like_card(v):
                fail("labelled card %r fails Luhn/prefix" % v)
            if p.val.typ == "ID_NUMBER" and len(v) in (15, 18) and not id_ok(v):
                fail("labelled ID %r invalid" % v)
            if p.val.typ == "BANK_ACCOUNT" and re.match(r"[A-Z]{2}\d\d", v) and len(v) >= 15 and not iban_ok(v):
                fail("labelled IBAN %r invalid" % v)
    # merge pieces separated only by whitespace
    ents = []
    for s, e, p in pieces:
        if ents and ents[-1]["end"] <= s and text[ents[-1]["end"]:s].strip() == "":
            prev = ents[-1]
            if prev["type"] != p.val.typ or prev["_val"] is not p.val:
                fail("different values touch: %r" % text[prev["start"]:e])
            prev["end"] = e
        else:
            if ents and s < ents[-1]["end"]:
                fail("overlap")
            ents.append({"type": p.val.typ, "start": s, "end": e, "_val": p.val})
    # spoken numbers next to a span would make its extent ambiguous
    for x in ents:
        s, e = x["start"], x["end"]
        if text[s].isascii() and text[s].isalnum() and s > 0 and text[s - 1].isascii() and text[s - 1].isalnum():
            fail("span glued to preceding text %r" % text[max(0, s - 5):e])
        if e < len(text) and text[e - 1].isascii() and text[e - 1].isalnum() and text[e].isascii() and text[e].isalnum():
            fail("span glued to following text %r" % text[s:e + 5])
        if x["type"] == "ADDRESS":
            continue
        if row.en:
            before = text[:s].split()[-1:] or [""]
            after = text[e:].split()[:1] or [""]
            for w in (before[0], after[0]):
                if w.lower().strip(",.?!") in NUMWORDS:
                    fail("number word %r touches span %r" % (w, text[s:e]))
        elif (s > 0 and text[s - 1] in ZH_NUMCH) or (e < len(text) and text[e] in ZH_NUMCH):
            fail("Chinese numeral touches span %r" % text[max(0, s - 2):e + 2])
    # no unlabelled card-valid or ID-valid runs outside spans
    covered = [False] * len(text)
    for en in ents:
        for k in range(en["start"], en["end"]):
            covered[k] = True
    for m in re.finditer(r"(?<![0-9])[0-9]{13,19}(?![0-9])", text):
        if not covered[m.start()] and looks_like_card(m.group()):
            fail("unlabelled card-valid run %s" % m.group())
    for m in re.finditer(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])", text):
        if not covered[m.start()] and id_ok(m.group().upper()):
            fail("unlabelled ID-valid run %s" % m.group())
    return text, [{"type": x["type"], "start": x["start"], "end": x["end"]} for x in ents]


# ----------------------------------------------------------------------------------------------
# shared renderers
def exp_value(r):
    return "%02d" % r.randint(1, 12), "%02d" % r.randint(26, 33)


def exp_en(b, mm, yy):
    r, m = b.r, int(mm)
    if not b.asr:
        return r.choice(["%s/%s" % (mm, yy), "%s/20%s" % (mm, yy), "%s 20%s" % (MONTHS[m - 1], yy), "%s-%s" % (mm, yy)])
    mw = ("oh " + EW[m]) if m < 10 else en_2(m)
    return r.choice([mw + " " + en_2(int(yy)), "%s twenty %s" % (MONTHS[m - 1].lower(), en_2(int(yy))),
                     "%s/%s" % (mm, yy), "%s slash %s" % (en_2(m), en_2(int(yy)))])


def exp_zh(b, mm, yy):
    r, m = b.r, int(mm)
    if not b.asr:
        return r.choice(["%s/%s" % (mm, yy), "20%s年%d月" % (yy, m), "%s年%s月" % (yy, mm), "20%s年%s月" % (yy, mm)])
    return r.choice(["%s年%s月" % (zh_digits(yy, "一"), zh_int(m)), "%s %s" % (zh_digits(mm, "一"), zh_digits(yy, "一")),
                     "%s/%s" % (mm, yy), "二零%s年%s月" % (zh_digits(yy, "一"), zh_int(m))])


def email_en(b, user, domain, spoken=None):
    r = b.r
    if spoken is None:
        spoken = b.asr or r.random() < 0.25
    if not spoken:
        return user + "@" + domain

    def sp(part):
        out = []
        for tok in re.findall(r"[a-z]+|\d+|[._-]", part):
            if tok == ".":
                out.append("dot")
            elif tok == "_":
                out.append("underscore")
            elif tok == "-":
                out.append(r.choice(["dash", "hyphen"]))
            elif tok.isdigit():
                out.append(en_words(r, tok, "zero", 0.3) if (b.asr and r.random() < 0.7) else tok)
            elif len(tok) == 1 or tok == "qq":
                out.append(" ".join(tok))
            else:
                out.append(tok)
        return " ".join(out)

    return sp(user) + " at " + sp(domain)


def email_zh(b, user, domain, spoken=None):
    r = b.r
    if spoken is None:
        spoken = b.asr or r.random() < 0.3
    if not spoken:
        return user + "@" + domain
    at = r.choice(["艾特", "艾特", "小老鼠"])
    sep = r.choice([" ", ""])
    out = []
    for tok in re.findall(r"[a-z]+|\d+|[._@-]", user + "@" + domain):
        w = {".": "点", "_": "下划线", "-": "横杠", "@": at}.get(tok)
        out.append(sep + w + sep if w else tok)
    return "".join(out).strip()


EN_FIRST = ["jane", "mark", "olivia", "samuel", "grace", "devon", "nina", "arthur", "maya", "felix", "chloe", "ravi",
            "tessa", "liam", "harriet", "omar"]
EN_LAST = ["doe", "harper", "nguyen", "okafor", "brennan", "castillo", "whitfield", "lindqvist", "moreau", "patel",
           "kowalski", "reyes", "fairbanks", "mbeki"]
EN_DOM = ["gmail.com", "outlook.com", "yahoo.com", "hotmail.co.uk", "icloud.com", "proton.me", "fastmail.com"]
ZH_PY = [("zhang", "wei"), ("wang", "fang"), ("liu", "yang"), ("chen", "jing"), ("li", "na"), ("zhao", "lei"),
         ("huang", "min"), ("zhou", "xin"), ("wu", "jie"), ("sun", "li"), ("xu", "ming"), ("he", "tao"), ("gao", "yan"),
         ("lin", "hui")]
ZH_DOM = ["qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "139.com", "aliyun.com", "yeah.net"]


def en_user(r):
    f, l = r.choice(EN_FIRST), r.choice(EN_LAST)
    return r.choice([f + "." + l, f + "_" + l + str(r.randint(10, 99)), f[0] + l + str(r.randint(70, 99)),
                     f + "." + l + str(r.randint(1, 9)), l + "-" + f])


def zh_user(r):
    sn, gn = r.choice(ZH_PY)
    p = sn + gn
    k = r.randint(0, 4)
    if k == 0:
        return p + str(r.randint(1980, 2005))
    if k == 1:
        return sn + "_" + gn + str(r.randint(10, 99))
    if k == 2:
        return p + "." + r.choice(["work", "hz", "sh", "bj", "sz"])
    if k == 3:
        return p + str(r.randint(100, 999))
    return r.choice("123456789") + rdig(r, r.randint(6, 9))


def zh_email_pair(r, domains=None):
    user = zh_user(r)
    return user, ("qq.com" if user.isdigit() else r.choice(domains or ZH_DOM))


STREETS = ["Maple Grove", "Oakridge", "Lindenwood", "Harbor View", "Cedar Hollow", "Willow Bend", "Kingsley",
           "Ashford", "Brookside", "Juniper", "Sycamore", "Pinecrest", "Riverside", "Elmhurst", "Foxglove", "Larkspur"]
SUFFIX = ["Avenue", "Street", "Road", "Drive", "Lane", "Boulevard", "Court", "Way", "Place", "Terrace"]
CITIES = [("Portland", "OR", "97205"), ("Denver", "CO", "80203"), ("Austin", "TX", "78704"), ("Columbus", "OH", "43215"),
          ("Sacramento", "CA", "95814"), ("Raleigh", "NC", "27601"), ("Madison", "WI", "53703"), ("Tucson", "AZ", "85719")]


def en_addr(b):
    r = b.r
    house = r.choice([r.randint(12, 99), r.randint(100, 999), r.randint(1000, 9899)])
    street, suf = r.choice(STREETS), r.choice(SUFFIX)
    canon = "%d %s %s" % (house, street, suf)
    if not b.asr:
        return canon, canon
    num = en_house(house) if r.random() < 0.6 else str(house)
    return canon, "%s %s %s" % (num, street.lower(), suf.lower())


ZH_LOC = [("广东省", "深圳市", "南山区", ["科技南路", "沙河西路", "南海大道", "后海大道"]),
          ("广东省", "广州市", "天河区", ["天河北路", "体育西路", "黄埔大道西", "珠江东路"]),
          ("", "上海市", "徐汇区", ["漕溪北路", "宜山路", "肇嘉浜路"]),
          ("", "上海市", "浦东新区", ["张杨路", "世纪大道", "东方路"]),
          ("", "北京市", "朝阳区", ["建国路", "朝阳北路", "东三环中路"]),
          ("", "北京市", "海淀区", ["中关村大街", "学院路", "知春路"]),
          ("浙江省", "杭州市", "西湖区", ["文三路", "天目山路", "教工路"]),
          ("江苏省", "南京市", "鼓楼区", ["中山北路", "湖南路"]),
          ("四川省", "成都市", "武侯区", ["人民南路四段", "科华北路"]),
          ("湖北省", "武汉市", "洪山区", ["珞喻路", "鲁磨路"]),
          ("", "重庆市", "渝中区", ["民族路", "中山三路"]),
          ("福建省", "厦门市", "思明区", ["湖滨南路", "厦禾路"])]


def zh_addr(b, tail=None):
    """returns (head, tail): head = [province]city district road N号, tail = building/room or ''"""
    r = b.r
    prov, city, dist, roads = r.choice(ZH_LOC)
    if prov and r.random() < 0.35:
        prov = ""
    no = r.choice([r.randint(1, 99), r.randint(100, 999)])
    num = zh_int(no) if (b.asr and r.random() < 0.6) else str(no)
    head = "%s%s%s%s%s号" % (prov, city, dist, r.choice(roads), num)
    kind = r.randint(0, 4) if tail is None else (1 if tail else 0)
    fl, un = r.randint(2, 28), r.randint(1, 8)
    room = "%d%02d" % (fl, un)
    cn = b.asr and r.random() < 0.6
    rm = zh_digits(room, r.choice("幺一"), "零") if cn else room
    bd = r.randint(1, 12)
    bdn = zh_int(bd) if cn else str(bd)
    if kind == 0:
        t = ""
    elif kind in (1, 2):
        t = r.choice(["%s栋%s室", "%s号楼%s室", "%s幢%s"]) % (bdn, rm)
    elif kind == 3:
        t = "%s号楼%s单元%s" % (bdn, zh_int(un) if cn else str(un), rm)
    else:
        t = "%s座%s层" % (r.choice("ABCD"), zh_int(fl) if cn else str(fl))
    return head, t


def money(r, lo, hi):
    return round(r.uniform(lo, hi), 2)


def usd(x):
    return "${:,.2f}".format(x)


def not_card_digits(r, n, first=None):
    while True:
        s = (first or "") + rdig(r, n - len(first or ""))
        if not looks_like_card(s) and not (len(s) == 18 and id_ok(s)):
            return s


def luhn_fail16(r, first=None):
    while True:
        s = (first or r.choice(["4", "5", "62", "9", "3"])) 
        s = s + rdig(r, 16 - len(s))
        if not luhn_ok(s):
            return s


def order11(r):
    return "1" + r.choice(["3", "5", "8", "6", "9", "0", "2"]) + rdig(r, 9)


AGENTS = ["Priya", "Marcus", "Dana", "Tomas", "Keisha", "Owen", "Hannah", "Raj", "Leah", "Victor", "Imogen", "Sol"]
ZH_SN = ["张", "王", "李", "刘", "陈", "杨", "赵", "黄", "周", "吴", "孙", "郑"]
ZH_BANKS = ["招商银行", "建设银行", "工商银行", "农业银行", "中国银行", "交通银行", "浦发银行", "兴业银行"]


def ord_en(k):
    return ["first", "second", "third", "fourth", "fifth"][k]


def ord_zh(k):
    return ["第一", "第二", "第三", "第四", "第五"][k]


def mutate(r, s, whole):
    """one wrong digit, or two neighbours swapped; the result occurs nowhere in the whole value"""
    for _ in range(200):
        i = r.randrange(len(s))
        if r.random() < 0.5 and i + 1 < len(s) and s[i] != s[i + 1]:
            t = s[:i] + s[i + 1] + s[i] + s[i + 2:]
        else:
            t = s[:i] + r.choice([c for c in DIG if c != s[i]]) + s[i + 1:]
        if t != s and t not in whole:
            return t
    raise RuntimeError("mutate")


# ==============================================================================================
# English positives
def en_card_halves(b):
    r = b.r
    c = gen_card(r, r.choice(["visa", "mc", "mc2", "up16"]))
    v = Val("CARD", c)
    bank = b.pick("Northgate Bank", "Harbor Federal", "Crestline Credit Union", "Union Pacific Savings")
    b.say("A", "Thanks for calling %s, you're through to %s. What can I do for you today?" % (bank, r.choice(AGENTS)))
    b.say("C", "Hi, I want to pay off the %s on my statement, but with a different card." % usd(money(r, 200, 4000)))
    b.say("A", b.pick("Sure, I can do that over the phone. Go ahead with the long number on the front when you're ready.",
                      "No problem. Whenever you're ready, the card number please."))
    b.say("C", b.pick("Okay, the first eight are ", "Right, so the first half is ", "Got it here. It starts "),
          E(v, b.n(c[:8], [4, 4])), b.pick(", and then ", "... then ", ", and the rest is "), E(v, b.n(c[8:], 4)), ".")
    b.say("A", "Let me read that back to you: ", E(v, b.n(c, 4), "rb"), ". Is that correct?")
    b.say("C", "Yes, that's it.")


def en_card_correction(b):
    r = b.r
    c = gen_card(r, r.choice(["visa", "mc", "up19", "mc2"]))
    v = Val("CARD", c)
    gs = grp(c, card_groups(c))
    k = r.randrange(len(gs) - 1)
    cvv = Val("CVV", rdig(r, 3))
    b.say("A", "Could I take the card number, please? Groups of four are fine, take your time.")
    parts = ["Sure. "]
    for i, g in enumerate(gs):
        parts += [E(v, b.n(g)), ", " if i < len(gs) - 1 else "."]
    b.say("C", *parts)
    b.say("A", "Thank you. Sorry, the %s group, was that " % ord_en(k), E(v, b.n(mutate(r, gs[k], c)), "w"), "?")
    b.say("C", b.pick("No, ", "Not quite, it's ", "No no, it's "), E(v, b.n(gs[k]), "p1"), ".")
    b.say("A", "Got it, corrected. And the three digits on the signature strip?")
    b.say("C", b.pick("", "It's ", "That's "), E(cvv, b.n(cvv.canon)), ".")


def en_amex(b):
    r = b.r
    c = gen_card(r, "amex")
    v, cid = Val("CARD", c), Val("CVV", rdig(r, 4))
    mm, yy = exp_value(r)
    ex = Val("EXPIRY", mm + "/" + yy)
    b.say("A", "The fare difference comes to %s. How would you like to pay?" % usd(money(r, 80, 900)))
    b.say("C", "Amex, please. It's ", E(v, b.n(c, [4, 6, 5])), ".")
    b.say("A", "And the four-digit code printed on the front, just above the number?")
    b.say("C", b.pick("", "Uh, "), E(cid, b.n(cid.canon)), ".")
    b.say("A", "Expiry date?")
    b.say("C", E(ex, exp_en(b, mm, yy)), ".")
    b.say("A", "Thank you, that's gone through. You're now on %s %d departing %s." %
          (r.choice(["UA", "BA", "DL", "AA"]), r.randint(100, 2999), r.choice(["7:15 am", "11:40 am", "6:05 pm", "9:50 pm"])))


def en_phone_hesitant(b):
    r = b.r
    p = us_phone(r)
    v = Val("PHONE", p)
    a, x, l = p[:3], p[3:6], p[6:]
    f1 = b.pick(", uh, ", "... uh, ", ", um, ")
    f2 = b.pick(", um, ", ", uh, hang on, ", "... ")
    b.say("A", "Is the number on the account still the best one to reach you?")
    b.say("C", "Uh, no, I changed it last month. It's ", E(v, b.n(a)), f1, E(v, b.n(x)), f2, E(v, b.n(l)), ".")
    b.say("A", "Okay, so that's ", E(v, b.n(p, [3, 3, 4], "-"), "rb"), "?")
    b.say("C", "That's right.")
    b.say("A", "Great, I've updated it. You'll get a confirmation text within 24 hours.")


def en_phone_intl_pieces(b):
    r = b.r
    cc, nat, g = intl_phone(r, r.choice(["44", "61", "65", "49"]))
    v = Val("PHONE", "+" + cc + nat)
    ccs = ("plus " + en_words(r, cc)) if b.asr else "+" + cc
    b.say("A", "What's a contact number we can use while you're abroad, in case the flight changes?")
    b.say("C", "Best is my mobile. The country code is ", E(v, ccs), b.pick(", and then ", ", then it's "), E(v, b.n(nat, g)), ".")
    b.say("A", "So that's ", E(v, ccs + " " + b.n(nat, g), "rb"), b.pick(", got it.", ". Perfect."))
    b.say("A", "Your booking reference stays the same and check-in opens 24 hours before departure.")


def en_otp(b):
    r = b.r
    v = Val("PIN", rdig(r, 6))
    l4 = rdig(r, 4)
    b.say("A", b.pick("Before I can change the address I need to verify you. I've just texted a one-time code to the mobile ending in %s.",
                      "For security, we've sent a six-digit code to your phone ending %s. Could you read it out when it arrives?",
                      "I'm going to send a verification code to the number ending %s now.") % b.dn(l4))
    b.say("C", "Hang on, it's just come through... okay.")
    if r.random() < 0.5:
        b.say("C", b.pick("It's ", "The code is "), E(v, b.n(v.canon[:3])), ", ", E(v, b.n(v.canon[3:])), ".")
    else:
        b.say("C", b.pick("The code you texted me is ", "The text says ", "Right, the code's "), E(v, b.n(v.canon)), ".")
    b.say("A", "Thank you, that's verified. Those codes expire after %s minutes anyway." % b.ei(10))


def en_pin_change(b):
    r = b.r
    old, new = Val("PIN", rdig(r, 4)), Val("PIN", rdig(r, 4))
    b.say("C", "I need to reset the PIN on my debit card. I keep typing ", E(old, b.n(old.canon)), " and it says it's wrong.")
    b.say("A", "Please don't read your PIN out on the call, for your own protection. I can send a reset link instead.")
    b.say("C", b.pick("Oh, okay. Can't I just change it to ", "Sorry. Could you set the new PIN to "), E(new, b.n(new.canon)), " from your end?")
    b.say("A", "That has to be done at an ATM or in the app, I'm afraid. It takes about %s minutes." % b.ei(5))


def en_passport_spelled(b):
    r = b.r
    pp = gen_passport(r, r.choice(["E8", "G8", "EL7"]))
    v = Val("PASSPORT", pp)

    def spell(ch):
        if r.random() < 0.7:
            return "%s as in %s" % (ch if not b.asr else ch.lower(), NATO[ch] if not b.asr else NATO[ch])
        return "%s for %s" % (ch if not b.asr else ch.lower(), NAMES_FOR[ch] if not b.asr else NAMES_FOR[ch].lower())
    letters = [c for c in pp if c.isalpha()]
    digits = pp[len(letters):]
    b.say("A", "Could you spell out your passport number for me, please?")
    parts = ["Sure. "]
    for ch in letters:
        parts += [E(v, spell(ch)), ", "]
    parts[-1] = b.pick(", then ", ", and then ", ", ")
    half = len(digits) // 2
    dsep = " " if not b.asr else " "
    parts += [E(v, dsep.join(digits[:half]) if not b.asr else b.n(digits[:half])), ", ",
              E(v, dsep.join(digits[half:]) if not b.asr else b.n(digits[half:])), "."]
    b.say("C", *parts)
    b.say("A", "So that's ", E(v, b.n(pp), "rb"), ". And is it a Chinese passport?")
    b.say("C", "Yes, issued in %s, it's valid until %s." % (b.dn(str(r.randint(2016, 2023))), b.dn(str(r.randint(2026, 2034)))))


def en_passport_foreign(b):
    r = b.r
    pp = gen_passport(r, "LL7")
    v = Val("PASSPORT", pp)
    b.lab = {"A": "Reception", "C": "Guest"}
    b.say("A", "For the registration card I'll also need your passport number.")
    b.say("C", b.pick("Yes, it's ", "Sure, it's ", "Okay. "), E(v, b.n(pp, [2, 7]) if b.asr else pp), ".")
    b.say("A", "Thank you. You're in room %s on the %s floor, breakfast is from 6:30 to 10:30, and checkout is at 11." %
          (b.dn("%d%02d" % (r.randint(3, 19), r.randint(1, 40))), r.choice(["fourth", "ninth", "twelfth", "15th"])))


def en_email_spoken(b):
    r = b.r
    user, dom = en_user(r), r.choice(EN_DOM)
    v = Val("EMAIL", user + "@" + dom)
    b.say("A", b.pick("What email should we send the receipt to?", "And which email address should the policy documents go to?"))
    b.say("C", b.pick("It's ", "Sure, ", "Um, it's "), E(v, email_en(b, user, dom)), ".")
    b.say("A", "Let me repeat that: ", E(v, email_en(b, user, dom, spoken=True), "rb"), "?")
    b.say("C", "Yes, perfect.")


def en_email_correction(b):
    r = b.r
    f, l = r.choice(EN_FIRST), r.choice(EN_LAST)
    dom = r.choice(EN_DOM)
    right = f[0] + "." + l + r.choice(["", str(r.randint(1, 99))])
    wrong = r.choice([f[0] + "." + l[:-1], f + "." + l, f[0] + l])
    if wrong == right:
        wrong = f + l
    dw = r.choice(["aol.com", "yahoo.com", "msn.com"])
    vw, vr = Val("EMAIL", wrong + "@" + dw), Val("EMAIL", right + "@" + dom)
    b.say("A", "Can I confirm the email on the account?")
    b.say("C", "It's ", E(vw, email_en(b, wrong, dw)), ". Hang on, sorry, that's my old one. The current one is ",
          E(vr, email_en(b, right, dom)), ".")
    b.say("A", "No problem, I'll update it. You'll get a confirmation within %s hours." % b.ei(2))


def en_address_delivery(b):
    r = b.r
    canon, said = en_addr(b)
    v = Val("ADDRESS", canon)
    city, st, z = r.choice(CITIES)
    apt = "%d%s" % (r.randint(1, 12), r.choice("ABCD"))
    aps = (en_words(r, apt[:-1]) + " " + apt[-1].lower()) if b.asr else apt
    b.say("A", "And where should we deliver the replacement?")
    b.say("C", E(v, said), ", apartment %s, %s, %s %s." % (aps, city, st, b.dn(z)))
    b.say("A", "Got it, ", E(v, en_addr_repeat(b, canon, said), "rb"), " in %s. Delivery is usually %s to %s business days." % (city, b.ei(3), b.ei(5)))


def en_addr_repeat(b, canon, said):
    return said if b.asr else canon


def en_address_insurance(b):
    r = b.r
    canon, said = en_addr(b)
    v = Val("ADDRESS", canon)
    city, st, z = r.choice(CITIES)
    pol = "HP-" + not_card_digits(r, 8)
    b.say("A", "I can update the address on your home policy. Can you confirm the policy number first?")
    b.say("C", "It's %s." % b.dn(pol))
    b.say("A", "Thank you. And the new address?")
    b.say("C", "We moved to ", E(v, said), ", %s, %s %s, on the %s." % (city, st, b.dn(z), r.choice(["3rd", "fifteenth", "28th", "1st"])))
    b.say("A", "Updated. Your premium stays at %s a month and your next bill is due on the %s." % (usd(money(r, 40, 160)), r.choice(["5th", "12th", "20th"])))


def en_prc_id(b):
    r = b.r
    s = gen_id(r, want_x=r.random() < 0.3)
    v = Val("ID_NUMBER", s)
    b.say("A", "Since you're opening the account with a Chinese ID card, could you read me the number on it?")
    if r.random() < 0.6:
        b.say("C", "Of course. ", E(v, b.n(s[:6])), ", ", E(v, b.n(s[6:14])), ", ", E(v, b.n(s[14:])), ".")
    else:
        b.say("C", b.pick("Sure, it's ", "Okay, "), E(v, b.n(s, [6, 8, 4])), ".")
    d = datetime.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    b.say("A", "Thank you. And that makes your date of birth %s %d, %s?" % (MONTHS[d.month - 1], d.day, d.year))
    b.say("C", "That's right.")


def en_iban(b):
    r = b.r
    cc = r.choice(["GB", "DE", "FR", "NL", "ES", "IT"])
    iban = gen_iban(r, cc)
    v = Val("BANK_ACCOUNT", iban)
    b.say("A", "For the international transfer, I'll need the recipient's IBAN.")
    b.say("C", b.pick("Okay, it's ", "Right, ", "The IBAN is "), E(v, b.n(iban, 4)), ".")
    b.say("A", "Let me confirm the start and the end: it begins ", E(v, b.n(iban[:4]), "p1"), " and ends ", E(v, b.n(iban[-4:]), "p2"), "?")
    b.say("C", "Yes. The amount is €%s, reference invoice %s." % ("{:,}".format(r.randint(300, 9000)), b.dn("INV-%d" % r.randint(10000, 99999))))
    b.say("A", "Thanks. The fee is £%d and it usually arrives within %s to %s working days." % (r.choice([5, 10, 15, 25]), b.ei(1), b.ei(2)))


def en_account_us(b):
    r = b.r
    acct = gen_account(r, r.randint(10, 12))
    v = Val("BANK_ACCOUNT", acct)
    b.say("C", "I'd like the refund to go to my checking account, not the savings one ending in %s." % b.dn(rdig(r, 4)))
    b.say("A", "Okay, what's the checking account number?")
    b.say("C", b.pick("It's ", "Let me look, it's ", ""), E(v, b.n(acct, r.choice([None, 4, 3]))), ".")
    b.say("A", "Thanks. The refund of %s should post within %s to %s days." % (usd(money(r, 20, 700)), b.ei(7), b.ei(10)))


def en_order_vs_phone(b):
    r = b.r
    p = cn_mobile(r)
    v = Val("PHONE", p)
    o = order11(r)
    b.say("A", "Welcome to %s support. Could I have your order number?" % b.pick("ShopNest", "Parcelio", "BrightCart"))
    b.say("C", "Sure, it's %s." % b.dn(o))
    b.say("A", "Thank you. And the mobile number on the order?")
    b.say("C", E(v, b.n(p, [3, 4, 4], r.choice([" ", "-"]))), ".")
    b.say("A", "I can see %s items shipped on %s %d; the second parcel is still at the depot." %
          (b.ei(r.randint(2, 4)), r.choice(MONTHS), r.randint(1, 28)))


def en_hk_phone(b):
    r = b.r
    p1, p2 = hk_phone(r), hk_phone(r)
    v1 = Val("PHONE", ("+852" if r.random() < 0.5 else "") + p1)
    v2 = Val("PHONE", p2)
    pre = ""
    if v1.canon.startswith("+"):
        pre = "plus eight five two " if b.asr else "+852 "
    b.say("A", "Which number should our adjuster call about the claim?")
    b.say("C", "My mobile, ", E(v1, pre + b.n(p1, [4, 4])), ". Or the office, ", E(v2, b.n(p2, [4, 4])),
          b.pick(", extension %s." % b.dn(str(r.randint(100, 899))), ", ext. %s." % b.dn(str(r.randint(100, 899)))))
    b.say("A", "Noted. The adjuster will call within %s working days about claim %s." % (b.ei(2), b.dn(luhn_fail16(r))))


def en_card_on_file(b):
    r = b.r
    mm, yy = exp_value(r)
    ex, cvv = Val("EXPIRY", mm + "/" + yy), Val("CVV", rdig(r, 3))
    b.say("A", "I see a %s ending in %s on file. To use it I just need the expiry date and the security code." %
          (r.choice(["Visa", "Mastercard", "debit card"]), b.dn(rdig(r, 4))))
    b.say("C", "Expiry is ", E(ex, exp_en(b, mm, yy)), b.pick(" and the code on the back is ", ", security code "), E(cvv, b.n(cvv.canon)), ".")
    b.say("A", "Thanks, that's %s charged. Your reference is %s." % (usd(money(r, 15, 400)), b.dn("PAY" + rdig(r, 7))))


def en_passcode(b):
    r = b.r
    v = Val("PIN", rdig(r, 6))
    b.say("A", "Before we go on, can you give me your telephone banking passcode?")
    b.say("C", "Is that the six-digit one? Uh, ", E(v, b.n(v.canon, r.choice([None, 3]))), ".")
    b.say("A", "That's right, thank you. And can you confirm your date of birth?")
    b.say("C", "%s %d, %d." % (r.choice(MONTHS), r.randint(1, 28), r.randint(1950, 2001)))


def en_password(b):
    r = b.r
    word = r.choice(["Bluebird", "Sunflower", "Tangerine", "Marlowe", "Pebbles", "Riverstone"])
    yr = r.randint(2015, 2024)
    v = Val("PIN", word + str(yr))
    said = word + str(yr) if not b.asr else "%s %s %s" % (word.lower(), en_2(yr // 100), en_2(yr % 100))
    b.say("C", "I can't log in to the app. I'm sure the password is ", E(v, said), ", with a capital %s." % word[0])
    b.say("A", "Please don't share your password with us. I'll send a reset email to the address on file, the link is valid for %s hours." % b.ei(24))


def en_hospital(b):
    r = b.r
    b.lab = {"A": b.pick("Scheduler", "Receptionist"), "C": "Patient"}
    p = us_phone(r)
    v = Val("PHONE", p)
    c1, s1 = en_addr(b)
    c2, s2 = en_addr(b)
    a1, a2 = Val("ADDRESS", c1), Val("ADDRESS", c2)
    b.say("A", "This is %s scheduling. I have you down for Dr. %s on %s at %s." %
          (b.pick("Riverside Clinic", "St. Anne's Outpatients", "Lakeview Medical"), r.choice(["Shah", "Morrow", "Ito", "Becker"]),
           r.choice(["Monday", "Thursday", "Friday"]), r.choice(["2:45 pm", "9:15 am", "11:30 am"])))
    b.say("C", "Yes, that's me.")
    b.say("A", "Can I get a callback number in case we need to move it?")
    b.say("C", E(v, b.n(p, [3, 3, 4], r.choice([" ", "-"]))), ".")
    b.say("A", "And is your home address still ", E(a1, s1), "?")
    b.say("C", "No, we moved to ", E(a2, s2), ".")
    b.say("A", "Okay. Please bring your medication list, including the %s mg lisinopril, and arrive %s minutes early." % (r.choice([10, 20, 40]), b.ei(15)))


def en_gov_visa(b):
    r = b.r
    pp = gen_passport(r, r.choice(["E8", "G8"]))
    v = Val("PASSPORT", pp)
    ph = cn_mobile(r)
    vp = Val("PHONE", "+86" + ph)
    b.say("A", "Immigration services, how can I help?")
    b.say("C", "I'm checking on my application, the reference is %s." % b.dn("VA-%d-%06d" % (r.randint(2023, 2025), r.randint(0, 999999))))
    b.say("A", "I'll need the passport number it was submitted with.")
    b.say("C", E(v, b.n(pp)), ".")
    b.say("A", "And a contact number?")
    b.say("C", E(vp, ("plus eight six " if b.asr else "+86 ") + b.n(ph, [3, 4, 4])), ".")
    b.say("A", "It's in the final review stage. Processing takes up to %s working days; the fee of £%d was received on %s %d." %
          (b.ei(15), r.choice([115, 490, 719]), r.choice(MONTHS), r.randint(1, 28)))


def en_phone_correction(b):
    r = b.r
    if r.random() < 0.5:
        p, gs = us_phone(r), [3, 3, 4]
    else:
        p, gs = cn_mobile(r), [3, 4, 4]
    v = Val("PHONE", p)
    b.say("C", b.pick("My number is ", "You can reach me on "), E(v, b.n(p, gs)), ".")
    b.say("A", "Sorry, the line broke up. Was the last part ", E(v, b.n(mutate(r, p[-4:], p)), "w"), "?")
    b.say("C", b.pick("No, ", "No, it's ", "Not quite. "), E(v, b.n(p[-4:]), "p1"), ".")
    b.say("A", "Thank you. I've raised case %s and someone will call you between %s." %
          (b.dn("CS" + rdig(r, 6)), r.choice(["9 and noon", "10 and 4 pm", "1 and 5 pm"])))


def en_card_pairs_ending(b):
    r = b.r
    c = gen_card(r, r.choice(["visa", "mc", "mc2"]))
    v = Val("CARD", c)
    b.say("A", "Go ahead with the card number.")
    b.say("C", E(v, b.n(c, 4)), ".")
    b.say("A", "Thank you, so that's the card ending ", E(v, b.n(c[-4:]), "p1"), ". And the name exactly as printed?")
    b.say("C", "%s %s." % (r.choice(EN_FIRST).title(), r.choice(EN_LAST).title()))


def en_two_phones(b):
    r = b.r
    home = us_phone(r)
    cc, nat, g = intl_phone(r, r.choice(["44", "61", "33"]))
    v1, v2 = Val("PHONE", home), Val("PHONE", "+" + cc + nat)
    b.say("A", "Do you have a second number we can put on file?")
    b.say("C", "Home is ", E(v1, b.n(home, [3, 3, 4], "-")), " and my work mobile is ",
          E(v2, ("plus " + en_words(r, cc) + " " if b.asr else "+" + cc + " ") + b.n(nat, g)),
          ". The old one ending in %s can go." % b.dn(rdig(r, 2)))
    b.say("A", "Done. Both numbers are saved and the old one has been removed.")


def en_unionpay_hotel(b):
    r = b.r
    c = gen_card(r, r.choice(["up19", "up16"]))
    v = Val("CARD", c)
    mm, yy = exp_value(r)
    ex = Val("EXPIRY", mm + "/" + yy)
    b.say("A", "Welcome to the %s. To guarantee the reservation we'll need a card." % b.pick("Harbourfront Hotel", "Grand Meridian", "Parkside Inn"))
    b.say("C", "It's a UnionPay card. ", E(v, b.n(c, r.choice([4, [6, 13]]) if len(c) == 19 else 4, r.choice([" ", "-"]))),
          b.pick(", and it expires ", ", expiry "), E(ex, exp_en(b, mm, yy)), ".")
    b.say("A", "Thank you. That's %s nights at %s per night, checking in on %s %d." %
          (b.ei(r.randint(2, 6)), usd(money(r, 110, 380)), r.choice(MONTHS), r.randint(1, 28)))


def en_account_pieces(b):
    r = b.r
    acct = gen_account(r, 12)
    v = Val("BANK_ACCOUNT", acct)
    b.say("A", "What's the account number you'd like the salary paid into?")
    b.say("C", b.pick("The first half is ", "It starts "), E(v, b.n(acct[:6])), "...")
    b.say("A", "Mm-hm.")
    b.say("C", b.pick("And the second half is ", "And then "), E(v, b.n(acct[6:])), ".")
    b.say("A", "Thank you. Payroll runs on the %s, so the change applies from next month." % r.choice(["25th", "last Friday", "15th"]))


def en_email_spelled(b):
    r = b.r
    user = r.choice(["kowal", "brenna", "tamsin", "quill", "dervla", "oyelaran"]) + r.choice(["", str(r.randint(1, 9))])
    dom = r.choice(["proton.me", "gmail.com", "posteo.de"])
    v = Val("EMAIL", user + "@" + dom)
    letters = [c for c in user if c.isalpha()]
    spelled = ("-".join(c.upper() for c in letters)) if not b.asr else " ".join(letters)
    b.say("A", "And an email for the confirmation?")
    b.say("C", "It's ", E(v, email_en(b, user, dom)), ", that's ", E(v, spelled, "p1"), ".")
    b.say("A", "Great, you'll have it in %s minutes or so." % b.ei(5))


def en_otp_old_new(b):
    r = b.r
    v1, v2 = Val("PIN", rdig(r, 6)), Val("PIN", rdig(r, 6))
    b.say("A", "Can you read me the verification code we just sent?")
    b.say("C", "Sure, ", E(v1, b.n(v1.canon)), ". Hold on, that's yesterday's. The new one says ", E(v2, b.n(v2.canon, r.choice([None, 3]))), ".")
    b.say("A", "Thanks, that one works. You're all set.")


def en_puk(b):
    r = b.r
    pin, puk = Val("PIN", rdig(r, 4)), Val("PIN", rdig(r, 8))
    b.say("C", "My SIM is locked, it's asking for a PUK.")
    b.say("A", "I can give you the PUK. Before I do, can I have the account PIN?")
    b.say("C", E(pin, b.n(pin.canon)), ".")
    b.say("A", "Thank you. Your PUK code is ", E(puk, b.n(puk.canon, 4)), ". You have %s attempts, so take it slowly." % b.ei(10))


def en_legacy_id(b):
    r = b.r
    s = gen_id(r, legacy=True)
    v = Val("ID_NUMBER", s)
    b.say("C", "I'm calling for my father. His Chinese ID card is the old type, with fifteen digits.")
    b.say("A", "That's fine. Go ahead.")
    b.say("C", E(v, b.n(s, [6, 6, 3])), ".")
    b.say("A", "Thank you. He's %s, so he qualifies for the senior fare, which is %d%% off." % (b.ei(2025 - 1900 - int(s[6:8])), r.choice([20, 30, 50])))


def en_insurance_multi(b):
    r = b.r
    user, dom = en_user(r), r.choice(EN_DOM)
    ve = Val("EMAIL", user + "@" + dom)
    p = us_phone(r)
    vp = Val("PHONE", p)
    b.say("A", "Can you give me the policy number?")
    b.say("C", "It's %s." % b.dn(id_shaped_wrong(r), r.choice([None, [6, 8, 4]])))
    b.say("A", "Thanks. I'll email the claim form. Is it still going to ", E(ve, email_en(b, user, dom)), "?")
    b.say("C", "Yes. And the assessor can call me on ", E(vp, b.n(p, [3, 3, 4])), ".")
    b.say("A", "Noted. The excess on this policy is %s and the claim should be settled within %s days." % (usd(r.choice([250, 500, 1000])), b.ei(30)))


def en_checkout(b):
    r = b.r
    c = gen_card(r, r.choice(["visa", "mc", "amex"]))
    v = Val("CARD", c)
    cvv = Val("CVV", rdig(r, 4 if len(c) == 15 else 3))
    mm, yy = exp_value(r)
    ex = Val("EXPIRY", mm + "/" + yy)
    canon, said = en_addr(b)
    va = Val("ADDRESS", canon)
    city, st, z = r.choice(CITIES)
    b.say("A", "I'll place the order for you. Your total with shipping is %s. Card number?" % usd(money(r, 30, 600)))
    b.say("C", E(v, b.n(c, card_groups(c))), ".")
    b.say("A", "Expiry and security code?")
    b.say("C", E(ex, exp_en(b, mm, yy)), b.pick(", and ", ", code "), E(cvv, b.n(cvv.canon)), ".")
    b.say("A", "And the billing address?")
    b.say("C", E(va, said), ", %s, %s %s." % (city, st, b.dn(z)))
    b.say("A", "Thank you. Order %s is confirmed and will arrive in %s to %s days." % (b.dn(order11(r)), b.ei(3), b.ei(5)))


EN_POS = [en_card_halves, en_card_correction, en_amex, en_phone_hesitant, en_phone_intl_pieces, en_otp, en_pin_change,
          en_passport_spelled, en_passport_foreign, en_email_spoken, en_email_correction, en_address_delivery,
          en_address_insurance, en_prc_id, en_iban, en_account_us, en_order_vs_phone, en_hk_phone, en_card_on_file,
          en_passcode, en_password, en_hospital, en_gov_visa, en_phone_correction, en_card_pairs_ending, en_two_phones,
          en_unionpay_hotel, en_account_pieces, en_email_spelled, en_otp_old_new, en_puk, en_legacy_id,
          en_insurance_multi, en_checkout]


# ----------------------------------------------------------------------------------------------
# English negatives
def en_n_order(b):
    r = b.r
    b.say("C", "Hi, I'm chasing order %s, it was meant to arrive on the %s." % (b.dn(order11(r)), r.choice(["3rd", "twelfth", "21st"])))
    b.say("A", "I see it. It left our warehouse on %s %d; tracking is %s and it's showing %s of %s parcels delivered." %
          (r.choice(MONTHS), r.randint(1, 28), b.dn("1Z" + rdig(r, 4) + "A" + rdig(r, 10)), b.ei(1), b.ei(2)))
    b.say("C", "And the refund for the missing one?")
    b.say("A", "%s, back to the card ending in %s within %s working days." % (usd(money(r, 10, 300)), b.dn(rdig(r, 4)), b.ei(5)))


def en_n_claim(b):
    r = b.r
    b.say("A", "Claims, %s speaking." % r.choice(AGENTS))
    b.say("C", "I'm calling about claim %s on policy %s." % (b.dn(luhn_fail16(r), r.choice([None, 4])), b.dn(id_shaped_wrong(r))))
    b.say("A", "Thanks. The incident was on %s %d at around %s, and the repair estimate came in at %s?" %
          (r.choice(MONTHS), r.randint(1, 28), r.choice(["4:30 pm", "8:10 am", "11 pm"]), usd(money(r, 900, 8000))))
    b.say("C", "Yes. What's the excess?")
    b.say("A", "%s, and you've got %s days to send the photos." % (usd(r.choice([250, 500, 750])), b.ei(14)))


def en_n_hospital(b):
    r = b.r
    b.lab = {"A": "Nurse", "C": "Patient"}
    b.say("A", "Your follow-up is on %s %d at %s, clinic %d on the %s floor, room %s." %
          (r.choice(MONTHS), r.randint(1, 28), r.choice(["10:20 am", "3:40 pm", "8:45 am"]), r.randint(2, 9),
           r.choice(["second", "third", "5th"]), b.dn(str(r.randint(200, 599)))))
    b.say("C", "And I keep taking the tablets?")
    b.say("A", "Yes, %d mg twice a day with food, for %s more days. You have %s refills left." % (r.choice([250, 500, 5, 20]), b.ei(10), b.ei(2)))
    b.say("C", "My blood pressure was %d over %d this morning." % (r.randint(115, 150), r.randint(70, 95)))


def en_n_airline(b):
    r = b.r
    fl1 = "%s %d" % (r.choice(["BA", "CX", "SQ", "UA", "LH"]), r.randint(10, 999))
    fl2 = "%s %d" % (r.choice(["BA", "CX", "SQ", "UA", "LH"]), r.randint(10, 999))
    b.say("C", "My flight %s was cancelled. Booking reference %s." % (fl1, "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))))
    b.say("A", "I can move you to %s tomorrow, departing %s from gate %s, seat %d%s. The fare difference is %s." %
          (fl2, r.choice(["07:55", "13:20", "22:10"]), "%s%d" % (r.choice("ABCD"), r.randint(1, 60)), r.randint(10, 60),
           r.choice("ACDFHK"), usd(money(r, 0, 250))))
    b.say("C", "And my bag allowance?")
    b.say("A", "%s bags at %s kilos each, plus %s kilos of hand luggage." % (b.ei(2), b.ei(23), b.ei(7)))


def en_n_bank(b):
    r = b.r
    b.say("C", "Can you tell me why my card ending %s was declined at %s yesterday?" % (b.dn(rdig(r, 4)), r.choice(["6:15", "noon", "9:40 pm"])))
    b.say("A", "Your balance is %s and the daily limit is %s. The purchase was %s." % (usd(money(r, 0, 200)), usd(r.choice([500, 1000, 2500])), usd(money(r, 300, 3000))))
    b.say("C", "What's the interest rate on the credit line?")
    b.say("A", "%s%% APR; the statement closes on the %s and payment is due %s days later." % (r.choice(["19.9", "24.49", "15.75"]), r.choice(["2nd", "18th", "27th"]), b.ei(25)))


def en_n_telecom(b):
    r = b.r
    b.say("A", "You're on the %s plan at %s a month, %s gigabytes of data, with %s months left on the contract." %
          (b.pick("Unlimited Plus", "Flex 30", "Family Share"), usd(r.choice([35, 45.99, 60, 79])), b.ei(r.choice([30, 50, 100])), b.ei(r.randint(2, 23))))
    b.say("C", "I was charged %s for roaming in %s." % (usd(money(r, 20, 250)), r.choice(["Spain", "Japan", "Mexico"])))
    b.say("A", "I've opened case %s and credited %s. If you need billing directly, it's extension %s." %
          (b.dn("TC-" + rdig(r, 7)), usd(money(r, 5, 60)), b.dn(str(r.randint(2000, 8999)))))


def en_n_gov(b):
    r = b.r
    b.say("C", "I applied for the residence permit renewal on %s %d. My reference is %s." %
          (r.choice(MONTHS), r.randint(1, 28), b.dn("RP/%d/%05d" % (r.randint(2023, 2025), r.randint(0, 99999)), mode="arabic")))
    b.say("A", "That's with the caseworker. Standard processing is %s weeks; the fee of %s was paid." % (b.ei(8), usd(r.choice([120, 210, 375]))))
    b.say("C", "Can I drop documents in person?")
    b.say("A", "Yes, Monday to Friday, %s to %s, third floor, counter %s. Bring the letter with postcode %s." %
          (r.choice(["8:30", "9"]), r.choice(["4", "4:30"]), b.ei(r.randint(1, 20)), r.choice(["SW1A 2AA", "M1 1AE", "94107", "10001"])))


def en_n_passport_dates(b):
    r = b.r
    y = r.randint(2026, 2030)
    b.say("C", "My passport expires on %s %d, %d. I'm travelling on %s %d. Is that a problem?" % (r.choice(MONTHS), r.randint(1, 28), y, r.choice(MONTHS), r.randint(1, 28)))
    b.say("A", "Most countries need %s months of validity left. Renewal takes about %s weeks, or %s working days with the fast-track fee of %s." %
          (b.ei(6), b.ei(3), b.ei(5), usd(r.choice([89, 155, 207]))))
    b.say("C", "And for my daughter? She's %s." % b.ei(r.randint(3, 15)))
    b.say("A", "Child passports are valid for %s years and cost %s." % (b.ei(5), usd(r.choice([58, 74, 100]))))


def en_n_returns(b):
    r = b.r
    b.say("C", "I'm sending back %s of the %s chairs from order %s." % (b.ei(2), b.ei(6), b.dn(str(r.randint(10 ** 7, 10 ** 8)))))
    b.say("A", "Your return authorisation is %s. There's a %d%% restocking fee, so the refund will be %s." %
          (b.dn("RMA-" + rdig(r, 6)), r.choice([10, 15, 20]), usd(money(r, 50, 900))))
    b.say("C", "When's the pickup?")
    b.say("A", "%s, between %s and %s. Parcels over %s pounds need two people." % (r.choice(["Tuesday", "Saturday"]), r.choice(["8", "10"]), r.choice(["noon", "2 pm"]), b.ei(50)))


def en_n_ivr(b):
    r = b.r
    b.lab = {"A": "IVR", "C": "Caller"}
    b.say("A", "For balances, press 1. To report a lost card, press 2. For mortgages, press %s. Our lines are open %s to %s." %
          (b.ei(r.randint(3, 6)), r.choice(["8 am", "7 am"]), r.choice(["8 pm", "10 pm"])))
    b.say("C", "Agent.")
    b.say("A", "Your estimated wait is %s minutes. You are caller number %s in the queue." % (b.ei(r.randint(3, 25)), b.ei(r.randint(2, 14))))
    b.say("A", "Calling from China? Dial %s, or %s for credit cards." % (r.choice(["95588", "95533", "95566"]), b.dn("400-%d-%04d" % (r.randint(600, 899), r.randint(0, 9999)))))


def en_n_loyalty(b):
    r = b.r
    b.say("C", "How many points do I have?")
    b.say("A", "%s points, which is worth about %s. You need %s more for Gold status." %
          ("{:,}".format(r.randint(2000, 90000)), usd(money(r, 10, 400)), "{:,}".format(r.randint(500, 20000))))
    b.say("C", "And the miles from my trip in %s?" % r.choice(MONTHS))
    b.say("A", "Those %s miles post within %s days. Member number %s, right?" % ("{:,}".format(r.randint(800, 12000)), b.ei(10), b.dn("MX" + rdig(r, 9))))


def en_n_security_talk(b):
    r = b.r
    b.say("A", "I'll never ask you for your full PIN or the three-digit code on the back of your card.")
    b.say("C", "Good, because someone called me claiming to be you and asked for the one-time code.")
    b.say("A", "We've flagged it under fraud report %s. We've also blocked the card ending %s and a replacement will arrive in %s to %s days." %
          (b.dn("FR" + rdig(r, 8)), b.dn(rdig(r, 4)), b.ei(3), b.ei(7)))
    b.say("C", "The call came at %s from a number starting %s." % (r.choice(["10:42", "3:15 pm", "7 pm"]), b.dn("0" + rdig(r, 3))))


def en_n_pharmacy(b):
    r = b.r
    b.lab = {"A": "Pharmacist", "C": "Caller"}
    b.say("C", "My prescription %s should be ready; it's the %d milligram one." % (b.dn("RX" + rdig(r, 7)), r.choice([10, 25, 50, 100])))
    b.say("A", "Yes, %s tablets. Take one every %s hours, no more than %s in %s hours." % (b.ei(r.choice([28, 30, 56])), b.ei(8), b.ei(3), b.ei(24)))
    b.say("C", "And the cost?")
    b.say("A", "%s with your plan, %s for the %s-day supply. We close at %s." % (usd(money(r, 3, 40)), usd(money(r, 20, 90)), b.ei(30), r.choice(["9 pm", "6 pm"])))


def en_n_tech(b):
    r = b.r
    b.say("C", "The router keeps restarting, error code %s, about every %s minutes." % (b.dn("E" + rdig(r, 3)), b.ei(r.randint(5, 40))))
    b.say("A", "Which firmware? It should say %d.%d.%d under settings." % (r.randint(1, 9), r.randint(0, 20), r.randint(0, 99)))
    b.say("C", "It says that, and the serial is %s." % b.dn("SN" + rdig(r, 10)))
    b.say("A", "I've logged ticket %s. An engineer can come on the %s between %s and %s." % (b.dn("INC" + rdig(r, 7)), r.choice(["4th", "19th", "23rd"]), r.choice(["8", "1"]), r.choice(["12", "6"])))


def en_n_invoice(b):
    r = b.r
    b.say("C", "I'm disputing invoices %s and %s, dated %s %d." % (b.dn("INV-" + rdig(r, 6)), b.dn("INV-" + rdig(r, 6)), r.choice(MONTHS), r.randint(1, 28)))
    b.say("A", "The first is %s including %d%% VAT; the second is %s. There's a late fee of %s." %
          (usd(money(r, 100, 5000)), r.choice([5, 8, 20]), usd(money(r, 100, 5000)), usd(r.choice([25, 35, 50]))))
    b.say("C", "We paid %s on the %s with transfer reference %s." % (usd(money(r, 100, 5000)), r.choice(["2nd", "9th", "30th"]), b.dn(not_card_digits(r, 12))))
    b.say("A", "I'll put it on hold for %s days while finance checks." % b.ei(14))


def en_n_hotel(b):
    r = b.r
    b.say("A", "Your confirmation number is %s: %s rooms, %s nights, arriving %s %d." %
          (b.dn(not_card_digits(r, 10)), b.ei(2), b.ei(r.randint(2, 7)), r.choice(MONTHS), r.randint(1, 28)))
    b.say("C", "What's the rate?")
    b.say("A", "%s a night plus %d%% tax, breakfast for %s adults and %s child. Check-in is from %s." %
          (usd(money(r, 90, 400)), r.choice([12, 14, 16]), b.ei(2), b.ei(1), r.choice(["3 pm", "2 pm"])))
    b.say("C", "Is parking included? The car is %s metres long." % r.choice(["4.8", "5.2"]))


def en_n_cn_shipping(b):
    r = b.r
    b.say("C", "The parcel from Shenzhen, %s, hasn't moved since the %s." % (b.dn("SF" + not_card_digits(r, 12)), r.choice(["5th", "11th", "20th"])))
    b.say("A", "It's at the %s hub, postcode %s. The courier's hotline is %s and you can quote case %s." %
          (r.choice(["Guangzhou", "Shanghai", "Beijing"]), b.dn(r.choice(["518057", "200030", "100020", "510620"])),
           b.dn("400-%d-%04d" % (r.randint(600, 899), r.randint(0, 9999))), b.dn(str(r.randint(10 ** 6, 10 ** 7)))))
    b.say("C", "It weighs %s kilos and I paid %s for express." % (r.choice(["2.5", "11", "0.8"]), usd(money(r, 10, 90))))


EN_NEG = [en_n_order, en_n_claim, en_n_hospital, en_n_airline, en_n_bank, en_n_telecom, en_n_gov, en_n_passport_dates,
          en_n_returns, en_n_ivr, en_n_loyalty, en_n_security_talk, en_n_pharmacy, en_n_tech, en_n_invoice, en_n_hotel,
          en_n_cn_shipping]


# ==============================================================================================
# Chinese positives
def zh_card_halves(b):
    r = b.r
    c = gen_card(r, r.choice(["up16", "up19"]))
    v = Val("CARD", c)
    bank = r.choice(ZH_BANKS)
    b.say("A", "您好，这里是%s信用卡中心，请问有什么可以帮您？" % bank)
    b.say("C", "我想绑一张储蓄卡用来自动还款。")
    b.say("A", "好的，麻烦您报一下卡号。")
    b.say("C", b.pick("前八位是", "前面八位", "先说前八位，"), E(v, b.n(c[:8], [4, 4])), b.pick("，后面是", "，然后是", "，后面的是"), E(v, b.n(c[8:], 4)), "。")
    b.say("A", "跟您核对一下，", E(v, b.n(c, 4), "rb"), "，对吗？")
    b.say("C", "对的。")
    b.say("A", "好的，每月%s号自动扣款，本期应还%s。" % (b.zi(r.randint(5, 25)), b.amt_zh(r.randint(300, 9000), True)))


def zh_card_correction(b):
    r = b.r
    c = gen_card(r, r.choice(["up16", "visa", "mc", "up19"]))
    v = Val("CARD", c)
    gs = grp(c, card_groups(c))
    k = r.randrange(len(gs) - 1)
    cvv = Val("CVV", rdig(r, 3))
    b.say("A", "请您报一下信用卡卡号，四位四位报就可以。")
    parts = [b.pick("好的，", "嗯，", "")]
    for i, g in enumerate(gs):
        parts += [E(v, b.n(g)), "，" if i < len(gs) - 1 else "。"]
    b.say("C", *parts)
    b.say("A", "不好意思，%s组是" % ord_zh(k), E(v, b.n(mutate(r, gs[k], c)), "w"), "吗？")
    b.say("C", b.pick("不是，是", "不对，", "不是不是，是"), E(v, b.n(gs[k]), "p1"), "。")
    b.say("A", "好的，已经改过来了。卡背面签名栏的后三位是多少？")
    b.say("C", b.pick("是", "", "后三位是"), E(cvv, b.n(cvv.canon)), "。")


def zh_id_x(b):
    r = b.r
    s = gen_id(r, want_x=r.random() < 0.6)
    v = Val("ID_NUMBER", s)
    b.say("A", b.pick("办理挂失需要核实身份，请您提供一下身份证号码。", "为了核实是您本人，麻烦报一下身份证号。"))
    b.say("C", b.pick("", "嗯，", "好，"), E(v, b.n(s, r.choice([None, [6, 8, 4], [3, 3, 4, 4, 4]]))), "。")
    b.say("A", "我重复一遍，", E(v, b.n(s, [6, 8, 4]), "rb"), "，对吧？")
    b.say("C", "对。")
    b.say("A", "好的，卡已经挂失，补卡工本费%s，%s个工作日可以到网点领取。" % (b.amt_zh(r.choice([5, 10, 20])), b.zi(r.choice([3, 5, 7]))))


def zh_phone_hesitation(b):
    r = b.r
    p = cn_mobile(r)
    v = Val("PHONE", p)
    b.say("A", "请问您的联系电话是多少？")
    b.say("C", b.pick("我手机号是", "手机是", "电话是"), E(v, b.n(p[:3])), b.pick("，嗯，", "，那个，", " 嗯 "), E(v, b.n(p[3:7])),
          b.pick("，那个，", "，就是，", "…嗯…"), E(v, b.n(p[7:])), "。")
    b.say("A", "好的，", E(v, b.n(p, [3, 4, 4]), "rb"), "，我们会在%s小时内回电。" % b.zi(24))


def zh_otp(b):
    r = b.r
    v = Val("PIN", rdig(r, 6))
    b.say("A", b.pick("我这边给您发了一条短信，麻烦把短信里的六位数念给我。", "现在给您手机下发验证码，收到后请告诉我。",
                      "请把刚收到的短信验证码报一下。"))
    b.say("C", b.pick("稍等啊……好，是", "收到了，", "嗯，验证码是"), E(v, b.n(v.canon, r.choice([None, 3]))), "。")
    b.say("A", "验证成功。提醒您验证码请勿告诉他人，%s分钟内有效。" % b.zi(5))


def zh_email(b):
    r = b.r
    user, dom = zh_email_pair(r)
    v = Val("EMAIL", user + "@" + dom)
    b.say("A", b.pick("电子发票发到哪个邮箱？", "请留一个邮箱，保单会发到您邮箱里。"))
    b.say("C", b.pick("", "邮箱是", "发到"), E(v, email_zh(b, user, dom)), "。")
    b.say("A", "我重复一下，", E(v, email_zh(b, user, dom, spoken=True), "rb"), "，对吗？")
    b.say("C", "对，没错。")


def zh_address_delivery(b):
    r = b.r
    head, tail = zh_addr(b)
    v = Val("ADDRESS", head + tail)
    b.say("A", "请问收货地址是？")
    b.say("C", E(v, head + tail), "。")
    b.say("A", "好的，收件人手机还是尾号%s的那个吗？" % b.dn(rdig(r, 4)))
    b.say("C", "对。")
    b.say("A", "预计%s天内送达，运费%s，订单号是%s。" % (b.zc(r.randint(2, 5)), b.amt_zh(r.choice([6, 8, 12, 15])), b.dn(not_card_digits(r, 16, "3"))))


def zh_address_pieces(b):
    r = b.r
    head, tail = zh_addr(b, tail=True)
    v = Val("ADDRESS", head + tail)
    b.say("C", "我搬家了，新地址是", E(v, head), "。")
    b.say("A", "具体门牌号呢？")
    b.say("C", b.pick("", "是", "在"), E(v, tail), "。")
    b.say("A", "好的，已经更新。以后的账单会寄到新地址，邮编填%s就行。" % b.dn(r.choice(["518057", "200030", "100022", "310012", "610041"])))


def zh_passport(b):
    r = b.r
    pp = gen_passport(r, "E8")
    v = Val("PASSPORT", pp)
    b.say("A", "国际航班需要登记护照号码。")
    if r.random() < 0.5:
        # the letter is said on its own ("E开头"): it is a piece of the value
        b.say("C", E(v, "E"), "开头，后面是", E(v, b.n(pp[1:], r.choice([None, 4]))), "。")
    else:
        b.say("C", "护照号是", E(v, b.n(pp)), "。")
    b.say("A", "我核对一下，", E(v, b.n(pp), "rb"), "，有效期到%s年%s月，对吗？" % (b.dn(str(r.randint(2027, 2034))), b.zi(r.randint(1, 12))))
    b.say("C", "对的。")


def zh_cvv_expiry(b):
    r = b.r
    mm, yy = exp_value(r)
    ex, cvv = Val("EXPIRY", mm + "/" + yy), Val("CVV", rdig(r, 3))
    b.say("A", "系统显示您绑定的是尾号%s的信用卡，需要您提供一下有效期和卡背面的三位安全码。" % b.dn(rdig(r, 4)))
    b.say("C", "有效期是", E(ex, exp_zh(b, mm, yy)), b.pick("，安全码", "，背面是", "，后三位是"), E(cvv, b.n(cvv.canon)), "。")
    b.say("A", "好的，本次扣款%s，已经成功。" % b.amt_zh(r.randint(50, 3000), True))


def zh_landline(b):
    r = b.r
    ll, mob = cn_landline(r), cn_mobile(r)
    v1, v2 = Val("PHONE", ll), Val("PHONE", mob)
    area = 3
    b.say("A", "麻烦留一个单位的座机。")
    b.say("C", E(v1, b.n(ll, [area, 8], r.choice(["-", " "]))), b.pick("，转", "，分机"), b.dn(str(r.randint(100, 8999))), "。手机也行，", E(v2, b.n(mob, [3, 4, 4])), "。")
    b.say("A", "好的，工作日上午%s点到下午%s点之间联系您。" % (b.zi(9), b.zi(5)))


def zh_corp_account(b):
    r = b.r
    acct = gen_account(r, r.randint(15, 20))
    v = Val("BANK_ACCOUNT", acct)
    b.say("C", "我们公司的对公账户是", E(v, b.n(acct, r.choice([None, 4]))), "，开户行是%s%s支行。" % (r.choice(ZH_BANKS), r.choice(["科技园", "陆家嘴", "中关村", "西湖"])))
    b.say("A", "我核对一下账号，", E(v, b.n(acct, 4), "rb"), "。")
    b.say("C", "对。")
    b.say("A", "好的，合同金额%s，首付款比例%s%%，三个工作日内到账。" % (b.amt_zh(r.randint(10000, 500000)), r.choice([20, 30, 50])))


def zh_hospital(b):
    r = b.r
    b.lab = {"A": "护士", "C": "患者"}
    s = gen_id(r)
    v = Val("ID_NUMBER", s)
    p = cn_mobile(r)
    vp = Val("PHONE", p)
    b.say("A", "您好，这里是%s预约中心。预约%s需要实名，请报一下身份证号。" % (r.choice(["市第一人民医院", "省妇幼保健院", "中山医院"]), r.choice(["心内科", "皮肤科", "眼科", "口腔科"])))
    b.say("C", E(v, b.n(s, r.choice([None, [6, 8, 4]]))), "。")
    b.say("A", "手机号呢？")
    b.say("C", E(vp, b.n(p, [3, 4, 4])), "。")
    b.say("A", "好的，给您约在%s月%s号上午%s点，门诊楼%s楼%s诊室，请提前%s分钟到。" %
          (b.zi(r.randint(1, 12)), b.zi(r.randint(1, 28)), b.zi(r.randint(8, 11)), b.zi(r.randint(2, 6)), b.zi(r.randint(1, 20)), b.zi(15)))


def zh_insurance_claim(b):
    r = b.r
    c = gen_card(r, r.choice(["up16", "up19"]))
    v = Val("CARD", c)
    s = gen_id(r)
    vi = Val("ID_NUMBER", s)
    b.say("A", "您的保单号是%s，对吧？" % b.dn(id_shaped_wrong(r)))
    b.say("C", "对。")
    b.say("A", "理赔款打到哪张卡上？")
    b.say("C", E(v, b.n(c, 4)), "，%s的。" % r.choice(ZH_BANKS))
    b.say("A", "被保险人的身份证号也需要核实一下。")
    b.say("C", E(vi, b.n(s)), "。")
    b.say("A", "好的，理赔金额%s，预计%s个工作日到账。" % (b.amt_zh(r.randint(1000, 60000), True), b.zi(r.choice([3, 5, 10]))))


def zh_service_pw(b):
    r = b.r
    v = Val("PIN", rdig(r, 6))
    b.say("A", "办理这个业务需要验证一下服务密码。")
    b.say("C", b.pick("服务密码是", "密码是", "嗯，是"), E(v, b.n(v.canon)), "。")
    b.say("A", "验证通过。您现在的套餐是每月%s，包含%sG流量，本月已用%sG。" % (b.amt_zh(r.choice([58, 88, 128, 199])), b.zi(r.choice([20, 30, 40, 100])), b.zi(r.randint(1, 19))))


def zh_legacy_id(b):
    r = b.r
    s = gen_id(r, legacy=True)
    v = Val("ID_NUMBER", s)
    head, tail = zh_addr(b)
    va = Val("ADDRESS", head + tail)
    b.say("C", "我帮我妈问一下社保的事，她身份证还是老的十五位的，", E(v, b.n(s, r.choice([None, [6, 6, 3]]))), "。")
    b.say("A", "好的，她现在的居住地址是？")
    b.say("C", E(va, head + tail), "。")
    b.say("A", "明白了，养老金每月%s号发放，这个月是%s。" % (b.zi(r.choice([10, 15, 20])), b.amt_zh(r.randint(1800, 6000))))


def zh_order_vs_phone(b):
    r = b.r
    p = cn_mobile(r)
    v = Val("PHONE", p)
    b.say("A", "请提供一下订单号。")
    b.say("C", "订单号%s。" % b.dn(order11(r)))
    b.say("A", "收货人电话呢？")
    b.say("C", E(v, b.n(p, r.choice([None, [3, 4, 4]]))), "。")
    b.say("A", "查到了，这个订单一共%s件，已经发出%s件，剩下的预计%s号到。" % (b.zc(r.randint(2, 5)), b.zc(1), b.zi(r.randint(3, 28))))


def zh_passport_intl(b):
    r = b.r
    pp = gen_passport(r, "EL7")
    v = Val("PASSPORT", pp)
    cc, nat, g = intl_phone(r, r.choice(["65", "44", "1", "61"]))
    vp = Val("PHONE", "+" + cc + nat)
    ccs = ("加" + (zh_digits(cc, "一") if r.random() < 0.5 else cc) + " ") if b.asr else "+" + cc + " "
    b.say("A", "请提供一下护照号和境外的联系电话。")
    b.say("C", "护照号", E(v, b.n(pp)), "，在国外的手机是", E(vp, ccs + b.n(nat, g)), "。")
    b.say("A", "好的，航班%s，%s点%s起飞，请提前%s小时到机场。" % (b.dn("%s%d" % (r.choice(["CA", "MU", "CZ", "HU"]), r.randint(100, 999))), b.zi(r.randint(7, 22)), b.zi(r.choice([10, 20, 30, 45])), b.zi(3)))


def zh_hk_card(b):
    r = b.r
    b.trad = True
    c = gen_card(r, r.choice(["visa", "mc"]))
    v = Val("CARD", c)
    mm, yy = exp_value(r)
    ex = Val("EXPIRY", mm + "/" + yy)
    p = hk_phone(r)
    vp = Val("PHONE", ("+852" if r.random() < 0.4 else "") + p)
    pre = (("加" + r.choice(["八五二", "852"]) + " ") if b.asr else "+852 ") if vp.canon.startswith("+") else ""
    b.say("A", "麻烦提供一下信用卡号码。")
    b.say("C", E(v, b.n(c, 4)), "，有效期", E(ex, exp_zh(b, mm, yy)), "。")
    b.say("A", "联络电话呢？")
    b.say("C", E(vp, pre + b.n(p, [4, 4])), "。")
    b.say("A", "好的，订金港币%s，余额入住时再付。" % "{:,}".format(r.randint(500, 6000)))


def zh_email_mouse(b):
    r = b.r
    user, dom = zh_email_pair(r)
    v = Val("EMAIL", user + "@" + dom)
    b.say("A", "您的邮箱是？")
    b.say("C", E(v, email_zh(b, user, dom, spoken=True)), "。")
    b.say("A", "好，报价单今天下午%s点前发给您。" % b.zc(r.randint(2, 5)))


def zh_email_correction(b):
    r = b.r
    user = zh_user(r)
    d1, d2 = r.sample(["gmail.com", "hotmail.com", "qq.com", "163.com", "outlook.com"], 2)
    v1, v2 = Val("EMAIL", user + "@" + d1), Val("EMAIL", user + "@" + d2)
    b.say("C", "我邮箱是", E(v1, email_zh(b, user, d1)), b.pick("，哦不对，是", "，不好意思说错了，是", "，啊不是，应该是"), E(v2, email_zh(b, user, d2)), "。")
    b.say("A", "好的，以第二个为准。合同%s页，请签完第%s页后回传。" % (b.zi(r.randint(6, 20)), b.zi(r.randint(2, 5))))


def zh_dynamic_code(b):
    r = b.r
    v = Val("PIN", rdig(r, 6))
    b.say("A", b.pick("请报一下令牌上显示的动态密码。", "请把网银盾上的动态口令告诉我。"))
    b.say("C", b.pick("动态密码是", "是", "现在显示"), E(v, b.n(v.canon, r.choice([None, 3]))), "。")
    b.say("A", "好的，转账%s已提交，对方账户尾号%s。" % (b.amt_zh(r.randint(500, 50000)), b.dn(rdig(r, 4))))


def zh_card19_asr(b):
    r = b.r
    c = gen_card(r, "up19")
    v = Val("CARD", c)
    b.say("A", "您要查哪张卡的流水？")
    b.say("C", b.pick("就是那张", "卡号是", "这张卡"), E(v, b.n(c, r.choice([None, 4, [6, 13]]))), b.pick("，上个月的流水。", "，要近三个月的。"))
    b.say("A", "好的，流水会在%s个工作日内发到您的邮箱，一共%s页。" % (b.zc(2), b.zi(r.randint(3, 12))))


def zh_phone_rb_correction(b):
    r = b.r
    p = cn_mobile(r)
    v = Val("PHONE", p)
    b.say("C", b.pick("我电话", "手机号码是", "号码是"), E(v, b.n(p, [3, 4, 4])), "。")
    b.say("A", "尾号是", E(v, b.n(mutate(r, p[-4:], p)), "w"), "吗？")
    b.say("C", b.pick("不是，是", "不对，", "错了，是"), E(v, b.n(p[-4:]), "p1"), "。")
    b.say("A", "好的，已经改好了。工单号%s，%s小时内有人联系您。" % (b.dn("GD" + rdig(r, 8)), b.zi(48)))


def zh_iban(b):
    r = b.r
    iban = gen_iban(r)
    v = Val("BANK_ACCOUNT", iban)
    b.say("A", "境外汇款需要收款人的IBAN。")
    b.say("C", "收款人IBAN是", E(v, b.n(iban, 4, mode="arabic") if b.asr else b.n(iban, 4)), "。")
    b.say("A", "好的，汇款金额%s欧元，手续费%s，%s到%s个工作日到账。" % ("{:,}".format(r.randint(1000, 30000)), b.amt_zh(r.choice([50, 80, 150])), b.zc(2), b.zi(5)))


def zh_address_asr(b):
    r = b.r
    head, tail = zh_addr(b)
    v = Val("ADDRESS", head + tail)
    b.say("A", "发票要寄到哪里？")
    b.say("C", b.pick("寄到", "地址是", "寄到我们公司，"), E(v, head + tail), b.pick("，前台签收就行。", "。", "，收件人写财务部。"))
    b.say("A", "好的，一共%s张发票，金额合计%s。" % (b.zc(r.randint(2, 9)), b.amt_zh(r.randint(1000, 90000), True)))


def zh_full_card_exp_cvv(b):
    r = b.r
    c = gen_card(r, r.choice(["up16", "visa", "mc2"]))
    v = Val("CARD", c)
    mm, yy = exp_value(r)
    ex, cvv = Val("EXPIRY", mm + "/" + yy), Val("CVV", rdig(r, 3))
    b.say("A", "机票总价%s，请提供信用卡卡号、有效期和安全码。" % b.amt_zh(r.randint(800, 9000)))
    b.say("C", "卡号", E(v, b.n(c, 4)), "，有效期", E(ex, exp_zh(b, mm, yy)), "，安全码", E(cvv, b.n(cvv.canon)), "。")
    b.say("A", "好的，出票成功，电子客票行程单会发到您的手机上。")


def zh_pin_reset(b):
    r = b.r
    v = Val("PIN", rdig(r, 6))
    b.say("C", "我的取款密码输错三次被锁了，我记得是", E(v, b.n(v.canon)), "啊。")
    b.say("A", "先生，密码请不要告诉任何人，包括我们客服。您需要带身份证到柜台重置，营业时间是上午%s点到下午%s点。" % (b.zi(9), b.zi(5)))


def zh_id_over_turns(b):
    r = b.r
    s = gen_id(r, want_x=r.random() < 0.4)
    v = Val("ID_NUMBER", s)
    b.say("A", "先报一下身份证前六位。")
    b.say("C", E(v, b.n(s[:6])), "。")
    b.say("A", "然后出生日期那八位。")
    b.say("C", E(v, b.n(s[6:14])), "。")
    b.say("A", "最后四位？")
    b.say("C", b.pick("", "是", "嗯，"), E(v, b.n(s[14:])), "。")
    b.say("A", "好的，社保卡补办需要%s个工作日，工本费%s。" % (b.zi(r.choice([7, 10, 15])), b.amt_zh(r.choice([10, 20]))))


def zh_courier_change(b):
    r = b.r
    head, tail = zh_addr(b)
    va = Val("ADDRESS", head + tail)
    p = cn_mobile(r)
    vp = Val("PHONE", p)
    b.say("C", "我的快递%s能不能改地址？" % b.dn("SF" + not_card_digits(r, 12)))
    b.say("A", "可以，改到哪里？")
    b.say("C", E(va, head + tail), "，电话", E(vp, b.n(p, r.choice([None, [3, 4, 4]]))), "。")
    b.say("A", "好的，改地址需要加收%s，预计明天下午%s点前送到。" % (b.amt_zh(r.choice([5, 8, 10])), b.zc(r.randint(2, 6))))


def zh_mastercard(b):
    r = b.r
    c = gen_card(r, r.choice(["mc", "mc2"]))
    v = Val("CARD", c)
    mm, yy = exp_value(r)
    ex = Val("EXPIRY", mm + "/" + yy)
    b.say("C", "我这张是万事达的外币卡，卡号", E(v, b.n(c, 4)), "，有效期", E(ex, exp_zh(b, mm, yy)), "。")
    b.say("A", "好的，这张卡境外消费没有货币转换费，取现手续费是%s%%，最低%s美元。" % (r.choice(["1", "1.5", "3"]), b.zi(r.choice([3, 5]))))


def zh_hk_email(b):
    r = b.r
    b.trad = True
    user, dom = zh_email_pair(r, ["gmail.com", "yahoo.com.hk", "netvigator.com", "outlook.com"])
    v = Val("EMAIL", user + "@" + dom)
    p = hk_phone(r)
    vp = Val("PHONE", p)
    b.say("A", "请问您的电邮和联络电话？")
    b.say("C", "电邮是", E(v, email_zh(b, user, dom)), "，电话", E(vp, b.n(p, r.choice([None, [4, 4]]))), "。")
    b.say("A", "好的，保单文件%s个工作日内发到您的电邮。" % b.zi(r.choice([3, 5])))


def zh_transfer(b):
    r = b.r
    acct = gen_account(r, r.randint(12, 19))
    v = Val("BANK_ACCOUNT", acct)
    p = cn_mobile(r)
    vp = Val("PHONE", p)
    b.say("C", "我要给%s先生转账，对方账号是" % r.choice(ZH_SN), E(v, b.n(acct, r.choice([None, 4]))), "，他手机", E(vp, b.n(p, [3, 4, 4])), "。")
    b.say("A", "好的，转账金额是%s对吗？跨行转账手续费%s，%s小时内到账。" % (b.amt_zh(r.randint(1000, 80000)), b.amt_zh(r.choice([2, 5, 10])), b.zc(2)))


def zh_plus86(b):
    r = b.r
    p = cn_mobile(r)
    v = Val("PHONE", "+86" + p)
    pre = (r.choice(["加八六", "加86"]) + " ") if b.asr else r.choice(["+86 ", "+86-"])
    b.say("A", "国际长途的话，请把区号也一起说。")
    b.say("C", "好，", E(v, pre + b.n(p, [3, 4, 4])), "，那个，白天打就行。")
    b.say("A", "好的，我们北京时间上午%s点到晚上%s点都可以回电。" % (b.zi(9), b.zi(9)))


ZH_POS = [zh_card_halves, zh_card_correction, zh_id_x, zh_phone_hesitation, zh_otp, zh_email, zh_address_delivery,
          zh_address_pieces, zh_passport, zh_cvv_expiry, zh_landline, zh_corp_account, zh_hospital, zh_insurance_claim,
          zh_service_pw, zh_legacy_id, zh_order_vs_phone, zh_passport_intl, zh_hk_card, zh_email_mouse,
          zh_email_correction, zh_dynamic_code, zh_card19_asr, zh_phone_rb_correction, zh_iban, zh_address_asr,
          zh_full_card_exp_cvv, zh_pin_reset, zh_id_over_turns, zh_courier_change, zh_mastercard, zh_hk_email,
          zh_transfer, zh_plus86]


# ----------------------------------------------------------------------------------------------
# Chinese negatives
def zh_n_order(b):
    r = b.r
    b.say("C", "我想查一下订单%s，说好%s号到的。" % (b.dn(order11(r)), b.zi(r.randint(1, 28))))
    b.say("A", "这个订单%s月%s号从仓库发出，快递单号%s，一共%s件，已经签收%s件。" %
          (b.zi(r.randint(1, 12)), b.zi(r.randint(1, 28)), b.dn("YT" + not_card_digits(r, 13)), b.zc(3), b.zc(2)))
    b.say("C", "那缺的那件呢？")
    b.say("A", "给您退款%s，原路退回尾号%s的卡，%s到%s个工作日到账。" % (b.amt_zh(r.randint(20, 900), True), b.dn(rdig(r, 4)), b.zi(3), b.zi(7)))


def zh_n_insurance(b):
    r = b.r
    b.say("C", "我问一下保单%s的理赔进度，理赔号是%s。" % (b.dn(id_shaped_wrong(r)), b.dn(luhn_fail16(r, r.choice(["62", "4", "9"])))))
    b.say("A", "查到了，出险时间是%s月%s号下午%s点，定损金额%s，免赔额%s。" %
          (b.zi(r.randint(1, 12)), b.zi(r.randint(1, 28)), b.zc(r.randint(1, 6)), b.amt_zh(r.randint(2000, 30000)), b.amt_zh(r.choice([500, 1000]))))
    b.say("C", "大概多久能赔？")
    b.say("A", "资料齐全的话%s个工作日内结案。" % b.zi(r.choice([5, 10, 15])))


def zh_n_hospital(b):
    r = b.r
    b.lab = {"A": "护士", "C": "患者"}
    b.say("A", "您挂的是%s号，%s诊室，在门诊楼%s楼。现在叫到%s号了。" % (b.zi(r.randint(20, 80)), b.zi(r.randint(1, 12)), b.zi(r.randint(2, 6)), b.zi(r.randint(5, 19))))
    b.say("C", "那个药怎么吃？")
    b.say("A", "一天%s次，每次%s片，每片%s毫克，饭后吃，连吃%s天。%s周后复查。" % (b.zc(3), b.zc(2), b.zi(r.choice([250, 500, 5, 10])), b.zc(7), b.zc(2)))
    hi, lo = r.randint(120, 150), r.randint(70, 95)
    b.say("C", ("我血压今天早上是%d/%d。" % (hi, lo)) if not b.asr else "我今天早上量的高压%s低压%s。" % (zh_int(hi), zh_int(lo)))


def zh_n_flight(b):
    r = b.r
    b.say("C", "我的航班%s取消了，能改到明天吗？" % b.dn("%s%d" % (r.choice(["CA", "MU", "CZ", "HU", "3U"]), r.randint(1000, 9999))))
    b.say("A", "可以给您改到明天%s点%s分的%s，登机口%s，座位%s。" %
          (b.zi(r.randint(7, 21)), b.zi(r.choice([10, 25, 40, 55])), b.dn("%s%d" % (r.choice(["CA", "MU", "CZ"]), r.randint(1000, 9999))),
           "%s%d" % (r.choice("ABCD"), r.randint(10, 60)), "%d%s" % (r.randint(10, 60), r.choice("ABCJKL"))))
    b.say("C", "行李额度呢？")
    b.say("A", "经济舱免费托运%s件，每件%s公斤，改签免收手续费。" % (b.zc(r.choice([1, 2])), b.zi(23)))


def zh_n_bank(b):
    r = b.r
    b.say("C", "我尾号%s的卡昨天晚上%s点被扣了一笔钱。" % (b.dn(rdig(r, 4)), b.zi(r.randint(8, 11))))
    b.say("A", "是一笔%s的快捷支付。您卡里余额%s，日限额%s。" % (b.amt_zh(r.randint(100, 5000), True), b.amt_zh(r.randint(0, 20000), True), b.amt_zh(r.choice([5000, 10000, 50000]))))
    b.say("C", "信用卡分期利率多少？")
    b.say("A", "分%s期的话每期手续费率%s%%。有疑问也可以拨打%s。" % (b.zi(12), r.choice(["0.6", "0.75", "0.5"]), r.choice(["95588", "95555", "95533", "95566"])))


def zh_n_telecom(b):
    r = b.r
    b.say("A", "您现在的套餐每月%s，含%sG流量、%s分钟通话，合约还剩%s个月。" % (b.amt_zh(r.choice([59, 99, 129, 169])), b.zi(r.choice([30, 40, 60])), b.zi(r.choice([300, 500, 1000])), b.zi(r.randint(2, 23))))
    b.say("C", "上个月怎么多扣了%s？" % b.amt_zh(r.randint(10, 90)))
    b.say("A", "是国际漫游流量费。已经给您登记了工单%s，核实后退还。您也可以随时拨打%s查询。" % (b.dn("GD" + rdig(r, 9)), r.choice(["10086", "10010", "10000"])))


def zh_n_gov(b):
    r = b.r
    b.say("C", "我%s月%s号交的居住证续签材料，受理编号%s，现在到哪一步了？" % (b.zi(r.randint(1, 12)), b.zi(r.randint(1, 28)), b.dn("JZ%d%06d" % (r.randint(2023, 2025), r.randint(0, 999999)))))
    b.say("A", "在审核中，一般%s个工作日出结果。到时候带回执到%s楼%s号窗口领取。" % (b.zi(15), b.zi(r.randint(1, 4)), b.zi(r.randint(1, 30))))
    b.say("C", "邮寄可以吗？")
    b.say("A", "可以，邮费%s，填写邮编%s就行。" % (b.amt_zh(r.choice([12, 15, 20])), b.dn(r.choice(["518057", "200030", "100022", "310012"]))))


def zh_n_courier(b):
    r = b.r
    b.say("C", "顺丰单号%s，显示到了%s转运中心就不动了。" % (b.dn("SF" + not_card_digits(r, 13)), r.choice(["广州", "武汉", "杭州", "成都"])))
    b.say("A", "这票件重%s公斤，运费%s。您可以拨打%s进一步咨询，也可以留言工单%s。" %
          (r.choice(["2.5", "11", "0.8", "6"]), b.amt_zh(r.randint(12, 90)), b.dn("400-%d-%04d" % (r.randint(600, 899), r.randint(0, 9999))), b.dn(rdig(r, 8))))
    b.say("C", "邮编是%s，没写错吧？" % b.dn(r.choice(["518057", "430074", "610041", "200030"])))


def zh_n_refund(b):
    r = b.r
    b.say("C", "我退了%s件衣服，一共%s，怎么才退了%s？" % (b.zc(3), b.amt_zh(r.randint(300, 900)), b.amt_zh(r.randint(100, 299))))
    b.say("A", "其中%s件是满%s减%s的活动商品，按比例扣除了优惠。剩下的退款%s个工作日内到账。" % (b.zc(2), b.zi(r.choice([200, 300])), b.zi(r.choice([30, 50])), b.zi(3)))
    b.say("C", "售后单号是多少？")
    b.say("A", "售后单号%s，%s天内可以申请复核。" % (b.dn(not_card_digits(r, 15, "2")), b.zi(7)))


def zh_n_points(b):
    r = b.r
    b.say("C", "我积分还有多少？")
    b.say("A", "您目前有%s积分，其中%s分在%s月底过期。" % (b.dn(str(r.randint(2000, 90000))), b.dn(str(r.randint(100, 1999))), b.zi(r.randint(1, 12))))
    b.say("C", "能换里程吗？")
    b.say("A", "可以，%s积分换%s里程，最低兑换%s积分，会员号是%s。" % (b.zi(r.choice([10, 15, 20])), b.zi(1), b.zi(r.choice([1000, 5000])), b.dn(rdig(r, 10))))


def zh_n_warning(b):
    r = b.r
    b.say("A", "提醒您，我们工作人员不会向您索要短信验证码、取款密码或者卡背面的三位数。")
    b.say("C", "刚才有人打电话说我尾号%s的卡被盗刷了，让我报验证码。" % b.dn(rdig(r, 4)))
    b.say("A", "那是诈骗电话。已经为您登记案件编号%s，卡片已临时冻结，%s小时后自动解冻，或者拨打%s办理。" % (b.dn("AJ" + rdig(r, 10)), b.zi(24), r.choice(["95588", "95599", "95555"])))
    b.say("C", "那个号码是%s开头的。" % b.dn("0" + rdig(r, 2)))


def zh_n_pharmacy(b):
    r = b.r
    b.say("C", "医生开的阿莫西林怎么吃？")
    b.say("A", "每次%s粒，每粒%s毫克，一天%s次，连续服用%s天。" % (b.zc(2), b.zi(r.choice([250, 500])), b.zc(3), b.zc(r.choice([5, 7]))))
    b.say("C", "孩子%s岁，体重%s公斤，能吃吗？" % (b.zi(r.randint(3, 12)), b.zi(r.randint(14, 40))))
    b.say("A", "儿童按每公斤%s毫克算，每天分%s次。处方号%s，药费%s。" % (b.zi(r.choice([20, 25, 40])), b.zi(3), b.dn(rdig(r, 12)), b.amt_zh(r.randint(12, 90), True)))


def zh_n_repair(b):
    r = b.r
    b.say("C", "空调显示故障码%s，开了%s分钟就停。" % (b.dn("E" + str(r.randint(1, 9))), b.zi(r.randint(5, 30))))
    b.say("A", "您的机器型号是%s，还在保修期内，保修%s年。" % (b.dn("KFR-%dGW" % r.choice([26, 35, 50, 72])), b.zi(6)))
    b.say("A", "给您登记了维修工单%s，师傅%s号上午%s点到%s点上门，上门费%s。" % (b.dn(not_card_digits(r, 14, "8")), b.zi(r.randint(1, 28)), b.zi(9), b.zi(12), b.amt_zh(r.choice([30, 50, 80]))))


def zh_n_invoice(b):
    r = b.r
    b.say("C", "发票代码%s，发票号码%s，这张抬头开错了。" % (b.dn(not_card_digits(r, 12, "0")), b.dn(rdig(r, 8))))
    b.say("A", "这张金额%s，税率%s%%，税额%s。作废重开需要%s个工作日。" % (b.amt_zh(r.randint(1000, 90000), True), r.choice([6, 9, 13]), b.amt_zh(r.randint(50, 9000), True), b.zi(3)))
    b.say("C", "纳税人识别号要重新提供吗？")
    b.say("A", "不用，系统里有。重开后的发票发到您预留的邮箱，共%s页。" % b.zi(r.randint(1, 4)))


def zh_n_hotel(b):
    r = b.r
    b.say("A", "您的预订确认号是%s，%s间大床房，住%s晚，%s月%s号入住。" % (b.dn(not_card_digits(r, 10, "7")), b.zc(2), b.zc(r.randint(2, 6)), b.zi(r.randint(1, 12)), b.zi(r.randint(1, 28))))
    b.say("C", "房费多少？")
    b.say("A", "每晚%s含双早，入住时间下午%s点以后，退房中午%s点前，房间在%s楼。" % (b.amt_zh(r.randint(300, 1500)), b.zc(2), b.zi(12), b.zi(r.randint(5, 30))))


def zh_n_hk_trad(b):
    r = b.r
    b.trad = True
    b.say("C", "我想问一下%s的航班%s点起飞，要提前几个小时到机场？" % (b.dn("CX%d" % r.randint(100, 999)), b.zi(r.randint(7, 22))))
    b.say("A", "建议提前%s小时，行李限额%s公斤，超重每公斤港币%s。" % (b.zi(3), b.zi(23), b.zi(r.choice([100, 150, 200]))))
    b.say("C", "积分可以抵扣吗？")
    b.say("A", "每%s积分抵港币%s，最多抵扣%s%%，有问题可以打分机%s。" % (b.zi(r.choice([100, 250])), b.zi(1), r.choice([20, 30, 50]), b.dn(str(r.randint(2000, 8999)))))


def zh_n_takeout(b):
    r = b.r
    b.say("C", "我%s点%s分下的外卖，%s号单，现在还没到。" % (b.zi(r.randint(11, 13)), b.zi(r.choice([5, 20, 35, 50])), b.zi(r.randint(10, 99))))
    b.say("A", "骑手距离您还有%s公里，预计%s分钟送达，订单号%s。" % (r.choice(["1.2", "2.5", "0.8"]), b.zi(r.randint(5, 20)), b.dn(not_card_digits(r, 19, "3"))))
    b.say("C", "超时了能赔吗？")
    b.say("A", "超时%s分钟以上赔付%s元无门槛红包，超时%s分钟以上赔付订单金额的%s%%。" % (b.zi(15), b.zi(r.choice([3, 5])), b.zi(30), r.choice([20, 30, 50])))


ZH_NEG = [zh_n_order, zh_n_insurance, zh_n_hospital, zh_n_flight, zh_n_bank, zh_n_telecom, zh_n_gov, zh_n_courier,
          zh_n_refund, zh_n_points, zh_n_warning, zh_n_pharmacy, zh_n_repair, zh_n_invoice, zh_n_hotel, zh_n_hk_trad,
          zh_n_takeout]


# ==============================================================================================
def negative_ok(text):
    """negatives must be full of numbers"""
    nums = re.findall(r"\d+(?:[.,:/-]\d+)*|[零〇一二三四五六七八九十百千万幺两]+|\b(?:%s)\b" % "|".join(sorted(NUMWORDS - {"double", "triple"})), text)
    return len(nums) >= 4


def generate(seed, per_lang):
    rows = []
    for lang, pos, neg in (("en", EN_POS, EN_NEG), ("zh", ZH_POS, ZH_NEG)):
        r = random.Random("%s-%s" % (seed, lang))
        n_neg = round(per_lang * 0.4)
        n_pos = per_lang - n_neg
        jobs = [(pos[i % len(pos)], True) for i in range(n_pos)] + [(neg[i % len(neg)], False) for i in range(n_neg)]
        r.shuffle(jobs)
        out = []
        for k, (fn, is_pos) in enumerate(jobs):
            style = "asr" if (k % 2) else "written"
            b = Row(r, lang, style)
            if lang == "zh" and r.random() < 0.18:
                b.trad = True
            fn(b)
            text, ents = b.build()
            if is_pos and not ents:
                raise BadRow("positive template %s produced no entity" % fn.__name__)
            if not is_pos:
                if ents:
                    raise BadRow("negative template %s produced entities" % fn.__name__)
                if not negative_ok(text):
                    raise BadRow("negative %s has too few numbers: %s" % (fn.__name__, text))
            out.append({"id": "h3-%s-%03d" % (lang, k), "language": lang, "style": style, "text": text,
                        "entities": ents, "_tpl": fn.__name__})
        rows += out
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=3303)
    ap.add_argument("--per-language", type=int, default=170)
    a = ap.parse_args()
    rows = generate(a.seed, a.per_language)
    with open(a.out, "w", encoding="utf-8") as f:
        for row in rows:
            row = {k: v for k, v in row.items() if not k.startswith("_")}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    for lang in ("en", "zh"):
        lr = [x for x in rows if x["language"] == lang]
        neg = sum(1 for x in lr if not x["entities"])
        types = Counter(e["type"] for x in lr for e in x["entities"])
        styles = Counter(x["style"] for x in lr)
        print("%s: %d utterances, %d negatives (%.0f%%), styles %s" % (lang, len(lr), neg, 100.0 * neg / len(lr), dict(styles)))
        print("    spans per type: " + ", ".join("%s %d" % (t, types.get(t, 0)) for t in TYPES))
        print("    utterances per type: " + ", ".join("%s %d" % (t, sum(1 for x in lr if any(e['type'] == t for e in x['entities']))) for t in TYPES))
    print("wrote %d rows to %s" % (len(rows), a.out))


if __name__ == "__main__":
    main()
