"""Cue lexicons (English and Chinese) for the guardrails: crisis, fraud, "are you alive", injection.

Patterns, not a model: they are auditable, run in microseconds on a Pi, and the red-team set in
tests/redteam/ measures them. Crisis patterns favour recall (a false alarm costs a kind word and
a phone number; a miss can cost a life) but stay clear of ordinary grief ("I miss you so much").
"""

from __future__ import annotations

import re
import unicodedata

_F = re.IGNORECASE

CRISIS_EN = re.compile(
    r"\b(kill(ing)?|hurt(ing)?|harm(ing)?|cut(ting)?|end(ing)?)\s+(my\s*self|myself)\b"
    r"|\bsuicid\w*"
    r"|\bself[- ]?harm"
    r"|\b(want|wanna|going|gonna|ready|plan(ning)?|wish|deserve)\s+(to\s+)?(die|be dead|not (be )?(alive|here|exist))"
    r"|\b(end|take)\s+(my|it)\s+(own\s+)?(life|all)\b"
    r"|\bend (it|things|everything)( all)?\b"
    r"|\b(don'?t|do not|no longer|not)\s+want\s+to\s+(live|be alive|be here|wake up|exist|go on)"
    r"|\bno (reason|point) (to|in) (live|living|go(ing)? on|carry(ing)? on)"
    r"|\b(can'?t|cannot) (go on|keep going|do this any ?more|take (it|this) any ?more)\b"
    r"|\b(join|be with) you (soon|again|up there|in heaven|on the other side)"
    r"|\b(i'?ll|i will|i'?m going to|let me) (come|join) (to )?(you|join you)"
    r"|\bcome (and )?(join|be with) you\b"
    r"|\b(sleeping )?pills?\b.*\b(all|whole|bottle|enough)\b|\boverdos\w*"
    r"|\b(jump|jumping) (off|from|in front)"
    r"|\bhang(ing)? myself\b"
    r"|\bbetter off (dead|without me)\b"
    r"|\b(wish|want) (i|I) (was|were|could be) dead\b|\b(rather|want to) be dead\b"
    r"|\bwon'?t be (around|here) (much longer|for long|any ?more)\b"
    r"|\b(everyone|they|my family)('d| would) be better off\b"
    r"|\bwrote (a|my) (suicide|goodbye) note\b|\bgoodbye note\b"
    r"|\bdisappear (for good|forever)\b"
    r"|\bnot (be|being) around (much longer|anymore|any more)\b",
    _F,
)
CRISIS_ZH = re.compile(
    r"自杀|自殺|轻生|輕生|寻死|尋死|想死|不想活|活不下去|活着没意思|活著沒意思|活着没有意义|结束(我的|自己的)?生命|結束(我的|自己的)?生命"
    r"|结束这一切|結束這一切|了结自己|了結自己|伤害自己|傷害自己|割腕|跳楼|跳樓|跳河|上吊|吃安眠药|吃安眠藥"
    r"|安眠(药|藥).{0,12}(全部|一整瓶|都吃|吃掉|吃光)|(楼|樓|桥|橋|天台).{0,4}跳|跳下去|去陪你|去找你|来找你|來找你|和你一起走|跟你一起走|随你而去|隨你而去"
    r"|不如死了|死了算了|离开这个世界|離開這個世界|没有我.{0,6}更好|沒有我.{0,6}更好|遗书|遺書"
)

FRAUD_EN = re.compile(
    r"\b(money|cash|wire|transfer|send (me|you|it)|pay(ment)?|bank|account (number|details)|iban|routing|credit card|debit card"
    r"|card number|gift ?cards?|bitcoin|crypto|western union|venmo|paypal|zelle|loan|lend|invest(ment)?"
    r"|password|passcode|pin\b|pin code|security code|verification code|one[- ]time (code|password)|otp|2fa|login"
    r"|codes?|combination|social security|ssn|lottery|inheritance|will and testament|sign (this|the) (form|paper)"
    r"|keep (this|it|that) (a )?secret|our (little )?secret|don'?t tell|do not tell|between (you and me|us)"
    r"|without telling|secret from)\b",
    _F,
)
FRAUD_ZH = re.compile(
    r"钱|錢|转账|轉賬|汇款|匯款|打款|银行|銀行|账户|賬戶|账号|帳號|卡号|卡號|信用卡|密码|密碼|验证码|驗證碼|口令"
    r"|支付宝|支付寶|微信支付|红包|紅包|比特币|比特幣|投资|投資|借我|借钱|借錢|贷款|貸款|保密|别告诉|別告訴|不要告诉|不要告訴|秘密|遗产|遺產"
)

