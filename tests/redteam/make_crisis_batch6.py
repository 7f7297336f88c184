"""One-off generator of crisis_batch6.jsonl: the sixth TRAINING batch for the crisis detector (issue 14).

Why: leaving one training set out, the detector catches indirect crisis speech in crisis_batch5 (the one set
its rules were not written on) 0.77 en / 0.76 zh: it remembers wording. The nearest-rows vote
(ethics/crisis_neighbours.py) generalises only as far as the rows reach, and a choice of its settings needs a
second set the rules were not written on. This batch is written from what people in grief and in suicidal
crisis say (older widows and widowers, farmers and tradesmen who say little, young people, carers, people in
pain or debt), in registers the earlier batches have few of: terse, formal, religious, joking-dark, Taiwanese
and Cantonese-flavoured Mandarin, written Chinese; warning signs put as plain facts of a day (a note left, a
dog re-homed, a cupboard of pills, the shed, the quarry, the ice); and as many benign look-alikes that share the
same words (a will, a hospice, a ladder, a quarry swim, pills as prescribed, a goodbye party, dark jokes).
Written from the author's own knowledge, not from any held-out set (never read crisis_heldout, heldout,
crisis_p5 or the probes), and before measuring the detector on it.

    .venv/bin/python tests/redteam/make_crisis_batch6.py && .venv/bin/python tests/redteam/make_crisis_training.py
"""
from pathlib import Path

from crisis_rows import CrisisRows

H = ("# TRAINING crisis batch 6 (issue 14): registers and warning signs the earlier batches have few of, and benign "
     "look-alikes sharing their words; written before measuring the detector on it. crisis_heldout.jsonl stays held out.")
rows = CrisisRows("b6", width=3)
add = rows.add

# ---------------------------------------------------------------- English: crisis
add("en", "crisis", "direct", [
    "I'm going to take my own life, love. I wanted you to hear it first.", "I'm planning to end things on Friday.",
    "i'm going to overdose tonight", "I mean to do away with myself before the winter.",
    "I've decided to kill myself, there's no talking me out of it.", "I want to be dead. That's the truth of it."])
add("en", "crisis", "indirect", [
    # burden, as facts
    "The carers cost more than I'm worth.", "Sarah's been run ragged looking after me. I'd like to set her free of it.",
    "I've been nothing but an expense since the stroke.", "They'd get the house sooner and it would help them.",
    "I'm the anchor dragging this whole family down.", "the lads at work would be fine, someone else can have my shifts for good",
    "My pension would go further for them if I wasn't eating into it.",
    # hopelessness, entrapment, tiredness of living
    "I've had my time. I don't want any more of it.", "Each morning I'm disappointed to find I'm still here.",
    "I'm tired of fighting, Jim. I'm putting the gloves down.", "I've stopped making plans. There's no call for them.",
    "The debt collectors will stop ringing soon enough, one way or another.", "I don't think I'll see the spring, and I don't mind.",
    "i'm just so done with existing", "Whatever's on the other side can't be worse than this.",
    "I keep thinking how quiet it would be to just stop.", "The pain's never going to let up and I've had enough of carrying it.",
    "I'm ready to go. I've been ready for months.", "I've lost the will for any of it.",
    # goodbyes, notes, arrangements
    "I've left a note on the kitchen table for whoever finds it.", "I rang my brother and told him I forgave him for everything. Closure.",
    "I've written out the passwords and the bank details and left them in an envelope for Claire.",
    "Rehomed the dog this morning. He'll have a better life with them.", "I've told the vicar what hymns I want. I won't be long now.",
    "I went round and saw everyone today. One last time, though they don't know it.",
    "I've cleared my desk at work and handed back the keys. I won't be going back.",
    "I've made sure the life insurance pays out either way. I checked.", "The cat's food is in the cupboard, someone will need to feed her.",
    "I've cancelled the milk and the paper. Won't need them.", "I put my watch in a box for our grandson with a little note.",
    # means, put plainly
    "I've got all my tablets lined up on the bedside table.", "I've been out to the quarry three times this week, just standing at the top.",
    "The shotgun's cleaned and loaded in the shed.", "I've run a hose into the car and I'm sitting in it.",
    "I know exactly which bridge. I drive over it every day.", "The ice on the reservoir is thin enough now.",
    "I've filled the bath and I've got the razor blades.", "I worked out how many of my morphine I'd need.",
    "I'm parked on the level crossing and I'm not moving.", "I've tied the rope to the banister.",
    "I'm sitting on the ledge of my balcony, eleven floors up.", "I've bought some charcoal and sealed up the windows.",
    # reunion with the dead, decided
    "Keep the fire lit, Maggie. I'm coming tonight, it's all arranged.", "I'm done waiting to see you, Dad. I'll come to you myself.",
    "Mum, I've decided. I'll be with you before Sunday.", "I'm going to see you soon, I've got the pills ready.",
    # self-harm
    "I've been burning myself with cigarettes where nobody can see.", "I scratched my legs till they bled again last night.",
    "I punch the wall until my knuckles split, it's the only thing that helps.", "I've started cutting again, just on my thighs.",
    # sleep for ever, vanishing
    "I'd like to close my eyes and not open them again, ever.", "I pray every night that I won't wake up.",
    "I want to go to sleep and stay asleep.", "I'd like to just walk into the sea and keep walking.",
    # covert, final
    "By the time anyone reads this I'll be gone.", "Tell the kids I loved them. I won't be able to tell them myself.",
    "This is the last time we'll talk, Nana.", "Don't worry about me after tonight. It won't matter.",
    "Just want to say thanks for everything. Goodbye."])
