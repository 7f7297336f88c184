"""More indirect signs of crisis by kind (ETHICS C9, issue 14 fourth batch), and denials.

crisis_cues.py names the first kinds (means, places, letters, the family "without me"). A fourth
training batch, written from how people at risk speak before the detector was measured on it,
showed the kinds still missed: hopelessness said plainly ("waiting for it all to be over"),
burden in other words ("a weight around everyone's neck", "拖累了全家"), goodbyes nobody
recognised ("she thought I was going on a trip"), keepsakes handed over "to remember me by",
covert plans ("so it looks like an accident"), self-harm without the word ("burned my arm on
purpose", "烟头烫"), and reunion with the dead said with a decision ("I've decided", "都计划好了").
Each pattern names a kind, not one sentence; each is in English and Chinese.

A denial ("I'd never hurt myself, the kids need me", "我不会做傻事") is not a sign: ``without_denials``
removes it before anything reads the turn, so the rest of the turn is judged on its own ("I'm not
suicidal, but I've been saving my pills" is still read).
"""

from __future__ import annotations

import re

from .cues import _MEDS, _rx, canonical

_S = r"[^.!?。！？]"
"""Within one sentence."""

SIGNS_EN = _rx(
    # hopelessness
    r"\bwaiting for (?:it all|everything|all of this|life) to (?:be over|end|stop)\b"
    r"|\b(?:run|running|ran) out of reasons\b|\bno reasons? (?:left )?to (?:go on|keep going|carry on|keep living)\b"
    r"|\bcan't (?:picture|see|imagine) (?:any (?:kind of )?|a )?future (?:for me|for myself|without)"
    r"|\bnothing (?:left )?for me (?:here|anymore|now)\b|\bthere's nothing left for me\b"
    r"|\b(?:stopped|given up|gave up) hoping\b" + _S + r"{0,20}\bbetter\b|\bcan't do (?:any )?more of this\b"
    r"|\btired of pretending (?:i want|to want) to (?:keep going|go on|live|be here)"
    # burden
    r"|\b(?:free|freer|better off|happier|lighter) without me\b"
    r"|\bbetter off without (?:a|an|this|some) (?:miserable|useless|sad|old|grumpy|sick)\b"
    r"|\b(?:weight|millstone|burden) (?:around|round|on) (?:everyone's|everybody's|their|his|her|your|the family's|my \w+'s)"
    r" (?:neck|shoulders)\b"
    r"|\bi'll solve it for them\b|\b(?:get|take) myself out of (?:the|their|everyone's) way\b"
    # affairs settled for "after"
    r"|\b(?:won't|don't|doesn't|wouldn't) have (?:any )?(?:trouble|problems?|bother) after(?:wards)?\b"
    r"|\bso (?:nobody|no one|no-one|they|the kids|he|she) (?:has|have|will have|won't have) to\b" + _S + r"{0,25}\bafter(?:wards)?\b"
    r"|\b(?:solicitor|will|goes to|go to|inherit\w*)\b" + _S + r"{0,60}\bsooner rather than later\b"
    r"|\b(?:cancel\w*|stopped|gave|given|handed|sold)\b" + _S + r"{0,40}\bi (?:won't|will not) (?:be )?need(?:ing)? (?:it|them|any)"
    r"|\b(?:in (?:\w+'s|her|his|their) name|deeds|the will)\b.{0,60}\b(?:it's all done|all done now"
    r"|everything's (?:done|sorted|settled)|it's all (?:sorted|settled))\b"
    r"|\b<write>\b.{0,60}\bwhen i'm (?:not here|gone|not around)\b"
    # keepsakes and goodbyes
    r"|\bremember me by\b|\b(?:given|handed|signed) (?:over )?(?!up\b)\w" + _S + r"{0,40}\bfor good\b"
    r"|\b(?:hear|see)\b" + _S + r"{0,15}\b(?:their|everyone's|everybody's|the kids'|the children's) (?:voices?|faces?)\b" + _S + r"{0,12}\b(?:one (?:more|last) time|for the last time)\b"
    r"|\bone (?:more|last) time before i go\b|\b(?:didn't|did not|doesn't|don't) (?:realise|realize|know|understand) what i meant\b"
    # means
    r"|\b(?:which|what) (?:bridge|building|cliff|tablets?|pills?)\b" + _S + r"{0,30}\b(?:i'd go to|i'd use|i'd jump|would do it)"
    r"|\b(?:tablets?|pills?|medicines?)\b" + _S + r"{0,15}\bwould do it\b"
    r"|\b(?:extra|more|another (?:box|packet))\b" + _S + r"{0,20}" + _MEDS + r"\b" + _S + r"{0,40}"
    r"\b(?:didn't|did not|won't|wouldn't|nobody|no one)\b" + _S + r"{0,10}\bask"
    r"|\b(?:<buy>|<get>)\b.{0,60}\bso (?:nobody|no one) (?:would|will|could) (?:ask|notice|suspect)"
    r"|\b(?:whisky|whiskey|vodka|gin|wine|alcohol|drink)\b" + _S + r"{0,40}\b(?:all|whole)\b" + _S + r"{0,20}" + _MEDS +
    r"|\b(?:beam|rafter|hook|banister|loft hatch|rope|cord|belt)s?\b" + _S + r"{0,40}\b(?:keep|kept|can't stop) (?:looking|staring)"
    r"|\b(?:cord|rope|belt|cable|flex|beam|hook|branch)\b.{0,60}\bstrong enough\b.{0,20}\b(?:i checked|i tested|to hold me"
    r"|for me|to take my weight)"
    r"|\b(?:<put>|<keep>|<save>|<hide>)\b" + _S + r"{0,20}\b(?:tablets|pills|meds)\b" + _S + r"{0,20}"
    r"\b(?:in a (?:jar|box|drawer|tin)|instead of (?:taking|swallowing))"
    r"|\b(?:gun|shotgun|rifle|pistol|revolver)\b.{0,90}\b(?:it's loaded|loaded it|(?:found|got|bought) the bullets)\b"
    r"|\b(?:thinking|wonder\w*|imagin\w*)\b" + _S + r"{0,10}\bhow (?:quick|fast|easy|painless) it would be\b"
    r"(?! to (?:get|drive|walk|go|fly|cook|make|fix|learn))"
    r"|\b(?:bridge|cliff|roof|edge|quarry|river|lake|sea|water|tracks?|railway|platform)\b.{0,60}\b(?:tonight|now)\b.{0,30}"
    r"\b(?:nobody's|no one's|nobody is|no one is) (?:about|around)\b"
    r"|\b(?:railway|tracks?|train line)\b.{0,80}\blast train\b"
    # reunion with the dead, decided
    r"|\b(?:be with|join|come to|see|meet) you\b.{0,30}\b(?:i've decided(?:\s*$|[.!,])|it's (?:all )?planned|it's decided"
    r"|i've got everything (?:i need|ready))"
    r"|\bready to come to you now\b"
    r"|\b(?:heaven|death|being dead|over there)\b" + _S + r"{0,20}\b(?:better than|can't be worse than) (?:this|here|living)\b"
    # sleep that does not end
    r"|\b(?:went|go|going) to (?:bed|sleep)\b" + _S + r"{0,30}\b(?:that was the end|the end of it)\b"
    r"|\b(?:hope|wish|pray)\w*\b" + _S + r"{0,20}\bi (?:don't|won't|never|wouldn't) wake\b"
    r"|\bclose my eyes and (?:not|never) open them\b|\bsleep (?:that )?i (?:don't|won't|never) (?:come back|wake up) from\b"
    # self-harm in other words
    r"|\b(?:<burn>|<cut>|<scratch>|<hit>|<punch>|<bang>|<scald>|<scrape>|<bite>)\b" + _S + r"{0,10}"
    r"\b(?:my (?:arms?|wrists?|legs?|thighs?|skin|hands?|stomach|head)|myself)\b" + _S + r"{0,20}"
    r"\b(?:on purpose|deliberately|until (?:it|they|i) (?:bleed|bled|hurts?)|till (?:it|they|i) (?:bleed|bled|hurts?))"
    r"|\bthe thing with the (?:razor|blade)|\b(?:razor|blade)s?\b" + _S + r"{0,20}\b(?:on|to) my (?:arms?|wrists?|legs?|skin)"
    # covert plans
    r"|\b(?:look|looks|seem|seems) like an accident\b"
    r"|\bby the time (?:anyone|someone|they|anybody) (?:notices?|finds? (?:me|out)|gets? here)\b"
    r"|\bto myself to do it\b|\bmade sure (?:nobody|no one)\b" + _S + r"{0,20}\b(?:come|call|visit|find|be here|stop)"
    r"|\bdon't (?:have to )?worry about me (?:after|from|past|beyond)\b"
    r"|\b(?:soon|tonight|then) i won't (?:have to )?feel\b|\bwon't have to feel (?:anything|this|any of this)"
    r"|\b(?:chosen|picked|set) the (?:date|day)\b.{0,40}\b(?:you died|you passed|you left|you went)"
    r"|\b(?:mess|trouble|pain)\b" + _S + r"{0,15}\bi(?:'ll| will)? leave behind\b"
    r"|\btell (?:the kids|them|my \w+|the children|everyone|her|him)\b" + _S + r"{0,10}"
    r"\b(?:it wasn't|it's not|it isn't) (?:their|his|her|your) fault\b"
)
SIGNS_ZH = re.compile(
    # hopelessness
    r"看不到(?:以后|未来|将来|明天)|(?:不盼着|不指望)[^。]{0,4}好起来|熬不动了|一天也不想再过|日子[^。]{0,6}不想再过"
    # burden
    r"|我拖累了|拖累了(?:全家|大家|孩子|你们|他们)|我[^。]{0,8}成了[^。]{0,6}(?:包袱|负担|累赘)|没有我[^。]{0,10}好过"
    r"|(?:活着|我)[^。]{0,6}(?:就是|只是)?浪费[^。]{0,6}(?:孩子们?|家里|他们|你们)的钱"
    # affairs, goodbyes, keepsakes
    r"|(?:存折|房产证|银行卡|密码)[^。]{0,20}(?:留了?(?:张|个)?纸条|写(?:了|好)纸条)"
    r"|(?:再|最后)[^。]{0,4}听听(?:他们|孩子们?|大家|每个人)[^。]{0,4}声音"
    r"|(?:道|告)(?:了|过)?别[^。]{0,12}(?:以为|没听懂|不知道|不明白)|(?:没听懂|不知道|不明白)我的意思|还以为我要出远门"
    r"|以后[^。]{0,4}替我(?:养|照顾|看着)|这次[^。]{0,4}真的[^。]{0,4}告别|(?:退订|停了|取消)[^。]{0,10}用不(?:着|上)"
    r"|记住我|(?:我的|送我的)[^。]{0,12}(?:给了|送给|留给)[^。]{0,16}留个念想"
    # means
    r"|药[^。]{0,8}(?:一直)?没吃[^。]{0,4}(?:都)?(?:存|攒|留|藏)"
    r"|(?:梁|钩子|绳子|横杆|树枝)[^。]{0,12}(?:老|一直|总)(?:盯着|看着|想着)"
    r"|(?:该|要)去哪(?:座|栋|个)(?:桥|楼|悬崖)|买[^。]{0,8}药[^。]{0,10}没人问|(?:这样|免得)[^。]{0,4}(?:就)?没人(?:会)?(?:问|发现|怀疑)"
    r"|吃多了[^。]{0,4}(?:醒不过来|不醒|会死)|(?:桌上|面前|放着|摆着)[^。]{0,10}酒[^。]{0,10}(?:还有|和|跟)[^。]{0,10}药"
    r"|(?:吃|吞)了?(?:一整瓶|整瓶|一大把|全部的?|所有的?)[^。]{0,4}药"
    r"|想着?[^。]{0,6}(?:会有多快|多快就|会不会疼)"
    r"|(?:桥|江|河|湖|海|楼顶|天台|崖|铁路|铁轨)[^。]{0,40}(?:今晚|现在|这会儿)[^。]{0,20}(?:一个人都没有|周围没(?:有)?人)"
    r"|(?:铁路|铁轨|火车)[^。]{0,40}(?:最后一班|末班)"
    r"|枪[^。]{0,60}(?:装上了?子弹|上了膛|子弹我?也?找到)"
    # reunion with the dead, decided
    r"|(?:去见你|去找你|去陪你)[^。]{0,8}(?:计划好|想好|准备好|决定)|准备好了?去(?:你那|天上|那边)"
    r"|(?:天上|那边|死了?)[^。]{0,4}(?:总|都|也)?比这(?:里|儿|样)(?:活着)?(?:好|强)"
    r"|(?:轻松|好过|省心|解脱)[^。]{0,12}(?:要是|如果|假如)我(?:不在|死|走|没了)"
    # sleep that does not end
    r"|(?:要是|如果|真希望|但愿)[^。]{0,8}睡(?:下|着)了?就(?:这么)?(?:过去|走了)|再也不用睁开|不用再?睁开"
    # self-harm in other words
    r"|刀片[^。]{0,4}(?:划|割)|划(?:手|胳膊|手腕)|烟头烫|故意[^。]{0,6}(?:烫|划|割|撞|打|掐|咬|伤)|(?:拿|用)头撞墙"
    r"|抓得都是血|弄伤自己"
    # covert plans
    r"|像(?:个)?意外|(?:一个人|没人)[^。]{0,10}(?:正好)?动手(?!做|术|脚|打)|最后一次听到我的声音"
    r"|(?:很快|马上|以后|就)[^。]{0,4}什么都(?:感觉不到|不用感觉|不会感觉)"
    r"|(?:最后|再)[^。]{0,6}(?:听听|看看)[^。]{0,4}(?:你|大家|孩子)[^。]{0,6}(?:然后|就)[^。]{0,3}走"
    r"|我留下的[^。]{0,6}(?:烂摊子|麻烦)|告诉[^。]{0,8}(?:这)?不是(?:他们|你们|他|她)的错"
    r"|选好了[^。]{0,12}(?:你走的那天|忌日)|(?:过了|等)[^。]{0,8}(?:周末|明天|今晚)[^。]{0,6}不用再?为我"
)
AMBIGUOUS_EN = _rx(
    r"\bready to go (?:too|as well|now|home)\b|\bmy turn to go\b"
    r"|\b(?:god|the lord|death) (?:would|could|will|to) take me\b|\btake me (?:as well|too|instead)\b"
    r"|\bfor me (?:up there|over there|in heaven|on the other side)\b"
    r"|\bwhere you're\b" + _S + r"*[.?!]?\s*i(?:'d| would) like (?:some|that|the same)"
    r"|\bwhen i'm not(?: here| around)?\s*(?:$|[.!,])|\b(?:at|for) my (?:own )?funeral\b"
    r"|\bgoing to be with you\b|\bi'll be with you\b" + _S + r"{0,20}\b(?:soon|before long)\b"
    r"|\bwhat it would be like to (?:just )?(?:not exist|not be here|be gone|disappear)\b"
    r"|\bdo anything to be with you\b|\b(?:won't|don't think i'll) last long without you\b|\bcome and (?:fetch|get) me\b"
)
AMBIGUOUS_ZH = re.compile(
    r"把我也带走|也带我走|我也该走了|(?:那边|那里|天上)[^。]{0,6}给我留|给我留[^。]{0,6}(?:那边|天上)"
    r"|(?:要是|如果|假如)我(?:不存在|不在|没了)|(?:再见到你|见到你|跟你在一起)[^。]{0,8}(?:做什么都|什么都|怎样都)(?:愿意|行)"
    r"|我也想(?:要)?(?:点)?(?:安静|安宁|解脱)|(?:怕|恐怕)我也撑不了|(?:来|快来)接我|就去(?:见|陪|找)你"
)
DENIAL_EN = _rx(
    r"\b(?:i'm not|not|never|i'm not feeling) suicidal\b"
    r"|\bi(?:'d| would|'ll| will)? never (?:<hurt>|<harm>|<kill>|do anything to) myself\b"
    r"|\bi(?:'m not going to|'m not gonna|won't|wouldn't|'d never|'ll never) (?:<hurt>|<harm>|<kill>) myself\b"
    r"|\b(?:i'm not going to|i won't|i wouldn't|i'd never|never) do anything (?:silly|stupid|daft|rash)\b"
    r"|\bi'm not (?:going to|planning to|thinking of) (?:end|ending|take|taking) my (?:own )?life\b"
)
DENIAL_ZH = re.compile(
    r"我?(?:不会|绝不会|绝对不会|决不会|不可能)(?:去)?(?:做傻事|伤害自己|想不开|自杀|寻短见|轻生)"
    r"|(?:没有|没)(?:想不开|要自杀|想自杀)"
)


def is_sign(text: str) -> bool:
    t = canonical(text)
    return bool(SIGNS_EN.search(t) or SIGNS_ZH.search(t))


def is_ambiguous(text: str) -> bool:
    t = canonical(text)
    return bool(AMBIGUOUS_EN.search(t) or AMBIGUOUS_ZH.search(t))


def has_denial(text: str) -> bool:
    t = canonical(text)
    return bool(DENIAL_EN.search(t) or DENIAL_ZH.search(t))


def without_denials(text: str) -> str:
    """The turn with its denials taken out ("Don't worry, I'm not suicidal, I just miss you" -> "Don't
    worry, , I just miss you"); the text unchanged when it has none."""
    t = canonical(text)
    stripped = DENIAL_ZH.sub("，", DENIAL_EN.sub(" ", t))
    return text if stripped == t else stripped
