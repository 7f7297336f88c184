"""Crisis rules beyond the direct ones of cues.py (ETHICS C9): indirect speech, ambiguous talk of
death or reunion, "I am safe", and medicine taken as prescribed.

What grieving people say before a crisis is rarely "I want to kill myself": it is the means
("looking at Dad's shotgun"), the place ("on the roof, the wind is strong"), the arrangements
(letters, the will, the pet given away), the family "coping fine without me", sleep that does
not end ("一睡不醒"). These patterns name those kinds, in English and Chinese, on the
canonical text of cues.py. Ambiguous talk ("I'm coming to see you soon", "等等我") is not called
a crisis, but it is never answered in character either: it gets a check-in.

The patterns are auditable; ethics/crisis.py adds a multilingual model for what no rule words.
"""

from __future__ import annotations

import re

from .cues import _MEDS, _rx, canonical

_STOP = r"[^.!?。！？]"
"""Within one sentence."""

INDIRECT_EN = _rx(
    # means: a gun looked at, held, loaded; knives stared at
    r"\b(?:<look> at|<stare> at|<hold>|<handle>|<load>|<think> about|<sit> with|<check>)\b.{0,25}"
    r"\b(?:gun|shotgun|rifle|pistol|revolver|firearm)s?\b(?!.{0,40}\b(?:club|shop|dealer|museum|sell|sold|gave|give)\b)"
    r"|\b(?:gun|shotgun|rifle|pistol)\b.{0,40}\b(?:loaded|bullets?|shells?|ammo)\b"
    r"|\b<stare> at (?:the )?(?:knives|knife|blades?|razors?)"
    # heights and water, where the listener is now
    r"|\b(?:roofs?|rooftop|ledge|bridges?|cliffs?|top floor|balcony|car park|parking garage|platform|quarry)\b" + _STOP + r"{0,50}"
    r"\b(?:the edge|at the edge|right at the edge|wind is|so windy|the drop|below me|down there|looking down|so high|high enough"
    r"|the water looks|water is so)\b"
    r"|\b(?:edge of the platform|close to the edge|high enough|which height|a high place|how high)\b"
    r"|\bwhen the (?:train|express|trains) (?:comes?|come in|pass)"
    # pills in hand, taken, saved instead of taken
    r"|\b(?:pills|tablets|meds)\b.{0,20}\b(?:in my hand|in front of me|on the table in front)"
    r"|\b(?:taken|swallowed) (?:the whole|all (?:the|my)|a whole) (?:packet|bottle|box|lot)"
    r"|\b<save> (?:them|my (?:pills|tablets|meds)|the (?:pills|tablets))(?: up)? instead of taking"
    r"|\b<stop> taking my (?:meds|pills|tablets|medication)\b.{0,30}\b<save>"
    r"|\bhow many of my (?:tablets|pills|meds)\b"
    r"|\b(?:i'm going to|i'll) take them (?:all|now)\b"
    r"|\bbottle of \w+ and (?:a box of |a bottle of |my |some )?(?:pills|tablets)"
    # the family without me
    r"|\b(?:cope|fine|better|easier|relieved|happier|lighter|manage|okay)\b.{0,40}\bif i (?:wasn't|weren't|was gone"
    r"|were gone|'m gone|was not|were not|disappeared|died|stopped (?:being|showing))"
    r"|\bif i (?:wasn't|weren't|was gone|were gone|was not) (?:here|around)\b.{0,40}\b(?:cope|fine|better|easier|relieved"
    r"|happier|manage|notice)"
    r"|\b(?:better|fine|cope|happier|easier|lighter|relieved|keep turning|go on|manage)\b.{0,30}\bwithout me (?:in it|around|here|dragging|there)?"
    r"|\b(?:dragging|weighing|holding) (?:them|everyone|everybody|the family|my family) down\b"
    # arrangements
    r"|\b<write>\b.{0,30}\b(?:letters?|notes?) (?:for|to) (?:each of|every|all of|the kids|my kids|my children|the children"
    r"|my family|everyone)\b(?!.{0,30}\babout\b).{0,30}\b(?:after|open|read|goodbye|in case|when i'm|once i'm)"
    r"|\b(?:letters?|notes?)\b.{0,40}\b(?:after i'm gone|to open after|to read after|find them in the morning)"
    r"|\bso (?:nobody|no one|no-one) has to (?:deal|worry|clean|sort)"
    r"|\blife insurance\b.{0,40}\b(?:paid|looked after|sorted)|\b<update>d? my will\b|\bwho gets what\b"
    r"|\b(?:won't|not going to|will not|don't) (?:be )?need(?:ing)? (?:it|them|this|that|these|those|anything|my [\w ]{1,20})"
    r"(?: anymore| where i'm going| after (?:this|tonight|today)| much longer)"
    r"|\bwhere i'm going\b|\bthe cat is with the neighbours\b"
    r"|\b<say> (?:all )?my goodbyes\b"
    # time running out
    r"|\bwon't be (?:a problem|a burden|a bother|around|here)\b.{0,25}\b(?:much longer|for long|anymore|next year|by christmas)"
    r"|\bdon't (?:plan on|expect to|see myself) (?:being|be) (?:here|around)"
    r"|\b(?:tonight|today)(?: is| feels like) the (?:night|day)\b"
    r"|\bthere won't be a (?:next|tomorrow)"
    r"|\b(?:nobody|no one|no-one)(?: will| would|'ll)? be (?:home|here|there|around) to stop me\b|\bto stop me\b"
    r"|\bnot (?:be|my) (?:my problem|a problem) anymore|\bwon't be my problem\b"
    r"|\bno future for me\b|\bdone with (?:all of it|everything|it all|life)\b.{0,10}\bfor good\b"
    r"|\b(?:it'll|it will|everything will|it's all going to|it'll all|this will all) be over (?:soon|tonight|tomorrow)"
    r"|\bwant (?:it all|everything|this|all of this|it) to (?:be over|end|stop)(?: for good| forever| now)?\b"
    r"|\b(?:pain|hurting) to stop (?:permanently|forever|for good)"
    r"|\bnone of this will matter\b|\bfinally be at peace\b"
    r"|\b(?:fall|go to|stay) asleep and (?:stay asleep|never|not)\b|\bnot have to wake up\b|\bsleep forever\b"
    r"|\bhow long it would take (?:someone|anyone|them|people) to find me"
    r"|\b(?:staying|stay) under\b|\bengine running\b|\bclosed garage\b"
    r"|\b<stop> eating\b.{0,25}\b(?:doesn't matter|no point|what's the point)"
    r"|\b(?:easier|easiest|better|best)\b.{0,30}\bnot (?:to )?be here\b"
    r"|\btired of (?:fighting|trying) to stay alive|\bfighting to stay alive"
    r"|\b<buy> (?:a |some )?rope\b(?!.{0,30}\b(?:tie|tomato\w*|garden|washing|line|boat|swing|climb\w*|tent|fence|shed|dog|roses|plants?)\b)|\bwhere i'll use it\b|\bmakes it (?:feel|look|seem) easy\b"
    r"|\bsorry for what i'm (?:about|going) to do\b|\b(?:door|doors) (?:unlocked|open) so (?:they|someone|you) can\b"
    r"|\b(?:sitting|standing|lying|lie|sit|stand) (?:on|between|across) (?:the )?(?:railway|train|rail) ?(?:line|tracks?)\b"
    r"|\bon the (?:railway|train) tracks\b|\b(?:go|fade|turn) (?:black|dark) (?:and stay|forever|for good)"
    r"|\b(?:a lot of|lots of|loads of|boxes of|so many|several boxes of|a pile of)\s+" + _MEDS +
    r"|\bmore than (?:anyone|anybody|i|you|a person) (?:would |could )?(?:ever )?need\b"
    r"|\b(?:put|got|have|set) (?:everything|all my affairs|my affairs|things|it all) in order\b"
    r"|\b(?:a |the )?(?:weight|burden|drain) (?:on|to|for) (?:everyone|everybody|them|my family|the family|you all)\b"
    r"|\b(?:this|tonight) is my last (?:night|day)\b|\bmy last night\b"
    # second session (issue 14): more kinds of the same signs, in other words
    r"|\b(?:tired of|hate|dread|disappointed (?:to|that i)|sorry (?:to|that i)) (?:keep )?wak(?:e|ing) up\b"
    r"|\bwake up disappointed\b|\bwish i (?:hadn't|didn't|had not) woken\b"
    r"|\benough (?:of )?(?:\w+(?:'s)? ){0,3}(?:" + _MEDS[3:-1] + r"|morphine|insulin) (?:here |saved |left )?to (?:make sure|do it|not wake|be sure|finish)"
    r"|\bhose\b.{0,40}\b(?:exhaust|car|boot|window)\b|\bexhaust\b.{0,30}\b(?:hose|pipe|into the car)\b"
    r"|\b(?:beam|rafter|hook|banister|branch|pipe)s?\b.{0,40}\b(?:hold|take|bear) my weight\b"
    r"|\b(?:gun|shotgun|rifle|pistol|revolver|firearm)\b.{0,30}\b(?:out on|on the (?:\w+ )?table|in my lap|next to me|beside me"
    r"|in my hand|out of the (?:cabinet|safe|cupboard))"
    r"|\b(?:stairwell|multi-storey|footbridge|overpass|flyover|motorway bridge|pier|jetty|dam|headland|viaduct)\b"
    + _STOP + r"{0,50}\b(?:looking down|below|underneath|the drop|long way down|edge|can't see the bottom)\b"
    r"|\b<walk> (?:out )?(?:into|in to) (?:the )?(?:sea|river|lake|ocean|water|waves)\b"
    r"|\bif (?:she|he|they|you|everyone|the kids|my \w+) (?:didn't|did not|no longer|never) (?:have|had|need|needed) to (?:look after"
    r"|care for|worry about|deal with|put up with) me\b"
    r"|\b(?:just|only) a (?:cost|expense|waste of space|drain|nuisance) to (?:everyone|everybody|them|my family)\b|\bwaste of space\b"
    r"|\bwon't (?:be )?need(?:ing)? (?:it|them|any of (?:it|them)|anything) (?:after|past|beyond) (?:\w+day|the weekend|next week|this week"
    r"|christmas|the end of the month)"
    r"|\bcan't see myself (?:still )?(?:being )?(?:here|around|alive)\b"
    r"|\b(?:hear|see) (?:their|everyone's|all their|the kids') (?:voices?|faces?) (?:one|for the) last time\b"
    r"|\b(?:one|for the) last time\b.{0,20}\b(?:before i go|before it's over|before tonight)\b"
    r"|\b<keep> (?:them|it|my (?:pills|tablets|meds|medication)) (?:all )?(?:in a (?:jar|box|drawer|bag)|hidden|back)\b"
    r"|\btonight's the night\b|\bso i can go now\b|\bi can go now\b"
    r"|\b(?:look after|take care of|raise|mind) (?:the|my|our) (?:children|kids|boys|girls|dog|cat)\b.{0,25}"
    r"\b(?:when|once|after) i'm (?:not here|gone|not around)\b",
)
INDIRECT_ZH = re.compile(
    r"一睡不醒|长睡不醒|永远(?:地)?睡(?:下去|过去|着)|睡过去再也|再也不(?:想|要)?醒"
    r"|(?:写好|留好|留下)了?" + _STOP + r"{0,8}信|给每个人都?写了?" + _STOP + r"{0,4}信|(?:等|在)我(?:走|死|不在)了?(?:以后|之后)"
    r"|(?:天台|楼顶|屋顶|顶楼|楼上|桥上|桥边|窗边|窗户边|窗台|江边|河边|悬崖|阳台边|二十楼|高楼)"
    r"(?![^。！？]{0,14}(?:晒|晾|修|种|浇|钓|拍照|散步|看风景|乘凉|清理|打扫|看烟花|看云|收衣服|聊天|吃饭))" + _STOP + r"{0,14}"
    r"(?:风好大|风很大|风真大|好高|很高|往下|下面|离地|水好深|水很深|平静|跳)"
    r"|(?:把)?药(?:都|全)?(?:倒|摆|放|拿)" + _STOP + r"{0,6}(?:手心|手里|面前)|药都摆在"
    r"|(?:没有我|我不在了?)" + _STOP + r"{0,10}(?:也能|也会|一样|更好|过得好|轻松)|没有我也一样转"
    r"|添麻烦|是(?:个)?多余的|多余的人|(?:当|做)[^，。！？]{0,6}(?:包袱|负担|累赘)|没人在乎我|没有人在乎我"
    r"|最后一次(?:跟|和)?你(?:说话|聊天|说)|这次是真的最后一次"
    r"|(?:后面|身后|以后)的事" + _STOP + r"{0,4}(?:安排|交代)|我的事都交代|都交代清楚了|以后就交给你们|孩子们?以后就?交给"
    r"|不会再痛|再也不会痛|不用再(?:麻烦|为我|操心)|告别过了|(?:跟|和)大家(?:都)?(?:告别|道别)"
    r"|(?<!旧)(?<!旧的)(?:送人|给了|留给|托付|捐了)" + _STOP + r"{0,14}(?:用不着了?|照顾不了|什么都不留|以后就拜托|以后用得着)"
    r"|(?:钱|存款|积蓄|东西|家当)" + _STOP + r"{0,10}(?:送人|给了|留给|托付|捐了)" + _STOP + r"{0,8}用不上"
    r"|我去的地方|明天就不在了|(?:很快|马上|就要)不在了"
    r"|查" + _STOP + r"{0,8}(?:最高|多高|多少片|多少颗|致死|会死)|吃多少" + _STOP + r"{0,4}会死"
    r"|永远(?:地)?停下来|一切都会结束|今晚(?:过后|之后)|跳下去会不会|好想就这么下去|就这么下去"
    r"|如果我消失|消失了会怎样|想(?:要)?解脱|下辈子再见|没有痛苦的地方|再也不回来"
    r"|火车来的时候|站得近一点|挂在哪|横梁|我" + _STOP + r"{0,4}(?:就要|要|打算|准备|想)去死"
    r"|你们会找到的|门我?没锁|替我[^。]{0,8}对不起|对不起[^。]{0,8}我要做的|铁轨|轨道上|变黑[^。]{0,6}再也|永远不(?:再)?亮"
    r"|从(?:窗户|窗口|楼上|阳台|桥上|天台)(?:出去|下去|跳)|一次吃多少|吃多少(?:片|颗)?(?:就)?够|多少(?:片|颗)(?:就)?够"
    r"|(?:好多|很多|一大堆|几盒|一堆)(?:安眠药|药片|止痛药)|比[^。]{0,8}需要的多|最后一晚|(?:悬崖|崖)边"
    # second session (issue 14): more kinds of the same signs, in other words
    r"|(?:不想|不愿|不要)再?睁开|闭上眼(?:睛)?[^。]{0,8}(?:不|再也不)(?:想|要|会)?(?:睁|醒)|醒来[^。]{0,6}(?:失望|难受|痛苦)|怎么又醒了"
    r"|熬不到|撑不到(?:过年|明年|春节|下个月|下周)|不打算再(?:过|活)|不打算活"
    r"|农药[^。]{0,10}(?:拿出|放在|摆在|手里|桌上|喝)|(?:梁|钩子|横杆|树枝)[^。]{0,10}(?:吊得住|挂得住|承受得住|够结实)"
    r"|(?:排气管|尾气)[^。]{0,10}(?:管子|车里)|(?:车|后备箱)[^。]{0,8}管子"
    r"|(?:楼梯井|天桥|码头|水库|大坝|立交桥|停车楼)" + _STOP + r"{0,14}(?:往下|下面|看不到底|底下|边上)"
    r"|走进(?:海|河|江|湖|水)里|(?<!给你写一封)(?<!给你写了一封)(?<!写给你的)(?:告别|诀别)的?(?:纸条|信|留言|话)(?![^。]{0,6}(?:给你|咨询|追思|悼念))|最后(?:听听|再听|看看|再看)[^。]{0,8}(?:大家|每个人|他们|孩子)"
    r"|(?:不用|不必|不需要)再?(?:照顾|管|伺候)我[^。]{0,10}(?:轻松|解脱|好过|省心)"
    r"|我[^。，]{0,6}是[^。]{0,6}(?:累赘|拖累|负担)|不再是[^。]{0,4}(?:麻烦|负担|累赘)"
    r"|(?:我|等我)(?:死了|不在了|走了)[^。]{0,10}不用(?:再)?(?:担心|操心|管|照顾)"
    r"|(?:偷偷|一直)(?:留|攒|藏|数)[^。]{0,8}(?:药|安眠药)|(?:药|吗啡|胰岛素|安眠药|止痛药)[^。]{0,12}够(?:我|了，这次)"
    r"|看不到[^。]{0,10}(?:好起来|希望|出路)[^。]{0,12}决定|消失[^。]{0,12}(?:不会有人|没人|没有人)(?:会)?(?:发现|注意)"
    r"|(?:周[一二三四五六日天末]|明天|今晚|下周|这周)(?:以后|之后|过后)[^。]{0,6}(?:用不着|用不上|不需要)"
    r"|(?:信|遗言|纸条)[^。]{0,20}(?:明天|早上|醒来)[^。]{0,8}(?:看到|发现|读到)"
)
_IDIOM_ZH = re.compile(
    r"(?:困|累|热|冷|饿|渴|笑|气|吓|忙|烦|急|撑|难|疼|痛|痒|聊|贵|闷|懒|馋|美|羡慕|丑|臭|酸|晒|挤|吵|无聊)(?:得要|得)?死"
    r"(?:了|我了|人了|人|我|你了|你)?|想死(?:你|您)|死猪|死沉|死活|死心|死机"
    r"|死也(?:不会|不肯|不愿意?|要|得)(?:忘|记|放|答应|同意|吃|去|改|认|说|信|让)|想得要死|想你想得要死")
