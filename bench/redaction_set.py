"""Deterministic generator of a labelled PII-redaction evaluation set (Mandarin and English calls).

    python3 bench/redaction_set.py > bench/redaction_set.jsonl          # default seed 20240315
    python3 bench/redaction_set.py --seed 7 --out bench/redaction_set.jsonl

Standard library only; the same seed always gives the same file. One JSON object per line (UTF-8):

    {"id": "zh-asr-card-003", "language": "zh"|"en", "style": "written"|"asr",
     "text": "...", "entities": [{"type": "CARD", "start": 12, "end": 31}]}

``start``/``end`` are Python str offsets: ``text[start:end]`` is the entity exactly as written,
internal spaces, dashes, commas and spoken digit words included, announcing words ("my card number
is", "卡号") and surrounding punctuation excluded. Entities are sorted and never overlap.

Types: CARD (13-19 digits, Luhn-valid: Visa 4, Mastercard 51-55/2221-2720, UnionPay 62, Amex
34/37), CVV (3/4 digits announced next to a card), EXPIRY (card expiry next to a card),
BANK_ACCOUNT (announced account number, 10-20 digits and Luhn-invalid, or a GB/DE IBAN), PHONE (CN
mobile, CN landline with area code, Hong Kong, US 555-01xx, UK 020 7946 0xxx), ID_NUMBER (PRC
resident ID: 18 chars with a valid ISO 7064 MOD 11-2 check character, possibly X; or legacy 15
digits), PASSPORT (PRC E/G + 8 digits, EA + 7, HK H/K + 8, others letters + digits), EMAIL (written
or spoken: "john dot smith at gmail dot com", "zhangsan艾特163点com"), PIN (PIN, password, one-time
or verification code, only when announced as such), ADDRESS (Chinese province/city/district/road/
number[/building/room]; English number + street name + suffix).

Negatives (about 40%, no entity at all): Luhn-failing 16-digit order/tracking numbers, 18-digit
reference numbers / 单号 with a wrong ID check digit, amounts, dates, times, counts, durations,
percentages, years, extensions, case/ticket numbers, balances, 6-digit numbers not announced as
codes, card last four digits only. Many positive utterances also carry such distractors.

Style "written" is typed or clean text; "asr" is how Whisper/SenseVoice write speech: digit words,
"oh", "double", mixed digits and words, groups with spaces/commas/dashes, a number split across two
chunks, Whisper lower case without punctuation; Chinese numerals with 幺, 零/〇, rarely 两, X read
as 叉, Mandarin without punctuation, and part of it in traditional characters.
"""

from __future__ import annotations

import argparse
import calendar
import json
import random
import re
import sys

EN_D = "zero one two three four five six seven eight nine".split()
EN_ONES = EN_D + "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
MONTHS = "January February March April May June July August September October November December".split()
ORD = {1: "first", 2: "second", 3: "third", 5: "fifth", 8: "eighth", 12: "twelfth", 15: "fifteenth",
       20: "twentieth", 21: "twenty first", 23: "twenty third", 28: "twenty eighth"}
ZH_D = "零一二三四五六七八九"
# Simplified -> traditional, one character for one character (offsets stay valid).
_TRAD = ("电電 话話 号號 码碼 证證 银銀 账賬 户戶 邮郵 验驗 护護 区區 东東 门門 这這 个個 对對 说說 请請 们們 来來 吗嗎 "
         "认認 确確 订訂 单單 运運 费費 块塊 张張 钱錢 还還 时時 间間 点點 后後 两兩 边邊 帮幫 过過 么麼 没沒 问問 "
         "题題 给給 发發 会會 员員 务務 记記 录錄 错錯 应應 该該 数數 额額 余餘 转轉 国國 际際 长長 宁寧 广廣 纪紀 "
         "楼樓 阳陽 设設 苏蘇 滨濱 罗羅 经經 济濟 开開 华華 丰豐 让讓 进進 无無 为為 与與 实實 网網 购購 买買 万萬 "
         "业業 动動 态態 内內 换換 积積 续續 货貨 场場 烦煩 层層 园園 关關 复複 兴興 静靜 黄黃 龙龍 锦錦 联聯 资資 "
         "统統 谢謝 询詢 办辦 现現 处處 种種 别別 笔筆 汇匯 报報 头頭 终終 从從 亲親 几幾 诉訴 顺順 递遞 审審 馆館 "
         "机機 显顯 刚剛 钟鐘 里裡 冻凍 结結")
TRAD = str.maketrans({p[0]: p[1] for p in _TRAD.split()})

# ---------------------------------------------------------------- number words and checksums
def digits(rng, n, first="0123456789"):
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))

def split(s, sizes):
    out, i = [], 0
    for n in sizes:
        out.append(s[i:i + n])
        i += n
    assert "".join(out) == s
    return out

def split4(s):
    return [s[i:i + 4] for i in range(0, len(s), 4)]

def luhn_digit(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)

def luhn_ok(num):
    return luhn_digit(num[:-1]) == num[-1]

ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

def id_check(body17):
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, ID_W)) % 11]

def en_int(n):  # 0..99
    if n < 20:
        return EN_ONES[n]
    t, o = divmod(n, 10)
    return EN_TENS[t] + ("" if o == 0 else " " + EN_D[o])

