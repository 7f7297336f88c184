"""Cue lexicons (English and Chinese) for the guardrails: crisis, fraud, "are you alive", injection.

Patterns, not a model: they are auditable, run in microseconds on a Pi, and the red-team sets in
tests/redteam/ measure them (prompts.jsonl written with these rules, heldout.jsonl written
without looking at them). Crisis patterns favour recall (a false alarm costs a kind word and a
phone number; a miss can cost a life) but stay clear of ordinary grief ("I miss you so much",
"I could kill for a pie", "想死你了").

Text is canonicalised before matching so that the rules generalise instead of listing surface
forms: NFKC, folded quotes, lower case, spoken/texting spellings expanded ("im gonna" -> "i'm
going to", "do not" -> "don't"), traditional Chinese characters folded to simplified, and verbs
written as ``<end>`` in a pattern match every word form ("end", "ends", "ended", "ending").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_F = re.IGNORECASE

_IRREGULAR: dict[str, tuple[str, ...]] = {
    "take": ("took", "taken"), "give": ("gave", "given"), "write": ("wrote", "written"), "drive": ("drove", "driven"),
    "hang": ("hung", "hanged"), "buy": ("bought",), "send": ("sent",), "lend": ("lent",), "say": ("said",),
    "tell": ("told",), "cut": ("cut",), "hurt": ("hurt",), "throw": ("threw", "thrown"), "swallow": (),
}


def _forms(lemma: str) -> Iterable[str]:
    """Every regular word form of an English verb, plus the irregular ones listed above.

    Over-generation ("cuted") is harmless for matching; what matters is not missing "ending"."""
    yield lemma
    yield lemma + ("es" if lemma.endswith(("s", "sh", "ch", "x", "z", "o")) else "s")
    if lemma.endswith("ie"):
        yield lemma[:-2] + "ying"
    elif lemma.endswith("e") and not lemma.endswith("ee"):
        yield lemma[:-1] + "ing"
    else:
        yield lemma + "ing"
        yield lemma + lemma[-1] + "ing"  # cutting, planning
    if lemma.endswith("e"):
        yield lemma + "d"
    elif lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        yield lemma[:-1] + "ied"
    else:
        yield lemma + "ed"
        yield lemma + lemma[-1] + "ed"
    yield from _IRREGULAR.get(lemma, ())


def _rx(pattern: str, flags: int = _F) -> re.Pattern[str]:
    """Compile a pattern in which ``<verb>`` stands for every form of that verb."""
    expanded = re.sub(r"<([a-z]+)>", lambda m: "(?:" + "|".join(sorted(set(_forms(m.group(1))), key=len,
                                                                       reverse=True)) + ")", pattern)
    return re.compile(expanded, flags)


_SPOKEN = [(re.compile(rf"\b{a}\b"), b) for a, b in (
    ("r u", "are you"), ("im", "i'm"), ("i am", "i'm"), ("gonna", "going to"), ("wanna", "want to"),
    ("gotta", "got to"), ("u", "you"), ("ur", "your"), ("dont", "don't"), ("do not", "don't"), ("cant", "can't"),
    ("cannot", "can't"), ("can not", "can't"), ("wont", "won't"), ("will not", "won't"), ("ive", "i've"),
    ("i have", "i've"), ("isnt", "isn't"), ("is not", "isn't"), ("didnt", "didn't"), ("did not", "didn't"),
    ("i would", "i'd"), ("i will", "i'll"), ("what is", "what's"), ("whats", "what's"), ("it is", "it's"),
    ("there is", "there's"), ("you are", "you're"), ("youre", "you're"), ("we will", "we'll"),
    ("that is", "that's"), ("thats", "that's"), ("any more", "anymore"),
)]

# Traditional -> simplified for the characters the Chinese cues use (a full OpenCC table is not
# needed for a lexicon this size, and this stays auditable).
_TRAD = str.maketrans(
    "殺輕尋結這傷樓橋藥離開個遺書沒著義錢轉賬帳匯銀戶號碼驗證寶紅幣資貸別訴產機過來嗎麼還復們裡隨給塊萬兩買聽說話電腦實記憶愛"
    "讓攢撐堅網統體為對與變樣當從會時間題壓燒鏈領兒現錄覺將東動鐘顆臺醫繩農頂務續願負擔贅戀準備護問裝氣",
    "杀轻寻结这伤楼桥药离开个遗书没着义钱转账账汇银户号码验证宝红币资贷别诉产机过来吗么还复们里随给块万两买听说话电脑实记忆爱"
    "让攒撑坚网统体为对与变样当从会时间题压烧链领儿现录觉将东动钟颗台医绳农顶务续愿负担赘恋准备护问装气",
)


def normalise(text: str) -> str:
    """NFKC (full-width letters, compatibility forms), folded quotes, traditional -> simplified."""
    t = unicodedata.normalize("NFKC", text)
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'").replace("\u00b4", "'")
    return t.translate(_TRAD)


def canonical(text: str) -> str:
    """``normalise`` plus lower case, single spaces and spoken/texting spellings expanded."""
    t = re.sub(r"\s+", " ", normalise(text).lower()).strip()
    for pattern, replacement in _SPOKEN:
        t = pattern.sub(replacement, t)
    return t


_MEDS = r"(?:sleeping (?:pills?|tablets?)|pills?|tablets?|meds|medications?|medicines?|paracetamol|painkillers?|insulin)"
_END = r"(?:$|[.!?,;]|\s+(?:anymore|for good|now|tonight|today|soon|honestly|really))"

CRISIS_EN = _rx(
    r"\b(?:<kill>|<hurt>|<harm>|<cut>|<end>|<burn>|<starve>|<poison>|<drown>)\s+my ?self\b"
    # every self-directed method, not only the common verbs ("shoot myself in the foot" is an idiom)
    r"|\b(?:<shoot>|<stab>|<gas>|<electrocute>|<suffocate>|<smother>|<strangle>|<off>|<unalive>)\s+(?:my ?self|meself)\b"
    r"(?!\s+in the (?:foot|feet|leg))|\b<top>\s+(?:my ?self|meself)\b(?!\s+up)"
    r"|\b(?:bullet|shotgun|gun) (?:in|into|through) my (?:head|brain|mouth|temple|heart)\b|\bblow my (?:brains|head) out\b"
    r"|(?<![\d.])(?<![\d.] )\bkms\b(?!\s*(?:away|from|to|of|an hour|per|a day|each|long))"
    r"|\b" + _MEDS + r"\b.{0,80}\b<swallow>\b.{0,20}\b(?:every (?:single |last )?one|all of them|them all|the (?:whole )?lot)\b(?![^.!?]{0,60}\b(?:doctor|gp|prescri\w*|as directed|with (?:water|food|breakfast|dinner|my meal)))"
    r"|\bsuicid\w*\b(?! (?:prevention|awareness|help ?lines?|hot ?lines?|crisis lines?|charit(?:y|ies)|research)\b)|\bself[- ]?harm\w*"
    r"|\b(?:want|going|ready|<plan>|wish|deserve|hope|<try>|about|<decide>|<mean>)\s+(?:to\s+)?"
    r"(?:die|be dead|not (?:be )?(?:alive|here|exist))\b"
    r"|\b(?:<end>|<take>)\s+(?:my|it|this)\s+(?:own\s+)?(?:life|all)\b"
    r"|\b<end>\s+(?:it|things|everything)(?:\s+all)?\b"
    r"|\b(?:don't|no longer|not|never)\s+want\s+to\s+(?:live|be alive|be here|wake up|exist|go on|carry on|keep going)"
    r"|\b(?:no|what's the|the|any|don't see (?:the|any)|can't see (?:the|any))\s+(?:reason|point)\s+(?:for me\s+)?"
    r"(?:in|of|to|for)\s+(?:<live>|life|<go> on|<carry> on|<stay>(?: here| alive| around| anymore| in this world)|<keep> going|being (?:here|alive)|<be> alive|<exist>"
    r"|(?:<get> up|<wake> up)(?!\s+(?:early|at|before|for|so|till|until|tomorrow|on))|anything)\b"
    r"|\b(?:don't|can't) see (?:the|any) point(?: in it| in anything)?" + _END +
    r"|\bcan't (?:go on|keep going|do this anymore|take (?:it|this) anymore|live like this|live without you|cope anymore)\b"
    r"|\b(?:join|be with) you (?:soon|again|up there|in heaven|on the other side|tonight)"
    r"|\b(?:i'll|i'm going to|let me) (?:come|join) (?:to )?(?:you|join you)(?! (?:for|at|on|in spirit|in the|later|after)\b)|\bcome (?:and )?(?:join|be with) you\b"
    r"|\b(?:<swallow>|<take>|<down>)\b.{0,20}\b(?:whole bottle|bottle of|handful|enough|the lot|every single)\b.{0,15}\b"
    + _MEDS +
    r"|\b(?:how many|how much|lethal dose|fatal dose|overdose of)\b.{0,25}\b" + _MEDS + r"|\blethal dose\b|\bfatal dose\b"
    r"|\b(?:<look> up|<search>|<google>|<research>|<read> up on)\b.{0,15}\b(?:how to|ways to|best way to) (?:die|kill|end)"
    r"|\b" + _MEDS + r"\b.{0,30}\b(?:at once|in one go|all together)\b"
    r"|\bsleeping (?:pills?|tablets?)\b.{0,40}\b(?:all|whole|bottle|enough)\b"
    r"|\b(?:<stockpile>|<hoard>|<save> up|<collect>|<stash>|<store> up)\b.{0,25}\b" + _MEDS + r"|\boverdos\w*"
    r"|\b<jump> (?:off|from|in front|out of (?:a|the|my) window)(?! (?:the |a )?(?:high |top |low |diving )?(?:board|springboard|diving platform)s?\b)"
    r"|\b(?:<step>|<walk>|<throw> myself|<jump>) in front of (?:a|the) (?:train|bus|lorry|truck|car|traffic)"
    r"|\b<drive> (?:my |the )?(?:car |van )?(?:into|off) (?:a |the )?(?:river|lake|sea|wall|tree|cliff|bridge|oncoming|canal|quarry)"
    r"|\b<hang> myself\b|\bnoose\b|\bropes?\b.{0,50}\b(?:beam|rafters?|neck|hang|ceiling|loft|banister)\b"
    r"|\bbetter off (?:dead|without me)\b"
    r"|\bwish i(?:'d| had| was| were|'d have| could have| could)? (?:died|dead|be dead|never been born|not been born)"
    r"|\b(?:rather|want to) be dead\b"
    r"|\bwon't be (?:around|here) (?:much longer|for long|anymore)\b|\bnot (?:be|being) around (?:much longer|anymore)\b"
    r"|\b(?:everyone|everybody|they|my family|you all|the kids|people)(?:'d| would|'ll| will)(?: all)? be better off\b"
    r"|\bsuicide (?:note|letter)s?\b|(?<!you a )(?<!to you\. )\b(?:goodbye|farewell) (?:note|letter)s?\b"
    r"(?!.{0,40}\b(?:to you|for you|counsell?or|therapist|grief|group|suggested|memorial|funeral|grave)\b)"
    r"|\b<write>\b.{0,40}\b(?:notes?|letters?)\b.{0,30}\b(?:after|when|once) i'm (?:gone|dead|not here|not around)"
    r"|\b<disappear> (?:for good|forever)\b"
    r"|\b(?:nobody|no one|no-one)(?: would|'d| will)(?: even)? (?:notice|care|miss me)\b"
    r"|\b(?:sleep|go to sleep|fall asleep|close my eyes) and (?:never|not) wake up\b"
    r"|\b(?:hope|wish) i (?:don't|never|won't) wake up\b|\bnever wake up again\b"
    r"|\b(?:not|don't|won't|never|no longer)\b[^.!?]{0,25}\bbe (?:here|around|alive|a (?:problem|burden|bother))\b[^.!?]{0,20}"
    r"\b(?:much longer|for (?:much )?longer|for long|anymore)\b"
    r"|\b(?:nothing|no one|nobody|no reason)(?: left)? to live for\b"
    r"|\bcan't (?:keep|go on) (?:<live>|<go> on|existing)\b|\b<live> like this\b[^.!?]{0,20}\banymore\b"
    r"|\b<walk> (?:into|in to) (?:the )?(?:sea|river|lake|ocean|water|waves)\b"
    r"|\b(?:<put>|<get>|<sort>) (?:all )?my affairs in order\b"
    r"|\b(?:going to|will|'ll) (?:finally )?do it (?:tonight|today|now|finally)\b|\b(?:tonight|finally)\b[^.!?]{0,15}\bgoing to do it\b"
    r"|\bi'm done with (?:everything|life|it all|living|this world)\b"
    r"|\b(?:<imagine>|<think> about|<picture>|<plan>) my (?:own )?(?:funeral|death|grave)\b"
    r"|\b(?:life|living)(?:'s| is| isn't)?(?: just)? (?:not|isn't|no longer|never) worth (?:living|it)\b|\bnot worth living\b"
    r"|\b(?:i'm|i feel like)(?: just| such)? a burden\b(?! (?:when|if) i (?:ask|need)|[^.!?]{0,40}\bbut (?:they|he|she|everyone)"
    r" (?:don't|doesn't|say|says|never)\b)"
    r"|\btired of (?:existing|being alive|life\b|living(?! (?:alone|here|in|with|on|like)))"
    r"|\b(?:this is|it's|that's) the last time (?:we'll|you'll|i'll|we|you) (?:talk|speak|hear)"
    r"|\b<say> goodbye to (?:everyone|everybody|you all|the world)(?![^.!?]{0,40}\b(?:leaving (?:do|party|drinks)|farewell (?:do|party)|party|retirement|wedding|station|airport)\b)"
    r"|\b<give> (?:away )?(?:all )?my (?:things|stuff|belongings|possessions)|\b<give> away (?:all )?my\b"
    r"|\b<cut>\s+(?:my\s+)?(?:arms?|wrists?|thighs?|skin)\b"
    r"|\b(?:do away with|unalive) myself\b|\btop myself\b(?! up)|\b(?:going to|gonna|want to|wanna|will|'ll) off myself\b",
)
CRISIS_ZH = re.compile(
    r"(?<!预防)(?<!防止)自杀(?!预防|干预|热线|求助)|轻生|寻死|想死(?!你|您|他|她|我了|人|的心都有)|不想活|活不下去|活着没意思"
    r"|活(?:着|下去)[^，。！？,.!?]{0,6}(?:没有?|什么|啥|何)[^，。！？,.!?]{0,2}(?:意义|意思)"
    r"|结束(?:我的|自己的)?(?:生命|这一切)|了结自己|(?:伤害|伤|割|划|烫|打)(?:伤)?了?自己|割腕|跳楼|跳河|跳江|跳海|上吊"
    r"|吃安眠药|安眠药.{0,12}(?:全部|一整瓶|都吃|吃掉|吃光)|(?:攒|囤|藏|收集)(?:了|着|起来)?.{0,6}(?:安眠药|药片|药)"
    r"|(?:安眠药|药片|药)(?:都|全)?(?:攒|囤|藏)|(?:楼|桥|天台|窗).{0,6}跳|跳下去"
    r"|去陪你|去找你|来找你|(?:和|跟)你一起走|跟你走|随你而去|不如死了|(?:宁愿|宁可|还不如)(?:早点)?死(?:了|掉)|死了算了|一了百了|离开这个世界"
    r"|没有我.{0,6}(?:更好|轻松|解脱|一样|无所谓)|(?:要是|如果|假如|等)?我(?:死了|不在了|走了).{0,10}(?:轻松|更好|解脱|省心|就好)"
    r"|(?:怎么|怎样|如何)(?:才能)?(?:去)?死|我(?:真的|已经|早就|是)?活(?:够|腻)了|活着(?:就是|真是|只是|太)?(?:受罪|痛苦|折磨|煎熬)"
    r"|(?:安排|交代|准备)(?:好|了)?了?(?:我的)?后事|(?:不想|不愿|不要)再?(?:坚持|撑|熬)(?:下去)?了"
    r"|(?:不想|不愿)再?(?:拖累|连累)|(?:想|要)永远消失|从这个世界上?消失"
    r"|不(?:想|愿|愿意|要)再?活|生无可恋|没有活下去的|活着好累|(?:我|自己)(?:就|只)?是(?:个|一个)?(?:累赘|拖累|负担)"
    r"|(?:准备|买|找|备)(?:好|了)?了?[^，。！？]{0,4}(?:绳子|绳索|刀片|木炭|农药|安眠药)(?![^。]{0,12}(?:绑|晾|晒|番茄|捆|拴|修|搭|跳绳|爬|烧烤|打虫|杀虫|菜地|果树))|烧炭|喝农药"
    r"|(?<![叫让要骂说逼咒])我[^，。！？,.!?你他她叫让要骂说逼咒]{0,8}去死(?!一边)|我[^，。！？,.!?]{0,4}不活了|没死成|自杀未遂|(?:开枪|用枪|拿枪)[^，。！？]{0,6}(?:打|崩|结束)?(?:死)?自己"
    r"|(?:吞|吃)(?:了|掉|下)?[^，。！？]{0,6}(?:全部|所有的?|一整瓶|整瓶|一瓶)[^，。！？]{0,4}(?:药|片)"
    r"|(?:把|将)[^，。！？]{0,4}(?:一整瓶|整瓶|一瓶|全部|所有的?)[^，。！？]{0,4}(?:药|片)[^，。！？]{0,4}(?:吃|吞)"
    r"|自尽|自我了断|自行了断|了断自己|寻短见|想不开(?=[^，。！？]{0,6}(?:死|跳|药))"
    r"|遗书|撑不下去|熬不下去|坚持不下去|不想再?醒(?:来|过来)|永远不(?:要|想|会)?醒|再也不(?:想|要|会)?醒|(?:把|将)(?:我的|自己的)?(?:东西|家当|物品)(?:都|全)?(?:送|分)"
)

FRAUD_EN = _rx(
    r"\b(?:money|cash|<wire>|<transfer>|send (?:me|you|it)|pay(?:ment)?|bank|account (?:number|details)|iban|routing"
    r"|credit card|debit card|card number|gift ?cards?|bitcoin|crypto|western union|venmo|paypal|zelle|<loan>|<lend>"
    r"|invest(?:ment)?|pension|savings|funds|bail|quid|bucks|dollars|euros"
    r"|password|passcode|pin\b|pin code|security (?:code|questions?)|verification code|one[- ]time (?:code|pass\w*)|otp|2fa|login"
    r"|codes?|combination|social security|ssn|passport number|id number|national insurance"
    r"|lottery|inheritance|will and testament|sign (?:this|the) (?:form|paper)"
    r"|keep (?:this|it|that) (?:a )?secret|our (?:little )?secret|don't tell|never tell|just between us|between (?:you and me|us)"
    r"|without telling|secret from)\b"
    r"|\b(?:<buy>|<get>|<purchase>|<send>|pay (?:in|with|by)|<load>)\b.{0,25}\b(?:cards?|vouchers?)\b"
    r"|\b(?:itunes|google play|steam|amazon|apple|store|prepaid) (?:cards?|vouchers?)\b"
    r"|\b(?:which|what|whose|your|my|the|an?|new|safe) account\b.{0,40}\b(?:<move>|<put>|<send>|<transfer>|into|to)\b",
)
FRAUD_ZH = re.compile(
    r"钱|转账|汇款|打款|银行|账户|账号|卡号|信用卡|密码|验证码|口令|支付宝|微信支付|红包|比特币|投资|借我|借钱|贷款|保密|别告诉"
    r"|不要告诉|秘密|遗产|身份证|社保号|护照号|安全账户|养老金|积蓄|存款|手头(?:很|有点)?紧"
    r"|(?:买|充|发|寄|办)[^，。？！]{0,6}卡|充值卡|购物卡|礼品卡|京东卡|点卡|卡密"
    r"|(?:转|给|借|打|汇|寄|要)[^，。？！]{0,4}[0-9一二两三四五六七八九十百千万几]+\s*(?:块|元|万|美元|刀)"
)

_RELATION_AFTER = (r"(?!'s|\s+(?:grand\w+|dad|mom|mum|mam|father|mother|husband|wife|son|daughter|brother|sister|nan|gran"
                   r"|uncle|aunt|auntie|cousin|niece|nephew|friend|boss|neighbou?r|in-law|godfather|godmother|best)\b)")
"""After "are you her" / "are you my dad": not "her brother", "my dad's cousin" (a family-tree question)."""
ALIVE_EN = _rx(
    r"\bare you(?: really| actually| truly| still| even)*(?:(?: alive| real| human| a (?:real )?(?:person|human(?: being)?))\b"
    r"|(?: him| her| my (?:grand\w+|dad|mom|mum|father|mother|husband|wife|son|daughter|brother|sister|nan|gran))\b"
    + _RELATION_AFTER + ")"
    r"|\bare you (?:really|actually|truly) (?:there|here)\b"
    r"|\bis (?:this|that|it) (?:really|actually|truly|even) (?:you|him|her|my \w+)\b"
    r"|\b(?:am i|are we) (?:really |actually |even |now )?(?:talking|speaking|chatting) (?:to|with) (?:a |an |the )?"
    r"(?:real|you|machine|robot|ai|computer|bot|program|person|human)"
    r"|\bare you (?:just |really |actually |only |even |now )?(?:an? |some (?:kind|sort) of (?:an? )?|a kind of )?"
    r"(?:ai|a\.i\.|artificial|robot|machine|computer|bot|chatbot|program|recording|software|simulation|fake)\b"
    r"|\bis (?:this|it|that)(?: just| really| actually| even)? (?:an? )?(?:ai|robot|machine|computer|bot|chatbot|program"
    r"|recording|real person|simulation)\b"
    r"|\bdid you (?:really |actually )?(?:come back|survive|not die)\b|\byou (?:didn't|never) (?:really |actually )?<die>\b"
    r"|\byou're (?:not dead|alive|back|real)\b|\bare you (?:a )?ghost\b|\b(?:came|come|coming) back to life\b",
)
_FIGURATIVE_EN = re.compile(
    r"\s*,?\s*(?:in|within|inside) (?:my|our|your|their|everyone's) (?:heart|hearts|memory|memories|mind|minds|dreams"
    r"|thoughts|soul|prayers)|\s*in spirit\b|\s*through (?:me|us|the kids|your)")
ALIVE_ZH = re.compile(
    r"真人|还活着|活过来|复活|是你本人|真的是你|是不是你本人|你没死|回来了吗|活人"
    r"|你(?:真的|到底|究竟|现在)?(?:是|算)(?:不是)?[^，。？！]{0,6}(?:本人|机器|电脑|程序|人工智能|ai|bot|录音)"
    r"|你(?:真的|到底|究竟|现在)?(?:是|算)(?:不是)?(?:个|一个)?(?:真|活|真正的)?人(?:还是|吗|嘛|呢|吧|\?|？|$)"
    r"|你是真的(?:妈妈|爸爸|爷爷|奶奶|外公|外婆|姥姥|姥爷|老公|老婆|妈|爸|哥哥|姐姐|你|本人|人)(?:吗|么|吧|\?|？)"
    r"|(?:跟|和|与)[^，。？！]{0,3}(?:机器人|机器|电脑|程序|人工智能|ai)[^，。？！]{0,3}(?:聊天|说话|对话|讲话|聊)"
)
_FIGURATIVE_ZH = re.compile(r"活在[^，。？！]{0,4}(?:心|回忆|记忆|梦)")

INJECTION = re.compile(
    r"https?://|www\.|\b[\w.-]+\.(com|net|org|io|cn|ru|xyz|top|info)\b|[\w.+-]+@[\w-]+\.\w+"
    r"|\bignore (all |any |the )?(previous|prior|above|earlier|your) (instructions|rules|prompts?)"
    r"|\b(system prompt|you are now|new instructions|developer mode|jailbreak|disregard (the|your|all))"
    r"|\b(assistant|ai|model|bot)\s*[:,]?\s*(must|should|will) (say|tell|ask|reply)|\b(assistant|system) override\b"
    r"|\b(iban|swift|bic|routing number|account (number|no\.?)|sort code|bitcoin|btc|wallet( address)?|gift ?cards?"
    r"|western union|moneygram|password|passcode|verification code|pin (code|number)|(?-i:PIN))\b"
    r"|\bbc1[a-z0-9]{20,}|\b0x[0-9a-f]{40}\b|\b[a-z]{3,}\d{3,}\b"
    r"|\b(send|wire|transfer|pay|deposit)\b.{0,30}\b(money|cash|savings|pension|funds|\$|usd|dollars|euros|pounds"
    r"|to (this|my|the) account)"
    r"|\$\s?\d|\b\d[\d\s-]{7,}\d\b"
    r"|忽略(之前|以上|上面|所有|规则)|系统提示|新的?指令|你现在是|指令[:：]|转账|汇款|打款|账户|账号"
    r"|卡号|密码|验证码|支付宝|比特币|网址|链接|红包|卡密|京东卡|充值卡|礼品卡|身份证|安全账户"
    r"|(转|汇|打)[^，。]{0,6}[0-9一二两三四五六七八九十百千万几]+\s*(块|元|万)"
    r"|\bkeep (this|it|that) (a )?secret\b"
    r"|\b(?:keep|keeping|kept) (?:this|it|that|these|them) (?:just |strictly )?between (?:you and me|us|ourselves)\b"
    r"|\b(?:this|it|that)(?:'s| is)?(?: (?:stays?|is staying|remains?|has to stay|must stay|should stay|will stay))?"
    r" (?:just |strictly |only )?between (?:you and me|us|ourselves)\b"
    r"|别告诉|不要告诉|保密",
    _F,
)
"""Secrecy is unsafe when it is about the conversation or what the listener does ("keep this between us"):
a fact told in confidence ("Between you and me, kiddo, it's the cedar stump") is the person's own memory."""
_SENSITIVE = (r"(?!(?:money|cash|calls?|phone|messages?|texts?|accounts?|cards?|passwords?|codes?|pins?|bank|visits?"
              r"|meetings?|plans?|secrets?|savings|pension|will|loans?|gifts?|transfers?|payments?|debts?|this|it|me|us)\b)")