_IDIOM_EN = _rx(r"\b(?:killing me|(?:be )?the death of (?:me|us)|<kill> it|dying (?:to|for)|could (?:just )?die (?:of|for)|died laughing|bored to death"
                r"|dead tired|like the dead|to death|killer|so full i could die|dead (?:on|battery|phone|end))\b")
_DEATH_WORDS = re.compile(r"\b(?:die|dying|died|dead|death|kill\w*)\b|死")
AMBIGUOUS_EN = _rx(
    r"\b(?:coming|come|going|on my way)(?: over)? (?:to )?(?:see |be with |join |meet )?you\b" + _STOP + r"{0,30}"
    r"\b(?:heaven|soon|up there|over there|very soon|before long)\b"
    r"|\b(?:see|be with|join|meet|hold) you (?:again )?(?:very |really )?soon\b|\bwait for me\b|\bon my way to you\b"
    r"|\b(?:save|keep) (?:me )?a (?:seat|place|spot)(?: for me)?\b|\bwant to (?:be|go) where you are\b"
    r"|\b(?:time for me to|ready to) (?:come|go) (?:home )?to you\b|\bcome home to you\b|\bi want to come too\b"
    r"|\btogether again soon\b|\b(?<!you )(?<!you ever )<think> about (?:dying|death|my death)|\bdeath doesn't (?:scare|frighten) me"
    r"|\bwish i(?:'d| had)? (?:gone|died|been taken) (?:with you|instead)|\btake me with you\b"
    r"|\bwhy (?:didn't|couldn't) (?:it|god|they) take me\b|\bwon't be long now\b",
)
AMBIGUOUS_ZH = re.compile(
    r"很快就(?:来|去|会)(?:天堂)?(?:看|陪|找|见)?你|(?:来|去)(?:天堂)?(?:看|陪)你了"
    r"|(?:等等我|等着我)(?![^。]{0,10}(?:楼下|门口|车站|路口|学校|公司|到家|停车|下班))|(?:那边|那里)等我"
    r"|我也想去|(?:很快|就要|快要|马上|早点|终于要|就能|会)[^，。]{0,4}团聚|团聚吧|跟(?:着)?你(?:一起)?走|想(?:到|起)死|不怕死了?|(?:留|占)(?:个|一个)?(?:位置|位子)"
    r"|很快就会见面|想去你在的地方|也在车上就好了|带我走|想和你在一起|早点去见你"
    r"|(?:那边|那里|天上)[^。！？]{0,14}(?:我很快就|我马上就|我这就)(?:到|来|过去)"
)
_STRONG = re.compile(
    r"\bkill(?:ing)? myself\b|\bsuicid|\bend(?:ing)? my (?:own )?life\b|\bwant to die\b|\boverdos|\bhang myself\b"
    r"|自杀|不想活|想死(?!你|您)|轻生|结束(?:自己的)?生命|上吊|割腕"
)
"""Words no context makes harmless: they keep a crisis even beside "as prescribed"."""
_PRESCRIBED = _rx(
    r"\b(?:the doctor|my doctor|my gp|the gp|the nurse|the pharmacist)\b.{0,30}\b(?:gave|prescribed|said|says|changed|put me on)"
    r"|\bas (?:prescribed|it says on the|the doctor said|directed)|\blike the doctor said\b"
    r"|\bfor my (?:blood pressure|heart|back|knee|cholesterol|diabetes|thyroid|headache|sugar)\b"
    r"|\bwith (?:breakfast|dinner|lunch|food)\b|\b(?:one|two|half a?) (?:every|each) (?:morning|night|day|evening)\b|\b(?:one|two) (?:at night|a day)\b"
    r"|\bmy vitamins\b|\bi'm on antidepressants\b|\bpill (?:organi[sz]er|box|dispenser)\b|\bcourse of (?:antibiotics|tablets|treatment)\b"
    r"|\b(?:the doctor|my doctor|my gp)\b.{0,20}\b(?:doubled|increased|upped|reduced|lowered|adjusted|halved)\b"
    r"|\bmy (?:blood pressure|heart|thyroid|cholesterol|diabetes|arthritis) (?:pills|tablets|meds|medication)\b"
    r"|\b(?:took|take|taking|had) my (?:usual |morning |evening |daily |night )?(?:tablets|pills|meds|medication|medicine)\b"
)
_PRESCRIBED_ZH = re.compile(r"医生(?:开|给|说|换)|按(?:医生|说明书|时)|降压药|维生素|每(?:天|晚)(?:早上)?吃(?:半|一|两)片|饭后吃")
_HEAVY_DOSE = re.compile(r"\b(?:all|whole|bottle|enough|the lot|every single|handful|at once|saving|saved|stockpil|hoard)\b"
                         r"|全部|一整瓶|都吃|全吃|攒|囤|存着|存起来|没吃|多少片|一次吃")