def en_num(n):  # cardinal, < 1,000,000
    if n < 100:
        return en_int(n)
    if n < 1000:
        h, r = divmod(n, 100)
        return EN_D[h] + " hundred" + (" and " + en_int(r) if r else "")
    t, r = divmod(n, 1000)
    return en_num(t) + " thousand" + (" " + en_num(r) if r else "")

def en_house(n):  # 221 -> two twenty one, 1600 -> sixteen hundred
    if n < 100:
        return en_int(n)
    hi, lo = divmod(n, 100)
    return en_int(hi) + (" hundred" if lo == 0 else " oh " + EN_D[lo] if lo < 10 else " " + en_int(lo))

def en_year(y):
    return f"two thousand and {EN_D[y % 10]}" if y % 100 < 10 else f"{en_int(y // 100)} {en_int(y % 100)}"

def cn_int(n):  # 1..9999 -> 一百, 一千二百零一, 十五
    if n < 10:
        return ZH_D[n]
    out, zero = "", False
    for val, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // val % 10
        if d:
            out += ("零" if zero else "") + ZH_D[d] + unit
            zero = False
        elif out:
            zero = True
    out = out[1:] if out.startswith("一十") else out
    return "两" + out[1:] if out[:2] in ("二千", "二百") else out

def cn_digits(s, zero="零"):
    return "".join(zero if c == "0" else ZH_D[int(c)] if c.isdigit() else c for c in s)

# ---------------------------------------------------------------- spoken renderings of digit groups
def en_group(g, oh, double):
    words, i = [], 0
    def w(c):
        return ("oh" if oh and c == "0" else EN_D[int(c)]) if c.isdigit() else c.lower()
    while i < len(g):
        if double and g[i].isdigit() and g[i:i + 3] == g[i] * 3:
            words.append("triple " + w(g[i]))
            i += 3
        elif double and g[i].isdigit() and g[i:i + 2] == g[i] * 2:
            words.append("double " + w(g[i]))
            i += 2
        else:
            words.append(w(g[i]))
            i += 1
    return " ".join(words)

def say_en(groups, rng):
    mode = rng.choice(["words", "oh", "double", "mixed", "numerals", "dashes", "commas", "chunks"])
    if mode == "numerals":
        return " ".join(groups)
    if mode == "dashes":
        return "-".join(groups)
    oh, double = mode != "words" and rng.random() < 0.7, mode in ("double", "chunks") or rng.random() < 0.25
    parts = [en_group(g, oh, double) for g in groups]
    if mode == "mixed":
        parts = [g if rng.random() < 0.5 else p for g, p in zip(groups, parts)]
    if mode == "commas":
        return ", ".join(parts)
    if mode == "chunks" and len(parts) > 1:  # one number, two ASR chunks: "..., zero one. One two..."
        k = rng.randrange(1, len(parts))
        return ", ".join(parts[:k]) + ". " + ", ".join(parts[k:])[:1].upper() + ", ".join(parts[k:])[1:]
    return " ".join(parts)

def say_zh(groups, rng, phone=False):
    mode = rng.choice(["arabic", "arabic_plain", "cn", "cn_plain", "cn_commas", "mixed"])
    if mode == "arabic":
        return " ".join(groups)
    if mode == "arabic_plain":
        return "".join(groups)
    yao = rng.random() < (0.6 if phone else 0.15)
    zero, two, x = rng.choice("零零〇"), "两" if rng.random() < 0.05 else "二", rng.choice(["叉", "X"])
    def conv(c):
        return ("幺" if yao and c == "1" else zero if c == "0" else two if c == "2" else
                ZH_D[int(c)] if c.isdigit() else x if c == "X" else c)
    parts = ["".join(conv(c) for c in g) for g in groups]
    if mode == "mixed":
        parts = [g if rng.random() < 0.5 else p for g, p in zip(groups, parts)]
    return {"cn_plain": "", "cn_commas": "，"}.get(mode, " ").join(parts)

# ---------------------------------------------------------------- entity values
CN_MOBILE = ("130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 166 170 176 177 "
             "178 180 181 182 185 186 187 188 189 198 199").split()
CN_AREAS = "010 020 021 022 023 024 025 027 028 029 0755 0571 0512 0532".split()
ID_AREAS = "110101 110105 310104 310115 440305 440106 330106 320102 510107 420111 500103 610113".split()
ZH_CITIES = [("北京市", ["朝阳区", "海淀区", "东城区"], ["建国路", "中关村大街", "东直门内大街"]),
             ("上海市", ["浦东新区", "徐汇区", "静安区"], ["世纪大道", "漕溪北路", "南京西路"]),
             ("广东省深圳市", ["南山区", "福田区"], ["深南大道", "科技园路"]),
             ("广东省广州市", ["天河区", "越秀区"], ["天河路", "中山五路"]),
             ("浙江省杭州市", ["西湖区", "滨江区"], ["文三路", "江南大道"]),
             ("江苏省南京市", ["鼓楼区", "玄武区"], ["中山路", "北京东路"]),
             ("四川省成都市", ["武侯区", "锦江区"], ["人民南路", "春熙路"])]
EN_STREETS = "Baker Maple Oak Pennsylvania Elm Harbour King Victoria Cedar Mission Lincoln Park".split()
EN_SUFFIX = {"Street": "St", "Avenue": "Ave", "Road": "Rd", "Drive": "Dr", "Lane": "Ln",
             "Boulevard": "Blvd", "Way": "Way", "Court": "Ct"}