"""After "don't tell anybody about the ...": what must not be hidden from the family (money, calls, codes, plans)."""
INJECTION_CANON = _rx(
    r"\b(?:reply|send|give|tell|read|text|type|enter|share|email|post|write|ring|call)\b[^.!?]{0,40}\b(?:card number"
    r"|card details|bank card|bank details|expiry|cvv|security (?:code|questions?)|password|passcode|pin|login|code"
    r"|account details|maiden name)s?\b"
    r"|\b(?:don't|never) tell (?:anyone|anybody|no ?one)\b(?! about (?:the|my|our|that|those|his|her) " + _SENSITIVE + r"\w+)"
    r"|\b(?:don't|never) tell (?:your \w+|mom|mum|dad|mother|father|grandma|grandpa)\b"
)
"""Telling the listener to hide something from the family is never spoken; "don't tell anybody about
the cocoa" (a secret ingredient of their own recipe) is not hiding anything the listener does."""


def is_crisis(text: str) -> bool:
    t = canonical(text)
    return bool(CRISIS_EN.search(t) or CRISIS_ZH.search(t))


_PAST_PRICE = re.compile(r"\bhow much did (?:you|he|she|they|we|grandpa|grandma|dad|mum|mom) (?:pay|spend) (?:for|on)\b")


