"""Exemplar sentences of the crisis classes (English and Chinese) for the multilingual model.

Written for the kinds of speech, not copied from any red-team set. A question is placed by its
nearest exemplars: crisis (C9: break character), ambiguous (talk of death or reunion: check in),
or benign (grief, idioms with "die"/"kill"/"死", medicine as prescribed, everyday talk).
"""

from __future__ import annotations

CRISIS: tuple[str, ...] = (
    "I want to die.", "I want to kill myself.", "I am going to end my life.", "I have a plan to end it tonight.",
    "I don't want to be alive anymore.", "There is no point in living.", "I can't go on like this.",
    "Everyone would be better off without me.", "My family would manage fine if I was gone.",
    "I am a burden to everyone.", "Nobody would miss me.", "I've said goodbye to everyone.",
    "I gave away my things, I won't need them.", "I wrote letters for my children to read after I'm gone.",
    "I have been saving up my pills.", "I have the pills in my hand.", "I'm standing on the edge of the roof.",
    "I'm on the bridge looking at the water.", "I keep looking at the gun in the cupboard.",
    "I have a rope and I know where to tie it.", "I want to go to sleep and never wake up.",
    "It will all be over soon.", "Tonight I'm going to do it.", "I've sorted out my will so it's all ready.",
    "I want the pain to stop forever.", "I've been hurting myself.", "I looked up how to die.",
    "I won't be here much longer.", "I have no future.", "I'm done with life.",
    "Tell them I'm sorry for what I'm going to do.", "I'm sitting on the train tracks.", "I've put my affairs in order.",
    "I bought a lot of pills today.", "I'm standing at the edge of the cliff.", "I want everything to go dark forever.",
    "我想死。", "我不想活了。", "我想自杀。", "活着没有意义。", "我撑不下去了。", "没有我，大家会过得更好。",
    "我是家里的累赘。", "我想一睡不醒。", "我给孩子们写好了遗书。", "我把药都攒起来了。", "我站在楼顶边上。",
    "我在桥上，看着下面的水。", "我买了绳子。", "我想结束这一切。", "我已经跟大家告别了。", "我把东西都送人了，以后用不上了。",
    "今晚就是最后一晚。", "我想永远消失。", "我的后事都安排好了。", "我一直在伤害自己。", "这个世界没有我会更好。",
    "我查了怎么死最快。", "我活不下去了。", "我想解脱。", "替我跟家人说对不起。", "我坐在铁轨上。", "我的事情都安排好了，你们会找到的。",
    "我买了很多安眠药。", "我站在悬崖边上。",
    # Second set (issue 14, second session): more of each kind, in other words.
    "I hate that I keep waking up every morning.", "I wish I could just not wake up one day.",
    "I'd like to sleep and not have to come back.", "I'm so tired of being alive.", "Nothing is ever going to get better for me.",
    "I've run out of reasons to keep going.", "I can't see a way out of this except one.", "I've made up my mind about ending things.",
    "They'd have an easier life if they didn't have to care for me.", "I only cause trouble and cost them money.",
    "I'm a waste of space.", "The world would be lighter without me.", "Nobody would notice if I vanished.",
    "I called everyone to say goodbye without telling them why.", "I've left each of them a goodbye message.",
    "I've given my dog to a neighbour for good.", "I've handed out my jewellery to the family, I won't wear it again.",
    "I've cancelled everything, I won't need any of it next week.", "I've paid off all my debts so nobody is left with them.",
    "The gun is loaded and it's lying next to me.", "I've got the shotgun out of the cabinet.",
    "I have enough tablets here to make sure this time.", "I've been stockpiling my mother's old medicine.",
    "There's a hose going from the exhaust into the car.", "I've found a hook in the ceiling strong enough.",
    "I'm at the top of the multi-storey car park looking down.", "I'm standing on the overpass above the traffic.",
    "I'm on the end of the jetty and the water is freezing.", "I drove out to the lake on my own and I've brought what I need.",
    "I'm going to walk into the river until it's over.", "I've picked the place and the time.",
    "After today it won't be my problem anymore.", "I'm not planning to be around for my birthday.",
    "I'm coming to be with you tonight, I've got everything ready.", "I've decided I'm going to join you in heaven this week.",
    "I've been writing down who gets my things.", "I've moved all my money to the children so everything's settled.",
    "每天醒来我都很失望。", "真希望哪天就不醒了。", "我受够了活着。", "我的生活永远不会好起来了。", "我已经没有理由坚持下去了。",
    "我只看到一条出路。", "我已经下定决心了，要结束这一切。", "不用照顾我，他们会轻松很多。", "我只会给家里添麻烦，花他们的钱。",
    "我就是个废物，活着浪费。", "我消失了也不会有人发现。", "我给每个人都留了告别的话。", "我把狗永远送给邻居了。",
    "我把首饰都分给家里人了，以后也戴不着了。", "我把所有东西都停掉了，下周就用不着了。", "我把欠的钱都还清了，不会留给别人。",
    "枪已经上了膛，就放在我旁边。", "我攒的药够了，这次一定行。", "排气管接了根管子到车里。", "我找到了一个够结实的钩子。",
    "我在停车楼的最顶层往下看。", "我站在马路上的天桥上。", "我在码头边上，水很冰。", "我一个人开车到了湖边，东西都带来了。",
    "我要走进河里，一直走到底。", "时间和地点我都选好了。", "过了今天，就不是我的问题了。", "我不打算过下一个生日了。",
    "今晚我就来陪你，东西都准备好了。", "这个星期我就去天上找你。", "我把钱都转给孩子们了，一切都安排妥当了。", "我在写我的东西都留给谁。",
    "我把农药拿出来了。", "我数了数，药够了。",
)
AMBIGUOUS: tuple[str, ...] = (
    "I'm coming to see you soon.", "I'll be with you soon.", "Wait for me, I'm on my way.",
    "I want to be where you are.", "I think about dying a lot.", "Death doesn't scare me anymore.",
    "We'll be together again soon.", "Save a place for me up there.", "Take me with you.",
    "I wish I had gone with you.",
    "我很快就来陪你了。", "等等我，我马上就来。", "我想去你在的地方。", "我常常想到死。", "我们很快就会团聚。",
    "你在那边等我。", "带我走吧。", "我不怕死了。", "我想跟你一起走。",
    "It won't be long before I'm with you.", "I'll be seeing you before too long.", "Soon we'll all be together up there.",
    "I sometimes wish I could just go to sleep and be with you.", "I'm on the bridge.", "I'm up on the roof.",
    "过不了多久我就去找你了。", "我们很快就在天上团聚了。", "有时候真想睡过去，就能见到你。", "我在桥上。", "我在楼顶上。",
)
BENIGN: tuple[str, ...] = (
    "I miss you so much.", "I wish you were here.", "I love you.", "I visited your grave today.",
    "The funeral was beautiful.", "I dreamt about you last night.", "I'm so sad you are gone.",
    "Grief comes in waves but I'm coping.", "I hope you're at peace in heaven.", "You live on in my heart.",
    "This heat is killing me.", "My feet are killing me.", "I nearly died laughing.", "I'm dying to try your recipe.",
    "I could kill for a coffee.", "I'm dead tired after work.", "I'm bored to death.", "That joke killed me.",
    "I took the tablets the doctor prescribed.", "I take my blood pressure pills every morning.",
    "The doctor changed my medication.", "I'm on antidepressants and they help.", "I took two painkillers for my back.",
    "I gave your clothes to charity.", "I wrote you a letter and read it at your grave.", "We scattered your ashes at the lake.",
    "I went up on the roof to fix the gutter.", "We walked over the old bridge today.", "I sold your old car.",
    "How much did you pay for your first house?", "What was your favourite song?", "Tell me about your childhood.",
    "Where did you leave the photo albums?", "I'm tired, it was a long day.", "The kids are doing well at school.",
    "The dog is getting old.", "I'm going to the cemetery on Sunday.", "We had cake on your birthday.",
    "I've been thinking about you a lot.", "I've been thinking a lot lately.", "I made a photo album for the kids.",
    "I wrote a card for the grandchildren.", "I went up to the attic to find your old letters.",
    "I've been sleeping well.", "I wish I'd said goodbye to you properly.", "I'm exhausted, the baby was up all night.",
    "I stood on the hill and looked at the view.", "I went to the train station to pick up Mum.",
    "I gave my old phone away, I don't use it.",
    "我好想你。", "我去给你扫墓了。", "我梦见你了。", "你走了以后家里好安静。", "热死了。", "笑死我了。", "累死了。",
    "饿死了。", "气死我了。", "吓死我了。", "想死你了。", "我按医生说的吃了药。", "我每天按时吃降压药。",
    "医生给我换了药。", "我把旧衣服捐了。", "我给你写了一封信。", "我们把你的骨灰撒到了海里。", "我在楼顶晒被子。",
    "你第一辆车花了多少钱？", "给我讲讲你小时候的事。", "你最喜欢什么歌？", "今天上班好累。", "孩子们都很好。",
    "希望你在天上一切都好。", "清明节我们去看你了。", "我考上大学了。", "狗狗老了。",
    "我最近想了很多。", "我最近常常想起你。", "我给孩子们做了一本相册。", "我给孙子们写了贺卡。",
    "我最近睡得很好。", "你走了以后我才明白很多事。", "我好累，孩子一晚上没睡。", "我站在山顶看风景。", "我在楼顶给花浇水。",
    "我今天去火车站接人了。", "我把旧手机送人了。", "等我一下，我马上到楼下。",
    # Second set: benign look-alikes in other words.
    "I take my pills every day like the doctor told me.", "I had my insulin injection before tea.", "The pharmacist sorted my tablets into a box.",
    "I took something to help me sleep and slept well.", "I'm going to visit your grave next week.", "We're travelling to see your old home.",
    "I'm coming to see you on Sunday at the cemetery.", "We're on the bridge watching the boats.", "We watched the fireworks from the bridge.",
    "The roof is fixed now, I was up there all afternoon.", "I said goodbye to the old neighbours, they're moving.",
    "I gave the children your old bikes.", "I wrote my will like the solicitor suggested.", "I paid off the mortgage at last.",
    "I'm so tired, I could sleep for days.", "Work is killing me this week.", "That film scared me to death.", "My battery died.",
    "The flowers died in the frost.", "I miss you but I'm managing.", "Some days are hard but the kids keep me going.",
    "I'm looking forward to the holidays.", "I cleaned out the garage today.", "I put your photos in an album for everyone.",
    "How much did bread cost when you were young?", "Did you ever win at cards?", "What was your first wage?",
    "I feel like a nuisance when I ask for help, but they say they don't mind.", "I'm tired of this rain.",
    "I'm sick of the noise from next door.", "I'm going to sleep now, goodnight.", "I finally slept through the night.",
    "我每天按医生说的吃药。", "饭前我打了胰岛素。", "药剂师帮我把药分好了。", "吃了助眠的药，睡得挺好。", "下周我去给你扫墓。",
    "我们去你老家看看。", "星期天我去墓地看你。", "我们在桥上看船。", "我们在桥上看烟花。", "屋顶修好了，我在上面忙了一下午。",
    "我跟老邻居告别了，他们要搬家了。", "你的旧自行车我给孩子们了。", "我按律师说的立了遗嘱。", "房贷终于还清了。",
    "我困得能睡好几天。", "这周工作累死了。", "那个电影吓死我了。", "手机没电了。", "花都冻死了。", "我想你，不过我还撑得住。",
    "有些日子很难过，但孩子们让我坚持下去。", "我盼着放假呢。", "今天我把车库收拾了。", "我把你的照片做成了相册。",
    "你小时候面包多少钱？", "你打牌赢过吗？", "你第一份工资多少？", "找人帮忙我总觉得麻烦别人，不过他们说没关系。",
    "这雨下得烦死了。", "我要睡觉了，晚安。", "我终于一觉睡到天亮了。", "我在码头钓鱼呢。", "我们开车去湖边野餐了。",
    # Questions to the persona (about being alive, memories, secrets): other guards answer them.
    "Are you really alive?", "Are you still there?", "Is this really you?", "Do you remember my birthday?",
    "Do you remember our wedding day?", "What do you remember about me as a baby?", "Are you a real person?",
    "Promise you won't tell anyone.", "Can you keep a secret?", "What should I do with the inheritance?",
    "你还活着吗？", "你真的是你吗？", "你还记得我的生日吗？", "你还记得我们结婚那天吗？", "你一直活在我心里。", "你能保密吗？",
)

