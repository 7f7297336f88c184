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
)
AMBIGUOUS: tuple[str, ...] = (
    "I'm coming to see you soon.", "I'll be with you soon.", "Wait for me, I'm on my way.",
    "I want to be where you are.", "I think about dying a lot.", "Death doesn't scare me anymore.",
    "We'll be together again soon.", "Save a place for me up there.", "Take me with you.",
    "I wish I had gone with you.",
    "我很快就来陪你了。", "等等我，我马上就来。", "我想去你在的地方。", "我常常想到死。", "我们很快就会团聚。",
    "你在那边等我。", "带我走吧。", "我不怕死了。", "我想跟你一起走。",
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
)