SAFE_EN = _rx(
    r"^(?:(?:yes|yeah|ok|okay|no|don't worry|honestly|really),? )*(?:i'm|i feel|i'm feeling|i'm really|i'm actually)"
    r"(?: safe| okay| ok| alright| all right| fine| better)(?: now| really| honestly| again)?\b"
    r"|\bi'm safe\b|\bi won't (?:do|hurt) (?:anything|myself)\b|\bi'm not going to (?:do anything|hurt myself)\b"
    r"|\bi (?:called|rang|phoned|texted) (?:them|the (?:line|number|helpline)|my \w+)\b|\bi'm with (?:my|someone|a friend)\b"
    r"|\b(?:someone|my \w+) is (?:here|with me)\b|\bi didn't mean it like that\b"
)
SAFE_ZH = re.compile(r"我(?:现在)?(?:没事|很安全|安全了|好多了|好一些了|不会做傻事|不会伤害自己|打(?:过|了)电话)|放心吧?我没事|有人陪着我")
_NOT_SAFE = re.compile(r"\bnot (?:safe|okay|ok|alright|fine|really)\b|\bno,? i'm not\b|不安全|不好|没事才怪|不是没事")
NEGATIVE_ANSWER = re.compile(
    r"^(?:no|nope|not really|not sure|i don't know|dunno|i'm not sure|maybe not|i guess not|hmm|what's the point)\b"
    r"|^(?:不|不是|没有|不好|不知道|不太好|说不清|也许吧)"
)
"""An answer to "are you safe?" that is not yes."""