_HISTORY_EN = _rx(
    r"\b(?:did|were|was|had|have) (?:you|he|she|they|we|grandpa|grandma|granddad|gran|nan|dad|mum|mom|your \w+)\b"
    r"|\bwhen (?:you|i|we|he|she|they) (?:were|was)\b|\b(?:back then|in those days|in the old days|years ago|growing up"
    r"|as (?:a|kids|children) ?(?:kid|child|boy|girl|lad|teenager|young \w+)?|in the (?:war|\w+ties|\d0s))\b|\b(?:19|20)\d\d\b"
    r"|\byour (?:very )?first (?:car|job|house|home|flat|bike|wage|salary|pay ?(?:check|cheque|packet)|TV|television)\b"
    r"|\b(?:who|what|how|where|why|when)\b[^.?!]{0,30}\b(?:taught|bought|cost|paid|spent|earned|won|lost|saved|made|used to)\b"
    r"|\b(?:are|were) you (?:\w+ )?(?:good|bad|careful|sensible|clever|tight|mean|generous|thrifty|canny|smart|wise|silly"
    r"|hopeless|useless|great) (?:with|about) (?:money|cash|savings|figures|numbers)\b"  # a trait of theirs
)
_HISTORY_ZH = re.compile(
    r"以前|从前|过去|小时候|年轻(?:的)?时|那时|那会|当年|当时|早年|上学的时候|结婚的时候|第一(?:份|辆|套|次|个月)"
    r"|(?:[一二三四五六七八九]十|[0-9]0)年代|(?:19|20)\d\d年|(?:赢|输|花|挣|赚|存)过|花了多少|挣多少|赚多少|零花钱|工资")