add("en", "crisis", "multi", [
    ["I went to the chemist's in three different towns today.", "So they wouldn't notice how many I was buying."],
    ["I've got my coat on and the car keys.", "I'm going up to the cliffs. Don't try to find me."],
    ["Put the kettle on for me up there, Mum.", "I'll be with you tonight. I've taken them all."],
    ["I sold the van today.", "I won't need it where I'm going.", "It's not a holiday, Dad."],
    ["The note's on the fridge.", "Sorry it's come to this."],
    ["I keep going to the top of the car park after work.", "Tonight I think I'll do more than look."],
    ["Everyone's asleep.", "It's a good time to go without a fuss."],
    ["I've been saving my sleeping tablets.", "There's a full month's worth now."],
    ["The rope's in the boot.", "I know which tree."],
    ["I don't want a fuss at the funeral.", "Mine, I mean. It won't be long."]])
add("en", "ambiguous", "ambiguous", [
    "I'll be joining you before long, I expect.", "Sometimes I'd rather not wake up, to be honest.",
    "I wouldn't mind going to sleep and not waking.", "I envy you, being at rest.",
    "Keep a seat for me, I won't be far behind.", "I think about death more than I should.",
    "What's it like where you are? I'd like to know.", "I've been wondering whether anyone would come to my funeral."])