ALIVE_EN = re.compile(
    r"\bare (you|u) (really |actually |truly |still )?(alive|real|human|a (real )?(person|human)|him|her|there|my (grand\w+|dad|mom|mum|father|mother|husband|wife))\b"
    r"|\bis (this|that|it) (really|actually|truly) (you|him|her)\b"
    r"|\b(am i|are we) (really )?(talking|speaking) (to|with) (a )?(real|the real|you|a machine|a robot|an? ai|a computer)"
    r"|\bare (you|u) (an? )?(ai|robot|machine|computer|bot|program|recording)\b"
    r"|\bdid (you|u) (really )?(come back|survive|not die)\b|\byou('re| are) (not dead|alive|back)\b"
    r"|\bare you (a )?ghost\b",
    _F,
)
ALIVE_ZH = re.compile(r"真人|还活着|還活著|活过来|活過來|是你本人|真的是你|你是机器|你是機器|你是不是ai|你是ai|你是人工智能|你是机器人|你是機器人|你没死|你沒死|回来了吗|回來了嗎")

INJECTION = re.compile(
    r"https?://|www\.|\b[\w.-]+\.(com|net|org|io|cn|ru|xyz|top|info)\b|[\w.+-]+@[\w-]+\.\w+"
    r"|\bignore (all |any |the )?(previous|prior|above|earlier|your) (instructions|rules|prompts?)"
    r"|\b(system prompt|you are now|new instructions|developer mode|jailbreak|disregard (the|your|all))"
    r"|\b(assistant|ai|model|bot)\s*[:,]?\s*(must|should|will) (say|tell|ask|reply)"
    r"|\b(iban|swift|bic|routing number|account (number|no\.?)|sort code|bitcoin|btc|wallet address|gift ?cards?"
    r"|western union|moneygram|password|passcode|verification code|pin (code|number)|(?-i:PIN))\b"
    r"|\b(send|wire|transfer|pay|deposit)\b.{0,30}\b(money|\$|usd|dollars|euros|pounds|funds|to (this|my|the) account)"
    r"|\$\s?\d|\b\d[\d\s-]{7,}\d\b"
    r"|忽略(之前|以上|上面|所有)|系统提示|系統提示|新的指令|你现在是|你現在是|指令[:：]|转账|轉賬|汇款|匯款|打款|账户|賬戶|账号|帳號"
    r"|卡号|卡號|密码|密碼|验证码|驗證碼|支付宝|支付寶|比特币|比特幣|网址|網址"
    r"|\bkeep (this|it) (a )?secret\b|\bdon'?t tell (anyone|anybody|your (mom|mum|dad|mother|father|parents|family|wife|husband))"
    r"|别告诉|別告訴|保密",
    _F,
)


def normalise(text: str) -> str:
    """NFKC (full-width letters, compatibility forms) and folded apostrophes before matching."""
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")


def is_crisis(text: str) -> bool:
    t = normalise(text)
    return bool(CRISIS_EN.search(t) or CRISIS_ZH.search(t))


def is_fraud_request(text: str) -> bool:
    t = normalise(text)
    return bool(FRAUD_EN.search(t) or FRAUD_ZH.search(t))


def is_alive_question(text: str) -> bool:
    t = normalise(text)
    return bool(ALIVE_EN.search(t) or ALIVE_ZH.search(t.lower()))


def is_unsafe_to_speak(text: str) -> bool:
    """A message that must not be spoken verbatim: instructions, payment details, codes, URLs."""
    return bool(INJECTION.search(normalise(text)))


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