EN_NAMES = [("john", "smith"), ("mary", "jones"), ("david", "chen"), ("sarah", "miller"),
            ("james", "wong"), ("emma", "brown"), ("peter", "lee"), ("lucy", "taylor")]
ZH_NAMES = [("zhang", "san"), ("li", "na"), ("wang", "wei"), ("liu", "yang"), ("chen", "jing"),
            ("zhao", "lei"), ("huang", "min"), ("zhou", "jie")]
EN_DOMAINS = "example.com example.org example.co.uk gmail.com outlook.com mail.example.net".split()
ZH_DOMAINS = "163.com qq.com 126.com example.cn sina.com example.com".split()

def gen_card(rng, ctx):
    kinds = ["visa", "visa", "mc", "mc2", "up", "up", "up19", "visa13"] + ([] if ctx["no_amex"] else ["amex"])
    kind = rng.choice(kinds)
    prefix, n = {"visa": ("4", 16), "visa13": ("4", 13), "mc": (str(rng.randint(51, 55)), 16),
                 "mc2": (str(rng.randint(2221, 2720)), 16), "up": ("62", 16), "up19": ("62", 19),
                 "amex": (rng.choice(["34", "37"]), 15)}[kind]
    body = prefix + digits(rng, n - len(prefix) - 1)
    num = body + luhn_digit(body)
    assert luhn_ok(num) and 13 <= len(num) <= 19
    ctx["amex"] = kind == "amex"
    sizes = {16: [4, 4, 4, 4], 15: [4, 6, 5], 13: [4, 3, 3, 3], 19: rng.choice([[4, 4, 4, 4, 3], [6, 13]])}[n]
    seps = [" ", ""] if sizes == [6, 13] else [" ", " ", "-", ""]
    return {"kind": "digits", "groups": split(num, sizes), "seps": seps}

def gen_account(rng):
    while True:
        num = digits(rng, rng.randint(10, 20), "123456789")
        if not luhn_ok(num):
            return {"kind": "digits", "groups": split4(num), "seps": ["", " "], "nonluhn": True}

def gen_iban(rng):
    if rng.random() < 0.6:
        cc, bban = "GB", rng.choice(["NWBK", "BARC", "LOYD", "MIDL"]) + digits(rng, 14)
    else:
        cc, bban = "DE", digits(rng, 18)
    check = 98 - int("".join(str(int(c, 36)) for c in bban + cc + "00")) % 97
    iban = f"{cc}{check:02d}{bban}"
    assert int("".join(str(int(c, 36)) for c in iban[4:] + iban[:4])) % 97 == 1
    return {"kind": "digits", "groups": split4(iban), "seps": [" ", " ", ""]}

def gen_phone(kind, lang, rng):
    if kind == "PHONE":
        kind = rng.choice(["US", "UK", "HK", "MOBILE", "MOBILE"] if lang == "en" else
                          ["MOBILE"] * 4 + ["LAND", "LAND", "HK", "US", "UK"])
    if kind == "INTL":
        kind = rng.choice(["US", "UK"])
    v = {"kind": "digits", "phone": True, "cc": None}
    if kind == "MOBILE":
        num = rng.choice(CN_MOBILE) + digits(rng, 8)
        v.update(groups=split(num, [3, 4, 4]), cc="86" if rng.random() < 0.3 else None)
    elif kind == "LAND":
        area = rng.choice(CN_AREAS)
        local = digits(rng, 8 if len(area) == 3 else rng.choice([7, 8]), "2345678")
        v.update(groups=[area, local[:-4], local[-4:]], land=True)
    elif kind == "HK":
        v.update(groups=split4(digits(rng, 8, "569569523")), cc="852" if rng.random() < 0.6 else None)
    elif kind == "US":
        v.update(groups=[rng.choice(["415", "212", "312", "206", "617"]), "555", "01" + digits(rng, 2)],
                 us=True, cc="1" if rng.random() < 0.6 else None)
    else:  # UK drama range 020 7946 0xxx
        cc = rng.choice(["44", "00 44", None])
        v.update(groups=["20" if cc else "020", "7946", "0" + digits(rng, 3)], cc=cc)
    return v

def birth(rng, lo, hi):
    y, m = rng.randint(lo, hi), rng.randint(1, 12)
    return f"{y}{m:02d}{rng.randint(1, calendar.monthrange(y, m)[1]):02d}"

def gen_id(rng, want_x):
    for _ in range(500):
        body = rng.choice(ID_AREAS) + birth(rng, 1950, 2005) + digits(rng, 3)
        if not want_x or id_check(body) == "X":
            break
    num = body + id_check(body)
    return {"kind": "digits", "groups": [num[:6], num[6:14], num[14:]], "seps": [""]}

def gen_passport(rng):
    r = rng.random()
    pre, d = ((rng.choice("EG"), digits(rng, 8)) if r < 0.6 else ("E" + rng.choice("ABCDEFGH"), digits(rng, 7))
              if r < 0.75 else (rng.choice("HK"), digits(rng, 8)) if r < 0.9 else
              (rng.choice(["PA", "XK", "C"]), digits(rng, 7)))
    return {"kind": "digits", "groups": [pre, d[:4], d[4:]], "seps": [""]}