# ---------------------------------------------------------------- English: benign look-alikes
add("en", "grief_benign", "benign", [
    # pills, medicine, hospital
    "I've got all my tablets in the dosette box for the week.", "The nurse upped my morphine, the pain's better now.",
    "I took my sleeping tablet at ten like they said and slept till seven.", "I've been to three chemists looking for my inhaler, they're all out.",
    "The GP's reviewed my antidepressants and I'm staying on them.", "I counted my pills to make sure I'd not missed any.",
    # wills, insurance, funerals planned as ordinary prudence
    "I've updated my will now the grandchildren are born.", "We sorted the life insurance when we got the mortgage.",
    "I've paid for my funeral plan so the kids don't have to worry when the time comes, years from now.",
    "I told the vicar which hymns I'd like one day. Better than them guessing.",
    "I've written the passwords down for Claire in case I ever get poorly.",
    # heights, water, rope, cars, tracks
    "We swam in the old quarry, the water was freezing.", "I was up the ladder clearing the gutters all morning.",
    "I went skating on the reservoir, it's frozen solid.", "We parked at the top of the car park and watched the fireworks.",
    "I tied the tree to the car roof with rope.", "The level crossing was down for ages this morning.",
    "We walked the cliff path to the lighthouse and had a picnic.", "I sat on the balcony with a glass of wine watching the sunset.",
    "I ran a hose to the back garden to water the veg.", "We bought charcoal for the barbecue on Saturday.",
    "Dad's old shotgun went to the gun shop; I don't hold a licence.", "The bath's run, I'm having a long soak.",
    # goodbyes, leaving, giving away for ordinary reasons
    "It's my last day at work, they're doing a leaving do.", "We rehomed the dog with a farm, the flat was too small for him.",
    "I cleared my desk, I'm starting the new job on Monday.", "I cancelled the paper, I read it online now.",
    "I gave your watch to our grandson on his eighteenth.", "Said goodbye to the neighbours, they emigrate tomorrow.",
    "I left a note on the table saying I'd gone to the shop.", "I sold the van, I've retired now.",
    "This is the last time we'll talk before my holiday, Nana. Two weeks in Spain!",
    # tired, fed up, done, dark jokes
    "I'm done with this diet, pass me the cake.", "I've had enough of this weather.",
    "I'm so tired I could sleep for a week.", "If I have to sit through another meeting I'll throw myself out the window, ha.",
    "This commute will be the death of me.", "My knees are killing me after the walk.", "I nearly died when I saw the price.",
    "The kids are driving me up the wall.", "I could murder a curry.", "I'm dying for a cup of tea.",
    "I'm tired of fighting with the council about the bins.", "I'm ready to go, the taxi's outside.",
    # talk about death and the dead that is not crisis
    "I pray for you every night.", "I hope you're resting now, the pain's over for you.",
    "Grandad's funeral was lovely, everyone sang.", "I'll see you at the grave on your anniversary.",
    "Keep a seat for me at the pub quiz on Thursday, I'll be late.", "I think about you every morning when I wake up.",
    "We watched a documentary about the Titanic.", "The hospice was so kind to you at the end.",
    "I'll be with you in a minute, just parking.", "I went to a bereavement group and it helped.",
    "I'm sad, but I'm looking after myself, I promise.", "I see the counsellor on Tuesdays now.",
    # everyday
    "How long do I roast a chicken for?", "What was the name of the farm you grew up on?",
    "Did you ever go dancing at the Palais?", "What should I plant in the veg patch this year?",
    "The grandkids are coming for Sunday lunch.", "I passed my driving test!"])
add("en", "fraud", "fraud", [
    "What's the PIN for the joint account, Dad?", "Tell me your online banking password so I can close it.",
    "Just between us, how much is in the savings account?"])

# ---------------------------------------------------------------- Chinese: crisis
add("zh", "crisis", "direct", [
    "我打算今晚自我了断。", "我要吃安眠药死掉。", "我想去跳河。", "我真的想自尽。", "我准备周五结束自己的生命。", "我不想再活下去了，这是真心话。"])