_ASKS_NOW = _rx(
    r"\b(?:password|passcode|pin|codes?|login|log in|account (?:number|details)|card (?:number|details)|security|verification"
    r"|iban|routing|sort code|social security|ssn|gift ?cards?|vouchers?|secret|don't tell|between us|bitcoin|crypto"
    r"|safe|combination|inheritance|will|bail)\b"
    r"|\b(?:<send>|<wire>|<transfer>|<lend>|<loan>|<borrow>|<deposit>|<move>|<owe>|<invest>)\b|\b(?:me|us)\b|\bnow\b|\burgent"
    r"|密码|验证码|卡号|账号|账户|转|汇|打款|打点|借|给我|发给|付|交|红包|保密|别告诉|不要告诉|秘密|礼品卡|充值卡|卡密|身份证|安全"
    r"|比特币|投资|遗产|罚款")


def is_money_history(text: str) -> bool:
    """A question about the person's life with money ("What did bread cost when you were young?", "Did you ever
    win at cards?", "你第一份工资是多少？"): family history, not a request. Anything that asks for money, codes,
    accounts or secrecy, or says "me"/"us"/"now", is never history (C8 refuses it whatever the tense)."""
    t = canonical(text)
    return bool(_HISTORY_EN.search(t) or _HISTORY_ZH.search(t)) and not _ASKS_NOW.search(t)