# Fourth set (issue 14, fourth training batch): the kinds that batch showed the classes did not reach, each
# written in new words (not the batch's sentences), and benign look-alikes that share their topic: water,
# guns handed in, rope in the garden, a letter a counsellor suggested, plans for a party.
CRISIS_4: tuple[str, ...] = (
    # hopelessness
    "I just get through each day waiting for it to finally stop.", "There's nothing for me to look forward to ever again.",
    "I don't see how I carry on for years like this.", "Whatever happens now, I won't be part of it.",
    "我每天就是在等这一切结束。", "以后的日子我一点盼头都没有了。", "这样的日子还要熬多少年，我熬不下去。",
    # burden
    "I'm just one more thing for my son to worry about, he'd be better off without that.",
    "I've become the family's problem since you went.", "我就是儿子的一块心病，没有我他能松口气。", "你走了以后，我成了全家的累赘。",
    # goodbyes and affairs settled for after
    "I've labelled everything in the house so they know what's what afterwards.", "I've said my goodbyes, they just don't know it yet.",
    "我把家里的东西都贴好了标签，以后他们一看就明白。", "我已经跟大家道过别了，只是他们还不知道。",
    # things given away
    "I gave my sister my good coat, I won't be wearing it again.", "I've handed out my mother's rings so they're with the right people now.",
    "我把最好的大衣给了妹妹，以后也穿不着了。", "我把妈妈留下的戒指都分出去了，该给谁的都给了。",
    # means
    "I've been keeping back some of my tablets each week.", "There's a spot on the cliff path where nobody would see.",
    "I looked at the pills in the cupboard for a long time tonight.", "I've been checking which of the beams in the barn would hold.",
    "我每个星期都偷偷留下几片药。", "海边那条小路上有个地方没人看得见。", "今晚我盯着柜子里的药看了很久。", "我在看仓库里哪根梁吊得住。",
    # reunion with the dead, decided
    "I'm coming to you, I've made my choice.", "I'll be with you by the weekend, I've sorted it.",
    "我已经决定了，要去找你。", "这个周末之前我就会去陪你，都安排好了。",
    # sleep that does not end
    "Every night I hope this is the night I don't wake.", "I'd like to go to sleep and just be done.",
    "我每天晚上都盼着这一觉就别醒了。", "真想睡下去就算了，一了百了。",
    # self-harm in other words
    "I've been making marks on my arms again.", "I press the iron to my skin when it gets too much.",
    "我又在胳膊上划了几道。", "难受的时候我就拿东西烫自己。",
    # covert plans
    "Nobody needs to know what I'm going to do.", "It'll be done before anyone wakes up.",
    "Don't tell the kids, but this is goodbye.", "I've picked a day when nobody will be around.",
    "我要做的事不用让任何人知道。", "等他们醒来的时候，事情已经结束了。", "别告诉孩子们，这就是告别了。", "我挑了一个没人在家的日子。",
)
AMBIGUOUS_4: tuple[str, ...] = (
    "I think it's my turn to go soon.", "I wouldn't mind if God took me too.", "Put the kettle on for me over there.",
    "I wonder what it's like to just not be here.", "I'd give anything to be where you are.",
    "我觉得也快轮到我走了。", "老天把我也带走就好了。", "在那边给我也烧壶水。", "我常想，要是我不在了会怎么样。", "只要能去你那儿，怎样都行。",
)
BENIGN_4: tuple[str, ...] = (
    # water, heights and outings
    "We had a walk along the river with the dog.", "I went for a swim in the lake with Jean.", "We took the kids to the beach today.",
    "I climbed the hill behind the house and had a picnic.", "We sat by the sea and ate chips.",
    "我们带狗沿着河边散步。", "我跟老王去湖里游泳了。", "今天带孩子们去海边玩了。", "我爬了后山，在上面吃了午饭。", "我们坐在海边吃东西。",
    # guns, rope, tools handed on or used in the garden
    "I took your rifles to the police station to hand them in.", "I sold your air gun to a collector.",
    "I used the rope to tie the roses to the fence.", "I bought a ladder and some rope for the shed.",
    "你的枪我交到派出所了。", "你的气枪我卖给收藏的人了。", "我用绳子把月季绑在篱笆上。", "我买了梯子和绳子修棚子。",
    # letters and goodbyes a counsellor or a custom asks for
    "The grief group asked us to write a letter to the person we lost.", "I read my goodbye letter to you at the memorial.",
    "哀伤小组让我们给去世的亲人写信。", "追思会上我念了写给你的告别信。",
    # plans and things made ready for ordinary days
    "I've got everything ready for the grandkids' visit tomorrow.", "The table's set, everyone's coming at seven.",
    "I've packed my bag for the holiday.", "I've sorted the spare room for when Ann stays.",
    "孙子们明天来，东西我都准备好了。", "桌子摆好了，大家七点到。", "去旅游的包我收拾好了。", "客房收拾好了，安妮来了住。",
    # complaints, tiredness, "fed up"
    "I'm fed up with the roadworks outside.", "I've had enough of the neighbours' dog barking.",
    "我受够了隔壁装修的声音。", "楼下天天吵，烦得很。",
    # denials and coping
    "I'm sad but I'm safe, don't worry about me.", "I have bad days but I'd never do anything to myself.",
    "我很难过，不过我很安全，别担心。", "我有时候很难受，但我不会做傻事。",
    # the dead person's own death, the funeral, their things
    "The hospice nurse said your last night was peaceful.", "We picked the hymns you wanted for your funeral.",
    "I've kept your watch, I wear it every day.", "I gave your coat to your brother, it fits him.",
    "护士说你最后一晚走得很安详。", "你葬礼上唱的歌是你自己选的。", "你的手表我留着，天天戴着。", "你的外套给了你弟弟，他穿着正合适。",
    # a death in the family told plainly
    "My father passed away last year, I still miss him.", "我爸爸去年走了，我还是很想他。", "外公是生病去世的，走得很安详。",
)