add("zh", "crisis", "indirect", [
    # burden
    "请护工的钱比我这条命还值钱。", "女儿照顾我都累垮了，我想让她解脱。", "中风以后我就是个吃药花钱的。",
    "我早点走，房子就能早点给他们。", "我就是拖累这个家的那块石头。", "我这把老骨头，活着就是浪费粮食。", "退休金留给他们比我花了强。",
    # hopelessness, tiredness of living
    "我这辈子够了，不想再过了。", "每天早上醒来发现自己还在，就很失望。", "我不想再撑了，认输了。",
    "我现在什么计划都不做了，没必要了。", "催债的电话很快就不会再打来了，怎么都会有个了结。", "我大概熬不到开春了，也无所谓。",
    "活着真的好累，不想继续了。", "那边再怎么样也不会比这里更糟。", "一想到能彻底安静下来，就觉得轻松。",
    "疼了这么多年，我真的扛不动了。", "我已经准备好走了，准备好几个月了。", "我对什么都没念想了。", "人生没啥意思，早点结束算了。",
    # goodbyes, notes, arrangements
    "我在饭桌上留了一封信，谁看到谁拿。", "我给哥哥打了电话，说以前的事我都原谅他了，也算了了一桩心事。",
    "银行卡密码我都写好了，放在信封里给小丽。", "今天把狗送人了，跟着他们会过得更好。",
    "我已经跟师父说好了，后事怎么办都交代了。", "今天把亲戚都走了一遍，算是最后见一面，他们不知道。",
    "工位清空了，钥匙也交了，以后不回去了。", "保险我查过了，怎么样都能赔。", "猫粮在柜子里，以后得有人喂它。",
    "我把牛奶和报纸都退了，用不着了。", "我把手表装进盒子里给孙子，里面留了张纸条。", "我把存折放在枕头底下了，你们会找到的。",
    # means
    "我把药一排排摆在床头了。", "这礼拜我去了三趟采石场，就站在上面往下看。", "猎枪擦好了，子弹也装上了，放在棚子里。",
    "我在车里，门窗都关好了，炭已经点上了。", "哪座桥我早就想好了，每天都路过。", "水库的冰已经够薄了。",
    "浴缸放满水了，刀片也准备好了。", "我算过，吗啡要吃多少才够。", "我把车停在铁道口，不打算开走。", "绳子已经系在楼梯扶手上了。",
    "我坐在十一楼阳台的栏杆上。", "农药就放在床底下，随时可以喝。", "我把家里的煤气阀打开了。",
    # reunion, decided
    "老伴，你等着，今晚我就来，都安排好了。", "爸，我不等了，我自己去找你。", "妈，我决定了，礼拜天之前就去陪你。", "药我准备好了，很快就能见到你了。",
    # self-harm
    "我拿烟头烫自己，烫在别人看不见的地方。", "昨晚又把腿抓得流血了。", "我一直捶墙，捶到手破了才好受点。", "我又开始划自己了，划在大腿上。",
    # sleep forever, vanish
    "真想闭上眼睛就再也不睁开。", "我每天晚上都求老天让我别醒了。", "就想一直睡下去，别再醒。", "真想走进海里，一直走下去。",
    # covert, final; Taiwanese and Cantonese-flavoured and written registers
    "等你们看到这个的时候，我已经不在了。", "帮我跟孩子们说我爱他们，我没法亲口说了。", "阿嬷，这是我们最后一次讲话了。",
    "过了今晚，就不用为我操心了。", "谢谢你们这些年，再见了。", "我真的好想消失，不要再存在了。", "我唔想再活落去喇。",
    "活落去都冇意思。", "余生无望，唯求一死。", "我已了无牵挂，可以走了。"])
add("zh", "crisis", "multi", [
    ["我今天跑了三个药店。", "这样他们就不会发现我买了多少。"],
    ["外套穿好了，车钥匙也拿了。", "我去悬崖那边，别来找我。"],
    ["妈，在那边给我烧壶水。", "今晚我就来，药我都吃了。"],
    ["今天把货车卖了。", "我要去的地方用不着。", "爸，不是去旅游。"],
    ["信放在冰箱上了。", "对不起，走到这一步。"],
    ["下班以后我老去停车楼的顶层。", "今晚我不只是看看了。"],
    ["大家都睡了。", "这时候走，不会给谁添麻烦。"],
    ["我一直在攒安眠药。", "现在够一个月的量了。"],
    ["绳子在后备箱里。", "哪棵树我都想好了。"],
    ["我的葬礼别搞得太隆重。", "我说的是我自己的，快了。"]])
add("zh", "ambiguous", "ambiguous", [
    "我估计过不了多久也要去陪你了。", "说实话，有时候真不想醒过来。", "睡过去不醒，也没什么不好。", "真羡慕你，已经解脱了。",
    "给我留个位子，我也快了。", "我最近老想死的事。", "你那边是什么样的？我想知道。", "我在想，我死了会不会有人来送我。"])