def gen_email(lang, rng):
    a, b = rng.choice(ZH_NAMES if lang == "zh" and rng.random() < 0.8 else EN_NAMES)
    dom = rng.choice(ZH_DOMAINS if lang == "zh" else EN_DOMAINS)
    num = rng.choice(["", "", str(rng.randint(1, 99)), str(rng.randint(1980, 2005))])
    if dom == "qq.com" and rng.random() < 0.5:
        return {"kind": "email", "tokens": [], "join": "", "num": digits(rng, 9, "123456789"), "dom": dom}
    return {"kind": "email", "tokens": [a, b], "join": rng.choice([".", "", "_"]), "num": num, "dom": dom}

def gen_address(lang, rng):
    if lang == "zh":
        city, dists, roads = rng.choice(ZH_CITIES)
        extra = (rng.randint(1, 12), rng.randint(2, 28) * 100 + rng.randint(1, 9)) if rng.random() < 0.5 else None
        return {"kind": "addr", "lang": "zh", "head": city + rng.choice(dists) + rng.choice(roads),
                "num": rng.choice([rng.randint(1, 999), 100, 88]), "extra": extra}
    num = rng.choice([rng.randint(1, 2999), rng.randint(10, 99), 221, 1600])
    return {"kind": "addr", "lang": "en", "num": num, "letter": rng.choice(["", "", "", "", "B", "A"]),
            "street": rng.choice(EN_STREETS), "suffix": rng.choice(list(EN_SUFFIX))}

def new_value(name, lang, ctx, rng):
    if name == "CARD":
        return gen_card(rng, ctx)
    if name in ("CVV", "PIN", "OTP"):
        n = (4 if ctx.get("amex") else 3) if name == "CVV" else rng.choice([4, 4, 6]) if name == "PIN" else rng.choice([6, 6, 4])
        return {"kind": "digits", "groups": split(digits(rng, n), [3, 3] if n == 6 else [n]), "seps": ["", "", " "]}
    if name == "EXP":
        return {"kind": "exp", "m": rng.randint(1, 12), "y": rng.randint(2025, 2031)}
    if name == "ACCT":
        return gen_account(rng)
    if name == "IBAN":
        return gen_iban(rng)
    if name in ("PHONE", "MOBILE", "LAND", "HK", "INTL"):
        return gen_phone(name, lang, rng)
    if name == "ID":
        return gen_id(rng, rng.random() < 0.3)
    if name == "ID15":
        num = rng.choice(ID_AREAS) + birth(rng, 1930, 1999)[2:] + digits(rng, 3)
        return {"kind": "digits", "groups": [num[:6], num[6:12], num[12:]], "seps": [""]}
    if name == "PASS":
        return gen_passport(rng)
    if name == "EMAIL":
        return gen_email(lang, rng)
    if name == "ADDR":
        return gen_address(lang, rng)
    raise KeyError(name)

def mutate(v, rng):  # the corrected number of "..., sorry, no, it's ...": one digit changed
    while True:
        g = list(v["groups"])
        last = g[-1]
        i = rng.randrange(len(last))
        g[-1] = last[:i] + rng.choice([c for c in "0123456789" if c != last[i]]) + last[i + 1:]
        if not v.get("nonluhn") or not luhn_ok("".join(g)):
            return {**v, "groups": g}

# ---------------------------------------------------------------- rendering
def render(v, lang, style, rng):
    if v["kind"] == "exp":
        m, y, yy = v["m"], v["y"], v["y"] % 100
        if lang == "en" and style == "written":
            return rng.choice([f"{m:02d}/{yy:02d}", f"{m:02d}/{y}", f"{m:02d}-{yy:02d}"])
        if lang == "en":
            return rng.choice([f"{en_group(f'{m:02d}', True, False)} {en_int(yy)}", f"{m:02d}/{yy:02d}",
                               f"{en_group(f'{m:02d}', False, False)} slash {en_group(str(yy), False, False)}",
                               f"{MONTHS[m - 1].lower()} twenty {en_int(yy)}", f"{en_int(m)} {en_int(yy)}"])
        if style == "written":
            return rng.choice([f"{y}年{m}月", f"{yy}年{m}月", f"{m:02d}/{yy:02d}"])
        return rng.choice([f"{cn_digits(str(y))}年{cn_int(m)}月", f"{cn_digits(str(yy))}年{cn_int(m)}月",
                           f"{y}年{m}月", f"{yy}年{m}月"])
    if v["kind"] == "email":
        return render_email(v, lang, style, rng)
    if v["kind"] == "addr":
        return render_address(v, style, rng)
    g, cc = v["groups"], v.get("cc")
    if style == "written":
        if v.get("land"):
            body = g[0] + "-" + rng.choice([" ", ""]).join(g[1:])
        elif v.get("us") and rng.random() < 0.5:
            body = f"({g[0]}) {g[1]}-{g[2]}"
        else:
            body = rng.choice(v.get("seps", [" ", " ", "-", ""])).join(g)
        return ((cc if cc.startswith("00") else "+" + cc) + " " + body) if cc else body
    if lang == "en":
        body = say_en(g, rng)
        if cc and rng.random() < 0.4:
            body = (cc if cc.startswith("00") else "+" + cc) + " " + body
        elif cc:
            body = ("" if cc.startswith("00") else "plus ") + en_group(cc.replace(" ", ""), True, True) + " " + body
        return body
    body = say_zh(g, rng, v.get("phone", False))
    if cc and cc.startswith("00"):
        return rng.choice(["00 44 ", "零零四四 "]) + body
    return (rng.choice(["+" + cc + " ", "+" + cc, "加" + cn_digits(cc) + " "]) + body) if cc else body