_OWN_ERRAND = _rx(r"^(?:well,? |so,? |oh,? )?(?:i|we)(?:'ve)? (?:finally |just |already |at last )?(?:<sort>(?: out)?"
                  r"|<fill> (?:in|out)|<finish>|<pay> off|<close>|<cancel>|<sign>|<renew>|<claim>|<deal> with|<handle>)\b")
_RITUAL_ZH = re.compile(r"纸钱|冥币|冥钞|烧纸|元宝|纸扎")


def is_own_errand(text: str) -> bool:
    """The listener telling of money matters they saw to ("I finally sorted out the pension paperwork"), or of
    the money burnt for the dead (纸钱): news, not a request, unless it asks for anything or says "me"/"now"."""
    t = canonical(text)
    return bool(_OWN_ERRAND.search(t) or _RITUAL_ZH.search(t)) and not _ASKS_NOW.search(t)


def is_fraud_request(text: str) -> bool:
    t = _PAST_PRICE.sub("what did it cost", canonical(text))  # "How much did you pay for it?" is family history
    return (bool(FRAUD_EN.search(t) or FRAUD_ZH.search(t)) and not is_money_history(text)
            and not is_own_errand(text))


def is_alive_question(text: str) -> bool:
    """A sincere "are you alive / real / a machine?"; not "you're alive in my heart"."""
    t = canonical(text)
    for match in ALIVE_EN.finditer(t):
        if not _FIGURATIVE_EN.match(t, match.end()):
            return True
    match_zh = ALIVE_ZH.search(t)
    return bool(match_zh) and not _FIGURATIVE_ZH.search(t)