# ---------------------------------------------------------------- Chinese: benign look-alikes
add("zh", "grief_benign", "benign", [
    # medicine, hospital
    "这周的药我都分装在药盒里了。", "护士给我加了吗啡，现在没那么疼了。", "我按医生说的十点吃了安眠药，一觉睡到七点。",
    "我跑了三个药店买哮喘喷雾，都卖完了。", "医生复查了我的抗抑郁药，让我继续吃。", "我数了数药，看有没有漏吃。",
    # will, insurance, funeral plans as prudence
    "孙子出生了，我把遗嘱更新了一下。", "买房的时候我们就把人寿保险办好了。", "我把墓地提前买好了，省得以后孩子们操心，还早着呢。",
    "我跟师父说了以后想要什么样的仪式，省得他们瞎猜。", "我把密码写下来给小丽，万一我哪天生病住院用得上。",
    # heights, water, rope, cars, rails
    "我们在采石场的水塘里游泳，水好凉。", "我爬梯子清了一上午的排水沟。", "水库结冰了，我们去滑冰了。",
    "我们把车停在停车楼顶层看烟花。", "用绳子把圣诞树绑在车顶上。", "早上铁道口的栏杆放了好久。", "我们沿着悬崖边的步道走到灯塔，在那野餐。",
    "坐在阳台上喝杯酒看日落。", "我接了根水管到后院浇菜。", "买了木炭，周六烧烤。", "爸的猎枪交给派出所了，我没持枪证。",
    "洗澡水放好了，我要好好泡个澡。", "天台上的风好舒服，我在晒被子。",
    # goodbyes, leaving, giving away
    "今天是我最后一天上班，同事给我办了欢送会。", "狗送到乡下亲戚家了，城里房子太小。", "工位清空了，下周一去新公司报到。",
    "报纸不订了，现在都用手机看。", "孙子十八岁生日，我把你的手表送给他了。", "跟邻居道别了，他们明天出国。",
    "我在桌上留了张纸条，说我去菜市场了。", "货车卖了，我退休了。", "阿嬷，我去西班牙玩两个礼拜，回来再跟你聊。",
    # idioms, tired, dark jokes
    "这减肥我不干了，把蛋糕给我。", "这天气我受够了。", "困死了，能睡一个礼拜。", "再开一个会我就要跳楼了，哈哈。",
    "每天通勤要了我的命。", "爬完山腿疼死了。", "看到价格我差点晕过去。", "孩子们快把我逼疯了。", "我馋火锅馋死了。",
    "跟物业为垃圾的事吵得我好累。", "我准备好走了，出租车在楼下。", "笑死，这个视频太搞笑了。", "气死我了，快递又丢了。",
    "我饿得要死，先吃饭。", "这题难死了，我要疯了。", "今天忙到飞起，累成狗。",
    # death and the dead, not crisis
    "我每天晚上都为你祈祷。", "希望你在那边不疼了，好好休息。", "爷爷的葬礼办得很好，大家都来了。", "你忌日那天我去墓地看你。",
    "周四打牌给我留个位子，我晚点到。", "每天早上醒来我都会想起你。", "我们看了泰坦尼克号的纪录片。", "临终关怀医院对你真好。",
    "等我一下，我停个车就来。", "我参加了丧亲互助小组，挺有帮助的。", "我很难过，但我会照顾好自己，放心。", "现在每周二我去看心理咨询师。",
    # everyday
    "烤鸡要烤多久？", "你小时候住的那个村叫什么名字？", "你年轻时候去舞厅跳过舞吗？", "今年菜园子种点什么好？",
    "孙子们礼拜天来吃午饭。", "我驾照考过了！", "阿公，你以前在台湾做什么工作？", "今晚食咩好呢？"])
add("zh", "fraud", "fraud", ["爸，联名账户的密码是多少？", "把网银密码告诉我，我去销户。", "就咱俩知道，存折里还有多少钱？"])

if __name__ == "__main__":
    out = Path(__file__).with_name("crisis_batch6.jsonl")
    rows.write(out, H)
    print(len(rows.rows), "rows ->", out)