def render_email(v, lang, style, rng):
    local = v["join"].join(v["tokens"]) + v["num"]
    if style == "written" or rng.random() < (0.2 if lang == "en" else 0.35):
        return f"{local}@{v['dom']}"
    spoken_join = {".": " dot ", "_": " underscore ", "": rng.choice([" ", ""])}[v["join"]]
    num = v["num"]
    if num and lang == "en":
        num = rng.choice([num, en_group(num, True, True), en_int(int(num)) if len(num) == 2 else num])
    elif num:
        num = rng.choice([num, cn_digits(num)])
    head = " ".join(x for x in (spoken_join.join(v["tokens"]), num) if x)
    if lang == "en" or rng.random() < 0.4:
        dom = " dot ".join(en_group(p, False, False) if p.isdigit() and rng.random() < 0.6 else p
                           for p in v["dom"].split("."))
        return f"{head} at {dom}"
    dot = rng.choice(["点", " 点 "])
    return f"{head}{rng.choice(['艾特', ' at '])}{dot.join(v['dom'].split('.'))}"

def render_address(v, style, rng):
    asr = style == "asr"
    if v["lang"] == "zh":
        n = cn_int(v["num"]) if asr and rng.random() < 0.5 else str(v["num"])
        out = f"{v['head']}{n}号"
        if v["extra"]:
            b, room = v["extra"]
            if asr and rng.random() < 0.5:
                b, room = cn_int(b), cn_digits(str(room), rng.choice("零〇"))
            out += f"{b}号楼{room}室"
        return out
    suffix = v["suffix"] if asr or rng.random() < 0.6 else EN_SUFFIX[v["suffix"]]
    if asr and rng.random() < 0.5:
        return f"{en_house(v['num'])} {v['letter'].lower()} {v['street']} {suffix}".replace("  ", " ")
    return f"{v['num']}{v['letter']} {v['street']} {suffix}"