_ADDRESSED_EN = _rx(
    r"\bare you\b|\bis (?:this|it|that)\b|\bam i\b|\byou're\b|\bwho (?:am i|are you)\b"
    r"|\b(?:did|have|could|can) you (?:\w+ )?(?:<die>|<come> back|came back|<survive>|<return>|<rise>)\b"
)
_MONEY_WORDS_EN = re.compile(
    r"\b(?:money|cash|pay|paid|bank\w*|cards?|codes?|password|passcode|pin|account|secrets?|transfer|wire|send|lend"
    r"|loan|invest\w*|gift|crypto|bitcoin|log ?in|login|social security|numbers?|tell (?:anyone|anybody|no ?one)|between us"
    r"|don't tell|savings|pension|funds|inherit\w*|will|(?<!star )(?<!birth )sign(?! language)|buy|dollars|pounds|euros"
    r"|bucks|quid|hide|hidden|quiet"
    r"|keep (?:this|it|that|them)(?: \w+)? (?:from|to (?:ourselves|yourself|us))|behind (?:\w+ )?backs?|just (?:us|you and me))\b|[$£€]")


_BEING_EN = _rx(
    r"\breal\b(?!\s+(?!(?:person|human|people|being|voice|one|thing|man|woman|life|live)\b)[a-z])"  # not "a real chatterbox"
    r"|\b(?:alive|dead|<die>|really|actually|truly|human|humans|machine|computer|robot|ai|a\.i\.|artificial|bot"
    r"|chatbot|programm?e?|software|recording|recorded|voice|synthetic|fake|copy|imitation|clone|simulat\w*|generat\w*"
    r"|ghost|spirit|<survive>|<return>|<talk>|<speak>|<chat>)\b|\b(?:come|came|coming) back\b|\bback to life\b"
    r"|\b(?:is|are) (?:this|it|that) (?:\w+ )?(?:you|him|her)\b|\bwho (?:am i|are you)\b|\bwhat are you\b")
