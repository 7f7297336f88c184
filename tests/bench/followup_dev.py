"""DEV follow-up dialogues for tuning reference resolution (refer.py), written 2026-12-07 by
reading the messages, before running the engine on them. Not listen_sets.py (bench_listen's
measured questions are never tuned on) and never put into an index.

Each dialogue is a list of (line, expected) turns said in order with the history the pipeline
keeps; ``expected`` is a regex on the reply's message id (Walter, zh) or text (June), None for
a turn that only sets the topic. Every turn after the first with an expectation is a follow-up.
"""

from __future__ import annotations

WALTER = [
    [("What was your first car?", r"cars-01$"), ("What colour was it?", r"cars-01$"),
     ("How much did you pay for it?", r"cars-01$")],
    [("Tell me about your dog.", r"dog-01$"), ("Where did you get him?", r"dog-03$"),
     ("Is he scared of anything?", r"dog-13$")],
    [("Tell me about uncle Eddie.", r"child-16$"), ("Could he fix cars?", r"cars-10$|child-16$")],
    [("How did you meet grandma?", r"grandma-01$"), ("What was her favourite flower?", r"grandma-07$"),
     ("When did you marry her?", r"grandma-03$")],
    [("What was your dad like?", r"father-01$"), ("What did he teach you?", r"father-04$"),
     ("Do you have anything of his?", r"father-07$")],
    [("Tell me about the canoe.", r"shop-05$"), ("How long did it take to build?", r"shop-05$")],
    [("Tell me about your truck.", r"cars-02$"), ("Why do you keep driving it?", r"cars-08$")],
    [("What was your first dog?", r"dog-10$"), ("What was his name?", r"dog-10$"),
     ("Where did he wait for you?", r"dog-10$")],
    [("Tell me about your dog.", r"dog-01$"), ("What did grandma do for work?", r"grandma-11$"),
     ("Does he sleep in your bed?", r"dog-12$")],
    [("What do you grow in your garden?", r"garden-02$"), ("When do you plant it?", r"garden-05$")],
]

JUNE = [
    [("What music did you love?", r"Dusty"), ("Where did you see her?", r"Odeon"), ("When was that?", r"Odeon")],
    [("Did you have any pets?", r"Marmalade"), ("How long did she live?", r"nineteen")],
    [("Where did you go on honeymoon?", r"Scarborough"), ("And where did you stay?", r"boarding house")],
    [("What's your favourite thing to bake?", r"Parkin"), ("When do you make it?", r"Bonfire Night")],
    [("Tell me about your cardigan", r"duck buttons"), ("Who is it for?", r"baby"),
     ("When did you start it?", r"March")],
    [("How did you meet Grandad?", r"Palais"), ("What was his job?", r"number 12 bus"),
     ("How long did he do it?", r"thirty-one")],
    [("Tell me about Whitby", r"every August"), ("Did Grandad drive there?", r"Grandad drove"),
     ("How often did you go there?", r"every August|every summer")],
    [("What was your mum like?", r"tiny and fierce"), ("How did she make ends meet?", r"washing")],
]

ZH = [
    [("奶奶，你养过什么小动物吗？", r"m15$"), ("它活了多少年？", r"m15$"), ("它叫什么名字？", r"m15$")],
    [("奶奶，你和爷爷是怎么认识的？", r"m02$"), ("他是什么时候走的？", r"m19$")],
    [("说说你的老家吧", r"m04$"), ("那里夏天好玩吗？", r"m04$")],
    [("奶奶，你会织毛衣吗？", r"m13$"), ("那件毛衣是什么颜色的？", r"m13$"), ("织了多久？", r"m13$")],
    [("奶奶，家里那棵枣树还在吗？", r"m30$"), ("它今年结了多少？", r"m30$")],
    [("奶奶你年轻时去过哪些地方？", r"m25$"), ("你在那里照相了吗？", r"m25$")],
]