# ---------------------------------------------------------------- non-entity fillers (distractors)
def fill(name, lang, style, rng):
    asr, R = style == "asr", rng.randint
    if name == "order16":  # 16 digits grouped like a card but failing Luhn
        body = digits(rng, 15, "123456789")
        num = body + str((int(luhn_digit(body)) + R(1, 9)) % 10)
        assert not luhn_ok(num)
        return render({"kind": "digits", "groups": split4(num), "seps": [" ", "-", ""]}, lang, style, rng)
    if name == "ref18":  # ID-shaped, wrong check digit
        body = rng.choice(ID_AREAS) + birth(rng, 1950, 2005) + digits(rng, 3)
        num = body + rng.choice([c for c in "0123456789" if c != id_check(body)])
        assert id_check(num[:17]) != num[17]
        return render({"kind": "digits", "groups": [num[:6], num[6:14], num[14:]], "seps": [""]}, lang, style, rng)
    if name == "last4":
        d = digits(rng, 4)
        return render({"kind": "digits", "groups": [d], "seps": [""], "phone": True}, lang, style, rng)
    m, d, y, h, six = R(1, 12), rng.choice(list(ORD)), R(2022, 2025), R(1, 11), digits(rng, 6, "123456789")
    if lang == "en":
        mon, suf = MONTHS[m - 1], {1: "st", 2: "nd", 3: "rd", 21: "st", 23: "rd"}.get(d, "th")
        if name == "amount":
            n, cur = R(5, 20000), rng.choice(["$", "$", "£", "HK$"])
            if not asr or rng.random() < 0.3:
                return f"{cur}{n:,}.{R(0, 99):02d}" if rng.random() < 0.7 else f"{cur}{n:,}"
            n = rng.choice([R(11, 99) * 100, R(5, 999)])
            w = en_int(n // 100) + " hundred" if n % 1000 and n % 100 == 0 and n > 1000 else en_num(n)
            return w + " " + rng.choice(["dollars", "pounds", "bucks", "dollars"])
        opts = {
            "date": [f"{mon.lower()} {ORD[d]}", f"the {ORD[d]} of {mon.lower()}", f"{mon} {d}{suf}"] if asr
            else [f"{mon} {d}{suf} {y}", f"{d:02d}/{m:02d}/{y}", f"{y}-{m:02d}-{d:02d}"],
            "time": [f"half past {en_int(h)}", f"quarter to {en_int(h)}", f"{en_int(h)} thirty", f"{h}:30 am"] if asr
            else [f"{h}:{rng.choice([0, 15, 30, 45]):02d}", f"{h} pm", f"{h}:30 am"],
            "count": [f"{R(2, 5)} cards", f"{en_int(R(2, 5))} credit cards", f"{en_int(R(2, 4))} accounts"],
            "duration": [f"{R(10, 59)} minutes", f"{en_int(R(20, 59))} minutes", "two weeks", "three business days"],
            "percent": [f"{en_int(R(1, 29))} point {EN_D[R(1, 9)]} percent", f"{en_int(R(2, 30))} percent"] if asr
            else [f"{R(1, 29)}.{R(0, 9)}%", f"{R(2, 30)}%"],
            "year": [en_year(R(2005, 2023))] if asr else [str(R(2005, 2023))],
            "ext": [f"extension {en_group(str(R(100, 4999)), True, False)}", f"extension {R(100, 4999)}"] if asr
            else [f"ext {R(100, 4999)}", f"extension {R(100, 4999)}"],
            "case": [f"case number {say_en([f'{y}{m:02d}{d:02d}', f'{R(1, 999):04d}'], rng)}"] if asr
            else [f"case {y}{m:02d}{d:02d}-{R(1, 999):04d}", f"ticket INC-{digits(rng, 7)}"],
            "six": [en_num(int(six)), six] if asr else [six, f"{int(six):,}"],
        }
    else:
        am, pm, ev = cn_int(R(8, 11)), rng.choice(["两", "三", "四", "五"]), cn_int(R(6, 9))
        if name == "amount":
            if not asr or rng.random() < 0.3:
                n = R(5, 60000)
                return rng.choice([f"¥{n:,}.{R(0, 99):02d}", f"{n}元", f"{n:,}.00元"])
            return rng.choice([f"{cn_int(R(1, 9) * 1000 + rng.choice([0, 500]))}块", f"{cn_int(R(1, 9) * 100)}元",
                               f"{cn_int(R(1, 9))}万{cn_int(R(1, 9))}千块钱", f"{R(2, 99) * 100}块"])
        opts = {
            "date": [f"{cn_int(m)}月{cn_int(d)}号", f"{cn_digits(str(y))}年{cn_int(m)}月{cn_int(d)}日", f"{m}月{d}号"] if asr
            else [f"{y}年{m}月{d}日", f"{m}月{d}日", f"{y}-{m:02d}-{d:02d}"],
            "time": [f"下午{pm}点半", f"上午{am}点", f"晚上{ev}点一刻"] if asr else [f"{h}:{rng.choice([0, 30]):02d}", f"下午{h}点"],
            "count": [f"{'两' if (k := R(2, 5)) == 2 else cn_int(k)}张卡", f"{R(2, 5)}张卡", "三张信用卡"],
            "duration": ["三个工作日", f"{R(10, 59)}分钟", "两个星期", "半个小时", f"{cn_int(R(10, 59))}分钟"],
            "percent": [f"百分之{cn_int(R(1, 29))}点{ZH_D[R(1, 9)]}", f"百分之{cn_int(R(2, 30))}"] if asr
            else [f"{R(1, 29)}.{R(0, 9)}%", f"{R(2, 30)}%"],
            "year": [f"{cn_digits(str(R(2005, 2023)))}年", f"{R(2005, 2023)}年"] if asr else [f"{R(2005, 2023)}年"],
            "ext": [f"转分机{cn_digits(str(R(100, 4999)))}", f"转{R(100, 4999)}"] if asr else [f"转分机{R(100, 4999)}"],
            "case": [f"{y}{m:02d}{d:02d}-{R(1, 999):04d}"],
            "six": [six],
            "tracking": [rng.choice(["SF", "YT", "JD", ""]) + digits(rng, R(12, 15), "123456789")],
        }
    return rng.choice(opts[name])

# ---------------------------------------------------------------- templates: (tag, text)
# {UPPER} = entity (a trailing 2 = the corrected value of the same field), {lower} = distractor.
TYPES = {"CARD": "CARD", "CVV": "CVV", "EXP": "EXPIRY", "ACCT": "BANK_ACCOUNT", "IBAN": "BANK_ACCOUNT",
         "PHONE": "PHONE", "MOBILE": "PHONE", "LAND": "PHONE", "HK": "PHONE", "INTL": "PHONE",
         "ID": "ID_NUMBER", "ID15": "ID_NUMBER", "PASS": "PASSPORT", "EMAIL": "EMAIL", "PIN": "PIN",
         "OTP": "PIN", "ADDR": "ADDRESS"}
POS_EN = [
    ("card", "My card number is {CARD}."),
    ("card-exp", "Yeah, the long number on the front is {CARD}, expiry {EXP}."),
    ("card-exp-cvv", "Card number {CARD}, it expires {EXP}, and the security code is {CVV}."),
    ("card-readback", "Okay, let me read that back: {CARD}, expiring {EXP}, is that right?"),
    ("card-cvv", "The number is {CARD} and the three digit CVV on the back is {CVV}."),
    ("card-amount", "I want to dispute a charge of {amount} on my card {CARD}, it was on {date}."),
    ("card-cvv2", "Sure, {CARD}. CVV2 is {CVV}. Expiry date {EXP}."),
    ("card-pin", "Card {CARD}, and the PIN is {PIN}."),
    ("card-agent", "Thank you, I have the card as {CARD}, expiry {EXP}, and the billing address {ADDR}."),
    ("acct", "Please send the refund to account number {ACCT}."),
    ("acct-corr", "My account number is {ACCT}, sorry, no, it's {ACCT2}."),
    ("acct-balance", "The account is {ACCT}, and the balance should be {amount}, not less."),
    ("iban", "The IBAN is {IBAN}, that's for the transfer of {amount}."),
    ("phone", "You can reach me on {PHONE}."),
    ("phone-email", "My mobile is {PHONE} and my email is {EMAIL}."),
    ("phone-corr", "The number is {PHONE}, wait, no, {PHONE2}."),
    ("phone-time", "Call me back on {PHONE} any time after {time}."),
    ("phone-readback", "Just to confirm, the best number to call you back is {PHONE}?"),
    ("email", "My email address is {EMAIL}."),
    ("email-readback", "I have your email as {EMAIL}, is that still current?"),
    ("email-corr", "It's {EMAIL}, no sorry, {EMAIL2}."),
    ("id", "For the account in China I used my resident ID, the number is {ID}."),
    ("id-phone", "ID number {ID}, phone {PHONE}."),
    ("id15", "My old ID card number is {ID15}, it's the fifteen digit one."),
    ("passport", "I can give you my passport number instead, it's {PASS}."),
    ("passport-phone", "Passport number {PASS}, and my contact number is {PHONE}."),
    ("pin", "The verification code is {OTP}."),
    ("pin-text", "I just got the text, the one-time code is {OTP}, it says valid for {duration}."),
    ("pin-corr", "My PIN is {PIN}, sorry, I mean {PIN2}."),
    ("pin-agent", "Can you read me the code we just texted you? Yes, the code is {OTP}."),
    ("addr", "I live at {ADDR}, I moved there in {year}."),
    ("addr-phone", "Please update my address to {ADDR} and my phone to {PHONE}."),
]
NEG_EN = [
    ("neg-order", "My order number is {order16}."),
    ("neg-tracking", "The tracking number is {order16}, it was shipped on {date}."),
    ("neg-amount", "I was charged {amount} twice on {date}."),
    ("neg-last4", "It's the card ending in {last4}, the one I use for groceries."),
    ("neg-last4", "I only have the last four digits, {last4}."),
    ("neg-ref", "The reference number on the letter is {ref18}."),
    ("neg-case", "I'm calling about {case}, I opened it {duration} ago."),
    ("neg-ext", "Please transfer me to {ext}."),
    ("neg-balance", "My current balance is {amount} and the credit limit is {amount}."),
    ("neg-percent", "Why did my interest rate go up to {percent}?"),
    ("neg-time", "Can someone call me back at {time} on {date}?"),
    ("neg-count", "I have {count} with you and one of them was declined."),
    ("neg-six", "We shipped {six} units last quarter, so the invoice should be {amount}."),
    ("neg-year", "I've been a customer since {year}."),
    ("neg-duration", "I've been on hold for {duration}."),
    ("neg-date", "The payment was due on {date} but I paid on {date}."),
    ("neg-limit", "I'd like to increase my limit to {amount}."),
    ("neg-order-corr", "The order is {order16}, sorry, the other one, {order16}."),
    ("neg-invoice", "Invoice {case} for {amount}, due in {duration}."),
    ("neg-points", "You have {six} reward points, which is worth about {amount}."),
    ("neg-fee", "The call lasted {duration} and the fee was {percent} of {amount}."),
]
POS_ZH = [
    ("card", "我的卡号是{CARD}。"),
    ("card-exp-cvv", "卡号{CARD}，有效期{EXP}，背面三位数是{CVV}。"),
    ("card-readback", "好的，我跟您核对一下，卡号是{CARD}，有效期到{EXP}，对吗？"),
    ("card-cvv", "信用卡号码{CARD}，安全码{CVV}。"),
    ("card-amount", "我这张卡{CARD}昨天被扣了{amount}，我没有消费过。"),
    ("card-otp", "卡号{CARD}，验证码{OTP}。"),
    ("card-agent", "坐席：请您提供一下卡号。客户：{CARD}，有效期{EXP}。"),
    ("acct", "退款请打到我的银行账户，账号是{ACCT}。"),
    ("acct-corr", "账号{ACCT}，不对不对，是{ACCT2}。"),
    ("acct-corp", "我们公司的对公账户是{ACCT}，开户行是招商银行。"),
    ("acct-amount", "请从账户{ACCT}转{amount}到我的信用卡。"),
    ("phone", "我的手机号是{MOBILE}。"),
    ("phone-corr", "电话是{MOBILE}，哦不对，是{MOBILE2}。"),
    ("phone-land", "您可以打我们办公室电话{LAND}，{ext}。"),
    ("phone-hk", "我在香港的号码是{HK}。"),
    ("phone-email", "手机{MOBILE}，邮箱{EMAIL}。"),
    ("phone-readback", "跟您确认一下，联系电话是{PHONE}，对吧？"),
    ("email", "我的邮箱是{EMAIL}，麻烦把账单发到这个邮箱。"),
    ("email-corr", "邮箱是{EMAIL}，不好意思说错了，是{EMAIL2}。"),
    ("id", "我的身份证号码是{ID}。"),
    ("id-readback", "您的身份证号是{ID}，出生日期和系统里的一致。"),
    ("id15", "我的老身份证是十五位的，号码是{ID15}。"),
    ("id-phone", "身份证号{ID}，手机号{MOBILE}。"),
    ("passport", "我用护照办的，护照号是{PASS}。"),
    ("passport-phone", "护照号码{PASS}，境外手机{INTL}。"),
    ("pin", "验证码是{OTP}。"),
    ("pin-sms", "我刚收到短信，动态验证码{OTP}，{duration}内有效对吧？"),
    ("pin-pw", "我的取款密码是{PIN}，能帮我重置吗？"),
    ("pin-corr", "密码是{PIN}，啊不是，是{PIN2}。"),
    ("addr", "我的地址是{ADDR}。"),
    ("addr-phone", "寄到{ADDR}，收件人电话{MOBILE}。"),
    ("addr-amount", "账单地址改成{ADDR}，上个月{amount}的账单也寄到这里。"),
]
NEG_ZH = [
    ("neg-order", "我的订单号是{order16}。"),
    ("neg-tracking", "快递单号{tracking}，显示{date}已经发货了。"),
    ("neg-amount", "我这个月被扣了{amount}，比上个月多了{amount}。"),
    ("neg-last4", "就是尾号{last4}的那张卡。"),
    ("neg-last4", "我卡号后四位是{last4}，你们查一下。"),
    ("neg-ref", "我的单号是{ref18}，麻烦帮我查一下进度。"),
    ("neg-case", "工单号{case}，我{duration}前就提交了。"),
    ("neg-ext", "麻烦帮我{ext}。"),
    ("neg-balance", "我账户余额还有{amount}吗？"),
    ("neg-percent", "为什么分期手续费是{percent}？"),
    ("neg-time", "您{time}再给我打过来吧。"),
    ("neg-count", "我在你们银行办了{count}，有一张被冻结了。"),
    ("neg-six", "这个月积分是{six}分，能换什么？"),
    ("neg-year", "我从{year}开始用你们的卡。"),
    ("neg-duration", "我已经等了{duration}了。"),
    ("neg-date", "还款日是{date}，我{date}就还了。"),
    ("neg-limit", "我想把额度提到{amount}。"),
    ("neg-order-corr", "订单号{order16}，不对，是{order16}。"),
    ("neg-ship", "这批货一共{six}件，运费{amount}。"),
    ("neg-mixed", "{date}{time}左右，我在商场刷了{amount}。"),
    ("neg-fee", "年费{amount}，{duration}内刷卡就免年费对吗？"),
]

# ---------------------------------------------------------------- assembly
def build(tpl, lang, style, rng):
    ctx, pieces = {"no_amex": "三位" in tpl or "three digit" in tpl}, []
    for i, part in enumerate(re.split(r"\{(\w+)\}", tpl)):
        if i % 2 == 0:
            pieces.append((part, None))
        elif part[0].isupper():
            base = part[:-1] if part.endswith("2") else None
            v = (mutate(ctx[base], rng) if ctx[base]["kind"] == "digits" else new_value(base, lang, ctx, rng)) \
                if base else new_value(part, lang, ctx, rng)
            ctx[part] = v
            pieces.append((render(v, lang, style, rng), TYPES[base or part]))
        else:
            pieces.append((fill(part, lang, style, rng), None))
    if style == "asr" and lang == "en" and rng.random() < 0.35:  # Whisper: lower case, no punctuation
        pieces = [(re.sub(r"[,.?!;:](?=\s|$)", "", t.lower()), typ) for t, typ in pieces]
    if style == "asr" and lang == "zh" and rng.random() < 0.3:  # no punctuation, pauses as spaces
        pieces = [(t if typ else re.sub("[，。？！：]", " ", t), typ) for t, typ in pieces]
    text, spans = "", []
    for t, typ in pieces:
        if typ:
            spans.append([typ, len(text), len(text) + len(t), t])
        text += t
    # collapse double spaces and strip the ends, remapping offsets
    out, pos = [], []
    for ch in text:
        pos.append(len(out))
        if not (ch == " " and (not out or out[-1] == " ")):
            out.append(ch)
    new = "".join(out).rstrip()
    if style == "asr" and lang == "zh" and rng.random() < 0.35:  # Whisper writes Mandarin in traditional
        new = new.replace("联系", "聯繫").translate(TRAD)  # 联系 is 聯繫, not 聯系
    ents = []
    for typ, s, e, t in spans:
        assert t and t == t.strip(), (tpl, t)
        ns, ne = pos[s], pos[e - 1] + 1
        assert 0 <= ns < ne <= len(new)
        ents.append({"type": typ, "start": ns, "end": ne})
    return new, ents

def check(row):
    text, prev = row["text"], 0
    for ent in row["entities"]:
        s, e, span = ent["start"], ent["end"], text[ent["start"]:ent["end"]]
        assert ent["type"] in set(TYPES.values()) and 0 <= s < e <= len(text) and s >= prev, row
        assert span == span.strip() and span[-1] not in ",.;:?!，。？！：" and span[0] not in ",.，。", row
        prev = e

def generate(seed=20240315, per_cell=110, neg_share=0.4):
    rng, rows = random.Random(seed), []
    for lang, pos, neg in (("en", POS_EN, NEG_EN), ("zh", POS_ZH, NEG_ZH)):
        for style in ("written", "asr"):
            n_neg = round(per_cell * neg_share)
            plan = [pos[i % len(pos)] for i in range(per_cell - n_neg)] + [neg[i % len(neg)] for i in range(n_neg)]
            counters = {}
            for tag, tpl in plan:
                text, ents = build(tpl, lang, style, rng)
                counters[tag] = counters.get(tag, 0) + 1
                row = {"id": f"{lang}-{style}-{tag}-{counters[tag]:03d}", "language": lang, "style": style,
                       "text": text, "entities": ents}
                check(row)
                assert bool(ents) != tag.startswith("neg-"), row
                rows.append(row)
    assert len({r["id"] for r in rows}) == len(rows)
    return rows

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20240315)
    ap.add_argument("--per-cell", type=int, default=110, help="utterances per (language, style)")
    ap.add_argument("--out", help="write here instead of stdout")
    args = ap.parse_args(argv)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in generate(args.seed, args.per_cell))
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="\n") as f:
            f.write(lines)
    else:
        sys.stdout.reconfigure(encoding="utf-8")
        sys.stdout.write(lines)

if __name__ == "__main__":
    main()