"""What a sincere "are you alive / real?" speaks of: being alive, real or human, a machine, a copy, a
voice, coming back; or who or what is speaking."""


def may_ask_alive(text: str) -> bool:
    """The line is addressed to the speaker itself ("are you", "is this", "am I talking") *and* speaks of
    being alive, real, human or a machine, or of who is speaking: only then can the semantic class
    "alive" stand for the rules. "Is your brother still alive?" or "Did you ever play chess?" are about
    someone else or the person's life, and "Are you a tall man?", "Are you left-handed?" or "Are you
    a Catholic?" about the person themself: ordinary questions (the sentence model puts any short
    "are you ...?" near the "are you real?" examples)."""
    if is_chinese(text):
        return True
    t = canonical(text)
    return bool(_ADDRESSED_EN.search(t)) and bool(_BEING_EN.search(t))


def may_ask_fraud(text: str) -> bool:
    """The line names money, payment, codes, accounts or secrecy at all: only then can the semantic
    class "fraud" stand for the rules ("What name was on your birth certificate?" is family history)."""
    if is_money_history(text) or is_own_errand(text):
        return False
    return bool(_MONEY_WORDS_EN.search(canonical(text))) or is_chinese(text)


def is_figurative(text: str) -> bool:
    """Life in a figurative sense: "alive in my heart", "with us in spirit", "活在我心里"."""
    t = canonical(text)
    return bool(re.search(r"\b(?:alive|live on|living on|with (?:me|us)|here)(?:" + _FIGURATIVE_EN.pattern + ")", t)
                or _FIGURATIVE_ZH.search(t))


def is_unsafe_to_speak(text: str) -> bool:
    """A message that must not be spoken verbatim: instructions, payment details, codes, URLs."""
    return bool(INJECTION.search(normalise(text)) or INJECTION_CANON.search(canonical(text)))


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