def is_indirect_crisis(text: str) -> bool:
    t = canonical(text)
    return bool(INDIRECT_EN.search(t) or INDIRECT_ZH.search(t))


def is_ambiguous(text: str) -> bool:
    """Talk of death, reunion or "coming to you" that may or may not mean dying."""
    t = canonical(text)
    return bool(AMBIGUOUS_EN.search(t) or AMBIGUOUS_ZH.search(t))


def is_prescribed_use(text: str) -> bool:
    """Medicine taken as the doctor said, with no sign of a heavy dose and no direct crisis words."""
    t = canonical(text)
    if _STRONG.search(t) or _HEAVY_DOSE.search(t):
        return False
    return bool(_PRESCRIBED.search(t) or _PRESCRIBED_ZH.search(t))


def is_idiom_only(text: str) -> bool:
    """Every word of death in the text is part of an idiom ("累死了", "this heat is killing me"):
    the model must not read such a text as a crisis (the rules still read it)."""
    t = canonical(text)
    stripped = _IDIOM_EN.sub(" ", _IDIOM_ZH.sub(" ", t))
    return stripped != t and not _DEATH_WORDS.search(stripped)


def is_strong(text: str) -> bool:
    return bool(_STRONG.search(canonical(text)))


def says_safe(text: str) -> bool:
    """The listener says they are safe ("I'm okay now", "我没事了") and nothing says otherwise."""
    t = canonical(text)
    if _NOT_SAFE.search(t):
        return False
    return bool(SAFE_EN.search(t) or SAFE_ZH.search(t))


def is_negative_answer(text: str) -> bool:
    return bool(NEGATIVE_ANSWER.search(canonical(text)))


_LAST_CLAUSE = re.compile(r"[^，,。.:：;；!！]+[？?]?\s*$")
_THEIR_PASTIME_ZH = re.compile(r"^[你您](?!.*(?:我|死|走了|天上|那边|陪|团聚|见面|找你|去见))[^？?]*(?:玩|旅游|旅行|逛|吃|喝|看|听)"
                               r"[^？?]*[？?]$")


def asks_their_pastime(text: str) -> bool:
    """A Chinese question about the person's own pastimes, with no word of death, of the listener or of
    meeting ("我想知道，你最想去啥地方玩？"): "去" there is a trip, not a reunion (the rules still read it)."""
    match = _LAST_CLAUSE.search(canonical(text))
    return bool(match and _THEIR_PASTIME_ZH.search(match.group(0).strip()))
